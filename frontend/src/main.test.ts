import { afterEach, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import type { WailsGlobals } from "./transport";
import type { View } from "./view";

afterEach(() => {
  vi.unstubAllGlobals();
  delete (window as WailsGlobals).go;
  delete (window as WailsGlobals).runtime;
  vi.resetModules();
});

it("wires the Wails bindings to the chrome when the window has them", async () => {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  let push: ((v: unknown) => void) | undefined;
  const first: View = { seq: 1, kind: "error", message: "No boot document." };
  Object.assign(window, {
    go: {
      app: {
        Shell: { View: async () => first, Retry: async () => {}, Cancel: async () => ({ ok: true }) },
      },
    },
    runtime: {
      EventsOn: (name: string, cb: (v: unknown) => void) => {
        if (name === "view") push = cb;
        return () => {};
      },
    },
  });
  vi.stubGlobal("fetch", async (input: string) =>
    input === "/shell/token" ? new Response(JSON.stringify({ token: "t", channel: "" })) : new Response("", { status: 404 }),
  );
  await import("./main");
  await new Promise((r) => setTimeout(r, 0));
  expect(document.getElementById("error-message")?.textContent).toBe("No boot document.");
  push?.({ seq: 2, kind: "loading", message: "Installing packages…", user: { username: "ann" } });
  expect(document.getElementById("loading-message")?.textContent).toBe("Installing packages…");
  expect(document.getElementById("status-user")?.textContent).toBe("ann");
});

it("draws the view that came with the window's token before the View binding answers, and still asks it", async () => {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const first: View = { seq: 1, kind: "error", message: "Handed with the token." };
  const view = vi.fn(() => new Promise<View>(() => {})); // never answers
  Object.assign(window, {
    go: { app: { Shell: { View: view, Retry: async () => {}, Cancel: async () => ({ ok: true }) } } },
    runtime: { EventsOn: () => () => {} },
  });
  vi.stubGlobal("fetch", async (input: string) =>
    input === "/shell/token" ? new Response(JSON.stringify({ token: "t", channel: "", view: first })) : new Response("", { status: 404 }),
  );
  await import("./main");
  await new Promise((r) => setTimeout(r, 0));
  expect(document.getElementById("error-message")?.textContent).toBe("Handed with the token.");
  expect(view).toHaveBeenCalledWith("t");
});

it("does not start inside a frame: no secrets read, no binding called, the channel untouched", async () => {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const view = vi.fn(async () => ({ seq: 1, kind: "error", message: "x" }));
  const invoke = vi.fn();
  Object.assign(window, {
    go: { app: { Shell: { View: view, Retry: async () => {}, Cancel: async () => ({ ok: true }) } } },
    runtime: { EventsOn: () => () => {} },
    WailsInvoke: invoke,
  });
  const fetcher = vi.fn(async () => new Response(JSON.stringify({ token: "t", channel: "" })));
  vi.stubGlobal("fetch", fetcher);
  const top = Object.getOwnPropertyDescriptor(window, "top");
  Object.defineProperty(window, "top", { configurable: true, get: () => ({}) }); // a page framed the chrome
  let untouched: boolean | undefined;
  try {
    await expect(import("./main")).rejects.toThrow(/does not run inside a frame/);
    await new Promise((r) => setTimeout(r, 0));
    untouched = (window as WailsGlobals).WailsInvoke === invoke;
  } finally {
    if (top) Object.defineProperty(window, "top", top);
    delete (window as WailsGlobals).WailsInvoke;
  }
  expect(fetcher).not.toHaveBeenCalled();
  expect(view).not.toHaveBeenCalled();
  expect(untouched).toBe(true);
});

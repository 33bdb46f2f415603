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

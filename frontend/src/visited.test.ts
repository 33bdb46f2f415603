import { expect, it } from "vitest";
import { navigateWhenLoaded } from "./visited";

/** fakeWindow is a window whose document is in readyState, its load listeners kept to fire. */
function fakeWindow(readyState: DocumentReadyState) {
  const onLoad: (() => void)[] = [];
  const later: (() => void)[] = [];
  const win = {
    document: { readyState },
    location: { href: "http://127.0.0.1:1/" },
    addEventListener: (type: string, f: () => void) => {
      if (type === "load") onLoad.push(f);
    },
    setTimeout: (f: () => void) => void later.push(f),
  };
  return {
    win: win as unknown as Window,
    location: win.location,
    load: () => onLoad.forEach((f) => f()),
    afterLoad: () => later.splice(0).forEach((f) => f()),
  };
}

it("goes at once from a document that has loaded", () => {
  const { win, location } = fakeWindow("complete");
  navigateWhenLoaded(win, "http://idp.example/auth?state=1");
  expect(location.href).toBe("http://idp.example/auth?state=1");
});

it("waits until a document still loading has loaded, its load event over, so its history entry stays", () => {
  for (const state of ["loading", "interactive"] as const) {
    const { win, location, load, afterLoad } = fakeWindow(state);
    navigateWhenLoaded(win, "http://idp.example/auth?state=2");
    expect(location.href).toBe("http://127.0.0.1:1/");
    load();
    expect(location.href).toBe("http://127.0.0.1:1/"); // in the load event: not loaded yet
    afterLoad();
    expect(location.href).toBe("http://idp.example/auth?state=2");
  }
});

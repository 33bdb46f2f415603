import { beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { Chrome, type Actions } from "./chrome";
import { isView, type View } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const visible = (id: string) => !$(id).hidden;

function setup() {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const actions = {
    view: vi.fn<Actions["view"]>(async () => ({ seq: 0, kind: "loading" })),
    retry: vi.fn<Actions["retry"]>(async () => {}),
    cancel: vi.fn<Actions["cancel"]>(async () => ({ ok: true })),
    configure: vi.fn<Actions["configure"]>(async () => ({ ok: true })),
  };
  return new Chrome(document, actions, vi.fn());
}

const page: View = { seq: 1, kind: "page", url: "/webapps/lineapp/index.html", title: "Line 4", user: null };
const broken = {
  folder: "/home/qa/repo/LineApp",
  name: "lineapp",
  problems: [
    { file: "webapp.json", rule: "invalid-manifest", message: "is not valid JSON at line 2, column 5", severity: "error" as const },
    { file: "webapp.json", rule: "container-only", message: 'the key "nativeScroll" has no effect', severity: "note" as const },
  ],
};

beforeEach(() => {
  document.body.innerHTML = "";
});

describe("run from source in the chrome", () => {
  it("marks a page served live from its folder, and only such a page", () => {
    const chrome = setup();
    chrome.render({ ...page, live: "/home/qa/repo/LineApp" });
    expect(visible("live-mark")).toBe(true);
    expect($("live-mark-text").textContent).toBe("live from /home/qa/repo/LineApp");
    expect($("page-title").textContent).toBe("Line 4");
    chrome.render({ ...page, seq: 2 });
    expect(visible("live-mark")).toBe(false);
    chrome.render({ seq: 3, kind: "error", message: "x", live: "/stale" });
    expect(visible("live-mark")).toBe(false);
  });

  it("a package's title that claims to be live draws no mark", () => {
    const chrome = setup();
    chrome.render({ ...page, title: "live from /home/qa/repo/LineApp" });
    expect(visible("live-mark")).toBe(false);
    expect($("live-mark-text").textContent).toBe("");
  });

  it("a broken folder takes the page area with check's labelled lines, until fixed", () => {
    const chrome = setup();
    chrome.render({ ...page, live: "/home/qa/repo/Other", broken: [broken] });
    expect(visible("live-view")).toBe(true);
    expect(visible("content")).toBe(false);
    expect(visible("error-view")).toBe(false);
    expect($("live-folder").textContent).toBe("lineapp in /home/qa/repo/LineApp");
    expect([...$("live-problems").children].map((li) => li.textContent)).toEqual([
      "webapp.json: error: invalid-manifest: is not valid JSON at line 2, column 5",
      'webapp.json: note: container-only: the key "nativeScroll" has no effect',
    ]);
    // Over an error view or a loading view too.
    chrome.render({ seq: 2, kind: "loading", message: "Signing in…", broken: [broken] });
    expect(visible("live-view")).toBe(true);
    expect(visible("loading")).toBe(false);
    // Fixed: the view as it is.
    chrome.render({ ...page, seq: 3 });
    expect(visible("live-view")).toBe(false);
    expect(visible("content")).toBe(true);
  });

  it("a problem's text is shown as text, never as markup", () => {
    const chrome = setup();
    const evil = { file: "<img src=x onerror=alert(1)>.html", rule: "html", message: "<b>bold</b>", severity: "warning" as const };
    chrome.render({ ...page, broken: [{ folder: "/f", problems: [evil] }] });
    expect($("live-problems").querySelector("img, b")).toBeNull();
    expect($("live-problems").textContent).toContain("<img src=x onerror=alert(1)>.html: warning: html: <b>bold</b>");
  });

  it("a view whose live parts have the wrong shape is dropped", () => {
    expect(isView({ seq: 1, kind: "page", live: "/f", broken: [broken] })).toBe(true);
    expect(isView({ seq: 1, kind: "page", live: 3 })).toBe(false);
    expect(isView({ seq: 1, kind: "page", broken: [{ problems: [] }] })).toBe(false);
    expect(isView({ seq: 1, kind: "page", broken: [{ folder: "/f", problems: [{ file: 1 }] }] })).toBe(false);
  });
});

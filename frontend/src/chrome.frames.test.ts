// The chrome and the pages in its frames: the sandbox, the page's name and focus request sent
// to its own origin only, and an authentication page opened over a page.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { signInKeysAwayText } from "./dialogwords";
import { $, flush, frame, setup, visible } from "./chrome.testsetup";
import type { View } from "./view";

beforeEach(() => {
  document.body.innerHTML = "";
});

describe("the content frame's sandbox", () => {
  it("lets a page run, keep its storage and ask alert/confirm, and never open a window or navigate the tab", () => {
    setup();
    const flags = (frame().getAttribute("sandbox") ?? "").split(/\s+/).sort();
    expect(flags).toEqual(["allow-downloads", "allow-forms", "allow-modals", "allow-same-origin", "allow-scripts"]);
  });
});

describe("the page's name (system.page)", () => {
  const shown: View = { seq: 3, kind: "page", url: "/webapps/lineapp/index.html", title: "Line", pages: "http://p1.localhost:7", page: "page-abc" };
  const hello = (source: Window | null, origin: string) =>
    window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "hello" }, source, origin }));

  it("goes to the document in the frame when it says hello, addressed to the page's own origin", () => {
    const { chrome } = setup();
    chrome.render(shown);
    const win = frame().contentWindow!;
    const post = vi.spyOn(win, "postMessage").mockImplementation(() => {});
    hello(win, "http://p1.localhost:7");
    expect(post).toHaveBeenCalledWith({ loginshell: "page", page: "page-abc" }, new URL(frame().src).origin);
  });

  it("goes to no other window, and not without a page shown", () => {
    const { chrome } = setup();
    const other = document.createElement("iframe");
    document.body.append(other);
    chrome.render(shown);
    const post = vi.spyOn(frame().contentWindow!, "postMessage").mockImplementation(() => {});
    const otherPost = vi.spyOn(other.contentWindow!, "postMessage").mockImplementation(() => {});
    hello(other.contentWindow, "http://p1.localhost:7");
    window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "nothello" }, source: frame().contentWindow, origin: "http://p1.localhost:7" }));
    expect(post).not.toHaveBeenCalled();
    expect(otherPost).not.toHaveBeenCalled();
  });

  it("never goes to a document of another origin, nor to one that has not said hello", () => {
    const { chrome } = setup();
    chrome.render(shown);
    const win = frame().contentWindow!;
    const post = vi.spyOn(win, "postMessage").mockImplementation(() => {});
    frame().dispatchEvent(new Event("load")); // about:blank, or a document without the shim
    chrome.render({ ...shown, seq: 4, page: "page-def" });
    hello(win, "http://elsewhere.p1.localhost:7"); // the page navigated to another package's origin
    expect(post).not.toHaveBeenCalled();
  });

  it("a new name for the same document goes at once; the frame's load hands it over too", () => {
    const { chrome } = setup();
    chrome.render(shown);
    const post = vi.spyOn(frame().contentWindow!, "postMessage").mockImplementation(() => {});
    hello(frame().contentWindow, "http://p1.localhost:7");
    chrome.render({ ...shown, seq: 4, page: "page-def" });
    expect(post).toHaveBeenLastCalledWith({ loginshell: "page", page: "page-def" }, new URL(frame().src).origin);
    frame().dispatchEvent(new Event("load"));
    const named = post.mock.calls.filter(([d]) => (d as { loginshell?: string }).loginshell === "page");
    expect(named).toHaveLength(3);
  });
});

describe("the focus request to a page that loaded", () => {
  const shown: View = { seq: 3, kind: "page", url: "/webapps/lineapp/index.html", title: "Line", pages: "http://p1.localhost:7", page: "page-abc" };
  const pageOrigin = "http://p1.localhost:7";

  it("goes to the page's own origin once its document said hello, never the pages' bare origin", () => {
    const { chrome } = setup();
    chrome.render({ ...shown, url: "http://lineapp.p1.localhost:7/webapps/lineapp/index.html" });
    const win = frame().contentWindow!;
    const post = vi.spyOn(win, "postMessage").mockImplementation(() => {});
    frame().dispatchEvent(new Event("load")); // before the hello: nothing is posted yet
    expect(post).not.toHaveBeenCalled();
    window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "hello" }, source: win, origin: "http://lineapp.p1.localhost:7" }));
    expect(post).toHaveBeenCalledWith({ loginshell: "focus" }, "http://lineapp.p1.localhost:7");
    for (const [, origin] of post.mock.calls) expect(origin).not.toBe(pageOrigin);
  });

  it("goes at the load when the document said hello first", () => {
    const { chrome } = setup();
    chrome.render(shown);
    const win = frame().contentWindow!;
    const post = vi.spyOn(win, "postMessage").mockImplementation(() => {});
    window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "hello" }, source: win, origin: pageOrigin }));
    frame().dispatchEvent(new Event("load"));
    expect(post).toHaveBeenCalledWith({ loginshell: "focus" }, pageOrigin);
  });
});

describe("an authentication page a page opened (over)", () => {
  const app: View = { seq: 3, kind: "page", url: "/webapps/lineapp/index.html", title: "Line", pages: "http://p1.localhost:7", page: "page-abc" };
  const manage: View = { seq: 4, kind: "page", url: "/webapps/offline-login/manage.html?t=tok&u=op", title: "Change offline password", pages: "http://p1.localhost:7", auth: true, over: true };
  const over = () => document.getElementById("over") as HTMLIFrameElement | null;
  /** keyboardOver shows the manage page over the line app, with the keyboard in it. */
  const keyboardOver = () => {
    const { chrome, actions } = setup();
    chrome.render(app);
    const content = frame();
    chrome.render(manage);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(document, "hasFocus").mockReturnValue(true);
    over()!.focus();
    return { chrome, actions, content };
  };

  it("goes in a frame of its own over the page, which stays loaded, hidden and inert", () => {
    const { chrome } = setup();
    chrome.render(app);
    const content = frame();
    const set = vi.spyOn(content, "src", "set");
    chrome.render(manage);
    expect(over()?.src).toBe("http://p1.localhost:7/webapps/offline-login/manage.html?t=tok&u=op");
    expect(over()?.getAttribute("sandbox")).toBe(content.getAttribute("sandbox"));
    expect(over()?.hidden).toBe(false);
    expect(content.hidden).toBe(true);
    expect(content.hasAttribute("inert")).toBe(true);
    expect(set).not.toHaveBeenCalled();
    expect($("page-title").textContent).toBe("Change offline password");
    expect(visible("cancel")).toBe(true);
  });

  it("closes with the flow, and the page under it is shown again, not loaded again", () => {
    const { chrome } = setup();
    chrome.render(app);
    const content = frame();
    const set = vi.spyOn(content, "src", "set");
    chrome.render(manage);
    chrome.render({ ...manage, seq: 5, online: true }); // a status refresh keeps it
    expect(over()).not.toBeNull();
    chrome.render({ ...app, seq: 6, page: "page-def" });
    expect(over()).toBeNull();
    expect(frame()).toBe(content);
    expect(content.hidden).toBe(false);
    expect(content.hasAttribute("inert")).toBe(false);
    expect(set).not.toHaveBeenCalled();
  });

  it("goes with any other view too", () => {
    const { chrome } = setup();
    chrome.render(app);
    chrome.render(manage);
    chrome.render({ seq: 5, kind: "loading", message: "Signed out" });
    expect(over()).toBeNull();
    expect(visible("loading")).toBe(true);
  });

  it("ends the page under it when that page takes the keyboard, and loads it afresh after", async () => {
    const { chrome, actions } = setup();
    chrome.render(app);
    const content = frame();
    chrome.render(manage);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    content.removeAttribute("inert");
    content.hidden = false; // as if a page forced its way: window.focus() ignores both
    content.focus();
    await flush();
    expect(content.isConnected).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("took the keyboard"));
    expect(document.activeElement).toBe(over());
    // Heard at once by the chrome itself: a few keys at most; the person is told, Go records it.
    expect(actions.reportSignInExposure).toHaveBeenCalledExactlyOnceWith(false);
    expect($("notice").textContent).toBe(signInKeysAwayText(false));
    expect(visible("notice")).toBe(true);
    chrome.render({ ...app, seq: 6, page: "page-def" });
    expect(content.isConnected).toBe(true);
    expect(frame()).toBe(content);
  });

  it("says what may have reached the page beside Go's notice, until the next sign-in page", async () => {
    const { chrome, actions, content } = keyboardOver();
    const now = performance.timeOrigin + performance.now();
    // The page over it lost the keyboard long ago (it was held): a whole password may have gone.
    window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "blur", at: now - 2000 }, source: over()!.contentWindow }));
    expect(content.isConnected).toBe(false);
    expect(actions.reportSignInExposure).toHaveBeenCalledExactlyOnceWith(true);
    const told = signInKeysAwayText(true);
    expect($("notice").textContent).toBe(told);
    // Go's alert comes as its notice: both are shown, after the flow too.
    chrome.render({ ...manage, seq: 5, notice: "Signature alert: the page took the keyboard" });
    expect($("notice").textContent).toBe(`${told} Signature alert: the page took the keyboard`);
    chrome.render({ ...app, seq: 6, page: "page-def" });
    expect($("notice").textContent).toBe(told);
    chrome.render({ ...manage, seq: 7 });
    expect($("notice").textContent).toBe("");
    expect(visible("notice")).toBe(false);
  });

  it("says nothing and reports nothing when the page under it keeps off the keyboard", () => {
    const { chrome, actions } = setup();
    chrome.render(app);
    chrome.render(manage);
    chrome.render({ ...app, seq: 6, page: "page-def" });
    expect(actions.reportSignInExposure).not.toHaveBeenCalled();
    expect(visible("notice")).toBe(false);
  });

  it("ends the page under it when the page over it says the keyboard left it for no element of the chrome's", () => {
    const { content } = keyboardOver();
    const blur = (source: Window | null) => window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "blur" }, source }));
    blur(content.contentWindow); // only the page over it is heard
    expect(content.isConnected).toBe(true);
    blur(over()!.contentWindow);
    expect(content.isConnected).toBe(false);
  });

  it("keeps the page under it when the keyboard went to the chrome or left the window", () => {
    const { chrome } = setup();
    chrome.render(app);
    const content = frame();
    chrome.render(manage);
    const hasFocus = vi.spyOn(document, "hasFocus").mockReturnValue(true);
    const blur = () => window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "blur" }, source: over()!.contentWindow }));
    $("cancel").focus();
    blur();
    expect(content.isConnected).toBe(true);
    over()!.focus();
    hasFocus.mockReturnValue(false); // another application has the keyboard
    blur();
    expect(content.isConnected).toBe(true);
  });

  it("gets no page name, and its focus request goes to its own origin", () => {
    const { chrome } = setup();
    chrome.render(app);
    chrome.render({ ...manage, url: "http://offline-login.p1.localhost:7/webapps/offline-login/manage.html?t=tok&u=op" });
    const win = over()!.contentWindow!;
    const post = vi.spyOn(win, "postMessage").mockImplementation(() => {});
    window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "hello" }, source: win, origin: "http://offline-login.p1.localhost:7" }));
    over()!.dispatchEvent(new Event("load"));
    expect(post.mock.calls).toEqual([[{ loginshell: "focus" }, "http://offline-login.p1.localhost:7"]]);
  });
});

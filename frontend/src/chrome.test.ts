import { beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { Chrome, statusText, configureFailed, unreachable, type Actions } from "./chrome";
import { $, flush, frame, loginPage, setup, visible } from "./chrome.testsetup";
import type { View } from "./view";

beforeEach(() => {
  document.body.innerHTML = "";
});

describe("Chrome.render", () => {
  it("shows the loading view with its message", () => {
    const { chrome } = setup();
    chrome.render({ seq: 1, kind: "loading", message: "Checking the login server…" });
    expect(visible("loading")).toBe(true);
    expect($("loading").getAttribute("role")).toBe("status");
    expect($("loading").getAttribute("aria-busy")).toBe("true");
    expect($("loading-message").textContent).toBe("Checking the login server…");
    expect(visible("error-view")).toBe(false);
    expect(visible("content")).toBe(false);
  });

  it("shows a page in the frame with its title", () => {
    const { chrome } = setup();
    chrome.render({ ...loginPage, auth: false });
    expect(visible("content")).toBe(true);
    expect(frame().src).toBe(new URL(loginPage.url!, document.baseURI).href);
    expect(frame().title).toBe("Offline login");
    expect($("page-title").textContent).toBe("Offline login");
    expect(document.title).toBe("Offline login — loginshell");
    expect(visible("loading")).toBe(false);
    expect(visible("error-view")).toBe(false);
    expect($("loading").getAttribute("aria-busy")).toBe("false");
  });

  it("frames a page on the pages' own origin, never the chrome's", () => {
    const { chrome } = setup();
    const pages = "http://p0123456789abcdef.localhost:8123";
    chrome.render({ ...loginPage, pages });
    expect(visible("content")).toBe(true);
    expect(frame().src).toBe(pages + loginPage.url);
    expect(new URL(frame().src).origin).not.toBe(new URL(document.baseURI).origin);
  });

  it("refuses a page address outside the pages' origin", () => {
    const { chrome } = setup();
    chrome.render({ ...loginPage, url: "http://evil.example/x.html", pages: "http://p01.localhost:8123" });
    expect(visible("content")).toBe(false);
    expect(visible("error-view")).toBe(true);
    expect($("error-message").textContent).toContain("not part of the shell");
  });

  it("does not reload the frame when only the status changes", () => {
    const { chrome } = setup();
    chrome.render(loginPage);
    const set = vi.spyOn(frame(), "src", "set");
    chrome.render({ ...loginPage, seq: 3, online: true });
    expect($("status-online-text").textContent).toBe("Login server reachable");
    chrome.render({ ...loginPage, seq: 4, kind: "loading" });
    chrome.render({ ...loginPage, seq: 5 });
    expect(set).not.toHaveBeenCalled();
    expect(visible("content")).toBe(true);
    chrome.render({ ...loginPage, seq: 6, url: "/webapps/mes/index.html" });
    expect(set).toHaveBeenCalledOnce();
  });

  it("shows an error with the message and focuses Retry", () => {
    const { chrome } = setup();
    chrome.render({ seq: 1, kind: "error", message: "The package is damaged." });
    expect(visible("error-view")).toBe(true);
    expect($("error-view").getAttribute("role")).toBe("alert");
    expect($("error-message").textContent).toBe("The package is damaged.");
    expect(document.activeElement).toBe($("retry"));
    expect(visible("loading")).toBe(false);
    expect(visible("content")).toBe(false);
  });

  it("navigates the window to the sign-in page", () => {
    const { chrome, navigate } = setup();
    chrome.render({ seq: 1, kind: "navigate", url: "https://idp.example/authorize?x=1" });
    expect(navigate).toHaveBeenCalledWith("https://idp.example/authorize?x=1");
    expect(visible("loading")).toBe(true);
  });

  it("refuses to navigate to an address that is not http or https", () => {
    const { chrome, navigate } = setup();
    chrome.render({ seq: 1, kind: "navigate", url: "javascript:alert(1)" });
    expect(navigate).not.toHaveBeenCalled();
    expect(visible("error-view")).toBe(true);
  });

  it("refuses to frame a page from another origin", () => {
    const { chrome } = setup();
    chrome.render({ ...loginPage, url: "https://elsewhere.example/x.html" });
    expect(frame().getAttribute("src")).toBeNull();
    expect(visible("error-view")).toBe(true);
  });

  it("ignores views older than the one shown", () => {
    const { chrome } = setup();
    chrome.render({ seq: 5, kind: "error", message: "new" });
    chrome.render({ seq: 4, kind: "loading", message: "old" });
    chrome.render({ seq: 5, kind: "loading", message: "same seq" });
    expect(visible("error-view")).toBe(true);
    expect($("error-message").textContent).toBe("new");
  });

  it("shows Cancel only on authentication pages", () => {
    const { chrome } = setup();
    chrome.render(loginPage);
    expect(visible("cancel")).toBe(true);
    chrome.render({ ...loginPage, seq: 3, auth: false });
    expect(visible("cancel")).toBe(false);
    chrome.render({ ...loginPage, seq: 4, kind: "loading" });
    expect(visible("cancel")).toBe(false);
    chrome.render({ ...loginPage, seq: 5, kind: "error" });
    expect(visible("cancel")).toBe(false);
  });

  it.each([
    ["the name", { username: "ann", name: "Ann Lee" }, "Ann Lee", "Signed in online"],
    ["the username without a name", { username: "ann" }, "ann", "Signed in online"],
    ["Not signed in without a user", null, "Not signed in", "Login server reachable"],
  ])("puts %s in the status bar", (_, user, want, how) => {
    const { chrome } = setup();
    chrome.render({ seq: 1, kind: "loading", user, online: true, version: "2.0.1" });
    expect($("status-user").textContent).toBe(want);
    expect($("status-online-text").textContent).toBe(how);
    expect($("status-online").dataset.online).toBe("true");
    expect($("status-version").textContent).toBe("Version 2.0.1");
  });

  it("says the login server is unreachable when Go reports no connection, not that the network is down", () => {
    const { chrome } = setup();
    chrome.render(loginPage);
    expect($("status-online-text").textContent).toBe("Login server unreachable");
    expect($("status-online").dataset.online).toBe("false");
    expect($("status").textContent).toContain("Not signed in");
  });

  it("a first start with no login server: calm, the form alone (no Try again), and no network fault", () => {
    const { chrome } = setup();
    chrome.render({
      seq: 1,
      kind: "error",
      heading: "Connect this computer to your login server",
      message: "No login server is set yet.",
      configure: true,
      calm: true,
      online: false,
    });
    expect($("retry").hidden).toBe(true);
    expect($("configure-form").hidden).toBe(false);
    expect(document.activeElement).toBe($("login-url"));
    expect($("status-online-text").textContent).toBe("No login server set");
    // An address was tried and failed: Try again is back, and the login server is the suspect.
    chrome.render({
      seq: 2,
      kind: "error",
      heading: "The login server cannot be reached",
      message: "The shell tried https://login.example.com and got no answer.",
      configure: true,
      loginURL: "https://login.example.com",
      action: "Try again",
      online: false,
    });
    expect($("retry").hidden).toBe(false);
    expect($("status-online-text").textContent).toBe("Login server unreachable");
  });

  it.each([
    [{ username: "ann", offline: true }, false, "Signed in offline"],
    [{ username: "ann", offline: true }, true, "Signed in offline"],
    [{ username: "ann" }, false, "Signed in online · Login server unreachable"],
  ])("says how %o is signed in (online %s): %s", (user, online, want) => {
    expect(statusText({ seq: 1, kind: "loading", user, online })).toBe(want);
  });

  it.each([
    ["nobody signed in", null, "Offline (chosen)"],
    ["signed in offline", { username: "ann", offline: true }, "Signed in offline"],
  ])("says Offline (chosen) with --offline, %s: %s", (_, user, want) => {
    const { chrome } = setup();
    chrome.render({ seq: 1, kind: "loading", user, online: false, offlineChosen: true });
    expect($("status-online-text").textContent).toBe(want);
    expect($("status-online").dataset.online).toBe("chosen");
  });

  it("offers Install package… only to a signed-in person Go lets install, never on authentication pages", () => {
    const { chrome } = setup();
    const installer = { username: "sam", mayInstall: true };
    chrome.render({ ...loginPage, user: installer });
    expect(visible("install")).toBe(false);
    expect(visible("install-folder")).toBe(false);
    chrome.render({ ...loginPage, seq: 3, auth: false, user: installer });
    expect(visible("install")).toBe(true);
    expect(visible("install-folder")).toBe(true);
    chrome.render({ ...loginPage, seq: 4, auth: false, user: null });
    expect(visible("install")).toBe(false);
    expect(visible("install-folder")).toBe(false);
    chrome.render({ ...loginPage, seq: 5, auth: false, user: { username: "ann" } });
    expect(visible("install")).toBe(false);
    chrome.render({ seq: 6, kind: "error", message: "x", user: null });
    expect(visible("install")).toBe(false);
  });
});

describe("Chrome error views", () => {
  it("shows Go's heading, action and the address tried, ready to correct", () => {
    const { chrome } = setup();
    chrome.render({
      seq: 1,
      kind: "error",
      heading: "The login server cannot be reached",
      message: "The shell tried https://login.exmaple.com.",
      action: "Try again",
      configure: true,
      loginURL: "https://login.exmaple.com",
    });
    expect($("error-heading").textContent).toBe("The login server cannot be reached");
    expect($("retry").textContent).toBe("Try again");
    expect(($("login-url") as HTMLInputElement).value).toBe("https://login.exmaple.com");
    expect(document.activeElement).toBe($("login-url"));
  });

  it("shows a cancel calmly, with Sign in again focused", () => {
    const { chrome } = setup();
    chrome.render({ seq: 1, kind: "error", heading: "Sign-in cancelled", message: "Nobody is signed in.", action: "Sign in again", calm: true });
    expect($("error-view").dataset.calm).toBe("true");
    expect($("error-view").getAttribute("role")).toBe("status");
    expect($("retry").textContent).toBe("Sign in again");
    expect(document.activeElement).toBe($("retry"));
  });
});

describe("Chrome buttons", () => {
  it("Retry calls the transport, then shows the fresh view", async () => {
    const { chrome, actions } = setup(loginPage);
    chrome.render({ seq: 1, kind: "error", message: "down" });
    $("retry").click();
    await flush();
    expect(actions.retry).toHaveBeenCalledOnce();
    expect(visible("content")).toBe(true);
    expect(document.activeElement).toBe(frame());
  });

  it("Retry shows a plain message and keeps focus when Go is unreachable", async () => {
    const { chrome, actions } = setup();
    actions.retry.mockRejectedValue(new Error("shell POST /shell/retry: HTTP 502"));
    chrome.render({ seq: 1, kind: "error", message: "down" });
    $("retry").click();
    await flush();
    expect($("error-message").textContent).toBe(unreachable);
    expect($<HTMLButtonElement>("retry").disabled).toBe(false);
    expect(document.activeElement).toBe($("retry"));
  });

  it("a view with the same seq replaces a local failure", () => {
    const { chrome } = setup();
    chrome.render(loginPage);
    chrome.fail(unreachable);
    chrome.render(loginPage);
    expect(visible("content")).toBe(true);
  });

  it("Cancel calls the transport", async () => {
    const { chrome, actions } = setup();
    chrome.render(loginPage);
    $("cancel").click();
    await flush();
    expect(actions.cancel).toHaveBeenCalledOnce();
    expect(visible("notice")).toBe(false);
  });

  it("Cancel shows why it could not cancel", async () => {
    const { chrome, actions } = setup();
    actions.cancel.mockResolvedValue({ ok: false, error: "Nothing to cancel." });
    chrome.render(loginPage);
    $("cancel").click();
    await flush();
    expect(visible("notice")).toBe(true);
    expect($("notice").textContent).toBe("Nothing to cancel.");
    chrome.render({ ...loginPage, seq: 3 });
    expect(visible("notice")).toBe(false);
  });

  it("shows Go's notice (a signature alert) over every view it comes with, and drops it when it goes", () => {
    const { chrome } = setup();
    const notice = "Signature alert at station-b: operator is locked out";
    chrome.render({ ...loginPage, notice });
    expect(visible("notice")).toBe(true);
    expect($("notice").textContent).toBe(notice);
    expect($("notice").getAttribute("role")).toBe("alert");
    chrome.render({ seq: 3, kind: "error", message: "The network went away.", notice });
    expect(visible("notice")).toBe(true);
    expect($("notice").textContent).toBe(notice);
    chrome.render({ ...loginPage, seq: 4 });
    expect(visible("notice")).toBe(false);
    expect($("notice").textContent).toBe("");
  });

  it("shows when the live channel to Go is down", () => {
    const { chrome } = setup();
    chrome.setLink(false);
    expect(visible("status-link")).toBe(true);
    chrome.setLink(true);
    expect(visible("status-link")).toBe(false);
  });
});

describe("returning from the identity provider", () => {
  const url = "http://127.0.0.1:9/authorize?state=abc";

  /** Two chromes over one visited store: the second is the chrome loaded again (Back, reload). */
  async function comeBack(cancel: Actions["cancel"] = async () => ({ ok: true })) {
    const { memoryVisited } = await import("./visited");
    document.documentElement.innerHTML = html;
    const visited = memoryVisited();
    const went: string[] = [];
    const actions = { view: vi.fn(), retry: vi.fn(), configure: vi.fn(), cancel: vi.fn(cancel) };
    new Chrome(document, actions, (u) => went.push(u), visited).render({ seq: 1, kind: "navigate", url });
    document.documentElement.innerHTML = html; // the page loaded again: a fresh document
    const again = new Chrome(document, actions, (u) => went.push(u), visited);
    again.render({ seq: 1, kind: "navigate", url });
    return { again, went, actions };
  }

  it("does not send the person back to a sign-in page they left, and offers the way on or back", async () => {
    const { went } = await comeBack();
    expect(went).toEqual([url]);
    expect(visible("signin-view")).toBe(true);
    expect(visible("loading")).toBe(false);
    expect($("signin-heading").textContent).toBe("Signing in at 127.0.0.1:9…");
    expect($("signin-continue").textContent).toBe("Continue to the sign-in page");
    expect($("signin-cancel").textContent).toBe("Cancel sign-in");
    expect(document.activeElement).toBe($("signin-continue"));
  });

  it("goes to the sign-in page again on Continue", async () => {
    const { went } = await comeBack();
    $("signin-continue").click();
    expect(went).toEqual([url, url]);
    expect(visible("signin-view")).toBe(false);
    expect($("loading-message").textContent).toBe("Opening the sign-in page…");
  });

  it("cancels the sign-in on Cancel, and Go's next view replaces the panel", async () => {
    const { again, went, actions } = await comeBack();
    $("signin-cancel").click();
    await flush();
    expect(actions.cancel).toHaveBeenCalledTimes(1);
    expect(went).toEqual([url]);
    again.render({ seq: 2, kind: "error", message: "the login was cancelled" });
    expect(visible("signin-view")).toBe(false);
    expect(visible("error-view")).toBe(true);
  });

  it.each([
    ["Go refuses", async () => ({ ok: false, error: "nothing is in progress" }), "nothing is in progress"],
    ["Go is unreachable", async () => Promise.reject(new Error("down")), unreachable],
  ])("says so on the panel when %s", async (_, cancel, text) => {
    await comeBack(cancel as Actions["cancel"]);
    $("signin-cancel").click();
    await flush();
    expect(visible("signin-view")).toBe(true);
    expect($("signin-error").textContent).toBe(text);
    expect($<HTMLButtonElement>("signin-cancel").disabled).toBe(false);
  });
});

describe("setting the login server from the error view", () => {
  const notConfigured: View = {
    seq: 4,
    kind: "error",
    message: "basic settings are not configured: set login_url …",
    configure: true,
  };
  const input = () => $<HTMLInputElement>("login-url");
  const submit = () => $<HTMLFormElement>("configure-form").requestSubmit();

  it("shows the labelled form below the message and focuses the field", () => {
    const { chrome } = setup();
    chrome.render(notConfigured);
    expect(visible("error-view")).toBe(true);
    expect(visible("configure-form")).toBe(true);
    expect(visible("retry")).toBe(false); // no action named: the form is the one way on
    expect(input().type).toBe("url");
    expect(input().autocomplete).toBe("url");
    expect(input().labels?.[0]?.textContent).toBe("Login server (OpenID issuer URL)");
    expect($("save-login-url").textContent).toBe("Save and sign in");
    expect($<HTMLButtonElement>("save-login-url").type).toBe("submit");
    expect($("configure-error").getAttribute("role")).toBe("alert");
    expect($("configure-error").textContent).toBe("");
    expect(document.activeElement).toBe(input());
    const order = $("error-message").compareDocumentPosition($("configure-form"));
    expect(order & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it.each([
    ["a plain error", { seq: 5, kind: "error", message: "down" } as View],
    ["a local failure", undefined],
  ])("hides the form for %s", (_, next) => {
    const { chrome } = setup();
    chrome.render(notConfigured);
    if (next) chrome.render(next);
    else chrome.fail(unreachable);
    expect(visible("error-view")).toBe(true);
    expect(visible("configure-form")).toBe(false);
    expect(document.activeElement).toBe($("retry"));
  });

  it("submitting sends the typed address to Go and waits for the next view", async () => {
    const { chrome, actions } = setup();
    chrome.render(notConfigured);
    input().value = "https://login.example.com";
    submit();
    expect($<HTMLButtonElement>("save-login-url").disabled).toBe(true);
    await flush();
    expect(actions.configure).toHaveBeenCalledExactlyOnceWith("https://login.example.com");
    expect($<HTMLButtonElement>("save-login-url").disabled).toBe(false);
    expect($("configure-error").textContent).toBe("");
    expect(visible("error-view")).toBe(true); // the next view comes from Go
    chrome.render({ seq: 5, kind: "loading", message: "Signing in…" });
    expect(visible("error-view")).toBe(false);
  });

  it("the submit button sends the form too", async () => {
    const { chrome, actions } = setup();
    chrome.render(notConfigured);
    input().value = "https://login.example.com";
    $("save-login-url").click();
    await flush();
    expect(actions.configure).toHaveBeenCalledOnce();
  });

  it("shows Go's refusal in the alert, marks the field and gives it focus", async () => {
    const { chrome, actions } = setup();
    const refusal = "the login server address is not valid: plain http is allowed only on this machine";
    actions.configure.mockResolvedValue({ ok: false, error: refusal });
    chrome.render(notConfigured);
    input().value = "http://example.com";
    $("save-login-url").focus();
    submit();
    await flush();
    expect($("configure-error").textContent).toBe(refusal);
    expect(input().getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(input());
    expect(input().value).toBe("http://example.com");
    // A status refresh redraws the view: the refusal and the typing stay, focus stays put.
    chrome.render({ ...notConfigured, seq: 5, online: true });
    expect($("configure-error").textContent).toBe(refusal);
    expect(input().value).toBe("http://example.com");
    // The next try clears it.
    actions.configure.mockResolvedValue({ ok: true });
    submit();
    await flush();
    expect($("configure-error").textContent).toBe("");
    expect(input().hasAttribute("aria-invalid")).toBe(false);
  });

  it.each([
    ["Go refuses without a reason", () => Promise.resolve({ ok: false }), configureFailed],
    ["Go cannot be reached", () => Promise.reject(new Error("shell POST /shell/configure: HTTP 502")), unreachable],
  ])("says something plain when %s", async (_, answer, want) => {
    const { chrome, actions } = setup();
    actions.configure.mockImplementation(answer);
    chrome.render(notConfigured);
    submit();
    await flush();
    expect($("configure-error").textContent).toBe(want);
    expect($<HTMLButtonElement>("save-login-url").disabled).toBe(false);
  });

  it("ignores a second submit while the first is on its way", async () => {
    const { chrome, actions } = setup();
    chrome.render(notConfigured);
    submit();
    submit();
    await flush();
    expect(actions.configure).toHaveBeenCalledOnce();
  });

  it("a new form after another view shows no old refusal", async () => {
    const { chrome, actions } = setup();
    actions.configure.mockResolvedValue({ ok: false, error: "refused" });
    chrome.render(notConfigured);
    submit();
    await flush();
    chrome.render({ seq: 5, kind: "loading" });
    chrome.render({ ...notConfigured, seq: 6 });
    expect($("configure-error").textContent).toBe("");
  });
});

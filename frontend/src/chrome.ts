// Renders a View into the static markup of index.html: top bar, content frame, loading,
// error and sign-in overlays, status bar. Holds no state beyond what it needs to skip stale
// or redundant updates and the last sign-in address it went to (Visited); Go owns the state.
import { signInKeysAwayText } from "./dialogwords";
import { OverPage, PageFrame, onPagesOrigin, originOf } from "./frames";
import { markLive, showBroken, type LiveElements } from "./live";
import { installOffered } from "./settings";
import type { Transport } from "./transport";
import type { View } from "./view";
import { memoryVisited, type Visited } from "./visited";

/** The transport calls the chrome's buttons and forms make. */
export type Actions = Pick<Transport, "view" | "retry" | "cancel" | "configure"> &
  Partial<Pick<Transport, "reportSignInExposure">>;

/** Text shown when Go itself cannot be reached; never the underlying error. */
export const unreachable =
  "The shell service is not responding. Check that loginshell is still running, then retry.";
const cancelFailed = "Could not cancel. Try again.";
/**
 * The error view's words when Go gives none (an older Go side) or the chrome fails by itself
 * (but Go unreachable is headed "The shell is not responding").
 */
export const defaultHeading = "Something is not right";
export const defaultAction = "Try again";
/** Shown when Go refuses the login server without saying why (it always should). */
export const configureFailed = "The login server could not be saved. Check the address, then try again.";

/**
 * Chrome binds to the elements of index.html by id and renders views into them.
 * navigate sets window.location.href; it is injected so tests need no real navigation.
 */
export class Chrome {
  private readonly el;
  private readonly live: LiveElements;
  private lastSeq = -Infinity;
  /** A local failure is on screen, so a view with the last seq must be drawn again. */
  private local = false;
  /** The name of the page shown (View.page), handed to the document in the frame only. */
  private page = "";
  /** The content frame, and what its document said of itself (it is posted to only then). */
  private readonly content: PageFrame;
  /** An authentication page over the page in the content frame (View.over). */
  private readonly over: OverPage;
  /**
   * What the chrome told the person when it closed the page behind a sign-in page (exposed): it
   * stays beside Go's notice until the next sign-in page, since it may ask them to change their
   * password once signed in.
   */
  private exposedNotice = "";
  /** Go's notice of the view shown (View.notice). */
  private goNotice = "";

  constructor(
    private readonly doc: Document,
    private readonly actions: Actions,
    private readonly navigate: (url: string) => void,
    private readonly visited: Visited = memoryVisited(),
  ) {
    const get = (id: string) => {
      const e = doc.getElementById(id);
      if (!e) throw new Error(`chrome: #${id} missing from the page`);
      return e;
    };
    this.el = {
      title: get("page-title"),
      notice: get("notice"),
      cancel: get("cancel") as HTMLButtonElement,
      frame: get("content") as HTMLIFrameElement,
      loading: get("loading"),
      loadingMessage: get("loading-message"),
      error: get("error-view"),
      errorHeading: get("error-heading"),
      errorMessage: get("error-message"),
      retry: get("retry") as HTMLButtonElement,
      configureForm: get("configure-form") as HTMLFormElement,
      loginURL: get("login-url") as HTMLInputElement,
      saveLoginURL: get("save-login-url") as HTMLButtonElement,
      configureError: get("configure-error"),
      signIn: get("signin-view"),
      signInProvider: get("signin-provider"),
      signInContinue: get("signin-continue") as HTMLButtonElement,
      signInCancel: get("signin-cancel") as HTMLButtonElement,
      signInError: get("signin-error"),
      user: get("status-user"),
      online: get("status-online"),
      onlineText: get("status-online-text"),
      link: get("status-link"),
      version: get("status-version"),
      install: get("install") as HTMLButtonElement,
      installFolder: get("install-folder") as HTMLButtonElement,
    };
    this.live = {
      mark: get("live-mark"),
      markText: get("live-mark-text"),
      view: get("live-view"),
      folder: get("live-folder"),
      problems: get("live-problems"),
    };
    this.el.retry.addEventListener("click", () => void this.retry());
    this.el.cancel.addEventListener("click", () => void this.cancel());
    this.el.signInContinue.addEventListener("click", () => this.continueSignIn());
    this.el.signInCancel.addEventListener("click", () => void this.cancelSignIn());
    this.content = new PageFrame(this.el.frame);
    this.el.frame.addEventListener("load", () => {
      this.content.loaded();
      this.handPage();
      this.focusLoaded(this.content);
    });
    this.over = new OverPage(doc, this.content, (f) => this.focusLoaded(f), (whole) => this.exposed(whole));
    // The page's shim says hello as it starts: the page then gets its name (system.page of the
    // signature SDK). A page over it gets none: no signature is asked over a sign-in page.
    doc.defaultView?.addEventListener("message", (e) => {
      if (this.content.heard(e)) this.handPage();
      else this.over.heard(e);
    });
    // A submit event covers the button and Enter in the field alike.
    this.el.configureForm.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.configure();
    });
  }

  /**
   * render shows v unless it or a newer view is on screen already (a view of the last seq is
   * drawn again over a local failure), and says whether it did.
   */
  render(v: View): boolean {
    if (v.seq < this.lastSeq || (v.seq === this.lastSeq && !this.local)) return false;
    this.lastSeq = v.seq;
    this.local = false;
    this.status(v);
    this.setTitle(v.title ?? "");
    this.el.cancel.hidden = !(v.kind === "page" && v.auth === true);
    // Installing is for a signed-in person Go lets install (installer_role), never a step of a
    // sign-in (settings.ts, installOffered).
    this.el.install.hidden = !installOffered(v);
    this.el.installFolder.hidden = this.el.install.hidden;
    // Go's notice (a signature alert at any station) stays over every view it comes with;
    // a local one (why Cancel failed) goes with the next view.
    this.goNotice = v.notice ?? "";
    this.showNotice();
    // An authentication page over the page goes with any view but the next one over it.
    if (!(v.kind === "page" && v.over === true)) this.over.close();
    markLive(this.live, v);
    // A --package folder that does not load takes the page area until it is fixed: what check
    // says of it, never the installed copy or a blank page. A sign-in page elsewhere still opens.
    if (v.kind !== "navigate" && showBroken(this.doc, this.live, v)) {
      this.overlay("live");
      return true;
    }
    switch (v.kind) {
      case "loading":
        this.showLoading(v.message || "Loading…");
        break;
      case "error":
        this.showError(v.message || "The shell could not go on.", {
          heading: v.heading,
          action: v.action,
          configure: v.configure === true,
          loginURL: v.loginURL,
          calm: v.calm === true,
        });
        break;
      case "page":
        this.showPage(v.url ?? "", v.title, v.pages, v.reload ?? 0, v.page ?? "", v.over === true);
        break;
      case "navigate":
        this.go(v.url ?? "");
        break;
    }
    return true;
  }

  /**
   * exposed: the page behind the sign-in page took the keyboard and was ended (OverPage). As the
   * signature dialog does (keysaway.ts), the chrome says what may have reached that page and has
   * Go write an alert into the audit trail; a report that fails leaves the words on screen.
   */
  private exposed(whole: boolean): void {
    this.exposedNotice = signInKeysAwayText(whole);
    this.showNotice();
    void this.actions.reportSignInExposure?.(whole).catch(() => {});
  }

  /** showNotice shows the chrome's own notice of a page that took the keyboard, then Go's. */
  private showNotice(): void {
    const text = [this.exposedNotice, this.goNotice].filter((t) => t !== "").join(" ");
    this.el.notice.textContent = text;
    this.el.notice.hidden = text === "";
  }

  /** fail shows an error raised here rather than by Go (Go unreachable, bad address). */
  fail(message: string, heading = message === unreachable ? "The shell is not responding" : defaultHeading): void {
    this.local = true;
    this.el.cancel.hidden = true;
    this.showError(message, { heading });
  }

  /** setLink shows the status bar's "Reconnecting" while the live channel to Go is down. */
  setLink(up: boolean): void {
    this.el.link.hidden = up;
  }

  private status(v: View): void {
    const u = v.user;
    this.el.user.textContent = u ? u.name || u.username : "Not signed in";
    this.el.online.dataset.online = v.online ? "true" : v.offlineChosen ? "chosen" : "false";
    this.el.onlineText.textContent = statusText(v);
    this.el.version.textContent = v.version ? `Version ${v.version}` : "";
  }

  private setTitle(title: string): void {
    this.el.title.textContent = title;
    this.doc.title = title ? `${title} — loginshell` : "loginshell";
  }

  private overlay(which: "loading" | "error" | "signin" | "live" | "none"): void {
    this.live.view.hidden = which !== "live";
    this.el.loading.hidden = which !== "loading";
    this.el.loading.setAttribute("aria-busy", String(which === "loading"));
    this.el.error.hidden = which !== "error";
    this.el.signIn.hidden = which !== "signin";
    const over = this.over.frame;
    // The page under an authentication page stays loaded, out of sight (OverPage).
    this.el.frame.hidden = which !== "none" || over !== undefined;
    if (over) over.el.hidden = which !== "none";
  }

  private showLoading(message: string): void {
    this.el.loadingMessage.textContent = message;
    this.overlay("loading");
  }

  /**
   * showError shows what happened (heading, message) and its one action (the Retry button,
   * labelled by Go, hidden when the login server form is the only way on), and with configure
   * that form, filled with the address tried when it appears.
   */
  private showError(
    message: string,
    o: { heading?: string | undefined; action?: string | undefined; configure?: boolean; loginURL?: string | undefined; calm?: boolean } = {},
  ): void {
    const configure = o.configure === true;
    this.el.errorHeading.textContent = o.heading || defaultHeading;
    this.el.errorMessage.textContent = message;
    this.el.retry.textContent = o.action || defaultAction;
    // With the login server form and no action named by Go (a first start), the form is the one
    // way on: a Try again could only fail the same way.
    this.el.retry.hidden = configure && !o.action;
    this.el.error.dataset.calm = o.calm ? "true" : "false";
    // A calm outcome is news, not an alarm.
    this.el.error.setAttribute("role", o.calm ? "status" : "alert");
    const form = this.el.configureForm;
    // A form shown afresh (not a redraw of the one on screen) shows no old refusal, and the
    // address tried, so a mistyped one is corrected rather than typed again.
    if (configure && (this.el.error.hidden || form.hidden)) {
      this.setConfigureError("");
      this.el.loginURL.value = o.loginURL ?? "";
    }
    form.hidden = !configure;
    const hadFocus = this.el.error.contains(this.doc.activeElement);
    this.overlay("error");
    // The form is the way out, so it takes focus, unless the person is already in the view
    // (a status refresh redraws it).
    if (!configure) this.el.retry.focus();
    else if (!hadFocus) this.el.loginURL.focus();
  }

  /**
   * showPage frames a hosted page. Pages live on an origin of their own (pages), never the
   * chrome's: the frame can neither read nor script the chrome, nor reach its bindings or
   * endpoints. A view without one (an older Go side) keeps pages on the chrome's origin. An
   * authentication page a page opened (over) goes over that page, which stays loaded (OverPage).
   */
  private showPage(url: string, title: string | undefined, pages: string | undefined, reload: number, page: string, over: boolean): void {
    const base = pages || this.doc.baseURI;
    const target = this.resolve(url, base);
    if (!target || !onPagesOrigin(target, new URL(base))) {
      this.over.close();
      this.fail("This page cannot be shown: its address is not part of the shell.");
      return;
    }
    if (over) {
      if (!this.over.frame && this.exposedNotice) {
        this.exposedNotice = ""; // a sign-in page anew
        this.showNotice();
      }
      this.over.show(target.href, title ?? "", reload);
      this.overlay("none");
      return;
    }
    const frame = this.el.frame;
    frame.title = title || "Content";
    const hadFocus = this.overlayHasFocus();
    // Compare with what was last set, not frame.src: the page may have navigated inside. A new
    // reload count (run from source: a package file changed) loads the same address again.
    const again = frame.dataset.reload !== undefined && frame.dataset.reload !== String(reload);
    frame.dataset.reload = String(reload);
    const renamed = page !== this.page;
    this.page = page;
    if (frame.dataset.url !== target.href || again) {
      frame.dataset.url = target.href;
      this.content.navigated();
      frame.src = target.href;
    } else if (renamed) {
      this.handPage();
    }
    this.overlay("none");
    if (hadFocus) frame.focus();
  }

  /**
   * focusLoaded gives the keyboard to the page that loaded in f. A page on another origin cannot
   * take the focus by itself (browsers ignore autofocus in a cross-origin frame): unless the
   * person is busy elsewhere in the chrome, the chrome focuses the frame and tells the page's
   * shim to focus its [autofocus] field. The message carries nothing but the request, and goes
   * to the page's own origin only; the page learns nothing of the chrome.
   */
  private focusLoaded(f: PageFrame): void {
    if (f.el.hidden || (this.doc.activeElement !== f.el && !this.overlayHasFocus())) return;
    f.el.focus();
    f.postOnHello({ loginshell: "focus" }, originOf(f.el.dataset.url));
  }

  /**
   * handPage hands the page's name to the document in the content frame, addressed to the origin
   * of the page shown and only once a document of that origin said hello, so no other document
   * gets it: a trigger naming it raises a dialog over that page, and only a page that has it can
   * (screen.Post). A tab opened on the page's address, a popup or another package's page never
   * receives it.
   */
  private handPage(): void {
    if (!this.page) return;
    this.content.post({ loginshell: "page", page: this.page }, originOf(this.el.frame.dataset.url));
  }

  private go(url: string): void {
    const target = this.resolve(url);
    if (!target || (target.protocol !== "https:" && target.protocol !== "http:")) {
      this.fail("The sign-in page address is not valid.");
      return;
    }
    // Back in the chrome while Go still waits at the identity provider: the
    // person left the provider's page (the browser's Back, the window's way
    // back) before the sign-in finished. Going there again by itself would
    // trap them; they choose. Each login has its own URL (fresh state), so
    // "already went there" is exactly "same URL". (A finished sign-in moves
    // Go's view on before the browser comes back, so it never lands here.)
    if (this.visited.get() === target.href) {
      this.showSignIn(target);
      return;
    }
    this.visited.set(target.href);
    this.showLoading("Opening the sign-in page…");
    this.navigate(target.href);
  }

  /** showSignIn offers the way back: continue at the provider, or cancel the sign-in. */
  private showSignIn(target: URL): void {
    this.el.signInProvider.textContent = target.host;
    this.el.signInContinue.dataset.url = target.href;
    this.el.signInError.textContent = "";
    this.overlay("signin");
    this.el.signInContinue.focus();
  }

  private continueSignIn(): void {
    const url = this.el.signInContinue.dataset.url;
    if (!url) return;
    this.showLoading("Opening the sign-in page…");
    this.navigate(url);
  }

  /** cancelSignIn ends the sign-in; Go's next view (the cancelled error, with Retry) follows. */
  private async cancelSignIn(): Promise<void> {
    const button = this.el.signInCancel;
    if (button.disabled) return;
    button.disabled = true;
    const text = await this.cancelFlow();
    button.disabled = false;
    this.el.signInError.textContent = text;
    if (text) button.focus();
  }

  private async retry(): Promise<void> {
    const button = this.el.retry;
    button.disabled = true;
    let next: View | undefined;
    try {
      await this.actions.retry();
      next = await this.actions.view();
    } catch {
      next = undefined;
    }
    // Enable before rendering: a disabled button cannot take focus again.
    button.disabled = false;
    if (next) this.render(next);
    else this.fail(unreachable);
  }

  /** cancelFlow asks Go to cancel the running sign-in and returns what to show ("" for done). */
  private async cancelFlow(): Promise<string> {
    try {
      const r = await this.actions.cancel();
      return r.ok ? "" : r.error || cancelFailed;
    } catch {
      return unreachable;
    }
  }

  private async cancel(): Promise<void> {
    const button = this.el.cancel;
    button.disabled = true;
    const text = await this.cancelFlow();
    button.disabled = false;
    this.el.notice.textContent = text;
    this.el.notice.hidden = text === "";
  }

  /** configure sends the typed login server to Go; the next view arrives by the usual event. */
  private async configure(): Promise<void> {
    const button = this.el.saveLoginURL;
    if (button.disabled) return;
    button.disabled = true;
    this.setConfigureError("");
    let text = "";
    try {
      const r = await this.actions.configure(this.el.loginURL.value);
      if (!r.ok) text = r.error || configureFailed;
    } catch {
      text = unreachable;
    }
    // Enable before focusing: the person fixes the address and submits again.
    button.disabled = false;
    this.setConfigureError(text);
    if (text) this.el.loginURL.focus();
  }

  /** setConfigureError shows why the login server was refused ("" clears it). */
  private setConfigureError(text: string): void {
    this.el.configureError.textContent = text;
    if (text) this.el.loginURL.setAttribute("aria-invalid", "true");
    else this.el.loginURL.removeAttribute("aria-invalid");
  }

  private resolve(url: string, base: string = this.doc.baseURI): URL | undefined {
    if (!url) return undefined;
    try {
      return new URL(url, base);
    } catch {
      return undefined;
    }
  }

  private overlayHasFocus(): boolean {
    const a = this.doc.activeElement;
    return (
      !a ||
      a === this.doc.body ||
      this.el.loading.contains(a) ||
      this.el.error.contains(a) ||
      this.el.signIn.contains(a)
    );
  }
}

/**
 * statusText is the status bar's plain words: how the person is signed in, and the cause when the
 * login server is not reached: "Offline (chosen)" when the person chose to work offline
 * (--offline), else "Login server unreachable" (all the shell knows: not that the network is
 * down), and "No login server set" before there is one.
 */
export function statusText(v: View): string {
  // Nothing to reach yet is not a network fault.
  if (!v.user && v.kind === "error" && v.configure === true && !v.loginURL) return "No login server set";
  const net = v.online ? "" : v.offlineChosen ? "Offline (chosen)" : "Login server unreachable";
  if (!v.user) return v.online ? "Login server reachable" : net;
  // Signed in offline says it all, whether the login server is out of reach or offline was the
  // person's choice.
  if (v.user.offline) return "Signed in offline";
  return net ? `Signed in online · ${net}` : "Signed in online";
}

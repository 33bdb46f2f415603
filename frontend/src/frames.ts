// The frames the chrome shows hosted pages in, and what the chrome may post to them.
//
// A frame's document changes under the chrome: about:blank before the first page, the old page
// while the new one loads, whatever a page navigated to. A message addressed to one origin and
// delivered to a document of another is dropped, and the browser says so in that document's
// console ("Unable to post message to … Recipient has origin …"): noise in a package's console
// that is the shell's, not the package's. So the chrome posts to a frame only once the document
// in it has said hello (its shim does, first thing) from the very origin the message is
// addressed to. The target origin stays exact: what the chrome posts is for that page alone.
import { wholeSince } from "./keysaway";

/** PageFrame is an iframe of the chrome and what the document in it said of itself. */
export class PageFrame {
  /** The origin the document in the frame said hello from; "" while it is not known. */
  private origin = "";
  /** A hello came since the last load: the document that loaded is the one that said it. */
  private helloSinceLoad = false;
  /** A message for the next document to say hello from its origin (postOnHello). */
  private queued: { data: unknown; origin: string } | undefined;

  constructor(readonly el: HTMLIFrameElement) {}

  /** heard notes a hello from the document in this frame, and says whether e was one. */
  heard(e: MessageEvent): boolean {
    const d = e.data as { loginshell?: unknown } | null;
    if (e.source === null || e.source !== this.el.contentWindow || d?.loginshell !== "hello") return false;
    this.origin = e.origin;
    this.helloSinceLoad = true;
    const q = this.queued;
    if (q && this.says(q.origin)) {
      this.queued = undefined;
      this.post(q.data, q.origin);
    }
    return true;
  }

  /** loaded notes a load: a document that never said hello (no shim) is of no known origin. */
  loaded(): void {
    if (!this.helloSinceLoad) this.origin = "";
    this.helloSinceLoad = false;
  }

  /** navigated notes that the chrome sent the frame elsewhere (or ended its document). */
  navigated(): void {
    this.origin = "";
    this.helloSinceLoad = false;
    this.queued = undefined;
  }

  /** says reports whether the document in the frame said hello from origin. */
  says(origin: string): boolean {
    return origin !== "" && this.origin === origin;
  }

  /** post sends data to the document in the frame, addressed to origin, if it said hello from there. */
  post(data: unknown, origin: string): boolean {
    const win = this.el.contentWindow;
    if (!win || !this.says(origin)) return false;
    win.postMessage(data, origin);
    return true;
  }

  /** postOnHello posts now if it can, else when a document says hello from origin. */
  postOnHello(data: unknown, origin: string): void {
    this.queued = this.post(data, origin) ? undefined : { data, origin };
  }
}

/**
 * OverPage shows an authentication page that a page opened (View.over) in a frame of its own over
 * that page, which stays loaded behind it, hidden and inert: the request that opened the flow
 * (the container's POST /auth/update) gets its answer when the flow ends, as seed 002 says,
 * instead of being aborted with its document.
 *
 * The page behind is untrusted and still runs. It must not get what the person types into the
 * page over it: the moment the keyboard is in its frame (a page on another origin can take it
 * with window.focus(), hidden or not), its frame leaves the document, with every key on the way
 * to it, as the signature dialog ends a page; it loads afresh when the page over it closes.
 * Keys typed in the instant before went to it, as with the dialog (keysaway.ts): the chrome is
 * told (onEnded), says so to the person and has Go write an alert into the trail. Unlike the
 * dialog's, the sign-in page's fields are on another origin: the chrome can neither read nor
 * clear them, so what they hold stays (short of the keys the page behind took), and the person
 * is asked to check it.
 */
export class OverPage {
  /** The frame over the page, while one is shown. */
  private over: PageFrame | undefined;
  /** Stands where the page behind was, once it was ended. */
  private placeholder: Comment | undefined;

  /**
   * behind is the content frame, the page the authentication page goes over; onLoad runs when a
   * page loads in the frame over it; onEnded when the page behind was ended for taking the
   * keyboard, with whether a whole password may have gone to it (keysaway.ts wholeSince).
   */
  constructor(
    private readonly doc: Document,
    private readonly behind: PageFrame,
    private readonly onLoad: (f: PageFrame) => void,
    private readonly onEnded: (whole: boolean) => void = () => {},
  ) {
    // The window's blur is how the chrome learns that the keyboard went into a frame; focusin
    // catches a focus moved within the chrome's document.
    doc.defaultView?.addEventListener("blur", () => this.check());
    doc.addEventListener("focusin", () => this.check());
  }

  /**
   * heard takes a message from the document over the page: its hello, or that the keyboard left
   * it. Chromium does not tell the chrome when the keyboard moves from that frame into the page
   * behind (its activeElement stays the frame over), so the page over says when it loses the
   * keyboard: if it went to no element of the chrome's and stayed in this window, the page
   * behind took it. Its shim says when (at), which bounds how long the keyboard was away. It
   * says whether e came from the frame over the page.
   */
  heard(e: MessageEvent): boolean {
    const f = this.over;
    if (!f || e.source === null || e.source !== f.el.contentWindow) return false;
    const d = e.data as { loginshell?: unknown; at?: unknown } | null;
    if (d?.loginshell === "blur") {
      const a = this.doc.activeElement;
      if (!this.placeholder && this.doc.hasFocus() && (a === f.el || a === this.behind.el)) {
        this.end(wholeSince(d.at, performance.timeOrigin + performance.now()));
      }
      return true;
    }
    return f.heard(e);
  }

  /** frame is the frame over the page while one is shown. */
  get frame(): PageFrame | undefined {
    return this.over;
  }

  /**
   * show loads url over the page behind (again with a new reload count), hides that page and
   * takes the keyboard from it.
   */
  show(url: string, title: string, reload: number): PageFrame {
    let f = this.over;
    if (!f) {
      const el = this.doc.createElement("iframe");
      el.id = "over";
      // The same sandbox as the content frame's, set before the frame loads anything.
      el.setAttribute("sandbox", this.behind.el.getAttribute("sandbox") ?? "");
      const made = new PageFrame(el);
      el.addEventListener("load", () => {
        made.loaded();
        this.onLoad(made);
      });
      this.behind.el.after(el);
      f = this.over = made;
    }
    f.el.title = title || "Sign-in";
    const again = f.el.dataset.reload !== undefined && f.el.dataset.reload !== String(reload);
    f.el.dataset.reload = String(reload);
    if (f.el.dataset.url !== url || again) {
      f.el.dataset.url = url;
      f.navigated();
      f.el.src = url;
    }
    this.behind.el.setAttribute("inert", "");
    this.behind.el.hidden = true;
    f.el.hidden = false;
    if (this.doc.activeElement === this.behind.el || this.doc.activeElement === this.doc.body) f.el.focus();
    return f;
  }

  /**
   * close ends the page over and puts the page behind back, loaded afresh if it was ended; the
   * keyboard goes back to it when it was over there. It says whether a page was over it.
   */
  close(): boolean {
    const f = this.over;
    if (!f) return false;
    const hadFocus = this.doc.activeElement === f.el || this.doc.activeElement === this.doc.body;
    this.over = undefined;
    f.el.remove();
    if (this.placeholder) {
      this.placeholder.replaceWith(this.behind.el); // a new browsing context: the page loads again
      this.placeholder = undefined;
      this.behind.navigated();
    }
    this.behind.el.removeAttribute("inert");
    this.behind.el.hidden = false;
    if (hadFocus) this.behind.el.focus();
    return true;
  }

  /**
   * check ends the page behind when the keyboard is in its frame while a page is over it. The
   * chrome hears of that itself, at once: a few keys at most went to it.
   */
  private check(): void {
    const look = () => {
      if (this.over && !this.placeholder && this.doc.activeElement === this.behind.el) this.end(false);
    };
    look();
    // Browsers move activeElement to the frame as the blur ends, or a moment later.
    queueMicrotask(look);
    setTimeout(look, 0);
  }

  /** end ends the page behind; whole: a whole password may have gone to it. */
  private end(whole: boolean): void {
    const f = this.over;
    if (!f) return;
    this.placeholder = this.doc.createComment("the page behind the sign-in page, ended: it took the keyboard");
    this.behind.el.replaceWith(this.placeholder);
    this.behind.navigated();
    // For whoever reads the console (the browser tests' reports): why the page went.
    console.warn("loginshell: the page behind the sign-in page was closed: it took the keyboard");
    f.el.focus();
    // WebKitGTK gives the chrome's document the keyboard back only once its window has asked.
    if (!this.doc.hasFocus()) {
      this.doc.defaultView?.focus();
      f.el.focus();
    }
    // The keyboard back into the page over it, in the field it asks for.
    f.post({ loginshell: "focus" }, originOf(f.el.dataset.url));
    this.onEnded(whole);
  }
}

/** originOf is the origin of url, "" when it has none that can be addressed. */
export function originOf(url: string | undefined): string {
  if (!url) return "";
  try {
    const o = new URL(url).origin;
    return o === "null" ? "" : o;
  } catch {
    return "";
  }
}

/**
 * onPagesOrigin says whether target is on the pages' site (base) or on a package's origin
 * under it: each package has an origin of its own under the pages' host,
 * <label>.<pages host>, with the same scheme.
 */
export function onPagesOrigin(target: URL, base: URL): boolean {
  if (site(target) === site(base)) return true;
  return target.protocol === base.protocol && target.host.endsWith(`.${base.host}`);
}

/**
 * site is scheme and host. Not URL.origin: that is "null" for Wails' own scheme (wails://wails
 * on Linux and macOS), which would make every non-special URL look same-origin.
 */
function site(u: URL): string {
  return `${u.protocol}//${u.host}`;
}

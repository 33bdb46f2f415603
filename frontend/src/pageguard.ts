// The page behind the signature dialog, while the dialog is open (issue 20, promise 4: only the
// person at the dialog types into it). The page is hidden and inert; but a page on another origin
// can still take the keyboard with window.focus() or a field's focus() (Chromium lets a
// cross-origin frame do so hidden, inert or behind a modal; WebKitGTK once the person touched the
// page), and no attribute prevents that. So the guard watches: the moment the keyboard leaves the
// dialog for the page's frame, it ends the page (its frame leaves the document, and with it every
// key the page could still get) and tells the dialog, which voids what was typed, since keys typed
// in between reached the page (keysaway.ts). A page
// that stops answering the guard's pings (a message box of its own over the dialog, a loop) is
// ended the same way. An ended page loads again when the dialog closes.

/**
 * How often the guard asks the page behind whether it still answers (pingEvery); a page that
 * answers lateAnswer or later (it was held, by a message box of its own say) is closed as it
 * answers, and one silent for silentFor is closed meanwhile. A page's box stays on screen in
 * Chromium until the person closes it, but then no other comes.
 */
export const pingEvery = 250;
export const lateAnswer = 500;
export const silentFor = 1000;

/** A focus lost this soon (ms) after a pointer was pressed in the chrome is the person's doing. */
export const pressedWithin = 500;

/** Why the page behind was ended. */
export type Ending = "stolen" | "unresponsive";

/** What the guard asks of the dialog it guards. */
export interface Guarded {
  /** A dialog is shown. */
  open(): boolean;
  /** The dialog itself is moving the focus: what that does is no page's doing. */
  moving(): boolean;
  /** The page was ended while the dialog is open, for why. */
  ended(why: Ending): void;
  /** e is one of the dialog's fields, where the signer types. */
  owns(e: Element): boolean;
}

/** PageGuard hides the page's frame while the dialog is open, and ends a page that misbehaves. */
export class PageGuard {
  /** Where the page's frame was before the guard ended the page; undefined while it is there. */
  private placeholder: Comment | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;
  /** The ping the page has not answered yet, and when it went (or when the guard's own timers stalled). */
  private awaiting: { n: string; since: number } | undefined;
  private lastTick = 0;
  /** When the guard's own timers last ran late: a page is not blamed for that wait. */
  private stalledAt = 0;
  private pings = 0;
  /** When a pointer was last pressed in the chrome's document (a click moves the focus too). */
  private pressedAt = -Infinity;

  constructor(
    private readonly doc: Document,
    private readonly frame: HTMLIFrameElement,
    private readonly bars: Array<HTMLElement | null>,
    private readonly dialog: Guarded,
  ) {
    const win = doc.defaultView;
    if (!win) throw new Error("page guard: the document has no window");
    // The window's blur is how the chrome learns that the keyboard went into a frame.
    win.addEventListener("blur", () => this.check());
    win.addEventListener("message", (e) => this.pong(e));
    doc.addEventListener("pointerdown", () => (this.pressedAt = performance.now()), true);
    doc.addEventListener("focusout", (e) => this.lost(e), true);
  }

  /** hide hides the page behind and makes it and the bars inert, and starts the pings. */
  hide(): void {
    const frame = this.frame;
    frame.setAttribute("inert", "");
    // Not rendered, none of its fields can take the focus; the dialog shows what is signed.
    frame.style.display = "none";
    for (const e of this.bars) e?.setAttribute("inert", "");
    this.awaiting = undefined;
    this.lastTick = Date.now();
    if (this.pinger === undefined) this.pinger = setInterval(() => this.ping(), pingEvery);
  }

  /**
   * show shows the page behind again, loading it afresh if the guard ended it, and reports
   * whether it did (a page loaded afresh).
   */
  show(): boolean {
    this.stop();
    const frame = this.frame;
    const ended = this.placeholder !== undefined;
    if (this.placeholder) {
      this.placeholder.replaceWith(frame); // a new browsing context: the page loads again
      this.placeholder = undefined;
    }
    frame.style.display = "";
    frame.removeAttribute("inert");
    for (const e of this.bars) e?.removeAttribute("inert");
    return ended;
  }

  /** check ends the page behind when the keyboard is in its frame while the dialog is open. */
  check(): void {
    const look = () => {
      if (this.dialog.open() && !this.dialog.moving() && this.placeholder === undefined && this.doc.activeElement === this.frame) {
        this.end("stolen");
      }
    };
    look();
    // Browsers move activeElement to the frame as the blur ends, or a moment later.
    queueMicrotask(look);
    setTimeout(look, 0);
  }

  /**
   * lost ends the page behind when a field of the dialog loses the keyboard to nothing in the
   * chrome's document while the window keeps it: a frame took it. Chromium tells the field so 5 to
   * 20 ms before the window's blur (measured, e2e/dialoggrab.test.mjs), and every key in between
   * goes to the page. Not when the person pressed a pointer just before (a click on the dialog's
   * text takes the focus from the field to nothing too), nor for a field the dialog hid.
   */
  private lost(e: FocusEvent): void {
    const t = e.target;
    if (e.relatedTarget !== null || !(t instanceof Element) || !this.dialog.owns(t)) return;
    if (!this.dialog.open() || this.dialog.moving() || this.placeholder !== undefined) return;
    if (!this.doc.hasFocus() || !t.isConnected || t.closest("[hidden]") !== null) return;
    if (performance.now() - this.pressedAt < pressedWithin) return;
    this.end("stolen");
  }

  private stop(): void {
    if (this.pinger !== undefined) clearInterval(this.pinger);
    this.pinger = undefined;
    this.awaiting = undefined;
  }

  /**
   * end takes the page behind out of the document: its browsing context goes, with its scripts,
   * its focus and whatever keys were on the way to it. The dialog is told.
   */
  private end(why: Ending): void {
    if (this.placeholder || !this.dialog.open()) return;
    this.placeholder = this.doc.createComment("the page's frame, ended while the signature dialog was open");
    this.frame.replaceWith(this.placeholder);
    // For whoever reads the console (the browser tests' reports): why the page went.
    console.warn(`loginshell: the page behind the signature dialog was closed: ${why}`);
    this.stop();
    this.dialog.ended(why);
  }

  /** ping asks the page behind whether it still answers; see the comment at the top. */
  private ping(): void {
    const now = Date.now();
    // The guard's own timers ran late: the whole process was busy or held (WebKitGTK runs the
    // chrome and the pages in one), or the window was in the background. The page is not to
    // blame for that wait.
    if (now - this.lastTick > 2 * pingEvery) {
      this.stalledAt = now;
      if (this.awaiting) this.awaiting.since = now;
    }
    this.lastTick = now;
    if (this.awaiting) {
      if (now - this.awaiting.since >= silentFor) this.end("unresponsive");
      return;
    }
    const n = `${++this.pings}-${Math.random().toString(36).slice(2)}`;
    this.awaiting = { n, since: now };
    // Nothing secret: "*" reaches whatever document the frame holds, even one that navigated.
    this.frame.contentWindow?.postMessage({ loginshell: "ping", n }, "*");
  }

  private pong(e: MessageEvent): void {
    const waiting = this.awaiting;
    if (!waiting || e.source === null || e.source !== this.frame.contentWindow) return;
    const d = e.data as { loginshell?: unknown; n?: unknown } | null;
    if (d?.loginshell !== "pong" || d.n !== waiting.n) return;
    this.awaiting = undefined;
    const now = Date.now();
    if (now - waiting.since >= lateAnswer && this.stalledAt <= waiting.since && now - this.lastTick <= 2 * pingEvery) {
      this.end("unresponsive");
    }
  }
}

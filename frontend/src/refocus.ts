// The keyboard handed back to the page behind a signature dialog that closed, and the next dialog
// held until the page has taken it.

/** How long a new dialog waits for the page's answer to the last refocus, at the most. */
export const refocusWait = 500;

/**
 * PageRefocus asks the page behind, as a signature dialog closes, to give the keyboard back to the
 * control that asked for the signature ("refocus"), and hears its shim say when that is done
 * ("refocused"). A page commonly triggers its next slot from the last one's outcome, and the next
 * dialog can come before the page has handled the refocus (the window's events and a frame's
 * messages are not ordered): the dialog would take the keyboard first, then lose it to a page that
 * only did as it was asked, and the page guard would end that page. So a new dialog waits for the
 * answer, at most refocusWait ms: a page that never answers (no shim, or a hostile one) only
 * delays the next dialog by that much, and the guard stays as strict once it is open.
 */
export class PageRefocus {
  private asked: { page: Window; timer: ReturnType<typeof setTimeout> } | undefined;
  private then: (() => void) | undefined;

  constructor(win: Window) {
    win.addEventListener("message", (e) => {
      const d = e.data as { loginshell?: unknown } | null;
      if (this.asked && e.source === this.asked.page && d?.loginshell === "refocused") this.done();
    });
  }

  /** ask posts "refocus" to page and waits for its answer. */
  ask(page: Window): void {
    if (this.asked) clearTimeout(this.asked.timer);
    page.postMessage({ loginshell: "refocus" }, "*");
    this.asked = { page, timer: setTimeout(() => this.done(), refocusWait) };
  }

  /**
   * after calls f once the page has answered, or the wait is over, and says true; with no answer
   * awaited it says false and f is not called. A later call replaces f.
   */
  after(f: () => void): boolean {
    if (!this.asked) return false;
    this.then = f;
    return true;
  }

  private done(): void {
    if (!this.asked) return;
    clearTimeout(this.asked.timer);
    this.asked = undefined;
    const f = this.then;
    this.then = undefined;
    f?.();
  }
}

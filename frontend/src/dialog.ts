// The signature challenge dialog: the shell's own modal over the page that asked (seed 000's
// authentication challenge). It lives in the chrome's document, never in the hosted page's, so
// the page cannot read what the signer types. Keyboard alone works: focus starts in User ID,
// Tab stays inside the dialog, Enter submits, Escape cancels (an error outcome, not a reject).
// An answer that ended the challenge (the slot was signed by someone else a moment ago) leaves
// the dialog open with its reason and only Close, whatever order the view and the answer arrive in.
//
// Only the person at the dialog types into it (issue 20, promise 4): while it is open the page
// behind is hidden and inert, and a page that takes the keyboard anyway or stops answering is
// ended (pageguard.ts); the dialog then voids what was typed, says what may have reached that
// page and reports it to Go for the audit trail (keysaway.ts).
//
// A genuine dialog is recognisable (promise 5): it reaches over the chrome's bars, which no
// page can paint, and shows the station's signing phrase, which no page can read; at the first
// signing on a station it asks for that phrase.
//
// It says where the signature stands (issue 22): which one of how many, who may give it, who
// gave the ones before and when, the template's rules, the meaning of the decision, and for the
// last minute the time left; when that runs out it says so before it closes. Its words are in
// dialogwords.ts. When it closes, the keyboard goes back to what had it before: the page's
// control that asked for the signature (the shim refocuses it), or a control of the chrome.
import { Countdown } from "./countdown";
import { dialogElements, type DialogElements } from "./dialogelements";
import {
  dialogTexts,
  fingerprintLine,
  givenLine,
  keysAwayText,
  meaningLine,
  recordLine,
  rulesLine,
  slotLine,
} from "./dialogwords";
import { KeyWatch } from "./keysaway";
import { type Ending, PageGuard } from "./pageguard";
import { PageRefocus } from "./refocus";
import type { Transport } from "./transport";
import type { Challenge } from "./view";

export { dialogTexts, fingerprint } from "./dialogwords";
export { lateAnswer, pingEvery, silentFor } from "./pageguard";

export type DialogActions = Pick<Transport, "answerChallenge" | "dismissChallenge" | "setSigningPhrase"> &
  Partial<Pick<Transport, "reportExposure">>;

/** How long the dialog says that the time ran out before it closes. */
export const lingerFor = 5000;
/**
 * Go's engine ends a challenge at its deadline on its own timer, and its view may come before the
 * countdown's next tick: a close this near the deadline is the time running out.
 */
export const deadlineSlack = 2000;

/** How a message in the dialog looks: a refusal, a question to the signer, or the end of it. */
type Said = "error" | "question" | "ended";

/** ChallengeDialog binds to the #challenge elements of index.html by id. */
export class ChallengeDialog {
  private readonly el: DialogElements;
  private readonly win: Window;
  private shown: Challenge | undefined;
  private phrase = "";
  private busy = false;
  /** The challenge an answer ended: shown with its reason until Close, the view's closing ignored. */
  private ended: string | undefined;
  /** The view closed the challenge while its answer was on the way. */
  private goneWhileBusy = false;
  private readonly guard: PageGuard;
  private readonly keys: KeyWatch;
  /** The dialog itself is moving the focus: what that does is no page's doing. */
  private moving = false;
  /** What had the keyboard when the dialog opened: it gets it back when the dialog closes. */
  private opener: Element | null = null;
  /** The challenge this dialog closed itself: a view that still carries it does not show it again. */
  private closed: string | undefined;
  /** The signer was asked to confirm (Go's confirm): the next Approve says "Approve anyway". */
  private confirming = false;
  private readonly countdown: Countdown;
  private linger: ReturnType<typeof setTimeout> | undefined;
  private readonly backToPage: PageRefocus;
  /** The challenge to show once the page behind has taken the keyboard back (PageRefocus). */
  private next: { c: Challenge; phrase: string } | undefined;

  constructor(
    private readonly doc: Document,
    private readonly actions: DialogActions,
  ) {
    const win = doc.defaultView;
    if (!win) throw new Error("dialog: the document has no window");
    this.win = win;
    this.el = dialogElements(doc);
    this.countdown = new Countdown(this.el.countdown, () => this.timeUp());
    this.backToPage = new PageRefocus(win);
    const { user, password, comment, phraseInput: phrase } = this.el;
    this.keys = new KeyWatch({ user, password, comment, phrase }, this.el.box);
    this.guard = new PageGuard(doc, this.el.frame, this.el.bars, {
      open: () => this.shown !== undefined,
      moving: () => this.moving,
      ended: (why) => this.pageEnded(why),
      owns: (e) => e === user || e === password || e === comment || e === phrase,
    });
    this.el.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void (this.askingPhrase() ? this.savePhrase() : this.submit());
    });
    this.el.cancel.addEventListener("click", () => void this.dismiss());
    this.el.providerCancel.addEventListener("click", () => void this.dismiss());
    this.el.root.addEventListener("keydown", (e) => this.key(e));
    // The guard watches the window's blur; a focus moved within the chrome's document is caught here.
    doc.addEventListener("focusin", (e) => {
      if (this.shown && !this.moving && !this.el.box.contains(e.target as Node)) this.guard.check();
    });
  }

  /**
   * render shows c, or hides the dialog when c is absent; the same challenge keeps what was typed.
   * phrase is the station's signing phrase ("" while none is chosen: the dialog asks for one).
   */
  render(c: Challenge | null | undefined, phrase = ""): void {
    if (!c) {
      this.next = undefined;
      this.closed = undefined;
      if (this.busy) this.goneWhileBusy = true;
      else if (this.ended === undefined && this.countdown.over(deadlineSlack)) this.timeUp();
      else if (this.ended === undefined) this.hide();
      return;
    }
    if (this.shown?.id === c.id) {
      if (phrase !== this.phrase) this.showPhrase(phrase);
      return;
    }
    if (c.id === this.closed) return; // closed here; Go's view follows
    if (!this.shown) {
      // The page behind may still be taking the keyboard back from the last dialog.
      this.next = { c, phrase };
      if (this.backToPage.after(() => this.showNext())) return;
      this.next = undefined;
    }
    if (!this.shown) this.opener = this.doc.activeElement;
    this.ended = undefined;
    this.confirming = false;
    this.el.fields.hidden = false;
    this.el.submit.hidden = false;
    this.el.cancel.textContent = dialogTexts.cancel;
    this.shown = c;
    this.el.title.textContent = c.requestName;
    this.el.description.textContent = c.description;
    this.show(this.el.record, c.record ? recordLine(c.record) : "");
    this.show(this.el.fingerprint, c.content ? fingerprintLine(c.content) : "");
    this.el.slot.textContent = slotLine(c);
    this.el.given.replaceChildren(
      ...(c.given ?? []).map((g) => Object.assign(this.doc.createElement("li"), { textContent: givenLine(g) })),
    );
    this.el.given.hidden = (c.given ?? []).length === 0;
    this.show(this.el.rules, rulesLine(c));
    this.el.meaning.textContent = meaningLine(c.approve, c.meaning);
    this.el.commentLabel.textContent = c.requireComment ? "Comment (required)" : "Comment";
    this.el.comment.required = c.requireComment;
    this.clearFields();
    this.el.phraseInput.value = "";
    this.setError("");
    this.guard.hide();
    this.el.root.hidden = false;
    this.showPhrase(phrase);
    this.countdown.start(c.expires);
  }

  private showNext(): void {
    const n = this.next;
    this.next = undefined;
    if (n) this.render(n.c, n.phrase);
  }

  /** show sets e's text, hiding it when there is none. */
  private show(e: HTMLElement, text: string): void {
    e.textContent = text;
    e.hidden = text === "";
  }

  /** showPhrase shows the station's phrase in the band, or, with none yet, asks for one first. */
  private showPhrase(phrase: string): void {
    const c = this.shown;
    if (!c) return;
    const was = this.phrase;
    this.phrase = phrase;
    this.el.phrase.textContent = phrase;
    this.el.phraseRow.hidden = phrase === "";
    const asking = phrase === "";
    // A sign-in at the provider's own page: the dialog frames that page (http or https only)
    // and offers Cancel; otherwise it asks for the user ID and password itself.
    const atProvider = !asking && c.url !== undefined && /^https?:\/\//i.test(c.url);
    this.el.phraseStep.hidden = !asking;
    this.el.fields.hidden = asking || this.ended === c.id;
    this.el.form.hidden = atProvider;
    this.el.provider.hidden = !atProvider;
    this.el.providerRow.hidden = !atProvider;
    if (atProvider && this.el.provider.getAttribute("src") !== c.url) this.el.provider.src = c.url ?? "";
    if (!atProvider && this.el.provider.getAttribute("src") !== "about:blank") this.el.provider.src = "about:blank";
    this.el.submit.textContent = asking
      ? dialogTexts.savePhrase
      : !c.approve
        ? dialogTexts.reject
        : this.confirming
          ? dialogTexts.approveAnyway
          : dialogTexts.approve;
    if (asking) this.focus(this.el.phraseInput);
    else if (atProvider) this.focus(this.el.provider);
    else if (was === "" || !this.el.box.contains(this.doc.activeElement)) this.focus(this.el.user);
  }

  private askingPhrase(): boolean {
    return this.shown !== undefined && this.phrase === "";
  }

  private hide(): void {
    if (!this.shown) return;
    this.closed = this.shown.id;
    this.shown = undefined;
    this.ended = undefined;
    this.phrase = "";
    this.countdown.stop();
    if (this.linger !== undefined) clearTimeout(this.linger);
    this.linger = undefined;
    this.clearFields();
    this.el.provider.src = "about:blank";
    this.el.root.hidden = true;
    this.showPage();
  }

  /**
   * timeUp: the challenge's time ran out. Nothing typed now can count (Go's engine refuses an
   * answer after the deadline), so the dialog says so with only Close, and closes by itself after
   * lingerFor. An answer on the way is waited for: it may have come in time.
   */
  private timeUp(): void {
    const c = this.shown;
    if (!c || this.busy || this.ended === c.id) return;
    this.setError(dialogTexts.timeUp, "ended");
    this.end(c);
    this.linger = setTimeout(() => {
      if (this.shown?.id === c.id) this.hide();
    }, lingerFor);
  }

  /** showPage shows the page behind again and gives the keyboard back to what had it. */
  private showPage(): void {
    const frame = this.el.frame;
    const hadFocus = this.el.root.contains(this.doc.activeElement) || this.doc.activeElement === this.doc.body;
    const ended = this.guard.show();
    const back = this.opener;
    this.opener = null;
    if (!hadFocus) return;
    // The keyboard goes back to what had it before the dialog: a control of the chrome, or the
    // page, whose shim gives it to the control that asked for the signature.
    if (back instanceof HTMLElement && back !== frame && back !== this.doc.body && back.isConnected && !back.closest("[hidden]")) {
      back.focus();
    } else if (!frame.hidden) {
      frame.focus();
      // A page loaded afresh (ended) has no control that asked.
      const page = frame.contentWindow;
      if (!ended && page) this.backToPage.ask(page);
    }
  }

  /**
   * pageEnded: the guard ended the page behind. A page that stopped answering never had the
   * keyboard: what was typed is cleared (it may have been cut in two) and the person types again.
   * One that took the keyboard may have heard what was typed at that moment (keysaway.ts): the
   * fields are voided, the person told, the keyboard goes to the notice (the rest of what they
   * were typing goes nowhere; Tab leads back to the first field) and Go records the event.
   */
  private pageEnded(why: Ending): void {
    const c = this.shown;
    if (!c || this.ended === c.id) return; // nothing is typed any more: only Close is left
    const asking = this.askingPhrase();
    const target = asking ? this.el.phraseInput : this.el.user;
    if (why === "unresponsive") {
      this.clearFields();
      this.setError(dialogTexts.unresponsive);
      this.refocus(target);
      return;
    }
    const away = this.keys.away();
    const userId = asking ? "" : this.el.user.value.trim();
    this.clearFields();
    this.el.phraseInput.value = "";
    this.setError(keysAwayText(away, asking));
    this.refocus(this.el.error);
    void this.actions.reportExposure?.(c.id, { userId, field: away.field, whole: away.whole }).catch(() => {});
  }

  /** refocus gives e the keyboard, now and once more when WebKitGTK gave the chrome's document the keyboard back. */
  private refocus(e: HTMLElement): void {
    this.focus(e);
    // WebKitGTK gives the chrome's document the keyboard back only once its window has asked.
    setTimeout(() => this.focus(e), 0);
  }

  /**
   * focus moves the keyboard to e. Only when the chrome's document has lost it altogether
   * (WebKitGTK, once the page's frame is gone) does it ask for the window first: in Chromium that
   * hands the focus back to the element last focused, the page's frame, for a moment. Focus
   * moved here is not a page's doing (moving).
   */
  private focus(e: HTMLElement): void {
    this.moving = true;
    try {
      e.focus();
      if (!this.doc.hasFocus()) {
        this.win.focus();
        e.focus();
      }
    } finally {
      this.moving = false;
    }
  }

  private clearFields(): void {
    this.el.user.value = "";
    this.el.password.value = "";
    this.el.comment.value = "";
  }

  private async savePhrase(): Promise<void> {
    const c = this.shown;
    if (!c || this.busy) return;
    const typed = this.el.phraseInput.value.trim();
    if (!typed) {
      this.setError(dialogTexts.phraseMissing);
      this.el.phraseInput.focus();
      return;
    }
    this.busy = true;
    this.el.submit.disabled = true;
    this.setError("");
    let text: string | undefined;
    try {
      const r = await this.actions.setSigningPhrase(typed);
      text = r.ok ? undefined : (r.error ?? dialogTexts.phraseFailed);
    } catch {
      text = dialogTexts.phraseFailed;
    }
    this.busy = false;
    this.el.submit.disabled = false;
    if (this.shown?.id !== c.id) return;
    if (text !== undefined) {
      this.setError(text);
      this.el.phraseInput.focus();
      return;
    }
    // Go's view carries the phrase as stored; until it comes, the one typed, as Go tidies it.
    if (this.phrase === "") this.showPhrase(typed.split(/\s+/).join(" "));
  }

  private async submit(): Promise<void> {
    const c = this.shown;
    if (!c || this.busy) return;
    const user = this.el.user.value.trim();
    const password = this.el.password.value;
    const comment = this.el.comment.value.trim();
    if (!user || !password) {
      this.setError(dialogTexts.missing);
      (user ? this.el.password : this.el.user).focus();
      return;
    }
    if (c.requireComment && !comment) {
      this.setError(dialogTexts.commentRequired);
      this.el.comment.focus();
      return;
    }
    this.busy = true;
    this.goneWhileBusy = false;
    this.el.submit.disabled = true;
    this.setError("");
    let text: string | undefined;
    let closed = false;
    let confirm = false;
    try {
      const r = await this.actions.answerChallenge(c.id, user, password, comment);
      text = r.ok ? undefined : (r.error ?? dialogTexts.unreachable);
      closed = !r.ok && r.closed === true;
      confirm = !r.ok && r.confirm === true;
    } catch {
      text = dialogTexts.unreachable;
    }
    this.busy = false;
    this.el.submit.disabled = false;
    // The next challenge may be shown already (its view came before this answer): it stays.
    if (this.shown?.id !== c.id) return;
    this.el.password.value = "";
    if (text === undefined) {
      this.hide(); // Go closes the challenge too; its view follows
      return;
    }
    if (closed) {
      this.setError(text, "ended");
      this.end(c);
      return;
    }
    if (this.countdown.over(this.goneWhileBusy ? deadlineSlack : 0)) {
      this.timeUp(); // the answer came too late, or the time ran out while it was on the way
      return;
    }
    if (this.goneWhileBusy) {
      this.hide(); // cancelled meanwhile: nothing left to retry
      return;
    }
    // A question (the signer could give another signature): their next answer signs.
    this.confirming = confirm;
    this.el.submit.textContent = confirm ? dialogTexts.approveAnyway : c.approve ? dialogTexts.approve : dialogTexts.reject;
    this.setError(text, confirm ? "question" : "error");
    this.el.password.focus();
  }

  /** end keeps the dialog of challenge c open with its reason and only Close: nothing more to sign. */
  private end(c: Challenge): void {
    this.ended = c.id;
    this.countdown.stop();
    this.el.fields.hidden = true;
    this.el.phraseStep.hidden = true;
    this.el.submit.hidden = true;
    this.el.cancel.textContent = dialogTexts.close;
    this.el.cancel.focus();
  }

  private async dismiss(): Promise<void> {
    const c = this.shown;
    if (!c) return;
    const over = this.ended === c.id;
    this.hide();
    if (over) return; // Go closed it already
    await this.actions.dismissChallenge(c.id).catch(() => {});
  }

  private key(e: KeyboardEvent): void {
    if (e.key === "Escape") {
      e.preventDefault();
      void this.dismiss();
      return;
    }
    if (e.key !== "Tab") return;
    if (this.doc.activeElement === this.el.error) {
      // From the notice of a page that took the keyboard on to the first field, once the person
      // stopped typing: a Tab amid what they typed on is swallowed with the rest (keysaway.ts).
      e.preventDefault();
      if (!e.shiftKey && this.keys.paused()) (this.askingPhrase() ? this.el.phraseInput : this.el.user).focus();
      return;
    }
    // Focus stays in the dialog: the page behind is hidden and inert, the chrome's bars inert.
    const items = Array.from(this.el.box.querySelectorAll<HTMLElement>("input, button, iframe")).filter(
      (x) => x.closest("[hidden]") === null && !(x as HTMLButtonElement).disabled,
    );
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && this.doc.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && this.doc.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  private setError(text: string, kind: Said = "error"): void {
    this.el.error.textContent = text;
    this.el.error.hidden = text === "";
    this.el.error.dataset.kind = kind;
  }
}

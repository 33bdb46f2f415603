// The signature challenge dialog: the shell's own modal over the page that asked (seed 000's
// authentication challenge). It lives in the chrome's document, never in the hosted page's, so
// the page cannot read what the signer types. Keyboard alone works: focus starts in User ID,
// Tab stays inside the dialog, Enter submits, Escape cancels (an error outcome, not a reject).
// An answer that ended the challenge (the slot was signed by someone else a moment ago) leaves
// the dialog open with its reason and only Close, whatever order the view and the answer arrive in.
import type { Transport } from "./transport";
import type { Challenge } from "./view";

/** Texts decided here. */
export const dialogTexts = {
  approve: "Approve",
  reject: "Reject",
  unreachable: "The signature could not be sent to the shell. Check that loginshell is still running, then try again.",
  missing: "Enter your user ID and password.",
  commentRequired: "A comment is required for this signature.",
  signing: "Signing…",
  cancel: "Cancel",
  close: "Close",
};

export type DialogActions = Pick<Transport, "answerChallenge" | "dismissChallenge">;

/** ChallengeDialog binds to the #challenge elements of index.html by id. */
export class ChallengeDialog {
  private readonly el;
  private shown: Challenge | undefined;
  private busy = false;
  /** The challenge an answer ended: shown with its reason until Close, the view's closing ignored. */
  private ended: string | undefined;
  /** The view closed the challenge while its answer was on the way. */
  private goneWhileBusy = false;

  constructor(
    private readonly doc: Document,
    private readonly actions: DialogActions,
  ) {
    const get = <T extends HTMLElement>(id: string) => {
      const e = doc.getElementById(id);
      if (!e) throw new Error(`dialog: #${id} missing from the page`);
      return e as T;
    };
    this.el = {
      root: get<HTMLElement>("challenge"),
      box: get<HTMLElement>("challenge-box"),
      title: get<HTMLElement>("challenge-title"),
      description: get<HTMLElement>("challenge-description"),
      meaning: get<HTMLElement>("challenge-meaning"),
      form: get<HTMLFormElement>("challenge-form"),
      fields: get<HTMLElement>("challenge-fields"),
      user: get<HTMLInputElement>("challenge-user"),
      password: get<HTMLInputElement>("challenge-password"),
      comment: get<HTMLInputElement>("challenge-comment"),
      commentLabel: get<HTMLElement>("challenge-comment-label"),
      error: get<HTMLElement>("challenge-error"),
      submit: get<HTMLButtonElement>("challenge-submit"),
      cancel: get<HTMLButtonElement>("challenge-cancel"),
      provider: get<HTMLIFrameElement>("challenge-provider"),
      providerRow: get<HTMLElement>("challenge-provider-cancel-row"),
      providerCancel: get<HTMLButtonElement>("challenge-provider-cancel"),
      behind: [get<HTMLElement>("content"), doc.querySelector<HTMLElement>("header.topbar"), get<HTMLElement>("status")],
    };
    this.el.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.el.cancel.addEventListener("click", () => void this.dismiss());
    this.el.providerCancel.addEventListener("click", () => void this.dismiss());
    this.el.root.addEventListener("keydown", (e) => this.key(e));
  }

  /** render shows c, or hides the dialog when c is absent; the same challenge keeps what was typed. */
  render(c: Challenge | null | undefined): void {
    if (!c) {
      if (this.busy) this.goneWhileBusy = true;
      else if (this.ended === undefined) this.hide();
      return;
    }
    if (this.shown?.id === c.id) return;
    this.ended = undefined;
    this.el.fields.hidden = false;
    this.el.submit.hidden = false;
    this.el.cancel.textContent = dialogTexts.cancel;
    this.shown = c;
    this.el.title.textContent = c.requestName;
    this.el.description.textContent = c.description;
    const meaning = (c.meaning || (c.approve ? "your signature" : "Rejected")).replace(/[.\s]+$/, "");
    this.el.meaning.textContent = `${c.approve ? "Approving" : "Rejecting"} means: ${meaning}.`;
    this.el.submit.textContent = c.approve ? dialogTexts.approve : dialogTexts.reject;
    this.el.commentLabel.textContent = c.requireComment ? "Comment (required)" : "Comment";
    this.el.comment.required = c.requireComment;
    this.el.user.value = "";
    this.el.password.value = "";
    this.el.comment.value = "";
    this.setError("");
    // A sign-in at the provider's own page: the dialog frames that page (http or https only)
    // and offers Cancel; otherwise it asks for the user ID and password itself.
    const atProvider = c.url !== undefined && /^https?:\/\//i.test(c.url);
    this.el.form.hidden = atProvider;
    this.el.provider.hidden = !atProvider;
    this.el.providerRow.hidden = !atProvider;
    this.el.provider.src = atProvider ? (c.url ?? "") : "about:blank";
    for (const e of this.el.behind) e?.setAttribute("inert", "");
    this.el.root.hidden = false;
    if (atProvider) this.el.provider.focus();
    else this.el.user.focus();
  }

  private hide(): void {
    if (!this.shown) return;
    this.shown = undefined;
    this.ended = undefined;
    this.el.password.value = "";
    this.el.provider.src = "about:blank";
    this.el.root.hidden = true;
    for (const e of this.el.behind) e?.removeAttribute("inert");
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
    try {
      const r = await this.actions.answerChallenge(c.id, user, password, comment);
      text = r.ok ? undefined : (r.error ?? dialogTexts.unreachable);
      closed = !r.ok && r.closed === true;
    } catch {
      text = dialogTexts.unreachable;
    }
    this.busy = false;
    this.el.submit.disabled = false;
    this.el.password.value = "";
    if (text === undefined) {
      this.hide(); // Go closes the challenge too; its view follows
      return;
    }
    if (this.shown?.id !== c.id) return;
    this.setError(text);
    if (closed) {
      this.end(c);
      return;
    }
    if (this.goneWhileBusy) {
      this.hide(); // timed out or cancelled meanwhile: nothing left to retry
      return;
    }
    this.el.password.focus();
  }

  /** end keeps the dialog of challenge c open with its reason and only Close: nothing more to sign. */
  private end(c: Challenge): void {
    this.ended = c.id;
    this.el.fields.hidden = true;
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
    // Focus stays in the dialog: the page behind is inert, the chrome's bars too.
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

  private setError(text: string): void {
    this.el.error.textContent = text;
    this.el.error.hidden = text === "";
  }
}

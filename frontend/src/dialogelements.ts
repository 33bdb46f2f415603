// The signature dialog's elements in index.html, by id: one place that says what the dialog
// (dialog.ts) needs of the page, and fails at once when one is missing.

/** dialogElements finds the dialog's elements in doc, throwing when one is missing. */
export function dialogElements(doc: Document) {
  const get = <T extends HTMLElement>(id: string) => {
    const e = doc.getElementById(id);
    if (!e) throw new Error(`dialog: #${id} missing from the page`);
    return e as T;
  };
  return {
    root: get<HTMLElement>("challenge"),
    box: get<HTMLElement>("challenge-box"),
    title: get<HTMLElement>("challenge-title"),
    description: get<HTMLElement>("challenge-description"),
    record: get<HTMLElement>("challenge-record"),
    meaning: get<HTMLElement>("challenge-meaning"),
    fingerprint: get<HTMLElement>("challenge-fingerprint"),
    slot: get<HTMLElement>("challenge-slot"),
    given: get<HTMLElement>("challenge-given"),
    rules: get<HTMLElement>("challenge-rules"),
    countdown: get<HTMLElement>("challenge-countdown"),
    phraseRow: get<HTMLElement>("challenge-phrase-row"),
    phrase: get<HTMLElement>("challenge-phrase"),
    phraseStep: get<HTMLElement>("challenge-phrase-step"),
    phraseInput: get<HTMLInputElement>("challenge-phrase-input"),
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
    frame: get<HTMLIFrameElement>("content"),
    bars: [doc.querySelector<HTMLElement>("header.topbar"), get<HTMLElement>("status")],
  };
}

/** The dialog's elements. */
export type DialogElements = ReturnType<typeof dialogElements>;

// The signature dialog's words, in one place: what it says of the request, of this signature and
// the ones before it, of the decision, of the time left, and its own refusals and buttons. The
// dialog composes nothing itself. Go's engine makes the sentences that need its rules (a refused
// signer, the slot they should give instead: internal/signature/words.go); the dialog shows those
// as they come.
import type { Away } from "./keysaway";
import type { Challenge, Given } from "./view";

/** Texts decided here. */
export const dialogTexts = {
  approve: "Approve",
  reject: "Reject",
  approveAnyway: "Approve anyway",
  unreachable: "The signature could not be sent to the shell. Check that loginshell is still running, then try again.",
  missing: "Enter your user ID and password.",
  commentRequired: "A comment is required for this signature.",
  signing: "Signing…",
  cancel: "Cancel",
  close: "Close",
  savePhrase: "Save phrase",
  phraseMissing: "Type the phrase this station will show in every genuine signature dialog.",
  phraseFailed: "The phrase could not be saved. Check that loginshell is still running, then try again.",
  unresponsive: "The page behind stopped responding and was closed until you finish here; type again.",
  timeUp: "The time to sign ran out, so nothing was signed. The request is still pending: ask for the signature again to sign it.",
};

/**
 * keysAwayText says what the dialog did when it closed a page that took the keyboard (keysaway.ts):
 * what may have reached that page, that it was cleared, and what to do now. asking: the dialog
 * was asking for the station's phrase, which a page that knows it can imitate, so a new one.
 */
export function keysAwayText(a: Away, asking: boolean): string {
  if (asking) {
    return `${pageClosed} The phrase you typed may have reached it, so it was cleared: press Tab and choose a different phrase.`;
  }
  if (a.whole) {
    return `${pageClosed} ${passwordReached}, so what you typed was cleared: press Tab and type your user ID and password again, and ${changePassword} after signing.`;
  }
  if (a.field === "password") {
    return `${pageClosed} Some of your password may have reached it, so what you typed was cleared: press Tab and type your user ID and password again.`;
  }
  return `${pageClosed} ${typedReached}, so it was cleared: press Tab and type your user ID and password again.`;
}

/** What the dialog and the sign-in page's notice both say of a page that took the keyboard. */
const pageClosed = "The page behind took the keyboard and was closed.";
const passwordReached = "Your password may have reached it";
const typedReached = "What you typed just then may have reached it";
const changePassword = "change your password";

/**
 * signInKeysAwayText says what the chrome did when it closed the page behind a sign-in page
 * because that page took the keyboard (frames.ts OverPage), in the dialog's words where they fit.
 * The sign-in page's fields are on another origin: the chrome cannot clear them, so the person
 * is told to look at what they hold (keys that went to the page are missing there).
 */
export function signInKeysAwayText(whole: boolean): string {
  if (whole) {
    return `${pageClosed} ${passwordReached}: check what the sign-in page holds and type it again, and ${changePassword} after signing in.`;
  }
  return `${pageClosed} ${typedReached}, and may be missing from the sign-in page: check what you typed there before going on.`;
}

/** countdownFrom: the dialog shows the time left for the last minute of a challenge's timeout. */
export const countdownFrom = 60_000;

/** countdownText says the time left, ms, to the second: "0:42 left to sign". */
export function countdownText(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} left to sign`;
}

/**
 * slotLine says which signature this is and who may give it: "Signature 2 of 2, to be given by a
 * supervisor." A request of one signature says only who.
 */
export function slotLine(c: Challenge): string {
  const who = c.who || "a person the template names";
  if (!c.slots || c.slots < 2 || !c.position) return `To be given by ${who}.`;
  return `Signature ${c.position} of ${c.slots}, to be given by ${who}.`;
}

/**
 * rulesLine says what the template demands of the signers, where it demands anything: that this
 * one is someone else than who signed before (forceUniqueUser), that signatures come in order.
 * "" when there is nothing to say.
 */
export function rulesLine(c: Challenge): string {
  const parts: string[] = [];
  const before = Array.from(new Set((c.given ?? []).map((g) => g.printedName || g.userId)));
  if (c.unique && before.length > 0) parts.push(`It must be someone other than ${joinAnd(before)}.`);
  else if (c.unique && (c.slots ?? 0) > 1) parts.push(`Each of the ${c.slots} signatures must be given by a different person.`);
  if (c.ordered && (c.slots ?? 0) > 1) parts.push("The signatures are given in order.");
  return parts.join(" ");
}

/** givenLine says who gave an earlier signature, and when: "Signature 1 approved by Olivia Operator (operator), 6 Dec 2026, 10:02." */
export function givenLine(g: Given, locale?: string): string {
  const who = g.printedName && g.printedName !== g.userId ? `${g.printedName} (${g.userId})` : g.userId;
  const at = new Date(g.signedAt);
  const when = Number.isNaN(at.getTime())
    ? ""
    : `, ${at.toLocaleString(locale, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" })}`;
  return `Signature ${g.position} ${g.approve ? "approved" : "rejected"} by ${who}${when}.`;
}

/** Labels a meaning may start with that name the decision it belongs to ("Approval: I approve …"). */
const decisionLabel = /^\s*(approval|approve|approved|rejection|reject|rejected)\s*(?::|-|–|—)\s*/i;
const decisionWord = /^\s*(approval|approve|approved|rejection|reject|rejected)[.\s]*$/i;

/**
 * meaningLine states what the decision means, without saying the decision twice: a meaning that
 * starts with its own label ("Approval: I approve the release of this line.") reads "Approving
 * means: I approve the release of this line."; one that is only the decision's name ("Rejected")
 * reads "Rejecting. Your signature records: Rejected." Go sends the meaning of the decision asked for (a
 * rejection without one is "Rejected" there too).
 */
export function meaningLine(approve: boolean, meaning: string): string {
  const verb = approve ? "Approving" : "Rejecting";
  const said = meaning.trim().replace(/[.\s]+$/, "") || (approve ? "" : "Rejected");
  if (said === "") return "Approving means: your signature.";
  if (decisionWord.test(said)) return `${verb}. Your signature records: ${said}.`;
  const body = said.replace(decisionLabel, "");
  return `${verb} means: ${body === "" ? said : body}.`;
}

/** recordLine shows the record the request signs. */
export function recordLine(record: string): string {
  return `Record: ${record}`;
}

/** fingerprintLine shows the short form of the content hash (fingerprint). */
export function fingerprintLine(hash: string): string {
  return `Fingerprint of what is signed: ${fingerprint(hash)}`;
}

/** fingerprint is the short form of a content hash (signature.Fingerprint): 12 hex digits in fours. */
export function fingerprint(hash: string): string {
  if (hash.length < 12) return hash;
  return `${hash.slice(0, 4)}-${hash.slice(4, 8)}-${hash.slice(8, 12)}`;
}

function joinAnd(xs: string[]): string {
  if (xs.length <= 1) return xs.join("");
  return `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

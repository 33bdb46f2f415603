// What the dialog says (issue 22.1), the time it shows and what happens when that runs out, and
// where the keyboard goes when it closes (issue 22.3). Kept apart from dialog.test.ts, which is
// about the guards of the page behind.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { ChallengeDialog, dialogTexts, lingerFor } from "./dialog";
import { countdownText, givenLine } from "./dialogwords";
import { refocusWait } from "./refocus";
import type { AnswerResult, Challenge } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const flush = () => new Promise((r) => setTimeout(r, 0));

const challenge = (over: Partial<Challenge> = {}): Challenge => ({
  id: "c-2",
  requestName: "Release line",
  description: "Release batch 4711 on line 4.",
  template: "Line Release Approval",
  meaning: "Approval: I approve the release of this line.",
  clause: "{role:Supervisor}",
  approve: true,
  requireComment: false,
  expires: new Date(Date.now() + 120_000).toISOString(),
  position: 2,
  slots: 2,
  who: "a supervisor",
  unique: true,
  given: [{ position: 1, printedName: "Olivia Operator", userId: "operator", signedAt: "2026-12-06T10:02:00Z", approve: true }],
  ...over,
});

function setup(answers: AnswerResult[] = [{ ok: true }]) {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  $("content").hidden = false;
  const actions = {
    answerChallenge: vi.fn(async () => answers.shift() ?? { ok: true }),
    dismissChallenge: vi.fn(async () => {}),
    setSigningPhrase: vi.fn(async () => ({ ok: true })),
  };
  return { dialog: new ChallengeDialog(document, actions), actions };
}

/** answering makes the page behind answer the dialog's pings at once, as the shim does. */
function answering() {
  const win = $<HTMLIFrameElement>("content").contentWindow!;
  vi.spyOn(win, "postMessage").mockImplementation((d: unknown) => {
    const m = d as { loginshell?: string; n?: string };
    if (m.loginshell === "ping") window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "pong", n: m.n }, source: win }));
  });
}

function submit(user = "supervisor", password = "supervisor-demo") {
  $<HTMLInputElement>("challenge-user").value = user;
  $<HTMLInputElement>("challenge-password").value = password;
  $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
}

beforeEach(() => {
  window.focus = () => {};
});

afterEach(() => {
  vi.useRealTimers();
});

describe("what the dialog says", () => {
  it("which signature, who may give it, who gave the one before and when, and that it must be someone else", () => {
    const { dialog } = setup();
    dialog.render(challenge(), "heron");
    expect($("challenge-slot").textContent).toBe("Signature 2 of 2, to be given by a supervisor.");
    const given = Array.from($("challenge-given").querySelectorAll("li"), (li) => li.textContent);
    expect(given).toEqual([givenLine(challenge().given![0]!)]);
    expect(given[0]).toMatch(/^Signature 1 approved by Olivia Operator \(operator\), .*2026/);
    expect($("challenge-rules").textContent).toBe("It must be someone other than Olivia Operator.");
    expect($("challenge-meaning").textContent).toBe("Approving means: I approve the release of this line.");
    expect($("challenge-box").getAttribute("aria-describedby")).toContain("challenge-slot");
  });

  it("the first of two under forceUniqueUser and order: the rules in words, nothing given yet", () => {
    const { dialog } = setup();
    dialog.render(challenge({ position: 1, who: "an operator", given: [], ordered: true }), "heron");
    expect($("challenge-slot").textContent).toBe("Signature 1 of 2, to be given by an operator.");
    expect($("challenge-given").hidden).toBe(true);
    expect($("challenge-rules").textContent).toBe(
      "Each of the 2 signatures must be given by a different person. The signatures are given in order.",
    );
  });

  it("one signature: who may give it, no rules", () => {
    const { dialog } = setup();
    dialog.render(challenge({ position: 1, slots: 1, who: "Sam Supervisor", unique: false, given: [] }), "heron");
    expect($("challenge-slot").textContent).toBe("To be given by Sam Supervisor.");
    expect($("challenge-rules").hidden).toBe(true);
  });

  it("a refusal looks like an error and is read out (role alert)", async () => {
    const refusal = "Sam Supervisor already signed signature 1; a different supervisor must sign.";
    const { dialog } = setup([{ ok: false, error: refusal }]);
    dialog.render(challenge(), "heron");
    submit();
    await flush();
    const error = $("challenge-error");
    expect(error.textContent).toBe(refusal);
    expect(error.hidden).toBe(false);
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.dataset.kind).toBe("error");
    expect(error.classList.contains("error")).toBe(true);
  });

  it("a question (the signer could give another signature) asks to approve anyway; the next answer signs", async () => {
    const question = "Sam Supervisor could also give signature 2 of 2 (a supervisor). To sign signature 1 anyway, type your password again.";
    const { dialog, actions } = setup([{ ok: false, error: question, confirm: true }, { ok: true }]);
    dialog.render(challenge({ position: 1, who: "an operator", given: [] }), "heron");
    submit();
    await flush();
    expect($("challenge-error").textContent).toBe(question);
    expect($("challenge-error").dataset.kind).toBe("question");
    expect($("challenge-submit").textContent).toBe(dialogTexts.approveAnyway);
    expect($<HTMLInputElement>("challenge-password").value).toBe("");
    expect(document.activeElement).toBe($("challenge-password"));
    submit();
    await flush();
    expect(actions.answerChallenge).toHaveBeenCalledTimes(2);
    expect($("challenge").hidden).toBe(true);
  });
});

describe("the time to sign", () => {
  it("shows for the last minute only, then says it ran out before it closes; a view still carrying it does not bring it back", async () => {
    vi.useFakeTimers();
    const { dialog, actions } = setup();
    answering();
    const c = challenge({ expires: new Date(Date.now() + 90_000).toISOString() });
    dialog.render(c, "heron");
    const countdown = $("challenge-countdown");
    expect(countdown.hidden).toBe(true);
    expect(countdown.getAttribute("role")).toBe("timer");
    vi.advanceTimersByTime(31_000);
    expect(countdown.hidden).toBe(false);
    expect(countdown.textContent).toBe(countdownText(59_000));
    expect(countdown.textContent).toBe("0:59 left to sign");
    vi.advanceTimersByTime(50_000);
    expect(countdown.textContent).toBe("0:09 left to sign");
    expect(countdown.dataset.late).toBe("true");
    vi.advanceTimersByTime(10_000);
    expect($("challenge").hidden).toBe(false);
    expect($("challenge-error").textContent).toBe(dialogTexts.timeUp);
    expect($("challenge-error").dataset.kind).toBe("ended");
    expect($("challenge-fields").hidden).toBe(true);
    expect($("challenge-submit").hidden).toBe(true);
    expect(countdown.hidden).toBe(true);
    expect(document.activeElement).toBe($("challenge-cancel"));
    expect($("challenge-cancel").textContent).toBe(dialogTexts.close);
    dialog.render(c, "heron"); // Go's view, until its own timer ends the challenge
    vi.advanceTimersByTime(lingerFor);
    expect($("challenge").hidden).toBe(true);
    dialog.render(c, "heron");
    expect($("challenge").hidden).toBe(true);
    expect(actions.dismissChallenge).not.toHaveBeenCalled(); // the time ran out: no cancel of the person's
  });

  it("Go's close at its deadline leaves the words up until Close", async () => {
    vi.useFakeTimers();
    const { dialog } = setup();
    answering();
    dialog.render(challenge({ expires: new Date(Date.now() + 30_000).toISOString() }), "heron");
    vi.advanceTimersByTime(30_000);
    dialog.render(null);
    expect($("challenge").hidden).toBe(false);
    $("challenge-cancel").click();
    expect($("challenge").hidden).toBe(true);
  });

  it("Go's close just before the countdown's own tick at the deadline is the time running out", async () => {
    vi.useFakeTimers();
    const { dialog } = setup();
    answering();
    dialog.render(challenge({ expires: new Date(Date.now() + 30_000).toISOString() }), "heron");
    vi.advanceTimersByTime(30_000 - 100);
    dialog.render(null);
    expect($("challenge").hidden).toBe(false);
    expect($("challenge-error").textContent).toBe(dialogTexts.timeUp);
    vi.advanceTimersByTime(lingerFor);
    expect($("challenge").hidden).toBe(true);
  });

  it("a close long before the deadline (cancelled elsewhere) takes the dialog down at once", () => {
    vi.useFakeTimers();
    const { dialog } = setup();
    answering();
    dialog.render(challenge({ expires: new Date(Date.now() + 30_000).toISOString() }), "heron");
    vi.advanceTimersByTime(10_000);
    dialog.render(null);
    expect($("challenge").hidden).toBe(true);
  });

  it("an answer on the way when the time runs out is waited for: one that came in time signs", async () => {
    vi.useFakeTimers();
    let answer!: (r: AnswerResult) => void;
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const dialog = new ChallengeDialog(document, {
      answerChallenge: vi.fn(() => new Promise<AnswerResult>((r) => (answer = r))),
      dismissChallenge: vi.fn(async () => {}),
      setSigningPhrase: vi.fn(async () => ({ ok: true })),
    });
    answering();
    dialog.render(challenge({ expires: new Date(Date.now() + 5_000).toISOString() }), "heron");
    submit();
    vi.advanceTimersByTime(6_000);
    expect($("challenge-error").hidden).toBe(true); // nothing said while the answer is on the way
    answer({ ok: true });
    await vi.advanceTimersByTimeAsync(0);
    expect($("challenge").hidden).toBe(true);
  });

  it("an answer refused after the deadline says the time ran out", async () => {
    vi.useFakeTimers();
    let answer!: (r: AnswerResult) => void;
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const dialog = new ChallengeDialog(document, {
      answerChallenge: vi.fn(() => new Promise<AnswerResult>((r) => (answer = r))),
      dismissChallenge: vi.fn(async () => {}),
      setSigningPhrase: vi.fn(async () => ({ ok: true })),
    });
    answering();
    dialog.render(challenge({ expires: new Date(Date.now() + 5_000).toISOString() }), "heron");
    submit();
    vi.advanceTimersByTime(6_000);
    dialog.render(null); // Go ended it at its deadline
    answer({ ok: false, error: "The sign-in timed out; the request is still pending." });
    await vi.advanceTimersByTimeAsync(0);
    expect($("challenge").hidden).toBe(false);
    expect($("challenge-error").textContent).toBe(dialogTexts.timeUp);
  });
});

describe("where the keyboard goes when the dialog closes", () => {
  it("back to the chrome's control that had it", async () => {
    const { dialog } = setup();
    const retry = $<HTMLButtonElement>("install");
    retry.disabled = false; // as InstallPanel leaves it once wired (index.html draws it disabled)
    retry.focus();
    dialog.render(challenge(), "heron");
    expect(document.activeElement).toBe($("challenge-user"));
    submit();
    await flush();
    expect($("challenge").hidden).toBe(true);
    expect(document.activeElement).toBe(retry);
  });

  it("back to the page, whose control that asked is refocused by its shim", async () => {
    const { dialog } = setup();
    const frame = $<HTMLIFrameElement>("content");
    frame.focus();
    const posted = vi.spyOn(frame.contentWindow!, "postMessage");
    dialog.render(challenge(), "heron");
    $("challenge-cancel").click();
    await flush();
    expect(document.activeElement).toBe(frame);
    expect(posted).toHaveBeenCalledWith({ loginshell: "refocus" }, "*");
  });

  // A page triggers its next slot from the last one's outcome: the next dialog can come before the
  // page has handled the refocus, which would then take the keyboard from that dialog, and the
  // guard would end the page (seen in the window smoke).
  const nextAfterRefocus = async () => {
    const { dialog } = setup();
    const frame = $<HTMLIFrameElement>("content");
    frame.focus();
    dialog.render(challenge({ id: "c-1" }), "heron");
    submit("operator", "operator-demo");
    await vi.advanceTimersByTimeAsync(0);
    expect($("challenge").hidden).toBe(true);
    dialog.render(challenge({ id: "c-2" }), "heron");
    return frame.contentWindow!;
  };
  const refocused = (source: Window) => window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "refocused" }, source }));

  it("the next dialog waits until the page behind has the keyboard back", async () => {
    vi.useFakeTimers();
    const page = await nextAfterRefocus();
    expect($("challenge").hidden).toBe(true);
    refocused(window); // not the page's answer
    expect($("challenge").hidden).toBe(true);
    refocused(page);
    expect($("challenge").hidden).toBe(false);
    expect(document.activeElement).toBe($("challenge-user"));
  });

  it("and no longer than refocusWait for a page that does not answer", async () => {
    vi.useFakeTimers();
    await nextAfterRefocus();
    await vi.advanceTimersByTimeAsync(refocusWait - 1);
    expect($("challenge").hidden).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect($("challenge").hidden).toBe(false);
  });

  it("an answer that comes after the next challenge is shown leaves that challenge open", async () => {
    const { dialog, actions } = setup();
    let answer: (r: AnswerResult) => void = () => {};
    actions.answerChallenge.mockImplementationOnce(() => new Promise<AnswerResult>((r) => (answer = r)));
    dialog.render(challenge({ id: "c-1" }), "heron");
    submit("operator", "operator-demo");
    dialog.render(challenge({ id: "c-2", position: 2 }), "heron"); // its view came first
    answer({ ok: true });
    await flush();
    expect($("challenge").hidden).toBe(false);
    expect($("challenge-slot").textContent).toBe("Signature 2 of 2, to be given by a supervisor.");
  });

  it("to the page when nothing had the keyboard (a plant's trigger)", async () => {
    const { dialog } = setup();
    (document.activeElement as HTMLElement | null)?.blur();
    dialog.render(challenge(), "heron");
    submit();
    await flush();
    expect(document.activeElement).toBe($("content"));
  });
});

// The dialog states the meaning of the decision asked for (issue 21.5). Kept apart from
// dialog.test.ts, which is about the dialog's focus and keys.
import { beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { ChallengeDialog } from "./dialog";
import type { Challenge } from "./view";

const challenge: Challenge = {
  id: "c-1",
  requestName: "Release line",
  description: "Batch 4711",
  template: "Line Release Approval",
  meaning: "Approval",
  clause: "{role:Operator}",
  approve: true,
  requireComment: false,
  expires: "2026-11-29T10:02:00Z",
};

beforeEach(() => {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
});

describe("the meaning the dialog states", () => {
  it.each([
    ["an approval states the approval's meaning", true, "Approval", "Approving means: Approval."],
    [
      "a rejection states the rejection's meaning",
      false,
      "Rejection: the line stays stopped",
      "Rejecting means: Rejection: the line stays stopped.",
    ],
    ["a rejection without a meaning from Go means Rejected", false, "", "Rejecting means: Rejected."],
    ["an approval without a meaning from Go names the signature", true, "", "Approving means: your signature."],
  ])("%s", (_name, approve, meaning, want) => {
    const dialog = new ChallengeDialog(document, {
      answerChallenge: vi.fn(async () => ({ ok: true })),
      dismissChallenge: vi.fn(async () => {}),
      setSigningPhrase: vi.fn(async () => ({ ok: true })),
    });
    dialog.render({ ...challenge, approve, meaning }, "blue heron");
    expect(document.getElementById("challenge-meaning")?.textContent).toBe(want);
  });
});

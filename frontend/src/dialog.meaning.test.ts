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
  expires: new Date(Date.now() + 10 * 60_000).toISOString(),
};

beforeEach(() => {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
});

describe("the meaning the dialog states", () => {
  it.each([
    ["an approval whose meaning is only its name", true, "Approval", "Approving. Your signature records: Approval."],
    [
      "an approval whose meaning starts with its name says it once",
      true,
      "Approval: I approve the release of this line.",
      "Approving means: I approve the release of this line.",
    ],
    ["an approval whose meaning is a sentence", true, "Batch conforms to spec", "Approving means: Batch conforms to spec."],
    [
      "a rejection states the rejection's meaning, its name once",
      false,
      "Rejection: the line stays stopped",
      "Rejecting means: the line stays stopped.",
    ],
    ["a rejection without a meaning from Go means Rejected", false, "", "Rejecting. Your signature records: Rejected."],
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

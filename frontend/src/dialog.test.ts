import { beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { ChallengeDialog, dialogTexts } from "./dialog";
import type { Challenge } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const flush = () => new Promise((r) => setTimeout(r, 0));

const challenge: Challenge = {
  id: "c-1",
  requestName: "Release line",
  description: "Operator must authenticate before releasing the line.",
  template: "Line Release Approval",
  meaning: "Approval",
  clause: "{role:Operator}",
  approve: true,
  requireComment: false,
  expires: "2026-11-29T10:02:00Z",
};

function setup(answers: Array<{ ok: boolean; error?: string; closed?: boolean }> = [{ ok: true }]) {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const actions = {
    answerChallenge: vi.fn(async () => answers.shift() ?? { ok: true }),
    dismissChallenge: vi.fn(async () => {}),
  };
  return { dialog: new ChallengeDialog(document, actions), actions };
}

const key = (k: string, shiftKey = false) =>
  $("challenge").dispatchEvent(new KeyboardEvent("keydown", { key: k, shiftKey, bubbles: true, cancelable: true }));

beforeEach(() => {
  document.body.innerHTML = "";
});

describe("the signature dialog", () => {
  it("is the shell's modal, named after the request, with labelled fields and the meaning as text", () => {
    const { dialog } = setup();
    dialog.render(challenge);
    const box = $("challenge-box");
    expect($("challenge").hidden).toBe(false);
    expect(box.getAttribute("role")).toBe("dialog");
    expect(box.getAttribute("aria-modal")).toBe("true");
    expect($(box.getAttribute("aria-labelledby")!).textContent).toBe("Release line");
    expect($("challenge-description").textContent).toBe(challenge.description);
    expect($("challenge-meaning").textContent).toContain("Approval");
    for (const [id, label] of [
      ["challenge-user", "User ID"],
      ["challenge-password", "Password"],
      ["challenge-comment", "Comment"],
    ]) {
      expect(document.querySelector(`label[for="${id}"]`)?.textContent).toBe(label);
    }
    expect($<HTMLInputElement>("challenge-password").type).toBe("password");
    expect($("challenge-submit").textContent).toBe("Approve");
    expect($("challenge-cancel").textContent).toBe("Cancel");
    expect(document.activeElement).toBe($("challenge-user"));
    expect($("content").hasAttribute("inert")).toBe(true);
  });

  it("says Reject when the trigger asked for a rejection", () => {
    const { dialog } = setup();
    dialog.render({ ...challenge, approve: false });
    expect($("challenge-submit").textContent).toBe("Reject");
    expect($("challenge-meaning").textContent).toMatch(/^Rejecting/);
  });

  it("keeps the dialog open on a refused signature, shows why and clears the password", async () => {
    const { dialog, actions } = setup([{ ok: false, error: "wrong offline password" }, { ok: true }]);
    dialog.render(challenge);
    $<HTMLInputElement>("challenge-user").value = "operator";
    $<HTMLInputElement>("challenge-password").value = "nope";
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(actions.answerChallenge).toHaveBeenCalledWith("c-1", "operator", "nope", "");
    expect($("challenge").hidden).toBe(false);
    expect($("challenge-error").textContent).toBe("wrong offline password");
    expect($<HTMLInputElement>("challenge-password").value).toBe("");
    expect(document.activeElement).toBe($("challenge-password"));
    $<HTMLInputElement>("challenge-password").value = "right";
    $<HTMLInputElement>("challenge-comment").value = " batch 42 ok ";
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(actions.answerChallenge).toHaveBeenLastCalledWith("c-1", "operator", "right", "batch 42 ok");
    expect($("challenge").hidden).toBe(true);
    expect($("content").hasAttribute("inert")).toBe(false);
  });

  it("asks for what is missing before sending anything", async () => {
    const { dialog, actions } = setup();
    dialog.render({ ...challenge, requireComment: true });
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    expect($("challenge-error").textContent).toBe(dialogTexts.missing);
    $<HTMLInputElement>("challenge-user").value = "operator";
    $<HTMLInputElement>("challenge-password").value = "pw";
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    expect($("challenge-error").textContent).toBe(dialogTexts.commentRequired);
    expect(document.activeElement).toBe($("challenge-comment"));
    await flush();
    expect(actions.answerChallenge).not.toHaveBeenCalled();
  });

  it("Escape cancels: the dialog closes and Go hears it (an error outcome, not a reject)", async () => {
    const { dialog, actions } = setup();
    dialog.render(challenge);
    key("Escape");
    await flush();
    expect($("challenge").hidden).toBe(true);
    expect(actions.dismissChallenge).toHaveBeenCalledWith("c-1");
    expect(actions.answerChallenge).not.toHaveBeenCalled();
  });

  it("keeps the focus inside: Tab from the last control goes to the first, Shift+Tab back", () => {
    const { dialog } = setup();
    dialog.render(challenge);
    $("challenge-cancel").focus();
    key("Tab");
    expect(document.activeElement).toBe($("challenge-user"));
    key("Tab", true);
    expect(document.activeElement).toBe($("challenge-cancel"));
  });

  it("frames the identity provider's own page for a sign-in there, with Cancel", async () => {
    const { dialog, actions } = setup();
    dialog.render({ ...challenge, url: "https://login.example.com/authorize?prompt=login&max_age=0" });
    expect($("challenge-provider").hidden).toBe(false);
    expect($<HTMLIFrameElement>("challenge-provider").src).toBe("https://login.example.com/authorize?prompt=login&max_age=0");
    expect($("challenge-form").hidden).toBe(true);
    $("challenge-provider-cancel").click();
    await flush();
    expect(actions.dismissChallenge).toHaveBeenCalledWith("c-1");
    expect($("challenge").hidden).toBe(true);
  });

  it("refuses to frame an address that is not http or https", () => {
    const { dialog } = setup();
    dialog.render({ ...challenge, url: "javascript:alert(1)" });
    expect($("challenge-provider").hidden).toBe(true);
    expect($("challenge-form").hidden).toBe(false);
  });

  it("a view without the challenge takes the dialog down", () => {
    const { dialog } = setup();
    dialog.render(challenge);
    dialog.render(null);
    expect($("challenge").hidden).toBe(true);
  });

  const taken = "this slot was just signed by someone else; nothing was recorded for this signature";

  // Go closes the challenge (the view) and answers the dialog (closed: true) in either order.
  for (const viewFirst of [true, false]) {
    it(`a slot signed elsewhere meanwhile: the reason stays with only Close (view ${viewFirst ? "before" : "after"} the answer)`, async () => {
      let answer!: (r: { ok: boolean; error?: string; closed?: boolean }) => void;
      document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
      const actions = {
        answerChallenge: vi.fn(() => new Promise<{ ok: boolean; error?: string; closed?: boolean }>((r) => (answer = r))),
        dismissChallenge: vi.fn(async () => {}),
      };
      const dialog = new ChallengeDialog(document, actions);
      dialog.render(challenge);
      $<HTMLInputElement>("challenge-user").value = "operator";
      $<HTMLInputElement>("challenge-password").value = "operator-demo";
      $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
      await flush();
      if (viewFirst) dialog.render(null);
      answer({ ok: false, error: taken, closed: true });
      await flush();
      if (!viewFirst) dialog.render(null);
      expect($("challenge").hidden).toBe(false);
      expect($("challenge-error").textContent).toBe(taken);
      expect($("challenge-fields").hidden).toBe(true);
      expect($("challenge-submit").hidden).toBe(true);
      expect($("challenge-cancel").textContent).toBe(dialogTexts.close);
      expect(document.activeElement).toBe($("challenge-cancel"));
      $("challenge-cancel").click();
      await flush();
      expect($("challenge").hidden).toBe(true);
      expect(actions.dismissChallenge).not.toHaveBeenCalled();
      // The next challenge is asked for in full again.
      dialog.render({ ...challenge, id: "c-2" });
      expect($("challenge-fields").hidden).toBe(false);
      expect($("challenge-submit").hidden).toBe(false);
      expect($("challenge-cancel").textContent).toBe(dialogTexts.cancel);
    });
  }

  it("a refusal that leaves the challenge open, but the view closed it meanwhile (timed out): the dialog goes", async () => {
    let answer!: (r: { ok: boolean; error?: string }) => void;
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const actions = {
      answerChallenge: vi.fn(() => new Promise<{ ok: boolean; error?: string }>((r) => (answer = r))),
      dismissChallenge: vi.fn(async () => {}),
    };
    const dialog = new ChallengeDialog(document, actions);
    dialog.render(challenge);
    $<HTMLInputElement>("challenge-user").value = "operator";
    $<HTMLInputElement>("challenge-password").value = "nope";
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    dialog.render(null);
    expect($("challenge").hidden).toBe(false); // the answer is still on the way
    answer({ ok: false, error: "wrong user ID or password" });
    await flush();
    expect($("challenge").hidden).toBe(true);
  });
});

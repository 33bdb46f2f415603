import { beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { ChallengeDialog, dialogTexts, lateAnswer, pingEvery, silentFor } from "./dialog";
import type { Challenge } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const flush = () => new Promise((r) => setTimeout(r, 0));

const phrase = "blue heron at line 4";

const challenge: Challenge = {
  id: "c-1",
  requestName: "Release line",
  description: "Operator must authenticate before releasing the line.",
  template: "Line Release Approval",
  meaning: "Approval",
  clause: "{role:Operator}",
  approve: true,
  requireComment: false,
  expires: new Date(Date.now() + 10 * 60_000).toISOString(),
};

function setup(answers: Array<{ ok: boolean; error?: string; closed?: boolean }> = [{ ok: true }]) {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const actions = {
    answerChallenge: vi.fn(async () => answers.shift() ?? { ok: true }),
    dismissChallenge: vi.fn(async () => {}),
    setSigningPhrase: vi.fn<(p: string) => Promise<{ ok: boolean; error?: string }>>(async () => ({ ok: true })),
  };
  return { dialog: new ChallengeDialog(document, actions), actions };
}

const key = (k: string, shiftKey = false) =>
  $("challenge").dispatchEvent(new KeyboardEvent("keydown", { key: k, shiftKey, bubbles: true, cancelable: true }));

beforeEach(() => {
  document.body.innerHTML = "";
  // jsdom has no window focus; the dialog asks for it after taking the keyboard back.
  window.focus = () => {};
});

describe("the signature dialog", () => {
  it("is the shell's modal, named after the request, with labelled fields and the meaning as text", () => {
    const { dialog } = setup();
    dialog.render(challenge, phrase);
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
    dialog.render({ ...challenge, approve: false }, phrase);
    expect($("challenge-submit").textContent).toBe("Reject");
    expect($("challenge-meaning").textContent).toMatch(/^Rejecting/);
  });

  it("keeps the dialog open on a refused signature, shows why and clears the password", async () => {
    const { dialog, actions } = setup([{ ok: false, error: "wrong offline password" }, { ok: true }]);
    dialog.render(challenge, phrase);
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
    dialog.render({ ...challenge, requireComment: true }, phrase);
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
    dialog.render(challenge, phrase);
    key("Escape");
    await flush();
    expect($("challenge").hidden).toBe(true);
    expect(actions.dismissChallenge).toHaveBeenCalledWith("c-1");
    expect(actions.answerChallenge).not.toHaveBeenCalled();
  });

  it("keeps the focus inside: Tab from the last control goes to the first, Shift+Tab back", () => {
    const { dialog } = setup();
    dialog.render(challenge, phrase);
    $("challenge-cancel").focus();
    key("Tab");
    expect(document.activeElement).toBe($("challenge-user"));
    key("Tab", true);
    expect(document.activeElement).toBe($("challenge-cancel"));
  });

  it("frames the identity provider's own page for a sign-in there, with Cancel", async () => {
    const { dialog, actions } = setup();
    dialog.render({ ...challenge, url: "https://login.example.com/authorize?prompt=login&max_age=0" }, phrase);
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
    dialog.render({ ...challenge, url: "javascript:alert(1)" }, phrase);
    expect($("challenge-provider").hidden).toBe(true);
    expect($("challenge-form").hidden).toBe(false);
  });

  it("a view without the challenge takes the dialog down", () => {
    const { dialog } = setup();
    dialog.render(challenge, phrase);
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
        setSigningPhrase: vi.fn(async () => ({ ok: true })),
      };
      const dialog = new ChallengeDialog(document, actions);
      dialog.render(challenge, phrase);
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
      dialog.render({ ...challenge, id: "c-2" }, phrase);
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
      setSigningPhrase: vi.fn(async () => ({ ok: true })),
    };
    const dialog = new ChallengeDialog(document, actions);
    dialog.render(challenge, phrase);
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

describe("only the person at the dialog types into it (issue 20, promise 4)", () => {
  const frame = () => $<HTMLIFrameElement>("content");
  const type = () => {
    $<HTMLInputElement>("challenge-user").value = "operator";
    $<HTMLInputElement>("challenge-password").value = "operator-d";
    $<HTMLInputElement>("challenge-comment").value = "batch";
  };
  const steal = () => {
    frame().focus();
    window.dispatchEvent(new Event("blur"));
  };

  it("hides the page behind and makes it and the bars inert; all comes back when the dialog closes", () => {
    const { dialog } = setup();
    frame().hidden = false; // a page is shown
    dialog.render(challenge, phrase);
    expect(frame().style.display).toBe("none");
    expect(frame().hasAttribute("inert")).toBe(true);
    expect(document.querySelector("header.topbar")!.hasAttribute("inert")).toBe(true);
    expect($("status").hasAttribute("inert")).toBe(true);
    dialog.render(null);
    expect(frame().style.display).toBe("");
    expect(frame().hasAttribute("inert")).toBe(false);
    expect($("status").hasAttribute("inert")).toBe(false);
    expect(document.activeElement).toBe(frame()); // the keyboard goes back to the page
  });

  it("a page that takes the keyboard is ended at once: fields voided, the person told (dialog.keys.test.ts)", async () => {
    const { dialog } = setup();
    dialog.render(challenge, phrase);
    type();
    steal();
    expect(document.getElementById("content")).toBeNull(); // its frame, and every key on the way to it, gone
    expect($<HTMLInputElement>("challenge-user").value).toBe("");
    expect($<HTMLInputElement>("challenge-password").value).toBe("");
    expect($<HTMLInputElement>("challenge-comment").value).toBe("");
    expect($("challenge-error").textContent).toMatch(/^The page behind took the keyboard and was closed\./);
    expect(document.activeElement).toBe($("challenge-error"));
    await flush();
    expect(document.activeElement).toBe($("challenge-error"));
    // The dialog goes on; when it closes, the page is back (loaded afresh).
    dialog.render(null);
    expect(document.getElementById("content")).not.toBeNull();
    expect(frame().style.display).toBe("");
  });

  it("the focus moved into the page by a focusin is caught too", () => {
    const { dialog } = setup();
    dialog.render(challenge, phrase);
    frame().focus(); // focusin reaches the chrome's document
    expect(document.getElementById("content")).toBeNull();
  });

  it("a blur that leaves the keyboard in the dialog (the window left for another) ends nothing", async () => {
    const { dialog } = setup();
    dialog.render(challenge, phrase);
    type();
    window.dispatchEvent(new Event("blur"));
    await flush();
    expect(document.getElementById("content")).not.toBeNull();
    expect($<HTMLInputElement>("challenge-user").value).toBe("operator");
  });

  it("a page that stops answering the dialog's pings is ended; one that answers is left alone", () => {
    vi.useFakeTimers();
    try {
      const { dialog } = setup();
      dialog.render(challenge, phrase);
      const win = frame().contentWindow!;
      const pings: Array<{ n: string }> = [];
      vi.spyOn(win, "postMessage").mockImplementation((d: unknown) => void pings.push(d as { n: string }));
      for (let i = 0; i < 12; i++) {
        vi.advanceTimersByTime(pingEvery);
        const last = pings[pings.length - 1];
        if (last) window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "pong", n: last.n }, source: win }));
      }
      expect(pings.length).toBeGreaterThan(5);
      expect(document.getElementById("content")).not.toBeNull();
      // A pong from another window, or for another ping, is no answer.
      window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "pong", n: "forged" }, source: win }));
      window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "pong", n: pings[pings.length - 1]!.n }, source: window }));
      vi.advanceTimersByTime(silentFor - pingEvery);
      expect(document.getElementById("content")).not.toBeNull();
      vi.advanceTimersByTime(2 * pingEvery);
      expect(document.getElementById("content")).toBeNull();
      expect($("challenge-error").textContent).toBe(dialogTexts.unresponsive);
      expect(document.activeElement).toBe($("challenge-user"));
    } finally {
      vi.useRealTimers();
    }
  });

  it("a page that answers late (held by a message box of its own) is ended as it answers", () => {
    vi.useFakeTimers();
    try {
      const { dialog } = setup();
      dialog.render(challenge, phrase);
      const win = frame().contentWindow!;
      const pings: Array<{ n: string }> = [];
      vi.spyOn(win, "postMessage").mockImplementation((d: unknown) => void pings.push(d as { n: string }));
      vi.advanceTimersByTime(pingEvery);
      vi.advanceTimersByTime(lateAnswer);
      expect(document.getElementById("content")).not.toBeNull();
      window.dispatchEvent(new MessageEvent("message", { data: { loginshell: "pong", n: pings[0]!.n }, source: win }));
      expect(document.getElementById("content")).toBeNull();
      expect($("challenge-error").textContent).toBe(dialogTexts.unresponsive);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("a genuine dialog is recognisable (issue 20, promise 5)", () => {
  it("shows the station's signing phrase in its band, and what is signed", () => {
    const { dialog } = setup();
    dialog.render({ ...challenge, content: "0123456789abcdef0123", record: '{"batch":4711}' }, phrase);
    expect($("challenge-phrase-row").hidden).toBe(false);
    expect($("challenge-phrase").textContent).toBe(phrase);
    expect($("challenge-mark").textContent).toContain("loginshell");
    expect($("challenge-box").getAttribute("aria-describedby")).toContain("challenge-mark");
    expect($("challenge-fingerprint").textContent).toContain("0123-4567-89ab");
    expect($("challenge-record").textContent).toBe('Record: {"batch":4711}');
    expect($("challenge-phrase-step").hidden).toBe(true);
  });

  it("at the first signing on a station, asks for the phrase first, then for the signature", async () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, "");
    expect($("challenge-phrase-row").hidden).toBe(true);
    expect($("challenge-phrase-step").hidden).toBe(false);
    expect(document.querySelector('label[for="challenge-phrase-input"]')?.textContent).toBe(
      "Choose a phrase this station shows in every genuine signature dialog",
    );
    expect($("challenge-fields").hidden).toBe(true);
    expect($("challenge-submit").textContent).toBe(dialogTexts.savePhrase);
    expect(document.activeElement).toBe($("challenge-phrase-input"));
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    expect($("challenge-error").textContent).toBe(dialogTexts.phraseMissing);
    expect(actions.setSigningPhrase).not.toHaveBeenCalled();
    actions.setSigningPhrase.mockResolvedValueOnce({ ok: false, error: "the signing phrase is not allowed: choose at least 4 characters" });
    $<HTMLInputElement>("challenge-phrase-input").value = "ab";
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect($("challenge-error").textContent).toContain("at least 4");
    expect($("challenge-phrase-step").hidden).toBe(false);
    $<HTMLInputElement>("challenge-phrase-input").value = "  blue   heron ";
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(actions.setSigningPhrase).toHaveBeenLastCalledWith("blue   heron");
    expect(actions.answerChallenge).not.toHaveBeenCalled();
    expect($("challenge-phrase").textContent).toBe("blue heron");
    expect($("challenge-phrase-step").hidden).toBe(true);
    expect($("challenge-fields").hidden).toBe(false);
    expect($("challenge-error").hidden).toBe(true);
    expect($("challenge-submit").textContent).toBe("Approve");
    expect(document.activeElement).toBe($("challenge-user"));
    // Go's view follows with the phrase as stored; what is typed meanwhile stays.
    $<HTMLInputElement>("challenge-user").value = "oper";
    dialog.render(challenge, "blue heron");
    expect($<HTMLInputElement>("challenge-user").value).toBe("oper");
  });

  it("asks for the phrase before the identity provider's page too", () => {
    const { dialog } = setup();
    dialog.render({ ...challenge, url: "https://login.example.com/authorize" }, "");
    expect($("challenge-provider").hidden).toBe(true);
    expect($("challenge-phrase-step").hidden).toBe(false);
    dialog.render({ ...challenge, url: "https://login.example.com/authorize" }, phrase);
    expect($("challenge-provider").hidden).toBe(false);
    expect($("challenge-form").hidden).toBe(true);
  });
});

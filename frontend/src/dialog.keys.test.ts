// The dialog when the page behind took the keyboard (keysaway.ts): what was typed is voided, the
// signer told what may have reached the page and what to do, the rest of their typing goes
// nowhere, Go hears of it for the trail, and only a password typed again signs.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { ChallengeDialog } from "./dialog";
import { keysAwayText } from "./dialogwords";
import { fewKeysWithin, KeyWatch, pauseBefore } from "./keysaway";
import type { Exposure } from "./transport";
import type { Challenge } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
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

let clock = 0;

function setup() {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const actions = {
    answerChallenge: vi.fn<(id: string, user: string, password: string, comment: string) => Promise<{ ok: boolean }>>(async () => ({ ok: true })),
    dismissChallenge: vi.fn(async () => {}),
    setSigningPhrase: vi.fn(async () => ({ ok: true })),
    reportExposure: vi.fn<(id: string, x: Exposure) => Promise<{ ok: boolean }>>(async () => ({ ok: true })),
  };
  return { dialog: new ChallengeDialog(document, actions), actions };
}

/** typeInto types text into a field as a person would: focus, then each key at the clock's pace. */
function typeInto(id: string, text: string, ms = 80) {
  const f = input(id);
  f.focus();
  for (const k of text) {
    clock += ms;
    f.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    f.value += k;
  }
}

/** steal: the page behind takes the keyboard, ms after the last key the dialog heard. */
function steal(ms: number) {
  clock += ms;
  $("content").focus();
  window.dispatchEvent(new Event("blur"));
}

const key = (k: string) => {
  const e = new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true });
  (document.activeElement ?? document.body).dispatchEvent(e);
  return e;
};

beforeEach(() => {
  clock = 1000;
  vi.spyOn(performance, "now").mockImplementation(() => clock);
  window.focus = () => {};
});
afterEach(() => vi.restoreAllMocks());

describe("a page that takes the keyboard while the signer types", () => {
  it("mid-password: the fields voided, the signer told a part may have gone, Go told, the notice has the keyboard", async () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, phrase);
    typeInto("challenge-user", "operator");
    typeInto("challenge-password", "opera");
    steal(20);
    expect(document.getElementById("content")).toBeNull();
    expect(input("challenge-user").value).toBe("");
    expect(input("challenge-password").value).toBe("");
    expect($("challenge-error").textContent).toBe(
      "The page behind took the keyboard and was closed. Some of your password may have reached it, so what you typed was cleared: press Tab and type your user ID and password again.",
    );
    expect(actions.reportExposure).toHaveBeenCalledExactlyOnceWith("c-1", { userId: "operator", field: "password", whole: false });
    await flush();
    expect(document.activeElement).toBe($("challenge-error"));
  });

  it("what the signer goes on typing goes nowhere; Enter signs nothing; Tab leads to User ID; typed again, it signs", async () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, phrase);
    typeInto("challenge-user", "operator");
    typeInto("challenge-password", "opera");
    steal(20);
    await flush();
    for (const k of "tor-demo") key(k); // the rest of the password, on the notice
    key("Enter");
    await flush();
    expect(actions.answerChallenge).not.toHaveBeenCalled();
    expect(input("challenge-password").value).toBe("");
    // A Tab amid that typing is swallowed too: it would carry the password on into User ID.
    expect(key("Tab").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe($("challenge-error"));
    clock += pauseBefore; // the person stopped, read, and goes on
    expect(key("Tab").defaultPrevented).toBe(true);
    expect(document.activeElement).toBe($("challenge-user"));
    typeInto("challenge-user", "operator");
    typeInto("challenge-password", "operator-demo");
    $("challenge-form").dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(actions.answerChallenge).toHaveBeenCalledExactlyOnceWith("c-1", "operator", "operator-demo", "");
  });

  it("after a pause the keyboard may have been away for a whole password: change it", () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, phrase);
    typeInto("challenge-user", "operator");
    steal(fewKeysWithin);
    expect($("challenge-error").textContent).toBe(
      "The page behind took the keyboard and was closed. Your password may have reached it, so what you typed was cleared: press Tab and type your user ID and password again, and change your password after signing.",
    );
    expect(actions.reportExposure).toHaveBeenCalledExactlyOnceWith("c-1", { userId: "operator", field: "user", whole: true });
  });

  it("in User ID, a moment after a key: what was typed just then", () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, phrase);
    typeInto("challenge-user", "oper");
    steal(fewKeysWithin - 1);
    expect($("challenge-error").textContent).toBe(keysAwayText({ field: "user", whole: false }, false));
    expect($("challenge-error").textContent).toContain("What you typed just then may have reached it");
    expect(actions.reportExposure).toHaveBeenCalledExactlyOnceWith("c-1", { userId: "oper", field: "user", whole: false });
  });

  it("at the station's first signing, the phrase: voided, and a different one asked for", async () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, "");
    typeInto("challenge-phrase-input", "kestrel ov");
    steal(10);
    expect(input("challenge-phrase-input").value).toBe("");
    expect($("challenge-error").textContent).toBe(
      "The page behind took the keyboard and was closed. The phrase you typed may have reached it, so it was cleared: press Tab and choose a different phrase.",
    );
    expect(actions.reportExposure).toHaveBeenCalledExactlyOnceWith("c-1", { userId: "", field: "phrase", whole: false });
    await flush();
    clock += pauseBefore;
    key("Tab");
    expect(document.activeElement).toBe($("challenge-phrase-input"));
    expect(actions.setSigningPhrase).not.toHaveBeenCalled();
  });

  it("a page that stopped answering never had the keyboard: nothing is reported", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
    try {
      const { dialog, actions } = setup();
      dialog.render(challenge, phrase);
      vi.spyOn($<HTMLIFrameElement>("content").contentWindow!, "postMessage").mockImplementation(() => {});
      vi.advanceTimersByTime(3000);
      expect(document.getElementById("content")).toBeNull();
      expect(actions.reportExposure).not.toHaveBeenCalled();
      expect(document.activeElement).toBe($("challenge-user"));
    } finally {
      vi.useRealTimers();
    }
  });

  it("a report Go could not take leaves the dialog as it is", async () => {
    const { dialog, actions } = setup();
    actions.reportExposure.mockRejectedValueOnce(new Error("gone"));
    dialog.render(challenge, phrase);
    typeInto("challenge-password", "x");
    steal(5);
    await flush();
    expect($("challenge").hidden).toBe(false);
    expect(document.activeElement).toBe($("challenge-error"));
  });
});

describe("the guard hears of it as early as the chrome can", () => {
  it("a field that loses the keyboard to nothing while the window keeps it: the page is ended then, not at the window's blur", () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, phrase);
    typeInto("challenge-password", "oper");
    vi.spyOn(document, "hasFocus").mockReturnValue(true);
    input("challenge-password").blur(); // Chromium: the focusout before the blur, the keyboard in the page's frame
    expect(document.getElementById("content")).toBeNull();
    expect(actions.reportExposure).toHaveBeenCalledExactlyOnceWith("c-1", { userId: "", field: "password", whole: false });
  });

  it("not when the person pressed a pointer in the chrome, the window lost the keyboard, or the dialog moved it", () => {
    const { dialog, actions } = setup();
    dialog.render(challenge, phrase);
    const focused = vi.spyOn(document, "hasFocus").mockReturnValue(true);
    typeInto("challenge-user", "operator");
    $("challenge-description").dispatchEvent(new Event("pointerdown", { bubbles: true }));
    input("challenge-user").blur(); // a click on the dialog's text
    typeInto("challenge-user", "x");
    clock += 1000;
    focused.mockReturnValue(false);
    input("challenge-user").blur(); // the window went to another application
    focused.mockReturnValue(true);
    typeInto("challenge-user", "x");
    input("challenge-password").focus(); // within the dialog: the focus goes somewhere
    expect(document.getElementById("content")).not.toBeNull();
    expect(actions.reportExposure).not.toHaveBeenCalled();
  });
});

describe("KeyWatch", () => {
  it("names the field that has the keyboard, and none for a button", () => {
    document.body.innerHTML = `<div id="root"><input id="a"><input id="b"><button id="go">Go</button></div>`;
    const f = (id: string) => $<HTMLInputElement>(id);
    const w = new KeyWatch({ user: f("a"), password: f("b"), comment: f("a"), phrase: f("a") }, $("root"), () => clock);
    expect(w.away().field).toBe("");
    f("b").focus();
    expect(w.away()).toEqual({ field: "password", whole: false });
    $("go").focus();
    expect(w.away().field).toBe("");
    clock += fewKeysWithin;
    expect(w.away().whole).toBe(true);
    $("go").dispatchEvent(new KeyboardEvent("keydown", { key: "x", bubbles: true }));
    expect(w.away().whole).toBe(false);
  });
});

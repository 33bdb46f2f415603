import { beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { SettingsPlace, installOffered, isSettingsAnswer, isSettingsValues, texts, type SettingsActions, type SettingsValues } from "./settings";
import type { View } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const flush = () => new Promise((r) => setTimeout(r, 0));
const input = (id: string) => $<HTMLInputElement>(id);

const values: SettingsValues = {
  loginURL: "https://login.example.com",
  redirectPort: 8765,
  signatureStore: "",
  storeInUse: "signatures.db in /var/lib/loginshell",
  installerRole: "Supervisor",
};

function setup(actions: Partial<SettingsActions> = {}) {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const all = {
    settings: vi.fn<NonNullable<SettingsActions["settings"]>>(async () => values),
    saveSettings: vi.fn<NonNullable<SettingsActions["saveSettings"]>>(async () => ({ ok: true, message: "Nothing changed." })),
    ...actions,
  };
  const place = new SettingsPlace(document, all);
  return { place, actions: all };
}

async function opened(actions: Partial<SettingsActions> = {}) {
  const s = setup(actions);
  $("settings-open").focus();
  $("settings-open").click();
  await flush();
  return s;
}

beforeEach(() => {
  document.body.innerHTML = "";
});

describe("SettingsPlace", () => {
  it("index.html draws Settings disabled; it is enabled once its click is wired", () => {
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    expect(($("settings-open") as HTMLButtonElement).disabled).toBe(true);
    setup();
    expect(($("settings-open") as HTMLButtonElement).disabled).toBe(false);
  });

  it("opens from the top bar with the values, the focus in the login server's field, the page inert", async () => {
    const { place } = await opened();
    expect(place.isOpen).toBe(true);
    expect($("settings-place").getAttribute("role")).toBe("dialog");
    expect(input("settings-login-url").value).toBe(values.loginURL);
    expect(input("settings-redirect-port").value).toBe("8765");
    expect(input("settings-signature-store").value).toBe("");
    expect($("settings-store-in-use").textContent).toBe(values.storeInUse);
    expect($("settings-installer").textContent).toBe(texts.role("Supervisor"));
    expect(document.activeElement?.id).toBe("settings-login-url");
    expect($("content").hasAttribute("inert")).toBe(true);
  });

  it("says anyone signed in may install without installer_role, and a random port as an empty field", async () => {
    await opened({ settings: async () => ({ ...values, installerRole: "", redirectPort: 0, storeInUse: "" }) });
    expect($("settings-installer").textContent).toBe(texts.anyone);
    expect(input("settings-redirect-port").value).toBe("");
    expect($("settings-store-in-use").textContent).toBe(texts.storeHere);
  });

  it("sends what was typed and shows Go's words beside the field at fault, which takes the focus", async () => {
    const error = "the login server address is not valid: it has no https:// in front; add https:// (https://login.example.org)";
    const { actions } = await opened({
      saveSettings: vi.fn(async () => ({ ok: false, error, field: "loginURL" as const })),
    });
    input("settings-login-url").value = "login.example.org";
    input("settings-redirect-port").value = " 9000 ";
    $<HTMLFormElement>("settings-form").requestSubmit();
    await flush();
    expect(actions.saveSettings).toHaveBeenCalledWith({ loginURL: "login.example.org", redirectPort: " 9000 ", signatureStore: "" });
    expect($("settings-login-url-error").textContent).toBe(error);
    expect($("settings-login-url-error").getAttribute("role")).toBe("alert");
    expect(input("settings-login-url").getAttribute("aria-invalid")).toBe("true");
    expect(input("settings-redirect-port").hasAttribute("aria-invalid")).toBe(false);
    expect(document.activeElement?.id).toBe("settings-login-url");
    expect($("settings-place").hidden).toBe(false);
  });

  it("clears an old refusal when a save goes through, says what it does, and moves to Close", async () => {
    let n = 0;
    const saveSettings = vi.fn(async () =>
      n++ === 0
        ? { ok: false, error: "redirect_port must be a port number from 1 to 65535, or 0 for a random port", field: "redirectPort" as const }
        : { ok: true, message: "Saved. The redirect port is used from the next sign-in." },
    );
    await opened({ saveSettings });
    $<HTMLFormElement>("settings-form").requestSubmit();
    await flush();
    expect(document.activeElement?.id).toBe("settings-redirect-port");
    $<HTMLFormElement>("settings-form").requestSubmit();
    await flush();
    expect($("settings-redirect-port-error").textContent).toBe("");
    expect(input("settings-redirect-port").hasAttribute("aria-invalid")).toBe(false);
    expect($("settings-result").textContent).toBe("Saved. The redirect port is used from the next sign-in.");
    expect($("settings-result").getAttribute("role")).toBe("status");
    expect(document.activeElement?.id).toBe("settings-close");
  });

  it("closes once a new login server is saved, leaving the focus to the sign-in that comes next", async () => {
    const { place } = await opened({ saveSettings: vi.fn(async () => ({ ok: true, message: "Saved. Signing in at the new login server…" })) });
    input("settings-login-url").value = "https://new.example.com";
    $<HTMLFormElement>("settings-form").requestSubmit();
    await flush();
    expect(place.isOpen).toBe(false);
    expect($("content").hasAttribute("inert")).toBe(false);
    expect(document.activeElement).toBe(document.body);
  });

  it("says so when Go cannot be reached, and never shows a transport error", async () => {
    await opened({ saveSettings: vi.fn(async () => Promise.reject(new Error("shell POST /shell/settings: HTTP 500"))) });
    $<HTMLFormElement>("settings-form").requestSubmit();
    await flush();
    expect($("settings-result").textContent).toBe(texts.unreachable);
    expect($("settings-result").dataset.ok).toBe("false");
  });

  it("says the values could not be read, and offers Close", async () => {
    await opened({ settings: vi.fn(async () => Promise.reject(new Error("no"))) });
    expect($("settings-result").textContent).toBe(texts.loadFailed);
    expect($<HTMLButtonElement>("settings-save").disabled).toBe(true);
    expect(document.activeElement?.id).toBe("settings-close");
  });

  it("closes on Escape and on Close, giving the focus back to the Settings button and the page its keys", async () => {
    const { place } = await opened();
    input("settings-login-url").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(place.isOpen).toBe(false);
    expect(document.activeElement?.id).toBe("settings-open");
    expect($("content").hasAttribute("inert")).toBe(false);
    $("settings-open").click();
    await flush();
    $("settings-close").click();
    expect(place.isOpen).toBe(false);
    expect(document.activeElement?.id).toBe("settings-open");
  });

  it("leaves the content frame inert on close while a sign-in page is over it (its owner's)", async () => {
    const { place } = await opened();
    const over = document.createElement("iframe");
    over.id = "over";
    $("content").after(over);
    place.close();
    expect($("content").hasAttribute("inert")).toBe(true);
    expect(over.hasAttribute("inert")).toBe(false);
  });

  it("keeps Tab inside the place", async () => {
    await opened();
    $("settings-close").focus();
    const tab = new KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true });
    $("settings-close").dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(true);
    expect(document.activeElement?.id).toBe("settings-login-url");
    const back = new KeyboardEvent("keydown", { key: "Tab", shiftKey: true, bubbles: true, cancelable: true });
    $("settings-login-url").dispatchEvent(back);
    expect(document.activeElement?.id).toBe("settings-close");
  });

  it("opens on nothing a page can send: a message posted to the chrome does not open it", async () => {
    const { place } = setup();
    window.postMessage({ loginshell: "settings" }, "*");
    window.postMessage("settings", "*");
    await flush();
    expect(place.isOpen).toBe(false);
  });

  it("does not open under the signature dialog", async () => {
    const { place } = setup();
    $("challenge").hidden = false;
    await place.open();
    expect(place.isOpen).toBe(false);
  });

  it("offers no Settings button where Go has no Settings place", () => {
    setup();
    new SettingsPlace(document, {});
    expect($("settings-open").hidden).toBe(true);
  });
});

describe("installOffered", () => {
  const page: View = { seq: 1, kind: "page", url: "/webapps/lineapp/index.html" };
  it.each<[string, View, boolean]>([
    ["nobody signed in", { ...page, user: null }, false],
    ["a person Go does not let install", { ...page, user: { username: "ann" } }, false],
    ["a person Go lets install", { ...page, user: { username: "sam", mayInstall: true } }, true],
    ["beside a sign-in's password fields", { ...page, auth: true, user: { username: "sam", mayInstall: true } }, false],
    ["while going to the sign-in page", { seq: 1, kind: "navigate", url: "https://idp", user: { username: "sam", mayInstall: true } }, false],
  ])("%s: %s", (_, v, want) => {
    expect(installOffered(v)).toBe(want);
  });
});

describe("the contract's shapes", () => {
  it("accepts Go's values and answers, and refuses others", () => {
    expect(isSettingsValues(values)).toBe(true);
    expect(isSettingsValues({ ...values, redirectPort: "8765" })).toBe(false);
    expect(isSettingsAnswer({ ok: false, error: "x", field: "loginURL" })).toBe(true);
    expect(isSettingsAnswer({ ok: "yes" })).toBe(false);
  });
});

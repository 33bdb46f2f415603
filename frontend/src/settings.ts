// The Settings place: the station's login server, redirect port and signature store, seen and
// changed by the person at the station, and who may install packages. It is the chrome's, as
// trusted as the command line: Go checks every field with the rule its key has everywhere
// (internal/configure) and answers in words, with the field at fault; this module only shows the
// values, sends what was typed and puts each refusal beside its field. No hosted page can open it
// (a page's frame is on another origin and can neither script the chrome nor post it anything it
// listens to) or reach its bindings and endpoints (the token, the key).
import "./settings.css";
import type { Transport } from "./transport";
import type { View } from "./view";

/** What the place shows (configure.Values). */
export interface SettingsValues {
  loginURL: string;
  /** 0: a port picked at each sign-in. */
  redirectPort: number;
  /** "": this computer's own file. */
  signatureStore: string;
  /** Where the running shell keeps signatures (opened at start). */
  storeInUse: string;
  /** "": every signed-in person may install. */
  installerRole: string;
}

/** What the place saves (configure.Change): each field as typed. */
export interface SettingsChange {
  loginURL: string;
  redirectPort: string;
  signatureStore: string;
}

/** The fields a refusal can name (configure.Field...). */
export type SettingsField = keyof SettingsChange;

/** Go's answer to a save (configure.Answer). */
export interface SettingsAnswer {
  ok: boolean;
  error?: string;
  field?: SettingsField | "";
  message?: string;
}

/** isSettingsValues checks the values' shape before the place shows them. */
export function isSettingsValues(x: unknown): x is SettingsValues {
  if (typeof x !== "object" || x === null) return false;
  const v = x as Record<string, unknown>;
  return (
    typeof v.loginURL === "string" &&
    typeof v.redirectPort === "number" &&
    typeof v.signatureStore === "string" &&
    typeof v.storeInUse === "string" &&
    typeof v.installerRole === "string"
  );
}

/** isSettingsAnswer checks an answer's shape before the place trusts it. */
export function isSettingsAnswer(x: unknown): x is SettingsAnswer {
  if (typeof x !== "object" || x === null) return false;
  const a = x as Record<string, unknown>;
  return (
    typeof a.ok === "boolean" &&
    (a.error === undefined || typeof a.error === "string") &&
    (a.field === undefined || typeof a.field === "string") &&
    (a.message === undefined || typeof a.message === "string")
  );
}

/**
 * installOffered says whether the top bar offers Install package… and Install folder…: to a
 * signed-in person Go says may install (the installer_role setting), and never beside a sign-in's
 * password fields or while the window goes to the sign-in page. Go refuses every other install
 * anyway; this only keeps a button from promising what Go would refuse.
 */
export function installOffered(v: View): boolean {
  if (v.kind === "navigate" || (v.kind === "page" && v.auth === true)) return false;
  return v.user?.mayInstall === true;
}

/** Texts decided here rather than by Go. */
export const texts = {
  unreachable: "The shell service is not responding. Check that loginshell is still running, then try again.",
  loadFailed: "The settings could not be read from the shell. Close and open Settings again.",
  saveFailed: "The settings could not be saved. Check the values, then try again.",
  anyone: "Anyone signed in may install packages on this station (installer_role is not set).",
  role: (role: string) =>
    `Only people with the role “${role}” may install packages on this station (installer_role, set in the settings file of the data directory).`,
  storeHere: "this computer's own file",
};

/** The transport calls the place makes. */
export type SettingsActions = Pick<Transport, "settings" | "saveSettings">;

const fieldIds: Record<SettingsField, string> = {
  loginURL: "settings-login-url",
  redirectPort: "settings-redirect-port",
  signatureStore: "settings-signature-store",
};

/**
 * SettingsPlace binds to the Settings elements of index.html by id. Keyboard: the top bar's
 * Settings button opens it with the focus in the first field; Tab stays inside it; Enter in a
 * field saves; Escape or Close closes it and gives the focus back to the button. While it is
 * open the page's frame is inert: no click or Tab reaches it. (A page on another origin can still
 * take the keyboard with window.focus(): Chromium lets it, inert or hidden, WebKitGTK once the
 * person touched the page. Nothing secret is typed here; the signature dialog's guard is where
 * that matters: pageguard.ts.)
 */
export class SettingsPlace {
  private readonly el;
  private opener: HTMLElement | null = null;
  /** The values shown when the place opened, to tell a new login server. */
  private loaded: SettingsValues | undefined;
  /** The page frames this place made inert, and only those, to give back on close. */
  private readonly madeInert = new Set<HTMLElement>();

  constructor(
    private readonly doc: Document,
    private readonly actions: SettingsActions,
  ) {
    const get = (id: string) => {
      const e = doc.getElementById(id);
      if (!e) throw new Error(`settings: #${id} missing from the page`);
      return e;
    };
    this.el = {
      open: get("settings-open") as HTMLButtonElement,
      place: get("settings-place"),
      form: get("settings-form") as HTMLFormElement,
      loginURL: get(fieldIds.loginURL) as HTMLInputElement,
      redirectPort: get(fieldIds.redirectPort) as HTMLInputElement,
      signatureStore: get(fieldIds.signatureStore) as HTMLInputElement,
      storeInUse: get("settings-store-in-use"),
      installer: get("settings-installer"),
      result: get("settings-result"),
      save: get("settings-save") as HTMLButtonElement,
      close: get("settings-close") as HTMLButtonElement,
    };
    // Without the bindings or endpoints (an older Go side) there is no place to open.
    this.el.open.hidden = !actions.settings || !actions.saveSettings;
    this.el.open.addEventListener("click", () => void this.open());
    this.el.open.disabled = false; // index.html draws it disabled until this line
    this.el.close.addEventListener("click", () => this.close());
    this.el.form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.save();
    });
    this.el.place.addEventListener("keydown", (e) => this.key(e));
  }

  /** isOpen says whether the place is on screen. */
  get isOpen(): boolean {
    return !this.el.place.hidden;
  }

  /**
   * open reads the values from Go and shows them, the focus in the login server's field. Not while
   * the signature dialog is open: it keeps the focus, and the place would open under it.
   */
  async open(): Promise<void> {
    if (!this.actions.settings || this.el.open.hidden) return;
    if (this.doc.getElementById("challenge")?.hidden === false) return;
    this.opener = this.doc.activeElement instanceof HTMLElement ? this.doc.activeElement : this.el.open;
    this.clearErrors();
    this.say("", true);
    this.el.place.hidden = false;
    this.pagesInert(true);
    this.el.save.disabled = true;
    let v: SettingsValues | undefined;
    try {
      v = await this.actions.settings();
    } catch {
      v = undefined;
    }
    if (!v) {
      this.say(texts.loadFailed, false);
      this.el.close.focus();
      return;
    }
    this.loaded = v;
    this.fill(v);
    this.el.save.disabled = false;
    this.el.loginURL.focus();
  }

  /**
   * close takes the place away and gives the focus back to what opened it, or with giveBack false
   * to nobody, so the chrome's next view takes it as it would (a sign-in page's field).
   */
  close(giveBack = true): void {
    if (this.el.place.hidden) return;
    this.el.place.hidden = true;
    this.pagesInert(false);
    const back = this.opener && this.opener.isConnected && !this.opener.hidden ? this.opener : this.el.open;
    this.opener = null;
    if (giveBack) back.focus();
    else if (this.doc.activeElement instanceof HTMLElement) this.doc.activeElement.blur();
  }

  /**
   * pagesInert makes the pages' frames inert while the place is open (the content frame, and the
   * frame of a sign-in page over it), so that no click or Tab of the person's reaches a page, and
   * gives back only what it took: the content frame stays inert while a page is over it or the
   * signature dialog is open, whose own the inertness is. Inert does not keep a page from taking
   * the keyboard itself with window.focus() (Chromium lets a frame on another origin do so;
   * see the class's comment): nothing typed here is secret, so the place, unlike the signature
   * dialog and a sign-in page over a page, does not end such a page.
   */
  private pagesInert(on: boolean): void {
    if (on) {
      for (const id of ["content", "over"]) {
        const f = this.doc.getElementById(id);
        if (f && !f.hasAttribute("inert")) {
          f.setAttribute("inert", "");
          this.madeInert.add(f);
        }
      }
      return;
    }
    const othersHold = (f: HTMLElement) =>
      f.id === "content" && (this.doc.getElementById("over") !== null || this.doc.getElementById("challenge")?.hidden === false);
    for (const f of this.madeInert) if (f.isConnected && !othersHold(f)) f.removeAttribute("inert");
    this.madeInert.clear();
  }

  private fill(v: SettingsValues): void {
    this.el.loginURL.value = v.loginURL;
    this.el.redirectPort.value = v.redirectPort > 0 ? String(v.redirectPort) : "";
    this.el.signatureStore.value = v.signatureStore;
    this.el.storeInUse.textContent = v.storeInUse || texts.storeHere;
    this.el.installer.textContent = v.installerRole ? texts.role(v.installerRole) : texts.anyone;
  }

  /** save sends what was typed; a refusal goes beside its field, which takes the focus. */
  private async save(): Promise<void> {
    const save = this.actions.saveSettings;
    if (!save || this.el.save.disabled) return;
    this.el.save.disabled = true;
    this.clearErrors();
    this.say("", true);
    const change = {
      loginURL: this.el.loginURL.value,
      redirectPort: this.el.redirectPort.value,
      signatureStore: this.el.signatureStore.value,
    };
    let a: SettingsAnswer | undefined;
    try {
      a = await save(change);
    } catch {
      a = { ok: false, error: texts.unreachable };
    }
    this.el.save.disabled = false;
    if (a.ok && this.loaded && change.loginURL.trim() !== this.loaded.loginURL) {
      // A new login server: the sign-in there is what comes next, in the view under the place.
      this.close(false);
      return;
    }
    if (a.ok) {
      this.say(a.message ?? "", true);
      this.el.close.focus();
      return;
    }
    const text = a.error || texts.saveFailed;
    const field = a.field && a.field in fieldIds ? (a.field as SettingsField) : undefined;
    if (field) {
      this.fieldError(field, text);
      return;
    }
    this.say(text, false);
    this.el.save.focus();
  }

  private fieldError(field: SettingsField, text: string): void {
    const input = this.el[field];
    const error = this.doc.getElementById(`${fieldIds[field]}-error`);
    if (error) error.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  private clearErrors(): void {
    for (const field of Object.keys(fieldIds) as SettingsField[]) {
      this.el[field].removeAttribute("aria-invalid");
      const error = this.doc.getElementById(`${fieldIds[field]}-error`);
      if (error) error.textContent = "";
    }
  }

  /** say shows the outcome line: news (ok) or a refusal of the place as a whole. */
  private say(text: string, ok: boolean): void {
    this.el.result.textContent = text;
    this.el.result.hidden = text === "";
    this.el.result.dataset.ok = String(ok);
  }

  /** key: Escape closes; Tab and Shift+Tab go round the place's controls, never out of it. */
  private key(e: KeyboardEvent): void {
    if (e.key === "Escape") {
      e.preventDefault();
      this.close();
      return;
    }
    if (e.key !== "Tab") return;
    const controls = Array.from(this.el.place.querySelectorAll<HTMLElement>("input, button")).filter(
      (c) => !c.hidden && !(c as HTMLButtonElement).disabled,
    );
    const first = controls[0];
    const last = controls[controls.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && this.doc.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && this.doc.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }
}

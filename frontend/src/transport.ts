// The one place that decides how the chrome talks to Go: Wails bindings in window mode,
// same-origin HTTP in browser mode (`serve`), one frontend for both as getAlby/hub does.
//
// In window mode every message the chrome posts on the window's message channel starts with a
// per-run secret (prefixChannel): WebKitGTK hands that channel to hosted pages' frames too, and Go
// drops every message without the secret (app/channel.go), so a page can post nothing that counts.
//
// Window mode relies on the Wails v2 asset server injecting /wails/ipc.js and /wails/runtime.js
// at the top of <head> of index.html (see index.html): both are classic scripts, so they have run
// before this deferred module, and window.go.app.Shell is there when pickTransport looks.
import {
  isInstallEvent,
  isInstallResult,
  isView,
  type AnswerResult,
  type CancelResult,
  type ConfigureResult,
  type InstallEvent,
  type InstallResult,
  type View,
} from "./view";
import { isSettingsAnswer, isSettingsValues, type SettingsAnswer, type SettingsChange, type SettingsValues } from "./settings";
import { browserDeps, checked, checkedResult, httpTransport, upload, type HttpDeps } from "./transporthttp";

export { keyFrom, type HttpDeps } from "./transporthttp";

/** How the chrome reaches Go. Errors are transport failures, never text for the user. */
export interface Transport {
  readonly mode: "wails" | "http";
  view(): Promise<View>;
  /**
   * firstView is the view the window handed with its token (GET /shell/token), to draw before
   * view() answers: one round trip through the web view fewer before the first page's frame
   * starts loading. Undefined when there is none; view() is still asked (it also tells Go that
   * the chrome is back), and the same view twice is drawn once (Chrome.render's seq).
   */
  firstView?(): Promise<View | undefined>;
  retry(): Promise<void>;
  cancel(): Promise<CancelResult>;
  /**
   * configure asks Go to store loginURL as the login server and sign in again; a refused address
   * resolves with ok false and the rule it breaks. The next view arrives through subscribe.
   */
  configure(loginURL: string): Promise<ConfigureResult>;
  /**
   * subscribe delivers every view Go pushes, and a fresh one after a reconnect; onLink reports
   * whether the live channel is up (always true in window mode); onInstall gets the progress and
   * result of every install, whoever started it. Returns an unsubscribe function.
   */
  subscribe(
    onView: (v: View) => void,
    onLink?: (up: boolean) => void,
    onInstall?: (e: InstallEvent) => void,
  ): () => void;
  /**
   * answerChallenge signs the open challenge with what the dialog took; ok false carries the text
   * to show in the dialog (wrong password, not entitled, ...), and closed true when that refusal
   * ended the challenge (signed by someone else meanwhile). The password goes to Go only.
   */
  answerChallenge(id: string, userId: string, password: string, comment: string): Promise<AnswerResult>;
  /** dismissChallenge closes the challenge without signing (Cancel, Escape): an error outcome. */
  dismissChallenge(id: string): Promise<void>;
  /**
   * reportExposure tells Go that the dialog closed the page behind it because the page took the
   * keyboard: an alert in the audit trail (signature.Exposure). The challenge stays open.
   */
  reportExposure(id: string, x: Exposure): Promise<ConfigureResult>;
  /**
   * reportSignInExposure tells Go that the chrome closed the page behind a sign-in page because
   * the page took the keyboard: an alert in the audit trail naming the pages as Go's screen shows
   * them (shell.Shell.SignInExposed). whole: long enough for a whole password.
   */
  reportSignInExposure?(whole: boolean): Promise<ConfigureResult>;
  /**
   * setSigningPhrase stores the station's signing phrase, chosen in the dialog at the first
   * signing; ok false carries the rule it breaks (or that one is chosen already). The next view
   * carries it.
   */
  setSigningPhrase(phrase: string): Promise<ConfigureResult>;
  /** Window mode: Go asks for a package (a .zip, or with folder a folder) in the system's dialog and installs it. */
  pickPackage?(folder?: boolean): Promise<InstallResult>;
  /**
   * Window mode: a file was dropped on the chrome, but the engine gave the chrome no bytes
   * (WebKitGTK never does): Go installs the file GTK reported for that drop.
   */
  installDrop?(): Promise<InstallResult>;
  /** Window mode: the person said yes to a "confirm" result; Go installs that same package. */
  confirmInstall?(): Promise<InstallResult>;
  /**
   * Uploads a package (one dropped on the chrome, or chosen in a browser) to POST /shell/install;
   * onSent reports bytes sent. With replace, the person has said yes to a "confirm" result for
   * this file.
   */
  uploadPackage?(file: Blob, onSent: (sent: number, total: number) => void, replace?: boolean): Promise<InstallResult>;
  /** The Settings place's values (GET /shell/settings, the Settings binding). */
  settings?(): Promise<SettingsValues>;
  /**
   * Saves the Settings place (POST /shell/settings, the SaveSettings binding): a refusal resolves
   * with ok false, its words and the field at fault.
   */
  saveSettings?(change: SettingsChange): Promise<SettingsAnswer>;
  /** Window mode: calls open whenever the window's Shell menu asks for Settings (Ctrl+,). */
  onSettingsAsked?(open: () => void): void;
}

/** What the dialog reports of a page that took the keyboard (Go's signature.Exposure). */
export interface Exposure {
  /** What User ID held, as typed. */
  userId: string;
  /** The field that had the keyboard: "user", "password", "comment", "phrase", or "" for none. */
  field: string;
  /** The keyboard may have been away long enough for a whole password. */
  whole: boolean;
}

/**
 * The bound Go struct app.Shell as Wails exposes it. Every call carries the chrome's token first:
 * the window's message channel reaches hosted pages' frames too, and Go refuses a call without it.
 */
export interface ShellBindings {
  View(token: string): Promise<View>;
  Retry(token: string): Promise<void>;
  Cancel(token: string): Promise<CancelResult>;
  Configure?(token: string, loginURL: string): Promise<ConfigureResult>;
  PickPackage?(token: string, folder: boolean): Promise<InstallResult>;
  InstallDrop?(token: string): Promise<InstallResult>;
  ConfirmInstall?(token: string): Promise<InstallResult>;
  AnswerChallenge(token: string, id: string, userId: string, password: string, comment: string): Promise<AnswerResult>;
  DismissChallenge(token: string, id: string): Promise<void>;
  ReportExposure?(token: string, id: string, x: Exposure): Promise<ConfigureResult>;
  ReportSignInExposure?(token: string, whole: boolean): Promise<ConfigureResult>;
  SetSigningPhrase?(token: string, phrase: string): Promise<ConfigureResult>;
  Settings?(token: string): Promise<SettingsValues>;
  SaveSettings?(token: string, change: SettingsChange): Promise<SettingsAnswer>;
}

/** What GET /shell/token gives the window's chrome, on its own origin only. */
export interface Secrets {
  /** The bindings' token: first in every binding call, and in the key header of every request. */
  token: string;
  /** The prefix of every message on the window's message channel ("" when Go needs none). */
  channel: string;
  /** What the window showed when the token was asked for (Transport.firstView). */
  view?: View;
}

/**
 * secretsOf reads the chrome's secrets from its own origin (GET /shell/token), once; a page on
 * another origin cannot read that answer. Go answers only once the message channel is guarded.
 */
export function secretsOf(fetcher: typeof fetch): () => Promise<Secrets> {
  let secrets: Promise<Secrets> | undefined;
  return () => {
    secrets ??= fetcher("/shell/token", { headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`shell token: HTTP ${r.status}`))))
      .then((x: unknown) => {
        const { token, channel, view } = (x ?? {}) as { token?: unknown; channel?: unknown; view?: unknown };
        if (typeof token !== "string" || token === "" || typeof channel !== "string") {
          throw new Error("shell token: malformed answer");
        }
        // A view that is not one is left out: view() asks for it anyway.
        return isView(view) ? { token, channel, view } : { token, channel };
      });
    secrets.catch(() => (secrets = undefined)); // a failure is retried by the next call
    return secrets;
  };
}

/**
 * prefixChannel makes Wails' runtime put the channel's prefix before every message it posts for
 * the chrome (Wails calls window.WailsInvoke for each: binding calls, events, window commands).
 * A message posted before the prefix is known waits for it; the order is kept.
 */
export function prefixChannel(win: WailsGlobals, secrets: () => Promise<Secrets>): void {
  const post = win.WailsInvoke;
  if (typeof post !== "function") return;
  let prefix: string | undefined;
  const waiting: string[] = [];
  win.WailsInvoke = (message: string) => {
    if (prefix !== undefined) {
      post.call(win, prefix + message);
      return;
    }
    waiting.push(message);
    secrets().then(
      (s) => {
        prefix = s.channel;
        for (const m of waiting.splice(0)) post.call(win, prefix + m);
      },
      () => {}, // the next message asks again
    );
  };
}

/** The parts of window that Wails injects. */
export interface WailsGlobals {
  go?: { app?: { Shell?: ShellBindings } };
  runtime?: {
    EventsOn(name: string, cb: (...data: unknown[]) => void): (() => void) | void;
  };
  /** Posts a message on the window's message channel (Wails' ipc.js); prefixChannel wraps it. */
  WailsInvoke?: (message: string) => void;
}

/**
 * pickTransport returns the Wails transport when window.go.app.Shell exists, HTTP otherwise. In
 * window mode it prefixes the message channel first, and uploads with http's XMLHttpRequest.
 */
export function pickTransport(win: WailsGlobals, http?: HttpDeps, secrets?: () => Promise<Secrets>): Transport {
  const shell = win.go?.app?.Shell;
  if (shell) {
    const s = secrets ?? secretsOf((input, init) => globalThis.fetch(input, init));
    prefixChannel(win, s);
    return wailsTransport(shell, win.runtime, s, http?.XMLHttpRequest ?? globalThis.XMLHttpRequest);
  }
  return httpTransport(http ?? browserDeps());
}

function wailsTransport(
  shell: ShellBindings,
  runtime: WailsGlobals["runtime"],
  secrets: () => Promise<Secrets>,
  xhr: HttpDeps["XMLHttpRequest"],
): Transport {
  const token = async () => (await secrets()).token;
  const t: Transport = {
    mode: "wails",
    view: async () => checked(await shell.View(await token())),
    firstView: async () => (await secrets()).view,
    retry: async () => shell.Retry(await token()),
    cancel: async () => shell.Cancel(await token()),
    answerChallenge: async (id, userId, password, comment) =>
      checkedResult(await shell.AnswerChallenge(await token(), id, userId, password, comment), "AnswerChallenge"),
    dismissChallenge: async (id) => shell.DismissChallenge(await token(), id),
    reportExposure: async (id, x) => {
      if (!shell.ReportExposure) throw new Error("shell ReportExposure: not bound");
      return checkedResult(await shell.ReportExposure(await token(), id, x), "ReportExposure");
    },
    reportSignInExposure: async (whole) => {
      if (!shell.ReportSignInExposure) throw new Error("shell ReportSignInExposure: not bound");
      return checkedResult(await shell.ReportSignInExposure(await token(), whole), "ReportSignInExposure");
    },
    setSigningPhrase: async (phrase) => {
      if (!shell.SetSigningPhrase) throw new Error("shell SetSigningPhrase: not bound");
      return checkedResult(await shell.SetSigningPhrase(await token(), phrase), "SetSigningPhrase");
    },
    configure: async (loginURL) => {
      // An older binary has no Configure binding: a transport failure, like a broken answer.
      if (!shell.Configure) throw new Error("shell Configure: not bound");
      return checkedResult(await shell.Configure(await token(), loginURL), "Configure");
    },
    // A package dropped on the chrome, where the engine gives its bytes (WebView2): they go to the
    // chrome's own endpoint with the token.
    uploadPackage: async (file, onSent, replace) =>
      upload({ XMLHttpRequest: xhr, key: await token() }, file, onSent, replace === true),
    subscribe(onView, onLink, onInstall) {
      // Without the runtime there are no live updates; say so instead of failing wiring.
      onLink?.(runtime !== undefined);
      if (!runtime) return () => {};
      const offs = [
        runtime.EventsOn("view", (data) => {
          if (isView(data)) onView(data);
        }),
      ];
      if (onInstall) {
        offs.push(
          runtime.EventsOn("install", (data) => {
            if (isInstallEvent(data)) onInstall(data);
          }),
        );
      }
      return () => offs.forEach((off) => typeof off === "function" && off());
    },
  };
  const confirm = shell.ConfirmInstall;
  if (confirm) {
    t.confirmInstall = async () => {
      const r: unknown = await confirm.call(shell, await token());
      if (!isInstallResult(r)) throw new Error("shell ConfirmInstall: malformed answer");
      return r;
    };
  }
  const drop = shell.InstallDrop;
  if (drop) {
    t.installDrop = async () => {
      const r: unknown = await drop.call(shell, await token());
      if (!isInstallResult(r)) throw new Error("shell InstallDrop: malformed answer");
      return r;
    };
  }
  const pick = shell.PickPackage;
  if (pick) {
    t.pickPackage = async (folder) => {
      const r: unknown = await pick.call(shell, await token(), folder === true);
      if (!isInstallResult(r)) throw new Error("shell PickPackage: malformed answer");
      return r;
    };
  }
  const read = shell.Settings;
  const write = shell.SaveSettings;
  if (read && write && runtime) {
    t.onSettingsAsked = (open) => void runtime.EventsOn("settings", () => open());
  }
  if (read && write) {
    t.settings = async () => {
      const v: unknown = await read.call(shell, await token());
      if (!isSettingsValues(v)) throw new Error("shell Settings: malformed answer");
      return v;
    };
    t.saveSettings = async (change) => {
      const a: unknown = await write.call(shell, await token(), change);
      if (!isSettingsAnswer(a)) throw new Error("shell SaveSettings: malformed answer");
      return a;
    };
  }
  return t;
}

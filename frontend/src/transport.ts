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
  isResult,
  isView,
  type AnswerResult,
  type CancelResult,
  type ConfigureResult,
  type InstallEvent,
  type InstallResult,
  type View,
} from "./view";
import { isSettingsAnswer, isSettingsValues, type SettingsAnswer, type SettingsChange, type SettingsValues } from "./settings";

/** How the chrome reaches Go. Errors are transport failures, never text for the user. */
export interface Transport {
  readonly mode: "wails" | "http";
  view(): Promise<View>;
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
        const { token, channel } = (x ?? {}) as { token?: unknown; channel?: unknown };
        if (typeof token !== "string" || token === "" || typeof channel !== "string") {
          throw new Error("shell token: malformed answer");
        }
        return { token, channel };
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

/** What browser mode needs from the environment; tests hand in fakes. */
export interface HttpDeps {
  fetch: typeof fetch;
  EventSource: new (url: string) => EventSource;
  setTimeout: (fn: () => void, ms: number) => unknown;
  /** For uploads: fetch reports no upload progress. */
  XMLHttpRequest?: new () => XMLHttpRequest;
  /**
   * The browser mode's per-run key, from the URL the serve command printed. It goes with every
   * request as a header (and in the event stream's URL, which can carry no header); it is never
   * put in a cookie, since cookies reach every server on 127.0.0.1 whatever its port.
   */
  key?: string;
}

/** The header that carries the key, or in window mode the token (gateway.KeyHeader). */
const keyHeader = "X-Loginshell-Key";

/** keyFrom reads the key from the chrome's own address (?key=...). */
export function keyFrom(search: string): string {
  return new URLSearchParams(search).get("key") ?? "";
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

function browserDeps(): HttpDeps {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    EventSource: globalThis.EventSource,
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    XMLHttpRequest: globalThis.XMLHttpRequest,
    key: keyFrom(globalThis.location?.search ?? ""),
  };
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

/** Delays before reopening an event stream the browser gave up on, in ms. */
const backoff = [1000, 2000, 5000, 10000, 30000];

function httpTransport(deps: HttpDeps): Transport {
  const view = async () => checked(await (await call(deps, "GET", "/shell/view")).json());
  return {
    mode: "http",
    view,
    retry: async () => {
      await call(deps, "POST", "/shell/retry");
    },
    cancel: async () => {
      const r: unknown = await (await call(deps, "POST", "/shell/cancel")).json();
      if (typeof r !== "object" || r === null || typeof (r as CancelResult).ok !== "boolean") {
        throw new Error("shell cancel: malformed answer");
      }
      return r as CancelResult;
    },
    // A refused answer (wrong password, ...) is 200 with ok false, like configure.
    answerChallenge: async (id, userId, password, comment) =>
      checkedResult(
        await (
          await call(deps, "POST", `/shell/challenge/${encodeURIComponent(id)}`, { userId, password, comment })
        ).json(),
        "challenge",
      ),
    dismissChallenge: async (id) => {
      await call(deps, "DELETE", `/shell/challenge/${encodeURIComponent(id)}`);
    },
    reportExposure: async (id, x) =>
      checkedResult(await (await call(deps, "POST", `/shell/challenge/${encodeURIComponent(id)}/exposed`, x)).json(), "exposed"),
    reportSignInExposure: async (whole) =>
      checkedResult(await (await call(deps, "POST", "/shell/signin/exposed", { whole })).json(), "signin/exposed"),
    // A refused phrase answers 200 with ok false, like configure.
    setSigningPhrase: async (phrase) =>
      checkedResult(await (await call(deps, "POST", "/shell/signing-phrase", { phrase })).json(), "signing-phrase"),
    // A refused address answers 200 with ok false; any other status is a transport failure.
    configure: async (loginURL) =>
      checkedResult(await (await call(deps, "POST", "/shell/configure", { login_url: loginURL })).json(), "configure"),
    uploadPackage: (file, onSent, replace) => upload(deps, file, onSent, replace === true),
    settings: async () => {
      const v: unknown = await (await call(deps, "GET", "/shell/settings")).json();
      if (!isSettingsValues(v)) throw new Error("shell settings: malformed answer");
      return v;
    },
    // A refused value answers 200 with ok false and the field, like configure.
    saveSettings: async (change) => {
      const a: unknown = await (await call(deps, "POST", "/shell/settings", change)).json();
      if (!isSettingsAnswer(a)) throw new Error("shell settings: malformed answer");
      return a;
    },
    subscribe(onView, onLink, onInstall) {
      let es: EventSource | undefined;
      let closed = false;
      let failures = 0;
      const open = () => {
        if (closed) return;
        es = new deps.EventSource(deps.key ? `/shell/events?key=${encodeURIComponent(deps.key)}` : "/shell/events");
        es.addEventListener("view", (e) => {
          const v = parse((e as MessageEvent<string>).data);
          if (v) onView(v);
        });
        es.addEventListener("install", (e) => {
          const x = parseJSON((e as MessageEvent<string>).data);
          if (isInstallEvent(x)) onInstall?.(x);
        });
        // Every (re)open may have missed events while down: fetch the current view.
        es.addEventListener("open", () => {
          failures = 0;
          onLink?.(true);
          view().then(onView, () => {});
        });
        es.addEventListener("error", () => {
          onLink?.(false);
          // The browser retries by itself unless the stream is CLOSED (e.g. a non-200 answer).
          if (es?.readyState !== 2) return;
          const ms = backoff[Math.min(failures++, backoff.length - 1)] ?? 30000;
          deps.setTimeout(open, ms);
        });
      };
      open();
      return () => {
        closed = true;
        es?.close();
      };
    },
  };
}

/** call sends one request to the shell; a body goes as JSON. */
async function call(deps: HttpDeps, method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (deps.key) headers[keyHeader] = deps.key;
  const init: RequestInit = { method, credentials: "same-origin", headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await deps.fetch(path, init);
  if (!r.ok) throw new Error(`shell ${method} ${path}: HTTP ${r.status}`);
  return r;
}

/**
 * upload POSTs the raw file (Content-Type application/zip, what the endpoint accepts whatever the
 * file's own type) with XMLHttpRequest, the one browser API that reports upload progress. Every
 * answer carrying a result resolves, whatever its status (409 busy, 422 refused); anything else
 * rejects, as a transport failure.
 */
function upload(
  deps: { XMLHttpRequest?: HttpDeps["XMLHttpRequest"] | undefined; key?: string | undefined },
  file: Blob,
  onSent: (sent: number, total: number) => void,
  replace: boolean,
): Promise<InstallResult> {
  return new Promise((resolve, reject) => {
    if (!deps.XMLHttpRequest) {
      reject(new Error("shell install: XMLHttpRequest is unavailable"));
      return;
    }
    const xhr = new deps.XMLHttpRequest();
    xhr.open("POST", replace ? "/shell/install?replace=1" : "/shell/install");
    xhr.setRequestHeader("Content-Type", "application/zip");
    xhr.setRequestHeader("Accept", "application/json");
    if (deps.key) xhr.setRequestHeader(keyHeader, deps.key);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onSent(e.loaded, e.total);
    });
    xhr.addEventListener("load", () => {
      const r = parseJSON(String(xhr.responseText));
      if (isInstallResult(r)) resolve(r);
      else reject(new Error(`shell POST /shell/install: HTTP ${xhr.status}`));
    });
    xhr.addEventListener("error", () => reject(new Error("shell POST /shell/install: network error")));
    xhr.addEventListener("abort", () => reject(new Error("shell POST /shell/install: aborted")));
    xhr.send(file);
  });
}

function parseJSON(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function parse(data: string): View | undefined {
  const v = parseJSON(data);
  return isView(v) ? v : undefined;
}

function checkedResult(r: unknown, what: string): AnswerResult {
  if (!isResult(r)) throw new Error(`shell ${what}: malformed answer`);
  return r;
}

function checked(v: unknown): View {
  if (!isView(v)) throw new Error("shell view: malformed view");
  return v;
}

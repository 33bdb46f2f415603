// Browser mode (`serve`): the chrome talks to Go over same-origin HTTP, and hears it on an event
// stream. Window mode (transport.ts) shares its upload, for a package dropped on the chrome, and its
// checks of Go's answers.
import {
  isInstallEvent,
  isInstallResult,
  isResult,
  isView,
  type AnswerResult,
  type CancelResult,
  type InstallResult,
  type View,
} from "./view";
import { isSettingsAnswer, isSettingsValues } from "./settings";
import type { Transport } from "./transport";

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

export function browserDeps(): HttpDeps {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    EventSource: globalThis.EventSource,
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    XMLHttpRequest: globalThis.XMLHttpRequest,
    key: keyFrom(globalThis.location?.search ?? ""),
  };
}

/** Delays before reopening an event stream the browser gave up on, in ms. */
const backoff = [1000, 2000, 5000, 10000, 30000];

export function httpTransport(deps: HttpDeps): Transport {
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
export function upload(
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

export function checkedResult(r: unknown, what: string): AnswerResult {
  if (!isResult(r)) throw new Error(`shell ${what}: malformed answer`);
  return r;
}

export function checked(v: unknown): View {
  if (!isView(v)) throw new Error("shell view: malformed view");
  return v;
}

// The View contract shared with Go: the whole state of the chrome in one object.

/** What Go asks the chrome to show. Newer views carry a higher seq. */
export interface View {
  /** Increases with every change; a view with a lower seq than one already shown is stale. */
  seq: number;
  kind: "loading" | "page" | "error" | "navigate";
  /** page: the iframe src, relative to pages; navigate: the address this window goes to. */
  url?: string;
  title?: string;
  /** Loading and error text, already safe to show. */
  message?: string;
  /** The page is an authentication page (login, setup, manage): the chrome offers Cancel. */
  auth?: boolean;
  /**
   * An authentication page a page opened: shown over that page, which stays loaded behind it so
   * the request that opened it (POST /auth/update, say) gets its answer when the flow ends.
   */
  over?: boolean;
  /** An error view that offers to set the login server (no login_url and no offline sign-in). */
  configure?: boolean;
  /** Error view: its heading, what happened in an operator's words. */
  heading?: string;
  /** Error view: the label of its one action (it starts the sign-in again). */
  action?: string;
  /** Error view with configure: the login server tried, to correct in place. */
  loginURL?: string;
  /** Error view of an outcome the person chose (a cancelled sign-in): no failure colours. */
  calm?: boolean;
  /**
   * Who is signed in; offline when with the offline password; mayInstall when Go lets this person
   * install packages (signed in, and with the installer_role setting's role when it names one).
   */
  user?: { username: string; name?: string; offline?: boolean; mayInstall?: boolean } | null;
  online?: boolean;
  /** The person chose to work offline (--offline): the login server is never asked. */
  offlineChosen?: boolean;
  version?: string;
  /** The origin hosted pages are served from (http://p….localhost:PORT), never the chrome's. */
  pages?: string;
  /** The name of the page shown (system.page of the signature SDK). */
  page?: string;
  /** A signature challenge the shell's own dialog asks over the page. */
  challenge?: Challenge | null;
  /** With a challenge: the station's signing phrase the genuine dialog shows ("" or absent: none chosen yet). */
  signingPhrase?: string;
  /** Counts reloads: a new count with the same url loads the page again (run from source). */
  reload?: number;
  /** A line the top bar shows over every view while it is set: a signature alert (any station). */
  notice?: string;
  /** Page view: the --package folder the page is served from as it is (the "live from" mark). */
  live?: string;
  /** --package folders that do not load: the page area says what check says of them until fixed. */
  broken?: LiveFolder[];
}

/** A --package folder that does not load, with what `loginshell check` says of it. */
export interface LiveFolder {
  folder: string;
  name?: string;
  problems?: Problem[];
}

/** A signature challenge (internal/signature Challenge): what the dialog shows. No secret. */
export interface Challenge {
  id: string;
  requestName: string;
  description: string;
  template: string;
  meaning: string;
  clause: string;
  /** Approve or reject: what the signature means, chosen by the page's trigger. */
  approve: boolean;
  requireComment: boolean;
  expires: string;
  /** A sign-in at the identity provider's own page: the dialog frames it instead of asking here. */
  url?: string;
  /** The hash of what is signed (signature.ContentHash), shown as a fingerprint. */
  content?: string;
  /** The record the request signs, if it has one. */
  record?: string;
  /** Which signature of the request this is, from 1, of slots. */
  position?: number;
  slots?: number;
  /** Who may give it, in words ("a supervisor", "Sam Supervisor"). */
  who?: string;
  /** The template's forceUniqueUser and ordered, as the request was queued. */
  unique?: boolean;
  ordered?: boolean;
  /** The request's signatures given before this challenge was raised. */
  given?: Given[];
}

/** A signature the challenge's request already holds (signature.Given). */
export interface Given {
  position: number;
  printedName: string;
  userId: string;
  signedAt: string;
  approve: boolean;
}

/** isChallenge checks a challenge's shape before the dialog trusts it. */
export function isChallenge(x: unknown): x is Challenge {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Record<string, unknown>;
  return (
    typeof c.id === "string" &&
    c.id !== "" &&
    typeof c.requestName === "string" &&
    typeof c.meaning === "string" &&
    typeof c.approve === "boolean"
  );
}

/** Answer of Cancel; error is text safe to show. */
export interface CancelResult {
  ok: boolean;
  error?: string;
}

/**
 * Answer of a signature challenge; closed: the refusal ended the challenge (signed by someone else
 * meanwhile); confirm: the error is a question to the signer, whose next answer signs.
 */
export interface AnswerResult extends CancelResult {
  closed?: boolean;
  confirm?: boolean;
}

/** Answer of Configure (setting the login server); error is text safe to show. */
export type ConfigureResult = CancelResult;

/** isResult checks the shape of an {ok, error?} answer before the chrome trusts it. */
export function isResult(x: unknown): x is AnswerResult {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.ok === "boolean" &&
    (r.error === undefined || typeof r.error === "string") &&
    (r.closed === undefined || typeof r.closed === "boolean") &&
    (r.confirm === undefined || typeof r.confirm === "boolean")
  );
}

const kinds: ReadonlySet<string> = new Set(["loading", "page", "error", "navigate"]);

/**
 * isView checks the shape of a value received from Go before the chrome trusts it, so a
 * malformed message is dropped instead of breaking rendering halfway.
 */
export function isView(x: unknown): x is View {
  if (typeof x !== "object" || x === null) return false;
  const v = x as Record<string, unknown>;
  return (
    typeof v.seq === "number" &&
    Number.isFinite(v.seq) &&
    typeof v.kind === "string" &&
    kinds.has(v.kind) &&
    (v.url === undefined || typeof v.url === "string") &&
    (v.pages === undefined || typeof v.pages === "string") &&
    (v.notice === undefined || typeof v.notice === "string") &&
    (v.live === undefined || typeof v.live === "string") &&
    (v.broken === undefined || (Array.isArray(v.broken) && v.broken.every(isLiveFolder)))
  );
}

function isLiveFolder(x: unknown): x is LiveFolder {
  if (typeof x !== "object" || x === null) return false;
  const l = x as Record<string, unknown>;
  return typeof l.folder === "string" && (l.problems === undefined || (Array.isArray(l.problems) && l.problems.every(isProblem)));
}

function isProblem(p: unknown): p is Problem {
  return (
    typeof p === "object" &&
    p !== null &&
    typeof (p as Problem).file === "string" &&
    typeof (p as Problem).rule === "string" &&
    typeof (p as Problem).message === "string"
  );
}

// The install contract shared with Go (internal/install): the Wails event and the SSE event
// "install" carry an InstallEvent; PickPackage and POST /shell/install answer an InstallResult.

/** One finding of `loginshell check`, exactly as it reports it. file is "" for the package. */
export interface Problem {
  file: string;
  rule: string;
  message: string;
  severity: "error" | "warning" | "note";
}

/**
 * How an install ended ("done"), why it did not start ("refused", "cancelled"), or the question
 * it stopped at ("confirm": the package replaces one the shell has; install it again with replace).
 */
export interface InstallResult {
  phase: "done" | "refused" | "cancelled" | "confirm";
  ok: boolean;
  cancelled?: boolean;
  name: string;
  version: string;
  /** One sentence a person can act on, safe to show. */
  message: string;
  problems: Problem[];
  /** confirm: the version the shell has now ("" or absent when it is the bundled one). */
  replaces?: string;
  /** confirm: the package replaced is the offline sign-in package. */
  offline?: boolean;
}

/** Bytes written so far of the package's declared total (total 0: not known yet). */
export interface InstallProgress {
  phase: "installing";
  done: number;
  total: number;
}

export type InstallEvent = InstallProgress | InstallResult;

const endings: ReadonlySet<string> = new Set(["done", "refused", "cancelled", "confirm"]);

/** isInstallResult checks an answer's shape before the chrome shows it. */
export function isInstallResult(x: unknown): x is InstallResult {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r.phase === "string" &&
    endings.has(r.phase) &&
    typeof r.ok === "boolean" &&
    typeof r.message === "string" &&
    Array.isArray(r.problems) &&
    r.problems.every(isProblem)
  );
}

/** isInstallEvent checks an event's shape: progress or a result. */
export function isInstallEvent(x: unknown): x is InstallEvent {
  if (typeof x !== "object" || x === null) return false;
  const e = x as Record<string, unknown>;
  if (e.phase === "installing") return typeof e.done === "number" && typeof e.total === "number";
  return isInstallResult(x);
}

/**
 * problemLine renders a problem as `loginshell check` prints it (check.Problem.Line):
 * `file: severity: rule: message`, "package" for the package as a whole, each line labelled
 * error, warning or note.
 */
export function problemLine(p: Problem): string {
  // Like check, quote names a hostile zip filled with control characters or broken UTF-8.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const file = /[\u0000-\u001f\u007f-\u009f\ufffd]/.test(p.file) ? JSON.stringify(p.file) : p.file;
  return `${file || "package"}: ${p.severity}: ${p.rule}: ${p.message}`;
}

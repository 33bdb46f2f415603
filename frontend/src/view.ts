// The View contract shared with Go: the whole state of the chrome in one object.

/** What Go asks the chrome to show. Newer views carry a higher seq. */
export interface View {
  /** Increases with every change; a view with a lower seq than one already shown is stale. */
  seq: number;
  kind: "loading" | "page" | "error" | "navigate";
  /** page: the iframe src (same origin); navigate: the address this window goes to. */
  url?: string;
  title?: string;
  /** Loading and error text, already safe to show. */
  message?: string;
  /** The page is an authentication page (login, setup, manage): the chrome offers Cancel. */
  auth?: boolean;
  user?: { username: string; name?: string } | null;
  online?: boolean;
  version?: string;
}

/** Answer of Cancel; error is text safe to show. */
export interface CancelResult {
  ok: boolean;
  error?: string;
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
    (v.url === undefined || typeof v.url === "string")
  );
}

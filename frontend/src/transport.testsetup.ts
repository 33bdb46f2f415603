// What the transport's unit tests share: the Wails globals and the browser mode's fetch and
// EventSource as fakes the tests drive by hand.
import { vi } from "vitest";
import type { HttpDeps, Secrets, ShellBindings, WailsGlobals } from "./transport";
import type { InstallResult, View } from "./view";

export const page: View = { seq: 3, kind: "page", url: "/webapps/a/index.html", title: "A" };

/** The chrome's secrets, as GET /shell/token would give them. */
export const tok = () => Promise.resolve<Secrets>({ token: "tok", channel: "" });

export function fakeWails() {
  const handlers = new Map<string, (...data: unknown[]) => void>();
  const off = vi.fn();
  const shell: ShellBindings = {
    View: vi.fn(async () => page),
    Retry: vi.fn(async () => {}),
    Cancel: vi.fn(async () => ({ ok: false, error: "Sign-in is finishing." })),
    AnswerChallenge: vi.fn(async () => ({ ok: true })),
    DismissChallenge: vi.fn(async () => {}),
  };
  const win: WailsGlobals = {
    go: { app: { Shell: shell } },
    runtime: {
      EventsOn: (name, cb) => {
        handlers.set(name, cb);
        return off;
      },
    },
  };
  return { win, shell, handlers, off };
}

/** A stand-in EventSource the tests drive by hand. */
export class FakeEventSource extends EventTarget {
  static all: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  emit(data: string) {
    this.dispatchEvent(new MessageEvent("view", { data }));
  }
}

export function fakeHttp(answers: Record<string, () => Response>) {
  FakeEventSource.all = [];
  const calls: string[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const deps: HttpDeps = {
    fetch: vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const key = `${init?.method ?? "GET"} ${String(input)}`;
      calls.push(key);
      const answer = answers[key];
      return answer ? answer() : new Response("not found", { status: 404 });
    }),
    EventSource: FakeEventSource as unknown as HttpDeps["EventSource"],
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
  };
  return { deps, calls, timers };
}

export const jsonOf = (x: unknown) => () =>
  new Response(JSON.stringify(x), { headers: { "Content-Type": "application/json" } });

export const flush = () => new Promise((r) => setTimeout(r, 0));

/** A package installed, as Go reports it (the install tests' result). */
export const installed: InstallResult = {
  phase: "done",
  ok: true,
  name: "lineapp",
  version: "1.2.0",
  message: "Installed lineapp 1.2.0. It is used at the next sign-in.",
  problems: [],
};

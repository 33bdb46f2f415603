import { describe, expect, it, vi } from "vitest";
import { keyFrom, pickTransport, tokenOf, type HttpDeps, type ShellBindings, type WailsGlobals } from "./transport";
import type { InstallEvent, InstallResult, View } from "./view";

const page: View = { seq: 3, kind: "page", url: "/webapps/a/index.html", title: "A" };

/** The chrome's token, as GET /shell/token would give it. */
const tok = () => Promise.resolve("tok");

function fakeWails() {
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
class FakeEventSource extends EventTarget {
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

function fakeHttp(answers: Record<string, () => Response>) {
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

const jsonOf = (x: unknown) => () =>
  new Response(JSON.stringify(x), { headers: { "Content-Type": "application/json" } });

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("pickTransport", () => {
  it("uses the Wails bindings when window.go.app.Shell exists", async () => {
    const { win, shell } = fakeWails();
    const { deps } = fakeHttp({});
    const t = pickTransport(win, deps, tok);
    expect(t.mode).toBe("wails");
    expect(await t.view()).toEqual(page);
    await t.retry();
    expect(await t.cancel()).toEqual({ ok: false, error: "Sign-in is finishing." });
    expect(shell.Retry).toHaveBeenCalledOnce();
    expect(deps.fetch).not.toHaveBeenCalled();
  });

  it("uses HTTP when there is no Shell binding", () => {
    const { deps } = fakeHttp({});
    expect(pickTransport({ go: { app: {} } }, deps).mode).toBe("http");
    expect(pickTransport({}, deps).mode).toBe("http");
  });
});

describe("Wails transport", () => {
  it("delivers well-formed view events and drops malformed ones", () => {
    const { win, handlers, off } = fakeWails();
    const seen: View[] = [];
    const links: boolean[] = [];
    const stop = pickTransport(win, undefined, tok).subscribe((v) => seen.push(v), (up) => links.push(up));
    handlers.get("view")?.(page);
    handlers.get("view")?.({ seq: "x", kind: "page" });
    handlers.get("view")?.({ seq: 4, kind: "explode" });
    expect(seen).toEqual([page]);
    expect(links).toEqual([true]);
    stop();
    expect(off).toHaveBeenCalledOnce();
  });

  it("rejects a malformed view answer", async () => {
    const { win, shell } = fakeWails();
    vi.mocked(shell.View).mockResolvedValue({ nope: true } as unknown as View);
    await expect(pickTransport(win, undefined, tok).view()).rejects.toThrow(/malformed/);
  });
});

describe("HTTP transport", () => {
  it("gets the view, posts retry and cancel", async () => {
    const { deps, calls } = fakeHttp({
      "GET /shell/view": jsonOf(page),
      "POST /shell/retry": () => new Response(null, { status: 204 }),
      "POST /shell/cancel": jsonOf({ ok: true }),
    });
    const t = pickTransport({}, deps);
    expect(await t.view()).toEqual(page);
    await t.retry();
    expect(await t.cancel()).toEqual({ ok: true });
    expect(calls).toEqual(["GET /shell/view", "POST /shell/retry", "POST /shell/cancel"]);
  });

  it("rejects when the shell answers with an error status", async () => {
    const { deps } = fakeHttp({ "POST /shell/retry": () => new Response("no", { status: 500 }) });
    const t = pickTransport({}, deps);
    await expect(t.retry()).rejects.toThrow(/HTTP 500/);
    await expect(t.view()).rejects.toThrow(/HTTP 404/);
  });

  it("streams view events from /shell/events and drops malformed data", () => {
    const { deps } = fakeHttp({});
    const seen: View[] = [];
    pickTransport({}, deps).subscribe((v) => seen.push(v));
    const es = FakeEventSource.all[0];
    expect(es?.url).toBe("/shell/events");
    es?.emit(JSON.stringify(page));
    es?.emit("{not json");
    es?.emit(JSON.stringify({ seq: 1 }));
    expect(seen).toEqual([page]);
  });

  it("refetches the view every time the stream (re)opens", async () => {
    const { deps, calls } = fakeHttp({ "GET /shell/view": jsonOf(page) });
    const seen: View[] = [];
    const links: boolean[] = [];
    pickTransport({}, deps).subscribe((v) => seen.push(v), (up) => links.push(up));
    const es = FakeEventSource.all[0]!;
    es.dispatchEvent(new Event("open"));
    es.dispatchEvent(new Event("error"));
    es.dispatchEvent(new Event("open"));
    await flush();
    expect(calls).toEqual(["GET /shell/view", "GET /shell/view"]);
    expect(seen).toEqual([page, page]);
    expect(links).toEqual([true, false, true]);
  });

  it("reopens a stream the browser closed for good, after a delay", () => {
    const { deps, timers } = fakeHttp({});
    const stop = pickTransport({}, deps).subscribe(() => {});
    const first = FakeEventSource.all[0]!;
    first.dispatchEvent(new Event("error")); // still CONNECTING: the browser retries itself
    expect(timers).toHaveLength(0);
    first.readyState = 2;
    first.dispatchEvent(new Event("error"));
    expect(timers).toHaveLength(1);
    timers[0]?.fn();
    expect(FakeEventSource.all).toHaveLength(2);
    stop();
    expect(FakeEventSource.all[1]?.closed).toBe(true);
  });

  it("does not reopen after unsubscribe", () => {
    const { deps, timers } = fakeHttp({});
    const stop = pickTransport({}, deps).subscribe(() => {});
    const first = FakeEventSource.all[0]!;
    first.readyState = 2;
    first.dispatchEvent(new Event("error"));
    stop();
    timers[0]?.fn();
    expect(FakeEventSource.all).toHaveLength(1);
  });
});

const result: InstallResult = {
  phase: "done",
  ok: true,
  name: "lineapp",
  version: "1.2.0",
  message: "Installed lineapp 1.2.0. It is used at the next sign-in.",
  problems: [],
};

/** A stand-in XMLHttpRequest the tests answer by hand. */
class FakeXHR extends EventTarget {
  static all: FakeXHR[] = [];
  readonly upload = new EventTarget();
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = "";
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  send(body: unknown) {
    this.body = body;
    FakeXHR.all.push(this);
  }
  answer(status: number, body: string) {
    this.status = status;
    this.responseText = body;
    this.dispatchEvent(new Event("load"));
  }
}

describe("installing", () => {
  it("window mode: PickPackage, install events and Wails' drop listeners", async () => {
    const { win, shell, handlers } = fakeWails();
    shell.PickPackage = vi.fn(async () => result);
    const onFileDrop = vi.fn();
    win.runtime!.OnFileDrop = onFileDrop;
    const t = pickTransport(win, undefined, tok);
    expect(await t.pickPackage?.()).toEqual(result);
    expect(t.uploadPackage).toBeUndefined();
    const seen: InstallEvent[] = [];
    t.subscribe(
      () => {},
      undefined,
      (e) => seen.push(e),
    );
    expect(onFileDrop).toHaveBeenCalledWith(expect.any(Function), false);
    handlers.get("install")?.({ phase: "installing", done: 1, total: 2 });
    handlers.get("install")?.({ phase: "done", ok: "yes" });
    handlers.get("install")?.(result);
    expect(seen).toEqual([{ phase: "installing", done: 1, total: 2 }, result]);
  });

  it("window mode: rejects a malformed PickPackage answer", async () => {
    const { win, shell } = fakeWails();
    shell.PickPackage = vi.fn(async () => ({ nope: 1 }) as unknown as InstallResult);
    await expect(pickTransport(win, undefined, tok).pickPackage?.()).rejects.toThrow(/malformed/);
  });

  it("browser mode: install events come on /shell/events", () => {
    const { deps } = fakeHttp({});
    const seen: InstallEvent[] = [];
    pickTransport({}, deps).subscribe(
      () => {},
      undefined,
      (e) => seen.push(e),
    );
    const es = FakeEventSource.all[0]!;
    es.dispatchEvent(new MessageEvent("install", { data: JSON.stringify({ phase: "installing", done: 3, total: 9 }) }));
    es.dispatchEvent(new MessageEvent("install", { data: "{broken" }));
    es.dispatchEvent(new MessageEvent("install", { data: JSON.stringify(result) }));
    expect(seen).toEqual([{ phase: "installing", done: 3, total: 9 }, result]);
  });

  it("browser mode: uploads the raw zip with progress and resolves with any result", async () => {
    const { deps } = fakeHttp({});
    FakeXHR.all = [];
    deps.XMLHttpRequest = FakeXHR as unknown as new () => XMLHttpRequest;
    const t = pickTransport({}, deps);
    expect(t.pickPackage).toBeUndefined();
    const sent: Array<[number, number]> = [];
    const file = new Blob(["PK"]);
    const done = t.uploadPackage!(file, (s, n) => sent.push([s, n]));
    const xhr = FakeXHR.all[0]!;
    expect([xhr.method, xhr.url, xhr.headers["Content-Type"], xhr.body]).toEqual([
      "POST",
      "/shell/install",
      "application/zip",
      file,
    ]);
    xhr.upload.dispatchEvent(new ProgressEvent("progress", { lengthComputable: true, loaded: 1, total: 2 }));
    const refused = { ...result, ok: false, message: "bad", problems: [{ file: "a", rule: "r", message: "m", severity: "error" }] };
    xhr.answer(422, JSON.stringify(refused));
    expect(await done).toEqual(refused);
    expect(sent).toEqual([[1, 2]]);
  });

  it("browser mode: rejects an answer that is not a result, and a network error", async () => {
    const { deps } = fakeHttp({});
    FakeXHR.all = [];
    deps.XMLHttpRequest = FakeXHR as unknown as new () => XMLHttpRequest;
    const t = pickTransport({}, deps);
    const first = t.uploadPackage!(new Blob(["PK"]), () => {});
    FakeXHR.all[0]!.answer(401, '{"error":"missing or wrong key"}');
    await expect(first).rejects.toThrow(/HTTP 401/);
    const second = t.uploadPackage!(new Blob(["PK"]), () => {});
    FakeXHR.all[1]!.dispatchEvent(new Event("error"));
    await expect(second).rejects.toThrow(/network/);
  });
});

describe("configure", () => {
  it("window mode: calls the Configure binding and checks its answer", async () => {
    const { win, shell } = fakeWails();
    shell.Configure = vi.fn(async () => ({ ok: false, error: "plain http is allowed only on this machine" }));
    const t = pickTransport(win, undefined, tok);
    expect(await t.configure("http://example.com")).toEqual({
      ok: false,
      error: "plain http is allowed only on this machine",
    });
    expect(shell.Configure).toHaveBeenCalledExactlyOnceWith("tok", "http://example.com");
    vi.mocked(shell.Configure).mockResolvedValue({ nope: 1 } as never);
    await expect(t.configure("https://a.example")).rejects.toThrow(/malformed/);
  });

  it("window mode: rejects when the binding is missing (an older shell)", async () => {
    const { win } = fakeWails();
    await expect(pickTransport(win, undefined, tok).configure("https://a.example")).rejects.toThrow(/not bound/);
  });

  it("browser mode: posts the address as JSON and resolves with ok or the refusal", async () => {
    const answers = [{ ok: true }, { ok: false, error: "it is empty" }];
    const { deps, calls } = fakeHttp({ "POST /shell/configure": () => jsonOf(answers.shift())() });
    const t = pickTransport({}, deps);
    expect(await t.configure("https://login.example.com")).toEqual({ ok: true });
    expect(await t.configure("")).toEqual({ ok: false, error: "it is empty" });
    expect(calls).toEqual(["POST /shell/configure", "POST /shell/configure"]);
    const init = vi.mocked(deps.fetch).mock.calls[0]?.[1];
    expect(init?.credentials).toBe("same-origin");
    expect(init?.headers).toMatchObject({ "Content-Type": "application/json", Accept: "application/json" });
    expect(JSON.parse(String(init?.body))).toEqual({ login_url: "https://login.example.com" });
  });

  it("browser mode: rejects an error status and a malformed answer", async () => {
    const { deps } = fakeHttp({
      "POST /shell/configure": () => new Response('{"ok":false,"error":"bad body"}', { status: 400 }),
    });
    await expect(pickTransport({}, deps).configure("x")).rejects.toThrow(/HTTP 400/);
    const other = fakeHttp({ "POST /shell/configure": jsonOf({ ok: "yes" }) });
    await expect(pickTransport({}, other.deps).configure("x")).rejects.toThrow(/malformed/);
  });

  it("GET and the other POSTs still send no body", async () => {
    const { deps } = fakeHttp({ "POST /shell/retry": () => new Response(null, { status: 204 }) });
    await pickTransport({}, deps).retry();
    const init = vi.mocked(deps.fetch).mock.calls[0]?.[1];
    expect(init?.body).toBeUndefined();
    expect(init?.headers).toEqual({ Accept: "application/json" });
  });
});

describe("setSigningPhrase", () => {
  it("window mode: calls the SetSigningPhrase binding with the token and checks its answer", async () => {
    const { win, shell } = fakeWails();
    shell.SetSigningPhrase = vi.fn(async () => ({ ok: true }));
    const t = pickTransport(win, undefined, tok);
    expect(await t.setSigningPhrase("blue heron")).toEqual({ ok: true });
    expect(shell.SetSigningPhrase).toHaveBeenCalledExactlyOnceWith("tok", "blue heron");
    vi.mocked(shell.SetSigningPhrase).mockResolvedValue({ nope: 1 } as never);
    await expect(t.setSigningPhrase("blue heron")).rejects.toThrow(/malformed/);
    delete shell.SetSigningPhrase;
    await expect(t.setSigningPhrase("blue heron")).rejects.toThrow(/not bound/);
  });

  it("browser mode: posts the phrase as JSON and resolves with ok or the refusal", async () => {
    const { deps, calls } = fakeHttp({ "POST /shell/signing-phrase": jsonOf({ ok: false, error: "chosen already" }) });
    expect(await pickTransport({}, deps).setSigningPhrase("blue heron")).toEqual({ ok: false, error: "chosen already" });
    expect(calls).toEqual(["POST /shell/signing-phrase"]);
    expect(JSON.parse(String(vi.mocked(deps.fetch).mock.calls[0]?.[1]?.body))).toEqual({ phrase: "blue heron" });
  });
});

describe("the browser mode's key", () => {
  it("is read from the chrome's own address", () => {
    expect(keyFrom("?key=0123abcd")).toBe("0123abcd");
    expect(keyFrom("?other=1&key=a%2Bb")).toBe("a+b");
    expect(keyFrom("")).toBe("");
  });

  it("goes with every request as a header and in the event stream's URL, never in a cookie", async () => {
    const { deps } = fakeHttp({ "GET /shell/view": jsonOf(page), "POST /shell/retry": () => new Response("{}") });
    deps.key = "k&1";
    const t = pickTransport({}, deps);
    await t.view();
    await t.retry();
    const inits = (deps.fetch as ReturnType<typeof vi.fn>).mock.calls.map((c) => c[1] as RequestInit);
    expect(inits).toHaveLength(2);
    for (const init of inits) {
      expect((init.headers as Record<string, string>)["X-Loginshell-Key"]).toBe("k&1");
    }
    t.subscribe(() => {});
    expect(FakeEventSource.all[0]?.url).toBe("/shell/events?key=k%261");
  });
});

describe("the bindings' token", () => {
  it("goes first in every binding call", async () => {
    const { win, shell } = fakeWails();
    shell.Configure = vi.fn(async () => ({ ok: true }));
    const t = pickTransport(win, undefined, tok);
    await t.view();
    await t.retry();
    await t.cancel();
    await t.configure("https://a.example");
    expect(shell.View).toHaveBeenCalledWith("tok");
    expect(shell.Retry).toHaveBeenCalledWith("tok");
    expect(shell.Cancel).toHaveBeenCalledWith("tok");
    expect(shell.Configure).toHaveBeenCalledWith("tok", "https://a.example");
  });

  it("is read once from GET /shell/token and read again after a failure", async () => {
    const answers = [new Response("no", { status: 500 }), new Response(JSON.stringify({ token: "abc" }))];
    const fetcher = vi.fn(async () => answers.shift() ?? new Response("{}"));
    const token = tokenOf(fetcher as unknown as typeof fetch);
    await expect(token()).rejects.toThrow(/HTTP 500/);
    await expect(token()).resolves.toBe("abc");
    await expect(token()).resolves.toBe("abc");
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect((fetcher.mock.calls[0] as unknown[])[0]).toBe("/shell/token");
  });

  it("refuses a malformed token answer", async () => {
    const token = tokenOf((async () => new Response(JSON.stringify({ token: 7 }))) as unknown as typeof fetch);
    await expect(token()).rejects.toThrow(/malformed/);
  });
});

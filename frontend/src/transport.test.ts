import { describe, expect, it, vi } from "vitest";
import { keyFrom, pickTransport, prefixChannel, secretsOf, type Secrets, type ShellBindings, type WailsGlobals } from "./transport";
import { FakeEventSource, fakeHttp, fakeWails, flush, jsonOf, page, tok } from "./transport.testsetup";
import type { View } from "./view";

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

describe("reportSignInExposure", () => {
  it("window mode: calls the ReportSignInExposure binding with the token and checks its answer", async () => {
    const { win, shell } = fakeWails();
    shell.ReportSignInExposure = vi.fn(async () => ({ ok: true }));
    const t = pickTransport(win, undefined, tok);
    expect(await t.reportSignInExposure?.(true)).toEqual({ ok: true });
    expect(shell.ReportSignInExposure).toHaveBeenCalledExactlyOnceWith("tok", true);
    delete shell.ReportSignInExposure;
    await expect(t.reportSignInExposure?.(false)).rejects.toThrow(/not bound/);
  });

  it("browser mode: posts whole alone, as JSON", async () => {
    const { deps, calls } = fakeHttp({ "POST /shell/signin/exposed": jsonOf({ ok: true }) });
    expect(await pickTransport({}, deps).reportSignInExposure?.(false)).toEqual({ ok: true });
    expect(calls).toEqual(["POST /shell/signin/exposed"]);
    expect(JSON.parse(String(vi.mocked(deps.fetch).mock.calls[0]?.[1]?.body))).toEqual({ whole: false });
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

  it("is read once from GET /shell/token, with the channel's prefix, and read again after a failure", async () => {
    const answers = [
      new Response("no", { status: 503 }),
      new Response(JSON.stringify({ token: "abc", channel: "pfx" })),
    ];
    const fetcher = vi.fn(async () => answers.shift() ?? new Response("{}"));
    const secrets = secretsOf(fetcher as unknown as typeof fetch);
    await expect(secrets()).rejects.toThrow(/HTTP 503/);
    await expect(secrets()).resolves.toEqual({ token: "abc", channel: "pfx" });
    await expect(secrets()).resolves.toEqual({ token: "abc", channel: "pfx" });
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect((fetcher.mock.calls[0] as unknown[])[0]).toBe("/shell/token");
  });

  it("keeps the view that came with the token, and leaves out one that is not a view", async () => {
    const view = { seq: 3, kind: "page", url: "http://p0.localhost:1/a/index.html" };
    const withView = secretsOf((async () => new Response(JSON.stringify({ token: "abc", channel: "", view }))) as unknown as typeof fetch);
    await expect(withView()).resolves.toEqual({ token: "abc", channel: "", view });
    const broken = secretsOf(
      (async () => new Response(JSON.stringify({ token: "abc", channel: "", view: { seq: "3" } }))) as unknown as typeof fetch,
    );
    await expect(broken()).resolves.toEqual({ token: "abc", channel: "" });
  });

  it("gives the token's view as the first view, and still asks the View binding", async () => {
    const view: View = { seq: 3, kind: "page", url: "http://p0.localhost:1/a/index.html" };
    const shell = { View: vi.fn(async () => ({ ...view, seq: 4 })), Retry: vi.fn(), Cancel: vi.fn() };
    const secrets = async (): Promise<Secrets> => ({ token: "tok", channel: "", view });
    const t = pickTransport({ go: { app: { Shell: shell as unknown as ShellBindings } } }, undefined, secrets);
    await expect(t.firstView?.()).resolves.toEqual(view);
    await expect(t.view()).resolves.toMatchObject({ seq: 4 });
    expect(shell.View).toHaveBeenCalledWith("tok");
  });

  it.each([
    ["a token that is no string", { token: 7, channel: "" }],
    ["an empty token", { token: "", channel: "" }],
    ["no channel prefix (an answer that does not say whether to prefix)", { token: "abc" }],
    ["no object", null],
  ])("refuses a malformed answer: %s", async (_, answer) => {
    const secrets = secretsOf((async () => new Response(JSON.stringify(answer))) as unknown as typeof fetch);
    await expect(secrets()).rejects.toThrow(/malformed/);
  });
});

describe("the message channel's prefix", () => {
  it("goes before every message the chrome posts, those posted before it was known too, in order", async () => {
    const posted: string[] = [];
    let give: (s: Secrets) => void = () => {};
    const win: WailsGlobals = { WailsInvoke: (m) => posted.push(m) };
    prefixChannel(win, () => new Promise<Secrets>((r) => (give = r)));
    win.WailsInvoke!('C{"name":"app.Shell.View"}');
    win.WailsInvoke!("EXview");
    expect(posted).toEqual([]); // nothing goes out unprefixed
    give({ token: "t", channel: "s3cret" });
    await flush();
    win.WailsInvoke!("Wc");
    expect(posted).toEqual(['s3cretC{"name":"app.Shell.View"}', "s3cretEXview", "s3cretWc"]);
  });

  it("keeps a message waiting through a failed read, and sends it with the next one", async () => {
    const posted: string[] = [];
    const answers: Array<Promise<Secrets>> = [
      Promise.reject(new Error("HTTP 503")),
      Promise.resolve({ token: "t", channel: "p-" }),
    ];
    const win: WailsGlobals = { WailsInvoke: (m) => posted.push(m) };
    prefixChannel(win, () => answers.shift() ?? Promise.reject(new Error("no more")));
    win.WailsInvoke!("C1");
    await flush();
    expect(posted).toEqual([]);
    win.WailsInvoke!("C2");
    await flush();
    expect(posted).toEqual(["p-C1", "p-C2"]);
  });

  it("is put in place by the window's transport before any binding call", async () => {
    const { win, shell } = fakeWails();
    const posted: string[] = [];
    win.WailsInvoke = (m) => posted.push(m);
    const t = pickTransport(win, undefined, async () => ({ token: "t", channel: "k:" }));
    win.WailsInvoke("Q"); // what Wails' runtime would post for the chrome
    await t.view();
    await flush();
    expect(shell.View).toHaveBeenCalledWith("t");
    expect(posted).toEqual(["k:Q"]);
  });
});

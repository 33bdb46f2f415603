// The install's transport: a package sent by the window's bindings or the browser mode's upload,
// and its progress and result heard on the live channel.
import { describe, expect, it, vi } from "vitest";
import { pickTransport } from "./transport";
import { FakeEventSource, fakeHttp, fakeWails, flush, installed as result, tok } from "./transport.testsetup";
import type { InstallEvent, InstallResult } from "./view";


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
  it("window mode: PickPackage and install events", async () => {
    const { win, shell, handlers } = fakeWails();
    shell.PickPackage = vi.fn(async () => result);
    const t = pickTransport(win, undefined, tok);
    expect(await t.pickPackage?.()).toEqual(result);
    const seen: InstallEvent[] = [];
    t.subscribe(
      () => {},
      undefined,
      (e) => seen.push(e),
    );
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

  it("window mode: InstallDrop carries the token and its answer is checked", async () => {
    const { win, shell } = fakeWails();
    shell.InstallDrop = vi.fn(async () => result);
    const t = pickTransport(win, undefined, tok);
    expect(await t.installDrop?.()).toEqual(result);
    expect(shell.InstallDrop).toHaveBeenCalledWith("tok");
    shell.InstallDrop = vi.fn(async () => ({ nope: 1 }) as unknown as InstallResult);
    await expect(pickTransport(win, undefined, tok).installDrop?.()).rejects.toThrow(/malformed/);
    delete shell.InstallDrop; // an older binary
    expect(pickTransport(win, undefined, tok).installDrop).toBeUndefined();
  });

  it("window mode: uploads a dropped zip to the chrome's endpoint with the token", async () => {
    const { win } = fakeWails();
    const { deps } = fakeHttp({});
    FakeXHR.all = [];
    deps.XMLHttpRequest = FakeXHR as unknown as new () => XMLHttpRequest;
    const t = pickTransport(win, deps, async () => ({ token: "t0k", channel: "" }));
    const file = new Blob(["PK"]);
    const done = t.uploadPackage!(file, () => {}, true);
    await flush(); // the token first
    const xhr = FakeXHR.all[0]!;
    expect([xhr.method, xhr.url, xhr.headers["X-Loginshell-Key"], xhr.body]).toEqual([
      "POST",
      "/shell/install?replace=1",
      "t0k",
      file,
    ]);
    xhr.answer(200, JSON.stringify(result));
    expect(await done).toEqual(result);
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

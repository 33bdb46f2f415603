import { describe, expect, it, vi } from "vitest";
import type { SettingsValues } from "./settings";
import { pickTransport, type HttpDeps, type Secrets, type ShellBindings } from "./transport";

const values: SettingsValues = { loginURL: "https://login.example.com", redirectPort: 0, signatureStore: "", storeInUse: "here", installerRole: "" };
const change = { loginURL: "login.example.com", redirectPort: "", signatureStore: "" };
const refused = { ok: false, error: "add https://", field: "loginURL" as const };

describe("the Settings place's transport", () => {
  it("calls the bindings with the chrome's token in the window", async () => {
    const shell: ShellBindings = {
      View: vi.fn(),
      Retry: vi.fn(),
      Cancel: vi.fn(),
      AnswerChallenge: vi.fn(),
      DismissChallenge: vi.fn(),
      Settings: vi.fn(async () => values),
      SaveSettings: vi.fn(async () => refused),
    };
    const t = pickTransport({ go: { app: { Shell: shell } } }, undefined, () => Promise.resolve<Secrets>({ token: "tok", channel: "" }));
    expect(await t.settings?.()).toEqual(values);
    expect(await t.saveSettings?.(change)).toEqual(refused);
    expect(shell.Settings).toHaveBeenCalledWith("tok");
    expect(shell.SaveSettings).toHaveBeenCalledWith("tok", change);
  });

  it("opens the place when the window's menu asks (the Settings event Go emits)", () => {
    const handlers = new Map<string, () => void>();
    const shell: ShellBindings = {
      View: vi.fn(),
      Retry: vi.fn(),
      Cancel: vi.fn(),
      AnswerChallenge: vi.fn(),
      DismissChallenge: vi.fn(),
      Settings: vi.fn(async () => values),
      SaveSettings: vi.fn(async () => refused),
    };
    const runtime = { EventsOn: (name: string, cb: () => void) => void handlers.set(name, cb) };
    const t = pickTransport({ go: { app: { Shell: shell } }, runtime }, undefined, () => Promise.resolve<Secrets>({ token: "tok", channel: "" }));
    const open = vi.fn();
    t.onSettingsAsked?.(open);
    handlers.get("settings")?.();
    expect(open).toHaveBeenCalledOnce();
  });

  it("has no place without the bindings (an older Go side), and refuses a malformed answer", async () => {
    const bare: ShellBindings = { View: vi.fn(), Retry: vi.fn(), Cancel: vi.fn(), AnswerChallenge: vi.fn(), DismissChallenge: vi.fn() };
    const tok = () => Promise.resolve<Secrets>({ token: "tok", channel: "" });
    expect(pickTransport({ go: { app: { Shell: bare } } }, undefined, tok).settings).toBeUndefined();
    const odd = { ...bare, Settings: vi.fn(async () => ({ loginURL: 1 }) as unknown as SettingsValues), SaveSettings: vi.fn() };
    await expect(pickTransport({ go: { app: { Shell: odd } } }, undefined, tok).settings?.()).rejects.toThrow(/malformed/);
  });

  it("uses GET and POST /shell/settings with the key in the browser", async () => {
    const seen: Array<{ method: string; url: string; key: string | null; body: unknown }> = [];
    const deps: HttpDeps = {
      fetch: vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        seen.push({ method: init?.method ?? "GET", url: String(input), key: headers.get("X-Loginshell-Key"), body: init?.body ? JSON.parse(String(init.body)) : undefined });
        return new Response(JSON.stringify(init?.method === "POST" ? refused : values), { headers: { "Content-Type": "application/json" } });
      }),
      EventSource: class {} as unknown as HttpDeps["EventSource"],
      setTimeout: () => 0,
      key: "k3y",
    };
    const t = pickTransport({}, deps);
    expect(await t.settings?.()).toEqual(values);
    expect(await t.saveSettings?.(change)).toEqual(refused);
    expect(seen).toEqual([
      { method: "GET", url: "/shell/settings", key: "k3y", body: undefined },
      { method: "POST", url: "/shell/settings", key: "k3y", body: change },
    ]);
  });
});

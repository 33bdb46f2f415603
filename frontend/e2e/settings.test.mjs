// End-to-end, keyboard alone (issue 22.5): the Settings place of the chrome in a browser (serve
// --demo), and who may install. The station's settings.json says installer_role Supervisor.
//
//   a) operator signs in: Install package… is not offered, and the chrome's own install endpoint,
//      called with the key as the chrome would, refuses (403, naming the role)
//   b) the page shown tries to open the place, read and change these settings (its own origin,
//      the chrome's origin blind, /pmapi) and to install: nothing opens, nothing changes
//   c) Shift+Tab from the page reaches the top bar's Settings, Enter opens the place with the
//      values and the focus in the login server's field; a bad address and a bad port are refused
//      beside their fields in words; Escape closes it, the focus back on Settings
//   d) operator (someone has signed in here, operator lacks the installer role) saves a new login
//      server: refused in words, nothing stored; signed out, the chrome's save is refused too,
//      saying to sign in and where a wrong address is corrected instead
//   e) supervisor signs in and saves a new login server (a second demo provider): the tab goes to
//      its sign-in page at once; supervisor signs in there and is offered Install package…

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { artifactsDir, diagnose, openBrowser, removeDir, startShell, tempDir, waitForContentURL } from "./shell.mjs";
import { zipEntries } from "./zip.mjs";

/** The demo line `serve --demo` prints after its banner (internal/shell/demo.go). */
const demoLine = /loginshell: demo identity provider at (http:\/\/127\.0\.0\.1:\d+)/;

async function demoIssuer(shell) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = demoLine.exec(shell.output());
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`no demo identity provider line in the output of ${shell.command}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(name, ctx, fn) {
  try {
    await fn();
  } catch (err) {
    await diagnose(name, ctx).catch((e) => console.error(`diagnostics failed: ${e.message}`));
    throw err;
  }
}

/** focused is the id of the chrome's focused element ("content" while a page has the keys). */
const focused = (page) => page.evaluate(() => document.activeElement?.id ?? "");

/** signIn signs in at a demo provider's form and sets up the offline password, by keyboard. */
async function signIn(page, user, password, offline) {
  await page.locator('input[name="username"]').waitFor({ state: "visible" });
  await page.keyboard.type(user);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await waitForContentURL(page, (u) => u.pathname.endsWith("/setup.html"), { what: "setup.html" });
  const frame = page.frame({ url: (u) => u.pathname.endsWith("/setup.html") });
  await frame.waitForFunction(() => document.activeElement?.id === "password", null, { timeout: 10_000 });
  await page.keyboard.type(offline);
  await page.keyboard.press("Tab");
  await page.keyboard.type(offline);
  await page.keyboard.press("Enter");
  await page.frameLocator("#content").locator("h1", { hasText: "Line 4 — Release station" }).waitFor();
}

/** settingsFile reads the station's settings.json. */
async function settingsFile(dataDir) {
  return JSON.parse(await readFile(join(dataDir, "settings.json"), "utf8"));
}

describe("the Settings place and who may install", () => {
  let dataDir;
  let idpDataDir;
  let shell;
  let idpShell;

  before(async () => {
    dataDir = await tempDir("settings");
    idpDataDir = await tempDir("settings-idp");
  });

  after(async () => {
    if (shell) await shell.kill();
    if (idpShell) await idpShell.kill();
    await removeDir(dataDir);
    await removeDir(idpDataDir);
  });

  test("keyboard only: refusals in words, a new login server at once, installs for the installer role", async () => {
    await writeFile(join(dataDir, "settings.json"), JSON.stringify({ installer_role: "Supervisor" }), { mode: 0o600 });
    shell = await startShell({ dataDir, demo: true });
    idpShell = await startShell({ dataDir: idpDataDir, demo: true });
    const issuer = await demoIssuer(shell);
    const newIssuer = await demoIssuer(idpShell);
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    try {
      await run("settings-a-operator-no-install", ctx, async () => {
        await page.goto(shell.url);
        await signIn(page, "operator", "operator-demo", "Station-pass-41");
        assert.equal(await page.locator("#install").isVisible(), false, "Install package… is offered to a person without the installer role");
        assert.ok(await page.locator("#settings-open").isVisible(), "the top bar offers Settings");
        const zip = zipEntries([
          { name: "webapp.json", data: Buffer.from('{"name":"sneaky","version":"1.0.0","main":"index.html"}') },
          { name: "index.html", data: Buffer.from("<p>sneaky</p>") },
        ]);
        const r = await fetch(`${shell.origin}/shell/install`, {
          method: "POST",
          headers: { "X-Loginshell-Key": shell.key, "Content-Type": "application/zip" },
          body: zip,
        });
        const body = await r.json();
        assert.equal(r.status, 403, `the chrome's install endpoint for operator: ${JSON.stringify(body)}`);
        assert.match(body.message, /role “?"?Supervisor/);
        assert.match(body.message, /operator does not have it/);
      });

      await run("settings-b-hostile-page", ctx, async () => {
        const frame = page.frame({ url: (u) => u.pathname.endsWith("/index.html") });
        assert.ok(frame, "the starter app's frame");
        const before = await settingsFile(dataDir);
        const report = await frame.evaluate(async (chrome) => {
          const out = {};
          const attempt = async (name, fn) => {
            try {
              out[name] = await fn();
            } catch (e) {
              out[name] = `threw ${e.name}`;
            }
          };
          await attempt("parent.document", async () => typeof parent.document.getElementById("settings-open"));
          await attempt("parent click", async () => {
            parent.document.getElementById("settings-open").click();
            return "clicked";
          });
          for (const m of [{ loginshell: "settings" }, { loginshell: "open-settings" }, "settings"]) parent.postMessage(m, "*");
          const json = (method, body) => ({ method, headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body) });
          await attempt("own /shell/settings", async () => (await fetch("/shell/settings")).status);
          await attempt("own POST /shell/settings", async () =>
            (await fetch("/shell/settings", json("POST", { loginURL: "https://evil.example", redirectPort: "9", signatureStore: "" }))).status,
          );
          await attempt("chrome GET /shell/settings", async () => (await fetch(`${chrome}/shell/settings`)).status);
          await attempt("chrome POST /shell/settings (no-cors)", async () => {
            const r = await fetch(`${chrome}/shell/settings`, {
              method: "POST",
              mode: "no-cors",
              headers: { "Content-Type": "text/plain" },
              body: JSON.stringify({ loginURL: "https://evil.example", redirectPort: "9", signatureStore: "" }),
            });
            return r.type;
          });
          await attempt("pmapi login_url", async () => (await fetch("/pmapi/usersettings/login_url", json("PUT", "https://evil.example"))).status);
          await attempt("pmapi server_url", async () => (await fetch("/pmapi/usersettings", json("PUT", { server_url: "https://evil.example" }))).status);
          await attempt("pmapi redirect_port", async () => (await fetch("/pmapi/usersettings/redirect_port", json("PUT", 9))).status);
          await attempt("pmapi signature_store", async () =>
            (await fetch("/pmapi/usersettings", json("PUT", { signature_store: "postgres://evil@evil.example/db" }))).status,
          );
          await attempt("pmapi installer_role", async () => (await fetch("/pmapi/usersettings/installer_role", { method: "DELETE" })).status);
          await attempt("own /shell/install", async () =>
            (await fetch("/shell/install", { method: "POST", headers: { "Content-Type": "application/zip" }, body: new Uint8Array([80, 75, 5, 6]) })).status,
          );
          await new Promise((r) => setTimeout(r, 300));
          return out;
        }, shell.origin);
        assert.deepEqual(report, {
          "parent.document": "threw SecurityError",
          "parent click": "threw SecurityError",
          "own /shell/settings": 404,
          "own POST /shell/settings": 404,
          "chrome GET /shell/settings": "threw TypeError",
          "chrome POST /shell/settings (no-cors)": "opaque",
          "pmapi login_url": 403,
          "pmapi server_url": 403,
          "pmapi redirect_port": 403,
          "pmapi signature_store": 403,
          "pmapi installer_role": 403,
          "own /shell/install": 404,
        });
        assert.equal(await page.locator("#settings-place").isVisible(), false, "a page opened the Settings place");
        assert.deepEqual(await settingsFile(dataDir), before, "a page changed the station's settings");
      });

      await run("settings-c-keyboard", ctx, async () => {
        // The page has the keys; Shift+Tab walks back out of it to the top bar's Settings.
        for (let i = 0; i < 30 && (await focused(page)) !== "settings-open"; i++) await page.keyboard.press("Shift+Tab");
        assert.equal(await focused(page), "settings-open", "Shift+Tab from the page never reached Settings");
        await page.keyboard.press("Enter");
        await page.locator("#settings-place").waitFor({ state: "visible" });
        await page.waitForFunction(() => document.activeElement?.id === "settings-login-url");
        assert.equal(await page.locator("#settings-login-url").inputValue(), issuer);
        assert.match(await page.locator("#settings-installer").innerText(), /role “Supervisor”/);
        await page.screenshot({ path: join(artifactsDir, "settings-place.png") });

        await page.keyboard.press("Control+A");
        await page.keyboard.type("login.example.com");
        await page.keyboard.press("Enter");
        const loginError = page.locator("#settings-login-url-error");
        await loginError.filter({ hasText: "add https://" }).waitFor();
        assert.match(await loginError.innerText(), /https:\/\/login\.example\.com/);
        assert.equal(await page.locator("#settings-login-url").getAttribute("aria-invalid"), "true");
        assert.equal(await focused(page), "settings-login-url", "the refused field takes the focus");
        await page.screenshot({ path: join(artifactsDir, "settings-bad-address.png") });

        await page.keyboard.press("Control+A");
        await page.keyboard.type("http://login.example.com");
        await page.keyboard.press("Enter");
        await loginError.filter({ hasText: "only on this machine" }).waitFor();

        await page.keyboard.press("Control+A");
        await page.keyboard.type(issuer);
        await page.keyboard.press("Tab");
        assert.equal(await focused(page), "settings-redirect-port");
        await page.keyboard.type("eighty");
        await page.keyboard.press("Enter");
        await page.locator("#settings-redirect-port-error", { hasText: "port number" }).waitFor();
        assert.equal(await loginError.innerText(), "", "the login server's old refusal stays");
        assert.equal(await focused(page), "settings-redirect-port");
        assert.equal((await settingsFile(dataDir)).login_url, issuer, "a refused save changed login_url");

        await page.keyboard.press("Escape");
        await page.locator("#settings-place").waitFor({ state: "hidden" });
        assert.equal(await focused(page), "settings-open", "Escape gives the focus back to Settings");
      });

      await run("settings-d-operator-may-not", ctx, async () => {
        // Someone has signed in here, so changing the login server needs the installer role.
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => document.activeElement?.id === "settings-login-url");
        assert.equal(await page.locator("#settings-redirect-port").inputValue(), "", "the refused port was kept");
        await page.keyboard.press("Control+A");
        await page.keyboard.type(newIssuer);
        await page.keyboard.press("Enter");
        const result = page.locator("#settings-result");
        await result.filter({ hasText: "installer_role" }).waitFor();
        assert.match(await result.innerText(), /role "Supervisor" .*operator does not have it; ask someone with that role/);
        assert.equal(await result.getAttribute("data-ok"), "false", "the refusal looks like an error");
        assert.equal((await settingsFile(dataDir)).login_url, issuer, "operator changed login_url");
        await page.screenshot({ path: join(artifactsDir, "settings-not-permitted.png") });
        await page.keyboard.press("Escape");
        await page.locator("#settings-place").waitFor({ state: "hidden" });
        // Signed out, at a station someone has signed in at: nobody may change it from Settings;
        // the refusal says to sign in, and where a wrong address is corrected instead.
        await page.frameLocator("#content").locator("#logout").click();
        await page.waitForURL((u) => u.origin === issuer, { timeout: 30_000 });
        const r = await fetch(`${shell.origin}/shell/settings`, {
          method: "POST",
          headers: { "X-Loginshell-Key": shell.key, "Content-Type": "application/json" },
          body: JSON.stringify({ loginURL: newIssuer, redirectPort: "", signatureStore: "" }),
        });
        const body = await r.json();
        assert.equal(body.ok, false, `Settings while nobody is signed in: ${JSON.stringify(body)}`);
        assert.match(body.error, /^Sign in to change these settings/);
        assert.match(body.error, /correct it in the form the sign-in error shows/);
        assert.equal((await settingsFile(dataDir)).login_url, issuer, "a change while signed out was stored");
      });

      await run("settings-e-supervisor-new-login-server", ctx, async () => {
        // The tab is at the provider's sign-in page since operator signed out.
        await signIn(page, "supervisor", "supervisor-demo", "Station-pass-42");
        await page.locator("#install").waitFor({ state: "visible" });
        for (let i = 0; i < 30 && (await focused(page)) !== "settings-open"; i++) await page.keyboard.press("Shift+Tab");
        assert.equal(await focused(page), "settings-open", "Shift+Tab from the page never reached Settings");
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => document.activeElement?.id === "settings-login-url");
        await page.keyboard.press("Control+A");
        await page.keyboard.type(newIssuer);
        await page.keyboard.press("Enter");
        // Saved: supervisor is signed out and the tab goes to the new provider's sign-in page.
        await page.waitForURL((u) => u.origin === newIssuer, { timeout: 30_000 });
        assert.equal((await settingsFile(dataDir)).login_url, newIssuer);
        assert.equal((await settingsFile(dataDir)).installer_role, "Supervisor");
        await page.locator('input[name="username"]').waitFor({ state: "visible" });
        await page.keyboard.type("supervisor");
        await page.keyboard.press("Tab");
        await page.keyboard.type("supervisor-demo");
        await page.keyboard.press("Enter");
        await page.frameLocator("#content").locator("h1", { hasText: "Line 4 — Release station" }).waitFor();
        await page.locator("#install").waitFor({ state: "visible" });
        assert.match(await page.locator("#status-user").innerText(), /Sam|supervisor/i);
        await page.screenshot({ path: join(artifactsDir, "settings-installer.png") });
      });
    } finally {
      await browser.close();
    }
    for (const s of [shell, idpShell]) {
      const stopped = await s.stop();
      assert.deepEqual(stopped, { code: 0, signal: null }, `${s.command} exit on SIGTERM`);
    }
    shell = undefined;
    idpShell = undefined;
  });
});

// End-to-end: setting the login server from the shell's error view (serve
// mode). The shell starts without --demo and without login_url, so the boot
// flow ends on "basic settings are not configured", with a form for the
// login server below the message.
//
//   a) the form is there; http://example.com is refused with the rule
//   b) the issuer of a live demo provider (a second `serve --demo`, in its
//      own data directory, run only for its provider) is accepted, and the
//      tab goes to that provider's login form

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { diagnose, openBrowser, removeDir, startShell, tempDir } from "./shell.mjs";

/** The demo line `serve --demo` prints after its banner (internal/shell/demo.go). */
const demoLine = /loginshell: demo identity provider at (http:\/\/127\.0\.0\.1:\d+)/;

/** demoIssuer waits (30 s at most) for the demo line of shell's output and returns the issuer. */
async function demoIssuer(shell) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = demoLine.exec(shell.output());
    if (m) return m[1];
    if (Date.now() > deadline) throw new Error(`no demo identity provider line in the output of ${shell.command}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** run wraps one step: on failure it writes diagnostics, then rethrows. */
async function run(name, ctx, fn) {
  try {
    await fn();
  } catch (err) {
    await diagnose(name, ctx).catch((e) => console.error(`diagnostics failed: ${e.message}`));
    throw err;
  }
}

describe("setting the login server from the error view", () => {
  let dataDir;
  let idpDataDir;
  let shell;
  let idpShell;

  before(async () => {
    dataDir = await tempDir("configure");
    idpDataDir = await tempDir("configure-idp");
  });

  after(async () => {
    if (shell) await shell.kill();
    if (idpShell) await idpShell.kill();
    await removeDir(dataDir);
    await removeDir(idpDataDir);
  });

  test("a refused address says why, a live issuer leads to its sign-in page", async () => {
    shell = await startShell({ dataDir });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    try {
      await run("configure-a1-form-shown", ctx, async () => {
        await page.goto(shell.url);
        await page.locator("#error-view").waitFor({ state: "visible" });
        assert.equal(await page.locator("#error-heading").innerText(), "Connect this computer to your login server");
        assert.match(await page.locator("#error-message").innerText(), /No login server is set/);
        await page.locator("#login-url").waitFor({ state: "visible" });
        assert.equal(await page.getByLabel("Login server (OpenID issuer URL)").count(), 1);
        assert.ok(!(await page.locator("#retry").isVisible()), "a Try again that can only fail is offered on a first start");
        assert.equal(await page.locator("#status-online-text").innerText(), "No login server set");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "login-url");
      });
      await run("configure-a2-http-refused", ctx, async () => {
        // Keyboard only: type the address, Enter submits.
        await page.locator("#login-url").fill("http://example.com");
        await page.locator("#login-url").press("Enter");
        const alert = page.locator("#configure-error");
        await alert.filter({ hasText: /only on this machine/ }).waitFor({ state: "visible" });
        assert.equal(await alert.getAttribute("role"), "alert");
        assert.match(await alert.innerText(), /https/);
        assert.equal(await page.locator("#login-url").getAttribute("aria-invalid"), "true");
        assert.ok(await page.locator("#error-view").isVisible(), "the error view stays");
      });

      await run("configure-a3-unreachable-can-be-corrected", ctx, async () => {
        // Nothing listens on port 1: the shell tries it, says so, and keeps the address to correct.
        const tried = "http://127.0.0.1:1/idp";
        await page.locator("#login-url").fill(tried);
        await page.locator("#login-url").press("Enter");
        await page.locator("#error-heading", { hasText: "The login server cannot be reached" }).waitFor({ state: "visible" });
        assert.match(await page.locator("#error-message").innerText(), /127\.0\.0\.1:1\/idp/);
        assert.equal(await page.locator("#login-url").inputValue(), tried, "the address tried, ready to correct");
        assert.ok(await page.locator("#login-url").isVisible(), "the login server field is offered again");
        assert.ok(await page.locator("#retry").isVisible(), "Try again (the same address) is offered once one was tried");
      });

      idpShell = await startShell({ dataDir: idpDataDir, demo: true });
      const issuer = await demoIssuer(idpShell);
      await run("configure-b1-live-issuer", ctx, async () => {
        await page.locator("#login-url").fill(issuer);
        await page.locator("#save-login-url").click();
        // The shell signs in at the new provider: the tab goes to its form.
        await page.waitForURL((u) => u.origin === issuer, { timeout: 30_000 });
        await page.locator('input[name="username"]').waitFor({ state: "visible" });
      });
    } finally {
      await browser.close();
    }
    for (const s of [shell, idpShell]) {
      const stopped = await s.stop();
      assert.deepEqual(stopped, { code: 0, signal: null }, `${s.command} exit on SIGTERM`);
    }
  });
});

// End-to-end: the way back from the identity provider's page in browser
// mode. The tab goes to the provider (serve --demo); the browser's Back
// brings the person to the chrome, which does not send them to the provider
// again but offers to continue there or to cancel. Cancel ends the sign-in
// cleanly (the error view, Retry), Continue returns to the provider's form,
// and a sign-in after that still works. Then Log out: the tab passes through
// the provider's end-session page and lands on its sign-in form, where the
// next person types a password.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { diagnose, openBrowser, removeDir, startShell, tempDir } from "./shell.mjs";

/** run wraps one step: on failure it writes diagnostics, then rethrows. */
async function run(name, ctx, fn) {
  try {
    await fn();
  } catch (err) {
    await diagnose(name, ctx).catch((e) => console.error(`diagnostics failed: ${e.message}`));
    throw err;
  }
}

describe("the way back from the identity provider (browser mode)", () => {
  let dataDir;
  let shell;

  before(async () => {
    dataDir = await tempDir("signin");
  });

  after(async () => {
    if (shell) await shell.kill();
    await removeDir(dataDir);
  });

  test("Back shows the sign-in panel; Cancel cancels, Continue continues; Log out asks for the password again", async () => {
    shell = await startShell({ dataDir, demo: true });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    const atProvider = async () => {
      await page.waitForURL((u) => u.origin !== shell.origin, { timeout: 30_000 });
      await page.locator('input[name="username"]').waitFor({ state: "visible" });
    };
    const panel = page.locator("#signin-view");
    try {
      await run("w1-provider-page", ctx, async () => {
        await page.goto(shell.url);
        await atProvider();
      });
      await run("w2-back-shows-the-panel", ctx, async () => {
        await page.goBack();
        await page.waitForURL((u) => u.origin === shell.origin);
        await panel.waitFor({ state: "visible" });
        assert.match(await page.locator("#signin-heading").innerText(), /^Signing in at 127\.0\.0\.1:\d+…$/);
        // Keyboard first: the panel's first choice has the focus.
        assert.equal(await page.evaluate(() => document.activeElement?.id), "signin-continue");
        // It stays: the chrome does not send the tab to the provider by itself.
        await page.waitForTimeout(500);
        assert.equal(new URL(page.url()).origin, shell.origin, "the chrome went to the provider again by itself");
      });
      await run("w3-cancel", ctx, async () => {
        await page.locator("#signin-cancel").click();
        await page.locator("#error-view").waitFor({ state: "visible" });
        // A cancel is a cancel, not an error: calm words, and Sign in again has the focus.
        assert.equal(await page.locator("#error-heading").innerText(), "Sign-in cancelled");
        assert.equal(await page.locator("#error-view").getAttribute("data-calm"), "true");
        assert.equal(await page.locator("#retry").innerText(), "Sign in again");
        assert.equal(await page.evaluate(() => document.activeElement?.id), "retry");
        assert.equal(await panel.isVisible(), false);
      });
      await run("w4-retry-goes-to-the-provider", ctx, async () => {
        await page.locator("#retry").click();
        await atProvider();
      });
      await run("w5-back-then-continue", ctx, async () => {
        await page.goBack();
        await panel.waitFor({ state: "visible" });
        await page.locator("#signin-continue").click();
        await atProvider();
      });
      await run("w6-sign-in-still-works", ctx, async () => {
        await page.locator('input[name="username"]').fill("operator");
        await page.locator('input[name="password"]').fill("operator-demo");
        await page.locator('form [type="submit"], form button:not([type])').first().click();
        await page.waitForURL((u) => u.origin === shell.origin, { timeout: 30_000 });
        // The first online sign-in sets up the offline password, or shows the starter app.
        const content = page.frameLocator("#content");
        await content.locator("#confirm, #logout").first().waitFor({ state: "visible" });
        assert.equal(await panel.isVisible(), false, "the panel showed after a finished sign-in");
        if (await content.locator("#confirm").isVisible()) {
          await content.locator("#password").fill("Signin-e2e-pass-7");
          await content.locator("#confirm").fill("Signin-e2e-pass-7");
          await content.locator("#save").click();
        }
        await content.locator("#logout").waitFor({ state: "visible" });
      });
      await run("w7-log-out-asks-for-the-password", ctx, async () => {
        const seen = [];
        const onRequest = (r) => {
          if (r.isNavigationRequest() && r.frame() === page.mainFrame()) seen.push(new URL(r.url()));
        };
        page.on("request", onRequest);
        await page.frameLocator("#content").locator("#logout").click();
        await atProvider();
        page.off("request", onRequest);
        const paths = seen.map((u) => u.pathname);
        assert.ok(paths.includes("/end_session"), `the tab did not pass through the provider's end-session page: ${paths}`);
        assert.ok(paths.includes("/logged-out"), `the tab did not come back through the shell's /logged-out: ${paths}`);
        assert.ok(
          paths.indexOf("/end_session") < paths.indexOf("/authorize"),
          `the end-session page must come before the sign-in: ${paths}`,
        );
      });
    } finally {
      await browser.close();
    }
  });
});

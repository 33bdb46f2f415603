// End-to-end, keyboard alone (issue 11): the first start's error view, the
// demo provider's sign-in, the offline password setup, then, with the login
// server stopped, a shared station's offline sign-in as another user: every
// step by Tab, typing and Enter, never a click (but the chrome's Cancel,
// whose Sign in again is then pressed by Enter). Screenshots of each screen
// at 1280×800 and 1024×600 land in build/artifacts/e2e/screens/ (the
// reviewer's window and the smallest one the cards must fit).

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { artifactsDir, diagnose, openBrowser, removeDir, startShell, tempDir, waitForContentURL } from "./shell.mjs";

const shots = join(artifactsDir, "screens");
const sizes = [
  { width: 1280, height: 800 },
  { width: 1024, height: 600 },
];

/** snap screenshots the page at both sizes and checks that nothing needs a scrollbar to reach the card. */
async function snap(page, name) {
  await mkdir(shots, { recursive: true });
  for (const size of sizes) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(shots, `${name}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(sizes[0]);
  // Let every frame paint at the restored size before the test goes on. (The page frame that came
  // up unpainted now and then after these screenshots was not the emulation's doing but the
  // chrome's display:none around a navigation: style.css, #content[hidden].)
  for (const frame of page.frames()) {
    await frame
      .evaluate(() => new Promise((r) => (requestAnimationFrame(() => requestAnimationFrame(r)), setTimeout(r, 2000))))
      .catch(() => {});
  }
}

/** typeInto focuses nothing itself: it asserts the focus is already on id, then types. */
async function typeInto(frame, id, text) {
  const focused = await frame.evaluate(() => document.activeElement?.id ?? "");
  assert.equal(focused, id, `the focus is on #${focused || "(nothing)"}, want #${id}`);
  await frame.page().keyboard.type(text);
}

async function run(name, ctx, fn) {
  try {
    await fn();
  } catch (err) {
    await diagnose(name, ctx).catch(() => {});
    throw err;
  }
}

describe("keyboard alone", () => {
  let dataDir;
  let shell;
  before(async () => {
    dataDir = await tempDir("keyboard");
  });
  after(async () => {
    if (shell) await shell.kill();
    await removeDir(dataDir);
  });

  test("first start, demo sign-in, offline setup, and a shared station's offline sign-in", async () => {
    // First start: no login server, nobody set up.
    shell = await startShell({ dataDir });
    let browser = await openBrowser();
    let ctx = { page: browser.page, shell, consoleLines: browser.consoleLines };
    try {
      const { page } = browser;
      await run("k1-first-start", ctx, async () => {
        await page.goto(shell.url);
        await page.locator("#error-heading", { hasText: "Connect this computer to your login server" }).waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.id), "login-url", "the field takes the focus");
        await snap(page, "01-first-start");
      });
    } finally {
      await browser.close();
    }
    await shell.stop();

    // The demo: its provider's page, then the offline password setup.
    shell = await startShell({ dataDir, demo: true });
    browser = await openBrowser();
    ctx = { page: browser.page, shell, consoleLines: browser.consoleLines };
    const { page } = browser;
    try {
      await run("k2-demo-provider", ctx, async () => {
        await page.goto(shell.url);
        await page.locator('input[name="username"]').waitFor({ state: "visible" });
        await snap(page, "02-demo-provider");
        // autofocus on the user name; Tab to the password; Enter submits.
        await typeInto(page.mainFrame(), "username", "operator");
        await page.keyboard.press("Tab");
        await typeInto(page.mainFrame(), "password", "operator-demo");
        await page.keyboard.press("Enter");
      });
      await run("k3-setup", ctx, async () => {
        const setup = await waitForContentURL(page, (u) => u.pathname.endsWith("/setup.html"), { what: "setup.html" });
        assert.ok(setup);
        assert.equal(await page.locator("#install").isVisible(), false, "Install package… is not offered during setup");
        const frame = page.frame({ url: (u) => u.pathname.endsWith("/setup.html") });
        await frame.locator("#password").waitFor({ state: "visible" });
        await page.waitForFunction(() => document.activeElement?.id === "content", null, { timeout: 10_000 });
        await frame.waitForFunction(() => document.activeElement?.id === "password", null, { timeout: 10_000 });
        await snap(page, "03-setup");
        await typeInto(frame, "password", "Station-pass-41");
        await page.keyboard.press("Tab");
        await typeInto(frame, "confirm", "Station-pass-41");
        await page.keyboard.press("Enter");
        await page.frameLocator("#content").locator("h1", { hasText: "Line 4 — Release station" }).waitFor();
        assert.equal(await page.locator("#page-title").innerText(), "Line 4 — Release station");
        assert.match(await page.locator("#status-online-text").innerText(), /Signed in online/);
        await snap(page, "04-starter");
      });
    } finally {
      await browser.close();
    }
    await shell.stop();

    // The login server gone: offline sign-in, wrong password first, by keyboard.
    shell = await startShell({ dataDir });
    browser = await openBrowser();
    ctx = { page: browser.page, shell, consoleLines: browser.consoleLines };
    try {
      const { page: p } = browser;
      await run("k4-offline", ctx, async () => {
        await p.goto(shell.url);
        await waitForContentURL(p, (u) => u.pathname.endsWith("/login.html"), { what: "login.html" });
        const frame = p.frame({ url: (u) => u.pathname.endsWith("/login.html") });
        await frame.waitForFunction(() => document.activeElement?.id === "password", null, { timeout: 10_000 });
        assert.equal(await frame.locator("#username").inputValue(), "operator");
        await typeInto(frame, "password", "not-the-password");
        await p.keyboard.press("Enter");
        await frame.locator("#error", { hasText: /tries left/ }).waitFor();
        await snap(p, "05-offline-wrong-password");
        await typeInto(frame, "password", "Station-pass-41");
        await p.keyboard.press("Enter");
        await p.frameLocator("#content").locator("h1", { hasText: "Line 4 — Release station" }).waitFor();
        assert.match(await p.locator("#status-online-text").innerText(), /Signed in offline/);
        await snap(p, "06-signed-in-offline");
        // Log out: the offline sign-in page again, its password field taking the keys at once.
        await p.frameLocator("#content").locator("#logout").click();
        await waitForContentURL(p, (u) => u.pathname.endsWith("/login.html"), { what: "login.html after Log out" });
        const again = p.frame({ url: (u) => u.pathname.endsWith("/login.html") });
        await again.waitForFunction(() => document.activeElement?.id === "password", null, { timeout: 10_000 });
        assert.equal(await p.evaluate(() => document.activeElement?.id), "content", "the page has the focus after Log out");
        // Cancel is a cancel: a calm view whose one action, Sign in again, has the focus; Enter
        // brings the offline page back with its password field taking the keys again.
        await p.locator("#cancel").click();
        await p.locator("#error-heading", { hasText: "Sign-in cancelled" }).waitFor();
        assert.equal(await p.evaluate(() => document.activeElement?.id), "retry");
        assert.equal(await p.locator("#retry").innerText(), "Sign in again");
        await p.keyboard.press("Enter");
        await waitForContentURL(p, (u) => u.pathname.endsWith("/login.html"), { what: "login.html after Sign in again" });
        const retried = p.frame({ url: (u) => u.pathname.endsWith("/login.html") });
        await retried.waitForFunction(() => document.activeElement?.id === "password", null, { timeout: 10_000 });
        assert.equal(await p.evaluate(() => document.activeElement?.id), "content", "the page has the focus after Sign in again");
      });
    } finally {
      await browser.close();
    }
    await shell.stop();
    shell = undefined;
  });
});

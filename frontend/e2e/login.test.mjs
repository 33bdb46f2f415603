// End-to-end: the shell in a real browser, online then offline, over one data
// directory, plus the serve-mode guard. The steps run in order and share
// state; a step whose predecessor failed is skipped rather than failing with
// a confusing second error.
//
//   a) serve --demo: demo IdP login -> first-time offline setup -> starter app
//   b) serve --offline (same data dir): offline login page, wrong then right
//      password -> starter app
//   c) the guard: no key 401, foreign Host 403, cross-site Origin 403

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  diagnose,
  openBrowser,
  removeDir,
  request,
  startShell,
  tempDir,
  waitForContentURL,
} from "./shell.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const user = "operator";
const offlinePassword = "Offline-e2e-pass-7";
const starterHeading = "Line 4 — Release station";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * demoPassword finds the operator's password in internal/demoidp (the demo
 * users are declared there), so the test follows that file;
 * $LOGINSHELL_DEMO_PASSWORD overrides it.
 */
async function demoPassword(username) {
  if (process.env.LOGINSHELL_DEMO_PASSWORD) return process.env.LOGINSHELL_DEMO_PASSWORD;
  const dir = join(repoRoot, "internal", "demoidp");
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
  const quoted = `"${username}"`;
  for (const f of files) {
    const src = await readFile(join(dir, f), "utf8");
    // The first Password: "..." after the user's name, within one literal.
    const at = src.indexOf(quoted);
    if (at < 0) continue;
    const m = /Password:\s*"([^"]+)"/.exec(src.slice(at, at + 600));
    if (m) return m[1];
  }
  return `${username}-demo`;
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

/** expectStarter waits for the starter app in #content and checks who is signed in. */
async function expectStarter(page) {
  const content = page.frameLocator("#content");
  await content.locator("h1, h2, h3", { hasText: starterHeading }).first().waitFor({ state: "visible" });
  const who = await content.locator("#user-name").innerText();
  assert.match(who, /operator/i, `#user-name says ${JSON.stringify(who)}, want it to mention the operator`);
}

describe("loginshell in a browser", () => {
  let dataDir;
  let shell;
  const done = { online: false, offline: false };

  before(async () => {
    dataDir = await tempDir("data");
  });

  after(async () => {
    if (shell) await shell.kill();
    await removeDir(dataDir);
  });

  test("online sign-in through the demo IdP, then first-time offline setup", async () => {
    shell = await startShell({ dataDir, demo: true });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    try {
      await run("a1-demo-idp-login-page", ctx, async () => {
        await page.goto(shell.url);
        // The shell sends the tab to the demo IdP's login form.
        await page.locator('input[name="username"]').waitFor({ state: "visible" });
      });
      await run("a2-demo-idp-sign-in", ctx, async () => {
        const password = await demoPassword(user);
        await page.locator('input[name="username"]').fill(user);
        await page.locator('input[name="password"]').fill(password);
        await page.locator('form [type="submit"], form button:not([type])').first().click();
        await page.waitForURL((u) => u.origin === shell.origin, { timeout: 30_000 });
      });
      await run("a3-offline-setup", ctx, async () => {
        const setup = await waitForContentURL(
          page,
          (u) => u.pathname.endsWith("setup.html") && u.searchParams.get("u") === user,
          { what: `setup.html?t=...&u=${user}` },
        );
        assert.match(setup.searchParams.get("t") ?? "", uuid, `setup page token in ${setup}`);
        const content = page.frameLocator("#content");
        await content.locator("#password").fill(offlinePassword);
        await content.locator("#confirm").fill(offlinePassword);
        await content.locator("#save").click();
      });
      await run("a4-starter-app-online", ctx, () => expectStarter(page));
      done.online = true;
    } finally {
      await browser.close();
    }
  });

  test("offline sign-in with the offline password, wrong one first", async (t) => {
    if (!done.online) {
      t.skip("needs the online step (it sets the offline password)");
      return;
    }
    const stopped = await shell.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, "serve --demo exit on SIGTERM");
    shell = await startShell({ dataDir, offline: true });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    try {
      await run("b1-offline-login-page", ctx, async () => {
        await page.goto(shell.url);
        const login = await waitForContentURL(
          page,
          (u) => u.pathname === "/webapps/offline-login/login.html",
          { what: "/webapps/offline-login/login.html" },
        );
        assert.match(login.searchParams.get("t") ?? "", uuid, `offline login token in ${login}`);
        assert.equal(login.searchParams.get("u"), user, `offline login user in ${login}`);
      });
      await run("b2-wrong-password", ctx, async () => {
        const content = page.frameLocator("#content");
        await content.locator("#password").fill(`${offlinePassword}-wrong`);
        await content.locator("#signin").click();
        // Visible and saying something: a message a person can act on.
        await content.locator("#error").filter({ hasText: /\S/ }).waitFor({ state: "visible" });
      });
      await run("b3-right-password", ctx, async () => {
        const content = page.frameLocator("#content");
        await content.locator("#password").fill(offlinePassword);
        await content.locator("#signin").click();
        await expectStarter(page);
      });
      done.offline = true;
    } finally {
      await browser.close();
    }
  });

  test("serve mode refuses requests without the key, from another host or site", async () => {
    if (!shell || shell.child.exitCode !== null || shell.child.signalCode !== null) {
      shell = await startShell({ dataDir, demo: true });
    }
    const ctx = { shell };
    const key = { "X-Loginshell-Key": shell.key };
    const host = `127.0.0.1:${shell.port}`;
    await run("c-guard", ctx, async () => {
      const cases = [
        { name: "the key header and the right Host", req: { headers: { ...key, Host: host } }, want: "allowed" },
        { name: "no key", req: { headers: { Host: host } }, want: 401 },
        { name: "a wrong key", req: { headers: { "X-Loginshell-Key": `${shell.key}x`, Host: host } }, want: 401 },
        { name: "a foreign Host (DNS rebinding)", req: { headers: { ...key, Host: `evil.example:${shell.port}` } }, want: 403 },
        {
          name: "a cross-site Origin on a POST",
          req: {
            method: "POST",
            path: "/pmapi/auth/logout",
            headers: { ...key, Host: host, Origin: "http://evil.example", "Content-Length": "0" },
          },
          want: 403,
        },
      ];
      for (const c of cases) {
        const res = await request(shell.port, c.req);
        const got = c.want === "allowed" && res.status < 400 ? "allowed" : res.status;
        assert.equal(got, c.want, `${c.req.method ?? "GET"} ${c.req.path ?? "/"} with ${c.name}: body ${res.body.slice(0, 300)}`);
      }
    });
    const stopped = await shell.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, "serve exit on SIGTERM");
  });
});

// End-to-end: the shell in a real browser, online then offline, over one data
// directory, plus the serve-mode guard. The steps run in order and share
// state; a step whose predecessor failed is skipped rather than failing with
// a confusing second error.
//
//   a) serve --demo: demo IdP login -> first-time offline setup -> starter
//      app -> change the offline password -> log out (back to the IdP)
//   b) serve with the IdP stopped (same data dir; the settings still name
//      the dead demo IdP): offline login page, wrong then right password ->
//      starter app, connectivity says Offline + OfflineAuthenticated
//   c) the guard: no key 401, foreign Host 403, cross-site Origin 403
//   d) a package written for the mobile container (fixtures/legacy-login:
//      ES5, synchronous XHR, alert(), "update" and "offline" aliases),
//      checked and installed as a zip, signs the user in offline

import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  diagnose,
  openBrowser,
  removeDir,
  request,
  runLoginshell,
  startShell,
  tempDir,
  waitForContentURL,
  waitForOverURL,
} from "./shell.mjs";
import { zipDir } from "./zip.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const legacyFixture = join(here, "fixtures", "legacy-login");

const user = "operator";
const offlinePassword = "Offline-e2e-pass-7";
const changedPassword = "Offline-e2e-changed-8";
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

/**
 * expectStarter waits for the starter app in #content and checks who is
 * signed in; it resolves with performance.now() at the moment the app's
 * heading became visible.
 */
async function expectStarter(page) {
  const content = page.frameLocator("#content");
  await content.locator("h1, h2, h3", { hasText: starterHeading }).first().waitFor({ state: "visible" });
  const visibleAt = performance.now();
  // The name arrives from GET http://pmapi/user after the page shows.
  const name = content.locator("#user-name");
  await name.filter({ hasText: /operator/i }).waitFor({ state: "visible", timeout: 10_000 }).catch(() => {});
  const who = await name.innerText();
  assert.match(who, /operator/i, `#user-name says ${JSON.stringify(who)}, want it to mention the operator`);
  return visibleAt;
}

/** ms formats the time between two performance.now() readings. */
function ms(from, to) {
  return Math.round(to - from);
}

describe("loginshell in a browser", () => {
  let dataDir;
  let workDir;
  let shell;
  /** The offline password as it stands: a5 changes it. */
  let password = offlinePassword;
  const done = { online: false, offline: false };

  before(async () => {
    dataDir = await tempDir("data");
    workDir = await tempDir("work");
  });

  after(async () => {
    if (shell) await shell.kill();
    await removeDir(dataDir);
    await removeDir(workDir);
  });

  test("online sign-in through the demo IdP, offline setup, password change, log out", async () => {
    shell = await startShell({ dataDir, demo: true });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    let signInClickAt = 0;
    let saveClickAt = 0;
    try {
      await run("a1-demo-idp-login-page", ctx, async () => {
        await page.goto(shell.url);
        // The shell sends the tab to the demo IdP's login form.
        await page.locator('input[name="username"]').waitFor({ state: "visible" });
      });
      await run("a2-demo-idp-sign-in", ctx, async () => {
        const idpPassword = await demoPassword(user);
        await page.locator('input[name="username"]').fill(user);
        await page.locator('input[name="password"]').fill(idpPassword);
        signInClickAt = performance.now();
        await page.locator('form [type="submit"], form button:not([type])').first().click();
        await page.waitForURL((u) => u.origin === shell.origin, { timeout: 30_000 });
      });
      await run("a3-offline-setup", ctx, async () => {
        const content = page.frameLocator("#content");
        // #confirm is on the setup page only (not the starter app).
        await content.locator("#confirm").waitFor({ state: "visible" });
        const setupVisibleAt = performance.now();
        const setup = await waitForContentURL(
          page,
          (u) => u.pathname.endsWith("setup.html") && u.searchParams.get("u") === user,
          { what: `setup.html?t=...&u=${user}` },
        );
        assert.match(setup.searchParams.get("t") ?? "", uuid, `setup page token in ${setup}`);
        console.log(`timing: sign-in click -> setup page: ${ms(signInClickAt, setupVisibleAt)} ms`);
        await content.locator("#password").fill(offlinePassword);
        await content.locator("#confirm").fill(offlinePassword);
        saveClickAt = performance.now();
        await content.locator("#save").click();
      });
      await run("a4-starter-app-online", ctx, async () => {
        const starterVisibleAt = await expectStarter(page);
        console.log(`timing: setup save -> starter app: ${ms(saveClickAt, starterVisibleAt)} ms`);
      });
      await run("a5-change-offline-password", ctx, async () => {
        const content = page.frameLocator("#content");
        await content.locator("#change-password").click();
        // The manage page goes over the line app, which waits for its answer.
        const manage = await waitForOverURL(
          page,
          (u) => u.pathname.endsWith("/manage.html") && u.searchParams.get("u") === user,
          { what: `manage.html?t=...&u=${user}` },
        );
        assert.match(manage.searchParams.get("t") ?? "", uuid, `manage page token in ${manage}`);
        const over = page.frameLocator("#over");
        await over.locator("#old").fill(password);
        await over.locator("#password").fill(changedPassword);
        await over.locator("#confirm").fill(changedPassword);
        await over.locator("#save").click();
        await expectStarter(page);
        await content.locator("#status", { hasText: "Offline password changed" }).waitFor();
        password = changedPassword;
      });
      await run("a6-log-out", ctx, async () => {
        await page.frameLocator("#content").locator("#logout").click();
        // The boot flow starts again: the tab goes back to the IdP's form.
        await page.waitForURL((u) => u.origin !== shell.origin, { timeout: 30_000 });
        await page.locator('input[name="username"]').waitFor({ state: "visible" });
      });
      done.online = true;
    } finally {
      await browser.close();
    }
  });

  test("offline sign-in with the IdP stopped, wrong password first", async (t) => {
    if (!done.online) {
      t.skip("needs the online step (it sets the offline password)");
      return;
    }
    // Stopping serve --demo stops its IdP; the settings in dataDir still
    // name it, so the shell finds the login server unreachable.
    const stopped = await shell.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, "serve --demo exit on SIGTERM");
    shell = await startShell({ dataDir });
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
        // The password from before a5's change: no longer the right one.
        await content.locator("#password").fill(offlinePassword);
        await content.locator("#signin").click();
        // Visible and saying something: a message a person can act on.
        await content.locator("#error").filter({ hasText: /\S/ }).waitFor({ state: "visible" });
      });
      await run("b3-right-password", ctx, async () => {
        const content = page.frameLocator("#content");
        await content.locator("#password").fill(password);
        await content.locator("#signin").click();
        await expectStarter(page);
      });
      await run("b4-connectivity-offline", ctx, async () => {
        // As a hosted page asks: from the content frame, on the pages' own origin.
        const frame = await (await page.locator("#content").elementHandle()).contentFrame();
        const res = await frame.evaluate(async () => {
          const r = await fetch("/pmapi/connectivity");
          return { status: r.status, body: await r.text() };
        });
        assert.equal(res.status, 200, `GET /pmapi/connectivity: ${res.body}`);
        const states = JSON.parse(res.body);
        for (const want of ["Offline", "OfflineAuthenticated"]) {
          assert.ok(states.includes(want), `GET /pmapi/connectivity says ${res.body}, want it to include ${want}`);
        }
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

  test("a package written for the mobile container, installed as a zip, signs in offline", async (t) => {
    if (!done.offline) {
      t.skip("needs the offline step (the offline password and the stopped IdP)");
      return;
    }
    if (shell) await shell.kill();
    shell = undefined;
    const zip = join(workDir, "legacy-login-2.0.0.zip");
    await run("d1-check-and-install", {}, async () => {
      await zipDir(legacyFixture, zip);
      const checked = await runLoginshell(["check", zip]);
      assert.equal(checked.code, 0, `loginshell check ${zip}: exit ${checked.code}\n${checked.stdout}${checked.stderr}`);
      assert.equal(checked.stdout.trim(), "OK legacy-login 2.0.0", `loginshell check ${zip} output`);
      const installed = await runLoginshell(["install", "--data", dataDir, zip]);
      assert.equal(installed.code, 0, `loginshell install: exit ${installed.code}\n${installed.stdout}${installed.stderr}`);
      assert.match(installed.stdout, /^installed legacy-login 2\.0\.0 /m, "loginshell install output");
      // The container's spelling: "offline", not "offlineName".
      const bootDoc = {
        name: "legacy",
        version: "1.0.0",
        starter: "lineapp",
        offline: "legacy-login",
        dependencies: { lineapp: "1.0.0", "legacy-login": "2.0.0" },
      };
      await writeFile(join(dataDir, "boot.json"), `${JSON.stringify(bootDoc, null, 2)}\n`);
    });

    shell = await startShell({ dataDir });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    /** Messages of the dialogs the pages raised, accepted as they come. */
    const dialogs = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      browser.consoleLines.push(`[dialog ${dialog.type()}] ${dialog.message()}`);
      dialog.accept().catch(() => {});
    });
    try {
      await run("d2-legacy-login-page", ctx, async () => {
        await page.goto(shell.url);
        const login = await waitForContentURL(
          page,
          (u) => u.pathname === "/webapps/legacy-login/index.html",
          { what: "/webapps/legacy-login/index.html" },
        );
        assert.match(login.searchParams.get("t") ?? "", uuid, `legacy login token in ${login}`);
        assert.equal(login.searchParams.get("u"), user, `legacy login user in ${login}`);
        await page.frameLocator("#content").locator("#user", { hasText: user }).waitFor({ state: "visible" });
      });
      await run("d3-wrong-password-alert", ctx, async () => {
        const content = page.frameLocator("#content");
        await content.locator("#pw").fill(`${password}-wrong`);
        await content.locator("#login").click();
        const deadline = Date.now() + 15_000;
        while (dialogs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.equal(dialogs.length, 1, `dialogs raised after a wrong password: ${JSON.stringify(dialogs)}`);
        assert.ok(dialogs[0].startsWith("Login failed: 403"), `alert says ${JSON.stringify(dialogs[0])}, want "Login failed: 403..."`);
      });
      await run("d4-right-password", ctx, async () => {
        const content = page.frameLocator("#content");
        await content.locator("#pw").fill(password);
        await content.locator("#login").click();
        await expectStarter(page);
        assert.deepEqual(dialogs.slice(1), [], "dialogs raised after the right password");
      });
    } finally {
      await browser.close();
    }
    const stopped = await shell.stop();
    assert.deepEqual(stopped, { code: 0, signal: null }, "serve exit on SIGTERM");
  });
});

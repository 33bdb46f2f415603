// End-to-end: the status words tell the cause (issue 22.4), in Chromium
// against serve mode.
//
//   w1 --offline: the status bar says "Offline (chosen)", not "No network"
//   w2 an address without a scheme is told to add https://
//   w3 an address whose server answers 401 (no OpenID provider) is called
//      that, not "got no answer … check the network connection"
//   w4 an address that gives no answer: "Login server unreachable"
//   w5 a station started --offline after a demo run: a signature whose
//      template is the demo login server's says it needs the login server
//      (not "authentication challenges are not supported … 'demo'"), and the
//      status bar says "Signed in offline"

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import { diagnose, openBrowser, removeDir, setUpOffline, signInAtDemo, startShell, tempDir, waitForContentURL } from "./shell.mjs";

describe("the status words tell the cause", { concurrency: false }, () => {
  const dirs = [];
  const shells = [];
  let browser;
  /** A web server on loopback that answers every request 401, as a proxy's sign-in does. */
  let refusing;
  let refusingURL;

  before(async () => {
    refusing = http.createServer((req, res) => {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="intranet"', "Content-Type": "text/plain" });
      res.end("401 Unauthorized\n");
    });
    await new Promise((r) => refusing.listen(0, "127.0.0.1", r));
    refusingURL = `http://127.0.0.1:${refusing.address().port}/realms/plant`;
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const s of shells) await s.kill();
    for (const d of dirs) await removeDir(d);
    await new Promise((r) => refusing.close(r));
  });

  async function shellWith(opts) {
    const dataDir = opts.dataDir ?? (await tempDir("words"));
    if (!opts.dataDir) dirs.push(dataDir);
    const shell = await startShell({ dataDir, ...opts });
    shells.push(shell);
    return shell;
  }

  async function run(name, shell, fn) {
    try {
      await fn();
    } catch (err) {
      await diagnose(`statuswords-${name}`, { page: browser.page, shell, consoleLines: browser.consoleLines });
      throw err;
    }
  }

  const statusText = () => browser.page.locator("#status-online-text").innerText();

  test("w1: --offline is Offline (chosen), before anyone signs in", async () => {
    const shell = await shellWith({ offline: true });
    await run("w1", shell, async () => {
      const { page } = browser;
      await page.goto(shell.url);
      await page.locator("#error-view").waitFor({ state: "visible" });
      assert.equal(await statusText(), "Offline (chosen)");
      assert.equal(await page.locator("#status-online").getAttribute("data-online"), "chosen");
    });
  });

  test("w2–w4: a mistyped address, a server that is no login server, one that gives no answer", async () => {
    const shell = await shellWith({});
    const { page } = browser;
    const field = page.locator("#login-url");
    await run("w2", shell, async () => {
      await page.goto(shell.url);
      await field.waitFor({ state: "visible" });
      await field.fill("login.example.com");
      await field.press("Enter");
      await page.locator("#configure-error", { hasText: "add https://" }).waitFor({ state: "visible" });
      assert.match(await page.locator("#configure-error").innerText(), /add https:\/\/ \(https:\/\/login\.example\.com\)/);
    });
    await run("w3", shell, async () => {
      await field.fill(refusingURL);
      await field.press("Enter");
      const message = page.locator("#error-message", { hasText: /not an OpenID login server/ });
      await message.waitFor({ state: "visible" });
      const text = await message.innerText();
      assert.match(text, /That address is not an OpenID login server \(it answered 401\)/);
      // The heading names the cause too, not a failed sign-in in general.
      assert.equal(await page.locator("#error-heading").innerText(), "That address is not an OpenID login server");
      assert.doesNotMatch(text, /got no answer|check the network/i);
      assert.equal(await field.inputValue(), refusingURL, "the address tried, ready to correct");
      assert.equal(await statusText(), "Login server unreachable");
    });
    await run("w4", shell, async () => {
      await field.fill("http://127.0.0.1:1/idp");
      await field.press("Enter");
      await page.locator("#error-heading", { hasText: "The login server cannot be reached" }).waitFor({ state: "visible" });
      assert.equal(await statusText(), "Login server unreachable");
      assert.doesNotMatch(await page.locator("#status").innerText(), /No network/);
    });
  });

  test("w5: offline, a signature that needs the login server says so", async () => {
    const { page } = browser;
    const dataDir = await tempDir("words");
    dirs.push(dataDir);
    const online = await shellWith({ dataDir, demo: true });
    const content = page.frameLocator("#content");
    await run("w5-online", online, async () => {
      await signInAtDemo(page, online.url);
      await setUpOffline(page, "offline-pass-1");
      await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: "the line app" });
    });
    assert.deepEqual(await online.stop(), { code: 0, signal: null });
    const offline = await shellWith({ dataDir, offline: true });
    await run("w5-offline", offline, async () => {
      await page.goto(offline.url);
      await content.locator("#password").fill("offline-pass-1");
      await content.locator("#signin").click();
      await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: "the line app" });
      assert.equal(await statusText(), "Signed in offline");
      await content.locator("#release").click();
      await content.getByRole("button", { name: "Approve signature 1" }).click();
      const result = content.locator("#release-result", { hasText: "need the login server" });
      await result.waitFor();
      assert.match(await result.innerText(), /signatures with template "Line Release Approval" need the login server/);
      assert.doesNotMatch(await result.innerText(), /not supported for this identity provider/);
      assert.equal(await result.getAttribute("class"), "error");
      assert.equal(await page.locator("#challenge-box").isVisible(), false, "a dialog opened for a signature nobody can give");
    });
  });
});

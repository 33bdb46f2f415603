// The hostile site the browser tests attack the chrome from: the hostile package
// (fixtures/hostile) as the starter app of a fresh data directory, a shell serving it with the
// demo provider, and a throwaway Chromium. What the page got of the keyboard it tells the
// shell's log at once (keysGot), so it is counted even for a page the chrome ended.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { contentFrame, diagnose, openBrowser, removeDir, runLoginshell, startShell, tempDir, waitForContentURL } from "./shell.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const hostileDir = resolve(here, "fixtures", "hostile");
export const hostilePath = "/webapps/hostile/index.html";

/**
 * hostileSite registers, in the describe that calls it, the set-up and the tearing down of a
 * hostile site, and returns it; its shell and browser are there once the describe's before ran.
 * name prefixes the temporary directory and the failure reports. offline: the boot document
 * names the bundled offline-login package too (its sign-in pages go over the hostile page).
 *
 * @param {string} name
 * @param {{offline?: boolean, browserArgs?: string[]}} [opts]
 */
export function hostileSite(name, { offline = false, browserArgs = [] } = {}) {
  const site = {
    /** @type {string | undefined} */ dataDir: undefined,
    /** @type {import("./shell.mjs").Shell | undefined} */ shell: undefined,
    /** @type {Awaited<ReturnType<typeof openBrowser>> | undefined} */ browser: undefined,

    /** run runs a test's steps, and on failure leaves a screenshot, the page and the logs. */
    async run(step, fn) {
      try {
        await fn();
      } catch (err) {
        await diagnose(`${name}-${step}`, { page: site.browser?.page, shell: site.shell, consoleLines: site.browser?.consoleLines ?? [] });
        throw err;
      }
    },

    /** hostile is the hostile page's frame, waiting for it to be there (again: an ended page loads afresh). */
    async hostile() {
      const { page } = site.browser;
      await waitForContentURL(page, (u) => u.pathname === hostilePath, { what: "the hostile page" });
      const frame = await contentFrame(page);
      await frame.waitForFunction(() => window.attack && window.system?.page?.id, null, { timeout: 10_000 });
      return frame;
    },

    /** keysGot is every key or input the hostile page told the log about (of kind, "" for all). */
    keysGot(kind = "") {
      return site.shell.output().split("\n").filter((l) => l.includes(`hostile got ${kind}`));
    },

    /** alerts lists the trail's alerts of a page that took the keyboard (`loginshell audit alerts`). */
    async alerts() {
      const listed = await runLoginshell(["audit", "alerts", "--data", site.dataDir]);
      assert.equal(listed.code, 0, listed.stderr);
      return listed.stdout.split("\n").filter((l) => l.includes("took the keyboard"));
    },
  };

  /**
   * grabWhileTyping sends the keys of text through the DevTools protocol without waiting for each
   * to be taken (Input.dispatchKeyEvent, all at once), while the hostile page in frame takes the
   * keyboard a moment from now (it tells the log when: "hostile grabbed at T", ms since the epoch),
   * so that some keys are on their way as it grabs. It waits for the chrome to write closed in the
   * console (it ended the page), checks that the page's frame left, and gives what the page heard
   * the time to reach the log.
   */
  site.grabWhileTyping = async (frame, text, closed) => {
    const { page, consoleLines } = site.browser;
    const cdp = await page.context().newCDPSession(page);
    const sends = [];
    // The page grabs from its own context a moment from now, while the keys are sent.
    void frame
      .evaluate(() => {
        setTimeout(() => {
          window.grabbedAt = performance.timeOrigin + performance.now();
          fetch("/pmapi/log", { method: "PUT", keepalive: true, body: JSON.stringify({ level: "info", log: `hostile grabbed at ${window.grabbedAt}` }) });
          window.attack.grab();
        }, 15);
      })
      .catch(() => {}); // the page may be gone before it answers
    for (const k of text) {
      const code = k === "-" ? "Minus" : /\d/.test(k) ? `Digit${k}` : `Key${k.toUpperCase()}`;
      sends.push(cdp.send("Input.dispatchKeyEvent", { type: "keyDown", key: k, code, text: k, unmodifiedText: k }));
      sends.push(cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key: k, code }));
    }
    // Keys sent to a frame taken out mid-event may never be acknowledged: wait for the acks a while, not forever.
    await Promise.race([Promise.allSettled(sends), new Promise((r) => setTimeout(r, 5000))]);
    for (let i = 0; i < 100 && !consoleLines.some((l) => l.includes(closed)); i++) await page.waitForTimeout(50);
    assert.ok(consoleLines.some((l) => l.includes(closed)), "the chrome did not close the page that took the keyboard");
    assert.equal(await page.locator("#content").count(), 0, "the page's frame is still there");
    await page.waitForTimeout(500); // what the page heard reaches the shell's log
  };

  before(async () => {
    site.dataDir = await tempDir(`${name}-data`);
    const installed = await runLoginshell(["install", "--data", site.dataDir, hostileDir]);
    assert.equal(installed.code, 0, `install the hostile package: ${installed.stdout}${installed.stderr}`);
    const boot = { name: "hostile-site", version: "1", starter: "hostile", dependencies: { hostile: "6.6.6" } };
    if (offline) Object.assign(boot, { offline: "offline-login", dependencies: { ...boot.dependencies, "offline-login": "1.0.0" } });
    await writeFile(join(site.dataDir, "boot.json"), `${JSON.stringify(boot)}\n`);
    site.shell = await startShell({ dataDir: site.dataDir, demo: true });
    site.browser = await openBrowser({ args: browserArgs });
  });

  after(async () => {
    await site.browser?.close();
    await site.shell?.kill();
    await removeDir(site.dataDir);
  });

  return site;
}

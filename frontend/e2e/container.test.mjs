// End-to-end: a starter app written for the mobile container, as its
// reference offline example writes one (fixtures/container-starter:
// XMLHttpRequest to http://pmapi/..., and "Update Offline Password", which
// takes anything but 200 from POST /auth/update as a failure, told in an
// alert, the moment the call returns).
//
// Seed 002: POST /auth/update shows the manage page and answers 200 when
// the update completed. The page that asked used to be replaced by the
// manage page, which aborted its request (the alert, at once, in the
// window); now the manage page goes over it, and the request waits for the
// flow: 200 when the password was changed, 403 when it was cancelled.
//
// Also here: a page load prints nothing of the shell's own in the console
// (Chromium in one process, as WebKitGTK: "Unable to post message …
// Recipient has origin …" was printed at every load), and a hostile page
// kept under the manage page gets no key of what is typed there.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { hostileSite } from "./hostile.mjs";
import { contentFrame, oneProcess, openBrowser, removeDir, runLoginshell, setUpOffline, signInAtDemo, startShell, tempDir, waitForContentURL, waitForOverURL } from "./shell.mjs";
import { diagnosing } from "./suite.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const starterDir = resolve(here, "fixtures", "container-starter");
const starterPath = "/webapps/container-starter/index.html";

/** dataWith installs dir into a fresh data directory whose boot document starts it, with the bundled offline package. */
async function dataWith(prefix, dir, name, version) {
  const dataDir = await tempDir(prefix);
  const installed = await runLoginshell(["install", "--data", dataDir, dir]);
  assert.equal(installed.code, 0, `install ${name}: ${installed.stdout}${installed.stderr}`);
  const boot = { name: "Sample1", version: "1.0", starter: name, offline: "offline-login", dependencies: { [name]: version, "offline-login": "1.0.0" } };
  await writeFile(join(dataDir, "boot.json"), `${JSON.stringify(boot)}\n`);
  return dataDir;
}

/** signIn signs operator in at the demo provider and sets up the first offline password. */
async function signIn(page, shell, password) {
  await signInAtDemo(page, shell.url);
  await setUpOffline(page, password);
}

/** overURL waits for the frame over the page to show a page whose path ends with want. */
const overURL = (page, want) => waitForOverURL(page, (u) => u.pathname.endsWith(want), { what: want });

describe("the container's reference starter app", { concurrency: false }, () => {
  let dataDir;
  let shell;
  let browser;
  /** Every alert, confirm or prompt any page showed, in order. */
  const boxes = [];

  before(async () => {
    dataDir = await dataWith("container-data", starterDir, "container-starter", "0.0.1");
    shell = await startShell({ dataDir, demo: true });
    browser = await openBrowser({ args: oneProcess });
    browser.page.on("dialog", (d) => {
      boxes.push(d.message());
      d.dismiss().catch(() => {});
    });
  });

  after(async () => {
    await browser?.close();
    await shell?.kill();
    await removeDir(dataDir);
  });

  const run = diagnosing("container", () => ({ shell, browser }));

  /** answers is what the starter app's requests got, in its own document (kept, never loaded again). */
  async function answers() {
    const frame = await contentFrame(browser.page);
    return frame.evaluate(() => window.answers.map((a) => ({ url: a.url, status: a.status })));
  }

  test("c1: sign in online and set up the offline password; the starter app shows", async () => {
    await run("c1", async () => {
      await signIn(browser.page, shell, "offline-pass-1");
      await waitForContentURL(browser.page, (u) => u.pathname === starterPath, { what: "the starter app" });
      const frame = await contentFrame(browser.page);
      await frame.waitForFunction(() => window.answers.length > 0);
      assert.deepEqual(await answers(), [{ url: "http://pmapi/connectivity", status: 200 }]);
    });
  });

  test("c2: Update Offline Password: the manage page over the app, and 200 once the update completed, no error alert", async () => {
    const { page } = browser;
    await run("c2", async () => {
      await page.frameLocator("#content").locator("#update").click();
      const manage = await overURL(page, "/manage.html");
      assert.equal(manage.searchParams.get("u"), "operator");
      assert.equal(await page.locator("#content").isVisible(), false, "the app shows beside the manage page");
      // The request is open while the person types: no answer before completion.
      await page.waitForTimeout(500);
      assert.deepEqual(await answers(), [{ url: "http://pmapi/connectivity", status: 200 }]);
      assert.deepEqual(boxes, [], "an alert came up when the manage page opened");
      const over = page.frameLocator("#over");
      await over.locator("#old").fill("offline-pass-1");
      await over.locator("#password").fill("offline-pass-2");
      await over.locator("#confirm").fill("offline-pass-2");
      await over.locator("#save").click();
      await page.locator("#over").waitFor({ state: "detached" });
      await page.locator("#content").waitFor({ state: "visible" });
      const frame = await contentFrame(page);
      await frame.waitForFunction(() => window.answers.length > 1);
      // The same document (its first answer is still there), and the seed's 200.
      assert.deepEqual(await answers(), [
        { url: "http://pmapi/connectivity", status: 200 },
        { url: "http://pmapi/auth/update", status: 200 },
      ]);
      assert.deepEqual(boxes, [], "the starter app alerted an error");
      assert.match(shell.output(), /offline password changed.*user=operator/);
    });
  });

  test("c3: a cancelled change answers 403, the seed's refusal, to the page that asked", async () => {
    const { page } = browser;
    await run("c3", async () => {
      await page.frameLocator("#content").locator("#update").click();
      await overURL(page, "/manage.html");
      await page.frameLocator("#over").locator("#cancel").click();
      await page.locator("#over").waitFor({ state: "detached" });
      const frame = await contentFrame(page);
      await frame.waitForFunction(() => window.answers.length > 2);
      assert.deepEqual((await answers())[2], { url: "http://pmapi/auth/update", status: 403 });
      // The reference app says so in its own words: its alert for anything but 200.
      assert.deepEqual(boxes, ["Error updating offline password"]);
    });
  });

  test("c4: no page load printed a message of the shell's own in the console", async () => {
    await run("c4", async () => {
      const shellOrigin = shell.origin;
      const own = browser.consoleMessages
        .map((m) => ({ type: m.type(), text: m.text(), url: m.location().url ?? "" }))
        .filter(
          (m) =>
            /post ?message|target origin|recipient has origin/i.test(m.text) ||
            (m.type === "error" && m.url.startsWith(shellOrigin)),
        );
      assert.deepEqual(own, [], `the shell's own console messages:\n${own.map((m) => `[${m.type}] ${m.text} (${m.url})`).join("\n")}`);
    });
  });
});

describe("a hostile page under the manage page it opened", { concurrency: false }, () => {
  const site = hostileSite("container-hostile", { offline: true });

  test("h1: it takes the keyboard while the person types: it is closed, gets no key, and the change goes through", async () => {
    const { page } = site.browser;
    await site.run("h1", async () => {
      await signIn(page, site.shell, "offline-pass-1");
      const frame = await site.hostile();
      await frame.evaluate(() => {
        void fetch("http://pmapi/auth/update", { method: "POST" });
        window.attack.grab();
      });
      await overURL(page, "/manage.html");
      const over = page.frameLocator("#over");
      await over.locator("#old").click();
      await page.keyboard.type("offline-pass-1", { delay: 80 });
      await over.locator("#password").click();
      await page.keyboard.type("offline-pass-2", { delay: 80 });
      await over.locator("#confirm").click();
      await page.keyboard.type("offline-pass-2", { delay: 80 });
      await page.keyboard.press("Enter");
      await page.locator("#over").waitFor({ state: "detached" });
      assert.match(site.shell.output(), /offline password changed.*user=operator/);
      assert.deepEqual(site.keysGot(), [], "the page under the manage page got keys");
      // It did take the keyboard, and was closed for it, said and recorded; it loads afresh now.
      assert.ok(site.browser.consoleLines.some((l) => l.includes("the page behind the sign-in page was closed")), "the page was not closed");
      assert.match(await page.locator("#notice").innerText(), /^The page behind took the keyboard and was closed\./);
      assert.equal((await site.alerts()).length, 1, "not one alert in the trail");
      await site.hostile(); // again
    });
  });
});

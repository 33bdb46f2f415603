// End-to-end: a --package folder in the window (browser mode, Chromium), issue 23.2. The
// container's repository names its folders otherwise (LineApp/ holds lineapp). While the folder
// loads, its page carries the chrome's "live from <folder>" mark, which the page can neither
// read nor draw; when its webapp.json breaks, the page area says what `loginshell check` says
// (not the installed copy of the package); fixed, the page is back without a click.

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { contentFrame, diagnose, openBrowser, removeDir, runLoginshell, signInAtDemo, startShell, tempDir, waitForContentURL } from "./shell.mjs";

const manifest = { name: "lineapp", version: "2.0", main: "index.html", title: "Line 4 (from source)" };

// The live page: it says where it comes from, and tries to learn and to fake what the chrome
// marks (window.attempts, read by the test).
const livePage = (text) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>live from /tmp/fake</title></head>
<body><h1 id="mark">${text}</h1>
<script>
window.attempts = async (folder) => {
  const out = {};
  const attempt = async (name, fn) => {
    try { out[name] = await fn(); } catch (e) { out[name] = "threw " + e.name; }
  };
  await attempt("parent.document", () => parent.document.getElementById("live-mark").textContent);
  await attempt("the folder in what the page can read", () => {
    const readable = [() => location.href, () => document.referrer, () => window.name, () => document.cookie,
      () => document.documentElement.outerHTML, () => JSON.stringify(Object.assign({}, localStorage)),
      () => JSON.stringify(Object.assign({}, sessionStorage)), () => performance.getEntries().map((e) => e.name).join(" ")];
    return readable.some((read) => { try { return read().includes(folder); } catch { return false; } });
  });
  await attempt("chrome /shell/view", () => fetch(window.chromeOrigin + "/shell/view").then((r) => r.status));
  // Faking: ask the chrome to mark another folder, and retitle itself.
  parent.postMessage({ loginshell: "live", live: "/tmp/fake" }, "*");
  parent.postMessage({ kind: "page", live: "/tmp/fake", seq: 1e9 }, "*");
  document.title = "live from /tmp/fake";
  return out;
};
</script></body></html>
`;

describe("a --package folder in the window", () => {
  let dataDir;
  let repo;
  let shell;

  before(async () => {
    dataDir = await tempDir("live-data");
    repo = await tempDir("live-repo");
    // An installed copy of the same package and version: never shown in place of the folder.
    const installedDir = join(repo, "..", `${repo.split("/").pop()}-installed`);
    await mkdir(installedDir, { recursive: true });
    await writeFile(join(installedDir, "webapp.json"), JSON.stringify(manifest));
    await writeFile(join(installedDir, "index.html"), "<!doctype html><title>x</title><h1 id=mark>the installed copy</h1>");
    const inst = await runLoginshell(["install", "--data", dataDir, installedDir]);
    assert.equal(inst.code, 0, `install the installed copy: ${inst.stdout}${inst.stderr}`);
    await removeDir(installedDir);
    await writeFile(
      join(repo, "app.json"),
      JSON.stringify({ name: "plant", version: "1", starter: "lineapp", dependencies: { lineapp: "2.0" } }),
    );
    await mkdir(join(repo, "LineApp"));
    await writeFile(join(repo, "LineApp", "webapp.json"), JSON.stringify(manifest));
    await writeFile(join(repo, "LineApp", "index.html"), livePage("from the folder"));
  });

  after(async () => {
    if (shell) await shell.kill();
    await removeDir(dataDir);
    await removeDir(repo);
  });

  test("marked live, broken in the page area as check says, recovered when fixed", async () => {
    const folder = join(repo, "LineApp");
    shell = await startShell({ dataDir, demo: true, extra: ["--boot", join(repo, "app.json"), "--package", folder] });
    const browser = await openBrowser();
    const { page } = browser;
    const ctx = { page, shell, consoleLines: browser.consoleLines };
    try {
      await signInAtDemo(page, shell.url);
      await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: "the live package" });
      const content = page.frameLocator("#content");
      await content.locator("#mark", { hasText: "from the folder" }).waitFor({ state: "visible" });
      await page.locator("#live-mark").waitFor({ state: "visible" });
      assert.equal(await page.locator("#live-mark-text").textContent(), `live from ${folder}`);
      assert.equal(await page.locator("#page-title").textContent(), "Line 4 (from source)");

      // The page tries to read the mark and the folder, and to fake the mark.
      const frame = await contentFrame(page);
      await frame.evaluate((origin) => {
        window.chromeOrigin = origin;
      }, shell.origin);
      const observed = await frame.evaluate((f) => window.attempts(f), folder);
      assert.deepEqual(
        observed,
        {
          "parent.document": "threw SecurityError",
          "the folder in what the page can read": false,
          "chrome /shell/view": "threw TypeError",
        },
        "what the live page observed",
      );
      await page.waitForTimeout(300); // give the chrome time to (wrongly) act on the messages
      assert.equal(await page.locator("#live-mark-text").textContent(), `live from ${folder}`, "a page changed the mark");
      assert.equal(await page.locator("#live-mark").count(), 1);
      assert.doesNotMatch(await page.title(), /tmp\/fake/, "the page's own title reached the window's title");

      // Broken: the page area says what check says, and the installed copy is not served.
      await writeFile(join(folder, "webapp.json"), '{\n  "name": "lineapp",\n  "version": "2.0",\n  "main": "index.html"\n  "title": "x"\n}\n');
      await page.locator("#live-view").waitFor({ state: "visible", timeout: 10_000 });
      assert.equal(await page.locator("#content").isVisible(), false, "the page is still shown over a broken folder");
      assert.equal(await page.locator("#live-mark").isVisible(), false, "the mark stayed over a broken folder");
      const lines = await page.locator("#live-problems li").allTextContents();
      const checked = await runLoginshell(["check", "--data", dataDir, folder]);
      assert.equal(checked.code, 1, `check passed the broken folder: ${checked.stdout}`);
      const checkLines = checked.stdout.trim().split("\n").slice(0, -1);
      assert.deepEqual(lines, checkLines, "the page area and loginshell check disagree");
      assert.match(lines[0], /^webapp\.json: error: invalid-manifest: is not valid JSON at line 5, column 3/);
      assert.match(await page.locator("#live-folder").textContent(), new RegExp(`lineapp in ${folder.replaceAll("/", "\\/")}`));
      const served = await frame.evaluate(() => fetch(location.pathname).then(async (r) => `${r.status} ${await r.text()}`));
      assert.doesNotMatch(served, /the installed copy/, "the installed copy is served in place of the broken folder");
      const view = await shell.view();
      assert.equal(view.broken?.[0]?.folder, folder, `the view: ${JSON.stringify(view)}`);

      // Fixed: back without a click.
      await writeFile(join(folder, "index.html"), livePage("fixed"));
      await writeFile(join(folder, "webapp.json"), JSON.stringify(manifest));
      await content.locator("#mark", { hasText: "fixed" }).waitFor({ state: "visible", timeout: 10_000 });
      assert.equal(await page.locator("#live-view").isVisible(), false);
      assert.equal(await page.locator("#live-mark-text").textContent(), `live from ${folder}`);
    } catch (err) {
      await diagnose("live", ctx).catch((e) => console.error(`diagnostics failed: ${e.message}`));
      throw err;
    } finally {
      await browser.close();
    }
  });
});

// End-to-end: installing a web app package from the chrome in a browser
// (serve mode). Installing is for a signed-in person (issue 22.5): the shell
// runs with --demo and operator signs in first (no installer_role is set,
// so every signed-in person may install; settings.test.mjs covers the role).
//
//   a) a good package (the sample lineapp at version 1.2.0), chosen in the
//      file chooser: "Installed lineapp 1.2.0", and it is on disk
//   b) a bad package (an entry named ../evil.html): the path-escape line,
//      exactly as `loginshell check` prints it
//   c) the good package dropped on the window again asks before replacing the installed one,
//      and Replace installs it

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { diagnose, openBrowser, removeDir, startShell, tempDir, waitForContentURL } from "./shell.mjs";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const sampleDir = join(repoRoot, "internal", "samples", "data", "lineapp");
const installedText = "Installed lineapp 1.2.0. It is used at the next sign-in.";

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * storedZip builds a zip archive (no compression, no dependencies) from
 * [name, Buffer] pairs: local headers and data, then the central directory.
 * Names are written as given, "../" included: that is the point.
 */
function storedZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBuf = Buffer.from(name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: a regular file
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** lineapp120 is the sample lineapp with its version bumped to 1.2.0. */
async function lineapp120() {
  const entries = [];
  for (const name of (await readdir(sampleDir)).sort()) {
    let data = await readFile(join(sampleDir, name));
    if (name === "webapp.json") {
      const m = JSON.parse(data.toString("utf8"));
      m.version = "1.2.0";
      data = Buffer.from(JSON.stringify(m, null, 2));
    }
    entries.push([name, data]);
  }
  return storedZip(entries);
}

function evilZip() {
  return storedZip([
    ["webapp.json", Buffer.from('{"name":"evil","version":"1.0.0","main":"index.html"}')],
    ["index.html", Buffer.from("<!doctype html><title>evil</title><p>evil</p>")],
    ["../evil.html", Buffer.from("<p>outside</p>")],
  ]);
}

/** resultText waits for the result panel and returns its text. */
async function resultText(page, want) {
  const panel = page.locator("#install-result");
  await panel.filter({ hasText: want }).waitFor({ state: "visible" });
  return panel.innerText();
}

describe("installing a package from the browser", () => {
  let dataDir;
  let workDir;
  let shell;
  let browser;
  let goodPath;
  let evilPath;

  before(async () => {
    dataDir = await tempDir("install-data");
    workDir = await tempDir("install-work");
    goodPath = join(workDir, "lineapp-1.2.0.zip");
    evilPath = join(workDir, "evil.zip");
    await writeFile(goodPath, await lineapp120());
    await writeFile(evilPath, evilZip());
    shell = await startShell({ dataDir, demo: true });
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(shell.url);
    // Nobody signed in yet: nothing to install with.
    await page.locator('input[name="username"]').waitFor({ state: "visible" });
    await page.locator('input[name="username"]').fill("operator");
    await page.locator('input[name="password"]').fill("operator-demo");
    await page.locator('input[name="password"]').press("Enter");
    await waitForContentURL(page, (u) => u.pathname.endsWith("/setup.html"), { what: "setup.html" });
    assert.equal(await page.locator("#install").isVisible(), false, "Install package… offered during the offline setup");
    const setup = page.frameLocator("#content");
    await setup.locator("#password").fill("Station-pass-41");
    await setup.locator("#confirm").fill("Station-pass-41");
    await setup.locator("#confirm").press("Enter");
    await setup.locator("h1", { hasText: "Line 4 — Release station" }).waitFor();
  });

  after(async () => {
    if (browser) await browser.close();
    if (shell) await shell.kill();
    await removeDir(dataDir);
    await removeDir(workDir);
  });

  async function step(name, fn) {
    try {
      await fn(browser.page);
    } catch (err) {
      await diagnose(`install-${name}`, { page: browser.page, shell, consoleLines: browser.consoleLines }).catch(
        (e) => console.error(`diagnostics failed: ${e.message}`),
      );
      throw err;
    }
  }

  test("a good package chosen with the button installs", () =>
    step("good", async (page) => {
      // Signed in: the top bar offers Install package….
      await page.locator("#install").waitFor({ state: "visible" });
      // A browser has no folder dialog to offer: Install folder… is the window's only.
      assert.equal(await page.locator("#install-folder").isVisible(), false, "Install folder… shown in a browser");
      assert.equal(await page.evaluate(() => document.body.dataset.mode), "http");
      const chooser = page.waitForEvent("filechooser");
      await page.locator("#install").focus();
      await page.keyboard.press("Enter");
      await (await chooser).setFiles(goodPath);
      const text = await resultText(page, installedText);
      assert.match(text, /Installed lineapp 1\.2\.0\. It is used at the next sign-in\./);
      assert.equal(await page.evaluate(() => document.activeElement?.id), "install-result");
      await stat(join(dataDir, "webapps", "lineapp", "1.2.0", "index.html"));
      await page.keyboard.press("Escape");
      await page.locator("#install-result").waitFor({ state: "hidden" });
      assert.equal(await page.evaluate(() => document.activeElement?.id), "install");
    }));

  test("a bad package shows check's path-escape line", () =>
    step("bad", async (page) => {
      await page.setInputFiles("#install-file", evilPath);
      await resultText(page, "path-escape");
      const lines = await page.locator("#install-problems li").allInnerTexts();
      const { stdout } = await promisify(execFile)(process.env.LOGINSHELL_BIN, ["check", evilPath]).catch((e) => e);
      const checkLines = stdout.trim().split("\n").slice(0, -1); // the last line is the summary
      assert.ok(lines.some((l) => l.startsWith("../evil.html: error: path-escape: ")), `lines ${JSON.stringify(lines)}`);
      assert.deepEqual(lines, checkLines, "the window's lines differ from `loginshell check`");
      await stat(join(dataDir, "webapps", "evil")).then(
        () => assert.fail("the bad package was installed"),
        () => {},
      );
      await page.locator("#install-dismiss").click();
    }));

  test("the same package dropped again asks before replacing, and Replace installs it", () =>
    step("drop", async (page) => {
      const bytes = [...(await readFile(goodPath))];
      const dataTransfer = await page.evaluateHandle((b) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(b)], "lineapp-1.2.0.zip", { type: "application/zip" }));
        return dt;
      }, bytes);
      await page.dispatchEvent("body", "dragenter", { dataTransfer });
      await page.locator("#drop-hint").waitFor({ state: "visible" });
      await page.dispatchEvent("#drop-hint", "drop", { dataTransfer });
      await page.locator("#drop-hint").waitFor({ state: "hidden" });
      // lineapp 1.2.0 is installed by now (the file chooser step): a yes is needed.
      const asked = await resultText(page, "Replace it with lineapp 1.2.0?");
      assert.match(asked, /lineapp 1\.2\.0 is installed/);
      await page.locator("#install-replace").click();
      await resultText(page, installedText);
    }));
});

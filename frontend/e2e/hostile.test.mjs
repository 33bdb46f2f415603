// A hostile package and a hostile page on another local port try every way
// into the shell they can think of (browser mode, Chromium). Each attempt
// must fail, and the test asserts what the attacker observed, not only that
// nothing crashed:
//   a) from inside the shell: the package's page, shown in the content frame,
//      reads the chrome, scripts it, calls its endpoints and installs a
//      package of its own;
//   b) from another port of 127.0.0.1: a page the same browser has open
//      reads, changes and frames the shell;
//   c) the printed URL of a restarted shell opens it in the same profile.

import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { contentFrame, openBrowser, removeDir, runLoginshell, signInAtDemo, startShell, tempDir, waitForContentURL } from "./shell.mjs";
import { diagnosing } from "./suite.mjs";
import { zipDir } from "./zip.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const hostileDir = resolve(here, "fixtures", "hostile");
const legacyDir = resolve(here, "fixtures", "legacy-login");

/** attacker runs a page on another loopback port and records what reaches it. */
function startAttacker(html) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(req.url === "/" ? html() : "ok");
    });
  });
  return new Promise((resolveStart) =>
    server.listen(0, "127.0.0.1", () => resolveStart({ server, seen, port: server.address().port })),
  );
}

describe("a hostile package and a hostile local page", { concurrency: false }, () => {
  let dataDir;
  let workDir;
  let shell;
  let browser;
  let attacker;

  before(async () => {
    dataDir = await tempDir("hostile-data");
    workDir = await tempDir("hostile-work");
    const installed = await runLoginshell(["install", "--data", dataDir, hostileDir]);
    assert.equal(installed.code, 0, `install the hostile package: ${installed.stdout}${installed.stderr}`);
    // The hostile package is the starter app: shown right after sign-in.
    const boot = { name: "hostile-site", version: "1", starter: "hostile", dependencies: { hostile: "6.6.6" } };
    await writeFile(join(dataDir, "boot.json"), `${JSON.stringify(boot)}\n`);
  });

  after(async () => {
    await browser?.close();
    await shell?.kill();
    attacker?.server.close();
    await removeDir(dataDir);
    await removeDir(workDir);
  });

  const run = diagnosing("hostile", () => ({ shell, browser }));

  test("from inside the shell, the package's page reaches the services and nothing else", async () => {
    shell = await startShell({ dataDir, demo: true });
    browser = await openBrowser();
    const { page } = browser;
    let frame;
    await run("a1-sign-in", async () => {
      await signInAtDemo(page, shell.url);
      const u = await waitForContentURL(page, (u) => u.pathname === "/webapps/hostile/index.html", { what: "the hostile package" });
      assert.notEqual(u.origin, shell.origin, "the package is served on the chrome's own origin");
      assert.match(u.hostname, /^a[0-9a-f]+\.p[0-9a-f]{32}\.localhost$/, "the package's host is not a name of its own under a random one");
      frame = await contentFrame(page);
    });

    const evil = await zipDir(legacyDir, join(workDir, "evil.zip")).then(() => readFile(join(workDir, "evil.zip")));
    /** what the page observed, attack by attack, run in the page's own JavaScript context. */
    const observed = await frame.evaluate(
      async ({ chrome, zip }) => {
        const out = {};
        const attempt = async (name, fn) => {
          try {
            out[name] = await fn();
          } catch (e) {
            out[name] = `threw ${e.name}`;
          }
        };
        await attempt("parent.location", () => String(parent.location.href));
        await attempt("parent.document", () => parent.document.body.innerHTML.length);
        await attempt("parent.eval", () => parent.eval("1+1"));
        await attempt("parent.go", () => typeof parent.go);
        await attempt("top.location.search", () => top.location.search);
        await attempt("window.go", () => typeof window.go);
        await attempt("document.cookie", () => document.cookie);
        const status = async (url, init) => (await fetch(url, init)).status;
        await attempt("own /shell/view", () => status("/shell/view"));
        await attempt("own /shell/install", () =>
          status("/shell/install", { method: "POST", headers: { "Content-Type": "application/zip" }, body: new Uint8Array(zip) }),
        );
        await attempt("chrome /shell/view (cors)", () => status(`${chrome}/shell/view`));
        await attempt("chrome /shell/install (no-cors)", async () => {
          const r = await fetch(`${chrome}/shell/install`, {
            method: "POST",
            mode: "no-cors",
            headers: { "Content-Type": "application/zip" },
            body: new Uint8Array(zip),
          });
          return `opaque ${r.type}`;
        });
        await attempt("chrome /shell/configure (no-cors)", async () => {
          const r = await fetch(`${chrome}/shell/configure`, {
            method: "POST",
            mode: "no-cors",
            body: JSON.stringify({ login_url: "https://evil.example" }),
          });
          return `opaque ${r.type}`;
        });
        await attempt("services work", () => status("/pmapi/version"));
        await attempt("another package on this origin", () => status("/webapps/offline-login/login.html"));
        await attempt("client_secret", async () => (await (await fetch("/pmapi/usersettings")).json()).client_secret ?? "absent");
        await attempt("login_url javascript:", () =>
          status("/pmapi/usersettings/login_url", { method: "PUT", body: JSON.stringify("javascript:alert(1)") }),
        );
        await attempt("window/pane by GET", () => status("/pmapi/window/pane?webapp=hostile"));
        await attempt("page log password", () =>
          status("/pmapi/log", { method: "PUT", body: JSON.stringify({ level: "info", log: "hostile login password=hunter2 token=abc123" }) }),
        );
        return out;
      },
      { chrome: shell.origin, zip: [...evil] },
    );

    await run("a2-what-the-page-saw", async () => {
      const want = {
        "parent.location": "threw SecurityError",
        "parent.document": "threw SecurityError",
        "parent.eval": "threw SecurityError",
        "parent.go": "threw SecurityError",
        "top.location.search": "threw SecurityError",
        "window.go": "undefined",
        "document.cookie": "",
        "own /shell/view": 404,
        "own /shell/install": 404,
        "chrome /shell/view (cors)": "threw TypeError",
        "chrome /shell/install (no-cors)": "opaque opaque",
        "chrome /shell/configure (no-cors)": "opaque opaque",
        "services work": 200,
        "another package on this origin": 404,
        "client_secret": "absent",
        "login_url javascript:": 403,
        "window/pane by GET": 405,
        "page log password": 201,
      };
      assert.deepEqual(observed, want, "what the hostile page observed");
    });

    await run("a3-nothing-changed", async () => {
      // The blind uploads installed nothing and changed no setting.
      await assert.rejects(stat(join(dataDir, "webapps", "legacy-login")), "a page installed a package");
      const settings = JSON.parse(await readFile(join(dataDir, "settings.json"), "utf8"));
      assert.notEqual(settings.login_url, "https://evil.example", "a page set the login server");
      assert.doesNotMatch(shell.output(), /hunter2|abc123/, "a page's log line carried a secret into the shell's log");
      assert.match(shell.output(), /hostile login password=\[redacted\]/, "the page's log line is not in the log, redacted");
      // The browser holds no key the page could have used: it is never in a cookie.
      const cookies = await browser.context.cookies();
      assert.deepEqual(
        cookies.filter((c) => c.value.includes(shell.key)),
        [],
        "the shell's key is in a cookie",
      );
    });
  });

  test("from another port, a local page can neither read, change nor frame the shell", async () => {
    const { page, context } = browser;
    attacker = await startAttacker(
      () => `<!doctype html><html><body>
        <img id="pane" src="${shell.origin}/pmapi/window/pane?webapp=hostile">
        <iframe id="framed" src="${shell.url}"></iframe>
        </body></html>`,
    );
    const other = await context.newPage();
    const before = await shell.view();
    let observed;
    await run("b1-attacker-page", async () => {
      await other.goto(`http://127.0.0.1:${attacker.port}/`);
      await other.waitForLoadState("load");
      observed = await other.evaluate(async (chrome) => {
        const out = {};
        const attempt = async (name, fn) => {
          try {
            out[name] = await fn();
          } catch (e) {
            out[name] = `threw ${e.name}`;
          }
        };
        await attempt("read /shell/view", async () => (await fetch(`${chrome}/shell/view`, { credentials: "include" })).status);
        await attempt("configure (no-cors)", async () => {
          const r = await fetch(`${chrome}/shell/configure`, {
            method: "POST",
            mode: "no-cors",
            credentials: "include",
            body: JSON.stringify({ login_url: "https://evil.example" }),
          });
          return r.type;
        });
        await attempt("framed shell", () => document.getElementById("framed").contentWindow.document.body.innerText);
        return out;
      }, shell.origin);
    });
    await run("b2-what-the-attacker-saw", async () => {
      assert.deepEqual(observed, {
        "read /shell/view": "threw TypeError",
        "configure (no-cors)": "opaque",
        "framed shell": "threw SecurityError",
      });
      // Chromium refused to render the framed shell (frame-ancestors 'none'): no frame of the
      // attacker's page holds the shell's chrome.
      for (const f of other.frames()) {
        if (f === other.mainFrame()) continue;
        const text = await f.evaluate(() => document.body?.innerText ?? "").catch(() => "");
        assert.doesNotMatch(text, /Install package|Not signed in|Signed in/, `the shell rendered inside ${f.url()}`);
      }
      // Nothing reached the attacker's server but its own page: no key, no cookie went out.
      for (const r of attacker.seen) assert.doesNotMatch(JSON.stringify(r), new RegExp(shell.key), "the key reached another port");
      const after = await shell.view();
      assert.equal(after.url, before.url, "an <img> of another page changed the view");
      const settings = JSON.parse(await readFile(join(dataDir, "settings.json"), "utf8"));
      assert.notEqual(settings.login_url, "https://evil.example", "another port's page set the login server");
    });
    await other.close();
  });

  test("a restarted shell opens at its newly printed URL in the same browser profile", async () => {
    const { page } = browser;
    const stopped = await shell.stop();
    assert.deepEqual(stopped, { code: 0, signal: null });
    shell = await startShell({ dataDir, demo: true });
    await run("c1-restart", async () => {
      await page.goto(shell.url);
      // The new run's chrome answers (the demo sends the tab to its provider again).
      await page.locator('input[name="username"]').waitFor({ state: "visible" });
      const body = await page.evaluate(() => document.body.innerText);
      assert.doesNotMatch(body, /missing or wrong key/);
    });
  });
});

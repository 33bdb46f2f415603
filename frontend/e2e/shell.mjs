// Helpers for the browser tests: start and stop `loginshell serve`, open a
// throwaway Chromium, raw HTTP requests, and failure diagnostics.
//
// The binary comes from $LOGINSHELL_BIN (make e2e sets it to the production
// build). Chromium is Debian's /usr/bin/chromium ($LOGINSHELL_CHROMIUM
// overrides it); nothing here downloads a browser.

import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));

/** Where failure screenshots and page dumps go (gitignored). */
export const artifactsDir = resolve(here, "../../build/artifacts/e2e");

/** The first stdout line of `serve`, exactly. */
const servingLine = /^loginshell: serving (http:\/\/127\.0\.0\.1:(\d+)\/\?key=([^\s&#]+))$/;

const startTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;

/** Servers still running; killed when the test process exits, whatever happened. */
const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * runLoginshell runs `$LOGINSHELL_BIN ARGS...` to completion (60 s at most)
 * and resolves with its exit code and output; a non-zero exit resolves too,
 * so the caller asserts on it.
 *
 * @param {string[]} args
 * @returns {Promise<{code: number | null, stdout: string, stderr: string}>}
 */
export function runLoginshell(args) {
  const bin = process.env.LOGINSHELL_BIN;
  if (!bin) {
    return Promise.reject(new Error("LOGINSHELL_BIN is not set: run `make e2e`, or set it to the loginshell binary"));
  }
  return new Promise((resolveRun, reject) => {
    execFile(bin, args, { timeout: 60_000, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") {
        reject(new Error(`${bin} ${args.join(" ")}: ${err.message}\n---- stderr\n${stderr}----`));
        return;
      }
      resolveRun({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** tempDir makes a fresh directory under the OS temp dir. */
export function tempDir(prefix) {
  return mkdtemp(join(tmpdir(), `loginshell-e2e-${prefix}-`));
}

/** removeDir deletes a directory made by tempDir; a missing one is fine. */
export function removeDir(dir) {
  return rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * startShell runs `$LOGINSHELL_BIN serve --listen 127.0.0.1:0 --data DIR`
 * (plus --demo / --offline) and resolves once the first stdout line names the
 * URL. It rejects with everything the process printed if that line is not
 * the expected one, the process exits first, or 60 s pass.
 *
 * @param {{dataDir: string, demo?: boolean, offline?: boolean, extra?: string[]}} opts
 * @returns {Promise<Shell>}
 */
export async function startShell({ dataDir, demo = false, offline = false, extra = [] }) {
  const bin = process.env.LOGINSHELL_BIN;
  if (!bin) {
    throw new Error("LOGINSHELL_BIN is not set: run `make e2e`, or set it to the loginshell binary");
  }
  // Debug logs only ever reach a person through a failure report.
  const logLevel = process.env.LOGINSHELL_E2E_LOG_LEVEL || "debug";
  const args = ["serve", "--listen", "127.0.0.1:0", "--data", dataDir, "--log-level", logLevel];
  if (demo) args.push("--demo");
  if (offline) args.push("--offline");
  args.push(...extra);

  // GOTRACEBACK=all: a SIGQUIT (Shell.stacks) prints every goroutine.
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GOTRACEBACK: "all" } });
  running.add(child);
  const shell = new Shell(child, `${bin} ${args.join(" ")}`);

  const first = await new Promise((resolveLine, reject) => {
    let pending = "";
    const timer = setTimeout(() => fail(`no "loginshell: serving" line within ${startTimeoutMs / 1000} s`), startTimeoutMs);
    function fail(why) {
      cleanup();
      child.kill("SIGKILL");
      reject(new Error(`${shell.command}: ${why}\n---- output so far\n${shell.output()}----`));
    }
    function onData(chunk) {
      pending += chunk.toString("utf8");
      const nl = pending.indexOf("\n");
      if (nl >= 0) {
        cleanup();
        resolveLine(pending.slice(0, nl).replace(/\r$/, ""));
      }
    }
    function onExit(code, signal) {
      fail(`exited (code ${code}, signal ${signal}) before printing its URL`);
    }
    function onError(err) {
      fail(`could not start: ${err.message}`);
    }
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.off("exit", onExit);
      child.off("error", onError);
    }
    child.stdout.on("data", onData);
    child.on("exit", onExit);
    child.on("error", onError);
  });

  const m = servingLine.exec(first);
  if (!m) {
    await shell.stop().catch(() => {});
    throw new Error(
      `${shell.command}: first stdout line is ${JSON.stringify(first)}, ` +
        `want "loginshell: serving http://127.0.0.1:PORT/?key=KEY"\n---- output\n${shell.output()}----`,
    );
  }
  shell.url = m[1];
  shell.port = Number(m[2]);
  shell.key = decodeURIComponent(m[3]);
  shell.origin = `http://127.0.0.1:${shell.port}`;
  return shell;
}

/** A running `loginshell serve`. */
export class Shell {
  /** @param {import("node:child_process").ChildProcess} child */
  constructor(child, command) {
    this.child = child;
    this.command = command;
    /** The URL of the first stdout line, key included. */
    this.url = "";
    this.origin = "";
    this.port = 0;
    this.key = "";
    this.exit = new Promise((resolveExit) => {
      child.on("exit", (code, signal) => {
        running.delete(child);
        resolveExit({ code, signal });
      });
    });
    this.log = [];
    // Keep the output for failure reports; never parse it beyond line one.
    child.stdout.on("data", (c) => this.log.push(c.toString("utf8")));
    child.stderr.on("data", (c) => this.log.push(c.toString("utf8")));
  }

  /** output is everything the process printed so far (stdout and stderr interleaved). */
  output() {
    const text = this.log.join("");
    return text.endsWith("\n") || text === "" ? text : `${text}\n`;
  }

  /**
   * stop sends SIGTERM and waits up to 15 s; past that it kills the process
   * and rejects. Resolves with {code, signal} of a process that quit in time.
   */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
    this.child.kill("SIGTERM");
    let timer;
    const late = new Promise((resolveLate) => {
      timer = setTimeout(() => resolveLate(null), stopTimeoutMs);
    });
    const result = await Promise.race([this.exit, late]);
    clearTimeout(timer);
    if (result === null) {
      this.child.kill("SIGKILL");
      await this.exit;
      throw new Error(`${this.command}: still running ${stopTimeoutMs / 1000} s after SIGTERM\n---- output\n${this.output()}----`);
    }
    return result;
  }

  /** view returns what the Go side says the shell shows now (GET /shell/view, with the key). */
  async view() {
    const r = await request(this.port, {
      path: "/shell/view",
      headers: { "X-Loginshell-Key": this.key, Host: `127.0.0.1:${this.port}` },
    });
    if (r.status !== 200) throw new Error(`GET /shell/view: ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  }

  /**
   * stacks ends the process with SIGQUIT, on which Go prints every
   * goroutine's stack to stderr (serve catches only SIGINT and SIGTERM), and
   * resolves with what it printed from then on; "" if it had exited already.
   * For a failure report: what each goroutine was waiting for when a step
   * hung. The shell is gone afterwards.
   */
  async stacks() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return "";
    const from = this.log.length;
    this.child.kill("SIGQUIT");
    let timer;
    const late = new Promise((resolveLate) => {
      timer = setTimeout(resolveLate, 10_000);
    });
    await Promise.race([this.exit, late]);
    clearTimeout(timer);
    await this.kill();
    return this.log.slice(from).join("");
  }

  /** kill ends the process now, for cleanup after a failure. */
  async kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exit;
  }
}

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * Chromium flags that run every frame in one process, as WebKitGTK does:
 * without them a cross-origin frame lives in a process of its own, and what
 * the browser says there of a message sent to it (a target origin that is not
 * its own) never reaches the page's console events.
 */
export const oneProcess = ["--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"];

/**
 * openBrowser starts headless Chromium with a fresh profile directory (and
 * args, added to the usual flags) and returns its context, first page and a
 * close() that also removes the profile. consoleLines has every console
 * message of every frame as "[type] text"; consoleMessages the messages.
 */
export async function openBrowser({ args = [] } = {}) {
  const profile = await tempDir("chromium");
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.LOGINSHELL_CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args: [...chromiumArgs, ...args],
      viewport: { width: 1280, height: 800 },
      timeout: 60_000,
    });
  } catch (err) {
    await removeDir(profile);
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(30_000);
  const consoleLines = [];
  const consoleMessages = [];
  page.on("console", (msg) => {
    consoleLines.push(`[${msg.type()}] ${msg.text()}`);
    consoleMessages.push(msg);
  });
  page.on("pageerror", (err) => consoleLines.push(`[pageerror] ${err.message}`));
  return {
    context,
    page,
    consoleLines,
    consoleMessages,
    async close() {
      await context.close().catch(() => {});
      await removeDir(profile);
    },
  };
}

/**
 * signInAtDemo opens url (the shell's, which sends the tab to its demo provider) and signs user
 * in there with the demo's password.
 */
export async function signInAtDemo(page, url, { user = "operator", password = "operator-demo" } = {}) {
  await page.goto(url);
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form [type="submit"], form button:not([type])').first().click();
}

/** setUpOffline sets the first offline password on the setup page the shell shows after an online sign-in. */
export async function setUpOffline(page, password) {
  const content = page.frameLocator("#content");
  await content.locator("#confirm").waitFor({ state: "visible" });
  await content.locator("#password").fill(password);
  await content.locator("#confirm").fill(password);
  await content.locator("#save").click();
}

/**
 * request sends one raw HTTP request to 127.0.0.1:port. node:http, not
 * fetch: fetch silently replaces a Host header, and the Host check is one of
 * the things under test.
 *
 * @returns {Promise<{status: number, body: string}>}
 */
export function request(port, { method = "GET", path = "/", headers = {} } = {}) {
  return new Promise((resolveRes, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolveRes({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * contentFrame returns the Frame of the shell's `#content` iframe, or null
 * while there is none. Looked up afresh each call: the shell may replace the
 * iframe element.
 */
export async function contentFrame(page) {
  const el = await page.$("#content");
  return el ? el.contentFrame() : null;
}

/**
 * waitForContentURL polls until the `#content` frame's URL satisfies want
 * (a predicate on URL) and returns that URL; on timeout it throws naming the
 * last URL seen.
 */
export async function waitForContentURL(page, want, { timeoutMs = 30_000, what = "the expected page" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = "(no #content frame)";
  for (;;) {
    const frame = await contentFrame(page).catch(() => null);
    if (frame) {
      last = frame.url();
      try {
        const u = new URL(last);
        if (want(u)) return u;
      } catch {
        // about:blank and friends: keep waiting
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`#content did not show ${what} within ${timeoutMs / 1000} s; its URL is ${last}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * waitForOverURL is waitForContentURL for the frame over the page (#over):
 * an authentication page a page opened, shown over it.
 */
export async function waitForOverURL(page, want, { timeoutMs = 30_000, what = "the expected page" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = "(no #over frame)";
  for (;;) {
    const el = await page.$("#over").catch(() => null);
    const frame = el ? await el.contentFrame().catch(() => null) : null;
    if (frame) {
      last = frame.url();
      try {
        const u = new URL(last);
        if (want(u)) return u;
      } catch {
        // about:blank and friends: keep waiting
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`#over did not show ${what} within ${timeoutMs / 1000} s; its URL is ${last}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * diagnose writes what a person needs to see why a step failed: a screenshot
 * and a text dump (top URL, frame URLs and texts, console, server output) to
 * build/artifacts/e2e/<name>.{png,txt}, and prints the dump.
 */
export async function diagnose(name, { page, shell, consoleLines = [] } = {}) {
  await mkdir(artifactsDir, { recursive: true });
  const safe = name.replace(/[^a-z0-9._-]+/gi, "-");
  const lines = [`== ${name}`];
  if (page) {
    await page
      .screenshot({ path: join(artifactsDir, `${safe}.png`), fullPage: true, timeout: 10_000 })
      .then(() => lines.push(`screenshot: ${join(artifactsDir, `${safe}.png`)}`))
      .catch((err) => lines.push(`screenshot failed: ${err.message}`));
    lines.push(`page URL: ${page.url()}`);
    // The content frame as the chrome holds it: a blank page area is told apart from a blank page.
    const frameState = await page
      .evaluate(() => {
        const f = document.getElementById("content");
        if (!f) return "no #content in the document";
        const r = f.getBoundingClientRect();
        const cs = getComputedStyle(f);
        return `#content hidden=${f.hidden} inert=${f.inert} display=${cs.display} visibility=${cs.visibility} rect=${Math.round(r.width)}x${Math.round(r.height)} src=${f.getAttribute("src")} focused=${document.activeElement?.id ?? ""}`;
      })
      .catch((err) => `(unreadable: ${err.message})`);
    lines.push(`-- ${frameState}`);
    for (const frame of page.frames()) {
      const text = await frame
        .evaluate(() => {
          // Whether the document was ever laid out and what it loaded: a frame of the right size
          // whose body reads as raw text was never rendered.
          const r = document.body?.getBoundingClientRect();
          const loaded = performance.getEntriesByType("resource").map((e) => `${e.name.replace(/^.*\//, "")}:${Math.round(e.duration)}ms`);
          const head = `[${innerWidth}x${innerHeight} ${document.visibilityState} ${document.readyState} body=${Math.round(r?.width ?? 0)}x${Math.round(r?.height ?? 0)} sheets=${document.styleSheets.length} loaded=${loaded.join(",")}] `;
          return head + (document.body?.innerText ?? "(no body)");
        })
        .catch((err) => `(unreadable: ${err.message})`);
      const label = frame === page.mainFrame() ? "main frame" : `frame ${frame.name() || ""}`.trim();
      lines.push(`-- ${label}: ${frame.url()}`, text.slice(0, 4000));
    }
  }
  if (consoleLines.length > 0) lines.push("-- browser console", ...consoleLines.slice(-50));
  if (shell && shell.port && shell.child.exitCode === null && shell.child.signalCode === null) {
    // What the Go side thinks the shell should show, to set against the screenshot.
    const view = await request(shell.port, {
      path: "/shell/view",
      headers: { "X-Loginshell-Key": shell.key, Host: `127.0.0.1:${shell.port}` },
    }).then(
      (r) => `${r.status} ${r.body}`,
      (err) => `(unavailable: ${err.message})`,
    );
    lines.push(`-- GET /shell/view: ${view}`);
  }
  if (shell) lines.push(`-- server output (${shell.command})`, shell.output().slice(-12000));
  if (shell && process.env.LOGINSHELL_E2E_STACKS === "1") {
    const stacks = await shell.stacks();
    if (stacks !== "") {
      const file = join(artifactsDir, `${safe}.goroutines.txt`);
      await writeFile(file, stacks).catch(() => {});
      lines.push(`-- the server's goroutines when the step failed (it was ended for them): ${file}`);
    }
  }
  const dump = lines.join("\n");
  await writeFile(join(artifactsDir, `${safe}.txt`), dump).catch(() => {});
  console.error(dump);
}

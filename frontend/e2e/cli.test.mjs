// End-to-end: the command line of the built binary ($LOGINSHELL_BIN), as
// people and scripts use it. Pins the exit status and which stream says
// what for every subcommand:
//
//   0  success; -h / --help print the usage on stdout, nothing on stderr
//   1  the command ran and refused (a bad package, a missing file, a
//      non-loopback --listen)
//   2  a usage error (unknown flag, missing argument): one message on
//      stderr, nothing on stdout
//
// No browser and no npm package is needed: only node:* modules and the
// dependency-free zip writer next to this file.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { zipDir, zipEntries } from "./zip.mjs";

const runTimeoutMs = 30_000;

/**
 * run executes the binary with args and resolves with its exit code and
 * both streams. A process still running after runTimeoutMs is killed and
 * reported as code null with the signal, so a command that should have
 * refused to start (serve on 0.0.0.0) fails the test instead of hanging it.
 *
 * @returns {Promise<{code: number | null, signal: string | null, stdout: string, stderr: string}>}
 */
function run(args) {
  const bin = process.env.LOGINSHELL_BIN;
  if (!bin) {
    return Promise.reject(new Error("LOGINSHELL_BIN is not set: run `make e2e`, or set it to the loginshell binary"));
  }
  return new Promise((resolveRun, reject) => {
    execFile(
      bin,
      args,
      { timeout: runTimeoutMs, killSignal: "SIGKILL", encoding: "utf8", env: { ...process.env, DISPLAY: "", WAYLAND_DISPLAY: "" } },
      (err, stdout, stderr) => {
        if (err && typeof err.code === "string") {
          reject(new Error(`${bin} ${args.join(" ")}: ${err.message}`));
          return;
        }
        resolveRun({ code: err ? (err.code ?? null) : 0, signal: err ? (err.signal ?? null) : null, stdout, stderr });
      },
    );
  });
}

/** describeRun is what a failed assertion shows: the command and its output. */
function describeRun(args, r) {
  return `loginshell ${args.join(" ")}: exit ${r.code}${r.signal ? ` (killed by ${r.signal})` : ""}\n---- stdout\n${r.stdout}---- stderr\n${r.stderr}----`;
}

async function exists(p) {
  return access(p).then(
    () => true,
    () => false,
  );
}

// The packages under test, built in a temp dir by before().
let work;
let goodDir; // a clean package directory: cliapp 1.0.0
let goodZip; // the same as a zip
let missingPageDir; // webapp.json names a main page that is not there
let escapeZip; // cliapp 1.0.0 with an entry ../evil.html
let escapeZipNewer; // the same at 2.0.0

const goodManifest = { name: "cliapp", version: "1.0.0", main: "index.html" };
const goodPage =
  '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>cliapp</title></head>\n<body><p>cliapp</p></body>\n</html>\n';

before(async () => {
  work = await mkdtemp(join(tmpdir(), "loginshell-e2e-cli-"));
  goodDir = join(work, "good");
  await mkdir(goodDir);
  await writeFile(join(goodDir, "webapp.json"), JSON.stringify(goodManifest));
  await writeFile(join(goodDir, "index.html"), goodPage);
  goodZip = join(work, "good.zip");
  await zipDir(goodDir, goodZip);

  missingPageDir = join(work, "missing-page");
  await mkdir(missingPageDir);
  await writeFile(join(missingPageDir, "webapp.json"), JSON.stringify({ ...goodManifest, main: "start.html" }));
  await writeFile(join(missingPageDir, "index.html"), goodPage);

  const escape = (version) =>
    zipEntries([
      { name: "webapp.json", data: Buffer.from(JSON.stringify({ ...goodManifest, version })) },
      { name: "index.html", data: Buffer.from("<!doctype html><title>evil</title><p>evil</p>") },
      { name: "../evil.html", data: Buffer.from("<p>outside</p>") },
    ]);
  escapeZip = join(work, "escape.zip");
  await writeFile(escapeZip, escape("1.0.0"));
  escapeZipNewer = join(work, "escape-2.zip");
  await writeFile(escapeZipNewer, escape("2.0.0"));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true, maxRetries: 3 });
});

describe("help", () => {
  // What each usage must name: its own synopsis.
  const synopses = {
    window: [/loginshell/, /\bwindow\b/, /--data\b/],
    serve: [/loginshell serve/, /--listen\b/],
    check: [/loginshell check/, /PACKAGE/],
    install: [/loginshell install/, /PACKAGE/],
    version: [/loginshell version/],
  };
  for (const flag of ["-h", "--help"]) {
    test(`loginshell ${flag} prints the usage of every subcommand on stdout and exits 0`, async () => {
      const args = [flag];
      const r = await run(args);
      assert.equal(r.code, 0, describeRun(args, r));
      assert.equal(r.stderr, "", `stderr must be empty\n${describeRun(args, r)}`);
      for (const sub of ["serve", "check", "install", "version"]) {
        assert.match(r.stdout, new RegExp(`loginshell ${sub}\\b`), `usage lacks "loginshell ${sub}"\n${describeRun(args, r)}`);
      }
    });
    for (const [sub, want] of Object.entries(synopses)) {
      test(`loginshell ${sub} ${flag} prints its synopsis on stdout and exits 0`, async () => {
        const args = [sub, flag];
        const r = await run(args);
        assert.equal(r.code, 0, describeRun(args, r));
        assert.equal(r.stderr, "", `stderr must be empty\n${describeRun(args, r)}`);
        for (const re of want) assert.match(r.stdout, re, `usage lacks ${re}\n${describeRun(args, r)}`);
      });
    }
  }
});

describe("usage errors exit 2 with one message on stderr", () => {
  for (const sub of ["check", "serve", "install"]) {
    test(`loginshell ${sub} --bogus names the flag on stderr, prints nothing on stdout, exits 2`, async () => {
      // --data first: were --bogus ignored, nothing may land in the real
      // data directory.
      const args = sub === "check" ? [sub, "--bogus", goodDir] : [sub, "--data", join(work, `${sub}-bogus-data`), "--bogus"];
      if (sub === "install") args.push(goodDir);
      const r = await run(args);
      assert.equal(r.code, 2, describeRun(args, r));
      assert.equal(r.stdout, "", `stdout must be empty\n${describeRun(args, r)}`);
      assert.match(r.stderr, /-bogus\b/, `stderr does not name the flag\n${describeRun(args, r)}`);
      // One message (and at most a hint where to look), not a usage dump.
      const lines = r.stderr.trim().split("\n");
      assert.ok(lines.length <= 2, `stderr has ${lines.length} lines, want one message\n${describeRun(args, r)}`);
    });
  }
  for (const sub of ["check", "install"]) {
    test(`loginshell ${sub} without a package exits 2 and says so on stderr`, async () => {
      const args = sub === "install" ? [sub, "--data", join(work, "unused-data")] : [sub];
      const r = await run(args);
      assert.equal(r.code, 2, describeRun(args, r));
      assert.equal(r.stdout, "", `stdout must be empty\n${describeRun(args, r)}`);
      assert.notEqual(r.stderr.trim(), "", `stderr must say what is missing\n${describeRun(args, r)}`);
    });
  }
});

describe("check", () => {
  test("a good package directory exits 0 and prints OK <name> <version>", async () => {
    const args = ["check", goodDir];
    const r = await run(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.equal(r.stdout, "OK cliapp 1.0.0\n", describeRun(args, r));
  });

  test("the same package as a zip exits 0 and prints OK <name> <version>", async () => {
    const args = ["check", goodZip];
    const r = await run(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.equal(r.stdout, "OK cliapp 1.0.0\n", describeRun(args, r));
  });

  test("a package whose main page is missing exits 1 with the problem line", async () => {
    const args = ["check", missingPageDir];
    const r = await run(args);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stdout, /^start\.html: error: missing-page: .+$/m, describeRun(args, r));
    assert.match(r.stdout, /^FAIL cliapp 1\.0\.0: 1 error$/m, describeRun(args, r));
  });

  test("a zip with an entry escaping the package exits 1 with the path-escape line", async () => {
    const args = ["check", escapeZip];
    const r = await run(args);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stdout, /^\.\.\/evil\.html: error: path-escape: .+$/m, describeRun(args, r));
  });

  test("a missing file exits 1 and says the file does not exist", async () => {
    const missing = join(work, "missing.zip");
    const args = ["check", missing];
    const r = await run(args);
    assert.equal(r.code, 1, describeRun(args, r));
    const all = r.stdout + r.stderr;
    assert.match(all, /does not exist|no such file/i, `no word that the file is missing\n${describeRun(args, r)}`);
    assert.ok(all.includes(missing), `the message does not name ${missing}\n${describeRun(args, r)}`);
    assert.doesNotMatch(all, /no valid webapp\.json/, `a missing file is not a package without webapp.json\n${describeRun(args, r)}`);
  });
});

describe("install", () => {
  let data;
  const installed = () => join(data, "webapps", "cliapp", "1.0.0");

  before(async () => {
    data = join(work, "install-data");
    const args = ["install", "--data", data, goodZip];
    const r = await run(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.match(r.stdout, /cliapp 1\.0\.0/, describeRun(args, r));
    assert.equal(await readFile(join(installed(), "index.html"), "utf8"), goodPage);
  });

  for (const [what, zip] of [
    ["the same version", () => escapeZip],
    ["a newer version", () => escapeZipNewer],
  ]) {
    test(`a bad package at ${what} exits 1 naming the entry and the rule, and the installed version stays`, async () => {
      const args = ["install", "--data", data, zip()];
      const r = await run(args);
      assert.equal(r.code, 1, describeRun(args, r));
      const all = r.stdout + r.stderr;
      assert.ok(all.includes("../evil.html"), `the refusal does not name the entry\n${describeRun(args, r)}`);
      assert.ok(all.includes("path-escape"), `the refusal does not name the rule\n${describeRun(args, r)}`);
      assert.equal(await readFile(join(installed(), "index.html"), "utf8"), goodPage, "the installed page changed");
      assert.deepEqual(await readdir(join(data, "webapps", "cliapp")), ["1.0.0"], "a version appeared or vanished");
      for (const p of [join(data, "webapps", "cliapp", "evil.html"), join(data, "webapps", "evil.html"), join(data, "evil.html")]) {
        assert.equal(await exists(p), false, `${p} was written`);
      }
    });
  }
});

describe("logs", () => {
  // A person at a terminal sees warnings and errors only; a log going elsewhere (a file, CI)
  // keeps every step; --log-level says otherwise either way. The terminal is script(1)'s pty.
  const inTerminal = (args) =>
    new Promise((resolveRun) => {
      const line = [process.env.LOGINSHELL_BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
      execFile("script", ["-qec", line, "/dev/null"], { timeout: runTimeoutMs, encoding: "utf8" }, (err, stdout) =>
        resolveRun({ code: err ? err.code : 0, stdout }),
      );
    });

  test("quiet at a terminal by default, every step with --log-level info, and every step into a pipe", async () => {
    const quiet = await inTerminal(["install", "--data", join(work, "log-tty-1"), goodZip]);
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.match(quiet.stdout, /cliapp 1\.0\.0/);
    assert.doesNotMatch(quiet.stdout, /level=INFO/, "INFO lines at a terminal without --log-level");
    const loud = await inTerminal(["install", "--log-level", "info", "--data", join(work, "log-tty-2"), goodZip]);
    assert.match(loud.stdout, /level=INFO msg="package installed"/);
    const args = ["install", "--data", join(work, "log-pipe"), goodZip];
    const piped = await run(args);
    assert.match(piped.stderr, /level=INFO msg="package installed"/, describeRun(args, piped));
  });
});

describe("version", () => {
  test("loginshell version prints loginshell <version> on stdout and exits 0", async () => {
    const args = ["version"];
    const r = await run(args);
    assert.equal(r.code, 0, describeRun(args, r));
    assert.match(r.stdout, /^loginshell \S+\n$/, describeRun(args, r));
    assert.equal(r.stderr, "", describeRun(args, r));
  });
});

describe("--package with a broken folder", () => {
  // The container's repository names its folders otherwise; this one's webapp.json is cut short.
  let broken;
  before(async () => {
    broken = join(work, "repo", "LineApp");
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, "webapp.json"), '{"name": "cliapp", "version": "1.0.0",\n "main": "index.html"');
    await writeFile(join(broken, "index.html"), goodPage);
  });

  test("check names the problem on a labelled line and exits 1", async () => {
    const args = ["check", broken];
    const r = await run(args);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.match(r.stdout, /^webapp\.json: error: invalid-manifest: is not valid JSON at line 2, column \d+: .+$/m, describeRun(args, r));
  });

  test("serve starts, warns, and its window shows what check says of the folder", async () => {
    const checked = await run(["check", "--json", broken]);
    const want = JSON.parse(checked.stdout).problems;
    const data = join(work, "package-broken-data");
    const child = spawn(process.env.LOGINSHELL_BIN, ["serve", "--listen", "127.0.0.1:0", "--data", data, "--package", broken], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    try {
      const deadline = Date.now() + runTimeoutMs;
      let m;
      while (!(m = /serving http:\/\/127\.0\.0\.1:(\d+)\/\?key=(\S+)/.exec(out))) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const [, port, key] = m;
      const res = await fetch(`http://127.0.0.1:${port}/shell/view`, { headers: { "X-Loginshell-Key": decodeURIComponent(key) } });
      assert.equal(res.status, 200);
      const view = await res.json();
      assert.equal(view.broken?.length, 1, JSON.stringify(view));
      assert.equal(view.broken[0].folder, broken);
      assert.deepEqual(view.broken[0].problems, want, "the window and loginshell check --json disagree");
      assert.match(out, /a --package folder is broken/, `no warning on stderr:\n${out}`);
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("a zip is no --package folder: exit 2 naming the flag", async () => {
    const args = ["serve", "--package", goodZip, "--data", join(work, "package-zip-data")];
    const r = await run(args);
    assert.equal(r.code, 2, describeRun(args, r));
    assert.match(r.stderr, /is not a folder: --package serves a package folder/, describeRun(args, r));
    assert.equal(r.stdout, "", describeRun(args, r));
  });
});

describe("serve", () => {
  test("serve on a non-loopback address is refused with exit 1 and creates no data directory", async () => {
    const data = join(work, "never-created");
    const args = ["serve", "--listen", "0.0.0.0:8080", "--data", data];
    const r = await run(args);
    assert.equal(r.code, 1, describeRun(args, r));
    assert.doesNotMatch(r.stdout, /serving/, describeRun(args, r));
    assert.match(r.stderr, /0\.0\.0\.0:8080|loopback/, `the refusal does not say why\n${describeRun(args, r)}`);
    assert.equal(await exists(data), false, `${data} was created`);
  });
});

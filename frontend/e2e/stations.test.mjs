// Many stations, one queue (issue 10), in Chromium against three real
// `loginshell serve --demo --store DSN` processes on one throwaway
// PostgreSQL (build/scripts/pgcluster): the line app at station A queues a
// release, one person signs at B and another at C in those shells' own
// dialogs, and A's page hears both; two stations race one slot and exactly
// one signature counts; the database stops mid-flow and the stations carry
// on once it is back, without a restart; a script (`loginshell signature
// queue --wait`, as an MES server runs it) waits for signatures made at
// two stations.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { diagnose, openBrowser, removeDir, runLoginshell, startShell, tempDir, waitForContentURL } from "./shell.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * startCluster runs build/scripts/pgcluster (LOGINSHELL_PGCLUSTER, else
 * `go run`) and resolves with its DSN and stop()/start()/remove().
 */
async function startCluster() {
  const bin = process.env.LOGINSHELL_PGCLUSTER;
  const child = bin
    ? spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] })
    : spawn("go", ["run", "./build/scripts/pgcluster"], { cwd: repo, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((r) => child.on("exit", r));
  async function next(what) {
    let timer;
    const line = await Promise.race([
      lines.next().then((r) => (r.done ? null : r.value)),
      exited.then(() => null),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`pgcluster: no "${what}" within 120 s`)), 120_000);
      }),
    ]).finally(() => clearTimeout(timer));
    if (line === null) throw new Error(`pgcluster ended before "${what}" (is Debian's postgresql installed? build/scripts/deps.sh)`);
    return line;
  }
  const first = await next("dsn");
  assert.match(first, /^dsn /);
  async function command(cmd, want) {
    child.stdin.write(`${cmd}\n`);
    const line = await next(want);
    assert.equal(line, want, `pgcluster ${cmd}`);
  }
  return {
    dsn: first.slice(4),
    stop: () => command("stop", "stopped"),
    start: () => command("start", "started"),
    async remove() {
      child.stdin.end();
      await exited;
    },
  };
}

describe("three stations on one PostgreSQL", { concurrency: false }, () => {
  let db;
  const stations = {}; // name -> {dataDir, shell, page}

  // A browser of its own for each station: each page in the foreground,
  // as on three machines.
  before(async () => {
    db = await startCluster();
    for (const name of ["A", "B", "C"]) {
      const dataDir = await tempDir(`station-${name}`);
      // Three stations on one computer: each a name of its own, as on three
      // computers, so each name has one audit key.
      const shell = await startShell({ dataDir, demo: true, extra: ["--store", db.dsn, "--station", `station-${name}`] });
      const browser = await openBrowser();
      stations[name] = { dataDir, shell, browser, page: browser.page };
    }
  });

  after(async () => {
    for (const s of Object.values(stations)) {
      await s.browser?.close();
      await s.shell?.kill();
      await removeDir(s.dataDir);
    }
    await db?.remove();
  });

  async function run(name, fn) {
    try {
      await fn();
    } catch (err) {
      for (const [n, s] of Object.entries(stations)) {
        await diagnose(`stations-${name}-${n}`, { page: s.page, shell: s.shell, consoleLines: s.browser.consoleLines });
      }
      throw err;
    }
  }

  const content = (n) => stations[n].page.frameLocator("#content");
  const dialog = (n) => stations[n].page.locator("#challenge-box");

  /** sdk runs fn(auth, system) in station n's line app (the page's own SDK) and returns what it returns. */
  async function sdk(n, fn, arg) {
    const frame = await (await stations[n].page.locator("#content").elementHandle()).contentFrame();
    return frame.evaluate(
      ([src, a]) => new Function("auth", "system", "arg", `return (${src})(auth, system, arg);`)(
        window.system.mes.signature.authorization, window.system, a),
      [fn.toString(), arg],
    );
  }

  /** trigger asks station n's shell to show the challenge of slot (queued anywhere); resolves "posted" or the SDK's error text. */
  function trigger(n, slot) {
    return sdk(n, (auth, system, s) => auth.triggerAuthRequest(s, system.session, system.page, true)
      .then(() => "posted", (e) => `Error: ${e.message}`), slot);
  }

  /** phraseOnce chooses station n's signing phrase if its dialog asks for it (its first signing). */
  async function phraseOnce(n) {
    const page = stations[n].page;
    await dialog(n).waitFor({ state: "visible" });
    if (!(await page.locator("#challenge-phrase-step").isVisible())) return;
    await page.locator("#challenge-phrase-input").fill(`station ${n} kestrel`);
    await page.getByRole("button", { name: "Save phrase" }).click();
    await page.locator("#challenge-phrase").filter({ hasText: `station ${n} kestrel` }).waitFor();
  }

  async function sign(n, user, password) {
    const page = stations[n].page;
    await phraseOnce(n);
    await page.getByLabel("User ID").fill(user);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Approve" }).click();
  }

  /** release queues a release at A and returns its slots' UUIDs. */
  async function release() {
    await content("A").locator("#release").click();
    await content("A").getByRole("button", { name: "Approve signature 2" }).waitFor({ state: "visible" });
    return content("A").locator("#slots li").evaluateAll((lis) => lis.map((li) => li.dataset.uuid));
  }

  /** newRelease reloads A's line app (a fresh page, ready to queue) and queues. */
  async function newRelease() {
    await content("A").locator("#release").evaluate((b) => b.ownerDocument.location.reload());
    await content("A").locator("#release:not([disabled])").waitFor();
    return release();
  }

  test("each station signs in and opens the line app", async () => {
    for (const n of ["A", "B", "C"]) {
      await run(`sign-in`, async () => {
        const { page, shell } = stations[n];
        await page.goto(shell.url);
        await page.locator('input[name="username"]').fill("operator");
        await page.locator('input[name="password"]').fill("operator-demo");
        await page.locator('form [type="submit"], form button:not([type])').first().click();
        await content(n).locator("#confirm").waitFor({ state: "visible" });
        await content(n).locator("#password").fill("offline-pass-1");
        await content(n).locator("#confirm").fill("offline-pass-1");
        await content(n).locator("#save").click();
        await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: `station ${n}'s line app` });
      });
    }
  });

  test("queued at A, signed at B and at C: A's page hears each signature and the release", async () => {
    await run("queue-sign", async () => {
      const [first, second] = await release();
      // B sees A's request in the shared queue.
      const pending = await sdk("B", (auth) => auth.getPendingAuthRequests({ name: "Release line" }));
      assert.ok(pending.some((r) => r.slots.some((s) => s.uuid === first)), `B does not see A's request: ${JSON.stringify(pending)}`);

      assert.equal(await trigger("B", first), "posted");
      await sign("B", "operator", "operator-demo");
      await dialog("B").waitFor({ state: "hidden" });
      await content("A").locator(`#slots li[data-uuid="${first}"]`).filter({ hasText: "Approved by Olivia Operator" }).waitFor();

      assert.equal(await trigger("C", second), "posted");
      await sign("C", "supervisor", "supervisor-demo");
      await dialog("C").waitFor({ state: "hidden" });
      const result = await content("A").locator("#release-result").filter({ hasText: "Line released" }).innerText();
      assert.match(result, /Sam Supervisor \(supervisor\)/);
      // Heard once: a second approval would have rewritten the text; the slots say who signed each.
      assert.match(await content("A").locator(`#slots li[data-uuid="${second}"]`).innerText(), /Approved by Sam Supervisor/);
    });
  });

  test("a script queues with --wait (an MES server): signed at B and C, it exits 0 and prints who signed", async () => {
    await run("script", async () => {
      const bin = process.env.LOGINSHELL_BIN;
      const script = spawn(bin, ["signature", "queue", "--store", db.dsn, "--data", stations.A.dataDir,
        "--template", "Line Release Approval", "--name", "Release line 7", "--description", "Batch 4712 on line 7.", "--wait"],
      { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      script.stdout.on("data", (c) => (out += c));
      script.stderr.on("data", (c) => (err += c));
      const exited = new Promise((r) => script.on("exit", (code) => r(code)));
      // The slot UUIDs come first, one per line, before the script waits.
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      for (let i = 0; i < 300 && out.split("\n").filter((l) => uuid.test(l)).length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const slots = out.split("\n").filter((l) => uuid.test(l));
      assert.equal(slots.length, 2, `the script printed no two slot UUIDs: ${out}${err}`);
      assert.equal(await trigger("B", slots[0]), "posted");
      await sign("B", "operator", "operator-demo");
      await dialog("B").waitFor({ state: "hidden" });
      assert.equal(await trigger("C", slots[1]), "posted");
      await sign("C", "supervisor", "supervisor-demo");
      await dialog("C").waitFor({ state: "hidden" });
      assert.equal(await exited, 0, `the script: ${out}${err}`);
      assert.match(out, /approved/);
      assert.match(out, /Olivia Operator \(user ID operator\)/);
      assert.match(out, /Sam Supervisor \(user ID supervisor\)/);
    });
  });

  test("B and C sign one slot at the same moment: one counts, the other is told", async () => {
    await run("race", async () => {
      const [first] = await newRelease();
      assert.equal(await trigger("B", first), "posted");
      assert.equal(await trigger("C", first), "posted");
      // The operator at both: a supervisor may not give the operator's signature (nobody else
      // could then give the supervisor's), which would end the race before the store.
      for (const n of ["B", "C"]) {
        await phraseOnce(n);
        await stations[n].page.getByLabel("User ID").fill("operator");
        await stations[n].page.getByLabel("Password").fill("operator-demo");
      }
      await Promise.all(["B", "C"].map((n) => stations[n].page.getByRole("button", { name: "Approve" }).click()));
      // The loser's dialog stays with the reason; the winner's closes.
      const outcome = async (n) => {
        const taken = stations[n].page.locator("#challenge-error").filter({ hasText: "just signed by someone else" });
        await Promise.race([dialog(n).waitFor({ state: "hidden" }), taken.waitFor()]);
        return (await dialog(n).isVisible()) ? "told" : "counted";
      };
      const got = [await outcome("B"), await outcome("C")].sort();
      assert.deepEqual(got, ["counted", "told"]);
      await content("A").locator(`#slots li[data-uuid="${first}"]`).filter({ hasText: "Approved by" }).waitFor();
      // The loser closes the dialog: Cancel, the request stays pending for its second slot.
      for (const n of ["B", "C"]) {
        if (await dialog(n).isVisible()) await stations[n].page.getByRole("button", { name: "Close" }).click();
      }
      // The shared queue: the request is still pending (its second slot is unsigned), its first slot
      // carries exactly the one signature that counted.
      const pending = await sdk("C", (auth) => auth.getPendingAuthRequests({ name: "Release line" }));
      const raced = pending.find((r) => r.slots.some((s) => s.uuid === first));
      assert.ok(raced, "the raced request is no longer pending, though its second slot is unsigned");
      const slot = raced.slots.find((s) => s.uuid === first);
      assert.equal(slot.state, "approved");
      assert.equal(slot.signature?.signer?.userId, "operator", JSON.stringify(slot));
      assert.equal(raced.slots.filter((s) => s.signature).length, 1, JSON.stringify(raced.slots));
    });
  });

  test("the database stops mid-flow: a clear error at once, and the stations carry on once it is back", async () => {
    await run("outage", async () => {
      const [first] = await newRelease();
      await db.stop();
      let refused;
      try {
        refused = await trigger("B", first);
      } finally {
        await db.start();
      }
      assert.match(refused, /^Error: the signature database "loginshell" on .* is unavailable/);
      assert.match(refused, /check that PostgreSQL runs there/);
      assert.doesNotMatch(refused, /password/i);
      // No restart: the same shells, the same pages.
      let posted = "";
      for (let i = 0; i < 60 && posted !== "posted"; i++) {
        posted = await trigger("B", first);
        if (posted !== "posted") await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(posted, "posted", "B could not trigger 30 s after the database came back");
      await sign("B", "operator", "operator-demo");
      await dialog("B").waitFor({ state: "hidden" });
      await content("A").locator(`#slots li[data-uuid="${first}"]`).filter({ hasText: "Approved by Olivia Operator" }).waitFor({ timeout: 30_000 });
    });
  });

  test("one audit trail for the plant, intact", async () => {
    for (const s of Object.values(stations)) {
      const stopped = await s.shell.stop();
      assert.deepEqual(stopped, { code: 0, signal: null });
    }
    const verified = await runLoginshell(["audit", "verify", "--data", stations.A.dataDir, "--store", db.dsn]);
    assert.equal(verified.code, 0, `audit verify: ${verified.stdout}${verified.stderr}`);
    assert.match(verified.stdout, /intact/);
    const shown = await runLoginshell(["audit", "show", "--data", stations.C.dataDir, "--store", db.dsn]);
    assert.equal(shown.code, 0, shown.stderr);
    for (const want of [/queue/, /Olivia Operator/, /Sam Supervisor/]) {
      assert.match(shown.stdout, want);
    }
  });
});

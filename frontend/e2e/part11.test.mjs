// Issue 21's promises in the browser (Chromium against browser mode with --demo, the line app's
// own SDK over REST, the shell's dialog, the command line on the same data directory):
//   - order (21.4): a later signature cannot be given first; the page is told who must sign
//     first and no dialog opens; in order, each dialog says where it stands;
//   - meanings per decision (21.5): a rejection's dialog states the rejection meaning, and the
//     signature, the page's outcome and the trail keep that one, never the approval's;
//   - lockout parity (21.6): the demo identity locks a signer out after the same number of wrong
//     passwords as the local one (the offline password), and a right one is refused while locked;
//   - alerts (21.6): a lockout shows in the chrome's notice, and `loginshell audit alerts` lists it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { contentFrame, runLoginshell, setUpOffline, signInAtDemo, waitForContentURL } from "./shell.mjs";
import { demoSuite } from "./suite.mjs";

const templates = [
  {
    name: "Ordered Release",
    description: "An operator, then a supervisor.",
    expression: "{role:Operator} AND {role:Supervisor}",
    idp: "demo",
    ordered: true,
    forceUniqueUser: true,
    meaning: "Approval: I release the line",
    rejectMeaning: "Rejection: the line stays stopped",
  },
  { name: "QA Check", description: "A QA check.", expression: "{role:QA}", idp: "demo", meaning: "Checked" },
  { name: "Local Check", description: "An operator's check.", expression: "{role:Operator}", idp: "local", meaning: "Checked" },
];

/** The lockout policy every identity that signs applies (internal/lockout.Threshold). */
const threshold = 10;

describe("order, meanings, lockout parity and alerts in the browser", { concurrency: false }, () => {
  const s = demoSuite("part11", { templates });
  const { run, sdk } = s;

  const dialog = () => s.browser.page.locator("#challenge-box");
  const error = () => s.browser.page.locator("#challenge-error");

  /** queue queues a request of template from the page, its outcomes kept in window.outcomes; resolves its slots. */
  function queue(template, name) {
    return sdk(async (auth, system, [t, n]) => {
      window.outcomes = window.outcomes || [];
      const keep = (kind) => (o) => window.outcomes.push({ kind, meaning: o.meaning, approved: o.approved, request: o.request });
      const tmpl = await window.system.mes.signature.getSignatureTemplate(t);
      return auth.queueAuthRequest(tmpl, n, "Batch 4711 on line 4.", keep("approve"), keep("reject"), keep("error"));
    }, [template, name]);
  }

  /** trigger asks for slot's signature from the page; resolves "posted" or the SDK error's name, status and message. */
  function trigger(slot, approve = true) {
    return sdk((auth, system, [s, a]) => auth.triggerAuthRequest(s, system.session, system.page, a)
      .then(() => "posted", (e) => ({ name: e.name, status: e.status, message: e.message })), [slot, approve]);
  }

  /** answer fills the dialog and presses its button, and waits until the answer came back. */
  async function answer(user, password) {
    const { page } = s.browser;
    await page.getByLabel("User ID").fill(user);
    await page.getByLabel("Password").fill(password);
    await page.locator("#challenge-submit").click();
    await page.waitForFunction(() => {
      const box = document.getElementById("challenge");
      const submit = document.getElementById("challenge-submit");
      return box.hidden || !submit.disabled;
    });
  }

  test("sign in", async () => {
    await run("p1-sign-in", async () => {
      const { page } = s.browser;
      await signInAtDemo(page, s.shell.url);
      await setUpOffline(page, "offline-pass-1");
      await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: "the line app" });
    });
  });

  let ordered;

  test("order: the supervisor's signature cannot come first; the page is told who signs first, and no dialog opens", async () => {
    await run("p2-order", async () => {
      const { page } = s.browser;
      ordered = await queue("Ordered Release", "Release line 4");
      const refused = await trigger(ordered[1]);
      assert.deepEqual(refused, {
        name: "RuntimeException",
        status: 409,
        message: "Could not post authorization challenge: signature 1 of 2 (an operator) must be given first",
      });
      await page.waitForTimeout(300);
      assert.equal(await dialog().isVisible(), false, "a dialog opened for a signature out of order");

      assert.equal(await trigger(ordered[0]), "posted");
      await dialog().waitFor({ state: "visible" });
      await page.getByLabel("Choose a phrase this station shows in every genuine signature dialog").fill("plover over line four");
      await page.getByRole("button", { name: "Save phrase" }).click();
      await page.locator("#challenge-phrase").filter({ hasText: "plover over line four" }).waitFor();
      assert.equal(await page.locator("#challenge-slot").innerText(), "Signature 1 of 2, to be given by an operator.");
      assert.equal(await page.locator("#challenge-rules").innerText(),
        "Each of the 2 signatures must be given by a different person. The signatures are given in order.");
      await answer("operator", "operator-demo");
      await dialog().waitFor({ state: "hidden" });
    });
  });

  test("meanings: the rejection's dialog states the rejection meaning; the signature, the outcome and the trail keep it", async () => {
    await run("p3-reject", async () => {
      const { page } = s.browser;
      assert.equal(await trigger(ordered[1], false), "posted");
      await dialog().waitFor({ state: "visible" });
      assert.equal(await page.locator("#challenge-meaning").innerText(), "Rejecting means: the line stays stopped.");
      assert.equal(await page.locator("#challenge-submit").innerText(), "Reject");
      assert.match(await page.locator("#challenge-given li").first().innerText(), /^Signature 1 approved by Olivia Operator \(operator\), /);
      await answer("supervisor", "supervisor-demo");
      await dialog().waitFor({ state: "hidden" });

      const frame = await contentFrame(page);
      await frame.waitForFunction(() => window.outcomes.some((o) => o.kind === "reject"));
      const outcome = await frame.evaluate(() => window.outcomes.find((o) => o.kind === "reject"));
      assert.equal(outcome.meaning, "Rejection: the line stays stopped");
      assert.equal(outcome.approved, false);
      const request = await sdk((auth, system, s) => auth.getAuthRequest(s), ordered[1]);
      assert.equal(request.state, "rejected");
      assert.deepEqual(request.slots.map((s) => [s.signature?.approve, s.signature?.meaning]), [
        [true, "Approval: I release the line"],
        [false, "Rejection: the line stays stopped"],
      ]);

      // The trail: the reject entry and every entry of its slot carry the rejection's meaning.
      const shown = await runLoginshell(["audit", "show", "--data", s.dataDir, "--request", request.uuid, "--lines"]);
      assert.equal(shown.code, 0, shown.stderr);
      const slotLines = shown.stdout.split("\n").filter((l) => l.includes(`slot=${ordered[1]}`));
      assert.ok(slotLines.some((l) => / reject /.test(l)), `no reject entry of the slot:\n${shown.stdout}`);
      for (const line of slotLines) {
        assert.match(line, /meaning="Rejection: the line stays stopped"/, `an entry of the rejected slot: ${line}`);
      }
    });
  });

  /** lockOut gives threshold wrong passwords for user at slot's dialog, then the right one; returns what the dialog said each time. */
  async function lockOut(slot, user, right) {
    assert.equal(await trigger(slot), "posted");
    await dialog().waitFor({ state: "visible" });
    const said = [];
    for (let i = 1; i <= threshold; i++) {
      await answer(user, `wrong-password-${i}`);
      said.push(await error().innerText());
    }
    await answer(user, right);
    said.push(await error().innerText());
    assert.equal(await dialog().isVisible(), true, "a locked-out signer signed");
    await s.browser.page.getByRole("button", { name: "Cancel" }).click();
    await dialog().waitFor({ state: "hidden" });
    return said;
  }

  let demoSaid;

  test("lockout parity: the demo identity locks a signer out after as many wrong passwords as the local one", async () => {
    await run("p4-lockout", async () => {
      const [qaSlot] = await queue("QA Check", "QA check");
      demoSaid = await lockOut(qaSlot, "qa", "qa-demo");
      const [localSlot] = await queue("Local Check", "Operator check");
      const localSaid = await lockOut(localSlot, "operator", "offline-pass-1");
      for (const [name, said] of [["demo", demoSaid], ["local", localSaid]]) {
        for (let i = 0; i < threshold - 1; i++) {
          assert.doesNotMatch(said[i], /locked after/i, `${name}: wrong password ${i + 1} locked the signer out: ${said[i]}`);
          assert.match(said[i], /wrong/i, `${name}: wrong password ${i + 1}: ${said[i]}`);
        }
        assert.match(said[threshold - 1], new RegExp(`locked after ${threshold} wrong passwords`), `${name}: the ${threshold}th`);
        assert.match(said[threshold], new RegExp(`locked after ${threshold} wrong passwords`), `${name}: the right password while locked`);
      }
    });
  });

  test("alerts: the lockout shows in the chrome's notice, and `loginshell audit alerts` lists it", async () => {
    await run("p5-alerts", async () => {
      const { page } = s.browser;
      const notice = page.locator("#notice");
      // The local lockout came last: the notice shows the newest alert.
      await notice.filter({ hasText: /^Signature alert at .+: operator is locked out at the identity provider "local"/ }).waitFor();
      assert.equal(await notice.getAttribute("role"), "alert");
      const listed = await runLoginshell(["audit", "alerts", "--data", s.dataDir]);
      assert.equal(listed.code, 0, listed.stderr);
      // One line each, quoted as `audit show` quotes (\" inside detail="…").
      assert.match(listed.stdout, /detail="qa is locked out at the identity provider \\"demo\\" after repeated wrong passwords/);
      assert.match(listed.stdout, /detail="operator is locked out at the identity provider \\"local\\" after repeated wrong passwords/);
      assert.match(listed.stdout, /3 failed sign-in attempts in a row/);
      assert.doesNotMatch(listed.stdout, /wrong-password-|offline-pass-1|qa-demo/, "a password in the alerts");
    });
  });
});

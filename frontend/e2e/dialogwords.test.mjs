// What the signature dialog says and where the keyboard goes (issue 22, promises 1 to 3), in
// Chromium against browser mode with --demo and the line app:
//   - which signature, who may give it, who gave the one before and when, the rules, the meaning;
//   - refusals in words that name the person and the rule, looking like errors;
//   - a supervisor may not take the operator's signature when nobody else could then give the
//     supervisor's (the demo knows its people); with the local identity, which cannot tell, the
//     signer is asked and answers again to sign;
//   - the time left for the last minute, and what the dialog says when it runs out;
//   - the keyboard back on the control that asked, after Escape, a signature and a time-out.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { contentFrame, setUpOffline, signInAtDemo, waitForContentURL } from "./shell.mjs";
import { demoSuite } from "./suite.mjs";

const templates = [
  {
    name: "Quick Check",
    description: "A check signed within a minute.",
    expression: "{role:Operator}",
    idp: "demo",
    timeout: 1,
    meaning: "Checked",
  },
  {
    name: "Line Check",
    description: "An operator and a member of line 4, two people.",
    expression: "{role:Operator} AND {group:Line 4}",
    idp: "local",
    forceUniqueUser: true,
    meaning: "Approval: the line is checked",
  },
];

const timeUp = "The time to sign ran out, so nothing was signed. The request is still pending: ask for the signature again to sign it.";

describe("the signature dialog's words, time and focus", { concurrency: false }, () => {
  const s = demoSuite("dialogwords", { templates });
  const { run, sdk } = s;

  const content = () => s.browser.page.frameLocator("#content");
  const dialog = () => s.browser.page.locator("#challenge-box");
  const error = () => s.browser.page.locator("#challenge-error");

  /** focused says where the keyboard is: the chrome's element, and inside the page's frame its element's label. */
  async function focused() {
    const chrome = await s.browser.page.evaluate(() => document.activeElement?.id ?? "");
    const frame = await contentFrame(s.browser.page);
    const inPage = frame
      ? await frame.evaluate(() => {
          const a = document.activeElement;
          return a && a !== document.body ? a.getAttribute("aria-label") || a.id || a.textContent : "";
        })
      : "";
    return { chrome, inPage };
  }

  /** typeSigner types the user ID and the password from where the focus is (User ID) and presses Enter. */
  async function typeSigner(user, password) {
    const { page } = s.browser;
    assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-user", "the focus is not in User ID");
    await page.keyboard.type(user);
    await page.keyboard.press("Tab");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
  }

  /** refused waits for the dialog's refusal and returns its text, checking it looks like one. */
  async function refused(text) {
    await error().filter({ hasText: text }).waitFor();
    assert.equal(await error().innerText(), text);
    assert.equal(await error().getAttribute("role"), "alert");
    const look = await error().evaluate((e) => {
      const s = getComputedStyle(e);
      return { kind: e.dataset.kind, bar: s.borderLeftWidth, tint: s.backgroundColor, colour: s.color };
    });
    return look;
  }

  test("sign in; the line app queues a release", async () => {
    await run("w1-sign-in", async () => {
      const { page } = s.browser;
      await signInAtDemo(page, s.shell.url);
      await setUpOffline(page, "offline-pass-1");
      await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: "the line app" });
      await content().locator("#release").click();
      await content().getByRole("button", { name: "Approve signature 2" }).waitFor({ state: "visible" });
    });
  });

  test("signature 1: what it says, the supervisor and QA refused in words, Escape gives the button its focus back", async () => {
    await run("w2-first", async () => {
      const { page } = s.browser;
      // By keyboard: the button that asks has the focus, Enter presses it.
      await content().getByRole("button", { name: "Approve signature 1" }).focus();
      await page.keyboard.press("Enter");
      await dialog().waitFor({ state: "visible" });
      await page.getByLabel("Choose a phrase this station shows in every genuine signature dialog").waitFor();
      await page.keyboard.type("wren over line four");
      await page.keyboard.press("Enter");
      await page.locator("#challenge-phrase").filter({ hasText: "wren over line four" }).waitFor();

      assert.equal(await page.locator("#challenge-title").innerText(), "Release line");
      assert.equal(await page.locator("#challenge-slot").innerText(), "Signature 1 of 2, to be given by an operator.");
      assert.equal(await page.locator("#challenge-rules").innerText(), "Each of the 2 signatures must be given by a different person.");
      assert.equal(await page.locator("#challenge-meaning").innerText(), "Approving means: I approve the release of this line.");
      assert.equal(await page.locator("#challenge-given").isVisible(), false, "signatures given before are listed");
      assert.equal(await page.locator("#challenge-countdown").isVisible(), false, "the countdown shows with two minutes left");

      // Sam is the demo's only supervisor: giving the operator's signature would leave the
      // supervisor's with nobody (issue 22.2). Refused, saying which to give instead.
      await typeSigner("supervisor", "supervisor-demo");
      const look = await refused("Sam Supervisor may not give signature 1 of 2: nobody else could then give signature 2 (a supervisor), " +
        "and each signature needs a different person. Sign signature 2 instead, and let a different operator give signature 1.");
      assert.equal(look.kind, "error");
      assert.equal(look.bar, "4px", "the refusal has no failure bar");
      assert.notEqual(look.tint, "rgba(0, 0, 0, 0)", "the refusal has no tinted box");
      await page.getByLabel("User ID").fill("");
      await page.getByLabel("User ID").focus();
      await typeSigner("qa", "qa-demo");
      await refused("Quinn QA may not give signature 1 of 2; it must be given by an operator.");
      for (const text of [await error().innerText()]) {
        assert.doesNotMatch(text, /\{|satisf|slot [0-9a-f]{8}/, "developer words in the refusal");
      }

      // Escape: the dialog goes, and the keyboard is back on the button that asked.
      await page.keyboard.press("Escape");
      await dialog().waitFor({ state: "hidden" });
      assert.deepEqual(await focused(), { chrome: "content", inPage: "Approve signature 1" });
      await page.keyboard.press("Tab");
      assert.deepEqual(await focused(), { chrome: "content", inPage: "Reject signature 1" });
    });
  });

  test("the operator signs signature 1; the keyboard stays in the page", async () => {
    await run("w3-operator", async () => {
      const { page } = s.browser;
      await page.keyboard.press("Shift+Tab");
      assert.deepEqual(await focused(), { chrome: "content", inPage: "Approve signature 1" });
      await page.keyboard.press("Enter");
      await dialog().waitFor({ state: "visible" });
      await typeSigner("operator", "operator-demo");
      await dialog().waitFor({ state: "hidden" });
      await content().locator("#slots li").first().filter({ hasText: "Approved by Olivia Operator" }).waitFor();
      // The button that asked is disabled now (signed): the page has the keyboard, and Tab moves in it.
      assert.equal((await focused()).chrome, "content");
      await page.keyboard.press("Tab");
      const { inPage } = await focused();
      assert.ok(inPage, "Tab after the dialog reaches nothing in the page");
    });
  });

  test("signature 2 says who gave signature 1 and when, and that it must be someone else", async () => {
    await run("w4-second", async () => {
      const { page } = s.browser;
      await content().getByRole("button", { name: "Approve signature 2" }).click();
      await dialog().waitFor({ state: "visible" });
      assert.equal(await page.locator("#challenge-slot").innerText(), "Signature 2 of 2, to be given by a supervisor.");
      const given = await page.locator("#challenge-given li").allInnerTexts();
      assert.equal(given.length, 1);
      assert.match(given[0], /^Signature 1 approved by Olivia Operator \(operator\), .*\d\d:\d\d( [AP]M)?\.$/);
      assert.equal(await page.locator("#challenge-rules").innerText(), "It must be someone other than Olivia Operator.");
      await typeSigner("operator", "operator-demo");
      await refused("Olivia Operator may not give signature 2 of 2; it must be given by a supervisor.");
      await page.getByLabel("User ID").fill("supervisor");
      await page.getByLabel("Password").fill("supervisor-demo");
      await page.getByRole("button", { name: "Approve" }).click();
      await dialog().waitFor({ state: "hidden" });
      await content().locator("#release-result").filter({ hasText: "Line released" }).waitFor();
    });
  });

  test("the local identity cannot tell who else may sign: the signer is asked, and signs by answering again", async () => {
    await run("w5-question", async () => {
      const { page } = s.browser;
      const slots = await sdk(async (auth) => {
        const t = await window.system.mes.signature.getSignatureTemplate("Line Check");
        return auth.queueAuthRequest(t, "Check line 4", "Before the shift change.", () => {}, () => {}, () => {});
      });
      assert.equal(await sdk((auth, system, s) => auth.triggerAuthRequest(s, system.session, system.page, true).then(() => "posted"), slots[0]),
        "posted");
      await dialog().waitFor({ state: "visible" });
      assert.equal(await page.locator("#challenge-slot").innerText(), "Signature 1 of 2, to be given by an operator.");
      await typeSigner("operator", "offline-pass-1");
      const question = "Olivia Operator could also give signature 2 of 2 (a member of Line 4). If Olivia Operator signs signature 1, " +
        "a different member of Line 4 must give signature 2, or the request cannot be completed. To sign signature 1 anyway, type your password again.";
      const look = await refused(question);
      assert.equal(look.kind, "question");
      assert.equal(await page.locator("#challenge-submit").innerText(), "Approve anyway");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-password");
      const before = await sdk((auth, system, s) => auth.getAuthRequest(s), slots[0]);
      assert.equal(before.slots[0].state, "pending", "the question signed the slot");
      await page.keyboard.type("offline-pass-1");
      await page.keyboard.press("Enter");
      await dialog().waitFor({ state: "hidden" });
      const signed = await sdk((auth, system, s) => auth.getAuthRequest(s), slots[0]);
      assert.deepEqual(signed.slots.map((s) => [s.state, s.signature?.signer?.userId ?? null]), [["approved", "operator"], ["pending", null]]);
    });
  });

  test("the last minute counts down; when it runs out the dialog says so, then closes and gives the page the keyboard", async () => {
    await run("w6-time", async () => {
      const { page } = s.browser;
      const slots = await sdk(async (auth) => {
        const t = await window.system.mes.signature.getSignatureTemplate("Quick Check");
        window.heard = [];
        return auth.queueAuthRequest(t, "Quick check", "Signed within the minute.", () => {}, () => {},
          (o) => window.heard.push(o.message));
      });
      await sdk((auth, system, s) => auth.triggerAuthRequest(s, system.session, system.page, true), slots[0]);
      await dialog().waitFor({ state: "visible" });
      const countdown = page.locator("#challenge-countdown");
      await countdown.waitFor({ state: "visible" });
      assert.match(await countdown.innerText(), /^(1:00|0:5\d) left to sign$/);
      assert.equal(await countdown.getAttribute("role"), "timer");
      await page.getByLabel("User ID").fill("operator");
      // The minute passes: the dialog says so, with only Close, before it closes.
      await error().filter({ hasText: timeUp }).waitFor({ timeout: 75_000 });
      assert.equal(await error().getAttribute("data-kind"), "ended");
      assert.equal(await page.locator("#challenge-fields").isVisible(), false, "the fields stay after the time ran out");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-cancel");
      assert.equal(await page.locator("#challenge-cancel").innerText(), "Close");
      await dialog().waitFor({ state: "hidden", timeout: 10_000 });
      assert.equal((await focused()).chrome, "content");
      // The engine's time is final: the page heard the time-out, and the slot is still pending.
      const frame = await contentFrame(page);
      await frame.waitForFunction(() => window.heard.length > 0);
      const r = await sdk((auth, system, s) => auth.getAuthRequest(s), slots[0]);
      assert.equal(r.slots[0].state, "pending");
    });
  });
});

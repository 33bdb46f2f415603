// Electronic signatures end to end (seed 000), in Chromium against browser
// mode with --demo: the line app queues "Line Release Approval" through the
// SDK, two people sign in the shell's own dialog (a wrong password first,
// the second signature by keyboard alone), the page hears the outcomes,
// and `loginshell audit verify` finds the trail intact.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openBrowser, removeDir, runLoginshell, setUpOffline, signInAtDemo, startShell, tempDir, waitForContentURL } from "./shell.mjs";
import { diagnosing } from "./suite.mjs";

describe("electronic signatures in the browser", { concurrency: false }, () => {
  let dataDir;
  let shell;
  let browser;

  before(async () => {
    dataDir = await tempDir("signature-data");
  });

  after(async () => {
    await browser?.close();
    await shell?.kill();
    await removeDir(dataDir);
  });

  const run = diagnosing("signature", () => ({ shell, browser }));

  test("two signers release the line through the shell's dialog", async () => {
    shell = await startShell({ dataDir, demo: true });
    browser = await openBrowser();
    const { page } = browser;
    const content = page.frameLocator("#content");
    const dialog = page.locator("#challenge-box");
    /** The request "Release line": its UUID and its slots' (s2c), read again after a reload (s6). */
    let released;

    await run("s1-sign-in", async () => {
      await signInAtDemo(page, shell.url);
      await setUpOffline(page, "offline-pass-1");
      await waitForContentURL(page, (u) => u.pathname === "/webapps/lineapp/index.html", { what: "the line app" });
    });

    await run("s2-queue", async () => {
      await content.locator("#release").click();
      await content.getByRole("button", { name: "Approve signature 1" }).waitFor({ state: "visible" });
      await content.getByRole("button", { name: "Approve signature 2" }).waitFor({ state: "visible" });
    });

    await run("s2b-seed-errors-over-the-sdk", async () => {
      // What a page's SDK call is told, in the seed's words, for each error of triggerAuthRequest.
      const frame = await (await page.locator("#content").elementHandle()).contentFrame();
      const seen = await frame.evaluate(async () => {
        const auth = window.system.mes.signature.authorization;
        const message = (p) => p.then(() => "resolved", (e) => `${e instanceof Error ? "Error" : typeof e}: ${e.message}`);
        const unknown = "00000000-0000-4000-8000-000000000000";
        const pending = await auth.getPendingAuthRequests({ name: "Release line" });
        const slot = pending[0].slots[0].uuid;
        return {
          unknown: await message(auth.triggerAuthRequest(unknown, window.system.session, window.system.page, true)),
          notAUUID: await message(auth.triggerAuthRequest("not-a-uuid", window.system.session, window.system.page, true)),
          notShown: await message(auth.triggerAuthRequest(slot, window.system.session, "page-0", true)),
          otherSession: await message(auth.triggerAuthRequest(slot, "another-session", window.system.page, true)),
          noTemplate: await message(window.system.mes.signature.getSignatureTemplate("No Such Template")),
        };
      });
      assert.equal(seen.unknown, "Error: No pending authentication challenge with UUID 00000000-0000-4000-8000-000000000000");
      assert.match(seen.notAUUID, /^Error: not a valid UUID/);
      assert.match(seen.notShown, /^Error: Could not post authorization challenge/);
      assert.match(seen.otherSession, /^Error: Could not post authorization challenge/);
      assert.match(seen.noTemplate, /^Error: no signature template has that name: "No Such Template"/);
    });

    await run("s2c-sdk-exactness", async () => {
      // Issue 21.8: the seed's exception names and the HTTP status on every
      // error; approve is a boolean or the call throws at once, posting nothing.
      const frame = await (await page.locator("#content").elementHandle()).contentFrame();
      const seen = await frame.evaluate(async () => {
        const auth = window.system.mes.signature.authorization;
        const failure = (e) => ({ error: e instanceof Error, name: e.name, status: e.status, message: e.message });
        const settle = (p) => p.then(() => "resolved", failure);
        const unknown = "00000000-0000-4000-8000-000000000000";
        const pending = await auth.getPendingAuthRequests({ name: "Release line" });
        const slot = pending[0].slots[0].uuid;
        const sync = {};
        for (const [name, approve] of [["omitted", undefined], ["string", "true"], ["number", 1]]) {
          try {
            const r = auth.triggerAuthRequest(slot, window.system.session, window.system.page, approve);
            sync[name] = { returned: typeof r };
          } catch (e) {
            sync[name] = failure(e);
          }
        }
        return {
          sync,
          unknown: await settle(auth.triggerAuthRequest(unknown, window.system.session, window.system.page, true)),
          notAUUID: await settle(auth.triggerAuthRequest("not-a-uuid", window.system.session, window.system.page, false)),
          notShown: await settle(auth.triggerAuthRequest(slot, window.system.session, "page-0", true)),
          unknownRequest: await settle(auth.getAuthRequest(unknown)),
          request: await auth.getAuthRequest(slot),
        };
      });
      for (const name of ["omitted", "string", "number"]) {
        assert.deepEqual(
          { ...seen.sync[name], message: undefined },
          { error: true, name: "IllegalArgumentException", status: 400, message: undefined },
          `approve ${name}: ${JSON.stringify(seen.sync[name])}`,
        );
      }
      assert.equal(await dialog.isVisible(), false, "a non-boolean approve raised the dialog");
      assert.deepEqual(seen.unknown, { error: true, name: "IllegalArgumentException", status: 404,
        message: "No pending authentication challenge with UUID 00000000-0000-4000-8000-000000000000" });
      assert.equal(seen.notAUUID.name, "IllegalArgumentException");
      assert.equal(seen.notAUUID.status, 400);
      assert.equal(seen.notShown.name, "RuntimeException");
      assert.equal(seen.notShown.status, 409);
      assert.equal(seen.unknownRequest.name, "IllegalArgumentException");
      assert.equal(seen.unknownRequest.status, 404);
      assert.equal(seen.request.requestName, "Release line");
      assert.equal(seen.request.state, "pending");
      assert.equal(seen.request.slots.length, 2);
      released = { request: seen.request.uuid, slots: seen.request.slots.map((s) => s.uuid) };
    });

    await run("s3-wrong-password", async () => {
      await content.getByRole("button", { name: "Approve signature 1" }).click();
      await dialog.waitFor({ state: "visible" });
      assert.equal(await dialog.getAttribute("role"), "dialog");
      assert.equal(await dialog.getAttribute("aria-modal"), "true");
      assert.equal(await page.locator("#challenge-title").innerText(), "Release line");
      // The meaning without its doubled label (the template's is "Approval: I approve …", issue 22.1).
      assert.equal(await page.locator("#challenge-meaning").innerText(), "Approving means: I approve the release of this line.");
      assert.equal(await page.locator("#challenge-slot").innerText(), "Signature 1 of 2, to be given by an operator.");
      // The dialog is the shell's: it is in the chrome's document, not the page's.
      assert.equal(await content.locator("#challenge-box").count(), 0, "the dialog is inside the hosted page");
      // The first signing on this station: the dialog asks for the station's signing phrase
      // first, then shows it in its band (issue 20.5).
      const phraseField = page.getByLabel("Choose a phrase this station shows in every genuine signature dialog");
      await phraseField.waitFor({ state: "visible" });
      assert.equal(await page.locator("#challenge-user").isVisible(), false, "the dialog asks for the password before the phrase");
      await phraseField.fill("heron over line four");
      await page.getByRole("button", { name: "Save phrase" }).click();
      await page.locator("#challenge-phrase").filter({ hasText: "heron over line four" }).waitFor();
      await page.getByLabel("User ID").fill("operator");
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Approve" }).click();
      await page.locator("#challenge-error").filter({ hasText: "wrong user ID or password" }).waitFor();
      // The page hears the failed attempt, hidden behind the dialog (issue 20.4).
      await content.locator("#release-result").filter({ hasText: "still pending" }).waitFor({ state: "attached" });
      assert.equal(await page.locator("#content").isVisible(), false, "the page shows behind the dialog");
      assert.equal(await page.getByLabel("Password").inputValue(), "", "the password stays in the field");
    });

    await run("s4-first-signature", async () => {
      await page.getByLabel("Password").fill("operator-demo");
      await page.getByLabel("Comment").fill("batch checked");
      await page.getByRole("button", { name: "Approve" }).click();
      await dialog.waitFor({ state: "hidden" });
      await content.locator("#slots li").first().filter({ hasText: "Approved by" }).waitFor();
    });

    await run("s5-keyboard-only", async () => {
      await content.getByRole("button", { name: "Approve signature 2" }).click();
      await dialog.waitFor({ state: "visible" });
      // The phrase is asked for once: from now on the band shows it.
      assert.equal(await page.locator("#challenge-phrase").innerText(), "heron over line four");
      assert.equal(await page.locator("#challenge-phrase-step").isVisible(), false, "the phrase was asked for again");
      // Focus starts in User ID; the rest is typed.
      await page.keyboard.type("supervisor");
      await page.keyboard.press("Tab");
      await page.keyboard.type("supervisor-demo");
      await page.keyboard.press("Tab");
      await page.keyboard.type("released");
      await page.keyboard.press("Enter");
      await dialog.waitFor({ state: "hidden" });
      const result = await content.locator("#release-result").filter({ hasText: "Line released" }).innerText();
      assert.match(result, /Sam Supervisor \(supervisor\)/);
      assert.match(result, /released/);
      assert.equal(await content.locator("#release").isEnabled(), true, "Release line stays disabled after the line was released");
    });

    await run("s6-after-a-reload", async () => {
      // Issue 21.8: a page that reloaded lost its callbacks; getAuthRequest
      // tells it what became of the request, by a slot's UUID.
      const frame = await (await page.locator("#content").elementHandle()).contentFrame();
      const pending = await frame.evaluate(() => window.system.mes.signature.authorization.getPendingAuthRequests({ name: "Release line" }));
      assert.equal(pending.length, 0, "the request is still pending");
      await frame.evaluate(() => { window.beforeReload = true; });
      await frame.goto(frame.url()); // the page again, a new document: its callbacks are gone
      assert.equal(await frame.evaluate(() => window.beforeReload), undefined, "the page was not reloaded");
      const read = await frame.evaluate(async (slots) => {
        const auth = window.system.mes.signature.authorization;
        return Promise.all(slots.map((s) => auth.getAuthRequest(s)));
      }, released.slots);
      for (const r of read) {
        assert.equal(r.uuid, released.request);
        assert.equal(r.state, "approved");
        assert.deepEqual(r.slots.map((s) => [s.state, s.signature?.signer?.userId, s.signature?.comment]),
          [["approved", "operator", "batch checked"], ["approved", "supervisor", "released"]]);
      }
    });
  });

  test("the audit trail is intact and says who signed", async () => {
    const stopped = await shell.stop();
    assert.deepEqual(stopped, { code: 0, signal: null });
    const verified = await runLoginshell(["audit", "verify", "--data", dataDir]);
    assert.equal(verified.code, 0, `audit verify: ${verified.stdout}${verified.stderr}`);
    assert.match(verified.stdout, /intact/);
    const shown = await runLoginshell(["audit", "show", "--data", dataDir]);
    assert.equal(shown.code, 0, shown.stderr);
    for (const want of [/queue/, /failure/, /user=supervisor/, /Sam Supervisor/, /comment="?batch checked/]) {
      assert.match(shown.stdout, want, `audit show lacks ${want}`);
    }
    assert.doesNotMatch(shown.stdout, /operator-demo|supervisor-demo|not-the-password/, "a password is in the audit trail");
  });
});

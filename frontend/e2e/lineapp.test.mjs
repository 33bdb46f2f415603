// End-to-end: no dead ends in the demo line app (issue 22.2), in Chromium
// against serve --demo.
//
//   l1 the first-time offline password setup is cancelled (the top bar's
//      Cancel): the line app shows anyway
//   l2 "Change offline password" then offers the setup, over the line app,
//      and says when it is done; never "sign in online" to someone who is
//   l3 a cancelled signature is a failure, said once, and Release line can
//      start a new request, which cancels the pending one
//   l4 a rejected request is a failure too, and a new request can follow

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { contentFrame, signInAtDemo, waitForContentURL, waitForOverURL } from "./shell.mjs";
import { demoSuite } from "./suite.mjs";

const linePath = "/webapps/lineapp/index.html";

describe("the line app has no dead ends", { concurrency: false }, () => {
  const s = demoSuite("lineapp");
  const { run } = s;
  /** Set by l1: the later steps need the line app on screen. */
  let shown = false;

  const content = () => s.browser.page.frameLocator("#content");
  const result = () => content().locator("#release-result");

  /** dialog waits for the signature dialog, saves the station's phrase the first time, and returns it. */
  async function dialog() {
    const { page } = s.browser;
    const box = page.locator("#challenge-box");
    await box.waitFor({ state: "visible" });
    const phrase = page.locator("#challenge-phrase-input");
    if (await phrase.isVisible()) {
      await phrase.fill("heron over line four");
      await page.locator("#challenge-submit").click();
      await page.locator("#challenge-user").waitFor({ state: "visible" });
    }
    return box;
  }

  /** pending is the line app's pending requests named "Release line", as the SDK lists them. */
  async function pending() {
    const frame = await contentFrame(s.browser.page);
    return frame.evaluate(() => window.system.mes.signature.authorization.getPendingAuthRequests({ name: "Release line" }));
  }

  test("l1: a cancelled first-time setup still leads to the line app", async () => {
    const { page } = s.browser;
    await run("l1", async () => {
      await signInAtDemo(page, s.shell.url);
      await content().locator("#confirm").waitFor({ state: "visible" });
      await page.locator("#cancel").click();
      await waitForContentURL(page, (u) => u.pathname === linePath, { what: "the line app" });
      await content().locator("#connectivity", { hasText: "Signed in online" }).waitFor();
      shown = true;
    });
  });

  test("l2: Change offline password offers the setup to someone signed in online without one", async (t) => {
    if (!shown) return t.skip("needs l1");
    const { page } = s.browser;
    await run("l2", async () => {
      await content().locator("#change-password").click();
      // Said by the line app, hidden under the setup page by now.
      await content().locator("#status", { hasText: "You have no offline password yet: set one up now." }).waitFor({ state: "attached" });
      await waitForOverURL(page, (u) => u.pathname.endsWith("/setup.html") && u.searchParams.get("u") === "operator", {
        what: "the setup page over the line app",
      });
      const over = page.frameLocator("#over");
      await over.locator("#password").fill("offline-pass-1");
      await over.locator("#confirm").fill("offline-pass-1");
      await over.locator("#save").click();
      await content().locator("#status", { hasText: "Offline password set up" }).waitFor();
      assert.equal(await content().locator("#error").innerText(), "");
      const text = await content().locator("main").innerText();
      assert.doesNotMatch(text, /sign in online/i, "the line app tells someone signed in online to sign in online");
      // The setup is done: the button now changes the password.
      await content().locator("#change-password").click();
      await waitForOverURL(page, (u) => u.pathname.endsWith("/manage.html"), { what: "the manage page" });
      await page.locator("#cancel").click();
      await content().locator("#status", { hasText: "Password change cancelled" }).waitFor();
    });
  });

  test("l3: a cancelled signature is a failure, said once, and a new request replaces the pending one", async (t) => {
    if (!shown) return t.skip("needs l1");
    const { page } = s.browser;
    await run("l3", async () => {
      await content().locator("#release").click();
      await content().getByRole("button", { name: "Approve signature 1" }).click();
      const box = await dialog();
      await page.keyboard.press("Escape");
      await box.waitFor({ state: "hidden" });
      await result().filter({ hasText: "cancelled" }).waitFor();
      assert.equal(await result().getAttribute("class"), "error");
      assert.equal(await result().getAttribute("role"), "alert");
      const said = await result().innerText();
      assert.equal(said.match(/still pending/g)?.length, 1, `said: ${said}`);
      assert.equal(await content().locator("#release").isEnabled(), true, "Release line stays disabled after a cancel");
      const before = await pending();
      assert.equal(before.length, 1);
      await content().locator("#release").click();
      await result().filter({ hasText: "Two signatures are needed." }).waitFor();
      assert.equal(await result().getAttribute("class"), "status");
      const after = await pending();
      assert.equal(after.length, 1, "the replaced request is still pending");
      assert.notEqual(after[0].uuid, before[0].uuid);
    });
  });

  test("l4: a rejected request is a failure, and Release line starts a new one", async (t) => {
    if (!shown) return t.skip("needs l1");
    const { page } = s.browser;
    await run("l4", async () => {
      await content().getByRole("button", { name: "Reject signature 1" }).click();
      await dialog();
      await page.locator("#challenge-user").fill("operator");
      await page.locator("#challenge-password").fill("operator-demo");
      await page.locator("#challenge-submit").click();
      await page.locator("#challenge-box").waitFor({ state: "hidden" });
      await result().filter({ hasText: "Release rejected by" }).waitFor();
      assert.equal(await result().getAttribute("class"), "error");
      // The rejection ended the request: its other signature is no longer offered.
      assert.equal(await content().getByRole("button", { name: "Approve signature 2" }).isDisabled(), true,
        "signature 2 of a rejected request can still be asked for");
      await content().locator("#release:not([disabled])").click();
      await content().getByRole("button", { name: "Approve signature 2" }).waitFor({ state: "visible" });
      assert.equal(await content().locator("#slots li").count(), 2);
      assert.equal((await pending()).length, 1);
    });
  });
});

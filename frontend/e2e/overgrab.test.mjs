// A hostile page kept behind a sign-in page it opened (the offline sign-in's manage page, over
// the page whose POST /auth/update opened it) takes the keyboard in a loop while a person types
// a password into the sign-in page, keys in flight: in Chromium nothing the chrome can set keeps
// a cross-origin frame from taking the keyboard with window.focus(), so keys typed in the instant
// before the chrome hears of it reach the page. The keys go through the DevTools protocol without
// waiting for each to be taken (Input.dispatchKeyEvent, all sent at once), as in
// dialoggrab.test.mjs. Wanted, as for the signature dialog: the page is ended; the person is told
// what may have reached it (the sign-in page's fields, on another origin, cannot be cleared); the
// audit trail has the event as an alert naming the package and the sign-in page; a page cannot
// write such an alert. `node --test` prints "page heard N keys" for the run.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hostileSite } from "./hostile.mjs";
import { setUpOffline, signInAtDemo, waitForOverURL } from "./shell.mjs";

describe("keys in flight while a hostile page takes the keyboard from the sign-in page over it", { concurrency: false }, () => {
  const site = hostileSite("overgrab", { offline: true });
  const { run, hostile, alerts } = site;
  const keysGot = () => site.keysGot("keydown");

  test("sign in online and set up the offline password; the hostile page is shown", async () => {
    await run("setup", async () => {
      await signInAtDemo(site.browser.page, site.shell.url);
      await setUpOffline(site.browser.page, "offline-pass-1");
      await hostile();
    });
  });

  test("the page grabs while the password's keys are on their way: ended, told, recorded; a page cannot record it", async () => {
    const { page } = site.browser;
    await run("grab", async () => {
      const frame = await hostile();
      const pageURL = frame.url();
      // The page opens the manage page over itself, then takes the keyboard in a loop from a moment from now.
      await frame.evaluate(() => void fetch("http://pmapi/auth/update", { method: "POST" }));
      await waitForOverURL(page, (u) => u.pathname.endsWith("/manage.html"), { what: "the manage page" });
      const over = page.frameLocator("#over");
      await over.locator("#old").click();
      assert.deepEqual(keysGot(), [], "the page got keys before it grabbed");
      await site.grabWhileTyping(frame, "offline-pass-1", "the page behind the sign-in page was closed");
      const heard = keysGot();
      console.log(`page heard ${heard.length} keys (${heard.map((l) => /keydown (\S*)/.exec(l)?.[1]).join("")}); the sign-in page holds ${(await over.locator("#old").inputValue()).length} of 14`);

      // Whatever the page heard: the person is told, in the dialog's words, what may have reached it.
      const told = await page.locator("#notice").innerText();
      assert.match(told, /^The page behind took the keyboard and was closed\. (What you typed just then|Your password) may have reached it/);
      assert.match(told, /sign-in page/);

      // The trail has it: which package's page, behind which sign-in page (never its query), who was signed in.
      const recorded = await alerts();
      assert.equal(recorded.length, 1, `want one alert of a page that took the keyboard:\n${recorded.join("\n")}`);
      assert.match(recorded[0], /the page of package \\?"hostile\\?" \(page-[^)]+\) took the keyboard while a sign-in page \(http:\/\/[^)]+\/webapps\/offline-login\/manage\.html\) was shown over it and operator was signed in; the shell closed the page, and /);
      assert.doesNotMatch(recorded[0], /manage\.html\?/, "the trail keeps the sign-in page's query");

      // A page cannot write such an alert, while the sign-in page is still over it: a tab of its
      // own posts to the chrome's endpoint, on the chrome's origin and on its own.
      const other = await site.browser.context.newPage();
      try {
        await other.goto(pageURL);
        await other.waitForFunction(() => window.attack, null, { timeout: 10_000 });
        const tried = await other.evaluate(async (chrome) => {
          const body = JSON.stringify({ whole: true });
          const out = [];
          for (const url of [`${chrome}/shell/signin/exposed`, "/shell/signin/exposed"]) {
            out.push(await fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }).then((r) => String(r.status), (e) => e.name));
            out.push(await fetch(url, { method: "POST", body, mode: "no-cors" }).then((r) => r.type, (e) => e.name));
          }
          return out;
        }, site.shell.origin);
        assert.ok(!tried.includes("200"), `a page reached the chrome's report: ${tried}`);
      } finally {
        await other.close();
      }
      await page.waitForTimeout(300);
      assert.equal((await alerts()).length, 1, "a page wrote an alert into the trail");
      assert.ok(await page.locator("#over").count(), "the sign-in page went before the page's attempt");

      // The person checks the sign-in page and types again: the change goes through.
      await over.locator("#old").fill("offline-pass-1");
      await over.locator("#password").fill("offline-pass-2");
      await over.locator("#confirm").fill("offline-pass-2");
      await over.locator("#save").click();
      await page.locator("#over").waitFor({ state: "detached" });
      assert.match(site.shell.output(), /offline password changed.*user=operator/);
      await hostile(); // loaded afresh
      assert.match(await page.locator("#notice").innerText(), /^The page behind took the keyboard and was closed\./, "the notice went with the sign-in page");
    });
  });
});

// A hostile page takes the keyboard while the signer types the password, keys in flight
// (issue 20, promise 4; the security finding of the session before): in Chromium nothing the
// chrome can set keeps a cross-origin frame from taking the keyboard with window.focus() (hidden,
// inert, behind a modal), so keys typed in the instant before the chrome hears of it reach the
// page. The keys go through the DevTools protocol without waiting for each to be taken
// (Input.dispatchKeyEvent, all sent at once), so some are on their way as the page grabs. Wanted,
// whatever the page heard: the page is ended; the dialog voided what was typed and told the signer
// so; Enter and the rest of the password sign nothing; the audit trail has the event as an alert
// naming the package and the signer; a page cannot write such an alert; only the password typed
// again signs. What the page heard it tells the shell's log at once (fixtures/hostile), and the
// test reports it: `node --test` prints "page heard N keys" for each run.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hostileSite } from "./hostile.mjs";
import { signInAtDemo } from "./shell.mjs";

const phrase = "kestrel over line four";
const human = { delay: 60 };

describe("keys in flight while a hostile page takes the keyboard from the signature dialog", { concurrency: false }, () => {
  const site = hostileSite("dialoggrab");
  const { run, hostile, alerts } = site;
  const keysGot = () => site.keysGot("keydown");

  let uuids;
  let pageURL;

  test("sign in; the dialog comes over the hostile page and the station's phrase is chosen", async () => {
    const { page } = site.browser;
    await run("setup", async () => {
      await signInAtDemo(page, site.shell.url);
      const frame = await hostile();
      pageURL = frame.url();
      uuids = await frame.evaluate(() => window.attack.queue());
      await frame.evaluate((ids) => window.attack.ask(ids), uuids);
      await page.locator("#challenge-box").waitFor({ state: "visible" });
      await page.keyboard.type(phrase, human);
      await page.keyboard.press("Enter");
      await page.locator("#challenge-phrase").filter({ hasText: phrase }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-user");
    });
  });

  test("the page grabs while the password's keys are on their way: ended, voided, told, recorded; only a password typed again signs", async () => {
    const { page } = site.browser;
    await run("grab", async () => {
      const frame = await hostile();
      await page.keyboard.type("operator", human);
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-password");
      // When the chrome hears of it, for the report: the window's blur, the field's focusout, the
      // frame leaving the document (times on the page's clock, from when the page grabbed).
      await page.evaluate(() => {
        const t = (window.heard = {});
        const at = () => performance.timeOrigin + performance.now();
        window.addEventListener("blur", () => (t.blur ??= at()));
        document.addEventListener("focusout", (e) => {
          t.focusout ??= at();
          t.atFocusout ??= `${document.activeElement?.id || document.activeElement?.tagName} hasFocus=${document.hasFocus()} related=${e.relatedTarget?.id ?? null}`;
          queueMicrotask(() => (t.afterFocusout ??= `${document.activeElement?.id || document.activeElement?.tagName} hasFocus=${document.hasFocus()}`));
        }, true);
        t.keys = [];
        document.addEventListener("keydown", (e) => t.keys.push([e.key, at()]), true);
        document.addEventListener("visibilitychange", () => (t.visibility ??= at()));
        new MutationObserver(() => {
          if (!document.getElementById("content")) t.ended ??= at();
        }).observe(document.body, { childList: true, subtree: true });
      });
      const password = "operator-demo";
      await site.grabWhileTyping(frame, password, "the signature dialog was closed: stolen");
      const heard = keysGot();
      const grabbed = /hostile grabbed at ([\d.]+)/.exec(site.shell.output());
      const times = await page.evaluate(() => window.heard);
      const since = (t) => (t && grabbed ? `${Math.round(t - Number(grabbed[1]))} ms` : "-");
      console.log(`page heard ${heard.length} keys (${heard.map((l) => /keydown (\S*)/.exec(l)?.[1]).join("")}); after the grab: blur ${since(times.blur)}, focusout ${since(times.focusout)}, visibilitychange ${since(times.visibility)}, page ended ${since(times.ended)}; at focusout ${times.atFocusout}, then ${times.afterFocusout}; the dialog heard ${times.keys.map(([k, at]) => `${k}@${since(at)}`).join(" ")}`);

      // Whatever the page heard: what was typed is void, and the signer is told so.
      const told = await page.locator("#challenge-error").innerText();
      assert.match(told, /^The page behind took the keyboard and was closed\. .*may have reached it.*type your user ID and password again/);
      assert.equal(await page.locator("#challenge-password").inputValue(), "", "the password typed before the grab is still there");
      assert.equal(await page.locator("#challenge-user").inputValue(), "", "the user ID typed before the grab is still there");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-error", "the keyboard is not on the notice");

      // The rest of the password, a Tab and Enter, as a signer who did not look: nothing is signed,
      // and nothing typed on lands in a field (User ID would show the password in clear).
      await page.keyboard.type("demo", human);
      await page.keyboard.press("Tab");
      await page.keyboard.type("demo", human);
      await page.keyboard.press("Enter");
      await page.waitForTimeout(500);
      assert.ok((await site.shell.view()).challenge, "the dialog's challenge ended");
      assert.equal(await page.locator("#challenge-password").inputValue(), "", "what was typed after the notice went into the password");
      assert.equal(await page.locator("#challenge-user").inputValue(), "", "what was typed after the notice went into the user ID");
      assert.deepEqual(keysGot(), heard, "keys typed after the page was ended reached it");

      // The trail has it: which package's page, who was signing, that keys may have reached it.
      const recorded = await alerts();
      assert.equal(recorded.length, 1, `want one alert of a page that took the keyboard:\n${recorded.join("\n")}`);
      assert.match(recorded[0], /the page of package \\"hostile\\" \(page-[^)]+\) took the keyboard while operator was at the signature dialog for \\"Hostile release\\", typing the password; the shell closed the page, and /);
      assert.match(recorded[0], /user=operator/);

      // A page cannot write such an alert: a tab of its own posts to the chrome's endpoint, with the open challenge's id.
      const { challenge } = await site.shell.view();
      const other = await site.browser.context.newPage();
      try {
        await other.goto(pageURL);
        await other.waitForFunction(() => window.attack, null, { timeout: 10_000 });
        const tried = await other.evaluate(async ([chrome, id]) => {
          const body = JSON.stringify({ userId: "operator", field: "password", whole: true });
          const out = [];
          for (const url of [`${chrome}/shell/challenge/${id}/exposed`, `/shell/challenge/${id}/exposed`]) {
            out.push(await fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json" } }).then((r) => String(r.status), (e) => e.name));
            out.push(await fetch(url, { method: "POST", body, mode: "no-cors" }).then((r) => r.type, (e) => e.name));
          }
          return out;
        }, [site.shell.origin, challenge.id]);
        assert.ok(!tried.includes("200"), `a page reached the chrome's report: ${tried}`);
      } finally {
        await other.close();
      }
      assert.equal((await alerts()).length, 1, "a page wrote an alert into the trail");

      // Typed again, from the notice once the signer read it: Tab, the user ID, the password. It signs.
      await page.waitForTimeout(1000);
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "challenge-user");
      await page.keyboard.type("operator", human);
      await page.keyboard.press("Tab");
      await page.keyboard.type(password, human);
      await page.keyboard.press("Enter");
      await page.locator("#challenge-box").waitFor({ state: "hidden" });
      const again = await hostile();
      const r = await again.evaluate((ids) => window.system.mes.signature.authorization.getAuthRequest(ids[0]), uuids);
      assert.deepEqual(r.slots.map((s) => [s.state, s.signature?.signer?.userId ?? null]), [["approved", "operator"], ["pending", null]]);
      assert.deepEqual(keysGot(), heard, "keys typed again reached the page");
    });
  });
});

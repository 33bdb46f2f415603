// What a browser suite against one shell sets up the same way: a step that leaves a diagnosis when
// it fails, a data directory with a --demo shell over it and a browser, and a call into the page's
// own SDK.

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before } from "node:test";
import { contentFrame, diagnose, openBrowser, removeDir, startShell, tempDir } from "./shell.mjs";

/**
 * diagnosing is a suite's run(name, fn): it runs the step fn and, when it fails, saves the
 * screen and the server's output as prefix-name (diagnose) before the error goes on. parts gives
 * the suite's shell and browser as they are when the step fails (either may not be set up yet).
 */
export function diagnosing(prefix, parts) {
  return async (name, fn) => {
    try {
      await fn();
    } catch (err) {
      const { shell, browser } = parts();
      await diagnose(`${prefix}-${name}`, { page: browser?.page, shell, consoleLines: browser?.consoleLines ?? [] });
      throw err;
    }
  };
}

/**
 * demoSuite sets up, before the tests of the describe block it is called in, a data directory
 * (with templates.json when templates are given), a shell with --demo over it and a browser, and
 * takes them down after. The object it returns holds them once they are up (dataDir, shell,
 * browser), with run (diagnosing, named prefix) and sdk.
 */
export function demoSuite(prefix, { templates, browserArgs = [] } = {}) {
  const s = {};
  before(async () => {
    s.dataDir = await tempDir(prefix);
    if (templates) await writeFile(join(s.dataDir, "templates.json"), `${JSON.stringify(templates, null, 2)}\n`);
    s.shell = await startShell({ dataDir: s.dataDir, demo: true });
    s.browser = await openBrowser({ args: browserArgs });
  });
  after(async () => {
    await s.browser?.close();
    await s.shell?.kill();
    await removeDir(s.dataDir);
  });
  s.run = diagnosing(prefix, () => s);
  /** sdk runs fn(auth, system, arg) in the page shown (its own SDK) and returns what it returns. */
  s.sdk = async (fn, arg) => {
    const frame = await contentFrame(s.browser.page);
    return frame.evaluate(
      ([src, a]) => new Function("auth", "system", "arg", `return (${src})(auth, system, arg);`)(
        window.system.mes.signature.authorization, window.system, a),
      [fn.toString(), arg],
    );
  };
  return s;
}

// What the chrome says and reports of a page that took the keyboard from a sign-in page over it.
import { describe, expect, it } from "vitest";
import { keysAwayText, signInKeysAwayText } from "./dialogwords";
import { fewKeysWithin, wholeSince } from "./keysaway";

describe("wholeSince: how long the keyboard was away from the sign-in page", () => {
  const now = 1_000_000;
  it.each([
    ["the page said it lost the keyboard a moment ago", now - 5, false],
    ["just under the bound", now - fewKeysWithin + 1, false],
    ["at the bound", now - fewKeysWithin, true],
    ["long ago (the page over it was held)", now - 5_000, true],
    ["no time said", undefined, true],
    ["not a number", "now", true],
    ["not a finite number", Number.NaN, true],
    ["a time well after now (clocks apart, or a made-up time)", now + 10 * fewKeysWithin, true],
    ["a moment after now (the clocks differ by a little)", now + 3, false],
  ])("%s", (_, at, want) => {
    expect(wholeSince(at, now)).toBe(want);
  });
});

describe("signInKeysAwayText: in the dialog's words", () => {
  const closed = "The page behind took the keyboard and was closed.";
  it("a few keys: they may have reached it and be missing from the sign-in page", () => {
    const t = signInKeysAwayText(false);
    expect(t.startsWith(closed)).toBe(true);
    expect(t).toContain("What you typed just then may have reached it");
    expect(t).toContain(keysAwayText({ field: "user", whole: false }, false).slice(closed.length + 1, closed.length + 45));
    expect(t).not.toContain("change your password");
  });
  it("a whole password: change it", () => {
    const t = signInKeysAwayText(true);
    expect(t.startsWith(closed)).toBe(true);
    expect(t).toContain("Your password may have reached it");
    expect(t).toContain("change your password after signing in");
  });
});

// The time left to sign, shown for the last minute of a challenge's timeout. Go's engine keeps
// the time that counts (an answer after the deadline never counts there); this only shows it, on
// the clock of the same computer, and says when it has run out.
import { countdownFrom, countdownText } from "./dialogwords";

/** How often the countdown is redrawn: often enough that a second never shows twice as long. */
export const tickEvery = 250;
/** The countdown turns to the failure colour for the last seconds. */
const lateFrom = 10_000;

/** Countdown draws the time left into el and calls up once when it reaches zero. */
export class Countdown {
  private timer: ReturnType<typeof setInterval> | undefined;
  private deadline = Number.NaN;

  constructor(
    private readonly el: HTMLElement,
    private readonly up: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** start counts down to expires (an ISO time); one that does not parse shows nothing. */
  start(expires: string): void {
    this.stop();
    this.deadline = Date.parse(expires);
    if (Number.isNaN(this.deadline)) return;
    this.tick();
    if (!Number.isNaN(this.deadline)) this.timer = setInterval(() => this.tick(), tickEvery);
  }

  /** stop ends the countdown and hides it; over still tells whether its deadline passed. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.el.hidden = true;
    this.el.textContent = "";
  }

  /** over reports whether the deadline has passed, or passes within slack ms (false with none). */
  over(slack = 0): boolean {
    return !Number.isNaN(this.deadline) && this.now() + slack >= this.deadline;
  }

  private tick(): void {
    const left = this.deadline - this.now();
    if (left <= 0) {
      this.stop();
      this.up();
      return;
    }
    this.el.hidden = left > countdownFrom;
    if (this.el.hidden) return;
    const text = countdownText(left);
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.dataset.late = String(left <= lateFrom);
  }
}

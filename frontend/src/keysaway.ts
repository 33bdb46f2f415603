// Keys that may have gone to the page behind the signature dialog (issue 20, promise 4). A page
// on another origin can take the keyboard with window.focus() whatever the chrome does: Chromium
// lets a cross-origin frame do so hidden, inert or behind a modal <dialog>, WebKitGTK once the
// person touched the page (measured; see pageguard.ts). The guard ends such a page the moment
// the chrome hears that the keyboard left it, but keys typed in between went to the page, and
// they cannot be called back. So the dialog assumes that what was typed at that moment reached
// the page: it voids what the fields held, says so plainly (and to change the password when a
// whole one may have gone), takes the keyboard to its notice so that the rest of what the person
// was typing goes nowhere, and reports the event to Go for the audit trail.
//
// How many keys may have gone is bounded by what the chrome saw: after the page took the
// keyboard no key reaches the dialog, so the keyboard was away for at most the time since the
// dialog last heard a key (or took the keyboard). Under fewKeysWithin that is a few keys; longer,
// a whole password may have gone.

/**
 * fewKeysWithin, ms: a keyboard away for less than this carried a few keys at most (a person
 * types a key every 100 ms or so, a fast one every 60); longer, a whole password may have gone.
 */
export const fewKeysWithin = 300;

/**
 * pauseBefore, ms: after a page took the keyboard, the dialog's notice has it; Tab leads on from
 * there only after the person stopped typing this long. A Tab that was part of what they were
 * typing (User ID, Tab, password) would carry the rest of the password into User ID, in clear.
 */
export const pauseBefore = 1000;

/** The dialog's fields the keyboard may have been in, as Go's signature.Exposure names them. */
export type Field = "user" | "password" | "comment" | "phrase" | "";

/** What may have gone to the page: the field that had the keyboard, and whether a whole password. */
export interface Away {
  field: Field;
  whole: boolean;
}

/**
 * wholeSince says, for a sign-in page over a page (frames.ts OverPage), whether a whole password
 * may have gone to the page behind. The chrome hears no key typed into the sign-in page (another
 * origin); that page's shim says when it lost the keyboard (at: ms since the epoch on the
 * pages' clock, performance.timeOrigin + performance.now()), and the chrome ended the page behind
 * at now, on its own clock. The keyboard was away in between: under fewKeysWithin, a few keys at
 * most; longer, or with no time said (or one that cannot be), a whole password may have gone.
 */
export function wholeSince(at: unknown, now: number): boolean {
  if (typeof at !== "number" || !Number.isFinite(at) || at > now + fewKeysWithin) return true;
  return now - at >= fewKeysWithin;
}

/** KeyWatch follows which field of the dialog has the keyboard, and when it last heard a key. */
export class KeyWatch {
  private field: Field = "";
  /** When the dialog last heard a key or took the keyboard. */
  private heard = 0;
  /** The same, before the key being handled now. */
  private before = 0;

  /**
   * fields are the dialog's text fields by name; root is the dialog, whose keys and focus are
   * followed; now is the clock (performance.now, or a test's).
   */
  constructor(
    private readonly fields: Record<Exclude<Field, "">, HTMLInputElement>,
    root: HTMLElement,
    private readonly now: () => number = () => performance.now(),
  ) {
    root.addEventListener("focusin", (e) => {
      this.field = this.nameOf(e.target);
      this.heard = this.now();
    });
    // Capture: the dialog hears the key before anything of its own handles it.
    root.addEventListener(
      "keydown",
      () => {
        this.before = this.heard;
        this.heard = this.now();
      },
      true,
    );
  }

  /** started: the dialog took the keyboard (it opened, or gave it to a field). */
  started(): void {
    this.heard = this.now();
  }

  /** away says what may have gone to a page that took the keyboard just now. */
  away(): Away {
    return { field: this.field, whole: this.now() - this.heard >= fewKeysWithin };
  }

  /**
   * paused says whether the key being handled came after the person stopped typing for
   * pauseBefore: a Tab amid typing belongs to what they were typing, not to a decision.
   */
  paused(): boolean {
    return this.heard - this.before >= pauseBefore;
  }

  /** secret says whether a field holds something no page may learn. */
  static secret(f: Field): boolean {
    return f === "password" || f === "phrase";
  }

  private nameOf(t: EventTarget | null): Field {
    for (const [name, el] of Object.entries(this.fields)) {
      if (el === t) return name as Field;
    }
    return "";
  }
}

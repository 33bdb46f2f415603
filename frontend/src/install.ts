// Installing a web app package from the chrome: the "Install package…" button, dropping a zip on
// the window, the progress bar and the result panel. Go does the work (internal/install) and
// reports the same events in both modes; this module only starts installs and shows them.
import type { Transport } from "./transport";
import { problemLine, type InstallEvent, type InstallResult } from "./view";

/**
 * The transport calls installing needs: pickPackage, installDrop and confirmInstall in window mode,
 * and uploadPackage for a dropped file whose bytes the engine gives (both modes) and for the file
 * chosen in a browser.
 */
export type InstallActions = Pick<Transport, "mode" | "pickPackage" | "installDrop" | "confirmInstall" | "uploadPackage">;

/** Texts decided here rather than by Go. */
export const texts = {
  unreachable: "The package could not be sent to the shell. Check that loginshell is still running, then try again.",
  oneFile: "Drop one package at a time; nothing was installed.",
  notZip: "Only .zip web app packages can be installed; nothing was installed.",
  uploading: "A package is being sent already; wait until it has been installed, then try again.",
  dismiss: "Dismiss",
  keep: "Keep the installed one",
};

/** installedText is the message of a successful install. */
export function installedText(r: InstallResult): string {
  return `Installed ${r.name} ${r.version}. It is used at the next sign-in.`;
}

/**
 * InstallPanel binds to the install elements of index.html by id. Keyboard: the button is in the
 * tab order, the result panel takes focus when an install started here ends, Escape or Dismiss
 * closes it and gives focus back to the button.
 */
export class InstallPanel {
  private readonly el;
  /** An install started here is running: its result comes from the call, not the event. */
  private pending = false;
  /** Go reports an install running (events); or this chrome is sending a package. */
  private running = false;
  private sending = false;
  /** The last result shown, to drop the event that repeats the call's answer. */
  private lastShown = "";
  private dragDepth = 0;
  /** The uploaded file a "confirm" result asked about, sent again on Replace. */
  private asked: Blob | undefined;
  private readonly listening = new AbortController();

  constructor(
    private readonly doc: Document,
    private readonly actions: InstallActions,
  ) {
    const get = (id: string) => {
      const e = doc.getElementById(id);
      if (!e) throw new Error(`install: #${id} missing from the page`);
      return e;
    };
    this.el = {
      button: get("install") as HTMLButtonElement,
      folder: get("install-folder") as HTMLButtonElement,
      file: get("install-file") as HTMLInputElement,
      progress: get("install-progress") as HTMLProgressElement,
      result: get("install-result"),
      message: get("install-message"),
      problems: get("install-problems"),
      dismiss: get("install-dismiss") as HTMLButtonElement,
      replace: get("install-replace") as HTMLButtonElement,
      hint: get("drop-hint"),
    };
    this.el.button.addEventListener("click", () => void this.choose(false));
    // A folder installs as its zip does; only the window has a dialog to pick one.
    this.el.folder.addEventListener("click", () => void this.choose(true));
    // index.html draws both disabled: a click before this line had nothing to answer it.
    this.el.button.disabled = false;
    this.el.folder.disabled = false;
    this.el.file.addEventListener("change", () => {
      const f = this.el.file.files?.[0];
      this.el.file.value = ""; // choosing the same file again must fire change again
      if (f) void this.upload(f);
    });
    this.el.dismiss.addEventListener("click", () => this.dismiss());
    this.el.replace.addEventListener("click", () => void this.replace());
    this.el.result.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.dismiss();
    });
    const win = doc.defaultView ?? doc;
    const opts = { signal: this.listening.signal };
    win.addEventListener("dragenter", (e) => this.dragEnter(e as DragEvent), opts);
    win.addEventListener("dragover", (e) => this.dragOver(e as DragEvent), opts);
    win.addEventListener("dragleave", (e) => this.dragLeave(e as DragEvent), opts);
    win.addEventListener("drop", (e) => this.drop(e as DragEvent), opts);
  }

  /** dispose stops listening to the window's drag events. */
  dispose(): void {
    this.listening.abort();
  }

  /** onEvent shows an install's progress and result, whoever started it. */
  onEvent(e: InstallEvent): void {
    if (e.phase === "installing") {
      this.running = true;
      this.progress(e.done, e.total);
      return;
    }
    if (e.phase === "done") this.running = false;
    this.syncBar();
    // A local call answers with this very result: show it once, from the call.
    if (this.pending || JSON.stringify(e) === this.lastShown) return;
    this.show(e, false);
  }

  private async choose(folder: boolean): Promise<void> {
    const pick = this.actions.pickPackage;
    if (pick) {
      await this.byGo(() => pick(folder));
      return;
    }
    this.el.file.click();
  }

  /** byGo runs an install Go does from a path it holds (a picked or dropped file) and shows it. */
  private async byGo(run: () => Promise<InstallResult>): Promise<void> {
    if (this.pending) {
      this.show(refused(texts.uploading), true);
      return;
    }
    this.pending = true;
    this.el.button.disabled = true;
    this.el.folder.disabled = true;
    let r: InstallResult | undefined;
    try {
      r = await run();
    } catch {
      r = undefined;
    }
    this.pending = false;
    this.el.button.disabled = false;
    this.el.folder.disabled = false;
    this.asked = undefined; // a question now is about Go's file, which Go holds for confirmInstall
    this.show(r ?? refused(texts.unreachable), true);
  }

  /** replace is the person's yes to a "confirm" result: the same package, installed over the old. */
  private async replace(): Promise<void> {
    this.el.replace.hidden = true;
    const file = this.asked;
    if (file) {
      await this.upload(file, true);
      return;
    }
    if (this.actions.confirmInstall) {
      this.pending = true;
      let r: InstallResult | undefined;
      try {
        r = await this.actions.confirmInstall();
      } catch {
        r = undefined;
      }
      this.pending = false;
      this.show(r ?? refused(texts.unreachable), true);
    }
  }

  private async upload(file: Blob, replace = false): Promise<void> {
    if (!this.actions.uploadPackage) return;
    if (this.pending) {
      this.show(refused(texts.uploading), true);
      return;
    }
    this.pending = true;
    this.sending = true;
    this.progress(0, file.size);
    let r: InstallResult | undefined;
    try {
      // The bytes sent fill the bar; Go's install events take over once they are all there.
      r = await this.actions.uploadPackage(file, (sent, total) => this.progress(sent, total), replace);
    } catch {
      r = undefined;
    }
    this.pending = false;
    this.sending = false;
    this.asked = r?.phase === "confirm" ? file : undefined;
    this.show(r ?? refused(texts.unreachable), true);
  }

  private syncBar(): void {
    this.el.progress.hidden = !(this.running || this.sending);
  }

  private progress(done: number, total: number): void {
    const bar = this.el.progress;
    this.syncBar();
    if (total > 0) {
      bar.max = total;
      bar.value = Math.min(done, total);
    } else {
      bar.removeAttribute("value"); // indeterminate until the size is known
    }
  }

  /** show renders r; focus moves to the panel when the install was started here. */
  private show(r: InstallResult, mine: boolean): void {
    if (r.phase === "cancelled") return;
    if (r.phase === "done") this.running = false;
    this.syncBar();
    this.lastShown = JSON.stringify(r);
    this.el.message.textContent = r.ok ? installedText(r) : r.message;
    this.el.problems.replaceChildren(
      ...r.problems.map((p) => {
        const li = this.doc.createElement("li");
        li.textContent = problemLine(p);
        return li;
      }),
    );
    this.el.problems.hidden = r.problems.length === 0;
    const panel = this.el.result;
    panel.dataset.ok = String(r.ok);
    // A question: Replace answers yes, Dismiss (relabelled) keeps what the shell has.
    const asking = r.phase === "confirm" && (this.actions.confirmInstall !== undefined || this.asked !== undefined);
    this.el.replace.hidden = !asking;
    this.el.dismiss.textContent = asking ? texts.keep : texts.dismiss;
    panel.hidden = false;
    if (mine && asking) this.el.replace.focus();
    else if (mine) panel.focus();
  }

  private dismiss(): void {
    this.el.result.hidden = true;
    this.el.replace.hidden = true;
    this.asked = undefined;
    this.el.button.focus();
  }

  // Dropping: only a drop on the chrome's own document installs (one on a hosted page's frame is
  // the page's). The chrome uploads the file with its secret where the engine gives it the bytes (a
  // browser, WebView2); WebKitGTK gives no page a dropped file (only a text/uri-list it hides), so
  // in the window the chrome asks Go for the file GTK reported for this drop (installDrop).

  private dragEnter(e: DragEvent): void {
    if (!this.takes(e)) return;
    e.preventDefault();
    this.dragDepth++;
    this.el.hint.hidden = false;
  }

  private dragOver(e: DragEvent): void {
    if (!this.takes(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    this.el.hint.hidden = false;
  }

  private dragLeave(e: DragEvent): void {
    if (!this.takes(e)) return;
    this.dragDepth = Math.max(0, this.dragDepth - 1);
    if (this.dragDepth === 0) this.el.hint.hidden = true;
  }

  /** takes reports whether a drag may be a file for the chrome: Files, or WebKitGTK's uri-list. */
  private takes(e: DragEvent): boolean {
    const types = Array.from(e.dataTransfer?.types ?? []);
    return types.includes("Files") || (this.actions.installDrop !== undefined && types.includes("text/uri-list"));
  }

  private drop(e: DragEvent): void {
    if (!this.takes(e)) return;
    e.preventDefault();
    this.dragDepth = 0;
    this.el.hint.hidden = true;
    const files = Array.from(e.dataTransfer?.files ?? []);
    const [file] = files;
    const installDrop = this.actions.installDrop;
    if (files.length === 0 && installDrop) {
      void this.byGo(installDrop);
    } else if (files.length !== 1 || !file) {
      this.show(refused(texts.oneFile), true);
    } else if (!file.name.toLowerCase().endsWith(".zip")) {
      this.show(refused(texts.notZip), true);
    } else {
      void this.upload(file);
    }
  }
}

function refused(message: string): InstallResult {
  return { phase: "refused", ok: false, name: "", version: "", message, problems: [] };
}

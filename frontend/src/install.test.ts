import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import html from "../index.html?raw";
import { InstallPanel, texts, type InstallActions } from "./install";
import { installed } from "./transport.testsetup";
import { problemLine, type InstallResult } from "./view";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const visible = (id: string) => !$(id).hidden;
const flush = () => new Promise((r) => setTimeout(r, 0));


const refusedPkg: InstallResult = {
  phase: "done",
  ok: false,
  name: "x",
  version: "1",
  message: "The package was not installed; fix the problems listed below, then try again.",
  problems: [
    { file: "../evil.html", rule: "path-escape", message: "the name leaves the package", severity: "error" },
    { file: "", rule: "too-large", message: "too big", severity: "error" },
    { file: "webapp.json", rule: "unknown-field", message: "the shell ignores the key \"x\"", severity: "warning" },
    { file: "webapp.json", rule: "container-only", message: "the key \"nativeScroll\" has no effect", severity: "note" },
  ],
};

const panels: InstallPanel[] = [];
afterEach(() => panels.splice(0).forEach((p) => p.dispose()));

function setup(mode: "wails" | "http") {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const actions: InstallActions & {
    pickPackage: ReturnType<typeof vi.fn<(folder?: boolean) => Promise<InstallResult>>>;
    uploadPackage: ReturnType<typeof vi.fn<NonNullable<InstallActions["uploadPackage"]>>>;
  } = {
    mode,
    pickPackage: vi.fn(async () => installed),
    uploadPackage: vi.fn(async (_file: Blob, onSent: (sent: number, total: number) => void) => {
      onSent(5, 10);
      return installed;
    }),
  };
  const forMode: InstallActions =
    mode === "wails"
      ? { mode, pickPackage: actions.pickPackage, uploadPackage: actions.uploadPackage }
      : { mode, uploadPackage: actions.uploadPackage };
  const panel = new InstallPanel(document, forMode);
  panels.push(panel);
  return { panel, actions };
}

/** dragEvent builds a drag event carrying files (jsdom has no DataTransfer). */
function dragEvent(type: string, files: File[] = [], types = ["Files"]) {
  return Object.assign(new Event(type, { bubbles: true, cancelable: true }), {
    dataTransfer: { types, files, dropEffect: "none" },
  });
}

/** What WebKitGTK gives the chrome for a file dragged in from a file manager: no file at all. */
const gtkDrag = (type: string) => dragEvent(type, [], ["text/uri-list", "text/html"]);

const zip = (name = "lineapp.zip") => new File([new Uint8Array([80, 75, 3, 4])], name, { type: "application/zip" });

beforeEach(() => {
  document.body.innerHTML = "";
});

describe("problemLine", () => {
  it.each([
    [refusedPkg.problems[0]!, "../evil.html: error: path-escape: the name leaves the package"],
    [refusedPkg.problems[1]!, "package: error: too-large: too big"],
    [refusedPkg.problems[2]!, 'webapp.json: warning: unknown-field: the shell ignores the key "x"'],
    [refusedPkg.problems[3]!, 'webapp.json: note: container-only: the key "nativeScroll" has no effect'],
    [{ file: "a\u0007b", rule: "bad-name", message: "m", severity: "error" as const }, '"a\\u0007b": error: bad-name: m'],
  ])("renders %o labelled, as loginshell check does", (p, want) => {
    expect(problemLine(p)).toBe(want);
  });
});

describe("Install package… in the window", () => {
  it("index.html draws both buttons disabled; they are enabled once their clicks are wired", () => {
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const button = (id: string) => document.getElementById(id) as HTMLButtonElement;
    expect([button("install").disabled, button("install-folder").disabled]).toEqual([true, true]);
    const { actions } = setup("wails");
    expect([button("install").disabled, button("install-folder").disabled]).toEqual([false, false]);
    button("install").click();
    expect(actions.pickPackage).toHaveBeenCalledTimes(1);
  });

  it("asks Go to pick and install, then shows and focuses the result", async () => {
    const { panel, actions } = setup("wails");
    $("install").click();
    expect($<HTMLButtonElement>("install").disabled).toBe(true);
    // Go's own "done" event for this install arrives before the call answers: shown once.
    panel.onEvent(installed);
    expect(visible("install-result")).toBe(false);
    await flush();
    expect(actions.pickPackage).toHaveBeenCalledOnce();
    expect(visible("install-result")).toBe(true);
    expect($("install-result").getAttribute("role")).toBe("status");
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
    expect(visible("install-problems")).toBe(false);
    expect(document.activeElement).toBe($("install-result"));
    expect($<HTMLButtonElement>("install").disabled).toBe(false);
    expect(actions.pickPackage).toHaveBeenCalledWith(false);
  });

  it("Install folder… asks Go for the folder dialog; both buttons wait while it runs", async () => {
    const { actions } = setup("wails");
    $("install-folder").click();
    expect($<HTMLButtonElement>("install").disabled).toBe(true);
    expect($<HTMLButtonElement>("install-folder").disabled).toBe(true);
    await flush();
    expect(actions.pickPackage).toHaveBeenCalledWith(true);
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
    expect($<HTMLButtonElement>("install-folder").disabled).toBe(false);
    // Only the window has a folder dialog: the button is marked for it (style.css hides it elsewhere).
    expect($("install-folder").classList.contains("window-only")).toBe(true);
  });

  it("shows nothing when the dialog is cancelled", async () => {
    const { actions } = setup("wails");
    actions.pickPackage.mockResolvedValue({ ...installed, phase: "cancelled", ok: false, cancelled: true, message: "" });
    $("install").click();
    await flush();
    expect(visible("install-result")).toBe(false);
  });

  it("lists check's problems, one line each", async () => {
    const { actions } = setup("wails");
    actions.pickPackage.mockResolvedValue(refusedPkg);
    $("install").click();
    await flush();
    expect($("install-message").textContent).toBe(refusedPkg.message);
    const lines = Array.from($("install-problems").querySelectorAll("li"), (li) => li.textContent);
    expect(lines).toEqual(refusedPkg.problems.map(problemLine));
    expect($("install-result").dataset.ok).toBe("false");
  });

  it("says so when Go cannot be reached", async () => {
    const { actions } = setup("wails");
    actions.pickPackage.mockRejectedValue(new Error("gone"));
    $("install").click();
    await flush();
    expect($("install-message").textContent).toBe(texts.unreachable);
  });

  it("uploads a zip dropped on the chrome, where the engine gives its bytes (WebView2)", async () => {
    const { actions } = setup("wails");
    const over = dragEvent("dragover");
    window.dispatchEvent(dragEvent("dragenter"));
    window.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    expect(visible("drop-hint")).toBe(true);
    const file = zip();
    const drop = dragEvent("drop", [file]);
    window.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(visible("drop-hint")).toBe(false);
    await flush();
    expect(actions.uploadPackage).toHaveBeenCalledWith(file, expect.any(Function), false);
    expect(actions.pickPackage).not.toHaveBeenCalled();
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
  });
});

describe("a drop in WebKitGTK's window, which gives the chrome no file", () => {
  function gtkSetup() {
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const installDrop = vi.fn(async () => installed);
    const uploadPackage = vi.fn(async () => installed);
    const panel = new InstallPanel(document, { mode: "wails", pickPackage: vi.fn(async () => installed), installDrop, uploadPackage });
    panels.push(panel);
    return { installDrop, uploadPackage };
  }

  it("shows the hint, takes the drop and asks Go for the file GTK reported", async () => {
    const { installDrop, uploadPackage } = gtkSetup();
    window.dispatchEvent(gtkDrag("dragenter"));
    const over = gtkDrag("dragover");
    window.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true);
    expect(visible("drop-hint")).toBe(true);
    const drop = gtkDrag("drop");
    window.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(visible("drop-hint")).toBe(false);
    await flush();
    expect(installDrop).toHaveBeenCalledOnce();
    expect(uploadPackage).not.toHaveBeenCalled();
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
    expect(document.activeElement).toBe($("install-result"));
  });

  it("uploads instead when the engine does give the file (WebView2): one install, not two", async () => {
    const { installDrop, uploadPackage } = gtkSetup();
    const file = zip();
    window.dispatchEvent(dragEvent("drop", [file], ["Files", "text/uri-list"]));
    await flush();
    expect(uploadPackage).toHaveBeenCalledWith(file, expect.any(Function), false);
    expect(installDrop).not.toHaveBeenCalled();
  });

  it("says so when Go cannot be reached", async () => {
    const { installDrop } = gtkSetup();
    installDrop.mockRejectedValue(new Error("gone"));
    window.dispatchEvent(gtkDrag("drop"));
    await flush();
    expect($("install-message").textContent).toBe(texts.unreachable);
  });

  it("a browser ignores a dragged link: it is no file", () => {
    const { actions } = setup("http");
    const over = gtkDrag("dragover");
    window.dispatchEvent(over);
    window.dispatchEvent(gtkDrag("drop"));
    expect(over.defaultPrevented).toBe(false);
    expect(visible("drop-hint")).toBe(false);
    expect(actions.uploadPackage).not.toHaveBeenCalled();
  });
});

describe("install events", () => {
  it("show progress, then a result started elsewhere without taking focus", () => {
    const { panel } = setup("wails");
    $("install").focus();
    panel.onEvent({ phase: "installing", done: 0, total: 0 });
    expect(visible("install-progress")).toBe(true);
    expect($("install-progress").hasAttribute("value")).toBe(false);
    panel.onEvent({ phase: "installing", done: 30, total: 120 });
    expect($<HTMLProgressElement>("install-progress").value).toBe(30);
    expect($<HTMLProgressElement>("install-progress").max).toBe(120);
    panel.onEvent(refusedPkg);
    expect(visible("install-progress")).toBe(false);
    expect(visible("install-result")).toBe(true);
    expect(document.activeElement).toBe($("install"));
  });

  it("show a refusal while the running install goes on", () => {
    const { panel } = setup("wails");
    panel.onEvent({ phase: "installing", done: 1, total: 2 });
    panel.onEvent({ ...installed, phase: "refused", ok: false, message: "Another package is being installed." });
    expect(visible("install-progress")).toBe(true);
    expect($("install-message").textContent).toBe("Another package is being installed.");
  });

  it("Dismiss and Escape close the result and give focus back to the button", async () => {
    const { actions } = setup("wails");
    $("install").click();
    await flush();
    $("install-dismiss").click();
    expect(visible("install-result")).toBe(false);
    expect(document.activeElement).toBe($("install"));
    actions.pickPackage.mockResolvedValue(refusedPkg);
    $("install").click();
    await flush();
    $("install-result").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(visible("install-result")).toBe(false);
  });
});

describe("Install package… in a browser", () => {
  it("opens the file chooser and uploads the chosen file with progress", async () => {
    const { actions } = setup("http");
    const input = $<HTMLInputElement>("install-file");
    const click = vi.spyOn(input, "click").mockImplementation(() => {});
    $("install").click();
    expect(click).toHaveBeenCalledOnce();
    const file = zip();
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    let barDuringUpload = false;
    actions.uploadPackage.mockImplementation(async (_f, onSent) => {
      onSent(5, 10);
      barDuringUpload = visible("install-progress") && $<HTMLProgressElement>("install-progress").value === 5;
      return installed;
    });
    input.dispatchEvent(new Event("change"));
    await flush();
    expect(actions.uploadPackage).toHaveBeenCalledWith(file, expect.any(Function), false);
    expect(barDuringUpload).toBe(true);
    expect(visible("install-progress")).toBe(false);
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
    expect(document.activeElement).toBe($("install-result"));
  });

  it("uploads a zip dropped anywhere, with a hint while dragging", async () => {
    const { actions } = setup("http");
    window.dispatchEvent(dragEvent("dragenter"));
    expect(visible("drop-hint")).toBe(true);
    window.dispatchEvent(dragEvent("dragleave"));
    expect(visible("drop-hint")).toBe(false);
    window.dispatchEvent(dragEvent("dragenter"));
    const drop = dragEvent("drop", [zip()]);
    window.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(visible("drop-hint")).toBe(false);
    await flush();
    expect(actions.uploadPackage).toHaveBeenCalledOnce();
    expect(visible("install-result")).toBe(true);
  });

  it.each([
    ["two files", [zip("a.zip"), zip("b.zip")], texts.oneFile],
    ["a file that is not a zip", [zip("notes.txt")], texts.notZip],
  ])("refuses a drop of %s without uploading", (_, files, want) => {
    const { actions } = setup("http");
    window.dispatchEvent(dragEvent("drop", files));
    expect(actions.uploadPackage).not.toHaveBeenCalled();
    expect($("install-message").textContent).toBe(want);
  });

  it("ignores drags that carry no files", () => {
    setup("http");
    const e = Object.assign(new Event("dragover", { cancelable: true }), { dataTransfer: { types: ["text/plain"] } });
    window.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
    expect(visible("drop-hint")).toBe(false);
  });
});

describe("a package that replaces one the shell has", () => {
  const question: InstallResult = {
    phase: "confirm",
    ok: false,
    name: "offline-login",
    version: "9.9",
    replaces: "1.0.0",
    offline: true,
    message: "offline-login 1.0.0 is installed and is the offline sign-in page. Replace it with offline-login 9.9?",
    problems: [],
  };

  it("window mode: asks, and Replace installs the same package through Go", async () => {
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const confirmInstall = vi.fn(async () => installed);
    const panel = new InstallPanel(document, { mode: "wails", pickPackage: vi.fn(async () => question), confirmInstall });
    panels.push(panel);
    $("install").click();
    await flush();
    expect($("install-message").textContent).toBe(question.message);
    expect(visible("install-replace")).toBe(true);
    expect($("install-dismiss").textContent).toBe(texts.keep);
    expect(document.activeElement).toBe($("install-replace"));
    $("install-replace").click();
    await flush();
    expect(confirmInstall).toHaveBeenCalledOnce();
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
    expect(visible("install-replace")).toBe(false);
    expect($("install-dismiss").textContent).toBe(texts.dismiss);
  });

  it("window mode: a dropped package's question sends the same file again, not Go's picked one", async () => {
    document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
    const confirmInstall = vi.fn(async () => installed);
    const uploadPackage = vi.fn(async (_f: Blob, _s: unknown, replace?: boolean) => (replace ? installed : question));
    const panel = new InstallPanel(document, { mode: "wails", pickPackage: vi.fn(async () => question), confirmInstall, uploadPackage });
    panels.push(panel);
    const file = zip("offline-login.zip");
    window.dispatchEvent(dragEvent("drop", [file]));
    await flush();
    expect(visible("install-replace")).toBe(true);
    $("install-replace").click();
    await flush();
    expect(uploadPackage).toHaveBeenLastCalledWith(file, expect.any(Function), true);
    expect(confirmInstall).not.toHaveBeenCalled();
    // A question about a picked package afterwards is Go's to confirm.
    $("install").click();
    await flush();
    $("install-replace").click();
    await flush();
    expect(confirmInstall).toHaveBeenCalledOnce();
    expect(uploadPackage).toHaveBeenCalledTimes(2);
  });

  it("browser mode: asks, and Replace sends the same file again with replace", async () => {
    const { actions } = setup("http");
    actions.uploadPackage.mockResolvedValueOnce(question);
    const file = zip("offline-login.zip");
    window.dispatchEvent(dragEvent("drop", [file]));
    await flush();
    expect(visible("install-replace")).toBe(true);
    $("install-replace").click();
    await flush();
    expect(actions.uploadPackage).toHaveBeenLastCalledWith(file, expect.any(Function), true);
    expect($("install-message").textContent).toBe("Installed lineapp 1.2.0. It is used at the next sign-in.");
  });

  it("Keep the installed one installs nothing and forgets the file", async () => {
    const { actions } = setup("http");
    actions.uploadPackage.mockResolvedValueOnce(question);
    window.dispatchEvent(dragEvent("drop", [zip()]));
    await flush();
    $("install-dismiss").click();
    expect(visible("install-result")).toBe(false);
    expect(actions.uploadPackage).toHaveBeenCalledOnce();
  });
});

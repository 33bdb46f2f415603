// Wiring only: pick the transport, bind the chrome, start listening, show the first view.
import "./style.css";
import { Chrome, unreachable } from "./chrome";
import { navigateWhenLoaded, sessionVisited } from "./visited";
import { ChallengeDialog } from "./dialog";
import { InstallPanel } from "./install";
import { SettingsPlace } from "./settings";
import { pickTransport, type WailsGlobals } from "./transport";
import type { View } from "./view";

// The chrome never runs inside a frame. Its documents already forbid framing (frame-ancestors
// 'none', gateway.Unframed); should an engine ignore that, a hosted page that frames the shell's
// own address still gets an inert copy: no secrets read, no channel prefixed, no bindings called.
if (window.top !== window) {
  throw new Error("loginshell: the shell does not run inside a frame");
}

// A chrome restored from the back/forward cache (the browser's Back from the identity provider's
// page) holds an old view and a closed event stream: load it afresh, so it reads where the
// sign-in stands and offers the way back (Chrome.render, "navigate").
window.addEventListener("pageshow", (e) => {
  if (e.persisted) window.location.reload();
});

const transport = pickTransport(window as Window & WailsGlobals);
document.body.dataset.mode = transport.mode; // style.css shows .window-only in the window only
const chrome = new Chrome(
  document,
  transport,
  (url) => navigateWhenLoaded(window, url),
  sessionVisited(window.sessionStorage),
);
const installs = new InstallPanel(document, transport);
const settings = new SettingsPlace(document, transport);
transport.onSettingsAsked?.(() => void settings.open());
const dialog = new ChallengeDialog(document, transport);
const show = (v: View) => {
  if (chrome.render(v)) dialog.render(v.kind === "page" ? v.challenge : null, v.signingPhrase ?? "");
};
// Subscribe first so no change between the first fetch and the stream opening is lost;
// seq ordering in Chrome drops whichever of the two arrives stale.
transport.subscribe(
  (v) => show(v),
  (up) => chrome.setLink(up),
  (e) => installs.onEvent(e),
);
// The view that came with the window's token is drawn at once; view() answers one round trip
// later with the same view (drawn once) or a newer one (Transport.firstView).
transport.firstView?.().then(
  (v) => v && show(v),
  () => {}, // view() fails the same way and says so
);
transport.view().then(
  (v) => show(v),
  () => chrome.fail(unreachable),
);

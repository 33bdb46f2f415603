// What the chrome's unit tests share: the chrome built over index.html as served, with the
// transport's actions and the window's navigation as spies.
import { vi } from "vitest";
import html from "../index.html?raw";
import { Chrome, type Actions } from "./chrome";
import type { View } from "./view";

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const frame = () => $<HTMLIFrameElement>("content");
export const visible = (id: string) => !$(id).hidden;
export const flush = () => new Promise((r) => setTimeout(r, 0));

export function setup(view: View = { seq: 1, kind: "loading" }) {
  document.body.innerHTML = new DOMParser().parseFromString(html, "text/html").body.innerHTML;
  const actions = {
    view: vi.fn<Actions["view"]>(async () => view),
    retry: vi.fn<Actions["retry"]>(async () => {}),
    cancel: vi.fn<Actions["cancel"]>(async () => ({ ok: true })),
    configure: vi.fn<Actions["configure"]>(async () => ({ ok: true })),
    reportSignInExposure: vi.fn<NonNullable<Actions["reportSignInExposure"]>>(async () => ({ ok: true })),
  };
  const navigate = vi.fn<(url: string) => void>();
  const chrome = new Chrome(document, actions, navigate);
  return { chrome, actions, navigate };
}

export const loginPage: View = {
  seq: 2,
  kind: "page",
  url: "/webapps/offline-login/login.html?t=tok&u=ann",
  title: "Offline login",
  auth: true,
  online: false,
  user: null,
  version: "1.4.0",
};

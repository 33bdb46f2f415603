// Where the chrome remembers the last sign-in address it went to, across the reload that
// returns from it, and how it goes there.

/** Visited remembers the last sign-in URL navigated to, across the reload that returns from it. */
export interface Visited {
  get(): string | null;
  set(url: string): void;
}

/** memoryVisited forgets on reload: Chrome's default (the tests') and sessionVisited's fallback. */
export function memoryVisited(): Visited {
  let last: string | null = null;
  return { get: () => last, set: (u) => void (last = u) };
}

/** sessionVisited survives the reload (per tab/window), and degrades to memory if storage is blocked. */
export function sessionVisited(storage: Storage | undefined): Visited {
  const key = "loginshell.navigated";
  const mem = memoryVisited();
  return {
    get: () => {
      try {
        return storage?.getItem(key) ?? mem.get();
      } catch {
        return mem.get();
      }
    },
    set: (u) => {
      mem.set(u);
      try {
        storage?.setItem(key, u);
      } catch {
        /* storage blocked: memory only */
      }
    },
  };
}

/**
 * navigateWhenLoaded sends the window to url once its document has loaded. A navigation before
 * that replaces the document's own history entry (HTML's "completely loaded" rule): a navigate
 * view that came that early would leave nothing to come back to, and the browser's Back from the
 * provider's page would skip the shell instead of showing the way back (Chrome.go).
 */
export function navigateWhenLoaded(win: Window, url: string): void {
  if (win.document.readyState === "complete") {
    win.location.href = url;
    return;
  }
  // After the load event, not in it: until its listeners have run the document has not loaded.
  win.addEventListener("load", () => void win.setTimeout(() => (win.location.href = url), 0), { once: true });
}

// Where the chrome remembers the last sign-in address it went to, across the reload that
// returns from it.

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

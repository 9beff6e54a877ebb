// When the language server dies we restart it, but a server that dies on start would otherwise be
// restarted forever: a sliding window caps the restarts, after which the user is told and it stays off.

export interface RestartDecision {
  restart: boolean;
  /** 1-based count of crashes inside the window, this one included. */
  crashes: number;
  maxRestarts: number;
}

export interface RestartPolicy {
  onCrash(): RestartDecision;
  /** After a deliberate restart by the user: the count starts again. */
  reset(): void;
}

export function createRestartPolicy(options: { maxRestarts: number; windowMs: number; now?: () => number }): RestartPolicy {
  const now = options.now ?? Date.now;
  let crashes: number[] = [];
  return {
    onCrash() {
      const t = now();
      crashes = crashes.filter((at) => t - at < options.windowMs);
      crashes.push(t);
      return { restart: crashes.length <= options.maxRestarts, crashes: crashes.length, maxRestarts: options.maxRestarts };
    },
    reset() {
      crashes = [];
    },
  };
}

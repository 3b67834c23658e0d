// The team's clock seam: the three things its retry code needs from time. Production passes
// `realClock`; a test under agentsim passes the simulation's virtual clock (`env.clock`), which has
// the same shape.

/** What the retry code needs from time. */
export interface Clock {
  sleep(ms: number): Promise<void>;
  schedule(ms: number, fn: () => void): number;
  cancel(handle: number): void;
}

/** The real timers. */
export const realClock: Clock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  schedule: (ms, fn) => Number(setTimeout(fn, ms)),
  cancel: (handle) => clearTimeout(handle),
};

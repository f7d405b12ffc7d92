/**
 * The engine's time: every wait, deadline and time limit of a run is read from one Clock, so that
 * tests can run the engine and the local stack on one virtual clock (no sped-up wall clocks), and
 * the run's notion of "now" is the same in every stage.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /** A signal that aborts `ms` from now: the time limit of a call, on this clock. */
  after(ms: number): AbortSignal
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise(resolve => {
      if (signal?.aborted) return resolve()
      const onAbort = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
  after: ms => AbortSignal.timeout(Math.max(0, ms))
}

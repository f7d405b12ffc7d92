/**
 * The job's cancel, as the engine sees it: whether and when it came, and the budget it leaves.
 * The runner sends SIGINT, then SIGTERM about 7.5 s later, and kills the process about 2.5 s after
 * that; everything a cancel sets off (stopping the deployment, learning its rollback, the report)
 * has to fit in that window.
 */
import type { Clock } from './clock.js'

/** From the cancel, the time allowed for AWS calls; the rest of the window is for the report. */
export const CANCEL_BUDGET_MS = 7000

export class Cancellation {
  /** When the cancel came (clock time), once it has. */
  private at: number | undefined

  constructor(
    readonly signal: AbortSignal | undefined,
    private readonly clock: Clock,
    private readonly budgetMs = CANCEL_BUDGET_MS
  ) {
    if (signal?.aborted) this.at = clock.now()
    else signal?.addEventListener('abort', () => (this.at = clock.now()), { once: true })
  }

  get requested(): boolean {
    return this.signal?.aborted === true
  }

  /** When the cancel path must be done with AWS; Infinity while there is no cancel. */
  deadline(): number {
    if (!this.requested) return Number.POSITIVE_INFINITY
    this.at ??= this.clock.now()
    return this.at + this.budgetMs
  }

  /** Calls `fn` when the cancel comes (at once if it has); returns a function that unsubscribes. */
  onCancel(fn: () => void): () => void {
    if (!this.signal) return () => undefined
    if (this.signal.aborted) {
      fn()
      return () => undefined
    }
    this.signal.addEventListener('abort', fn, { once: true })
    return () => this.signal?.removeEventListener('abort', fn)
  }

  /**
   * A signal that aborts `reserveMs` before the cancel's deadline once the cancel has come (never
   * before): for calls that must leave time for what follows them.
   */
  budgetSignal(reserveMs: number): AbortSignal {
    const controller = new AbortController()
    this.onCancel(() => {
      const left = this.deadline() - reserveMs - this.clock.now()
      this.clock.after(Math.max(0, left)).addEventListener('abort', () => controller.abort(), {
        once: true
      })
    })
    return controller.signal
  }
}

/**
 * `promise`, or a rejection as soon as `signal` aborts. For reads whose SDK retries would
 * otherwise hold on past an abort (the SDK checks the signal per attempt, not while it backs off).
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    )
  })
}

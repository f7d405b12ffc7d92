/**
 * A clock for tests that runs with the wall clock (the local stack and the hook scripts run in
 * real time) and jumps ahead when the test says so, once it has seen the event it waits for:
 * "the hook is running" → jump past the timeout. Nothing depends on how fast the machine is, as a
 * sped-up clock did: every sleep and time limit the engine set on it falls due at the jump.
 */
import type { Clock } from '../../src/engine/clock.js'

interface Timer {
  due: number
  fire: () => void
  real: NodeJS.Timeout
}

export class JumpClock implements Clock {
  private offset = 0
  private readonly timers = new Set<Timer>()

  now(): number {
    return Date.now() + this.offset
  }

  /** Moves time `ms` ahead: every sleep and time limit due by then ends now. */
  jump(ms: number): void {
    this.offset += ms
    const now = this.now()
    for (const timer of [...this.timers]) if (timer.due <= now) this.settle(timer)
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise(resolve => {
      if (signal?.aborted) return resolve()
      const timer = this.schedule(ms, () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      const onAbort = (): void => {
        clearTimeout(timer.real)
        this.timers.delete(timer)
        resolve()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  after(ms: number): AbortSignal {
    const controller = new AbortController()
    this.schedule(ms, () =>
      controller.abort(new DOMException('The operation timed out.', 'TimeoutError'))
    )
    return controller.signal
  }

  private schedule(ms: number, fire: () => void): Timer {
    const timer: Timer = { due: this.now() + Math.max(0, ms), fire, real: undefined! }
    timer.real = setTimeout(() => this.settle(timer), Math.max(0, ms))
    // A time limit nobody waits for any more must not keep the test's process alive.
    timer.real.unref()
    this.timers.add(timer)
    return timer
  }

  private settle(timer: Timer): void {
    if (!this.timers.delete(timer)) return
    clearTimeout(timer.real)
    timer.fire()
  }
}

/** Resolves once `condition` holds, checking every few milliseconds; fails after `limitMs`. */
export async function until(condition: () => boolean, limitMs = 30_000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`Still waiting after ${limitMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/**
 * Fault injection, switchable while the emulator runs: throttling, server errors, connection
 * resets and added latency, either as rates or as "the next N requests".
 */
export interface FaultSettings {
  /** Fraction (0..1) of requests answered 400 ThrottlingException. */
  throttleRate: number
  /** Fraction of requests answered 500 InternalFailure or 503 ServiceUnavailable. */
  serverErrorRate: number
  /** Fraction of requests whose connection is destroyed without an answer. */
  resetRate: number
  /** Milliseconds added before each answer. */
  latencyMs: number
  /** The next N requests are throttled, then this counts down. */
  throttleNext: number
  /** The next N requests get a 5xx. */
  serverErrorNext: number
  /** The next N requests have their connection reset. */
  resetNext: number
  /** Only these operations are affected (all when empty). */
  operations: string[]
}

export interface FaultCounts {
  requests: number
  throttled: number
  serverErrors: number
  resets: number
}

export type FaultDecision = 'throttle' | 'server-error' | 'reset' | undefined

export class Faults {
  settings: FaultSettings = Faults.none()
  readonly counts: FaultCounts = { requests: 0, throttled: 0, serverErrors: 0, resets: 0 }

  constructor(private readonly random: () => number = Math.random) {}

  static none(): FaultSettings {
    return {
      throttleRate: 0,
      serverErrorRate: 0,
      resetRate: 0,
      latencyMs: 0,
      throttleNext: 0,
      serverErrorNext: 0,
      resetNext: 0,
      operations: []
    }
  }

  /** Replaces some settings; the rest keep their values. */
  set(settings: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...settings }
  }

  clear(): void {
    this.settings = Faults.none()
  }

  decide(operation: string): FaultDecision {
    this.counts.requests++
    const s = this.settings
    if (s.operations.length > 0 && !s.operations.includes(operation)) return undefined
    if (s.resetNext > 0) {
      s.resetNext--
      this.counts.resets++
      return 'reset'
    }
    if (s.throttleNext > 0) {
      s.throttleNext--
      this.counts.throttled++
      return 'throttle'
    }
    if (s.serverErrorNext > 0) {
      s.serverErrorNext--
      this.counts.serverErrors++
      return 'server-error'
    }
    if (s.resetRate > 0 && this.random() < s.resetRate) {
      this.counts.resets++
      return 'reset'
    }
    if (s.throttleRate > 0 && this.random() < s.throttleRate) {
      this.counts.throttled++
      return 'throttle'
    }
    if (s.serverErrorRate > 0 && this.random() < s.serverErrorRate) {
      this.counts.serverErrors++
      return 'server-error'
    }
    return undefined
  }
}

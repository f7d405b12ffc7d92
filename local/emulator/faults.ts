/**
 * Fault injection, switchable while the emulator runs: throttling, server errors, connection
 * resets and added latency, either as rates or as "the next N requests"; and, after an operation
 * has run (its effect happened), an answer held back or lost, as a client that gave up or was cut
 * off would see it.
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
  /** Milliseconds an answer is held back after its operation ran (the effect is not delayed). */
  answerDelayMs: number
  /** The next N requests run their operation, then lose the answer: the connection is destroyed. */
  lostAnswerNext: number
  /**
   * The next N requests throw inside the emulator's handler, as a bug would: the error is logged
   * with its stack and answered 500 InternalFailure, and the emulator goes on serving.
   */
  handlerErrorNext: number
  /**
   * The next N deployments started throw inside their run, as a bug would: logged, and the
   * deployment fails with INTERNAL_ERROR.
   */
  lifecycleErrorNext: number
  /** Only these operations are affected (all when empty). */
  operations: string[]
}

export interface FaultCounts {
  requests: number
  throttled: number
  serverErrors: number
  resets: number
  /** Answers lost after their operation ran (lostAnswerNext). */
  lostAnswers: number
}

export type FaultDecision = 'throttle' | 'server-error' | 'reset' | undefined

/** What happens to an answer once its operation has run. */
export interface AnswerFault {
  /** Hold the answer back this long (ms). */
  delayMs: number
  /** Then destroy the connection instead of answering. */
  lose: boolean
}

export class Faults {
  settings: FaultSettings = Faults.none()
  readonly counts: FaultCounts = {
    requests: 0,
    throttled: 0,
    serverErrors: 0,
    resets: 0,
    lostAnswers: 0
  }

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
      answerDelayMs: 0,
      lostAnswerNext: 0,
      handlerErrorNext: 0,
      lifecycleErrorNext: 0,
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

  private affects(operation: string): boolean {
    const only = this.settings.operations
    return only.length === 0 || only.includes(operation)
  }

  /** Before the operation runs: whether to fail the request instead. */
  decide(operation: string): FaultDecision {
    this.counts.requests++
    const s = this.settings
    if (!this.affects(operation)) return undefined
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

  /** Throws when the handler of `operation` is to fail as a bug would (handlerErrorNext). */
  breakHandler(operation: string): void {
    if (!this.affects(operation) || this.settings.handlerErrorNext <= 0) return
    this.settings.handlerErrorNext--
    throw new Error(`Injected failure in the handler of ${operation} (handlerErrorNext)`)
  }

  /** Throws when a deployment's run is to fail as a bug would (lifecycleErrorNext). */
  breakRun(deploymentId: string): void {
    if (this.settings.lifecycleErrorNext <= 0) return
    this.settings.lifecycleErrorNext--
    throw new Error(`Injected failure in the run of ${deploymentId} (lifecycleErrorNext)`)
  }

  /** After the operation ran: whether its answer is held back, and whether it is lost. */
  answer(operation: string): AnswerFault {
    const s = this.settings
    if (!this.affects(operation)) return { delayMs: 0, lose: false }
    const lose = s.lostAnswerNext > 0
    if (lose) {
      s.lostAnswerNext--
      this.counts.lostAnswers++
    }
    return { delayMs: s.answerDelayMs, lose }
  }
}

/**
 * When the watch reads a deployment, and how many CodeDeploy calls it may make.
 *
 * - The deployment itself is read on a fixed beat (2.2 s by default), whatever happens: a
 *   deployment ends at a moment that has nothing to do with the beat, so it is seen on average
 *   half a beat later (~1.1 s), and a quiet deployment is seen as soon as a busy one.
 * - Every call comes out of one budget of 1.1 calls per beat, 0.5 calls per second at the default
 *   beat. In a run, the budget counts from the run's start and covers all its CodeDeploy calls
 *   (the checks and the create before the watch too: call-count.ts); a watch on its own counts
 *   from its start and covers its reads of the deployment and of its targets. Each read
 *   keeps room for the last read of the targets, which comes whatever it costs once the deployment
 *   ends: so the run as a whole stays within the budget, however short it is. The beat spends 1
 *   call of 1.1; the targets get the rest as it builds up. The first read waits until the budget
 *   holds that read and the reserve (for a watch on its own, 6 s with a reserve of 2 calls; a run
 *   that packaged first has saved up meanwhile): a deployment just created has nothing to tell
 *   yet. A read of the targets that cannot wait (a failure) may overdraw it.
 * - When CodeDeploy throttles or fails, the beat slows down: each failure doubles the pause (up to
 *   a limit), each answer halves it again, with jitter so that many runs sharing an account do
 *   not retry in step.
 */
/** The pause between two reads of the deployment by default. */
export const BEAT_MS = 2200
/** Calls per beat, all operations together: 0.5 calls per second at the default beat. */
export const CALLS_PER_BEAT = 1.1
/** The most calls over its budget a run can have a watch pay back (a run's checks and create). */
export const MAX_DEBT = 4
/** The longest pause while CodeDeploy throttles, by default. */
export const MAX_BACKOFF_MS = 20_000

/**
 * The run the budget covers, when the watch is part of one: when it began and how many CodeDeploy
 * calls it has made so far (call-count.ts), its own reads of the deployment included. Without it
 * the budget starts with the watch and counts the watch's calls only.
 */
export interface RunBudget {
  since: number
  spent: () => number
}

export class Pace {
  /** Where the budget counts from: the run's start, or the watch's. */
  private readonly started: number
  private readonly watchStarted: number
  private next: number
  /** Calls the run made over its budget before this watch began. */
  private forgiven = 0
  /** Failures in a row not yet made up by answers: how far the beat is slowed down. */
  private level = 0
  private saidThrottling = false

  constructor(
    private readonly clock: { now(): number },
    readonly beatMs = BEAT_MS,
    private readonly maxMs = Math.max(beatMs, MAX_BACKOFF_MS),
    private readonly random: () => number = Math.random,
    private readonly run?: RunBudget
  ) {
    this.watchStarted = clock.now()
    this.started = run?.since ?? this.watchStarted
    this.next = this.watchStarted
    // A watch starts at most MAX_DEBT calls in debt: a run's checks and create are paid back,
    // but the fast reads of a stop or of a rollback's link, which cannot wait, are not paid back
    // by the watch of the rollback that follows them.
    if (run) this.forgiven = Math.max(0, run.spent() - this.allowance(this.watchStarted) - MAX_DEBT)
  }

  /** Calls made so far that the budget covers. */
  private get calls(): number {
    return this.run ? this.run.spent() - this.forgiven : 0
  }

  /** Beats gone by since the watch began. */
  beats(): number {
    return (this.clock.now() - this.watchStarted) / this.beatMs
  }

  /** The calls the budget holds at time `at`. */
  private allowance(at: number): number {
    return (CALLS_PER_BEAT * (at - this.started)) / this.beatMs
  }

  /**
   * Whether `cost` more calls now leave the next read of the deployment on its beat, with
   * `reserve` calls still kept for the last read of the targets.
   */
  affords(cost: number, reserve: number): boolean {
    return this.calls + cost + 1 + reserve <= this.allowance(this.next)
  }

  /** Whether the beat is slowed down by recent failures (reads of targets wait meanwhile). */
  get backingOff(): boolean {
    return this.level > 0
  }

  /** CodeDeploy throttled or failed a call. True the first time it throttles (say so once). */
  failed(throttled: boolean): boolean {
    this.level = Math.min(this.level + 1, 10)
    if (!throttled || this.saidThrottling) return false
    this.saidThrottling = true
    return true
  }

  /** CodeDeploy answered the read of the deployment. */
  answered(): void {
    this.level = Math.max(0, this.level - 1)
  }

  /**
   * Sets when the deployment is read next: on the next beat, once the budget holds that read and
   * `reserve` calls for the last read of the targets; while backing off, after a jittered pause
   * between half and all of beat × 2^failures (at most the limit).
   */
  schedule(reserve: number): void {
    const now = this.clock.now()
    if (this.level > 0) {
      const base = Math.min(this.maxMs, this.beatMs * 2 ** this.level)
      this.next = now + Math.round(base / 2 + (this.random() * base) / 2)
      return
    }
    const held = this.started + ((this.calls + 1 + reserve) / CALLS_PER_BEAT) * this.beatMs
    this.next = Math.max(this.next + this.beatMs, now, Math.ceil(held))
  }

  /** Time left until the deployment is read next. */
  untilNext(): number {
    return Math.max(0, this.next - this.clock.now())
  }
}

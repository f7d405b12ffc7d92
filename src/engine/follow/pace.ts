/**
 * When the watch reads a deployment, and how many CodeDeploy calls it may make. No AWS calls and
 * no real clock here: it is given a clock, a source of randomness and the run's count of calls.
 *
 * Three rules, each for one goal, all counted in calls of every operation (SDK retries included:
 * call-count.ts), the run's calls just before the watch too (up to MAX_CARRY of them: the
 * CreateDeployment and the checks before it):
 *
 * - The beat (latency): the deployment is read a unit (1 s) after the watch starts, so a short
 *   deployment is seen at once, then every unit for the first EARLY_UNITS, then the beat stretches
 *   to LONG_BEATS (2.8 s) by RAMP_UNITS. A deployment ends at a moment unrelated to the beat, so
 *   it is seen on average half a beat later (≤ 1.4 s); each beat is jittered ±JITTER so that the
 *   phase is random (the median holds for a deployment of any length, not on average over
 *   lengths) and runs sharing an account do not poll in step. Most deployments are short: reading
 *   them fast costs a few calls; a long one is read at the long-run beat.
 * - The window (bursts): no more than WINDOW_CALLS calls in any WINDOW_UNITS (10 in 10 s). Every
 *   call is logged when the count is seen to move (never earlier than it was made); only the last
 *   read of the targets, which comes whatever it costs once the deployment ended, may borrow
 *   beyond it.
 * - The allowance (the long run): calls since the watch began ≤ RATE × max(time, FREE_UNITS), so a
 *   run of two minutes or more averages at most 0.4 calls/s, the last read of the targets kept in
 *   reserve so that it fits too. After the fast start the beat is stretched further when needed
 *   (`spread`) so that what the allowance holds lasts evenly until it grows again (two minutes)
 *   and over the next minute, a share kept for the targets: spending ahead (a large fleet's first
 *   read, a busy fleet) slows the beat a little at once instead of stopping it later.
 *
 * Why not a plain average over the run (as before): it made a deployment just created wait until
 * the average held its first read plus a reserve (12–14 s for a short deployment). Why not a plain
 * token bucket: a burst large enough for a fast start breaks the 10-in-10-s window, and its rate
 * would have to depend on the deployment's age anyway; the window and the allowance state the two
 * limits exactly, and the beat says what latency wants within them.
 *
 * The price (pace.test.ts measures it): two minutes hold 48 calls; the fast start, the listing and
 * the reads of the targets take some 15 of them, so between ~15 s and 2 min the beat is ~3.5 s
 * (the end seen ~2 s later, median) rather than 2.8 s. Reads of the targets that are due but would
 * delay the beat are made now (`affordsNow`) and push the beat back (`hold`): the targets first,
 * within the same limits.
 *
 * When CodeDeploy throttles or fails, the beat slows down: each failure doubles the pause (up to a
 * limit), each answer halves it again, with jitter (between half and all of the pause).
 *
 * All durations scale with the unit (`beatMs`), so tests can run the same pace 50 times faster.
 */
/** The unit: the shortest beat, 1 s by default. */
export const BEAT_MS = 1000
/** The long-run beat, in units. */
export const LONG_BEATS = 2.8
/** Beats of one unit for this long after the watch starts (units). */
export const EARLY_UNITS = 3
/** The beat has stretched to LONG_BEATS this long after the watch starts (units). */
export const RAMP_UNITS = 15
/** Each beat is jittered by up to this fraction, either way. */
export const JITTER = 0.2
/** Calls per unit over the long run. */
export const RATE = 0.4
/** The allowance holds RATE × this many units from the start (two minutes). */
export const FREE_UNITS = 120
/** How far ahead the beat spreads what the allowance holds (units). */
export const HORIZON_UNITS = 60
/** At most WINDOW_CALLS calls in any WINDOW_UNITS. */
export const WINDOW_UNITS = 10
export const WINDOW_CALLS = 10
/** The most of the run's calls before the watch that count against its allowance. */
export const MAX_CARRY = 6
/**
 * The most of them counted in its window, as made when it starts: the CreateDeployment and the
 * checks just before it (those before packaging and upload are older), or a stop's and a
 * rollback's last reads.
 */
export const WINDOW_CARRY = 3
/** The share of what the allowance holds that the beat plans to spend; the targets get the rest. */
export const BEAT_SHARE = 0.85
/** The longest pause while CodeDeploy throttles, by default. */
export const MAX_BACKOFF_MS = 20_000

/**
 * The run whose calls the pace counts: when it began and how many CodeDeploy calls it has made so
 * far (call-count.ts), the watch's own included.
 */
export interface RunBudget {
  since: number
  spent: () => number
}

export class Pace {
  private readonly started: number
  /** The run's count when the watch began, less the calls carried into the watch. */
  private readonly base: number
  /** The run's count as last seen. */
  private seen: number
  /** When each call in the window was seen, oldest first. */
  private readonly log: number[] = []
  private next: number
  private first = true
  /** Failures in a row not yet made up by answers: how far the beat is slowed down. */
  private level = 0
  private saidThrottling = false

  constructor(
    private readonly clock: { now(): number },
    readonly beatMs = BEAT_MS,
    private readonly maxMs = Math.max(beatMs, MAX_BACKOFF_MS),
    private readonly random: () => number = Math.random,
    private readonly run: RunBudget = { since: clock.now(), spent: () => 0 },
    /** When the deployment is read first, after the watch starts (one unit by default). */
    private readonly firstMs = beatMs
  ) {
    this.started = clock.now()
    this.seen = run.spent()
    const carried = Math.min(this.seen, MAX_CARRY)
    this.base = this.seen - carried
    for (let i = 0; i < Math.min(carried, WINDOW_CARRY); i++) this.log.push(this.started)
    this.next = this.started
  }

  private get windowMs(): number {
    return WINDOW_UNITS * this.beatMs
  }

  /** Calls counted so far; new ones are logged now. */
  private calls(): number {
    const now = this.clock.now()
    const spent = this.run.spent()
    for (; this.seen < spent; this.seen++) this.log.push(now)
    while (this.log.length && (this.log[0] ?? 0) <= now - this.windowMs) this.log.shift()
    return spent - this.base
  }

  /** Calls in the window that ends at `at` (not before now). */
  private inWindow(at: number): number {
    return this.log.filter(t => t > at - this.windowMs).length
  }

  /** The earliest time from now at which the window has room for `need` more calls. */
  private windowRoom(need: number): number {
    const over = this.log.length + need - WINDOW_CALLS
    if (over <= 0) return this.clock.now()
    const oldest = this.log[Math.min(over, this.log.length) - 1] ?? this.clock.now()
    return oldest + this.windowMs + 1
  }

  /** The calls the allowance holds at time `at`. */
  private allowance(at: number): number {
    return RATE * Math.max((at - this.started) / this.beatMs, FREE_UNITS)
  }

  /** The earliest time from now at which the allowance holds `need` more calls. */
  private allowanceRoom(need: number): number {
    const units = (this.calls() + need) / RATE
    if (units <= FREE_UNITS) return this.clock.now()
    return Math.max(this.clock.now(), Math.ceil(this.started + units * this.beatMs))
  }

  /**
   * The beat that spreads what the allowance holds evenly over the next HORIZON_UNITS and until it
   * starts to grow, `reserve` kept and a share left for the targets: so that spending ahead of it
   * (a large fleet's first read, a fleet's changes) slows the beat a little at once rather than
   * stopping it later.
   */
  private spread(reserve: number): number {
    const now = this.clock.now()
    const calls = this.calls()
    // The allowance is flat until FREE_UNITS: up to then, and over the horizon.
    const horizons = [HORIZON_UNITS * this.beatMs, this.started + FREE_UNITS * this.beatMs - now]
    let beat = 0
    for (const horizon of horizons.filter(h => h > 0)) {
      const left = this.allowance(now + horizon) - calls - reserve
      beat = Math.max(beat, horizon / Math.max(1, BEAT_SHARE * left))
    }
    return beat
  }

  /** The beat at this age of the watch. */
  beatAt(ageMs: number): number {
    const age = ageMs / this.beatMs
    if (age < EARLY_UNITS) return this.beatMs
    const ramp = Math.min(1, (age - EARLY_UNITS) / (RAMP_UNITS - EARLY_UNITS))
    return this.beatMs * (1 + (LONG_BEATS - 1) * ramp)
  }

  /** Long-run beats gone by since the watch began (for reads every few beats). */
  beats(): number {
    return (this.clock.now() - this.started) / (LONG_BEATS * this.beatMs)
  }

  /**
   * Whether `cost` more calls now leave the next read of the deployment on its beat, with
   * `reserve` calls still kept for the last read of the targets.
   */
  affords(cost: number, reserve: number): boolean {
    const calls = this.calls()
    return (
      this.inWindow(this.next) + cost + 1 <= WINDOW_CALLS &&
      calls + cost + 1 + reserve <= this.allowance(this.next)
    )
  }

  /** Whether `cost` more calls fit now, the next read of the deployment to wait for them. */
  affordsNow(cost: number, reserve: number): boolean {
    const calls = this.calls()
    const now = this.clock.now()
    return (
      this.inWindow(now) + cost <= WINDOW_CALLS && calls + cost + reserve <= this.allowance(now)
    )
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
   * Sets when the deployment is read next: a beat from now (the first read a unit after the watch
   * began), once the window has room for it and the allowance holds it and `reserve` calls for the
   * last read of the targets; while backing off, after a jittered pause between half and all of
   * 2 units × 2^failures (at most the limit).
   */
  schedule(reserve: number): void {
    this.calls()
    const now = this.clock.now()
    let wanted: number
    if (this.level > 0) {
      const base = Math.min(this.maxMs, 2 * this.beatMs * 2 ** this.level)
      wanted = now + Math.round(base / 2 + (this.random() * base) / 2)
    } else if (this.first) {
      wanted = this.started + this.firstMs
    } else {
      const jitter = 1 + JITTER * (2 * this.random() - 1)
      const age = now - this.started
      // The fast start is spent whatever the allowance's plan: the window bounds it.
      const spread = age < RAMP_UNITS * this.beatMs ? 0 : this.spread(reserve)
      wanted = now + Math.round(Math.max(this.beatAt(age), spread) * jitter)
    }
    this.first = false
    this.next = Math.max(wanted, this.windowRoom(1), this.allowanceRoom(1 + reserve))
  }

  /** Other calls were made since the schedule (reads of the targets): the next read waits for them. */
  hold(reserve: number): void {
    this.calls()
    this.next = Math.max(this.next, this.windowRoom(1), this.allowanceRoom(1 + reserve))
  }

  /** Time left until the deployment is read next. */
  untilNext(): number {
    return Math.max(0, this.next - this.clock.now())
  }
}

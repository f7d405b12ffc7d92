/**
 * What the log says about each target's lifecycle events while a deployment is followed, so that
 * a success reads in a few lines and a failure stands out:
 * - a target (an instance, an ECS service, a Lambda function) whose events all succeed gets one
 *   line once it is done: `i-0abc: ✓ 7 events succeeded in 3.2s (ApplicationStop … ValidateService)`;
 * - an event that failed (a script that failed or timed out) is printed as soon as it is seen,
 *   with its error code;
 * - every event that runs, as it starts and ends, goes to debug (shown by the runner with
 *   RUNNER_DEBUG=1, by the CLI with --verbose);
 * - when following stops before a target is done (a failure elsewhere, a pause at Ready, the
 *   timeout, a cancel), `settle` says how far it got;
 * - a fleet of more than FOLD_ABOVE targets is folded (fold.ts): its successes go to debug, one
 *   line per target, and its unfinished targets are counted in one line when following stops;
 *   failures are told as for any fleet.
 */
import type { InstanceTarget, LifecycleEvent } from '@aws-sdk/client-codedeploy'
import type { Reporter } from '../reporter.js'
import { fleetSide } from '../tell/fleet.js'
import { folds, someIds } from './fold.js'

const UNFINISHED = new Set(['Pending', 'InProgress'])
/** A target in one of these states does not change any more. */
const FINAL = new Set(['Succeeded', 'Failed', 'Skipped'])

/** Anything an event ends in that is neither a success nor a skip (Failed, Unknown). */
function failed(event: LifecycleEvent): boolean {
  const status = event.status ?? 'Unknown'
  return !UNFINISHED.has(status) && status !== 'Succeeded' && status !== 'Skipped'
}

/** `0.4s`, `59.9s`, `2m05s`, `1h02m`. */
export function elapsed(ms: number): string {
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)}s`
  const whole = Math.round(s)
  const m = Math.floor(whole / 60)
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

function span(start?: Date, end?: Date): string {
  if (!start || !end) return ''
  return ` in ${elapsed(end.getTime() - start.getTime())}`
}

/** `i-0abc`, `i-0abc (replacement)`, `prod:web`. */
function targetName(target: InstanceTarget): string {
  const side = fleetSide(target)
  return `${target.targetId ?? 'unknown target'}${side ? ` (${side})` : ''}`
}

function eventLine(event: LifecycleEvent): string {
  const status = event.status ?? 'Unknown'
  const name = event.lifecycleEventName ?? 'unknown event'
  if (status === 'InProgress') return `${name} started`
  const code =
    event.diagnostics?.errorCode && event.diagnostics.errorCode !== 'Success'
      ? ` (${event.diagnostics.errorCode})`
      : ''
  return `${name} ${status}${code}${span(event.startTime, event.endTime)}`
}

/** The events a target ran or is to run: skipped ones say nothing about how far it got. */
function counted(target: InstanceTarget): LifecycleEvent[] {
  return (target.lifecycleEvents ?? []).filter(e => e.status !== 'Skipped')
}

/**
 * `7 events succeeded in 3.2s (ApplicationStop … ValidateService)`, `Install succeeded in 1.0s`,
 * or, with `of` (the target is not done), `3 of 7 events succeeded in 1.2s (ApplicationStop …
 * BeforeInstall)`.
 */
function successes(events: LifecycleEvent[], of?: number): string {
  const first = events[0]
  const last = events.at(-1)
  if (!first || !last) return of === undefined ? 'no events' : `0 of ${of} events succeeded`
  const time = span(first.startTime, last.endTime)
  if (of === undefined && events.length === 1)
    return `${first.lifecycleEventName ?? 'unknown event'} succeeded${time}`
  const names =
    first === last
      ? first.lifecycleEventName
      : `${first.lifecycleEventName} … ${last.lifecycleEventName}`
  const count = of === undefined ? `${events.length}` : `${events.length} of ${of}`
  return `${count} events succeeded${time} (${names})`
}

export class TargetProgress {
  /** `target/event/status` already told (at debug, or at info for a failure). */
  private readonly told = new Set<string>()
  /** Targets whose last word was said: their summary line or a failed event. */
  private readonly closed = new Set<string>()
  /** The fleet is large: successes are folded into the watch's counts (fold.ts). */
  private folded = false

  constructor(private readonly reporter: Reporter) {}

  /**
   * Tells what changed in `targets` since the last call; `size` is the fleet's size as the
   * deployment counts it (default: the targets given).
   */
  update(targets: InstanceTarget[], size = targets.length): void {
    this.folded ||= folds(size)
    if (this.folded) return this.updateFolded(targets)
    for (const target of targets) {
      const id = target.targetId ?? ''
      const name = targetName(target)
      const events = target.lifecycleEvents ?? []
      for (const event of events) {
        const status = event.status ?? 'Unknown'
        // Skipped events (traffic hooks of an in-place deployment, the rest of a fleet after a
        // failure) were never run: the overview's counts say enough.
        if (status === 'Pending' || status === 'Skipped') continue
        const key = `${id}/${event.lifecycleEventName}/${status}`
        if (this.told.has(key)) continue
        this.told.add(key)
        if (!failed(event)) {
          this.reporter.debug(`  ${name}: ${eventLine(event)}`)
          continue
        }
        const before = events.filter(e => e.status === 'Succeeded').length
        this.reporter.info(
          `  ${name}: ✗ ${eventLine(event)}${before ? `, after ${before} event${before === 1 ? '' : 's'} succeeded` : ''}`
        )
        this.closed.add(id)
      }
      if (this.closed.has(id)) continue
      const ran = counted(target)
      if (ran.length && ran.every(e => e.status === 'Succeeded')) {
        this.reporter.info(`  ${name}: ✓ ${successes(ran)}`)
        this.closed.add(id)
      }
    }
  }

  /** A large fleet: a line for each failure, a debug line for each success, nothing else. */
  private updateFolded(targets: InstanceTarget[]): void {
    for (const target of targets) {
      const id = target.targetId ?? ''
      if (this.closed.has(id) && FINAL.has(target.status ?? '')) continue
      const events = target.lifecycleEvents ?? []
      const bad = events.find(failed)
      if (bad) {
        const key = `${id}/${bad.lifecycleEventName}/${bad.status}`
        if (this.told.has(key)) continue
        this.told.add(key)
        const before = events.filter(e => e.status === 'Succeeded').length
        this.reporter.info(
          `  ${targetName(target)}: ✗ ${eventLine(bad)}${before ? `, after ${before} event${before === 1 ? '' : 's'} succeeded` : ''}`
        )
        this.closed.add(id)
        continue
      }
      if (this.closed.has(id)) continue
      const ran = counted(target)
      if (ran.length && ran.every(e => e.status === 'Succeeded')) {
        this.reporter.debug(`  ${targetName(target)}: ✓ ${successes(ran)}`)
        this.closed.add(id)
      }
    }
  }

  /**
   * Following stops here: for each target that started but has no last word yet, how far it got
   * (what succeeded, what was running or came next), so a failure elsewhere, a pause or a timeout
   * does not leave its progress only in the debug log. A large fleet's unfinished targets are
   * counted in one line, each failed one told.
   */
  settle(targets: InstanceTarget[]): void {
    const unfinished: string[] = []
    for (const target of targets) {
      if (this.closed.has(target.targetId ?? '')) continue
      const ran = counted(target)
      const done = ran.filter(e => e.status === 'Succeeded')
      const running = ran.find(e => e.status === 'InProgress')
      const next = running ?? ran.find(e => e.status === 'Pending')
      // A target can fail outside its hooks (the agent lost, an instance gone): no event says so.
      if (target.status === 'Failed') {
        const before = done.length ? `, after ${successes(done, ran.length)}` : ''
        this.reporter.info(`  ${targetName(target)}: ✗ Failed${before}`)
        this.closed.add(target.targetId ?? '')
        continue
      }
      if (!done.length && !running) continue
      if (this.folded) {
        unfinished.push(target.targetId ?? 'unknown target')
        this.closed.add(target.targetId ?? '')
        continue
      }
      const where = next
        ? `; ${next.lifecycleEventName ?? 'unknown event'} ${running ? 'still running' : 'next'}`
        : ''
      this.reporter.info(`  ${targetName(target)}: ${successes(done, ran.length)}${where}`)
      this.closed.add(target.targetId ?? '')
    }
    if (unfinished.length)
      this.reporter.info(
        `  ${unfinished.length} target${unfinished.length === 1 ? '' : 's'} not done when following stopped: ${someIds(unfinished)}`
      )
  }
}

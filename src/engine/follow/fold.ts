/**
 * How the log stays readable for a large fleet: above FOLD_ABOVE targets, instances that succeed
 * get no line of their own (debug only); the fleet's counts are said instead, at most every
 * COUNT_EVERY_UNITS of the watch's unit (12 s by default) while they move, and once more at the
 * end: `412/1000 succeeded, 1 failed, 3 in progress, 584 pending`. A failure is still told at once,
 * one line per failing instance, with its diagnosis. Smaller fleets keep one ✓ line per target.
 */
import type { DeploymentOverview } from '@aws-sdk/client-codedeploy'
import { FOLD_ABOVE } from '../tell/fleet.js'

export { FOLD_ABOVE, someIds } from '../tell/fleet.js'
/** The least time between two count lines of a folded fleet, in the watch's units (1 s). */
export const COUNT_EVERY_UNITS = 12

/** The overview's counts added up: the targets CodeDeploy knows of. */
export function fleetSize(o: DeploymentOverview | undefined): number {
  if (!o) return 0
  return (
    (o.Pending ?? 0) +
    (o.InProgress ?? 0) +
    (o.Succeeded ?? 0) +
    (o.Failed ?? 0) +
    (o.Skipped ?? 0) +
    (o.Ready ?? 0)
  )
}

export function folds(size: number): boolean {
  return size > FOLD_ABOVE
}

/** `412/1000 succeeded, 1 failed, 3 in progress, 584 pending` (zero counts left out). */
export function countLine(o: DeploymentOverview): string {
  const parts = [`${o.Succeeded ?? 0}/${fleetSize(o)} succeeded`]
  const add = (count: number | undefined, label: string): void => {
    if (count) parts.push(`${count} ${label}`)
  }
  add(o.Failed, 'failed')
  add(o.InProgress, 'in progress')
  add(o.Pending, 'pending')
  add(o.Skipped, 'skipped')
  add(o.Ready, 'ready')
  return parts.join(', ')
}

/** When a folded fleet's counts are said: when they changed, at most every `everyMs`. */
export class CountLines {
  private said = ''
  private saidAt = -Infinity
  /** The counts that changed but were not said yet. */
  private held: string | undefined

  constructor(private readonly everyMs: number) {}

  /**
   * The line to print now for these counts, or undefined: the first counts at once, later
   * changes once `everyMs` has passed since the last line, and with `last` (the deployment ended
   * or paused) the counts whenever they differ from the last line said.
   */
  next(o: DeploymentOverview, now: number, last = false): string | undefined {
    const line = countLine(o)
    if (line === this.said) {
      this.held = undefined
      return undefined
    }
    if (!last && now - this.saidAt < this.everyMs) {
      this.held = line
      return undefined
    }
    this.said = line
    this.saidAt = now
    this.held = undefined
    return line
  }

  /** Counts that moved since the last line and wait for their turn. */
  get pending(): string | undefined {
    return this.held
  }
}

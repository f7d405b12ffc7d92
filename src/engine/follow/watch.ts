/**
 * The poll loop that follows a deployment to its end. Not the SDK waiter: that one treats every
 * error as "try again" and prints nothing. Here throttling and transient faults never end the wait
 * (they slow it down), a permanent error (AccessDenied, a missing deployment) ends it at once with
 * a clear message, and every change is reported as it happens: status, counts, traffic, and each
 * target's lifecycle events as progress.ts tells them (one line per target that succeeds, a
 * failed event at once, every event at debug). The deployment is read on a beat that starts fast
 * and stretches as it ages, its targets only when it says they changed (only those that may have),
 * all within the limits of pace.ts (reads.ts says which targets). A fleet of more than ~50 is
 * told in counts every ~12 s rather than a line per instance that succeeds (fold.ts).
 */
import type { DeploymentInfo, DeploymentOverview, InstanceTarget } from '@aws-sdk/client-codedeploy'
import { errorName, isAccessDenied, isThrottling, isTransient } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import type { Clock } from '../clock.js'
import { TERMINAL } from '../tell/record.js'
import { InputError } from '../errors.js'
import type { Reporter } from '../reporter.js'
import { COUNT_EVERY_UNITS, CountLines, fleetSize, folds } from './fold.js'
import { BEAT_MS, Pace, type RunBudget } from './pace.js'
import { TargetProgress } from './progress.js'
import { TargetReads } from './reads.js'

export type WatchOutcome =
  | { kind: 'finished'; deployment: DeploymentInfo; targets: InstanceTarget[] }
  /** The deployment reached a point the caller asked to stop at (`pauseWhen`). */
  | { kind: 'paused'; reason: string; deployment: DeploymentInfo; targets: InstanceTarget[] }
  | { kind: 'timeout'; deployment?: DeploymentInfo; targets: InstanceTarget[] }
  | { kind: 'cancelled'; deployment?: DeploymentInfo; targets: InstanceTarget[] }

export interface WatchOptions {
  gateway: Gateway
  reporter: Reporter
  clock: Clock
  /** Stop waiting at this time (ms since epoch). */
  deadline: number
  signal?: AbortSignal
  /** Only report the end, not every step (used while waiting for someone else's deployment). */
  quiet?: boolean
  /** The shortest pause between two reads of the deployment, pace.ts's unit (default 1 s). */
  minIntervalMs?: number
  /** The longest pause while CodeDeploy throttles or fails (default 20 s). */
  maxIntervalMs?: number
  /** Called with each deployment state read, e.g. to set outputs. */
  onUpdate?: (deployment: DeploymentInfo) => void
  /**
   * Asked with each state read: a reason to stop following here (e.g. a blue/green deployment
   * waiting at Ready), or undefined to go on.
   */
  pauseWhen?: (deployment: DeploymentInfo) => string | undefined
  /** What the overview counts: instances (EC2/on-premises) or targets (ECS, Lambda). */
  targetsLabel?: string
  /** ECS and Lambda: told where traffic stands each time it moves. */
  onTraffic?: (traffic: string) => void
  /** The run whose calls share the watch's budget (pace.ts); default: the watch's own calls. */
  budget?: RunBudget
  /**
   * When the deployment is read first (default: one unit after the watch starts, for one just
   * created); 0 for one already under way, e.g. a rollback that a read just found.
   */
  firstReadMs?: number
}

/** Consecutive transient failures after which the user hears about them. */
const TRANSIENT_WARN_AFTER = 3

function overviewLine(o: DeploymentOverview | undefined): string {
  if (!o) return ''
  const parts: string[] = []
  const add = (count: number | undefined, label: string): void => {
    if (count) parts.push(`${count} ${label}`)
  }
  add(o.Succeeded, 'succeeded')
  add(o.InProgress, 'in progress')
  add(o.Pending, 'pending')
  add(o.Failed, 'failed')
  add(o.Skipped, 'skipped')
  add(o.Ready, 'ready')
  return parts.join(', ')
}

/** How long one status request may take before it is cut and tried again. */
const REQUEST_MS = 30_000
/** The least time a read of the targets between two beats is given. */
const MIN_TARGETS_MS = 1000

function requestSignal(clock: Clock, signal: AbortSignal | undefined, ms: number): AbortSignal {
  const limit = clock.after(ms)
  return signal ? AbortSignal.any([signal, limit]) : limit
}

const ACCESS_HINT =
  'Allow codedeploy:GetDeployment, codedeploy:ListDeploymentTargets and codedeploy:BatchGetDeploymentTargets for the role this workflow assumes.'

/** A failed read of the targets: given up for now (read again later), or the end of the watch. */
function targetReadFailed(error: unknown, deploymentId: string): void {
  if (isAccessDenied(error)) {
    throw new InputError(
      `Access denied while reading the targets of ${deploymentId} (${errorName(error)}). ${ACCESS_HINT}`
    )
  }
  if (
    !isTransient(error) &&
    errorName(error) !== 'AbortError' &&
    errorName(error) !== 'TimeoutError'
  )
    throw error
}

/** Attempts at the last read of the targets once the deployment ended or paused. */
const LAST_READ_ATTEMPTS = 3

export async function waitForDeployment(
  deploymentId: string,
  options: WatchOptions
): Promise<WatchOutcome> {
  const { gateway, reporter, clock, signal } = options
  const before = gateway.calls
  const counts = new CountLines(COUNT_EVERY_UNITS * (options.minIntervalMs ?? BEAT_MS))
  const pace = new Pace(
    clock,
    options.minIntervalMs ?? BEAT_MS,
    options.maxIntervalMs,
    Math.random,
    options.budget ?? { since: clock.now(), spent: () => gateway.calls - before },
    options.firstReadMs
  )
  const reads = new TargetReads(gateway, deploymentId)
  const progress = new TargetProgress(reporter)
  let lastStatus: string | undefined
  let lastOverview = ''
  let last: DeploymentInfo | undefined
  let traffic: string | undefined
  let transientStreak = 0
  let onlyThrottled = true
  const targets = (): InstanceTarget[] => reads.targets
  /** Following stops: how far each unfinished target got. */
  const settle = (): void => {
    if (!options.quiet) progress.settle(targets())
  }
  const stopped = (kind: 'cancelled' | 'timeout'): WatchOutcome => {
    settle()
    return { kind, ...(last ? { deployment: last } : {}), targets: targets() }
  }
  const failedCall = (error: unknown, what: string): void => {
    const throttled = isThrottling(error)
    if (pace.failed(throttled)) {
      reporter.info(
        `CodeDeploy is throttling (${errorName(error)}); checking ${deploymentId} less often until it eases.`
      )
    }
    reporter.debug(`${what} failed (${errorName(error)}); trying again later.`)
  }
  /** Reads the targets that may have changed and tells what did. */
  const readTargets = async (info: DeploymentInfo, all: boolean, limit: number): Promise<void> => {
    const line = await reads.read(info, pace.beats(), all, {
      signal: requestSignal(clock, signal, limit)
    })
    if (line && line !== traffic) {
      traffic = line
      reporter.info(`Traffic: ${traffic}`)
      options.onTraffic?.(traffic)
    }
    progress.update(targets(), fleetSize(info.deploymentOverview))
  }
  /** Calls kept for the last read of the targets (none when they are not read). */
  const reserve = (info?: DeploymentInfo): number => (options.quiet ? 0 : reads.lastCost(info))
  /** The deployment ended or paused: its targets once more, for the outcome and the diagnosis. */
  const lastRead = async (info: DeploymentInfo): Promise<void> => {
    if (options.quiet) return
    for (let attempt = 1; attempt <= LAST_READ_ATTEMPTS; attempt++) {
      try {
        return await readTargets(info, true, REQUEST_MS)
      } catch (error) {
        if (signal?.aborted) return
        targetReadFailed(error, deploymentId)
        failedCall(error, 'Reading the targets')
        if (attempt < LAST_READ_ATTEMPTS) {
          pace.schedule(0)
          const wait = Math.min(pace.untilNext(), options.deadline - clock.now())
          await clock.sleep(Math.max(0, wait), signal)
        }
      }
    }
  }

  pace.schedule(reserve())
  for (;;) {
    await clock.sleep(
      Math.max(0, Math.min(pace.untilNext(), options.deadline - clock.now())),
      signal
    )
    if (signal?.aborted) return stopped('cancelled')
    if (clock.now() >= options.deadline) return stopped('timeout')
    let info: DeploymentInfo
    try {
      info = await gateway.deployment(deploymentId, {
        signal: requestSignal(clock, signal, REQUEST_MS)
      })
    } catch (error) {
      if (signal?.aborted) return stopped('cancelled')
      if (isAccessDenied(error)) {
        throw new InputError(
          `Access denied while following ${deploymentId} (${errorName(error)}). ${ACCESS_HINT}`
        )
      }
      // A request cut by its own time limit (a half-open connection) is tried again.
      if (!isTransient(error) && errorName(error) !== 'AbortError') throw error
      transientStreak++
      onlyThrottled &&= isThrottling(error)
      failedCall(error, 'Status check')
      pace.schedule(reserve(last))
      // Throttling was said once already; other failures are told when they persist.
      if (transientStreak === TRANSIENT_WARN_AFTER && !onlyThrottled) {
        reporter.warning(
          `CodeDeploy ${isThrottling(error) ? 'is throttling' : 'failed'} ${transientStreak} status checks in a row (${errorName(error)}); still following ${deploymentId}.`
        )
      }
      continue
    }
    pace.answered()
    pace.schedule(reserve(info))
    last = info
    options.onUpdate?.(info)
    if (transientStreak >= TRANSIENT_WARN_AFTER && !onlyThrottled)
      reporter.info('CodeDeploy is answering again.')
    transientStreak = 0
    onlyThrottled = true
    const terminal = info.status !== undefined && TERMINAL.has(info.status)
    const lines: string[] = []
    if (info.status !== lastStatus) {
      if (!options.quiet || terminal) {
        lines.push(
          `${deploymentId}: ${lastStatus ? `${lastStatus} → ` : ''}${info.status ?? 'unknown'}`
        )
      }
      lastStatus = info.status
    }
    const pause = terminal ? undefined : options.pauseWhen?.(info)
    const o = info.deploymentOverview
    const label = options.targetsLabel ?? 'Instances'
    if (o && folds(fleetSize(o))) {
      // A large fleet: its counts every ~12 s while they move, and as they end.
      const line = counts.next(o, clock.now(), terminal || pause !== undefined)
      if (!options.quiet && line) lines.push(`${label}: ${line}`)
    } else {
      const overview = overviewLine(o)
      if (overview !== lastOverview) {
        if (!options.quiet && overview) lines.push(`${label}: ${overview}`)
        lastOverview = overview
      }
    }
    if (terminal || pause) {
      // The last lifecycle events come before the final status, so the log reads in order.
      if (!terminal) for (const line of lines) reporter.info(line)
      await lastRead(info)
      settle()
      if (pause) return { kind: 'paused', reason: pause, deployment: info, targets: targets() }
      for (const line of lines) reporter.info(line)
      return { kind: 'finished', deployment: info, targets: targets() }
    }
    for (const line of lines) reporter.info(line)
    if (options.quiet || pace.backingOff) continue
    // Between two beats, cut short rather than delay the next read of the deployment, but never
    // shorter than the reads need: a large fleet takes one call per 25 targets.
    const limit = (cost: number): number =>
      Math.max(MIN_TARGETS_MS * Math.max(1, cost), pace.untilNext())
    const call = { signal: requestSignal(clock, signal, limit(1)) }
    const due = reads.due(info, pace.beats())
    // Listed early when it costs the beat nothing, or when the targets are due anyway.
    const fits = (cost: number, kept: number): boolean =>
      due ? pace.affordsNow(cost, kept) : pace.affords(cost, kept)
    if (reads.unlisted(info) && fits(1, reads.lastCost(info, false))) {
      try {
        await reads.list(info, call)
      } catch (error) {
        if (signal?.aborted) return stopped('cancelled')
        targetReadFailed(error, deploymentId)
        failedCall(error, 'Listing the targets')
        continue
      } finally {
        pace.hold(reserve(info))
      }
    }
    if (!due) continue
    // Within the limits, keeping room for the last read, which comes whatever it costs: on the
    // beat when it leaves room, else now, the next read of the deployment waiting for it.
    const cost = reads.cost(info, false)
    if (!reads.urgent(info) && !pace.affordsNow(cost, reads.lastCost(info, false))) continue
    try {
      await readTargets(info, false, limit(cost))
    } catch (error) {
      if (signal?.aborted) return stopped('cancelled')
      targetReadFailed(error, deploymentId)
      failedCall(error, 'Reading the targets')
    } finally {
      pace.hold(reserve(info))
    }
  }
}

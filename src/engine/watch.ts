/**
 * The poll loop that follows a deployment to its end. Not the SDK waiter: that one treats every
 * error as "try again" and prints nothing. Here throttling and transient faults never end the wait
 * (they slow it down), a permanent error (AccessDenied, a missing deployment) ends it at once with
 * a clear message, and every change is reported as it happens: status, counts, traffic, and each
 * target's lifecycle events as progress.ts tells them (one line per target that succeeds, a
 * failed event at once, every event at debug).
 */
import {
  GetDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentOverview,
  type InstanceTarget
} from '@aws-sdk/client-codedeploy'
import { errorName, isAccessDenied, isThrottling, isTransient } from './aws-errors.js'
import { InputError } from './errors.js'
import type { Reporter } from './reporter.js'
import { TargetProgress } from './progress.js'
import { fetchTargets } from './targets.js'

export interface Clock {
  now(): number
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
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
    })
}

export const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped'])

export type WatchOutcome =
  | { kind: 'finished'; deployment: DeploymentInfo; targets: InstanceTarget[] }
  /** The deployment reached a point the caller asked to stop at (`pauseWhen`). */
  | { kind: 'paused'; reason: string; deployment: DeploymentInfo; targets: InstanceTarget[] }
  | { kind: 'timeout'; deployment?: DeploymentInfo; targets: InstanceTarget[] }
  | { kind: 'cancelled'; deployment?: DeploymentInfo; targets: InstanceTarget[] }

export interface WatchOptions {
  codedeploy: CodeDeployClient
  reporter: Reporter
  clock: Clock
  /** Stop waiting at this time (ms since epoch). */
  deadline: number
  signal?: AbortSignal
  /** Only report the end, not every step (used while waiting for someone else's deployment). */
  quiet?: boolean
  /** First and longest pause between polls; the pause grows while nothing changes. */
  minIntervalMs?: number
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

function requestSignal(signal: AbortSignal | undefined): AbortSignal {
  const limit = AbortSignal.timeout(REQUEST_MS)
  return signal ? AbortSignal.any([signal, limit]) : limit
}

export async function waitForDeployment(
  deploymentId: string,
  options: WatchOptions
): Promise<WatchOutcome> {
  const { codedeploy, reporter, clock, signal } = options
  const minInterval = options.minIntervalMs ?? 1000
  const maxInterval = options.maxIntervalMs ?? 5000
  let interval = minInterval
  let lastStatus: string | undefined
  let lastOverview = ''
  let last: DeploymentInfo | undefined
  let targets: InstanceTarget[] = []
  let traffic: string | undefined
  let transientStreak = 0
  const progress = new TargetProgress(reporter)
  let polls = 0
  /** Following stops: how far each unfinished target got. */
  const settle = (): void => {
    if (!options.quiet) progress.settle(targets)
  }

  for (;;) {
    if (signal?.aborted) {
      settle()
      return { kind: 'cancelled', ...(last ? { deployment: last } : {}), targets }
    }
    if (clock.now() >= options.deadline) {
      settle()
      return { kind: 'timeout', ...(last ? { deployment: last } : {}), targets }
    }
    polls++
    let changed = false
    try {
      const out = await codedeploy.send(new GetDeploymentCommand({ deploymentId }), {
        abortSignal: requestSignal(signal)
      })
      const info = out.deploymentInfo
      if (!info) throw new Error(`GetDeployment returned nothing for ${deploymentId}`)
      last = info
      options.onUpdate?.(info)
      if (transientStreak >= TRANSIENT_WARN_AFTER) reporter.info('CodeDeploy is answering again.')
      transientStreak = 0
      const terminal = info.status !== undefined && TERMINAL.has(info.status)
      const lines: string[] = []
      if (info.status !== lastStatus) {
        changed = true
        if (!options.quiet || terminal) {
          lines.push(
            `${deploymentId}: ${lastStatus ? `${lastStatus} → ` : ''}${info.status ?? 'unknown'}`
          )
        }
        lastStatus = info.status
      }
      const overview = overviewLine(info.deploymentOverview)
      if (overview !== lastOverview) {
        changed = true
        if (!options.quiet && overview)
          lines.push(`${options.targetsLabel ?? 'Instances'}: ${overview}`)
        lastOverview = overview
      }
      // The last lifecycle events come before the final status, so the log reads in order.
      if (!terminal) for (const line of lines) reporter.info(line)
      if (
        !options.quiet &&
        (changed || terminal || polls % 3 === 0) &&
        info.status !== 'Created' &&
        info.status !== 'Queued'
      ) {
        const read = await fetchTargets(codedeploy, deploymentId, requestSignal(signal))
        targets = read.targets
        if (read.traffic && read.traffic !== traffic) {
          traffic = read.traffic
          if (!options.quiet) reporter.info(`Traffic: ${traffic}`)
          options.onTraffic?.(traffic)
        }
        progress.update(targets)
      }
      if (terminal) {
        settle()
        for (const line of lines) reporter.info(line)
        return { kind: 'finished', deployment: info, targets }
      }
      const pause = options.pauseWhen?.(info)
      if (pause) {
        settle()
        return { kind: 'paused', reason: pause, deployment: info, targets }
      }
    } catch (error) {
      if (signal?.aborted) {
        settle()
        return { kind: 'cancelled', ...(last ? { deployment: last } : {}), targets }
      }
      if (isAccessDenied(error)) {
        throw new InputError(
          `Access denied while following ${deploymentId} (${errorName(error)}). Allow codedeploy:GetDeployment, codedeploy:ListDeploymentTargets and codedeploy:BatchGetDeploymentTargets for the role this workflow assumes.`
        )
      }
      // A request cut by its own time limit (a half-open connection) is tried again.
      if (!isTransient(error) && errorName(error) !== 'AbortError') throw error
      transientStreak++
      reporter.debug(`Status check failed (${errorName(error)}); trying again.`)
      if (transientStreak === TRANSIENT_WARN_AFTER) {
        reporter.warning(
          `CodeDeploy ${isThrottling(error) ? 'is throttling' : 'failed'} ${transientStreak} status checks in a row (${errorName(error)}); still following ${deploymentId}.`
        )
      }
      interval = Math.min(maxInterval * 2, interval * 2)
    }
    if (changed) interval = minInterval
    else
      interval = Math.min(
        transientStreak > 0 ? maxInterval * 2 : maxInterval,
        Math.round(interval * 1.5)
      )
    const remaining = options.deadline - clock.now()
    await clock.sleep(Math.max(0, Math.min(interval, remaining)), signal)
  }
}

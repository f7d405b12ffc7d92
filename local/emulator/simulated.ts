/**
 * Cheap simulated instances, for scale runs (a group of 1,000): no bundle is downloaded and no
 * script runs; each lifecycle event an in-place deployment runs takes `eventMs` and succeeds, or
 * fails as a hook script does (ScriptFailed, the script's name, its exit code, a log tail). The
 * run records the same statuses, times and events the agent in ./agent.ts reports.
 */
import { EVENTS } from './agent.js'
import type { Deployment, Diagnostics, InstanceRun, LifecycleEvent } from './model.js'

/** A group's simulated instances, as the emulator's config takes them (plain data). */
export interface SimulatedInstances {
  /** How long each lifecycle event takes (ms, default 20). */
  eventMs?: number
  /**
   * The instances that fail: by index in the group (0-based), at the event named (default
   * ValidateService), with this exit code (default 1).
   */
  fail?: { index: number; event?: string; exitCode?: number }[]
}

/** The events an in-place deployment without a load balancer runs; the others are Skipped. */
const RUN = new Set([
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService'
])
/** Events the agent runs itself: they fail as UnknownError, not as a script. */
const AGENT_EVENTS = new Set(['DownloadBundle', 'Install'])

export function checkSimulated(value: SimulatedInstances, group: string): SimulatedInstances {
  const eventMs = value.eventMs ?? 20
  if (typeof eventMs !== 'number' || !(eventMs >= 0))
    throw new Error(`${group}: simulated.eventMs must be a number of ms ≥ 0`)
  for (const f of value.fail ?? []) {
    if (!Number.isInteger(f.index) || f.index < 0)
      throw new Error(`${group}: simulated.fail[].index must be an instance index ≥ 0`)
    if (f.event !== undefined && !RUN.has(f.event))
      throw new Error(`${group}: simulated.fail[].event must be one of ${[...RUN].join(', ')}`)
  }
  return { eventMs, ...(value.fail ? { fail: value.fail } : {}) }
}

/** What the failing event reports, in the agent's words (./agent/scripts.ts). */
function failed(
  deployment: Deployment,
  event: string,
  instanceId: string,
  exitCode: number
): Diagnostics {
  if (AGENT_EVENTS.has(event))
    return {
      errorCode: 'UnknownError',
      scriptName: '',
      message: `${event} failed on the simulated instance ${instanceId}`,
      logTail: ''
    }
  const script = `scripts/${event.toLowerCase()}.sh`
  return {
    errorCode: 'ScriptFailed',
    scriptName: script,
    message: `Script at specified location: ${script} run as user ${process.env.USER ?? 'root'} failed with exit code ${exitCode}`,
    logTail: [
      `[stdout]${event} on ${instanceId} (${deployment.deploymentId})`,
      `[stderr]check failed: simulated failure of instance ${instanceId}`,
      ''
    ].join('\n')
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Deploys to simulated instance number `index` of its group, updating `run` as each event starts
 * and ends. Returns true when every event succeeded.
 */
export async function simulateInstance(
  deployment: Deployment,
  run: InstanceRun,
  index: number,
  simulated: SimulatedInstances,
  signal: AbortSignal
): Promise<boolean> {
  const fails = simulated.fail?.find(f => f.index === index)
  const failAt = fails ? (fails.event ?? 'ValidateService') : undefined
  const events: LifecycleEvent[] = EVENTS.map(name => ({
    lifecycleEventName: name,
    status: 'Pending'
  }))
  run.lifecycleEvents = events
  run.status = 'InProgress'
  run.lastUpdatedAt = new Date()
  for (const event of events) {
    const name = event.lifecycleEventName
    if (!RUN.has(name) || signal.aborted) {
      event.status = 'Skipped'
      continue
    }
    event.status = 'InProgress'
    event.startTime = new Date()
    run.lastUpdatedAt = event.startTime
    await sleep(simulated.eventMs ?? 20, signal)
    event.endTime = new Date()
    run.lastUpdatedAt = event.endTime
    if (signal.aborted) {
      event.status = 'Unknown'
      event.diagnostics = {
        errorCode: 'UnknownError',
        scriptName: '',
        message: 'The deployment was stopped while the event ran',
        logTail: ''
      }
    } else if (name === failAt) {
      event.status = 'Failed'
      event.diagnostics = failed(deployment, name, run.instanceId, fails?.exitCode ?? 1)
    } else {
      event.status = 'Succeeded'
      event.diagnostics = {
        errorCode: 'Success',
        scriptName: '',
        message: 'Succeeded',
        logTail: ''
      }
      continue
    }
    for (const rest of events) if (rest.status === 'Pending') rest.status = 'Skipped'
    run.status = event.status === 'Failed' ? 'Failed' : 'Unknown'
    return false
  }
  if (signal.aborted) {
    run.status = 'Unknown'
    return false
  }
  run.status = 'Succeeded'
  run.lastUpdatedAt = new Date()
  return true
}

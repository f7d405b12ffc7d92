/**
 * How a run ends, decided in one place. `decide` is pure: given the run record (what is known: the
 * deployment as last read, what the inputs say to do at each end, the group's rollback settings
 * and alarms, what was stopped and continued) and what was just seen (a state read, the timeout,
 * the cancel, a stop's answer, a rollback found or ended, a create's result), it says what to do
 * next. It makes no AWS call, reads no clock and says nothing: ./drive.ts carries the decision
 * out, records what happened and asks again, until a decision finishes the run.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import type { CreateResult } from '../deploy/create.js'
import { inTerminationWait, isBlueGreen } from '../tell/fleet.js'
import { TERMINAL, type Note, type Outcome, type RunRecord } from '../tell/record.js'
import type { StopResult } from './stop.js'

export type WaitType = 'READY_WAIT' | 'TERMINATION_WAIT'

/** What was just seen. */
export type Seen =
  /** Before any deployment: the bundle was made (command `package`). */
  | { kind: 'packaged' }
  /** Before any deployment: the timeout passed before CreateDeployment was sent. */
  | { kind: 'late' }
  /** CreateDeployment's result (the deployment, a newer run's, a cancel, a busy group's timeout). */
  | { kind: 'created'; result: CreateResult; cancelled: boolean }
  /** Command `continue`: ContinueDeployment was taken. */
  | { kind: 'moved-on'; cancelled: boolean }
  /** Command `wait` or `stop`: the deployment named in `deployment-id` was read and checked. */
  | { kind: 'found'; cancelled: boolean }
  /** A state of the run's deployment, as just read. */
  | { kind: 'state'; info: DeploymentInfo }
  /** The run's timeout passed while its deployment was followed. */
  | { kind: 'timeout' }
  /** The job was cancelled while its deployment was followed. */
  | { kind: 'cancel' }
  /** StopDeployment's answer, and the state read after it. */
  | { kind: 'stopped'; result: StopResult }
  /** After a timeout's stop: the deployment read until it showed its end (or the cut). */
  | { kind: 'settled'; cancelled: boolean }
  /** CodeDeploy's rollback of the failed deployment: found (its id), or none (why). */
  | { kind: 'rollback-found'; id?: string }
  /** Following the rollback ended: it ended, the job was cancelled, or rollback-timeout passed. */
  | { kind: 'rollback-ended' | 'rollback-cancel' | 'rollback-timeout' }
  /** After a cancel: the deployment left running (detach), or the rollback its stop started noted. */
  | { kind: 'rollback-noted' }
  /** A stage failed. */
  | { kind: 'error'; cancelled: boolean }

/** What to do next. */
export type Decision =
  /** Keep following the deployment. */
  | { kind: 'follow' }
  /** Keep following while it waits at a blue/green step for the group's timer or a person. */
  | { kind: 'wait'; at: 'ready' | 'termination' }
  /** ContinueDeployment: reroute traffic (READY_WAIT) or end the termination wait. */
  | { kind: 'continue'; type: WaitType }
  /** StopDeployment, rolling back or not (`request`: command `stop`). */
  | { kind: 'stop'; why: 'cancel' | 'timeout' | 'request'; rollback: boolean }
  /** Leave the deployment running (on-cancel: detach): read it once, then finish. */
  | { kind: 'detach' }
  /** After a timeout's stop: read it until it shows its end (`explain`: it had failed on its own). */
  | { kind: 'settle'; explain?: boolean }
  /** Find CodeDeploy's rollback deployment of the failed one, and follow it (`explain` it first). */
  | { kind: 'find-rollback'; explain?: boolean }
  /** Follow the rollback deployment found. */
  | { kind: 'follow-rollback'; id: string }
  /** After a cancel's stop: record the rollback CodeDeploy started, without following it. */
  | { kind: 'note-rollback'; explain?: boolean }
  /** The run ends so; `explain`: say why the deployment failed first; `note`: tell this too. */
  | { kind: 'finish'; outcome: Outcome; explain?: boolean; note?: Note; readBack?: boolean }

const ROLLBACK_EVENT = {
  failure: 'DEPLOYMENT_FAILURE',
  stop: 'DEPLOYMENT_STOP_ON_REQUEST',
  alarm: 'DEPLOYMENT_STOP_ON_ALARM'
} as const

/**
 * Whether CodeDeploy rolls the run's deployment back when it fails (`failure`), when it is stopped
 * on request (`stop`: a timeout's stop), or when a group's alarm stops it.
 */
export function rollbackExpected(record: RunRecord, on: keyof typeof ROLLBACK_EVENT): boolean {
  const event = ROLLBACK_EVENT[on]
  // A deployment this step did not create keeps the rollback setting it was created with; one
  // that waited for or stopped also follows a rollback CodeDeploy has already linked to it.
  if (byId(record)) {
    const info = record.deployment?.info
    if (record.command !== 'continue' && info?.rollbackInfo?.rollbackDeploymentId) return true
    const config = info?.autoRollbackConfiguration
    return config?.enabled === true && (config.events ?? []).includes(event)
  }
  const policy = record.policy
  // on-failure covers an alarm's stop when the group has alarms (see createDeploymentInput).
  if (policy?.autoRollback === 'on-failure') return on !== 'alarm' || hasAlarms(record)
  if (policy?.autoRollback !== 'group') return false
  return (record.group?.rollbackEvents ?? []).includes(event)
}

/** Whether the run's deployment is one named in `deployment-id` rather than created by it. */
function byId(record: RunRecord): boolean {
  return record.command === 'continue' || record.command === 'wait' || record.command === 'stop'
}

export function hasAlarms(record: RunRecord): boolean {
  return (record.group?.alarms ?? []).length > 0
}

/**
 * How a run that followed its deployment to an end (and maybe its rollback) ends, from the facts:
 * the deployment's own end when it ended before a stop reached it, else what stopped it.
 */
export function outcomeAfter(record: RunRecord): Outcome {
  const stop = record.stop
  if (stop?.why === 'request') return stopOutcome(record)
  if (stop?.endedBefore) return stop.endedBefore === 'Succeeded' ? 'succeeded' : 'failed'
  if (stop) return stop.why === 'timeout' ? 'timed-out' : 'cancelled'
  if (record.cancel) return 'cancelled'
  return record.deployment?.status === 'Succeeded' ? 'succeeded' : 'failed'
}

/**
 * Command `stop`: the step did what it was for when the deployment no longer runs (stopped now,
 * or ended before) and the rollback it asked for, when one was followed, succeeded.
 */
function stopOutcome(record: RunRecord): Outcome {
  if (!record.stop?.accepted) return 'failed'
  // CodeDeploy took the stop, but the deployment still ran when the step stopped following it.
  if (stillRuns(record)) return 'failed'
  const rollback = record.rollback
  if (rollback?.id && rollback.followed && rollback.status !== 'Succeeded') return 'failed'
  return 'stopped'
}

/** The deployment had not ended when it was last read (and had not ended before a stop). */
function stillRuns(record: RunRecord): boolean {
  const status = record.deployment?.status
  return !record.stop?.endedBefore && status !== undefined && !TERMINAL.has(status)
}

function continued(record: RunRecord, type: WaitType): boolean {
  return record.blueGreen?.continued.includes(type) === true
}

function finish(
  outcome: Outcome,
  more: Omit<Extract<Decision, { kind: 'finish' }>, 'kind' | 'outcome'> = {}
): Decision {
  return { kind: 'finish', outcome, ...more }
}

/** A state read of the run's deployment. */
function onState(record: RunRecord, info: DeploymentInfo): Decision {
  const policy = record.policy
  if (info.status === 'Succeeded') return finish('succeeded')
  if (info.status !== undefined && TERMINAL.has(info.status)) {
    const byAlarm = info.errorInformation?.code === 'ALARM_ACTIVE'
    // Someone's stop of a deployment waited for rolls it back on its own rollback setting.
    const byStop = info.status === 'Stopped' && record.command === 'wait'
    return rollbackExpected(record, byAlarm ? 'alarm' : byStop ? 'stop' : 'failure')
      ? { kind: 'find-rollback', explain: true }
      : finish('failed', { explain: true })
  }
  if (!isBlueGreen(info)) return { kind: 'follow' }
  if (info.status === 'Ready' && !continued(record, 'READY_WAIT')) {
    if (policy?.onReady === 'exit') return finish('ready')
    if (policy?.onReady === 'wait') return { kind: 'wait', at: 'ready' }
    return { kind: 'continue', type: 'READY_WAIT' }
  }
  if (inTerminationWait(info) && !continued(record, 'TERMINATION_WAIT')) {
    if (policy?.onTerminationWait === 'continue')
      return { kind: 'continue', type: 'TERMINATION_WAIT' }
    if (policy?.onTerminationWait === 'wait') return { kind: 'wait', at: 'termination' }
    return finish('rerouted')
  }
  return { kind: 'follow' }
}

/** The timeout or the cancel, while the deployment runs. */
function onCut(record: RunRecord, why: 'cancel' | 'timeout'): Decision {
  // Stopping now would move traffic back to a fleet it just left: the step ends there instead.
  if (inTerminationWait(record.deployment?.info))
    return finish('rerouted', { note: { kind: 'kept-rerouted', why } })
  // A wait step stops nothing at its timeout: the deployment is not its own.
  if (why === 'timeout' && record.command === 'wait') return finish('timed-out')
  if (why === 'timeout') return { kind: 'stop', why, rollback: rollbackExpected(record, 'stop') }
  const onCancel = record.policy?.onCancel ?? 'stop-and-rollback'
  if (onCancel === 'detach') return { kind: 'detach' }
  return { kind: 'stop', why, rollback: onCancel === 'stop-and-rollback' }
}

/** StopDeployment's answer. */
function onStopped(record: RunRecord, result: StopResult): Decision {
  const why = record.stop?.why ?? 'timeout'
  if (!result.accepted) return finish(outcomeAfter(record))
  const status = result.info?.status
  // Command stop: a deployment that had ended is reported as it is, with any rollback it had.
  if (why === 'request' && result.alreadyEnded)
    return { kind: 'note-rollback', explain: status === 'Failed' }
  if (result.alreadyEnded && status === 'Succeeded') return finish('succeeded')
  if (result.alreadyEnded && status === 'Failed') {
    // It failed on its own: explained; a timeout goes on to its rollback, a cancel has no time.
    return why === 'cancel'
      ? { kind: 'note-rollback', explain: true }
      : { kind: 'settle', explain: true }
  }
  return why === 'cancel' ? { kind: 'note-rollback' } : { kind: 'settle' }
}

export function decide(record: RunRecord, seen: Seen): Decision {
  switch (seen.kind) {
    case 'packaged':
      return finish('packaged')
    case 'late':
      return finish('timed-out')
    case 'error':
      return finish(seen.cancelled && !record.deployment ? 'cancelled' : 'error')
    case 'created': {
      const result = seen.result
      if (result.kind === 'superseded') return finish('skipped')
      if (result.kind === 'cancelled' || result.kind === 'unknown') return finish('cancelled')
      if (result.kind === 'timeout') return finish('timed-out')
      if (seen.cancelled) return onCut(record, 'cancel')
      return record.policy?.wait === false ? finish('created') : { kind: 'follow' }
    }
    case 'moved-on':
      if (seen.cancelled) return onCut(record, 'cancel')
      return record.policy?.wait === false
        ? finish('created', { readBack: true })
        : { kind: 'follow' }
    case 'found':
      if (record.command === 'stop')
        return { kind: 'stop', why: 'request', rollback: record.policy?.stopRollback ?? true }
      return seen.cancelled ? onCut(record, 'cancel') : { kind: 'follow' }
    case 'state':
      return onState(record, seen.info)
    case 'timeout':
    case 'cancel':
      return onCut(record, seen.kind)
    case 'stopped':
      return onStopped(record, seen.result)
    case 'settled':
      // Command stop: a deployment still running once the stop settled is not stopped.
      if (record.stop?.why === 'request' && stillRuns(record)) return finish('failed')
      return record.stop?.rollback && !seen.cancelled
        ? { kind: 'find-rollback' }
        : finish(outcomeAfter(record))
    case 'rollback-found':
      return seen.id ? { kind: 'follow-rollback', id: seen.id } : finish(outcomeAfter(record))
    case 'rollback-ended':
    case 'rollback-noted':
    case 'rollback-cancel':
    case 'rollback-timeout':
      return finish(outcomeAfter(record))
  }
}

/**
 * Every way a run can end, as rows of one table: what the record holds, what was just seen, and
 * what `decide` (src/engine/end/decide.ts) must answer. `__tests__/decide.test.ts` runs each row;
 * `npm run docs` renders the table into README.md's "What happens when…" section, and the test
 * suite fails when the README differs from it.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import type { Decision, Seen } from '../../src/engine/end/decide.js'
import type { Policy, RunRecord } from '../../src/engine/tell/record.js'

export interface DecideCase {
  /** The situation, as a user would put it. */
  when: string
  /** The inputs (or group settings) that make the difference; empty when none does. */
  with: string
  record: RunRecord
  seen: Seen
  then: Decision
}

const ID = 'd-TABLE0001'
const DEFAULT_POLICY: Policy = {
  wait: true,
  onCancel: 'stop-and-rollback',
  onReady: 'continue',
  onTerminationWait: 'exit',
  autoRollback: 'on-failure',
  timeoutSeconds: 3600,
  rollbackTimeoutSeconds: 1800
}

interface Spec {
  policy?: Partial<Policy>
  command?: RunRecord['command']
  group?: RunRecord['group']
  /** The deployment as last read; omit for a run that has none yet. */
  info?: DeploymentInfo
  stop?: RunRecord['stop']
  cancel?: RunRecord['cancel']
  continued?: ('READY_WAIT' | 'TERMINATION_WAIT')[]
  rollback?: RunRecord['rollback']
}

function record(spec: Spec = {}): RunRecord {
  const r: RunRecord = {
    command: spec.command ?? 'deploy',
    region: 'us-east-1',
    stage: 'deploy',
    notes: [],
    policy: { ...DEFAULT_POLICY, ...spec.policy },
    group: spec.group ?? { rollbackEvents: [], alarms: [] }
  }
  if (spec.info)
    r.deployment = {
      id: ID,
      status: spec.info.status ?? 'InProgress',
      info: spec.info,
      targets: []
    }
  if (spec.stop) r.stop = spec.stop
  if (spec.cancel) r.cancel = spec.cancel
  if (spec.continued) r.blueGreen = { continued: spec.continued }
  if (spec.rollback) r.rollback = spec.rollback
  return r
}

const state = (info: Omit<DeploymentInfo, 'deploymentId'>): DeploymentInfo => ({
  deploymentId: ID,
  ...info
})
const inProgress = state({ status: 'InProgress' })
const succeeded = state({ status: 'Succeeded' })
const failed = state({
  status: 'Failed',
  errorInformation: { code: 'HEALTH_CONSTRAINTS' as const }
})
const stoppedByAlarm = state({ status: 'Stopped', errorInformation: { code: 'ALARM_ACTIVE' } })
const stoppedBySomeone = state({ status: 'Stopped' })
const blueGreen = { deploymentStyle: { deploymentType: 'BLUE_GREEN' as const } }
const ready = state({ status: 'Ready', ...blueGreen })
const terminationWait = state({
  status: 'InProgress',
  instanceTerminationWaitTimeStarted: true,
  ...blueGreen
})
const groupRollsBack = (...events: string[]): RunRecord['group'] => ({
  rollbackEvents: events,
  alarms: []
})
const withAlarms: RunRecord['group'] = { rollbackEvents: [], alarms: ['errors-high'] }

const finish = (
  outcome: Extract<Decision, { kind: 'finish' }>['outcome'],
  more: Partial<Extract<Decision, { kind: 'finish' }>> = {}
): Decision => ({ kind: 'finish', outcome, ...more })

const stopAnswer = (accepted: boolean, info?: DeploymentInfo, alreadyEnded = false): Seen => ({
  kind: 'stopped',
  result: { accepted, ...(info ? { info } : {}), ...(alreadyEnded ? { alreadyEnded } : {}) }
})

export const CASES: DecideCase[] = [
  // Before a deployment exists.
  {
    when: 'The bundle is made (command `package`)',
    with: '',
    record: record(),
    seen: { kind: 'packaged' },
    then: finish('packaged')
  },
  {
    when: 'The timeout passes before the deployment is created',
    with: '`timeout`',
    record: record(),
    seen: { kind: 'late' },
    then: finish('timed-out')
  },
  {
    when: 'A newer run of the workflow already deployed to the group',
    with: '`skip-if-superseded: true`',
    record: record(),
    seen: {
      kind: 'created',
      result: { kind: 'superseded', by: { deploymentId: ID, run: 'run 43', status: 'Succeeded' } },
      cancelled: false
    },
    then: finish('skipped')
  },
  {
    when: 'The job is cancelled before CreateDeployment is sent',
    with: '',
    record: record(),
    seen: { kind: 'created', result: { kind: 'cancelled' }, cancelled: true },
    then: finish('cancelled')
  },
  {
    when: "The job is cancelled while CreateDeployment's answer is lost and its deployment is not found",
    with: '',
    record: record(),
    seen: { kind: 'created', result: { kind: 'unknown', why: 'lost' }, cancelled: true },
    then: finish('cancelled')
  },
  {
    when: 'Another deployment holds the group until the timeout passes',
    with: '`timeout`',
    record: record(),
    seen: { kind: 'created', result: { kind: 'timeout', active: ID }, cancelled: false },
    then: finish('timed-out')
  },
  {
    when: 'The deployment is created',
    with: '`wait: false`',
    record: record({ policy: { wait: false }, info: state({ status: 'Created' }) }),
    seen: { kind: 'created', result: { kind: 'created', id: ID }, cancelled: false },
    then: finish('created')
  },
  {
    when: 'The deployment is created',
    with: '`wait: true`',
    record: record({ info: state({ status: 'Created' }) }),
    seen: { kind: 'created', result: { kind: 'created', id: ID }, cancelled: false },
    then: { kind: 'follow' }
  },
  {
    when: 'The job is cancelled while the deployment is being created, and it was created',
    with: '`on-cancel: stop-and-rollback`',
    record: record({ info: state({ status: 'Created' }) }),
    seen: { kind: 'created', result: { kind: 'created', id: ID }, cancelled: true },
    then: { kind: 'stop', why: 'cancel', rollback: true }
  },
  {
    when: 'The job is cancelled while the deployment is being created, and it was created',
    with: '`on-cancel: detach`',
    record: record({ policy: { onCancel: 'detach' }, info: state({ status: 'Created' }) }),
    seen: { kind: 'created', result: { kind: 'created', id: ID }, cancelled: true },
    then: { kind: 'detach' }
  },
  // The deployment's own states.
  {
    when: 'The deployment is in progress',
    with: '',
    record: record({ info: inProgress }),
    seen: { kind: 'state', info: inProgress },
    then: { kind: 'follow' }
  },
  {
    when: 'The deployment succeeds',
    with: '',
    record: record({ info: succeeded }),
    seen: { kind: 'state', info: succeeded },
    then: finish('succeeded')
  },
  {
    when: 'The deployment fails',
    with: '`auto-rollback: on-failure`',
    record: record({ info: failed }),
    seen: { kind: 'state', info: failed },
    then: { kind: 'find-rollback', explain: true }
  },
  {
    when: 'The deployment fails',
    with: '`auto-rollback: off`',
    record: record({ policy: { autoRollback: 'off' }, info: failed }),
    seen: { kind: 'state', info: failed },
    then: finish('failed', { explain: true })
  },
  {
    when: 'The deployment fails',
    with: '`auto-rollback: group`, the group rolls back on DEPLOYMENT_FAILURE',
    record: record({
      policy: { autoRollback: 'group' },
      group: groupRollsBack('DEPLOYMENT_FAILURE'),
      info: failed
    }),
    seen: { kind: 'state', info: failed },
    then: { kind: 'find-rollback', explain: true }
  },
  {
    when: 'The deployment fails',
    with: "`auto-rollback: group`, the group's auto-rollback is off",
    record: record({ policy: { autoRollback: 'group' }, info: failed }),
    seen: { kind: 'state', info: failed },
    then: finish('failed', { explain: true })
  },
  {
    when: 'A CloudWatch alarm of the group stops the deployment',
    with: '`auto-rollback: on-failure`',
    record: record({ group: withAlarms, info: stoppedByAlarm }),
    seen: { kind: 'state', info: stoppedByAlarm },
    then: { kind: 'find-rollback', explain: true }
  },
  {
    when: 'A CloudWatch alarm of the group stops the deployment',
    with: '`auto-rollback: group`, the group rolls back on DEPLOYMENT_STOP_ON_ALARM',
    record: record({
      policy: { autoRollback: 'group' },
      group: { rollbackEvents: ['DEPLOYMENT_STOP_ON_ALARM'], alarms: ['errors-high'] },
      info: stoppedByAlarm
    }),
    seen: { kind: 'state', info: stoppedByAlarm },
    then: { kind: 'find-rollback', explain: true }
  },
  {
    when: 'A CloudWatch alarm of the group stops the deployment',
    with: '`auto-rollback: off`',
    record: record({ policy: { autoRollback: 'off' }, group: withAlarms, info: stoppedByAlarm }),
    seen: { kind: 'state', info: stoppedByAlarm },
    then: finish('failed', { explain: true })
  },
  {
    when: 'Someone else stops the deployment',
    with: '`auto-rollback: on-failure`',
    record: record({ info: stoppedBySomeone }),
    seen: { kind: 'state', info: stoppedBySomeone },
    then: { kind: 'find-rollback', explain: true }
  },
  // Blue/green: the replacement at Ready.
  {
    when: "A blue/green deployment's replacement is Ready",
    with: '`on-ready: continue`',
    record: record({ info: ready }),
    seen: { kind: 'state', info: ready },
    then: { kind: 'continue', type: 'READY_WAIT' }
  },
  {
    when: "A blue/green deployment's replacement is Ready",
    with: '`on-ready: exit`',
    record: record({ policy: { onReady: 'exit' }, info: ready }),
    seen: { kind: 'state', info: ready },
    then: finish('ready')
  },
  {
    when: "A blue/green deployment's replacement is Ready",
    with: '`on-ready: wait`',
    record: record({ policy: { onReady: 'wait' }, info: ready }),
    seen: { kind: 'state', info: ready },
    then: { kind: 'wait', at: 'ready' }
  },
  {
    when: 'A blue/green deployment still reads Ready after this run continued it',
    with: '`on-ready: continue`',
    record: record({ info: ready, continued: ['READY_WAIT'] }),
    seen: { kind: 'state', info: ready },
    then: { kind: 'follow' }
  },
  // Blue/green: traffic moved, the originals wait to be terminated.
  {
    when: 'Traffic is on the replacement and the originals wait to be terminated',
    with: '`on-termination-wait: exit`',
    record: record({ info: terminationWait }),
    seen: { kind: 'state', info: terminationWait },
    then: finish('rerouted')
  },
  {
    when: 'Traffic is on the replacement and the originals wait to be terminated',
    with: '`on-termination-wait: continue`',
    record: record({ policy: { onTerminationWait: 'continue' }, info: terminationWait }),
    seen: { kind: 'state', info: terminationWait },
    then: { kind: 'continue', type: 'TERMINATION_WAIT' }
  },
  {
    when: 'Traffic is on the replacement and the originals wait to be terminated',
    with: '`on-termination-wait: wait`',
    record: record({ policy: { onTerminationWait: 'wait' }, info: terminationWait }),
    seen: { kind: 'state', info: terminationWait },
    then: { kind: 'wait', at: 'termination' }
  },
  {
    when: 'The termination wait goes on after this run ended it',
    with: '`on-termination-wait: continue`',
    record: record({
      policy: { onTerminationWait: 'continue' },
      info: terminationWait,
      continued: ['READY_WAIT', 'TERMINATION_WAIT']
    }),
    seen: { kind: 'state', info: terminationWait },
    then: { kind: 'follow' }
  },
  // The timeout.
  {
    when: 'The timeout passes while the deployment runs',
    with: '`auto-rollback: on-failure`',
    record: record({ info: inProgress }),
    seen: { kind: 'timeout' },
    then: { kind: 'stop', why: 'timeout', rollback: true }
  },
  {
    when: 'The timeout passes while the deployment runs',
    with: '`auto-rollback: off`',
    record: record({ policy: { autoRollback: 'off' }, info: inProgress }),
    seen: { kind: 'timeout' },
    then: { kind: 'stop', why: 'timeout', rollback: false }
  },
  {
    when: 'The timeout passes while the deployment runs',
    with: '`auto-rollback: group`, the group rolls back on DEPLOYMENT_STOP_ON_REQUEST',
    record: record({
      policy: { autoRollback: 'group' },
      group: groupRollsBack('DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'),
      info: inProgress
    }),
    seen: { kind: 'timeout' },
    then: { kind: 'stop', why: 'timeout', rollback: true }
  },
  {
    when: 'The timeout passes while the deployment runs',
    with: '`auto-rollback: group`, the group rolls back on DEPLOYMENT_FAILURE only',
    record: record({
      policy: { autoRollback: 'group' },
      group: groupRollsBack('DEPLOYMENT_FAILURE'),
      info: inProgress
    }),
    seen: { kind: 'timeout' },
    then: { kind: 'stop', why: 'timeout', rollback: false }
  },
  {
    when: 'The timeout passes while the originals wait to be terminated',
    with: '',
    record: record({ info: terminationWait, policy: { onTerminationWait: 'wait' } }),
    seen: { kind: 'timeout' },
    then: finish('rerouted', { note: { kind: 'kept-rerouted', why: 'timeout' } })
  },
  {
    when: "The timeout's stop is taken",
    with: '',
    record: record({ info: inProgress, stop: { why: 'timeout', rollback: true, accepted: true } }),
    seen: stopAnswer(true, state({ status: 'Stopped' })),
    then: { kind: 'settle' }
  },
  {
    when: "The timeout's stop is not confirmed in time",
    with: '',
    record: record({
      info: inProgress,
      stop: { why: 'timeout', rollback: true, accepted: false, failure: 'Rate exceeded' }
    }),
    seen: stopAnswer(false, inProgress),
    then: finish('timed-out')
  },
  {
    when: "The timeout's stop finds the deployment had just succeeded",
    with: '',
    record: record({
      info: succeeded,
      stop: { why: 'timeout', rollback: true, accepted: true, endedBefore: 'Succeeded' }
    }),
    seen: stopAnswer(true, succeeded, true),
    then: finish('succeeded')
  },
  {
    when: "The timeout's stop finds the deployment had just failed",
    with: '',
    record: record({
      info: failed,
      stop: { why: 'timeout', rollback: true, accepted: true, endedBefore: 'Failed' }
    }),
    seen: stopAnswer(true, failed, true),
    then: { kind: 'settle', explain: true }
  },
  {
    when: 'The stopped deployment shows its end, and a rollback was asked for',
    with: '',
    record: record({
      info: state({ status: 'Stopped' }),
      stop: { why: 'timeout', rollback: true, accepted: true }
    }),
    seen: { kind: 'settled', cancelled: false },
    then: { kind: 'find-rollback' }
  },
  {
    when: 'The stopped deployment shows its end, and no rollback was asked for',
    with: '',
    record: record({
      info: state({ status: 'Stopped' }),
      stop: { why: 'timeout', rollback: false, accepted: true }
    }),
    seen: { kind: 'settled', cancelled: false },
    then: finish('timed-out')
  },
  {
    when: "The job is cancelled while the timeout's stop settles",
    with: '',
    record: record({
      info: state({ status: 'Stopped' }),
      stop: { why: 'timeout', rollback: true, accepted: true }
    }),
    seen: { kind: 'settled', cancelled: true },
    then: finish('timed-out')
  },
  // The cancel.
  {
    when: 'The job is cancelled while the deployment runs',
    with: '`on-cancel: stop-and-rollback`',
    record: record({ info: inProgress }),
    seen: { kind: 'cancel' },
    then: { kind: 'stop', why: 'cancel', rollback: true }
  },
  {
    when: 'The job is cancelled while the deployment runs',
    with: '`on-cancel: stop`',
    record: record({ policy: { onCancel: 'stop' }, info: inProgress }),
    seen: { kind: 'cancel' },
    then: { kind: 'stop', why: 'cancel', rollback: false }
  },
  {
    when: 'The job is cancelled while the deployment runs',
    with: '`on-cancel: detach`',
    record: record({ policy: { onCancel: 'detach' }, info: inProgress }),
    seen: { kind: 'cancel' },
    then: { kind: 'detach' }
  },
  {
    when: 'The job is cancelled while the originals wait to be terminated',
    with: '',
    record: record({ info: terminationWait, policy: { onTerminationWait: 'wait' } }),
    seen: { kind: 'cancel' },
    then: finish('rerouted', { note: { kind: 'kept-rerouted', why: 'cancel' } })
  },
  {
    when: "The cancel's stop is taken",
    with: '',
    record: record({
      info: inProgress,
      cancel: { onCancel: 'stop-and-rollback' },
      stop: { why: 'cancel', rollback: true, accepted: true }
    }),
    seen: stopAnswer(true, state({ status: 'Stopped' })),
    then: { kind: 'note-rollback' }
  },
  {
    when: "The cancel's stop is not confirmed in time",
    with: '',
    record: record({
      info: inProgress,
      cancel: { onCancel: 'stop-and-rollback' },
      stop: { why: 'cancel', rollback: true, accepted: false, failure: 'Rate exceeded' }
    }),
    seen: stopAnswer(false, inProgress),
    then: finish('cancelled')
  },
  {
    when: "The cancel's stop finds the deployment had just succeeded",
    with: '',
    record: record({
      info: succeeded,
      cancel: { onCancel: 'stop' },
      stop: { why: 'cancel', rollback: false, accepted: true, endedBefore: 'Succeeded' }
    }),
    seen: stopAnswer(true, succeeded, true),
    then: finish('succeeded')
  },
  {
    when: "The cancel's stop finds the deployment had just failed",
    with: '',
    record: record({
      info: failed,
      cancel: { onCancel: 'stop-and-rollback' },
      stop: { why: 'cancel', rollback: true, accepted: true, endedBefore: 'Failed' }
    }),
    seen: stopAnswer(true, failed, true),
    then: { kind: 'note-rollback', explain: true }
  },
  {
    when: 'After a cancel: the rollback CodeDeploy started is noted (or the deployment left running)',
    with: '',
    record: record({
      info: state({ status: 'Stopped' }),
      cancel: { onCancel: 'stop-and-rollback' },
      stop: { why: 'cancel', rollback: true, accepted: true }
    }),
    seen: { kind: 'rollback-noted' },
    then: finish('cancelled')
  },
  {
    when: 'After a cancel that left the deployment running',
    with: '`on-cancel: detach`',
    record: record({
      policy: { onCancel: 'detach' },
      info: inProgress,
      cancel: { onCancel: 'detach' }
    }),
    seen: { kind: 'rollback-noted' },
    then: finish('cancelled')
  },
  {
    when: 'After a cancel whose stop found the deployment had failed',
    with: '',
    record: record({
      info: failed,
      cancel: { onCancel: 'stop-and-rollback' },
      stop: { why: 'cancel', rollback: true, accepted: true, endedBefore: 'Failed' }
    }),
    seen: { kind: 'rollback-noted' },
    then: finish('failed')
  },
  // The rollback.
  {
    when: 'CodeDeploy started a rollback deployment',
    with: '',
    record: record({ info: failed }),
    seen: { kind: 'rollback-found', id: 'd-ROLLBACK1' },
    then: { kind: 'follow-rollback', id: 'd-ROLLBACK1' }
  },
  {
    when: 'CodeDeploy started no rollback (nothing succeeded before, say)',
    with: '',
    record: record({ info: failed }),
    seen: { kind: 'rollback-found' },
    then: finish('failed')
  },
  {
    when: 'The rollback of a failed deployment ends',
    with: '',
    record: record({ info: failed }),
    seen: { kind: 'rollback-ended' },
    then: finish('failed')
  },
  {
    when: 'The rollback of a timed-out deployment ends',
    with: '',
    record: record({
      info: state({ status: 'Stopped' }),
      stop: { why: 'timeout', rollback: true, accepted: true }
    }),
    seen: { kind: 'rollback-ended' },
    then: finish('timed-out')
  },
  {
    when: 'The job is cancelled while the rollback is followed',
    with: '',
    record: record({ info: failed }),
    seen: { kind: 'rollback-cancel' },
    then: finish('failed')
  },
  {
    when: 'The rollback still runs when `rollback-timeout` passes',
    with: '`rollback-timeout`',
    record: record({ info: failed }),
    seen: { kind: 'rollback-timeout' },
    then: finish('failed')
  },
  // Command continue.
  {
    when: 'A waiting blue/green deployment is continued (command `continue`)',
    with: '`wait: true`',
    record: record({ command: 'continue', info: ready, continued: ['READY_WAIT'] }),
    seen: { kind: 'moved-on', cancelled: false },
    then: { kind: 'follow' }
  },
  {
    when: 'A waiting blue/green deployment is continued (command `continue`)',
    with: '`wait: false`',
    record: record({
      command: 'continue',
      policy: { wait: false },
      info: ready,
      continued: ['READY_WAIT']
    }),
    seen: { kind: 'moved-on', cancelled: false },
    then: finish('created', { readBack: true })
  },
  {
    when: 'A continued deployment fails',
    with: 'it was created with auto-rollback on DEPLOYMENT_FAILURE',
    record: record({
      command: 'continue',
      policy: { autoRollback: 'off' },
      info: {
        ...failed,
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
      }
    }),
    seen: {
      kind: 'state',
      info: {
        ...failed,
        autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
      }
    },
    then: { kind: 'find-rollback', explain: true }
  },
  {
    when: 'A continued deployment fails',
    with: 'it was created without auto-rollback',
    record: record({
      command: 'continue',
      info: { ...failed, autoRollbackConfiguration: { enabled: false } }
    }),
    seen: { kind: 'state', info: { ...failed, autoRollbackConfiguration: { enabled: false } } },
    then: finish('failed', { explain: true })
  },
  // Command wait: a deployment made by anyone, followed like a deploy.
  {
    when: 'The deployment named is found (command `wait`)',
    with: '',
    record: record({ command: 'wait', info: inProgress }),
    seen: { kind: 'found', cancelled: false },
    then: { kind: 'follow' }
  },
  {
    when: 'The job is cancelled while the deployment named is read (command `wait`)',
    with: '`on-cancel` not given: `detach`',
    record: record({ command: 'wait', policy: { onCancel: 'detach' }, info: inProgress }),
    seen: { kind: 'found', cancelled: true },
    then: { kind: 'detach' }
  },
  {
    when: 'The timeout passes while a deployment is waited for (command `wait`)',
    with: '`timeout`',
    record: record({ command: 'wait', info: inProgress }),
    seen: { kind: 'timeout' },
    then: finish('timed-out')
  },
  {
    when: 'A deployment waited for fails (command `wait`)',
    with: 'it was created without auto-rollback',
    record: record({
      command: 'wait',
      info: { ...failed, autoRollbackConfiguration: { enabled: false } }
    }),
    seen: { kind: 'state', info: { ...failed, autoRollbackConfiguration: { enabled: false } } },
    then: finish('failed', { explain: true })
  },
  {
    when: 'A deployment waited for was stopped with a rollback (command `wait`)',
    with: 'CodeDeploy linked a rollback to it',
    record: record({
      command: 'wait',
      info: { ...stoppedBySomeone, rollbackInfo: { rollbackDeploymentId: 'd-TABLE0002' } }
    }),
    seen: {
      kind: 'state',
      info: { ...stoppedBySomeone, rollbackInfo: { rollbackDeploymentId: 'd-TABLE0002' } }
    },
    then: { kind: 'find-rollback', explain: true }
  },
  // Command stop.
  {
    when: 'The deployment named is found (command `stop`)',
    with: '`rollback: true`',
    record: record({ command: 'stop', policy: { stopRollback: true }, info: inProgress }),
    seen: { kind: 'found', cancelled: false },
    then: { kind: 'stop', why: 'request', rollback: true }
  },
  {
    when: 'The deployment named is found (command `stop`)',
    with: '`rollback: false`',
    record: record({ command: 'stop', policy: { stopRollback: false }, info: inProgress }),
    seen: { kind: 'found', cancelled: false },
    then: { kind: 'stop', why: 'request', rollback: false }
  },
  {
    when: 'The stop is taken (command `stop`)',
    with: '',
    record: record({
      command: 'stop',
      info: inProgress,
      stop: { why: 'request', rollback: true, accepted: true }
    }),
    seen: { kind: 'stopped', result: { accepted: true, info: inProgress } },
    then: { kind: 'settle' }
  },
  {
    when: 'The stop finds the deployment had already failed (command `stop`)',
    with: '',
    record: record({
      command: 'stop',
      info: failed,
      stop: { why: 'request', rollback: true, accepted: true, endedBefore: 'Failed' }
    }),
    seen: { kind: 'stopped', result: { accepted: true, alreadyEnded: true, info: failed } },
    then: { kind: 'note-rollback', explain: true }
  },
  {
    when: 'The stop is not confirmed (command `stop`)',
    with: '',
    record: record({
      command: 'stop',
      info: inProgress,
      stop: { why: 'request', rollback: true, accepted: false, failure: 'Throttled' }
    }),
    seen: { kind: 'stopped', result: { accepted: false, why: 'Throttled' } },
    then: finish('failed')
  },
  {
    when: 'The stopped deployment shows its end (command `stop`)',
    with: '`rollback: true`',
    record: record({
      command: 'stop',
      info: stoppedBySomeone,
      stop: { why: 'request', rollback: true, accepted: true }
    }),
    seen: { kind: 'settled', cancelled: false },
    then: { kind: 'find-rollback' }
  },
  {
    when: 'The stop settles and the deployment still runs (command `stop`)',
    with: '',
    record: record({
      command: 'stop',
      info: inProgress,
      stop: { why: 'request', rollback: true, accepted: true }
    }),
    seen: { kind: 'settled', cancelled: false },
    then: finish('failed')
  },
  {
    when: 'The stopped deployment shows its end (command `stop`)',
    with: '`rollback: false`',
    record: record({
      command: 'stop',
      info: stoppedBySomeone,
      stop: { why: 'request', rollback: false, accepted: true }
    }),
    seen: { kind: 'settled', cancelled: false },
    then: finish('stopped')
  },
  {
    when: 'The rollback the stop asked for ends (command `stop`)',
    with: 'it succeeded',
    record: record({
      command: 'stop',
      info: stoppedBySomeone,
      stop: { why: 'request', rollback: true, accepted: true },
      rollback: { id: 'd-TABLE0002', status: 'Succeeded', followed: true }
    }),
    seen: { kind: 'rollback-ended' },
    then: finish('stopped')
  },
  {
    when: 'The rollback the stop asked for ends (command `stop`)',
    with: 'it failed',
    record: record({
      command: 'stop',
      info: stoppedBySomeone,
      stop: { why: 'request', rollback: true, accepted: true },
      rollback: { id: 'd-TABLE0002', status: 'Failed', followed: true }
    }),
    seen: { kind: 'rollback-ended' },
    then: finish('failed')
  },
  // A stage fails.
  {
    when: 'A stage fails before the deployment exists (a bad input, AWS refuses a call)',
    with: '',
    record: record(),
    seen: { kind: 'error', cancelled: false },
    then: finish('error')
  },
  {
    when: 'The job is cancelled before the deployment exists',
    with: '',
    record: record(),
    seen: { kind: 'error', cancelled: true },
    then: finish('cancelled')
  },
  {
    when: 'Following the deployment fails (access denied to GetDeployment, say)',
    with: '',
    record: record({ info: inProgress }),
    seen: { kind: 'error', cancelled: false },
    then: finish('error')
  }
]

/** How the step ends, in words. */
const OUTCOME: Record<Extract<Decision, { kind: 'finish' }>['outcome'], string> = {
  succeeded: 'the step passes',
  packaged: 'the step passes (packaged)',
  created: 'the step passes, the deployment left to run',
  skipped: 'the step passes, skipped (`status: Skipped`)',
  ready: 'the step passes at Ready, traffic not yet moved',
  rerouted: 'the step passes, traffic on the replacement',
  stopped: 'the step passes (`command: stop`; see `status`)',
  failed: 'the step fails',
  'timed-out': 'the step fails (timed out)',
  cancelled: 'the step fails (cancelled)',
  error: 'the step fails, naming the stage and the error'
}

/** What the action does, in words, for the README. */
export function describeDecision(decision: Decision): string {
  switch (decision.kind) {
    case 'follow':
      return 'keeps following it'
    case 'wait':
      return decision.at === 'ready'
        ? "keeps following it while it waits for the group's timer or `command: continue`"
        : 'keeps following it until the originals are terminated'
    case 'continue':
      return decision.type === 'READY_WAIT'
        ? 'continues it: traffic moves to the replacement'
        : 'continues it: the originals are terminated now'
    case 'stop':
      return decision.rollback
        ? 'stops it, asking CodeDeploy to roll back'
        : 'stops it, without a rollback'
    case 'detach':
      return 'leaves it running, reads it once, and the step fails (cancelled)'
    case 'settle':
      return `${decision.explain ? 'says why it failed, then ' : ''}reads it until it shows its end`
    case 'find-rollback':
      return `${decision.explain ? 'says why it failed (instance, hook, error code, log tail), then ' : ''}finds CodeDeploy's rollback deployment and follows it`
    case 'follow-rollback':
      return 'follows the rollback to its end (within `rollback-timeout`)'
    case 'note-rollback':
      return `${decision.explain ? 'says why it failed, then ' : ''}names the rollback CodeDeploy started, without waiting for it`
    case 'finish': {
      const parts: string[] = []
      if (decision.explain) parts.push('says why it failed (instance, hook, error code, log tail)')
      if (decision.note?.kind === 'kept-rerouted')
        parts.push('stops nothing (traffic already moved)')
      if (decision.readBack) parts.push('reads its state once')
      parts.push(OUTCOME[decision.outcome])
      return parts.join('; ')
    }
  }
}

/** The README's table: one row per case. */
export function renderDecisionTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|')
  return [
    '| When | With | The action |',
    '|---|---|---|',
    ...CASES.map(c => `| ${cell(c.when)} | ${cell(c.with)} | ${cell(describeDecision(c.then))} |`)
  ].join('\n')
}

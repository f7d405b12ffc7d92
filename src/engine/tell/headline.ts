/**
 * What is said about a run at its end, derived from its record alone: the step outputs, the one
 * line that says how it ended (the step's failure message, the GitHub deployment status, the
 * CLI's last line), and the line for a deployment the run could not stop.
 */
import { fleetWords } from './fleet.js'
import { consoleUrl, stopCommand } from './links.js'
import { STAGE_LABEL, type RunRecord } from './record.js'
import { s3Url } from '../inputs/s3-location.js'
import { gitHubRef } from '../inputs/github-revision.js'
import { TERMINAL } from './record.js'

/** The action's outputs (action.yml), in the order they are listed there. */
export const OUTPUT_NAMES = [
  'deployment-id',
  'status',
  'revision',
  'bucket',
  'key',
  'etag',
  'version-id',
  'bundle-sha256',
  'bundle-path',
  'rollback-deployment-id',
  'rollback-status',
  'console-url',
  'artifact-id',
  'appspec-sha256',
  'task-definition-arn',
  'lambda-current-version',
  'lambda-target-version',
  'deployment-group-created'
] as const
export type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Partial<Record<OutputName, string>>

export function outputsOf(record: RunRecord): Outputs {
  const out: Outputs = {}
  const { deployment, revision, rollback } = record
  if (deployment) {
    out['deployment-id'] = deployment.id
    out['console-url'] = consoleUrl(record.region, deployment.id)
    out.status = deployment.status
  } else if (record.outcome === 'skipped') {
    out.status = 'Skipped'
  }
  if (revision) {
    out.revision = s3Url(revision)
    out.bucket = revision.bucket
    out.key = revision.key
    if (revision.eTag) out.etag = revision.eTag
    if (revision.version) out['version-id'] = revision.version
  }
  // A GitHub revision has no bucket, key, ETag or version: those outputs stay empty.
  if (record.gitHub) out.revision = gitHubRef(record.gitHub)
  if (record.bundle) out['bundle-sha256'] = record.bundle.sha256
  if (record.bundle?.path) out['bundle-path'] = record.bundle.path
  if (rollback?.id) out['rollback-deployment-id'] = rollback.id
  if (rollback?.id && rollback.status) out['rollback-status'] = rollback.status
  if (record.artifact?.id) out['artifact-id'] = record.artifact.id
  const content = record.content
  if (content) {
    out['appspec-sha256'] = content.sha256
    if (content.taskDefinitionArn) out['task-definition-arn'] = content.taskDefinitionArn
    if (content.lambda) {
      out['lambda-current-version'] = content.lambda.currentVersion
      out['lambda-target-version'] = content.lambda.targetVersion
    }
  }
  if (record.deploymentGroupCreated !== undefined)
    out['deployment-group-created'] = String(record.deploymentGroupCreated)
  return out
}

/** `3600` → `60m`, `5400` → `1h30m`, `45` → `45s`. */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h === 0 && m === 0) return `${s}s`
  if (h === 0) return s ? `${m}m${s}s` : `${m}m`
  return `${h}h${m ? `${m}m` : ''}${s ? `${s}s` : ''}`
}

/** What the run's time bounds were, for the summary. */
export function describeTimeout(record: RunRecord): string {
  const { timeoutSeconds = 0, rollbackTimeoutSeconds = 0 } = record.policy ?? {}
  const main = `${duration(timeoutSeconds)} from the step's start to the deployment's end`
  return rollbackTimeoutSeconds
    ? `${main}; a rollback followed for up to ${duration(rollbackTimeoutSeconds)} more`
    : main
}

/** The one line for a deployment this run had to leave running and could not stop. */
export function stillRunning(
  record: RunRecord,
  id: string,
  rollback: boolean,
  why?: string
): string {
  return `${id} is still running: the stop was not confirmed${why ? ` (${why})` : ''}. Stop it with \`${stopCommand(record.region, id, rollback)}\` or at ${consoleUrl(record.region, id)}`
}

/** When the original instances of a rerouted blue/green deployment go away, and how to hurry it. */
function terminationSentence(record: RunRecord): string {
  const id = record.deployment?.id ?? ''
  const facts = record.blueGreen
  if (facts?.terminationWaitMinutes === undefined) return ''
  const at = new Date((facts.terminationWaitSeenAt ?? 0) + facts.terminationWaitMinutes * 60_000)
  const clock = `${at.toISOString().slice(11, 16)} UTC`
  const { original } = fleetWords(record.platform)
  return `The ${original} ${record.platform === 'ECS' ? 'is' : 'are'} terminated after the group's ${duration(facts.terminationWaitMinutes * 60)} wait (around ${clock}); ${id} stays InProgress until then. To end the wait now: command: continue, deployment-id: ${id}.`
}

/** ECS and Lambda: whether the traffic went back to the original version when it failed. */
function trafficBack(record: RunRecord): string {
  const traffic = record.deployment?.traffic
  if (!traffic) return ''
  return /^0%/.test(traffic)
    ? ' Traffic is back on the original version.'
    : ` Traffic at the end: ${traffic}.`
}

function rollbackSentence(record: RunRecord): string {
  const r = record.rollback
  if (!r) return ''
  if (!r.id) return r.message ? ` No rollback: ${r.message}` : ''
  if (!r.followed)
    return r.status && TERMINAL.has(r.status)
      ? ` Rollback ${r.id} ${r.status}.`
      : ` Rollback ${r.id} started.`
  if (r.status === 'Succeeded')
    return ` Rolled back by ${r.id} (Succeeded): the previous revision is back in place.`
  if (r.status === 'Failed' || r.status === 'Stopped')
    return ` The rollback ${r.id} also ${r.status}${r.message ? `: ${r.message}` : '.'}`
  return ` Rollback ${r.id} is ${r.status ?? 'running'}; CodeDeploy carries it on.`
}

/** A message on one line: its lines joined, indentation dropped. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
    .join(' ')
}

/** One line: how the run ended and what it left behind. */
export function headline(record: RunRecord): string {
  const d = record.deployment
  const what = record.command === 'rollback' ? 'Rollback deployment' : 'CodeDeploy'
  switch (record.outcome) {
    case 'succeeded':
      return record.command === 'rollback' && record.revision
        ? `${what} ${d?.id ?? ''} Succeeded: ${s3Url(record.revision)} is back in place.`
        : `${what} ${d?.id ?? ''} Succeeded.`
    case 'packaged':
      return `Packaged ${record.revision ? s3Url(record.revision) : (record.bundle?.path ?? 'the bundle')}${record.revision && record.bundle?.path ? ` and ${record.bundle.path}` : ''}.`
    case 'created':
      if (record.command === 'continue')
        return `Continued ${d?.id ?? ''} (${record.blueGreen?.continued.join(', ') ?? ''}); not waited for (wait: false).`
      return `${what} ${d?.id ?? ''} created; not waited for (wait: false).`
    case 'ready':
      return `${d?.id ?? ''} is Ready: ${fleetWords(record.platform).passed} and traffic still goes to the ${fleetWords(record.platform).original}. Reroute it with command: continue and deployment-id: ${d?.id ?? ''} (or \`aws deploy continue-deployment --deployment-id ${d?.id ?? ''} --deployment-wait-type READY_WAIT --region ${record.region}\`).`
    case 'rerouted':
      return `Traffic of ${d?.id ?? ''} is on the ${fleetWords(record.platform).replacement}. ${terminationSentence(record)}`
    case 'skipped':
      return `Skipped: ${record.supersededBy?.run ?? 'a newer run'} of this workflow already deployed ${record.supersededBy?.deploymentId ?? ''} to '${record.deploymentGroup ?? ''}'.`
    case 'stopped':
      return stopLine(record)
    case 'failed':
      if (record.command === 'stop' && record.stop) return stopLine(record)
      return `${d?.diagnosis?.headline ?? `${d?.id ?? ''} ${d?.status ?? 'failed'}.`}${trafficBack(record)}${rollbackSentence(record)}`
    case 'timed-out':
      if (d && record.command === 'wait')
        return `${d.id} did not finish within the ${duration(record.policy?.timeoutSeconds ?? 0)} timeout; it keeps running (${d.status}), as command wait stops nothing: ${consoleUrl(record.region, d.id)}`
      if (!d)
        return `Timed out after ${duration(record.policy?.timeoutSeconds ?? 0)}, before a deployment was created${record.error ? `: ${oneLine(record.error.message)}` : '.'}`
      if (record.stop?.failure)
        return `${d.id} did not finish within the ${duration(record.policy?.timeoutSeconds ?? 0)} timeout; ${stillRunning(record, d.id, record.stop.rollback, record.stop.failure)}`
      return `${d.id} did not finish within the ${duration(record.policy?.timeoutSeconds ?? 0)} timeout and was ${TERMINAL.has(d.status) ? 'stopped' : 'asked to stop'} (${d.status}).${rollbackSentence(record)}`
    case 'cancelled':
      return cancelledLine(record)
    default:
      if (d && record.error)
        return `Could not follow ${d.id} (${d.status}): ${oneLine(record.error.message)}${TERMINAL.has(d.status) ? '' : ` It keeps running: ${consoleUrl(record.region, d.id)}`}`
      return `Failed while ${STAGE_LABEL[record.stage]}: ${oneLine(record.error?.message ?? 'unknown error')}`
  }
}

/** Command `stop`: what the stop found, did and left, and the rollback it asked for. */
function stopLine(record: RunRecord): string {
  const d = record.deployment
  const stop = record.stop
  const id = d?.id ?? ''
  if (!d || !stop) return `${id} was not stopped.`
  if (!stop.accepted) return stillRunning(record, id, stop.rollback, stop.failure)
  if (stop.endedBefore)
    return `${id} had already ended ${stop.endedBefore}; nothing was stopped.${rollbackSentence(record)}`
  if (!TERMINAL.has(d.status))
    return `CodeDeploy took the stop of ${id}, which was still ${d.status} when the step ended: ${consoleUrl(record.region, id)}`
  const r = record.rollback
  const rollback = !stop.rollback
    ? ' No rollback was asked for (rollback: false).'
    : r?.id &&
        r.followed &&
        r.status !== 'Succeeded' &&
        r.status !== undefined &&
        TERMINAL.has(r.status)
      ? ` Its rollback ${r.id} ${r.status}${r.message ? `: ${r.message}` : '.'}`
      : rollbackSentence(record)
  return `Stopped ${id} (${d.status}).${rollback}`
}

function cancelledLine(record: RunRecord): string {
  const d = record.deployment
  if (!d) {
    return `Job cancelled while ${STAGE_LABEL[record.cancelledIn ?? record.stage]}; ${record.lostCreate ?? 'no deployment was created.'}`
  }
  if (record.cancel?.onCancel === 'detach')
    return `Job cancelled; ${d.id} left running (on-cancel: detach): ${consoleUrl(record.region, d.id)}`
  if (record.stop?.failure)
    return `Job cancelled; ${stillRunning(record, d.id, record.stop.rollback, record.stop.failure)}`
  if (!TERMINAL.has(d.status))
    return `Job cancelled; CodeDeploy took the stop of ${d.id}, which was still ${d.status} when the job ended.${rollbackSentence(record)}`
  return `Job cancelled; ${d.id} stopped (${d.status}).${rollbackSentence(record)}`
}

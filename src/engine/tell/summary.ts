/**
 * The job summary, rendered from the run record alone: a heading that says how the run ended, the
 * line the step failed with (or passed), what was deployed and where, each instance's lifecycle
 * events, why it failed, the rollback, and what was left running. A large fleet's failing
 * instances come first and its successes are folded into counts (fleet-summary.ts); every summary
 * is kept under GitHub's 1 MiB step-summary limit.
 */
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'
import { tailLines } from './diagnose.js'
import { fleetWords } from './fleet.js'
import { consoleUrl } from './links.js'
import { STAGE_LABEL, passed, type Note, type RunRecord } from './record.js'
import { s3Url } from '../inputs/s3-location.js'
import { gitHubRef } from '../inputs/github-revision.js'
import { fleetSide } from './fleet.js'
import { describeTimeout, duration, headline } from './headline.js'
import { countsSection, failedSection, fitSummary, isLargeFleet } from './fleet-summary.js'

const ICON: Record<string, string> = {
  Succeeded: '✅',
  Failed: '❌',
  Stopped: '⏹️',
  Skipped: '⏭️',
  InProgress: '⏳',
  Pending: '⏸️',
  Created: '🚀',
  Queued: '⏸️',
  Ready: '⏸️',
  Baking: '⏳'
}

/** Events of an in-place deployment without a load balancer: the traffic ones never run. */
const TRAFFIC_EVENTS = new Set([
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
])

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

function title(record: RunRecord): string {
  const d = record.deployment
  const kind = record.command === 'rollback' ? 'Rollback deployment' : 'CodeDeploy'
  switch (record.outcome) {
    case 'succeeded':
      return `✅ ${kind} ${d?.id ?? ''} Succeeded`
    case 'packaged':
      // The whole s3:// URL would wrap the heading; it is the table's first row.
      return `📦 Packaged ${record.application ?? 'a bundle'}${record.revision ? ` into s3://${record.revision.bucket}` : record.bundle?.path ? ` into ${record.bundle.path.split(/[\\/]/).pop() ?? ''}` : ''}`
    case 'created':
      return `🚀 ${kind} ${d?.id ?? ''} created, not waited for`
    case 'skipped':
      return `⏭️ Skipped: ${record.supersededBy?.run ?? 'a newer run'} already deployed`
    case 'ready':
      return `🟢 ${kind} ${d?.id ?? ''} Ready: traffic not rerouted yet`
    case 'stopped':
      return record.stop?.endedBefore
        ? `ℹ️ ${kind} ${d?.id ?? ''} had already ended (${record.stop.endedBefore})`
        : `⏹️ ${kind} ${d?.id ?? ''} stopped (${d?.status ?? ''})`
    case 'rerouted':
      return `✅ ${kind} ${d?.id ?? ''}: traffic on the ${fleetWords(record.platform).replacement}`
    case 'failed':
      return `❌ ${kind} ${d?.id ?? ''} ${d?.status ?? 'Failed'}`
    case 'timed-out':
      return d
        ? `⏱️ ${kind} ${d.id} timed out (${d.status})`
        : `⏱️ Timed out before a deployment was created`
    case 'cancelled':
      if (!d) return '⏹️ Cancelled before a deployment was created'
      return record.cancel?.onCancel === 'detach'
        ? `⏹️ Cancelled; ${kind} ${d.id} left running (${d.status})`
        : `⏹️ ${kind} ${d.id} cancelled (${d.status})`
    default:
      return d
        ? `❌ ${kind} ${d.id} ${d.status}: not followed to the end`
        : `❌ Failed while ${STAGE_LABEL[record.stage]}`
  }
}

function rows(record: RunRecord): [string, string][] {
  const out: [string, string][] = []
  const d = record.deployment
  if (record.application) out.push(['Application', record.application])
  if (record.deploymentGroup && record.command !== 'package')
    out.push([
      'Deployment group',
      `${record.deploymentGroup}${record.deploymentGroupCreated ? ' (created by this run)' : ''}`
    ])
  if (record.deploymentConfig && d)
    out.push([
      'Config',
      `${record.deploymentConfig}${record.deploymentConfigCreated ? ' (created by this run)' : ''}`
    ])
  if (record.revision) {
    out.push(['Revision', `\`${s3Url(record.revision)}\``])
    if (record.revision.eTag) out.push(['ETag', `\`${record.revision.eTag}\``])
    if (record.revision.version) out.push(['Version', `\`${record.revision.version}\``])
  }
  if (record.gitHub)
    out.push([
      'Revision',
      `\`${gitHubRef(record.gitHub)}\` (GitHub, fetched by CodeDeploy through its GitHub connection)`
    ])
  if (record.choice) {
    out.push(['Rolled back to', `the revision of ${record.choice.fromDeployment}`])
    out.push(['Why this one', record.choice.reason])
  }
  const content = record.content
  if (content) {
    out.push(['AppSpec', `\`${content.file}\` (${content.platform}, sent inline)`])
    out.push(['AppSpec SHA-256', `\`${content.sha256}\``])
    if (content.taskDefinitionArn) out.push(['Task definition', `\`${content.taskDefinitionArn}\``])
    if (content.lambda)
      out.push([
        'Versions',
        `${content.lambda.name}:${content.lambda.alias} ${content.lambda.currentVersion} → ${content.lambda.targetVersion}`
      ])
  }
  if (d?.traffic) out.push(['Traffic', d.traffic])
  if (record.bundle) {
    const b = record.bundle
    out.push(['Bundle', `${size(b.size)}, ${b.files} files`])
    out.push(['SHA-256', `\`${b.sha256}\``])
    if (b.path) out.push(['File', `\`${b.path}\``])
    if (b.tags)
      out.push([
        'Tags',
        `${b.tags.map(t => `\`${t}\``).join(', ')}${b.tagsKept ? ' (not applied: the object was already in S3, its tags are unchanged)' : ''}`
      ])
    if (record.revision)
      out.push([
        'Upload',
        b.uploaded
          ? 'uploaded'
          : `already in S3, not uploaded again${b.reused ? ' (nor packaged: same tree as an earlier run, proved by S3’s checksum)' : ''}`
      ])
  }
  if (record.artifact)
    out.push([
      'Workflow artifact',
      `${record.artifact.name}${record.artifact.id ? ` (id ${record.artifact.id})` : ''}`
    ])
  if (d) out.push(['Console', `[${d.id}](${consoleUrl(record.region, d.id)})`])
  if (d && record.policy?.timeoutSeconds && record.waited)
    out.push(['Timeout', describeTimeout(record)])
  return out
}

function shownEvents(target: InstanceTarget, info: DeploymentInfo | undefined): string {
  const inPlaceOnly =
    info?.deploymentStyle?.deploymentOption !== 'WITH_TRAFFIC_CONTROL' &&
    info?.deploymentStyle?.deploymentType !== 'BLUE_GREEN'
  const events = (target.lifecycleEvents ?? [])
    .filter(e => e.status !== 'Skipped')
    .filter(e => !(inPlaceOnly && TRAFFIC_EVENTS.has(e.lifecycleEventName ?? '')))
  // Every event listed for every instance made the column so wide that instance ids and
  // statuses wrapped; an instance whose events all succeeded takes one short line.
  const first = events[0]?.lifecycleEventName
  const last = events.at(-1)?.lifecycleEventName
  if (events.length > 2 && events.every(e => e.status === 'Succeeded'))
    return `✅ all ${events.length}, ${first} to ${last}`
  return events
    .map(e => `${ICON[e.status ?? ''] ?? e.status ?? ''} ${e.lifecycleEventName ?? ''}`)
    .join(' ')
}

function label(target: InstanceTarget): string {
  const side = fleetSide(target)
  return side ? ` (${side})` : ''
}

function notes(record: RunRecord): string[] {
  const out: string[] = []
  if (record.outcome === 'created')
    out.push(
      'Not waited for (`wait: false`): the deployment goes on in CodeDeploy; follow it in the console.'
    )
  const stop = record.stop
  if (stop?.endedBefore && stop.why === 'request')
    out.push(
      `${record.deployment?.id ?? ''} had ended ${stop.endedBefore} before the stop reached it; nothing was stopped.`
    )
  else if (stop?.endedBefore)
    out.push(
      `${stop.why === 'cancel' ? 'The job was cancelled' : 'The timeout passed'} after ${record.deployment?.id ?? ''} had ended ${stop.endedBefore}; nothing was stopped.`
    )
  else if (record.cancel && record.deployment) {
    const what = {
      'stop-and-rollback': 'stop it and roll back',
      stop: 'stop it',
      detach: 'leave it running'
    }[record.cancel.onCancel]
    out.push(`The job was cancelled; \`on-cancel: ${record.cancel.onCancel}\` said to ${what}.`)
  }
  if (record.stop && !record.stop.accepted) out.push(`⚠️ ${headline(record)}`)
  const ignored = record.group?.ignoredAlarms
  if (ignored?.length && record.deployment)
    out.push(
      `⚠️ \`override-alarms\`: this deployment ignored the group's CloudWatch alarm${ignored.length === 1 ? '' : 's'} ${ignored.map(n => `\`${n}\``).join(', ')}${record.group?.alarms.length ? `; still watched: ${record.group.alarms.map(n => `\`${n}\``).join(', ')}` : ''}.`
    )
  for (const note of record.notes) out.push(noteSentence(record, note))
  return out
}

function noteSentence(record: RunRecord, note: Note): string {
  if (note.kind === 'kept-rerouted') {
    const why =
      note.why === 'timeout'
        ? `The ${duration(record.policy?.timeoutSeconds ?? 0)} timeout passed`
        : 'The job was cancelled'
    return `${why} while the ${fleetWords(record.platform).original} waited to be terminated; traffic was already on the replacement, so nothing was stopped.`
  }
  return note.why === 'cancel'
    ? `The job was cancelled while following rollback ${note.id}; CodeDeploy carries it on.`
    : `Rollback ${note.id} was still running when \`rollback-timeout\` (${record.policy?.rollbackTimeoutSeconds ?? 0}s) passed; CodeDeploy carries it on.`
}

export function renderSummary(record: RunRecord): string {
  const out: string[] = [`## ${title(record).replace(/\s+/g, ' ').trim()}`, '']
  // The heading says it all for a plain success; any other end gets its sentence.
  if (!passed(record)) out.push(`**${headline(record)}**`, '')
  else if (record.outcome !== 'succeeded' && record.outcome !== 'packaged')
    out.push(headline(record), '')
  const d = record.deployment
  const server = (record.platform ?? 'Server') === 'Server'
  // A large fleet: its failures first, before what was deployed.
  const large = d !== undefined && isLargeFleet(d.targets)
  if (large) out.push(...failedSection(d.targets, server))
  const table = rows(record)
  if (table.length)
    // A header row of empty cells shows as an empty stripe above the table on GitHub.
    out.push(
      '| Field | Value |',
      '|---|---|',
      ...table.map(([k, v]) => `| ${k} | ${cell(v)} |`),
      ''
    )
  for (const note of notes(record)) out.push(note, '')

  if (large) out.push(...countsSection(d.targets, server))
  else if (d && d.targets.length > 0) {
    out.push(
      server ? '### Instances' : '### Targets',
      '',
      `| ${server ? 'Instance' : 'Target'} | Status | Lifecycle events |`,
      '|---|---|---|'
    )
    for (const t of d.targets) {
      out.push(
        `| ${cell(t.targetId ?? '')}${label(t)} | ${ICON[t.status ?? ''] ?? ''} ${t.status ?? ''} | ${cell(shownEvents(t, d.info))} |`
      )
    }
    out.push('')
  }

  const diagnosis = d?.diagnosis
  const first = diagnosis?.failures[0]
  if (diagnosis) {
    out.push('### Why it failed', '', diagnosis.headline, '')
    // A large fleet's log tails are with its failures, above.
    if (first?.logTail && !large) {
      out.push(
        `<details open><summary>${first.instanceId} ${first.event} log tail</summary>`,
        '',
        '```',
        tailLines(first.logTail, 40),
        '```',
        '',
        '</details>',
        ''
      )
    }
  } else if (record.error) {
    out.push('### What went wrong', '', `While ${STAGE_LABEL[record.stage]}:`, '')
    out.push('```', record.error.message, '```', '')
  }

  const r = record.rollback
  if (r?.id) {
    const link = `[${r.id}](${consoleUrl(record.region, r.id)})`
    const status = r.status ?? 'started'
    out.push(
      '### Rollback',
      '',
      `${ICON[r.status ?? ''] ?? ''} ${link} ${status}${r.message ? ` — ${r.message}` : ''}`.trim(),
      ''
    )
  } else if (r?.message) {
    out.push('### Rollback', '', `No rollback: ${r.message}`, '')
  }
  return fitSummary(out.join('\n'))
}

/**
 * The job summary: what was deployed, where, how each instance's hooks went, and the rollback.
 */
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'
import type { Diagnosis } from './diagnose.js'
import { tailLines } from './diagnose.js'

export interface SummaryInput {
  revision?: string
  bundle?: { sha256: string; size: number; uploaded: boolean }
  deployment?: DeploymentInfo
  targets: InstanceTarget[]
  consoleUrl?: string
  diagnosis?: Diagnosis
  rollback?: { id?: string; status?: string; message?: string; consoleUrl?: string }
  note?: string
}

const ICON: Record<string, string> = {
  Succeeded: '✅',
  Failed: '❌',
  Stopped: '⏹️',
  Skipped: '⏭️',
  InProgress: '⏳',
  Pending: '⏸️'
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

export function renderSummary(input: SummaryInput): string {
  const d = input.deployment
  const status = d?.status ?? 'not created'
  const out: string[] = [
    `## ${ICON[status] ?? ''} CodeDeploy ${d?.deploymentId ?? ''} ${status}`
      .replace(/\s+/g, ' ')
      .trim(),
    ''
  ]
  const rows: [string, string][] = []
  if (d?.applicationName) rows.push(['Application', d.applicationName])
  if (d?.deploymentGroupName) rows.push(['Deployment group', d.deploymentGroupName])
  if (d?.deploymentConfigName) rows.push(['Config', d.deploymentConfigName])
  if (input.revision) rows.push(['Revision', `\`${input.revision}\``])
  if (input.bundle) {
    rows.push([
      'Bundle',
      `${size(input.bundle.size)}, sha256 \`${input.bundle.sha256.slice(0, 16)}…\`${input.bundle.uploaded ? '' : ' (already in S3, not uploaded again)'}`
    ])
  }
  if (input.consoleUrl && d?.deploymentId)
    rows.push(['Console', `[${d.deploymentId}](${input.consoleUrl})`])
  if (rows.length) {
    out.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`), '')
  }
  if (input.note) out.push(input.note, '')

  if (input.targets.length > 0) {
    out.push('### Instances', '', '| Instance | Status | Lifecycle events |', '|---|---|---|')
    for (const t of input.targets) {
      const events = (t.lifecycleEvents ?? [])
        .filter(e => e.status !== 'Skipped')
        .map(e => `${ICON[e.status ?? ''] ?? e.status ?? ''} ${e.lifecycleEventName ?? ''}`)
        .join(' ')
      out.push(
        `| ${cell(t.targetId ?? '')} | ${ICON[t.status ?? ''] ?? ''} ${t.status ?? ''} | ${cell(events)} |`
      )
    }
    out.push('')
  }

  const first = input.diagnosis?.failures[0]
  if (input.diagnosis) {
    out.push('### Why it failed', '', input.diagnosis.headline, '')
    if (first?.logTail) {
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
  }
  if (input.rollback) {
    const r = input.rollback
    if (r.id) {
      const link = r.consoleUrl ? `[${r.id}](${r.consoleUrl})` : r.id
      out.push(
        `### Rollback`,
        '',
        `${ICON[r.status ?? ''] ?? ''} ${link} ${r.status ?? ''}${r.message ? ` — ${r.message}` : ''}`.trim(),
        ''
      )
    } else if (r.message) {
      out.push('### Rollback', '', r.message, '')
    }
  }
  return out.join('\n')
}

/**
 * The job summary of a large fleet (more than FOLD_ABOVE targets), readable at 1,000 instances:
 * the failing instances first (instance, event, error code, script, the first log tails), then
 * the counts, each status other than a success with its first ids, and the successes folded into
 * a count with the first few ids. And for every summary, the cut that keeps it under GitHub's
 * 1 MiB step-summary limit, with a note where it was cut.
 */
import type { InstanceTarget } from '@aws-sdk/client-codedeploy'
import { findFailures, tailLines } from './diagnose.js'
import { FOLD_ABOVE, fleetSide, someIds } from './fleet.js'

/** GitHub's limit on one step's summary (bytes). */
export const STEP_SUMMARY_LIMIT = 1024 * 1024
/** What a summary may take: below the limit, room left for what the runner adds. */
export const SUMMARY_BUDGET = STEP_SUMMARY_LIMIT - 16 * 1024
/** Failing instances listed in the table; the rest are counted. */
export const FAILURES_LISTED = 100
/** Failing instances whose log tails are shown. */
export const LOG_TAILS_SHOWN = 3
/** Ids named per status in the counts. */
const IDS_NAMED = 20

export function isLargeFleet(targets: readonly InstanceTarget[]): boolean {
  return targets.length > FOLD_ABOVE
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function name(target: InstanceTarget): string {
  const side = fleetSide(target)
  return `${target.targetId ?? ''}${side ? ` (${side})` : ''}`
}

/** The failing instances: a table, then the first log tails. Empty when none failed. */
export function failedSection(targets: readonly InstanceTarget[], server: boolean): string[] {
  const { failures, failedWithoutEvent } = findFailures([...targets])
  const count = failures.length + failedWithoutEvent.length
  if (!count) return []
  const noun = server ? 'instance' : 'target'
  const out = [
    `### ❌ Failed ${noun}s (${count} of ${targets.length})`,
    '',
    `| ${server ? 'Instance' : 'Target'} | Event | Error code | Script | Message |`,
    '|---|---|---|---|---|'
  ]
  for (const f of failures.slice(0, FAILURES_LISTED))
    out.push(
      `| ${cell(f.instanceId)} | ${cell(f.event)} | ${cell(f.errorCode)} | ${cell(f.scriptName ?? '')} | ${cell(f.message ?? '')} |`
    )
  out.push('')
  if (failures.length > FAILURES_LISTED)
    out.push(`… and ${failures.length - FAILURES_LISTED} more failed ${noun}s not listed.`, '')
  if (failedWithoutEvent.length)
    out.push(
      `Failed with no hook error: ${someIds(failedWithoutEvent, IDS_NAMED)} (check that the CodeDeploy agent is running there).`,
      ''
    )
  failures
    .filter(f => f.logTail)
    .slice(0, LOG_TAILS_SHOWN)
    .forEach((f, i) => {
      out.push(
        `<details${i === 0 ? ' open' : ''}><summary>${f.instanceId} ${f.event} log tail</summary>`,
        '',
        '```',
        tailLines(f.logTail ?? '', 40),
        '```',
        '',
        '</details>',
        ''
      )
    })
  return out
}

/** The counts by status, each status with its first ids; the successes folded. */
export function countsSection(targets: readonly InstanceTarget[], server: boolean): string[] {
  const by = new Map<string, string[]>()
  for (const t of targets) {
    const status = t.status ?? 'Unknown'
    let ids = by.get(status)
    if (!ids) by.set(status, (ids = []))
    ids.push(name(t))
  }
  const order = ['Failed', 'Unknown', 'InProgress', 'Pending', 'Ready', 'Skipped', 'Succeeded']
  const statuses = [...by.keys()].sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99)
  )
  const noun = server ? 'instances' : 'targets'
  const out = [
    `### ${server ? 'Instances' : 'Targets'}`,
    '',
    `${targets.length} ${noun}: ${statuses.map(s => `${by.get(s)!.length} ${s}`).join(', ')}.`,
    ''
  ]
  for (const status of statuses)
    out.push(`- **${status}** (${by.get(status)!.length}): ${someIds(by.get(status)!, IDS_NAMED)}`)
  out.push('')
  return out
}

/**
 * The summary as it fits GitHub's step summary: whole when it does, else cut at a line (a code
 * block left open is closed) with a note that says so.
 */
export function fitSummary(markdown: string, budget = SUMMARY_BUDGET): string {
  const bytes = Buffer.byteLength(markdown)
  if (bytes <= budget) return markdown
  const note = `\n\n> ✂️ The summary was cut here: whole, it would take ${bytes} bytes, over GitHub's 1 MiB step-summary limit. The step's log has every failure.\n`
  const room = budget - Buffer.byteLength(note) - 8
  const lines = markdown.split('\n')
  const kept: string[] = []
  let used = 0
  let fenced = false
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1
    if (used + size > room) break
    kept.push(line)
    used += size
    if (line.startsWith('```')) fenced = !fenced
  }
  if (fenced) kept.push('```')
  return `${kept.join('\n')}${note}`
}

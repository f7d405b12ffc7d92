/**
 * Folding a large fleet: the count lines and when they are said, one line per failing instance
 * and none per success in the log, and a summary with the failures first, the successes counted,
 * always under GitHub's 1 MiB step-summary limit.
 */
import { describe, expect, it } from '@jest/globals'
import type { InstanceTarget } from '@aws-sdk/client-codedeploy'
import { CountLines, countLine } from '../src/engine/follow/fold.js'
import { TargetProgress } from '../src/engine/follow/progress.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { fitSummary, STEP_SUMMARY_LIMIT } from '../src/engine/tell/fleet-summary.js'
import { newRecord } from '../src/engine/tell/record.js'
import { renderSummary } from '../src/engine/tell/summary.js'

const EVENTS = ['ApplicationStop', 'DownloadBundle', 'Install', 'ValidateService']

function target(i: number, fail = false): InstanceTarget {
  const at = new Date(1_700_000_000_000 + i * 1000)
  return {
    targetId: `i-${String(i).padStart(4, '0')}`,
    status: fail ? 'Failed' : 'Succeeded',
    lifecycleEvents: EVENTS.map((name, n) => {
      const failed = fail && n === EVENTS.length - 1
      return {
        lifecycleEventName: name,
        status: failed ? 'Failed' : 'Succeeded',
        startTime: at,
        endTime: at,
        ...(failed
          ? {
              diagnostics: {
                errorCode: 'ScriptFailed',
                scriptName: 'scripts/validate.sh',
                message: 'failed with exit code 3',
                logTail: '[stderr]health check failed\n'
              }
            }
          : {})
      }
    })
  }
}

const fleet = (size: number, failing: number[] = []): InstanceTarget[] =>
  Array.from({ length: size }, (_, i) => target(i, failing.includes(i)))

describe('the count lines of a large fleet', () => {
  it('says the counts as succeeded of all, then what is not zero', () => {
    expect(countLine({ Succeeded: 412, Failed: 1, InProgress: 3, Pending: 584 })).toBe(
      '412/1000 succeeded, 1 failed, 3 in progress, 584 pending'
    )
  })

  it('says them at once, then at most every interval, and at the end whatever the interval', () => {
    const lines = new CountLines(12_000)
    expect(lines.next({ Pending: 1000 }, 0)).toBe('0/1000 succeeded, 1000 pending')
    expect(lines.next({ Succeeded: 100, Pending: 900 }, 5000)).toBeUndefined()
    expect(lines.pending).toBe('100/1000 succeeded, 900 pending')
    expect(lines.next({ Succeeded: 200, Pending: 800 }, 12_000)).toBe(
      '200/1000 succeeded, 800 pending'
    )
    expect(lines.next({ Succeeded: 200, Pending: 800 }, 30_000)).toBeUndefined()
    expect(lines.next({ Succeeded: 1000 }, 30_500, true)).toBe('1000/1000 succeeded')
  })
})

describe('the log of a large fleet', () => {
  it('has one line per failing instance and none per success', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    const targets = fleet(1000, [437])
    progress.update(targets.slice(0, 500), 1000)
    progress.update(targets, 1000)
    progress.settle(targets)
    const info = reporter.lines.filter(l => !l.startsWith('::debug::'))
    expect(info).toEqual([
      '  i-0437: ✗ ValidateService Failed (ScriptFailed) in 0.0s, after 3 events succeeded'
    ])
    expect(reporter.lines.filter(l => l.includes(': ✓'))).toHaveLength(999)
  })

  it('keeps a line per success for a small fleet', () => {
    const reporter = new RecordingReporter()
    new TargetProgress(reporter).update(fleet(10))
    expect(reporter.lines.filter(l => /^ {2}i-\d+: ✓/.test(l))).toHaveLength(10)
  })
})

describe('the summary of a large fleet', () => {
  function summary(targets: InstanceTarget[]): string {
    const record = newRecord('deploy', 'us-east-1')
    Object.assign(record, {
      outcome: 'succeeded',
      stage: 'deploy',
      application: 'shop',
      deploymentGroup: 'fleet',
      deployment: { id: 'd-FLEET1000', status: 'Succeeded', targets }
    })
    return renderSummary(record)
  }

  it('puts the failures first, counts the rest and names a few', () => {
    const text = summary(fleet(1000, [437]))
    const failures = text.indexOf('### ❌ Failed instances (1 of 1000)')
    expect(failures).toBeGreaterThan(0)
    expect(failures).toBeLessThan(text.indexOf('| Field | Value |'))
    expect(text).toContain(
      '| i-0437 | ValidateService | ScriptFailed | scripts/validate.sh | failed with exit code 3 |'
    )
    expect(text).toContain('health check failed')
    expect(text).toContain('1000 instances: 1 Failed, 999 Succeeded.')
    expect(text).toMatch(/- \*\*Succeeded\*\* \(999\): i-0000, .* … \(and 979 more\)/)
    expect(Buffer.byteLength(text)).toBeLessThan(20_000)
  })

  it('stays under 1 MiB when every instance of a large fleet fails with a long log', () => {
    const targets = fleet(
      5000,
      Array.from({ length: 5000 }, (_, i) => i)
    )
    for (const t of targets) t.lifecycleEvents!.at(-1)!.diagnostics!.message = 'x'.repeat(2000)
    const text = summary(targets)
    expect(Buffer.byteLength(text)).toBeLessThan(STEP_SUMMARY_LIMIT)
  })

  it('cuts an oversized summary at a line, closes an open code block and says so', () => {
    const big = ['## t', '```', ...Array.from({ length: 40_000 }, () => 'y'.repeat(40))].join('\n')
    const cut = fitSummary(big)
    expect(Buffer.byteLength(cut)).toBeLessThan(STEP_SUMMARY_LIMIT)
    expect(cut).toMatch(/```\n\n> ✂️ The summary was cut here/)
  })
})

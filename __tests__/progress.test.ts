import { describe, expect, it } from '@jest/globals'
import type { InstanceTarget, LifecycleErrorCode, LifecycleEvent } from '@aws-sdk/client-codedeploy'
import { elapsed, TargetProgress } from '../src/engine/follow/progress.js'
import { RecordingReporter } from '../src/engine/reporter.js'

const IN_PLACE = [
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService'
]

/** An event that ran from second `from` to second `to` of the deployment. */
function event(
  name: string,
  status: LifecycleEvent['status'],
  from = 0,
  to = from + 1,
  errorCode?: LifecycleErrorCode
): LifecycleEvent {
  return {
    lifecycleEventName: name,
    status,
    ...(status !== 'Pending' && status !== 'Skipped' ? { startTime: new Date(from * 1000) } : {}),
    ...(status !== 'Pending' && status !== 'Skipped' && status !== 'InProgress'
      ? { endTime: new Date(to * 1000) }
      : {}),
    ...(errorCode ? { diagnostics: { errorCode } } : {})
  }
}

/** An in-place instance whose first `done` events succeeded, one second each, then `rest`. */
function instance(
  id: string,
  done: number,
  rest: LifecycleEvent['status'] = 'Pending',
  extra: Partial<InstanceTarget> = {}
): InstanceTarget {
  return {
    targetId: id,
    lifecycleEvents: [
      event('BeforeBlockTraffic', 'Skipped'),
      ...IN_PLACE.map((name, i) =>
        event(name, i < done ? 'Succeeded' : i === done ? rest : 'Pending', i, i + 1)
      ),
      event('AllowTraffic', 'Skipped')
    ],
    ...extra
  }
}

const info = (r: RecordingReporter): string[] => r.lines.filter(l => !l.startsWith('::debug::'))
const debug = (r: RecordingReporter): string[] => r.lines.filter(l => l.startsWith('::debug::'))

describe('the log of lifecycle events', () => {
  it('gives an instance whose events all succeed one line, once, when it is done', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    progress.update([instance('i-1', 3, 'InProgress'), instance('i-2', 0)])
    expect(info(reporter)).toEqual([])
    progress.update([instance('i-1', 7), instance('i-2', 2)])
    progress.update([instance('i-1', 7), instance('i-2', 7)])
    progress.update([instance('i-1', 7), instance('i-2', 7)])
    progress.settle([instance('i-1', 7), instance('i-2', 7)])
    expect(info(reporter)).toEqual([
      '  i-1: ✓ 7 events succeeded in 7.0s (ApplicationStop … ValidateService)',
      '  i-2: ✓ 7 events succeeded in 7.0s (ApplicationStop … ValidateService)'
    ])
  })

  it('puts every event that ran at debug, as it starts and as it ends, once each', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    progress.update([instance('i-1', 2, 'InProgress')])
    progress.update([instance('i-1', 2, 'InProgress')])
    progress.update([instance('i-1', 7)])
    expect(debug(reporter)).toEqual([
      '::debug::  i-1: ApplicationStop Succeeded in 1.0s',
      '::debug::  i-1: DownloadBundle Succeeded in 1.0s',
      '::debug::  i-1: BeforeInstall started',
      '::debug::  i-1: BeforeInstall Succeeded in 1.0s',
      '::debug::  i-1: Install Succeeded in 1.0s',
      '::debug::  i-1: AfterInstall Succeeded in 1.0s',
      '::debug::  i-1: ApplicationStart Succeeded in 1.0s',
      '::debug::  i-1: ValidateService Succeeded in 1.0s'
    ])
  })

  it('prints a failed event at once with its error code and what succeeded before it', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    const failed = instance('i-1', 6)
    failed.lifecycleEvents![7] = event('ValidateService', 'Failed', 6, 9, 'ScriptFailed')
    progress.update([failed, instance('i-2', 0)])
    expect(info(reporter)).toEqual([
      '  i-1: ✗ ValidateService Failed (ScriptFailed) in 3.0s, after 6 events succeeded'
    ])
    // The failure is its last word: neither a summary nor a progress line follows.
    progress.update([failed])
    progress.settle([failed])
    expect(info(reporter)).toHaveLength(1)
  })

  it('prints a timed-out script the same way, naming ScriptTimedOut', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    const target: InstanceTarget = {
      targetId: 'i-1',
      lifecycleEvents: [event('ApplicationStop', 'Failed', 0, 3600, 'ScriptTimedOut')]
    }
    progress.update([target])
    expect(info(reporter)).toEqual(['  i-1: ✗ ApplicationStop Failed (ScriptTimedOut) in 1h00m'])
  })

  it('says how far each unfinished instance got when following stops', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    const targets = [instance('i-1', 7), instance('i-2', 3, 'InProgress'), instance('i-3', 0)]
    progress.update(targets)
    progress.settle(targets)
    expect(info(reporter)).toEqual([
      '  i-1: ✓ 7 events succeeded in 7.0s (ApplicationStop … ValidateService)',
      '  i-2: 3 of 7 events succeeded in 3.0s (ApplicationStop … BeforeInstall); Install still running'
    ])
  })

  it('says so when a target failed without a failed event', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    const lost = instance('i-1', 2, 'InProgress', { status: 'Failed' })
    progress.update([lost])
    progress.settle([lost])
    expect(info(reporter)).toEqual([
      '  i-1: ✗ Failed, after 2 of 7 events succeeded in 2.0s (ApplicationStop … DownloadBundle)'
    ])
  })

  it('names blue/green sides and says what comes next for a replacement waiting at Ready', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    const green: InstanceTarget = {
      targetId: 'i-9',
      instanceLabel: 'Green',
      status: 'Ready',
      lifecycleEvents: [
        ...IN_PLACE.map((name, i) => event(name, 'Succeeded', i, i + 1)),
        event('BeforeAllowTraffic', 'Pending'),
        event('AllowTraffic', 'Pending'),
        event('AfterAllowTraffic', 'Pending')
      ]
    }
    const blue: InstanceTarget = {
      targetId: 'i-1',
      instanceLabel: 'Blue',
      lifecycleEvents: [
        event('BeforeBlockTraffic', 'Succeeded', 10, 11),
        event('BlockTraffic', 'Succeeded', 11, 75),
        event('AfterBlockTraffic', 'Succeeded', 75, 76)
      ]
    }
    progress.update([green])
    progress.settle([green])
    progress.update([blue])
    expect(info(reporter)).toEqual([
      '  i-9 (replacement): 7 of 10 events succeeded in 7.0s (ApplicationStop … ValidateService); BeforeAllowTraffic next',
      '  i-1 (original): ✓ 3 events succeeded in 1m06s (BeforeBlockTraffic … AfterBlockTraffic)'
    ])
  })

  it('reads well for an ECS service and a Lambda function', () => {
    const reporter = new RecordingReporter()
    const progress = new TargetProgress(reporter)
    progress.update([
      {
        targetId: 'prod:web',
        lifecycleEvents: [
          event('BeforeInstall', 'Succeeded', 0, 1),
          event('Install', 'Succeeded', 1, 40),
          event('AllowTraffic', 'Succeeded', 40, 640)
        ]
      },
      { targetId: 'checkout:live', lifecycleEvents: [event('AllowTraffic', 'Succeeded', 0, 600)] }
    ])
    expect(info(reporter)).toEqual([
      '  prod:web: ✓ 3 events succeeded in 10m40s (BeforeInstall … AllowTraffic)',
      '  checkout:live: ✓ AllowTraffic succeeded in 10m00s'
    ])
  })
})

describe('elapsed', () => {
  it('keeps a tenth of a second under a minute, then minutes and hours', () => {
    expect(elapsed(0)).toBe('0.0s')
    expect(elapsed(3240)).toBe('3.2s')
    expect(elapsed(59_940)).toBe('59.9s')
    expect(elapsed(125_000)).toBe('2m05s')
    expect(elapsed(3_720_000)).toBe('1h02m')
  })
})

import { gatewayOver } from './helpers/gateway.js'
import { describe, expect, it } from '@jest/globals'
import type {
  CodeDeployClient,
  DeploymentInfo,
  InstanceTarget,
  LifecycleEvent
} from '@aws-sdk/client-codedeploy'
import { InputError } from '../src/engine/errors.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { waitForDeployment } from '../src/engine/follow/watch.js'
import { type Clock } from '../src/engine/clock.js'

/** A clock whose sleep moves time forward at once, so the loop never really waits. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    after: (ms: number) => AbortSignal.timeout(Math.max(0, ms)),
    sleep: ms => {
      slept.push(ms)
      now += ms
      return Promise.resolve()
    }
  }
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })
}

type Step = DeploymentInfo | Error

/** A CodeDeploy stand-in answering GetDeployment from a script and targets from a fixed list. */
function scriptedClient(
  steps: Step[],
  targetsFor: InstanceTarget[] | ((poll: number) => InstanceTarget[]) = []
) {
  const calls: string[] = []
  let i = 0
  const current = (): InstanceTarget[] =>
    typeof targetsFor === 'function' ? targetsFor(i) : targetsFor
  const client = {
    send: (command: { constructor: { name: string } }) => {
      const op = command.constructor.name
      calls.push(op)
      if (op === 'GetDeploymentCommand') {
        const step = steps[Math.min(i++, steps.length - 1)]!
        if (step instanceof Error) return Promise.reject(step)
        return Promise.resolve({ deploymentInfo: step })
      }
      if (op === 'ListDeploymentTargetsCommand') {
        return Promise.resolve({ targetIds: current().map(t => t.targetId) })
      }
      if (op === 'BatchGetDeploymentTargetsCommand') {
        return Promise.resolve({
          deploymentTargets: current().map(t => ({
            deploymentTargetType: 'InstanceTarget',
            instanceTarget: t
          }))
        })
      }
      return Promise.reject(new Error(`unexpected ${op}`))
    }
  }
  return { client: client as unknown as CodeDeployClient, calls }
}

const inProgress: DeploymentInfo = {
  deploymentId: 'd-AAAAAAAAA',
  status: 'InProgress',
  deploymentOverview: { InProgress: 1, Pending: 1 }
}
const succeeded: DeploymentInfo = {
  deploymentId: 'd-AAAAAAAAA',
  status: 'Succeeded',
  deploymentOverview: { Succeeded: 2 }
}

describe('waitForDeployment', () => {
  it('keeps waiting through throttling and 5xx, then reports the end', async () => {
    const clock = fakeClock()
    const reporter = new RecordingReporter()
    const { client } = scriptedClient([
      inProgress,
      awsError('ThrottlingException', 400),
      awsError('ThrottlingException', 400),
      awsError('InternalFailure', 500),
      awsError('ThrottlingException', 400),
      succeeded
    ])
    const outcome = await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter,
      clock,
      deadline: clock.now() + 600_000
    })
    expect(outcome.kind).toBe('finished')
    expect(outcome.deployment?.status).toBe('Succeeded')
    expect(
      reporter.annotations
        .filter(a => a.level === 'warning')
        .map(w => w.message)
        .join('\n')
    ).toMatch(/status checks in a row/)
    // the pause grows while CodeDeploy throttles
    expect(Math.max(...clock.slept)).toBeGreaterThan(clock.slept[0]!)
  })

  it('ends at once on AccessDenied with the permission to grant', async () => {
    const clock = fakeClock()
    const { client, calls } = scriptedClient([awsError('AccessDeniedException', 400), succeeded])
    await expect(
      waitForDeployment('d-AAAAAAAAA', {
        gateway: gatewayOver(client, clock),
        reporter: new RecordingReporter(),
        clock,
        deadline: clock.now() + 600_000
      })
    ).rejects.toThrow(InputError)
    expect(calls.filter(c => c === 'GetDeploymentCommand')).toHaveLength(1)
  })

  it('ends on an unknown permanent error instead of retrying it', async () => {
    const clock = fakeClock()
    const { client } = scriptedClient([awsError('DeploymentDoesNotExistException', 400)])
    await expect(
      waitForDeployment('d-AAAAAAAAA', {
        gateway: gatewayOver(client, clock),
        reporter: new RecordingReporter(),
        clock,
        deadline: clock.now() + 600_000
      })
    ).rejects.toMatchObject({ name: 'DeploymentDoesNotExistException' })
  })

  it('returns timeout at the deadline with the last state seen', async () => {
    const clock = fakeClock()
    const { client } = scriptedClient([inProgress])
    const outcome = await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter: new RecordingReporter(),
      clock,
      deadline: clock.now() + 30_000
    })
    expect(outcome.kind).toBe('timeout')
    expect(outcome.deployment?.status).toBe('InProgress')
  })

  it('returns cancelled when the signal aborts', async () => {
    const clock = fakeClock()
    const controller = new AbortController()
    const { client } = scriptedClient([inProgress])
    const realSleep = clock.sleep.bind(clock)
    clock.sleep = (ms, signal) => {
      controller.abort()
      return realSleep(ms, signal)
    }
    const outcome = await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter: new RecordingReporter(),
      clock,
      deadline: clock.now() + 600_000,
      signal: controller.signal
    })
    expect(outcome.kind).toBe('cancelled')
  })

  it('reports status changes and counts, and an instance whose events succeeded in one line', async () => {
    const clock = fakeClock()
    const reporter = new RecordingReporter()
    const start = new Date(1_000_000)
    const targets: InstanceTarget[] = [
      {
        targetId: 'i-1',
        status: 'Succeeded',
        lifecycleEvents: [
          {
            lifecycleEventName: 'BeforeInstall',
            status: 'Succeeded',
            startTime: start,
            endTime: new Date(1_002_500)
          },
          { lifecycleEventName: 'BlockTraffic', status: 'Skipped' }
        ]
      }
    ]
    const { client } = scriptedClient([inProgress, inProgress, succeeded], targets)
    await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter,
      clock,
      deadline: clock.now() + 600_000
    })
    const log = reporter.lines.join('\n')
    expect(log).toMatch(/d-AAAAAAAAA: InProgress/)
    expect(log).toMatch(/d-AAAAAAAAA: InProgress → Succeeded/)
    expect(log).toMatch(/Instances: 1 in progress, 1 pending/)
    expect(log).toMatch(/Instances: 2 succeeded/)
    expect(log.match(/^ {2}i-1: ✓ BeforeInstall succeeded in 2\.5s$/gm)).toHaveLength(1)
    // The event itself, once, at debug; the skipped one nowhere.
    expect(log.match(/^::debug:: {2}i-1: BeforeInstall Succeeded in 2\.5s$/gm)).toHaveLength(1)
    expect(log).not.toMatch(/BlockTraffic/)
  })

  it("prints an instance's last line before the final status", async () => {
    const clock = fakeClock()
    const reporter = new RecordingReporter()
    const event = (status: 'InProgress' | 'Succeeded'): LifecycleEvent => ({
      lifecycleEventName: 'ValidateService',
      status,
      startTime: new Date(1_000_000),
      ...(status === 'Succeeded' ? { endTime: new Date(1_001_000) } : {})
    })
    // Polls 1 and 2 see ValidateService running; poll 3 sees it done and the deployment over.
    const { client } = scriptedClient([inProgress, inProgress, succeeded], poll => [
      {
        targetId: 'i-1',
        status: poll < 3 ? 'InProgress' : 'Succeeded',
        lifecycleEvents: [event(poll < 3 ? 'InProgress' : 'Succeeded')]
      }
    ])
    await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter,
      clock,
      deadline: clock.now() + 600_000
    })
    const lines = reporter.lines
    const eventAt = lines.findIndex(l => /^ {2}i-1: ✓ ValidateService succeeded/.test(l))
    const statusAt = lines.findIndex(l => /InProgress → Succeeded/.test(l))
    expect(eventAt).toBeGreaterThanOrEqual(0)
    expect(statusAt).toBeGreaterThan(eventAt)
  })

  it('prints a failed event as soon as it is seen, and how far the other instances got', async () => {
    const clock = fakeClock()
    const reporter = new RecordingReporter()
    const ok = (name: string): LifecycleEvent => ({
      lifecycleEventName: name,
      status: 'Succeeded',
      startTime: new Date(1_000_000),
      endTime: new Date(1_001_000)
    })
    // Poll 2 sees i-1's hook fail while the deployment is still in progress and i-2 is installing;
    // poll 3 sees the deployment failed, i-2 stopped where it was.
    const oneFailed = { ...inProgress, deploymentOverview: { InProgress: 1, Failed: 1 } }
    const { client } = scriptedClient(
      [inProgress, oneFailed, { ...oneFailed, status: 'Failed' }],
      poll => [
        {
          targetId: 'i-1',
          lifecycleEvents: [
            ok('BeforeInstall'),
            poll < 2
              ? { lifecycleEventName: 'ValidateService', status: 'InProgress' }
              : {
                  ...ok('ValidateService'),
                  status: 'Failed',
                  diagnostics: { errorCode: 'ScriptFailed' }
                }
          ]
        },
        {
          targetId: 'i-2',
          lifecycleEvents: [
            ok('BeforeInstall'),
            { lifecycleEventName: 'ValidateService', status: 'InProgress' }
          ]
        }
      ]
    )
    const lines: string[] = []
    let polls = 0
    const outcome = await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter,
      clock,
      deadline: clock.now() + 600_000,
      minIntervalMs: 1,
      onUpdate: () => {
        if (++polls === 3) lines.push(...reporter.lines)
      }
    })
    expect(outcome.deployment?.status).toBe('Failed')
    const failure =
      '  i-1: ✗ ValidateService Failed (ScriptFailed) in 1.0s, after 1 event succeeded'
    // Printed by the second poll, before the third read the deployment's end.
    expect(lines).toContain(failure)
    const log = reporter.lines.filter(l => !l.startsWith('::debug::'))
    expect(log.slice(-2)).toEqual([
      '  i-2: 1 of 2 events succeeded in 1.0s (BeforeInstall); ValidateService still running',
      'd-AAAAAAAAA: InProgress → Failed'
    ])
    expect(log.filter(l => l === failure)).toHaveLength(1)
  })

  it('reads an ECS target again every few beats while traffic shifts, not on every poll', async () => {
    const clock = fakeClock()
    const reporter = new RecordingReporter()
    const shifting: DeploymentInfo = {
      ...inProgress,
      computePlatform: 'ECS',
      deploymentOverview: { InProgress: 1 }
    }
    const steps = [
      ...Array<DeploymentInfo>(30).fill(shifting),
      {
        ...succeeded,
        computePlatform: 'ECS',
        deploymentOverview: { Succeeded: 1 }
      }
    ]
    const calls: string[] = []
    let polls = 0
    const client = {
      send: (command: { constructor: { name: string } }) => {
        const op = command.constructor.name
        calls.push(op)
        if (op === 'GetDeploymentCommand')
          return Promise.resolve({ deploymentInfo: steps[Math.min(polls++, steps.length - 1)] })
        if (op === 'ListDeploymentTargetsCommand')
          return Promise.resolve({ targetIds: ['prod:web'] })
        // Traffic moves 10 points every 3 polls, up to 100.
        const weight = Math.min(100, 10 * Math.ceil(polls / 3))
        return Promise.resolve({
          deploymentTargets: [
            {
              ecsTarget: {
                targetId: 'prod:web',
                status: polls > 30 ? 'Succeeded' : 'InProgress',
                taskSetsInfo: [{ taskSetLabel: 'Green', identifer: 'ts-2', trafficWeight: weight }]
              }
            }
          ]
        })
      }
    } as unknown as CodeDeployClient
    await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter,
      clock,
      deadline: clock.now() + 600_000,
      targetsLabel: 'Targets'
    })
    const reads = calls.filter(c => c === 'BatchGetDeploymentTargetsCommand').length
    const traffic = reporter.lines.filter(l => l.startsWith('Traffic: '))
    // Traffic is shown as it moves, from a read every few beats, and at the end.
    expect(traffic.length).toBeGreaterThanOrEqual(3)
    expect(traffic.at(-1)).toBe('Traffic: 100% on the replacement task set ts-2')
    expect(reads).toBeLessThan(10)
    expect(calls.filter(c => c === 'ListDeploymentTargetsCommand')).toHaveLength(1)
  })

  it('stays within its allowance (0.4 calls/s, two minutes free), its last read included, while counts change on every poll', async () => {
    const clock = fakeClock()
    // 40 polls of a fleet of 40, each with new counts; no instance finishes until the end.
    const steps: DeploymentInfo[] = Array.from({ length: 40 }, (_, i) => ({
      ...inProgress,
      deploymentOverview: { Pending: 40 - i, InProgress: i }
    }))
    const fleet: InstanceTarget[] = Array.from({ length: 40 }, (_, i) => ({
      targetId: `i-${String(i).padStart(2, '0')}`,
      status: 'InProgress',
      lifecycleEvents: []
    }))
    const { client, calls } = scriptedClient(
      [...steps, { ...succeeded, deploymentOverview: { Succeeded: 40 } }],
      fleet
    )
    const started = clock.now()
    await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter: new RecordingReporter(),
      clock,
      deadline: clock.now() + 600_000
    })
    const seconds = (clock.now() - started) / 1000
    expect(calls.length).toBeLessThanOrEqual(0.4 * Math.max(seconds, 120))
    // Listed once; read on the way too (25 a time), not only at the end.
    expect(calls.filter(c => c === 'ListDeploymentTargetsCommand')).toHaveLength(1)
    expect(calls.filter(c => c === 'BatchGetDeploymentTargetsCommand').length).toBeGreaterThan(2)
  })

  it("counts the run's calls before the watch, yet reads the deployment within 2 s", async () => {
    const clock = fakeClock()
    const since = clock.now()
    // The run's checks and its CreateDeployment, made as it began.
    const before = 4
    const fleet: InstanceTarget[] = [
      { targetId: 'i-1', status: 'Succeeded', lifecycleEvents: [] },
      { targetId: 'i-2', status: 'Succeeded', lifecycleEvents: [] }
    ]
    const { client, calls } = scriptedClient([inProgress, inProgress, succeeded], fleet)
    await waitForDeployment('d-AAAAAAAAA', {
      gateway: gatewayOver(client, clock),
      reporter: new RecordingReporter(),
      clock,
      deadline: clock.now() + 600_000,
      budget: { since, spent: () => before + calls.length }
    })
    expect(clock.slept[0]).toBeLessThanOrEqual(2000)
    expect(calls.filter(c => c === 'GetDeploymentCommand')).toHaveLength(3)
    // Within the first 10 s: the calls before, the reads and the last read of the targets.
    expect(clock.now() - since).toBeLessThan(10_000)
    expect(before + calls.length).toBeLessThanOrEqual(10)
  })
})

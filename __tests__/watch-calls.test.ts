/**
 * What following a deployment costs in CodeDeploy calls, counted per operation by the local
 * emulator: the targets are listed once and read again only when the deployment says they changed,
 * throttling slows the watch down (said once) rather than ending it, and a failure still ends with
 * everything the diagnosis needs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetApplicationCommand
} from '@aws-sdk/client-codedeploy'
import type { S3Client } from '@aws-sdk/client-s3'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import { gatewayOver } from './helpers/gateway.js'
import { countCalls } from '../src/engine/aws/call-count.js'
import { diagnose } from '../src/engine/tell/diagnose.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { waitForDeployment } from '../src/engine/follow/watch.js'
import { systemClock, type Clock } from '../src/engine/clock.js'
import { appspec, putRevision, s3Client, script, type Tree } from './helpers/revisions.js'

const BUCKET = 'revisions'
/** The pace's unit in these tests (1 s by default): a 1.5 s hook lasts ~75 of them. */
const BEAT_MS = 20
let stack: LocalStack
let s3: S3Client
let client: CodeDeployClient
let keyCounter = 0

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: [BUCKET],
    stepDelayMs: 5,
    config: {
      applications: [
        {
          name: 'web',
          deploymentGroups: [
            { name: 'quiet', instances: 1 },
            { name: 'fleet', instances: 3, deploymentConfig: 'CodeDeployDefault.OneAtATime' },
            { name: 'throttled', instances: 1 }
          ]
        }
      ]
    }
  })
  s3 = s3Client(stack.s3.endpoint)
  // One attempt per call: the watch itself sees every throttle.
  client = new CodeDeployClient({
    region: 'us-east-1',
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1
  })
})

afterAll(async () => {
  client.destroy()
  s3.destroy()
  await stack.close()
})

afterEach(() => stack.codedeploy.faults.clear())

/** A revision whose ValidateService hook runs `validate`. */
function revision(validate: string): Tree {
  return {
    'appspec.yml': appspec({ ValidateService: [{ location: 'validate.sh', timeout: 30 }] }),
    'site/index.html': 'hello',
    'validate.sh': script(validate)
  }
}

/** The real clock, remembering each pause the watch asks for. */
function recordingClock(): Clock & { pauses: number[] } {
  const pauses: number[] = []
  return {
    pauses,
    now: () => systemClock.now(),
    after: (ms: number) => AbortSignal.timeout(Math.max(0, ms)),
    sleep: (ms, signal) => {
      pauses.push(ms)
      return systemClock.sleep(ms, signal)
    }
  }
}

/** Deploys `tree` to `group` and follows it; returns the outcome and the calls it took. */
async function follow(group: string, tree: Tree, clock: Clock = systemClock) {
  const s3Location = await putRevision(s3, BUCKET, `rev-${++keyCounter}.zip`, tree)
  const { deploymentId } = await client.send(
    new CreateDeploymentCommand({
      applicationName: 'web',
      deploymentGroupName: group,
      revision: { revisionType: 'S3', s3Location }
    })
  )
  const from = stack.codedeploy.calls.length
  const reporter = new RecordingReporter()
  const outcome = await waitForDeployment(deploymentId!, {
    gateway: gatewayOver(client),
    reporter,
    clock,
    deadline: Date.now() + 60_000,
    minIntervalMs: BEAT_MS
  })
  await stack.codedeploy.idle()
  const calls = stack.codedeploy.callCounts(from)
  return { outcome, calls, log: reporter.lines.join('\n'), reporter }
}

describe('the calls the watch makes', () => {
  it('lists the targets once and does not read them on every poll while nothing changes', async () => {
    const { outcome, calls, log } = await follow('quiet', revision('sleep 1.5'))
    expect(outcome.kind).toBe('finished')
    expect(outcome.deployment?.status).toBe('Succeeded')
    // Dozens of reads of the deployment over the quiet hook…
    expect(calls.GetDeployment).toBeGreaterThanOrEqual(20)
    // …but the target is listed once, and read only when the counts moved and at the end.
    expect(calls.ListDeploymentTargets).toBe(1)
    expect(calls.BatchGetDeploymentTargets).toBeLessThanOrEqual(3)
    // What the user sees is the same: the instance's events in one line, before the end.
    expect(log).toMatch(/^ {2}i-\w+: ✓ \d+ events succeeded in [\d.]+s \(.* … ValidateService\)$/m)
    const events = outcome.targets[0]?.lifecycleEvents ?? []
    expect(events.filter(e => e.status !== 'Skipped').map(e => e.status)).toEqual(
      events.filter(e => e.status !== 'Skipped').map(() => 'Succeeded')
    )
  })

  it('lists a fleet once and ends with every instance read, the last read only those not done', async () => {
    const { outcome, calls, log } = await follow('fleet', revision('sleep 0.3'))
    expect(outcome.deployment?.status).toBe('Succeeded')
    expect(calls.ListDeploymentTargets).toBe(1)
    expect(outcome.targets).toHaveLength(3)
    expect(log.match(/^ {2}i-\w+: ✓ /gm)).toHaveLength(3)
    // Every instance is read, each only while not done: the last read takes those not seen done.
    const reads = stack.codedeploy.calls
      .filter(
        c =>
          c.operation === 'BatchGetDeploymentTargets' &&
          c.input.deploymentId === outcome.deployment?.deploymentId
      )
      .map(c => c.input.targetIds as string[])
    expect(new Set(reads.flat()).size).toBe(3)
    expect(reads.at(-1)!.length).toBeLessThan(3)
    expect(outcome.targets.every(t => t.status === 'Succeeded')).toBe(true)
  })

  it('slows down while CodeDeploy throttles, says so once, and still sees the end', async () => {
    stack.codedeploy.faults.set({ throttleNext: 4, operations: ['GetDeployment'] })
    const clock = recordingClock()
    const { outcome, reporter, log } = await follow('throttled', revision('sleep 0.5'), clock)
    expect(outcome.kind).toBe('finished')
    expect(outcome.deployment?.status).toBe('Succeeded')
    expect(stack.codedeploy.faults.counts.throttled).toBeGreaterThanOrEqual(4)
    expect(log.match(/CodeDeploy is throttling/g)).toHaveLength(1)
    expect(reporter.annotations.filter(a => a.level === 'warning')).toEqual([])
    // After four throttles in a row the pause is several beats long.
    expect(Math.max(...clock.pauses)).toBeGreaterThan(4 * BEAT_MS)
  })

  it('ends a failed deployment with the failing hook, its error code and its log tail', async () => {
    const { outcome, log } = await follow(
      'fleet',
      revision('echo "port 8080 closed" >&2; sleep 0.2; exit 3')
    )
    expect(outcome.deployment?.status).toBe('Failed')
    expect(log).toMatch(/^ {2}i-\w+: ✗ ValidateService Failed \(ScriptFailed\)/m)
    const diagnosis = diagnose(outcome.deployment!, outcome.targets)
    expect(diagnosis.headline).toMatch(/ValidateService failed on i-\w+ with ScriptFailed/)
    expect(diagnosis.failures[0]?.logTail).toContain('port 8080 closed')
  })

  it('are counted per operation over HTTP too, for a stack run by hand', async () => {
    const answer = await fetch(`${stack.codedeploy.endpoint}/_emulator/calls`)
    const counts = (await answer.json()) as Record<string, number>
    expect(counts).toEqual(stack.codedeploy.callCounts())
    expect(counts.CreateDeployment).toBeGreaterThanOrEqual(4)
  })

  it("share one budget with the run's calls before the watch, SDK retries counted", async () => {
    // A client that retries: the run's count sees each attempt, as the emulator does.
    const retrying = new CodeDeployClient({
      region: 'us-east-1',
      endpoint: stack.codedeploy.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 3
    })
    const count = countCalls(retrying)!
    const since = Date.now()
    const from = stack.codedeploy.calls.length
    try {
      const s3Location = await putRevision(
        s3,
        BUCKET,
        `rev-${++keyCounter}.zip`,
        revision('exit 0')
      )
      stack.codedeploy.faults.set({ throttleNext: 2, operations: ['GetApplication'] })
      await retrying.send(new GetApplicationCommand({ applicationName: 'web' }))
      const { deploymentId } = await retrying.send(
        new CreateDeploymentCommand({
          applicationName: 'web',
          deploymentGroupName: 'quiet',
          revision: { revisionType: 'S3', s3Location }
        })
      )
      expect(count.total).toBe(4)
      await waitForDeployment(deploymentId!, {
        gateway: gatewayOver(retrying),
        reporter: new RecordingReporter(),
        clock: systemClock,
        deadline: Date.now() + 60_000,
        minIntervalMs: BEAT_MS,
        budget: { since, spent: () => count.total }
      })
      await stack.codedeploy.idle()
      const seen = Object.values(stack.codedeploy.callCounts(from)).reduce((a, b) => a + b, 0)
      expect(count.total).toBe(seen)
      // Within the pace's allowance in units of the 20 ms beat, the four calls before included:
      // at most 0.4 calls a unit, two minutes' worth free (pace.test.ts checks the window).
      const units = (Date.now() - since) / BEAT_MS
      expect(count.total).toBeLessThanOrEqual(0.4 * Math.max(units, 120))
      // Stopped at the run's end: the client's later calls are not counted.
      const total = count.total
      count.stop()
      await retrying.send(new GetApplicationCommand({ applicationName: 'web' }))
      expect(count.total).toBe(total)
    } finally {
      count.stop()
      retrying.destroy()
    }
  })
})

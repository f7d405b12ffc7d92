/**
 * Sustained throttling before the deployment exists, against the local stack through the real
 * SDK: the emulator throttles 30 % of every CodeDeploy call and the S3 front 30 % of the action's
 * S3 calls for the whole run, and runs go 4 at a time, as a busy account's would. Every check
 * (application, group, config, the superseded guard, the bucket, the upload, the revision's
 * registration) and CreateDeployment ride it out: each run ends with its true outcome, its
 * deployment created exactly once. Then two paths between runs under the same throttling: two
 * runs at once on one group, and an older run that arrives while a newer one deploys.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { CallRecord } from '../local/emulator/server.js'
import { hostRun, runOf, useStackEnv, type HostRun } from './helpers/host-run.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const GROUPS = ['t1', 't2', 't3', 't4']
const ROUNDS = 5
const RATE = 0.3
/** The S3 calls the action makes; the instances' downloads (GetObject) are left alone. */
const ACTION_S3 = [
  'HeadBucket',
  'HeadObject',
  'PutObject',
  'ListMultipartUploads',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload'
]

const world = useTestStack({
  groups: Object.fromEntries([...GROUPS, 'shared', 'guarded'].map(g => [g, 1])),
  stepDelayMs: 1
})
useStackEnv(() => world.env)

beforeEach(() => {
  world.stack.codedeploy.faults.set({ throttleRate: RATE })
  world.stack.s3.faults.set({ throttleRate: RATE, operations: ACTION_S3 })
})
afterEach(() => {
  world.stack.codedeploy.faults.clear()
  world.stack.s3.faults.clear()
})

async function inputs(group: string, tree: Parameters<typeof world.source>[0]) {
  return {
    application: APPLICATION,
    'deployment-group': group,
    'deployment-config': 'CodeDeployDefault.OneAtATime',
    bucket: BUCKET,
    source: await world.source(tree)
  }
}

const version = (group: string): Promise<string> => world.installed(group, 'srv/app/version.txt')

/** The emulator's calls from index `from` on. */
const callsSince = (from: number): CallRecord[] => world.stack.codedeploy.calls.slice(from)

/** CreateDeployment calls that created a deployment, in `group`. */
const created = (calls: CallRecord[], group: string): CallRecord[] =>
  calls.filter(
    c =>
      c.operation === 'CreateDeployment' &&
      c.status === 200 &&
      c.input.deploymentGroupName === group
  )

const deploymentsOf = (group: string) =>
  [...world.stack.codedeploy.service.deployments.values()].filter(
    d => d.deploymentGroupName === group
  )

/** What a run that did not end as it should said, for the failure message. */
const why = (run: HostRun): string =>
  `${run.record.outcome ?? '?'}: ${run.record.error?.message ?? ''}\n${run.log.slice(-2000)}`

function expectNoRateExceeded(runs: HostRun[]): void {
  for (const run of runs) {
    expect(run.log).not.toContain('Rate exceeded')
    expect(run.record.error?.message ?? '').not.toContain('Rate exceeded')
  }
}

/** Waits until `ready()` holds, checking every 20 ms. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise(resolve => setTimeout(resolve, 20))
}

describe('30 % of CodeDeploy and S3 calls throttled for the whole run', () => {
  it(`${ROUNDS * GROUPS.length} runs, ${GROUPS.length} at a time: every one ends true, its deployment created once`, async () => {
    const from = world.stack.codedeploy.calls.length
    const s3From = world.stack.s3.requests.length
    const before = {
      codedeploy: world.stack.codedeploy.faults.counts.throttled,
      s3: world.stack.s3.faults.counts.throttled
    }
    const started = Date.now()
    const runs: HostRun[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const sources = await Promise.all(
        GROUPS.map(group => inputs(group, release(`${group}-r${round}`)))
      )
      const ended = await Promise.all(
        GROUPS.map((_, i) => hostRun(sources[i]!, world.workspace, runOf(round * 10 + i)))
      )
      for (const run of ended)
        expect({ passed: run.passed, why: why(run) }).toMatchObject({ passed: true })
      for (const group of GROUPS) expect(await version(group)).toBe(`${group}-r${round}`)
      runs.push(...ended)
    }
    const took = Date.now() - started

    expect(runs.filter(r => r.passed && r.outputs.status === 'Succeeded')).toHaveLength(20)
    expectNoRateExceeded(runs)
    // Each run's deployment was created once: as many successful creates as runs, one per round
    // in each group, every deployment the id a run reported and followed to Succeeded.
    const calls = callsSince(from)
    const ids = runs.map(r => r.outputs['deployment-id'])
    expect(new Set(ids).size).toBe(runs.length)
    for (const group of GROUPS) {
      expect(created(calls, group)).toHaveLength(ROUNDS)
      const deployments = deploymentsOf(group)
      expect(deployments).toHaveLength(ROUNDS)
      for (const d of deployments) {
        expect(ids).toContain(d.deploymentId)
        expect(d.status).toBe('Succeeded')
      }
    }

    // The throttling happened, on the checks before CreateDeployment and on CreateDeployment.
    const throttled: Record<string, number> = {}
    for (const c of calls)
      if (c.errorType === 'ThrottlingException')
        throttled[c.operation] = (throttled[c.operation] ?? 0) + 1
    const checks = [
      'GetApplication',
      'GetDeploymentGroup',
      'GetDeploymentConfig',
      'ListDeployments',
      'BatchGetDeployments',
      'RegisterApplicationRevision'
    ]
    expect(checks.reduce((sum, op) => sum + (throttled[op] ?? 0), 0)).toBeGreaterThan(20)
    expect(throttled.CreateDeployment ?? 0).toBeGreaterThan(0)
    const s3Throttled = world.stack.s3.requests.slice(s3From).filter(r => r.status === 503)
    const counts = {
      codedeploy: world.stack.codedeploy.faults.counts.throttled - before.codedeploy,
      s3: world.stack.s3.faults.counts.throttled - before.s3
    }
    expect(counts.codedeploy).toBeGreaterThan(50)
    expect(counts.s3).toBeGreaterThan(10)
    expect(s3Throttled.length).toBe(counts.s3)
    console.log(
      `${runs.filter(r => r.passed).length} of ${runs.length} runs true in ${took} ms; ` +
        `throttled: CodeDeploy ${counts.codedeploy} of ${calls.length} calls ` +
        `(${JSON.stringify(throttled)}), S3 ${counts.s3} of ${world.stack.s3.requests.length - s3From} requests`
    )
  }, 300_000)
})

describe('runs that meet at one group, under the same throttling', () => {
  it("two at once: the newer run's revision wins, both end true, none is left unwatched", async () => {
    const gate = path.join(world.workspace, 'gate-shared')
    const hold = `while [ ! -f '${gate}' ]; do sleep 0.05; done`
    const from = world.stack.codedeploy.calls.length
    const [older, newer] = await Promise.all([
      inputs('shared', release('s31', hold)),
      inputs('shared', release('s32', hold))
    ])
    let ended = 0
    const both = Promise.all([
      hostRun(older, world.workspace, runOf(31)).finally(() => ended++),
      hostRun(newer, world.workspace, runOf(32)).finally(() => ended++)
    ])
    // The first deployment holds until the other run has been refused for the busy group, or
    // has skipped (run 32 got there first: run 31's guard sees it).
    await until(
      () =>
        ended > 0 ||
        callsSince(from).some(
          c =>
            c.operation === 'CreateDeployment' && c.errorType === 'DeploymentLimitExceededException'
        )
    )
    await writeFile(gate, '')
    const runs = await both
    for (const run of runs)
      expect({ passed: run.passed, why: why(run) }).toMatchObject({ passed: true })
    expectNoRateExceeded(runs)
    const [run31, run32] = runs
    // Whichever got the group first, the group ends with the newest run's revision: run 31
    // first, and run 32 waits for it, then deploys; run 32 first, and run 31 skips.
    expect(run32.outputs.status).toBe('Succeeded')
    expect(await version('shared')).toBe('s32')
    const id32 = run32.outputs['deployment-id']
    if (created(callsSince(from), 'shared').length === 1) {
      expect(run31.outputs.status).toBe('Skipped')
      expect(run31.outputs['deployment-id']).toBeUndefined()
      expect(run31.record.supersededBy).toEqual({ deploymentId: id32, run: 'run 32' })
    } else {
      expect(run31.outputs.status).toBe('Succeeded')
      expect(run32.log).toContain(
        `is busy with ${run31.outputs['deployment-id']}; waiting for it to finish`
      )
    }
    // Every deployment the group got is one a run reported, and ended as that run saw it end.
    const reported = runs.map(r => r.outputs['deployment-id']).filter(Boolean)
    const deployments = deploymentsOf('shared')
    expect(deployments.map(d => d.deploymentId).sort()).toEqual([...reported].sort())
    for (const d of deployments) expect(d.status).toBe('Succeeded')
  }, 120_000)

  it('an older run arriving while a newer one deploys skips, says why, creates nothing', async () => {
    const gate = path.join(world.workspace, 'gate-guarded')
    const newerRun = hostRun(
      await inputs('guarded', release('g51', `while [ ! -f '${gate}' ]; do sleep 0.05; done`)),
      world.workspace,
      runOf(51)
    )
    await until(() => deploymentsOf('guarded').some(d => d.status === 'InProgress'))
    const newerId = deploymentsOf('guarded')[0]!.deploymentId
    const from = world.stack.codedeploy.calls.length
    const older = await hostRun(await inputs('guarded', release('g50')), world.workspace, runOf(50))
    expect({ passed: older.passed, why: why(older) }).toMatchObject({ passed: true })
    expect(older.outputs.status).toBe('Skipped')
    expect(older.outputs['deployment-id']).toBeUndefined()
    expect(older.record.supersededBy).toEqual({ deploymentId: newerId, run: 'run 51' })
    expect(older.log).toContain(
      `notice: Skipped: run 51 of this workflow already deployed ${newerId} (InProgress) to 'guarded', and this run is older.`
    )
    expect(callsSince(from).filter(c => c.operation === 'CreateDeployment')).toEqual([])
    await writeFile(gate, '')
    const newer = await newerRun
    expect(newer.outputs).toMatchObject({ status: 'Succeeded', 'deployment-id': newerId })
    expect(deploymentsOf('guarded')).toHaveLength(1)
    expect(await version('guarded')).toBe('g51')
    expectNoRateExceeded([older, newer])
  }, 120_000)
})

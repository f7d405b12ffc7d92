/**
 * A fleet of 1,000 cheap simulated instances (no bundle, no scripts: the emulator's `simulated`
 * groups), followed by the action at its real pace: the log stays readable (a line per failing
 * instance and a count line every ~12 s, no line per success), the summary puts the failures
 * stays under GitHub's 1 MiB limit, and the calls keep within the pace's window. (A failing
 * instance in such a fleet: fold.test.ts for the log and the summary; bench/FLEET.md for why the
 * watch does not yet find it cheaply.)
 */
import { describe, expect, it } from '@jest/globals'
import { runInProcess } from './helpers/action.js'
import { appspec, script } from './helpers/revisions.js'
import { mostInWindow } from './helpers/simulated-deployment.js'
import { useTestStack } from './helpers/stack.js'

const FLEET = 1000
/** 7 events of 300 ms: a batch of 100 takes ~2 s, the deployment ~22 s. */
const simulated = { eventMs: 300 }
const t = useTestStack({
  groups: {
    fleet: { instances: FLEET, deploymentConfig: 'Fleet90', simulated }
  },
  config: {
    deploymentConfigs: [
      // Batches of 100: 90% of the fleet stays healthy.
      { name: 'Fleet90', minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 90 } }
    ]
  }
})

const target = { application: 'shop', bucket: 'bundles', 'key-prefix': 'fleet/' }
const tree = {
  'appspec.yml': appspec({ ValidateService: [{ location: 'scripts/validate.sh' }] }),
  'site/index.html': 'hello',
  'scripts/validate.sh': script('true')
}

/** Runs the action at its real pace (a 1 s unit) on `group`; its log as a runner shows it. */
async function deploy(group: string) {
  const from = t.stack.codedeploy.calls.length
  const result = await runInProcess(
    { ...target, 'deployment-group': group, source: await t.source(tree) },
    t.env,
    { pollIntervalMs: { min: 1000, max: 20_000 } }
  )
  const lines = result.log.split('\n').filter(l => l && !l.startsWith('::debug::'))
  const calls = t.stack.codedeploy.calls.slice(from)
  const created = calls.findIndex(c => c.operation === 'CreateDeployment')
  const id = result.outputs['deployment-id'] ?? ''
  const d = t.stack.codedeploy.deployment(id)
  return { ...result, lines, calls, fromCreate: calls.slice(created), d }
}

/**
 * The pace's limits on a large fleet's calls: from CreateDeployment on, never more than 10 in any
 * 10 s, but for the two bursts the pace cannot spread yet (see bench/FLEET.md): the listing of
 * the targets (one call per page of 100, all at once) and the last read, which may borrow beyond
 * the window (pace.ts), one call per 25 targets not seen done.
 */
function expectPaced(calls: { operation: string; at: number }[]): void {
  const lastSeen = calls.findLastIndex(c => c.operation === 'GetDeployment')
  const paced = calls.slice(0, lastSeen + 1).filter(c => c.operation !== 'ListDeploymentTargets')
  expect(
    mostInWindow(
      paced.map(c => c.at),
      10_000
    )
  ).toBeLessThanOrEqual(10)
  expect(calls.filter(c => c.operation === 'ListDeploymentTargets')).toHaveLength(FLEET / 100)
  expect(calls.slice(lastSeen + 1).length).toBeLessThanOrEqual(FLEET / 25)
}

describe('a fleet of 1,000 instances', () => {
  it('succeeds with a log of counts, no line per instance, and calls within the pace', async () => {
    const run = await deploy('fleet')
    expect(run.failed).toBe(false)
    expect(run.d?.status).toBe('Succeeded')
    expect(run.d?.instances.filter(i => i.status === 'Succeeded')).toHaveLength(FLEET)
    expect(run.lines.filter(l => /^ {2}i-/.test(l))).toEqual([])
    const counts = run.lines.filter(l => /^Instances: \d+\/1000 succeeded/.test(l))
    const seconds = (run.d!.completeTime!.getTime() - run.d!.createTime.getTime()) / 1000
    expect(counts.length).toBeGreaterThanOrEqual(2)
    expect(counts.length).toBeLessThanOrEqual(Math.ceil(seconds / 12) + 2)
    expect(counts.at(-1)).toBe('Instances: 1000/1000 succeeded')
    expectPaced(run.fromCreate)
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
    expect(run.summary).toMatch(/1000 instances: 1000 Succeeded\./)
  }, 60_000)
})

/**
 * The pace of a whole run at its real speed (a 1 s unit), against the local stack: a deployment of
 * about a second is read within 2 s of CreateDeployment's answer and the run's last CodeDeploy
 * call comes within 1.5 s of its end; a rollback is read within 2 s of its start. Measured on the
 * emulator's own record of when each call came and when each deployment was created and ended,
 * with bounds loose enough for a loaded machine yet far below the 12–14 s the old pace took.
 */
import { describe, expect, it } from '@jest/globals'
import { runInProcess } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { quick: 1, broken: 1 }, stepDelayMs: 0 })
/** The pace as a run has it: a 1 s unit, pauses of up to 20 s while CodeDeploy throttles. */
const REAL_PACE = { pollIntervalMs: { min: 1000, max: 20_000 } }

function deploy(group: string, source: string) {
  return runInProcess(
    { application: APPLICATION, 'deployment-group': group, bucket: BUCKET, source },
    t.env,
    REAL_PACE
  )
}

/** When the emulator saw each call about deployment `id` (ms since the epoch). */
function callsAbout(id: string): { operation: string; at: number }[] {
  return t.stack.codedeploy.calls.filter(c => c.input.deploymentId === id)
}

describe('the pace of a run', () => {
  it('reads a deployment of about a second within 2 s and ends within 1.5 s of its end', async () => {
    const run = await deploy('quick', await t.source(release('1', 'sleep 0.5')))
    const exited = Date.now()
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    const deployment = t.stack.codedeploy.deployment(id)!
    const created = deployment.createTime.getTime()
    const ended = deployment.completeTime!.getTime()
    // About a second long.
    expect(ended - created).toBeLessThan(3000)
    const calls = callsAbout(id)
    const first = calls.find(c => c.operation === 'GetDeployment')!
    expect(first.at - created).toBeLessThanOrEqual(2000)
    // The run's last call (the last read of the targets) within 1.5 s of the end, and the run
    // itself returned soon after (the summary and outputs written).
    const last = calls.at(-1)!
    expect(last.at - ended).toBeLessThanOrEqual(1500)
    expect(exited - ended).toBeLessThanOrEqual(2500)
    // A handful of calls, not one every few hundred milliseconds.
    expect(calls.length).toBeLessThanOrEqual(8)
  })

  it('reads the rollback of a failed deployment within 2 s of its start', async () => {
    expect((await deploy('broken', await t.source(release('1')))).failed).toBe(false)
    const run = await deploy('broken', await t.source(release('2', 'exit 3')))
    expect(run.failed).toBe(true)
    const rollbackId = run.outputs['rollback-deployment-id']!
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    const rollback = t.stack.codedeploy.deployment(rollbackId)!
    const first = callsAbout(rollbackId).find(c => c.operation === 'GetDeployment')!
    expect(first.at - rollback.createTime.getTime()).toBeLessThanOrEqual(2000)
  })
})

/**
 * No cancel orphans a deployment, whatever its moment: the action runs from source in its own
 * process, gets a real SIGINT or SIGTERM, and must leave no deployment running that it did not
 * stop or name, within the runner's window (SIGTERM ~7.5 s after SIGINT, a kill ~2.5 s later).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { CodeDeployClient, StopDeploymentCommand } from '@aws-sdk/client-codedeploy'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'
import { runAction, type ActionRun } from '../local/run-action.js'
import { REGION } from '../local/stack.js'
import { runInProcess } from './helpers/action.js'
import { release, type Tree } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const world = useTestStack({
  groups: {
    answered: 1,
    unanswered: 1,
    'lost-and-cancelled': 1,
    lost: 1,
    throttled: 1,
    'throttled-briefly': 1,
    ended: 1,
    early: 1
  }
})

afterEach(() => world.stack.codedeploy.faults.clear())

/** The runner's window: the process must be gone before the kill that follows SIGTERM. */
const RUNNER_WINDOW_MS = 10_000

function inputs(group: string, source: string): Record<string, string> {
  return { application: APPLICATION, 'deployment-group': group, bucket: BUCKET, source }
}

/** The group's deployments that a user (this action) created, rollbacks left out. */
function deploymentsOf(group: string) {
  return [...world.stack.codedeploy.service.deployments.values()].filter(
    d => d.deploymentGroupName === group && d.creator === 'user'
  )
}

/** Stops a deployment the way a person would, so the next test finds its group free. */
async function stopByHand(deploymentId: string): Promise<void> {
  const client = new CodeDeployClient({
    region: REGION,
    endpoint: world.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
    credentials: {
      accessKeyId: world.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: world.env.AWS_SECRET_ACCESS_KEY!
    }
  })
  await client.send(new StopDeploymentCommand({ deploymentId }))
  client.destroy()
}

/**
 * Runs the action from source in a child process and sends `signal` once `ready` says so;
 * resolves with the run and the time from the signal to the process's exit.
 */
async function cancelledRun(
  group: string,
  tree: Tree,
  signal: NodeJS.Signals,
  ready: () => boolean
): Promise<{ run: ActionRun; exitMs: number }> {
  let sentAt = 0
  const run = await runAction({
    inputs: inputs(group, await world.source(tree)),
    env: world.env,
    cwd: world.workspace,
    entry: path.resolve('src/index.ts'),
    onStart: (child: ChildProcess) => {
      const poll = setInterval(() => {
        if (!ready()) return
        clearInterval(poll)
        sentAt = Date.now()
        child.kill(signal)
      }, 10)
      child.on('close', () => clearInterval(poll))
    }
  })
  expect(sentAt).toBeGreaterThan(0)
  return { run, exitMs: Date.now() - sentAt }
}

describe('a cancel while CreateDeployment is in flight', () => {
  it('waits for the answer that comes within the grace, then stops the deployment it names', async () => {
    expect(
      (await runInProcess(inputs('answered', await world.source(release('1'))), world.env)).failed
    ).toBe(false)
    const before = deploymentsOf('answered').length
    // CodeDeploy creates the deployment, then its answer takes 1.5 s to arrive.
    world.stack.codedeploy.faults.set({ answerDelayMs: 1500, operations: ['CreateDeployment'] })
    const { run, exitMs } = await cancelledRun(
      'answered',
      release('2', 'sleep 30'),
      'SIGINT',
      () => deploymentsOf('answered').length > before
    )
    const created = deploymentsOf('answered').slice(before)
    expect(created.map(d => d.deploymentId)).toEqual([run.outputs['deployment-id']])
    const id = run.outputs['deployment-id']!
    expect(run.code).toBe(1)
    expect(run.log).not.toMatch(/Request aborted/)
    expect(world.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    expect(run.summary).toContain(`## ⏹️ CodeDeploy ${id} cancelled`)
    expect(exitMs).toBeLessThan(RUNNER_WINDOW_MS)
    await world.stack.codedeploy.idle()
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Stopped')
    expect(await world.installed('answered', 'srv/app/version.txt')).toBe('1')
  })

  it('finds the deployment by its marker when the answer does not come in time (SIGTERM)', async () => {
    const before = deploymentsOf('unanswered').length
    // The answer would take 20 s: longer than a cancel can wait.
    world.stack.codedeploy.faults.set({ answerDelayMs: 20_000, operations: ['CreateDeployment'] })
    const { run, exitMs } = await cancelledRun(
      'unanswered',
      release('1', 'sleep 30'),
      'SIGTERM',
      () => deploymentsOf('unanswered').length > before
    )
    const created = deploymentsOf('unanswered').slice(before)
    expect(created).toHaveLength(1)
    const id = created[0]!.deploymentId
    expect(run.code).toBe(1)
    expect(run.outputs['deployment-id']).toBe(id)
    expect(run.log).toMatch(/CreateDeployment got no answer/)
    expect(run.log).toContain(`Found ${id}`)
    expect(world.calls('StopDeployment', id)).toHaveLength(1)
    expect(exitMs).toBeLessThan(RUNNER_WINDOW_MS)
    await world.stack.codedeploy.idle()
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Stopped')
  })
})

describe('a cancel while a lost answer is looked for', () => {
  it('stops looking within the runner window and says the deployment may exist', async () => {
    // The create's answer is lost, and so is every look-up's, so the look-up could go on for 15 s.
    world.stack.codedeploy.faults.set({
      lostAnswerNext: 1000,
      operations: ['CreateDeployment', 'ListDeployments', 'BatchGetDeployments']
    })
    const before = world.calls('ListDeployments').length
    const { run, exitMs } = await cancelledRun(
      'lost-and-cancelled',
      release('1', 'sleep 30'),
      'SIGINT',
      () => world.calls('ListDeployments').length > before + 1
    )
    expect(run.code).toBe(1)
    expect(exitMs).toBeLessThan(RUNNER_WINDOW_MS)
    expect(run.log).toMatch(
      /::error::Job cancelled while creating the deployment; CreateDeployment did not answer before the cancel, and no deployment marked id=[0-9a-f]{12} had appeared/
    )
    expect(run.outputs['deployment-id']).toBeUndefined()
    world.stack.codedeploy.faults.clear()
    // It was created; the message told the user to look for it. Stop it for the next tests.
    const created = deploymentsOf('lost-and-cancelled')
    expect(created).toHaveLength(1)
    await stopByHand(created[0]!.deploymentId)
    await world.stack.codedeploy.idle()
  })
})

describe('a cancel that comes after the deployment ended', () => {
  it('reports the deployment’s own end, not a stop', async () => {
    // Long pauses between status checks: the deployment ends while the action sleeps.
    const controller = new AbortController()
    const poll = setInterval(() => {
      if (deploymentsOf('ended').some(d => d.status === 'Succeeded')) {
        clearInterval(poll)
        controller.abort()
      }
    }, 5)
    const run = await runInProcess(inputs('ended', await world.source(release('1'))), world.env, {
      pollIntervalMs: { min: 3000, max: 3000 },
      signal: controller.signal
    })
    clearInterval(poll)
    expect(controller.signal.aborted).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Succeeded')
    expect(run.failed).toBe(false)
    expect(run.summary).toMatch(new RegExp(`^## ✅ CodeDeploy ${id} Succeeded`, 'm'))
    expect(run.summary).toContain(`The job was cancelled after ${id} had ended Succeeded`)
  })
})

describe('a lost answer without a cancel', () => {
  it('is looked up by the marker and followed, never created twice', async () => {
    world.stack.codedeploy.faults.set({ lostAnswerNext: 1, operations: ['CreateDeployment'] })
    const run = await runInProcess(inputs('lost', await world.source(release('1'))), world.env)
    expect(run.failed).toBe(false)
    const creates = world
      .calls('CreateDeployment')
      .filter(c => c.input.deploymentGroupName === 'lost')
    expect(creates).toHaveLength(1)
    const created = deploymentsOf('lost')
    expect(created.map(d => d.deploymentId)).toEqual([run.outputs['deployment-id']])
    expect(run.outputs.status).toBe('Succeeded')
    expect(run.log).toMatch(/CreateDeployment got no answer/)
    expect(created[0]!.description).toMatch(/\[cdb id=[0-9a-f]{12}\]$/)
  })
})

describe('a cancel whose StopDeployment is throttled', () => {
  it('ends inside the runner window and names the running deployment, with the command that stops it', async () => {
    world.stack.codedeploy.faults.set({ throttleRate: 1, operations: ['StopDeployment'] })
    const { run, exitMs } = await cancelledRun(
      'throttled',
      release('1', 'sleep 30'),
      'SIGINT',
      () => deploymentsOf('throttled').some(d => d.status === 'InProgress')
    )
    const id = run.outputs['deployment-id']!
    expect(run.code).toBe(1)
    expect(exitMs).toBeLessThan(RUNNER_WINDOW_MS)
    // Retried fast, not once per SDK backoff.
    expect(world.calls('StopDeployment', id).length).toBeGreaterThan(3)
    const stop = `aws deploy stop-deployment --deployment-id ${id} --auto-rollback-enabled --region ${REGION}`
    expect(run.log).toMatch(new RegExp(`::error::.*${id} is still running`))
    expect(run.log).toContain(stop)
    expect(run.summary).toContain(stop)
    expect(run.outputs.status).toBe('InProgress')

    world.stack.codedeploy.faults.clear()
    await stopByHand(id)
    await world.stack.codedeploy.idle()
  })

  it('retries a briefly throttled stop until CodeDeploy takes it', async () => {
    world.stack.codedeploy.faults.set({ throttleNext: 3, operations: ['StopDeployment'] })
    const { run, exitMs } = await cancelledRun(
      'throttled-briefly',
      release('1', 'sleep 30'),
      'SIGINT',
      () => deploymentsOf('throttled-briefly').some(d => d.status === 'InProgress')
    )
    const id = run.outputs['deployment-id']!
    expect(world.calls('StopDeployment', id)).toHaveLength(4)
    expect(run.outputs.status).toBe('Stopped')
    expect(run.log).not.toMatch(/is still running/)
    expect(exitMs).toBeLessThan(RUNNER_WINDOW_MS)
    await world.stack.codedeploy.idle()
  })
})

describe('a cancel before the deployment exists', () => {
  it.each([
    ['::group::Checking appspec', 'checking the appspec'],
    ['::group::Packaging', 'packaging the bundle'],
    ['::group::Uploading to', 'uploading the bundle']
  ])('at %s names the stage it came in', async (line, stage) => {
    const controller = new AbortController()
    const writes = (): number =>
      world.stack.codedeploy.calls.filter(c => c.operation === 'CreateDeployment').length
    const before = writes()
    const run = await runInProcess(
      inputs('early', await world.source(release(`early-${stage}`))),
      world.env,
      { signal: controller.signal },
      chunk => {
        if (chunk.startsWith(line)) controller.abort()
      }
    )
    expect(run.failed).toBe(true)
    expect(run.log).toMatch(
      new RegExp(`::error::Job cancelled while ${stage}; no deployment was created\\.`)
    )
    expect(writes()).toBe(before)
  })
})

/**
 * The action's other paths against the local stack: cancel, timeout, a busy group, wait: false,
 * build once / deploy a given revision, and the rollback command.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../local/run-action.js'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import type { Clock } from '../src/engine/watch.js'
import { runInProcess } from './helpers/action.js'
import { appspec, script, writeTree, type Tree } from './helpers/revisions.js'

let stack: LocalStack
let workspace: string
let env: Record<string, string>
let counter = 0

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: ['bundles'],
    stepDelayMs: 5,
    config: {
      applications: [
        {
          name: 'shop',
          deploymentGroups: ['cancel', 'timeout', 'busy', 'nowait', 'promote', 'rollback'].map(
            name => ({ name, instances: 1 })
          )
        }
      ]
    }
  })
  workspace = await mkdtemp(path.join(tmpdir(), 'cdb-flows-'))
  env = { ...stack.env, GITHUB_WORKSPACE: workspace, NODE_NO_WARNINGS: '1' }
})

afterAll(async () => {
  await stack.close()
  await rm(workspace, { recursive: true, force: true })
})

async function source(version: string, validate = 'true'): Promise<string> {
  const name = `src-${++counter}`
  const tree: Tree = {
    'appspec.yml': appspec({
      ValidateService: [{ location: 'scripts/validate.sh', timeout: 120 }]
    }),
    'site/version.txt': version,
    'scripts/validate.sh': script(validate)
  }
  await writeTree(path.join(workspace, name), tree)
  return name
}

const inputs = (group: string, src: string): Record<string, string> => ({
  application: 'shop',
  'deployment-group': group,
  bucket: 'bundles',
  source: src
})

async function version(group: string): Promise<string> {
  return readFile(
    path.join(stack.codedeploy.instances('shop', group)[0]!.root, 'srv/app/version.txt'),
    'utf8'
  )
}

function stops(id: string) {
  return stack.codedeploy.calls.filter(
    c => c.operation === 'StopDeployment' && c.input.deploymentId === id
  )
}

describe('cancel, timeout and waiting', () => {
  it('stops and rolls back the deployment when the job is cancelled (SIGINT to dist/index.js)', async () => {
    expect((await runInProcess(inputs('cancel', await source('c1')), env)).failed).toBe(false)
    let sent = false
    const result = await runAction({
      inputs: inputs('cancel', await source('c2', 'sleep 60')),
      env,
      cwd: workspace,
      onStart: child => {
        const poll = setInterval(() => {
          const running = [...stack.codedeploy.service.deployments.values()].find(
            d => d.deploymentGroupName === 'cancel' && d.status === 'InProgress'
          )
          if (running && !sent) {
            sent = true
            clearInterval(poll)
            child.kill('SIGINT')
          }
        }, 50)
        child.on('close', () => clearInterval(poll))
      }
    })
    expect(sent).toBe(true)
    expect(result.code).toBe(1)
    const id = result.outputs['deployment-id']!
    expect(stops(id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    expect(result.outputs.status).toBe('Stopped')
    expect(result.outputs['rollback-deployment-id']).toMatch(/^d-/)
    expect(result.log).toMatch(/Received SIGINT/)
    await stack.codedeploy.idle()
    expect(stack.codedeploy.deployment(id)?.status).toBe('Stopped')
    expect(await version('cancel')).toBe('c1')
  })

  it('stops the deployment when the timeout passes, then follows its rollback', async () => {
    expect((await runInProcess(inputs('timeout', await source('t1')), env)).failed).toBe(false)
    // A clock that runs 100 times faster than the wall clock: the 60 s timeout passes in 0.6 s.
    const start = Date.now()
    const fast: Clock = {
      now: () => start + (Date.now() - start) * 100,
      sleep: ms => new Promise(resolve => setTimeout(resolve, Math.max(1, ms / 100)))
    }
    const result = await runInProcess(
      { ...inputs('timeout', await source('t2', 'sleep 60')), timeout: '1m' },
      env,
      { clock: fast }
    )
    expect(result.failed).toBe(true)
    const id = result.outputs['deployment-id']!
    expect(result.log).toMatch(
      new RegExp(`${id} did not finish within the 1m timeout and was stopped \\(Stopped\\)`)
    )
    expect(stops(id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    expect(result.outputs['rollback-status']).toBe('Succeeded')
    expect(await version('timeout')).toBe('t1')
  })

  it('waits for the group’s active deployment instead of failing with DeploymentLimitExceeded', async () => {
    // The first deployment's hook holds until the second run has been refused at least once, so
    // the test does not depend on how fast a node process starts.
    const gate = path.join(workspace, 'busy-gate')
    const limited = (): number =>
      stack.codedeploy.calls.filter(
        c =>
          c.operation === 'CreateDeployment' && c.errorType === 'DeploymentLimitExceededException'
      ).length
    const limitedBefore = limited()
    const slow = runInProcess(
      inputs('busy', await source('b1', `while [ ! -f '${gate}' ]; do sleep 0.05; done`)),
      env
    )
    while (
      ![...stack.codedeploy.service.deployments.values()].some(
        d => d.deploymentGroupName === 'busy'
      )
    )
      await new Promise(r => setTimeout(r, 20))
    const queuedRun = runAction({
      inputs: inputs('busy', await source('b2')),
      env,
      cwd: workspace
    })
    while (limited() === limitedBefore) await new Promise(r => setTimeout(r, 20))
    await writeFile(gate, '')
    const queued = await queuedRun
    const first = await slow
    expect(first.failed).toBe(false)
    expect(queued.code).toBe(0)
    expect(queued.log).toContain(
      `is busy with ${first.outputs['deployment-id']}; waiting for it to finish`
    )
    expect(await version('busy')).toBe('b2')
  })

  it('with wait: false, ends once the deployment is created', async () => {
    const result = await runInProcess(
      { ...inputs('nowait', await source('n1', 'sleep 1')), wait: 'false' },
      env
    )
    expect(result.failed).toBe(false)
    expect(result.outputs.status).toBe('Created')
    const id = result.outputs['deployment-id']!
    expect(stack.codedeploy.deployment(id)?.status).not.toBe('Succeeded')
    await stack.codedeploy.idle()
    expect(stack.codedeploy.deployment(id)?.status).toBe('Succeeded')
  })
})

describe('build once, deploy anywhere; roll back by hand', () => {
  it('packages once, then deploys that exact revision with its ETag pinned', async () => {
    const built = await runInProcess(
      {
        command: 'package',
        application: 'shop',
        bucket: 'bundles',
        'key-prefix': 'releases/',
        source: await source('p1')
      },
      env
    )
    expect(built.failed).toBe(false)
    expect(built.outputs['deployment-id']).toBeUndefined()
    expect(built.outputs.revision).toMatch(/^s3:\/\/bundles\/releases\/[0-9a-f]{64}\.zip$/)
    const creates = stack.codedeploy.calls.filter(c => c.operation === 'CreateDeployment').length
    const deployed = await runInProcess(
      {
        application: 'shop',
        'deployment-group': 'promote',
        revision: built.outputs.revision!,
        'revision-etag': built.outputs.etag!
      },
      env
    )
    expect(deployed.failed).toBe(false)
    expect(stack.codedeploy.calls.filter(c => c.operation === 'CreateDeployment').length).toBe(
      creates + 1
    )
    expect(await version('promote')).toBe('p1')

    const wrongTag = await runInProcess(
      {
        application: 'shop',
        'deployment-group': 'promote',
        revision: built.outputs.revision!,
        'revision-etag': '0123456789abcdef'
      },
      env
    )
    expect(wrongTag.failed).toBe(true)
    expect(wrongTag.log).toMatch(/has ETag .*not the 0123456789abcdef given in 'revision-etag'/)
  })

  it('rollback redeploys the previous good revision', async () => {
    expect((await runInProcess(inputs('rollback', await source('r1')), env)).failed).toBe(false)
    expect((await runInProcess(inputs('rollback', await source('r2')), env)).failed).toBe(false)
    expect(await version('rollback')).toBe('r2')
    const result = await runInProcess(
      { command: 'rollback', application: 'shop', 'deployment-group': 'rollback' },
      env
    )
    expect(result.failed).toBe(false)
    expect(await version('rollback')).toBe('r1')
    expect(result.log).toMatch(
      /Redeploying s3:\/\/bundles\/[0-9a-f]{64}\.zip, last deployed successfully by d-/
    )
  })
})

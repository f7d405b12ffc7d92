/**
 * `command: wait`: a deployment made by someone else (CreateDeployment sent with the SDK) followed
 * to its end like a deploy — progress, diagnosis, rollback, outputs and summary — against the
 * local stack; one of another group, or a malformed id, refused before anything is written.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { main, type JsonResult } from '../src/cli/main.js'
import { usage } from '../src/cli/usage.js'
import { runInProcess } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { deployWithSdk, holdUntil, until } from './helpers/sdk-deployments.js'
import { APPLICATION, useTestStack } from './helpers/stack.js'

const ROLLS_BACK = { enabled: true, events: ['DEPLOYMENT_FAILURE' as const] }

const world = useTestStack({
  groups: {
    fleet: { instances: 2, autoRollback: ROLLS_BACK },
    other: 1,
    cli: 1
  }
})

const waitFor = (id: string, more: Record<string, string> = {}) =>
  runInProcess({ command: 'wait', 'deployment-id': id, ...more }, world.env)

const status = (id: string): string | undefined => world.stack.codedeploy.deployment(id)?.status

/** Operations that change something in CodeDeploy. */
const WRITES = /^(Create|Stop|Continue|Put|Register|Update|Delete)/

describe('command wait', () => {
  let succeeded = ''
  let failed = ''

  it('follows a running deployment to Succeeded, with progress, outputs and summary', async () => {
    const gate = path.join(world.workspace, 'wait-gate')
    const id = await deployWithSdk(world, 'fleet', release('1', holdUntil(gate)))
    await until(() => status(id) === 'InProgress')
    const running = waitFor(id, { application: APPLICATION, 'deployment-group': 'fleet' })
    await until(() => world.calls('GetDeployment', id).length > 1)
    await writeFile(gate, '')
    const run = await running
    succeeded = id
    expect(run.failed).toBe(false)
    expect(run.outputs).toMatchObject({
      'deployment-id': id,
      status: 'Succeeded',
      'console-url': expect.stringContaining(id)
    })
    expect(run.log).toContain(`${id}: InProgress → Succeeded`)
    expect(run.log).toMatch(/Instances: .*succeeded/)
    expect(run.summary).toMatch(new RegExp(`^## ✅ CodeDeploy ${id} Succeeded`, 'm'))
    expect(run.summary).toContain('| Deployment group | fleet |')
    expect(run.summary).toContain('### Instances')
    expect(world.calls('StopDeployment', id)).toEqual([])
    expect(await world.installed('fleet', 'srv/app/version.txt')).toBe('1')
  })

  it('explains a failure and follows the rollback the group started', async () => {
    const id = await deployWithSdk(world, 'fleet', release('2', 'echo broken >&2; exit 3'))
    const run = await waitFor(id, { 'deployment-group': 'fleet' })
    failed = id
    expect(run.failed).toBe(true)
    expect(run.outputs.status).toBe('Failed')
    const rollback = run.outputs['rollback-deployment-id']!
    expect(rollback).toMatch(/^d-[A-Z0-9]{9}$/)
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    expect(run.log).toMatch(/ValidateService failed on/)
    expect(run.summary).toContain('### Why it failed')
    expect(run.summary).toContain('broken')
    expect(run.summary).toContain(`### Rollback`)
    expect(await world.installed('fleet', 'srv/app/version.txt')).toBe('1')
  })

  it('reports a deployment that has already ended at once: success passes, failure fails', async () => {
    const ok = await waitFor(succeeded)
    expect(ok.failed).toBe(false)
    expect(ok.outputs.status).toBe('Succeeded')
    const bad = await waitFor(failed)
    expect(bad.failed).toBe(true)
    expect(bad.outputs).toMatchObject({ status: 'Failed', 'rollback-status': 'Succeeded' })
    expect(bad.summary).toContain('### Why it failed')
  })

  it('refuses a deployment of another group than the one named, having only read it', async () => {
    const before = world.stack.codedeploy.calls.length
    const run = await waitFor(succeeded, { 'deployment-group': 'other' })
    expect(run.failed).toBe(true)
    expect(run.log).toContain(
      `${succeeded} belongs to application '${APPLICATION}', deployment group 'fleet', not to the deployment group 'other'`
    )
    const since = world.stack.codedeploy.calls.slice(before).map(c => c.operation)
    expect(since.filter(op => WRITES.test(op))).toEqual([])
    expect(since).toEqual(['GetDeployment'])
  })

  it('refuses a malformed or missing id before any call, and an input that deploys', async () => {
    const before = world.stack.codedeploy.calls.length
    const malformed = await waitFor('d-123')
    expect(malformed.failed).toBe(true)
    expect(malformed.log).toMatch(/Invalid deployment-id 'd-123'/)
    const missing = await runInProcess({ command: 'wait' }, world.env)
    expect(missing.log).toMatch(/Input 'deployment-id' is required for command 'wait'/)
    const revision = await waitFor(succeeded, { revision: 's3://bundles/x.zip' })
    expect(revision.log).toMatch(/Input 'revision' gives a revision to deploy/)
    expect(world.stack.codedeploy.calls.length).toBe(before)
  })

  it('leaves the deployment running when the job is cancelled (on-cancel defaults to detach)', async () => {
    const gate = path.join(world.workspace, 'cancel-gate')
    const id = await deployWithSdk(world, 'other', release('c', holdUntil(gate)))
    await until(() => status(id) === 'InProgress')
    const controller = new AbortController()
    const running = runInProcess({ command: 'wait', 'deployment-id': id }, world.env, {
      signal: controller.signal
    })
    await until(() => world.calls('GetDeployment', id).length > 1)
    controller.abort()
    const run = await running
    expect(run.failed).toBe(true)
    expect(world.calls('StopDeployment', id)).toEqual([])
    expect(run.log).toContain(`${id} keeps running (on-cancel: detach)`)
    expect(run.summary).toContain(`Cancelled; CodeDeploy ${id} left running (InProgress)`)
    expect(status(id)).toBe('InProgress')
    await writeFile(gate, '')
    await world.stack.codedeploy.idle()
    expect(status(id)).toBe('Succeeded')
  })

  it('warns about an input it does not use, and goes on', async () => {
    const run = await waitFor(succeeded, { 'auto-rollback': 'off', rollback: 'false' })
    expect(run.failed).toBe(false)
    expect(run.log).toMatch(/Input 'auto-rollback' is not used: command 'wait' follows/)
    expect(run.log).toMatch(/Input 'rollback' is not used/)
  })
})

describe('command wait from the CLI', () => {
  it('is in --help with an example, as is stop', () => {
    const help = usage()
    expect(help).toContain('codedeploy-bridge --command wait --deployment-id d-A1B2C3D4E --json')
    expect(help).toContain('codedeploy-bridge --command stop --deployment-id d-A1B2C3D4E')
    expect(help).toMatch(/--rollback <value> {3}\(default: true\)/)
  })

  it('prints one JSON object with the outputs', async () => {
    const id = await deployWithSdk(world, 'cli', release('c'))
    const saved = { ...process.env }
    Object.assign(process.env, world.env)
    const stdout: string[] = []
    const stderr: string[] = []
    try {
      const code = await main(
        ['--command', 'wait', '--deployment-id', id, '--json'],
        line => stdout.push(line),
        line => stderr.push(line)
      )
      expect(code).toBe(0)
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
    expect(stdout).toHaveLength(1)
    const result = JSON.parse(stdout[0]!) as JsonResult
    expect(result).toMatchObject({
      outcome: 'succeeded',
      passed: true,
      outputs: { 'deployment-id': id, status: 'Succeeded' }
    })
    expect(stderr.join('\n')).toContain(`Checking ${id}`)
  })
})

/**
 * `command: stop`: a running deployment made by someone else (CreateDeployment sent with the
 * SDK) stopped with StopDeployment, with or without its rollback as `rollback` says, then followed
 * to its end and its rollback's, against the local stack; one that has ended reported as it is.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runInProcess } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { deployWithSdk, holdUntil, until } from './helpers/sdk-deployments.js'
import { APPLICATION, useTestStack } from './helpers/stack.js'

const world = useTestStack({ groups: { web: 1, api: 1 } })

const stop = (id: string, more: Record<string, string> = {}) =>
  runInProcess({ command: 'stop', 'deployment-id': id, ...more }, world.env)

const status = (id: string): string | undefined => world.stack.codedeploy.deployment(id)?.status

/** The gate of the test's held hook, opened after it so the next test finds its group free. */
let gate = ''
afterEach(async () => {
  if (gate) await writeFile(gate, '')
  gate = ''
  await world.stack.codedeploy.idle()
})

/** A deployment of `version` to `group` whose ValidateService holds until the test ends. */
async function running(group: string, version: string): Promise<string> {
  gate = path.join(world.workspace, `gate-${group}-${version}`)
  const id = await deployWithSdk(world, group, release(version, holdUntil(gate)))
  await until(() => status(id) === 'InProgress')
  return id
}

describe('command stop', () => {
  let first = ''

  it('reports a deployment that had already ended, and passes', async () => {
    first = await deployWithSdk(world, 'web', release('1'))
    await world.stack.codedeploy.idle()
    const run = await stop(first, { application: APPLICATION, 'deployment-group': 'web' })
    expect(run.failed).toBe(false)
    expect(run.outputs).toMatchObject({ 'deployment-id': first, status: 'Succeeded' })
    expect(run.log).toContain(`${first} had already ended Succeeded; nothing was stopped.`)
    expect(run.summary).toContain(`## ℹ️ CodeDeploy ${first} had already ended (Succeeded)`)
  })

  it('stops a running deployment and follows the rollback it asks for (the default)', async () => {
    const id = await running('web', '2')
    const run = await stop(id)
    expect(world.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    expect(run.failed).toBe(false)
    expect(run.outputs.status).toBe('Stopped')
    const rollback = run.outputs['rollback-deployment-id']!
    expect(rollback).toMatch(/^d-[A-Z0-9]{9}$/)
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    expect(run.log).toContain(`Stopped ${id} (Stopped). Rolled back by ${rollback} (Succeeded)`)
    expect(run.summary).toContain(`## ⏹️ CodeDeploy ${id} stopped (Stopped)`)
    expect(run.summary).toContain('### Rollback')
    expect(await world.installed('web', 'srv/app/version.txt')).toBe('1')
  })

  it('stops without a rollback with rollback: false', async () => {
    await deployWithSdk(world, 'api', release('1'))
    await world.stack.codedeploy.idle()
    const id = await running('api', '2')
    const run = await stop(id, { rollback: 'false' })
    expect(world.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([false])
    expect(run.failed).toBe(false)
    expect(run.outputs.status).toBe('Stopped')
    expect(run.outputs['rollback-deployment-id']).toBeUndefined()
    expect(run.log).toContain(
      `Stopped ${id} (Stopped). No rollback was asked for (rollback: false).`
    )
  })

  it('refuses a malformed id, or a deployment of another group, before StopDeployment', async () => {
    const before = world.stack.codedeploy.calls.length
    const malformed = await stop('d-lowercase')
    expect(malformed.failed).toBe(true)
    expect(malformed.log).toMatch(/Invalid deployment-id 'd-lowercase'/)
    expect(world.stack.codedeploy.calls.length).toBe(before)
    const wrong = await stop(first, { 'deployment-group': 'api' })
    expect(wrong.failed).toBe(true)
    expect(wrong.log).toContain(`not to the deployment group 'api' this step names`)
    expect(world.stack.codedeploy.calls.slice(before).map(c => c.operation)).toEqual([
      'GetDeployment'
    ])
  })

  it('warns about an input it does not use', async () => {
    const run = await stop(first, { timeout: '5m', 'on-cancel': 'stop' })
    expect(run.failed).toBe(false)
    expect(run.log).toMatch(/Input 'timeout' is not used: command 'stop' stops/)
    expect(run.log).toMatch(/Input 'on-cancel' is not used/)
  })
})

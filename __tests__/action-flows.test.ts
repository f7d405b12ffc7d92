/**
 * The action's paths between runs, against the local stack: a busy group waited for, a revision
 * built once and deployed elsewhere, and the guard that keeps an older run of a workflow from
 * deploying over a newer one.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runAction } from '../local/run-action.js'
import { runInProcess } from './helpers/action.js'
import { release, type Tree } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const WORKFLOW = 'octo/shop/.github/workflows/deploy.yml@refs/heads/main'

const world = useTestStack({
  groups: { busy: 1, promote: 1, newer: 1, 'on-purpose': 1, workflows: 1 }
})

async function inputs(group: string, tree: Tree): Promise<Record<string, string>> {
  return {
    application: APPLICATION,
    'deployment-group': group,
    bucket: BUCKET,
    source: await world.source(tree)
  }
}

/** The environment of run number `run` of a workflow. */
function runOf(run: number, workflow = WORKFLOW): Record<string, string> {
  return {
    ...world.env,
    GITHUB_WORKFLOW_REF: workflow,
    GITHUB_RUN_NUMBER: String(run),
    GITHUB_RUN_ATTEMPT: '1'
  }
}

const version = (group: string): Promise<string> => world.installed(group, 'srv/app/version.txt')

describe('a busy group', () => {
  it('is waited for instead of failing with DeploymentLimitExceeded', async () => {
    // The first deployment's hook holds until the second run has been refused at least once, so
    // the test does not depend on how fast a process starts.
    const gate = path.join(world.workspace, 'busy-gate')
    const limited = (): number =>
      world
        .calls('CreateDeployment')
        .filter(c => c.errorType === 'DeploymentLimitExceededException').length
    const limitedBefore = limited()
    const slow = runInProcess(
      await inputs('busy', release('b1', `while [ ! -f '${gate}' ]; do sleep 0.05; done`)),
      world.env
    )
    while (
      ![...world.stack.codedeploy.service.deployments.values()].some(
        d => d.deploymentGroupName === 'busy'
      )
    )
      await new Promise(r => setTimeout(r, 20))
    // The queued run is a process of its own, from source.
    const queuedRun = runAction({
      inputs: await inputs('busy', release('b2')),
      env: world.env,
      cwd: world.workspace,
      entry: path.resolve('src/index.ts')
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
})

describe('build once, deploy anywhere', () => {
  it('packages once, then deploys that exact revision with its ETag pinned', async () => {
    const built = await runInProcess(
      {
        command: 'package',
        application: APPLICATION,
        bucket: BUCKET,
        'key-prefix': 'releases/',
        source: await world.source(release('p1'))
      },
      world.env
    )
    expect(built.failed).toBe(false)
    expect(built.outputs['deployment-id']).toBeUndefined()
    expect(built.outputs.revision).toMatch(/^s3:\/\/bundles\/releases\/[0-9a-f]{64}\.zip$/)
    const creates = world.calls('CreateDeployment').length
    const deployed = await runInProcess(
      {
        application: APPLICATION,
        'deployment-group': 'promote',
        revision: built.outputs.revision!,
        'revision-etag': built.outputs.etag!
      },
      world.env
    )
    expect(deployed.failed).toBe(false)
    expect(world.calls('CreateDeployment')).toHaveLength(creates + 1)
    const sent = world.calls('CreateDeployment').at(-1)!.input.revision as {
      s3Location: { eTag: string }
    }
    expect(sent.s3Location.eTag).toBe(built.outputs.etag)
    expect(await version('promote')).toBe('p1')
  })
})

describe('an older run never deploys over a newer one', () => {
  it('skips, with a notice and status Skipped, when a newer run already deployed', async () => {
    expect((await runInProcess(await inputs('newer', release('v10')), runOf(10))).failed).toBe(
      false
    )
    const newest = world.calls('CreateDeployment').at(-1)!
    const older = await runInProcess(await inputs('newer', release('v9')), runOf(9))
    expect(older.failed).toBe(false)
    expect(older.outputs.status).toBe('Skipped')
    expect(older.outputs['deployment-id']).toBeUndefined()
    expect(older.log).toMatch(/::notice::Skipped: run 10 of this workflow already deployed d-\w+/)
    expect(older.summary).toMatch(/^## ⏭️ Skipped: run 10 already deployed/m)
    expect(world.calls('CreateDeployment').at(-1)).toBe(newest)
    expect(await version('newer')).toBe('v10')
    // A re-run of the newest run is not older than itself.
    expect((await runInProcess(await inputs('newer', release('v10b')), runOf(10))).failed).toBe(
      false
    )
    expect(await version('newer')).toBe('v10b')
  })

  it('deploys the older run on purpose with skip-if-superseded: false', async () => {
    expect((await runInProcess(await inputs('on-purpose', release('v5')), runOf(5))).failed).toBe(
      false
    )
    const older = await runInProcess(
      { ...(await inputs('on-purpose', release('v4'))), 'skip-if-superseded': 'false' },
      runOf(4)
    )
    expect(older.outputs.status).toBe('Succeeded')
    expect(await version('on-purpose')).toBe('v4')
  })

  it('compares runs of the same workflow only', async () => {
    expect((await runInProcess(await inputs('workflows', release('a7')), runOf(7))).failed).toBe(
      false
    )
    const other = await runInProcess(
      await inputs('workflows', release('b1')),
      runOf(1, 'octo/shop/.github/workflows/hotfix.yml@refs/heads/main')
    )
    expect(other.outputs.status).toBe('Succeeded')
    expect(await version('workflows')).toBe('b1')
  })
})

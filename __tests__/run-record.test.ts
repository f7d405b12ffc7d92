/**
 * One record of every run: for each flow, the job summary says what the outputs of the same run
 * say (heading, ids, revision, statuses), and only what happened.
 */
import { describe, expect, it } from '@jest/globals'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { JumpClock, until } from './helpers/clock.js'
import { release, type Tree } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const world = useTestStack({
  groups: {
    ok: 1,
    failing: 2,
    fresh: 1,
    timeout: 1,
    nowait: 1,
    promote: 1,
    rollback: 1,
    'cancel-rollback': 1,
    'cancel-stop': 1,
    'cancel-detach': 1
  }
})

async function deploy(
  group: string,
  tree: Tree,
  extra: Record<string, string> = {},
  overrides: Parameters<typeof runInProcess>[2] = {}
): Promise<InProcessRun> {
  return runInProcess(
    {
      application: APPLICATION,
      'deployment-group': group,
      bucket: BUCKET,
      source: await world.source(tree),
      ...extra
    },
    world.env,
    overrides
  )
}

/** The summary's first line, without the `## `. */
function heading(run: InProcessRun): string {
  return /^## (.*)$/m.exec(run.summary)?.[1] ?? ''
}

function consoleLink(run: InProcessRun, id: string): string {
  return `[${id}](${run.outputs['console-url']})`
}

/** Aborts the run once its deployment is InProgress in `group`. */
function cancelWhenRunning(group: string): AbortSignal {
  const controller = new AbortController()
  const poll = setInterval(() => {
    const running = [...world.stack.codedeploy.service.deployments.values()].find(
      d => d.deploymentGroupName === group && d.status === 'InProgress'
    )
    if (running) {
      clearInterval(poll)
      controller.abort()
    }
  }, 20)
  controller.signal.addEventListener('abort', () => clearInterval(poll))
  return controller.signal
}

describe('the summary and the outputs of the same run agree', () => {
  it('success: heading, console link, revision and bundle match the outputs', async () => {
    const run = await deploy('ok', release('1'))
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Succeeded')
    expect(heading(run)).toBe(`✅ CodeDeploy ${id} Succeeded`)
    expect(run.summary).toContain(consoleLink(run, id))
    expect(run.summary).toContain(`| Revision | \`${run.outputs.revision}\` |`)
    expect(run.summary).toContain(`| SHA-256 | \`${run.outputs['bundle-sha256']}\` |`)
    // An in-place deployment without a load balancer shows no traffic events.
    expect(run.summary).toMatch(/\| ✅ all \d+, ApplicationStop to ValidateService \|/)
    expect(run.summary).not.toMatch(/AllowTraffic|BlockTraffic/)
  })

  it('hook failure with rollback: the failure, then the rollback the outputs name', async () => {
    expect((await deploy('failing', release('1'))).failed).toBe(false)
    const run = await deploy('failing', release('2', 'echo "unhealthy" >&2; exit 4'))
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    const rollback = run.outputs['rollback-deployment-id']!
    expect(run.outputs.status).toBe('Failed')
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    expect(heading(run)).toBe(`❌ CodeDeploy ${id} Failed`)
    expect(run.summary).toMatch(/### Why it failed\n\n.*ValidateService failed on i-/)
    expect(run.summary).toContain('unhealthy')
    expect(run.summary).toMatch(
      new RegExp(`### Rollback\\n\\n✅ \\[${rollback}\\]\\([^)]+\\) Succeeded`)
    )
    expect(run.log).toContain(`::error::${id} Failed: ValidateService failed on`)
    expect(await world.installed('failing', 'srv/app/version.txt')).toBe('1')
  })

  it('failure with nothing to roll back to: says there was no rollback, and no rollback outputs', async () => {
    const run = await deploy('fresh', release('1', 'exit 1'))
    expect(run.failed).toBe(true)
    expect(run.outputs.status).toBe('Failed')
    expect(run.outputs['rollback-deployment-id']).toBeUndefined()
    expect(run.outputs['rollback-status']).toBeUndefined()
    expect(heading(run)).toBe(`❌ CodeDeploy ${run.outputs['deployment-id']} Failed`)
    expect(run.summary).toMatch(/### Rollback\n\nNo rollback: /)
    expect(run.log).toMatch(/::error::.* No rollback: /)
  })

  it('timeout: stopped, and the summary says so with the status the outputs have', async () => {
    expect((await deploy('timeout', release('1'))).failed).toBe(false)
    // The wall clock, until the new revision's hook runs (sleep 60); then past the 1m timeout.
    const clock = new JumpClock()
    const running = deploy('timeout', release('2', 'sleep 60'), { timeout: '1m' }, { clock })
    const hookRunning = (): boolean =>
      [...world.stack.codedeploy.service.deployments.values()].some(
        d =>
          d.deploymentGroupName === 'timeout' &&
          d.creator === 'user' &&
          d.instances.some(i =>
            i.lifecycleEvents.some(
              e => e.lifecycleEventName === 'ValidateService' && e.status === 'InProgress'
            )
          )
      )
    await until(hookRunning)
    clock.jump(61_000)
    const run = await running
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Stopped')
    expect(heading(run)).toBe(`⏱️ CodeDeploy ${id} timed out (Stopped)`)
    expect(run.summary).toContain('did not finish within the 1m timeout and was stopped (Stopped)')
    expect(run.summary).toContain(`[${run.outputs['rollback-deployment-id']}]`)
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    expect(world.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    expect(await world.installed('timeout', 'srv/app/version.txt')).toBe('1')
    // Two deployments, a stop and a rollback in real time: more than the default 60 s on a loaded runner.
  }, 180_000)

  it('wait: false: the id, the console link and "not waited for"', async () => {
    const run = await deploy('nowait', release('1', 'sleep 1'), { wait: 'false' })
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Created')
    expect(heading(run)).toBe(`🚀 CodeDeploy ${id} created, not waited for`)
    expect(run.summary).toContain(consoleLink(run, id))
    expect(run.summary).toContain('Not waited for (`wait: false`)')
    expect(world.stack.codedeploy.deployment(id)?.status).not.toBe('Succeeded')
    await world.stack.codedeploy.idle()
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Succeeded')
  })

  it('command package: headed as a package with its revision, ETag, SHA-256 and size', async () => {
    const run = await runInProcess(
      { command: 'package', bucket: BUCKET, source: await world.source(release('p')) },
      world.env
    )
    expect(run.failed).toBe(false)
    expect(run.outputs['deployment-id']).toBeUndefined()
    expect(run.outputs.status).toBeUndefined()
    expect(heading(run)).toBe(`📦 Packaged a bundle into s3://${BUCKET}`)
    expect(run.summary).toContain(`| Revision | \`${run.outputs.revision}\` |`)
    expect(run.summary).toContain(`| ETag | \`${run.outputs.etag}\` |`)
    expect(run.summary).toContain(`| SHA-256 | \`${run.outputs['bundle-sha256']}\` |`)
    expect(run.summary).toMatch(/\| Bundle \| \d+ B, 3 files \|/)
    expect(run.summary).not.toMatch(/CodeDeploy|Instances/)
  })

  it('command rollback: labelled a rollback, with the revision, its deployment and why', async () => {
    const first = await deploy('rollback', release('r1'))
    expect((await deploy('rollback', release('r2'))).failed).toBe(false)
    const run = await runInProcess(
      { command: 'rollback', application: APPLICATION, 'deployment-group': 'rollback' },
      world.env
    )
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(heading(run)).toBe(`✅ Rollback deployment ${id} Succeeded`)
    expect(run.outputs.revision).toBe(first.outputs.revision)
    expect(run.summary).toContain(`| Revision | \`${first.outputs.revision}\` |`)
    expect(run.summary).toContain(
      `| Rolled back to | the revision of ${first.outputs['deployment-id']} |`
    )
    expect(run.summary).toMatch(
      /\| Why this one \| The group's last deployment, d-\w+ \(Succeeded\)/
    )
    expect(await world.installed('rollback', 'srv/app/version.txt')).toBe('r1')
  })

  it('a failure before any deployment: the stage, the error and its fix', async () => {
    const built = await runInProcess(
      { command: 'package', bucket: BUCKET, source: await world.source(release('x')) },
      world.env
    )
    const run = await runInProcess(
      {
        application: APPLICATION,
        'deployment-group': 'promote',
        revision: built.outputs.revision!,
        'revision-etag': '0123456789abcdef'
      },
      world.env
    )
    expect(run.failed).toBe(true)
    expect(run.outputs['deployment-id']).toBeUndefined()
    expect(heading(run)).toBe('❌ Failed while checking the revision')
    expect(run.summary).toMatch(/### What went wrong\n\nWhile checking the revision:/)
    expect(run.summary).toContain('redeploy from the build, or update revision-etag')
    expect(run.log).toMatch(/::error::Failed while checking the revision: Revision s3:\/\//)
    expect(
      world.calls('CreateDeployment').some(c => c.input.deploymentGroupName === 'promote')
    ).toBe(false)
  })
})

describe('a cancelled job: the summary tells what on-cancel did, as the outputs do', () => {
  it('stop-and-rollback: stopped, rollback started, both ids in the summary', async () => {
    expect((await deploy('cancel-rollback', release('1'))).failed).toBe(false)
    const run = await deploy(
      'cancel-rollback',
      release('2', 'sleep 30'),
      {},
      {
        signal: cancelWhenRunning('cancel-rollback')
      }
    )
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Stopped')
    expect(heading(run)).toBe(`⏹️ CodeDeploy ${id} cancelled (Stopped)`)
    expect(run.summary).toContain('`on-cancel: stop-and-rollback` said to stop it and roll back')
    const rollback = run.outputs['rollback-deployment-id']!
    expect(rollback).toMatch(/^d-/)
    expect(run.summary).toContain(`[${rollback}]`)
    expect(world.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    await world.stack.codedeploy.idle()
    expect(await world.installed('cancel-rollback', 'srv/app/version.txt')).toBe('1')
  })

  it('stop: stopped without a rollback', async () => {
    const run = await deploy(
      'cancel-stop',
      release('1', 'sleep 30'),
      { 'on-cancel': 'stop' },
      {
        signal: cancelWhenRunning('cancel-stop')
      }
    )
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Stopped')
    expect(run.outputs['rollback-deployment-id']).toBeUndefined()
    expect(heading(run)).toBe(`⏹️ CodeDeploy ${id} cancelled (Stopped)`)
    expect(run.summary).toContain('`on-cancel: stop` said to stop it.')
    expect(run.summary).not.toContain('### Rollback')
    expect(world.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([false])
  })

  it('detach: left running, said so, and not stopped', async () => {
    const run = await deploy(
      'cancel-detach',
      release('1', 'sleep 1'),
      { 'on-cancel': 'detach' },
      {
        signal: cancelWhenRunning('cancel-detach')
      }
    )
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('InProgress')
    expect(heading(run)).toBe(`⏹️ Cancelled; CodeDeploy ${id} left running (InProgress)`)
    expect(run.log).toContain(`::error::Job cancelled; ${id} left running (on-cancel: detach)`)
    expect(world.calls('StopDeployment', id)).toEqual([])
    await world.stack.codedeploy.idle()
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Succeeded')
  })
})

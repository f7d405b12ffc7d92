/**
 * Blue/green on EC2 against the local stack: the replacement fleet at Ready, the traffic reroute,
 * the wait before the originals are terminated, and `command: continue` between two steps (as
 * behind an environment's approval). Waits are compressed: an hour is 3.6 s.
 */
import { describe, expect, it } from '@jest/globals'
import { CodeDeployClient, ContinueDeploymentCommand } from '@aws-sdk/client-codedeploy'
import { REGION } from '../local/stack.js'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { JumpClock, until } from './helpers/clock.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

function blueGreen(
  readyWaitMinutes: number,
  actionOnTimeout: 'STOP_DEPLOYMENT' | 'CONTINUE_DEPLOYMENT' = 'STOP_DEPLOYMENT'
) {
  return {
    instances: 2,
    deploymentStyle: {
      deploymentType: 'BLUE_GREEN' as const,
      deploymentOption: 'WITH_TRAFFIC_CONTROL' as const
    },
    loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
    blueGreenDeploymentConfiguration: {
      deploymentReadyOption: {
        actionOnTimeout,
        waitTimeInMinutes: readyWaitMinutes
      },
      terminateBlueInstancesOnDeploymentSuccess: {
        action: 'TERMINATE' as const,
        terminationWaitTimeInMinutes: 60
      }
    }
  }
}

const world = useTestStack({
  timeScale: 0.001,
  groups: {
    'bg-default': blueGreen(600),
    'bg-gated': blueGreen(600),
    'bg-failing': blueGreen(600),
    'bg-person': blueGreen(600),
    'bg-long-wait': blueGreen(600),
    'bg-checked': blueGreen(600),
    'in-place': 1
  }
})

async function deploy(
  group: string,
  tree: ReturnType<typeof release>,
  extra: Record<string, string> = {}
): Promise<InProcessRun> {
  return runInProcess(
    {
      application: APPLICATION,
      'deployment-group': group,
      bucket: BUCKET,
      source: await world.source(tree),
      ...extra
    },
    world.env
  )
}

function continueRun(id: string, extra: Record<string, string> = {}): Promise<InProcessRun> {
  return runInProcess({ command: 'continue', 'deployment-id': id, ...extra }, world.env)
}

const waits = (id: string): unknown[] =>
  world.calls('ContinueDeployment', id).map(c => c.input.deploymentWaitType)

describe('a blue/green deployment', () => {
  it('is rerouted at Ready, and the step ends once traffic is on the replacement', async () => {
    const run = await deploy('bg-default', release('1'))
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(waits(id)).toEqual(['READY_WAIT'])
    expect(run.outputs.status).toBe('InProgress')
    expect(run.summary).toMatch(
      new RegExp(`^## ✅ CodeDeploy ${id}: traffic on the replacement instances`, 'm')
    )
    expect(run.summary).toContain("The original instances are terminated after the group's 1h wait")
    expect(run.summary).toMatch(/\(replacement\) \| ✅ Succeeded/)
    expect(run.log).toMatch(/::notice::Traffic of d-\w+ is on the replacement instances/)
    // The replacements' progress where the step paused at Ready, then one line per instance.
    expect(run.log).toMatch(
      /^ {2}i-\w+ \(replacement\): 7 of 10 events succeeded in [\d.]+s \(ApplicationStop … ValidateService\); BeforeAllowTraffic next$/m
    )
    expect(run.log).toMatch(
      /^ {2}i-\w+ \(replacement\): ✓ 10 events succeeded in [\d.]+s \(ApplicationStop … AfterAllowTraffic\)$/m
    )
    expect(run.log).toMatch(
      /^ {2}i-\w+ \(original\): ✓ 3 events succeeded in [\d.]+s \(BeforeBlockTraffic … AfterBlockTraffic\)$/m
    )

    // Later, the same deployment's termination wait is ended on purpose.
    const ended = await continueRun(id)
    expect(ended.failed).toBe(false)
    expect(waits(id)).toEqual(['READY_WAIT', 'TERMINATION_WAIT'])
    expect(ended.outputs.status).toBe('Succeeded')
    expect(ended.outputs['deployment-id']).toBe(id)
    expect(ended.outputs.revision).toBe(run.outputs.revision)
  })

  it('with on-ready: exit, stops at Ready; command continue in a later step reroutes and finishes', async () => {
    const staged = await deploy('bg-gated', release('2'), { 'on-ready': 'exit' })
    expect(staged.failed).toBe(false)
    const id = staged.outputs['deployment-id']!
    expect(staged.outputs.status).toBe('Ready')
    expect(waits(id)).toEqual([])
    expect(staged.summary).toMatch(new RegExp(`^## 🟢 CodeDeploy ${id} Ready`, 'm'))
    expect(staged.log).toContain(`Reroute it with command: continue and deployment-id: ${id}`)
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Ready')

    // The step behind the approval still carries the deploy step's bucket and revision: harmless.
    const released = await continueRun(id, {
      'on-termination-wait': 'continue',
      bucket: 'bundles',
      revision: 's3://bundles/app.zip'
    })
    expect(released.failed).toBe(false)
    for (const name of ['bucket', 'revision'])
      expect(released.log).toContain(
        `::warning::Input '${name}' is not used: command 'continue' moves an existing deployment on. It is ignored`
      )
    expect(waits(id)).toEqual(['READY_WAIT', 'TERMINATION_WAIT'])
    expect(released.outputs.status).toBe('Succeeded')
    expect(released.summary).toMatch(new RegExp(`^## ✅ CodeDeploy ${id} Succeeded`, 'm'))
  })

  it('with on-ready: wait, leaves the reroute to a person and keeps following', async () => {
    // The person: continues the deployment from outside once it is Ready.
    const client = new CodeDeployClient({
      region: REGION,
      endpoint: world.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
    })
    // It acts once the action has read the Ready state (two reads after it began), as a person
    // would, minutes later.
    let readsAtReady: number | undefined
    const person = setInterval(() => {
      const ready = [...world.stack.codedeploy.service.deployments.values()].find(
        d => d.deploymentGroupName === 'bg-person' && d.status === 'Ready'
      )
      if (!ready) return
      const reads = world.calls('GetDeployment', ready.deploymentId).length
      readsAtReady ??= reads
      if (reads < readsAtReady + 2) return
      clearInterval(person)
      void client.send(
        new ContinueDeploymentCommand({
          deploymentId: ready.deploymentId,
          deploymentWaitType: 'READY_WAIT'
        })
      )
    }, 5)
    const run = await deploy('bg-person', release('7'), { 'on-ready': 'wait' })
    clearInterval(person)
    client.destroy()
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(run.log).toContain(
      `::notice::${id} is Ready: the replacement instances passed their hooks`
    )
    // One ContinueDeployment: the person's, not the action's.
    expect(waits(id)).toEqual(['READY_WAIT'])
    expect(run.outputs.status).toBe('InProgress')
    expect(run.summary).toMatch(
      new RegExp(`^## ✅ CodeDeploy ${id}: traffic on the replacement`, 'm')
    )
  })

  it('is not stopped when the timeout passes while its originals wait to be terminated', async () => {
    // The wall clock until the action has seen the originals' wait (an hour, 3.6 s here); then
    // past the 1m timeout, within the wait.
    const clock = new JumpClock()
    const running = runInProcess(
      {
        application: APPLICATION,
        'deployment-group': 'bg-long-wait',
        bucket: BUCKET,
        source: await world.source(release('8')),
        'on-termination-wait': 'wait',
        timeout: '1m'
      },
      world.env,
      { clock }
    )
    // When this test first saw the originals waiting; then the action has read it too.
    let waitingSince: number | undefined
    const seenWaiting = (): boolean => {
      const d = [...world.stack.codedeploy.service.deployments.values()].find(
        d => d.deploymentGroupName === 'bg-long-wait' && d.blueGreen?.waiting === 'TERMINATION_WAIT'
      )
      if (!d) return false
      const since = (waitingSince ??= Date.now())
      // Two reads after it: the watch sends a read only once it has taken in the one before.
      const reads = world.stack.codedeploy.calls.filter(
        c =>
          c.operation === 'GetDeployment' && c.input.deploymentId === d.deploymentId && c.at > since
      )
      return reads.length >= 2
    }
    await until(seenWaiting)
    clock.jump(61_000)
    const run = await running
    const id = run.outputs['deployment-id']!
    expect(run.failed).toBe(false)
    expect(world.calls('StopDeployment', id)).toEqual([])
    expect(run.summary).toContain('traffic was already on the replacement, so nothing was stopped')
    await world.stack.codedeploy.idle()
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Succeeded')
  })

  it('whose replacement fails a hook is diagnosed and rolled back, the originals keeping traffic', async () => {
    const run = await deploy('bg-failing', release('3', 'echo "green unhealthy" >&2; exit 2'))
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Failed')
    expect(run.log).toMatch(new RegExp(`::error::${id} Failed: ValidateService failed on i-`))
    expect(run.summary).toContain('green unhealthy')
    expect(waits(id)).toEqual([])
  })
})

describe('command continue refuses, before any write', () => {
  it('an in-place deployment', async () => {
    const deployed = await deploy('in-place', release('4'))
    const id = deployed.outputs['deployment-id']!
    const run = await continueRun(id)
    expect(run.failed).toBe(true)
    expect(run.log).toMatch(
      new RegExp(`::error::Failed while continuing the deployment: ${id} is an in-place deployment`)
    )
    expect(waits(id)).toEqual([])
  })

  it('a deployment that is not waiting, naming its state', async () => {
    const done = await deploy('bg-default', release('5'), { 'on-termination-wait': 'continue' })
    const id = done.outputs['deployment-id']!
    expect(done.outputs.status).toBe('Succeeded')
    const before = waits(id)
    const run = await continueRun(id)
    expect(run.failed).toBe(true)
    expect(run.log).toContain(`${id} is Succeeded, not waiting`)
    expect(run.log).toContain('It has already ended.')
    expect(waits(id)).toEqual(before)
  })

  it('a deployment of another application or group, naming both', async () => {
    const staged = await deploy('bg-checked', release('10'), { 'on-ready': 'exit' })
    const id = staged.outputs['deployment-id']!
    const group = await continueRun(id, {
      application: APPLICATION,
      'deployment-group': 'bg-gated'
    })
    expect(group.failed).toBe(true)
    expect(group.log).toContain(
      `${id} belongs to application '${APPLICATION}', deployment group 'bg-checked', not to the deployment group 'bg-gated' this step names. Check 'deployment-id'`
    )
    const both = await continueRun(id, { application: 'billing', 'deployment-group': 'bg-gated' })
    expect(both.log).toContain(
      `not to the application 'billing' and deployment group 'bg-gated' this step names`
    )
    expect(waits(id)).toEqual([])
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Ready')

    // Its own application and group pass; without waiting, the outputs say where it went.
    const moved = await continueRun(id, {
      application: APPLICATION,
      'deployment-group': 'bg-checked',
      wait: 'false'
    })
    expect(moved.failed).toBe(false)
    expect(waits(id)).toEqual(['READY_WAIT'])
    expect(world.calls('GetDeployment', id).length).toBeGreaterThan(0)
    expect(moved.outputs.status).toBe('InProgress')
    expect(moved.outputs['deployment-id']).toBe(id)
  })

  it('a malformed deployment-id, and deployment-id without command continue', async () => {
    const bad = await continueRun('d-123')
    expect(bad.log).toMatch(/Invalid deployment-id 'd-123'\. Expected a CodeDeploy deployment id/)
    const stray = await deploy('in-place', release('6'), { 'deployment-id': 'd-ABCDEFGHI' })
    expect(stray.failed).toBe(true)
    expect(stray.log).toMatch(/Input 'deployment-id' is for command 'continue'/)
  })
})

/**
 * A deployment group held by a parked blue/green deployment (at Ready after `on-ready: exit`,
 * then in its termination wait): the next run says at once which deployment holds the group,
 * what it waits for and how to end it, and goes on once a person ends each wait. Against the
 * local stack; an hour's wait is 3.6 s.
 */
import { describe, expect, it } from '@jest/globals'
import { CodeDeployClient, ContinueDeploymentCommand } from '@aws-sdk/client-codedeploy'
import { REGION } from '../local/stack.js'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const world = useTestStack({
  timeScale: 0.001,
  groups: {
    held: {
      instances: 1,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 600 },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: 120
        }
      }
    }
  }
})

async function deploy(version: string, extra: Record<string, string> = {}): Promise<InProcessRun> {
  return runInProcess(
    {
      application: APPLICATION,
      'deployment-group': 'held',
      bucket: BUCKET,
      source: await world.source(release(version)),
      ...extra
    },
    world.env
  )
}

/**
 * A person who ends each wait of `id` once the next run was refused and has read the parked
 * state twice (as someone would, minutes after the notice). Returns a function that stops them.
 */
function person(id: string): () => void {
  const client = new CodeDeployClient({
    region: REGION,
    endpoint: world.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  const readsAt = new Map<string, number>()
  const timer = setInterval(() => {
    const refused = world
      .calls('CreateDeployment')
      .some(c => c.errorType === 'DeploymentLimitExceededException')
    const waiting = world.stack.codedeploy.deployment(id)?.blueGreen?.waiting
    if (!refused || !waiting) return
    const reads = world.calls('GetDeployment', id).length
    const first = readsAt.get(waiting) ?? reads
    readsAt.set(waiting, first)
    if (reads < first + 2 || readsAt.get(`${waiting} sent`) !== undefined) return
    readsAt.set(`${waiting} sent`, reads)
    void client.send(
      new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: waiting })
    )
  }, 5)
  return () => {
    clearInterval(timer)
    client.destroy()
  }
}

describe('a group held by a parked blue/green deployment', () => {
  it('is named at once, at Ready and in the termination wait, with how to end each wait', async () => {
    const staged = await deploy('p1', { 'on-ready': 'exit' })
    const parked = staged.outputs['deployment-id']!
    expect(staged.outputs.status).toBe('Ready')

    const stop = person(parked)
    const next = await deploy('p2').finally(stop)
    expect(next.failed).toBe(false)
    const link = `https://${REGION}.console.aws.amazon.com/codesuite/codedeploy/deployments/${parked}?region=${REGION}`
    const stopIt = `aws deploy stop-deployment --deployment-id ${parked} --auto-rollback-enabled --region ${REGION}`
    expect(next.log).toContain(
      `::warning::Deployment group 'held' is held by ${parked}, a blue/green deployment parked at Ready: its replacement instances wait for traffic to be rerouted; CodeDeploy stops it if traffic is not rerouted within 600 minutes of Ready. This run waits for it until its own timeout. To go on now, reroute its traffic with a step that has command: continue and deployment-id: ${parked}, or stop it (${stopIt}). ${link}`
    )
    expect(next.log).toContain(
      `::warning::Deployment group 'held' is held by ${parked}, a blue/green deployment in its termination wait: traffic is on the replacement and the original instances wait to be terminated, which CodeDeploy does 120 minutes after the reroute. This run waits for it until its own timeout. To go on now, end the wait with a step that has command: continue and deployment-id: ${parked} (the originals are terminated then), or stop it (${stopIt}). ${link}`
    )
    // Said while waiting, before the held deployment ended and this one was created.
    const said = next.log.indexOf('parked at Ready')
    expect(said).toBeGreaterThan(-1)
    expect(said).toBeLessThan(
      next.log.indexOf(`${parked} ended Succeeded; creating the deployment now.`)
    )
    expect(world.calls('ContinueDeployment', parked).map(c => c.input.deploymentWaitType)).toEqual([
      'READY_WAIT',
      'TERMINATION_WAIT'
    ])
    expect(world.calls('StopDeployment', parked)).toEqual([])
    expect(next.outputs['deployment-id']).not.toBe(parked)
  })
})

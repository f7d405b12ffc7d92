/**
 * ECS blue/green held at Ready, through the action against the local stack: a group whose
 * deploymentReadyOption is STOP_DEPLOYMENT keeps the replacement task set at Ready (test traffic
 * on it, production traffic on the original) until ContinueDeployment, so `on-ready` (continue,
 * wait, exit) and `command: continue` work as for EC2. A configured minute lasts 100 ms.
 */
import { describe, expect, it } from '@jest/globals'
import { CodeDeployClient, ContinueDeploymentCommand } from '@aws-sdk/client-codedeploy'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { REGION } from '../local/stack.js'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { useTestStack } from './helpers/stack.js'

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/2'
const TEST_LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/3'

/** An ECS group that waits at Ready for a reroute (up to 10 h), then 1 h before terminating. */
function heldGroup(name: string) {
  return {
    name,
    deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce',
    ecsServices: [{ clusterName: 'prod', serviceName: name }],
    deploymentStyle: {
      deploymentType: 'BLUE_GREEN' as const,
      deploymentOption: 'WITH_TRAFFIC_CONTROL' as const
    },
    blueGreenDeploymentConfiguration: {
      deploymentReadyOption: {
        actionOnTimeout: 'STOP_DEPLOYMENT' as const,
        waitTimeInMinutes: 600
      },
      terminateBlueInstancesOnDeploymentSuccess: {
        action: 'TERMINATE' as const,
        terminationWaitTimeInMinutes: 60
      }
    },
    loadBalancerInfo: {
      targetGroupPairInfoList: [
        {
          targetGroups: [{ name: `${name}-blue` }, { name: `${name}-green` }],
          prodTrafficRoute: { listenerArns: [LISTENER] },
          testTrafficRoute: { listenerArns: [TEST_LISTENER] }
        }
      ]
    }
  }
}

const world = useTestStack({
  timeScale: 1 / 600,
  groups: {},
  config: {
    applications: [
      {
        name: 'containers',
        computePlatform: 'ECS',
        deploymentGroups: [
          heldGroup('held'),
          heldGroup('gated'),
          heldGroup('person'),
          {
            ...heldGroup('failing'),
            autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE' as const] }
          }
        ]
      }
    ],
    ecs: {
      taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1' }] }]
    },
    hookOutcomes: { 'check-fails': 'Failed' }
  }
})

const appspec = (hook: string): string => APPSPEC.replace('check-passes', hook)

const APPSPEC = [
  'version: 0.0',
  'Resources:',
  '  - web:',
  '      Type: AWS::ECS::Service',
  '      Properties:',
  '        TaskDefinition: <TASK_DEFINITION>',
  '        LoadBalancerInfo:',
  '          ContainerName: web',
  '          ContainerPort: 8080',
  'Hooks:',
  '  - AfterAllowTestTraffic: check-passes',
  ''
].join('\n')

const TASK_DEFINITION = JSON.stringify({
  family: 'web',
  containerDefinitions: [{ name: 'web', image: 'web:2', portMappings: [{ containerPort: 8080 }] }]
})

async function deploy(
  group: string,
  extra: Record<string, string> = {},
  hook = 'check-passes'
): Promise<InProcessRun> {
  const dir = await world.source({})
  await writeFile(path.join(world.workspace, dir, 'appspec.yaml'), appspec(hook))
  await writeFile(path.join(world.workspace, dir, 'task-definition.json'), TASK_DEFINITION)
  return runInProcess(
    {
      application: 'containers',
      'deployment-group': group,
      appspec: `${dir}/appspec.yaml`,
      'task-definition': `${dir}/task-definition.json`,
      ...extra
    },
    world.env
  )
}

const waits = (id: string): unknown[] =>
  world.calls('ContinueDeployment', id).map(c => c.input.deploymentWaitType)

/** The replacement task set's share of production traffic, as the emulator holds it. */
const greenWeight = (id: string): number | undefined =>
  world.stack.codedeploy
    .deployment(id)
    ?.traffic?.taskSetsInfo?.find(t => t.taskSetLabel === 'Green')?.trafficWeight

describe('an ECS blue/green deployment held at Ready', () => {
  it('is rerouted by the action (on-ready: continue), and the step ends once traffic moved', async () => {
    const run = await deploy('held')
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(waits(id)).toEqual(['READY_WAIT'])
    expect(run.outputs.status).toBe('InProgress')
    expect(greenWeight(id)).toBe(100)
    expect(run.log).toContain(
      `Continuing ${id} (READY_WAIT): rerouting traffic to the replacement task set.`
    )
    expect(run.summary).toMatch(
      new RegExp(`^## ✅ CodeDeploy ${id}: traffic on the replacement task set`, 'm')
    )
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('InProgress')
  })

  it('with on-ready: exit, stops at Ready; command continue in a later step reroutes and finishes', async () => {
    const staged = await deploy('gated', { 'on-ready': 'exit' })
    expect(staged.failed).toBe(false)
    const id = staged.outputs['deployment-id']!
    expect(staged.outputs.status).toBe('Ready')
    expect(staged.log).toContain(`Reroute it with command: continue and deployment-id: ${id}`)
    expect(staged.log).toContain('the replacement task set passed its hooks')
    expect(world.stack.codedeploy.deployment(id)?.status).toBe('Ready')
    // Test traffic only: production still goes to the original task set.
    expect(greenWeight(id)).toBe(0)
    expect(waits(id)).toEqual([])

    const released = await runInProcess(
      { command: 'continue', 'deployment-id': id, 'on-termination-wait': 'continue' },
      world.env
    )
    expect(released.failed).toBe(false)
    expect(waits(id)).toEqual(['READY_WAIT', 'TERMINATION_WAIT'])
    expect(released.outputs.status).toBe('Succeeded')
    expect(greenWeight(id)).toBe(100)
    const blue = world.stack.codedeploy
      .deployment(id)
      ?.traffic?.taskSetsInfo?.find(t => t.taskSetLabel === 'Blue')
    expect(blue).toMatchObject({ status: 'DRAINING', desiredCount: 0 })
  })

  it('with on-ready: wait, leaves the reroute to a person and keeps following', async () => {
    const client = new CodeDeployClient({
      region: REGION,
      endpoint: world.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
    })
    let readsAtReady: number | undefined
    const person = setInterval(() => {
      const ready = [...world.stack.codedeploy.service.deployments.values()].find(
        d => d.deploymentGroupName === 'person' && d.status === 'Ready'
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
    const run = await deploy('person', { 'on-ready': 'wait' }).finally(() => {
      clearInterval(person)
      client.destroy()
    })
    expect(run.failed).toBe(false)
    const id = run.outputs['deployment-id']!
    expect(run.log).toContain(`::notice::${id} is Ready: the replacement task set passed its hooks`)
    expect(waits(id)).toEqual(['READY_WAIT'])
    expect(run.outputs.status).toBe('InProgress')
    expect(greenWeight(id)).toBe(100)
  })

  it('whose test-traffic hook fails is rolled back at once, without a Ready or termination wait', async () => {
    const good = await deploy('failing', { 'on-termination-wait': 'continue' })
    expect(good.outputs.status).toBe('Succeeded')
    const run = await deploy('failing', {}, 'check-fails')
    expect(run.failed).toBe(true)
    expect(run.outputs.status).toBe('Failed')
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    const rollback = world.stack.codedeploy.deployment(run.outputs['rollback-deployment-id']!)
    expect(rollback?.traffic?.terminationWaitStarted).not.toBe(true)
    expect(world.calls('ContinueDeployment', rollback?.deploymentId)).toEqual([])
  })
})

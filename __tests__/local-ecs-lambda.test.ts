/**
 * ECS and Lambda deployments on the local stack: the CodeDeploy emulator driven through the real
 * @aws-sdk/client-codedeploy, and the ECS and Lambda stand-ins through raw HTTP requests shaped as
 * their SDKs send them. Time is compressed 600 times: a configured minute lasts 100 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  CodeDeployClient,
  CreateApplicationCommand,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  CreateDeploymentConfigCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentConfigsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
  GetDeploymentCommand,
  BatchGetDeploymentTargetsCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type DeploymentTarget
} from '@aws-sdk/client-codedeploy'
import { createHash } from 'node:crypto'
import { startLocalStack, type LocalStack } from '../local/stack.js'

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/2'
const TEST_LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/3'
let stack: LocalStack
let client: CodeDeployClient

function ecsGroup(name: string, service: string, deploymentConfig: string) {
  return {
    name,
    deploymentConfig,
    ecsServices: [{ clusterName: 'prod', serviceName: service }],
    loadBalancerInfo: {
      targetGroupPairInfoList: [
        {
          targetGroups: [{ name: `${service}-blue` }, { name: `${service}-green` }],
          prodTrafficRoute: { listenerArns: [LISTENER] },
          testTrafficRoute: { listenerArns: [TEST_LISTENER] }
        }
      ]
    }
  }
}

beforeAll(async () => {
  stack = await startLocalStack({
    stepDelayMs: 5,
    config: {
      timeScale: 1 / 600,
      applications: [
        {
          name: 'shop',
          computePlatform: 'ECS',
          deploymentGroups: [
            ecsGroup('web', 'web', 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'),
            ecsGroup('api', 'api', 'CodeDeployDefault.ECSCanary10Percent15Minutes'),
            {
              ...ecsGroup('held', 'web', 'CodeDeployDefault.ECSAllAtOnce'),
              // Ready for 3 (compressed) minutes, then stopped if nobody reroutes.
              blueGreenDeploymentConfiguration: {
                deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 3 },
                terminateBlueInstancesOnDeploymentSuccess: {
                  action: 'TERMINATE',
                  terminationWaitTimeInMinutes: 5
                }
              }
            }
          ]
        },
        {
          name: 'functions',
          computePlatform: 'Lambda',
          deploymentGroups: [
            {
              name: 'checkout',
              deploymentConfig: 'CodeDeployDefault.LambdaCanary10Percent5Minutes'
            },
            {
              name: 'orders',
              deploymentConfig: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
              autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
            },
            { name: 'billing' }
          ]
        }
      ],
      ecs: {
        taskDefinitions: [
          { family: 'web', containerDefinitions: [{ name: 'web', image: 'nginx:1' }] },
          { family: 'api', containerDefinitions: [{ name: 'api', image: 'api:1' }] }
        ]
      },
      lambda: {
        functions: [
          { name: 'checkout', versions: 1, aliases: { live: '1' } },
          { name: 'orders', versions: 2, aliases: { live: '1' } },
          { name: 'billing', versions: 2, aliases: { live: '1' } }
        ]
      },
      hookOutcomes: { 'check-fails': 'Failed', 'check-by-test': 'Silent' }
    }
  })
  client = new CodeDeployClient({
    region: 'us-east-1',
    endpoint: stack.env.AWS_ENDPOINT_URL_CODEDEPLOY,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  })
})

afterAll(async () => {
  client?.destroy()
  await stack?.close()
})

/** An ECS call as @aws-sdk/client-ecs sends it. */
async function ecs(
  operation: string,
  input: object
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(stack.env.AWS_ENDPOINT_URL_ECS!, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`
    },
    body: JSON.stringify(input)
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** A Lambda call as @aws-sdk/client-lambda sends it. */
async function lambda(method: string, path: string, input?: object) {
  const res = await fetch(`${stack.env.AWS_ENDPOINT_URL_LAMBDA}/2015-03-31/functions/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(input ? { body: JSON.stringify(input) } : {})
  })
  return {
    status: res.status,
    errorType: res.headers.get('x-amzn-errortype'),
    body: (await res.json()) as Record<string, unknown>
  }
}

function appSpecRevision(appspec: object, sha256?: string) {
  const content = JSON.stringify(appspec)
  return {
    revisionType: 'AppSpecContent' as const,
    appSpecContent: {
      content,
      sha256: sha256 ?? createHash('sha256').update(content).digest('hex')
    }
  }
}

function ecsAppSpec(taskDefinition: string, container: string, hooks: object[] = []) {
  return {
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinition,
            LoadBalancerInfo: { ContainerName: container, ContainerPort: 80 }
          }
        }
      }
    ],
    Hooks: hooks
  }
}

function lambdaAppSpec(name: string, current: string, target: string, hooks: object[] = []) {
  return {
    version: 0.0,
    Resources: [
      {
        fn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: name, Alias: 'live', CurrentVersion: current, TargetVersion: target }
        }
      }
    ],
    Hooks: hooks
  }
}

async function deploy(app: string, group: string, appspec: object): Promise<string> {
  const out = await client.send(
    new CreateDeploymentCommand({
      applicationName: app,
      deploymentGroupName: group,
      revision: appSpecRevision(appspec)
    })
  )
  return out.deploymentId!
}

async function target(id: string): Promise<DeploymentTarget> {
  const { targetIds } = await client.send(new ListDeploymentTargetsCommand({ deploymentId: id }))
  const out = await client.send(
    new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: targetIds! })
  )
  return out.deploymentTargets![0]!
}

async function info(id: string): Promise<DeploymentInfo> {
  return (await client.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!
}

/** Polls until the deployment ends, calling `each` on every poll. */
async function follow(id: string, each?: () => Promise<void>): Promise<DeploymentInfo> {
  for (;;) {
    await each?.()
    const d = await info(id)
    if (['Succeeded', 'Failed', 'Stopped'].includes(d.status!)) return d
    await new Promise(resolve => setTimeout(resolve, 15))
  }
}

describe('ECS deployments', () => {
  it('register a task definition, then shift traffic to it linearly and succeed', async () => {
    const registered = await ecs('RegisterTaskDefinition', {
      family: 'web',
      containerDefinitions: [
        { name: 'web', image: 'nginx:2', portMappings: [{ containerPort: 80 }] }
      ]
    })
    expect(registered.status).toBe(200)
    const arn = (registered.body.taskDefinition as { taskDefinitionArn: string }).taskDefinitionArn
    expect(arn).toBe('arn:aws:ecs:us-east-1:000000000000:task-definition/web:2')
    const described = await ecs('DescribeTaskDefinition', { taskDefinition: 'web:2' })
    expect(described.body.taskDefinition).toMatchObject({ revision: 2, status: 'ACTIVE' })

    const id = await deploy(
      'shop',
      'web',
      ecsAppSpec(arn, 'web', [{ BeforeInstall: 'check-ok' }, { AfterAllowTestTraffic: 'check-ok' }])
    )
    const weights: number[] = []
    const d = await follow(id, async () => {
      const green = (await target(id)).ecsTarget?.taskSetsInfo?.[1]
      if (green && weights.at(-1) !== green.trafficWeight) weights.push(green.trafficWeight!)
    })
    expect(d).toMatchObject({ status: 'Succeeded', computePlatform: 'ECS' })
    expect(d.deploymentStyle).toEqual({
      deploymentType: 'BLUE_GREEN',
      deploymentOption: 'WITH_TRAFFIC_CONTROL'
    })
    // Ten steps of ten percent, a (compressed) minute apart: most are seen on the way.
    expect(weights.length).toBeGreaterThanOrEqual(6)
    expect(weights).toEqual([...weights].sort((a, b) => a - b))
    expect(weights.at(-1)).toBe(100)
    const t = await target(id)
    expect(t.deploymentTargetType).toBe('ECSTarget')
    expect(t.ecsTarget).toMatchObject({ targetId: 'prod:web', status: 'Succeeded' })
    expect(t.ecsTarget!.lifecycleEvents!.map(e => [e.lifecycleEventName, e.status])).toEqual(
      [
        'BeforeInstall',
        'Install',
        'AfterInstall',
        'AllowTestTraffic',
        'AfterAllowTestTraffic',
        'BeforeAllowTraffic',
        'AllowTraffic',
        'AfterAllowTraffic'
      ].map(name => [name, 'Succeeded'])
    )
    expect(t.ecsTarget!.taskSetsInfo).toEqual([
      expect.objectContaining({
        taskSetLabel: 'Blue',
        trafficWeight: 0,
        targetGroup: { name: 'web-blue' }
      }),
      expect.objectContaining({
        taskSetLabel: 'Green',
        trafficWeight: 100,
        status: 'PRIMARY',
        targetGroup: { name: 'web-green' }
      })
    ])
    expect(
      stack.ecsLambda.world.invocations.filter(i => i.payload.DeploymentId === id)
    ).toHaveLength(2)
  })

  it('stop mid-shift: the deployment stops and traffic goes back to the original task set', async () => {
    const id = await deploy('shop', 'api', ecsAppSpec('api:1', 'api'))
    for (;;) {
      const green = (await target(id)).ecsTarget?.taskSetsInfo?.[1]
      if (green?.trafficWeight === 10) break
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    await client.send(new StopDeploymentCommand({ deploymentId: id }))
    const d = await follow(id)
    expect(d.status).toBe('Stopped')
    const [blue, green] = (await target(id)).ecsTarget!.taskSetsInfo!
    expect(blue).toMatchObject({ trafficWeight: 100, status: 'PRIMARY' })
    expect(green).toMatchObject({ trafficWeight: 0, status: 'DRAINING' })
  })
})

describe('an ECS group that waits for a traffic reroute', () => {
  it('holds the replacement at Ready on test traffic only, and stops it when nobody reroutes', async () => {
    const id = await deploy('shop', 'held', ecsAppSpec('web:1', 'web'))
    let d = await info(id)
    while (d.status !== 'Ready') {
      expect(['Created', 'InProgress']).toContain(d.status)
      await new Promise(resolve => setTimeout(resolve, 10))
      d = await info(id)
    }
    expect(d).toMatchObject({ instanceTerminationWaitTimeStarted: false })
    expect(d.deploymentOverview).toMatchObject({ Ready: 1 })
    const t = (await target(id)).ecsTarget!
    expect(t.status).toBe('Ready')
    expect(t.lifecycleEvents!.map(e => e.status)).toEqual([
      ...Array<string>(5).fill('Succeeded'),
      ...Array<string>(3).fill('Pending')
    ])
    expect(t.taskSetsInfo![1]).toMatchObject({ taskSetLabel: 'Green', trafficWeight: 0 })
    await expect(
      client.send(
        new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'TERMINATION_WAIT' })
      )
    ).rejects.toMatchObject({ name: 'DeploymentIsNotInReadyStateException' })

    const stopped = await follow(id)
    expect(stopped).toMatchObject({ status: 'Stopped', errorInformation: { code: 'TIMEOUT' } })
    expect((await target(id)).ecsTarget!.taskSetsInfo![1]).toMatchObject({
      trafficWeight: 0,
      status: 'DRAINING'
    })
  })

  it('is continued at Ready, then waits to terminate the original task set until continued again', async () => {
    const id = await deploy('shop', 'held', ecsAppSpec('web:1', 'web'))
    while ((await info(id)).status !== 'Ready') await new Promise(r => setTimeout(r, 10))
    await client.send(
      new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' })
    )
    expect((await info(id)).status).toBe('InProgress')
    let d = await info(id)
    while (!d.instanceTerminationWaitTimeStarted) {
      await new Promise(resolve => setTimeout(resolve, 10))
      d = await info(id)
    }
    expect(d.status).toBe('InProgress')
    expect((await target(id)).ecsTarget!.taskSetsInfo![1]).toMatchObject({ trafficWeight: 100 })
    await client.send(
      new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'TERMINATION_WAIT' })
    )
    expect((await follow(id)).status).toBe('Succeeded')
    expect((await target(id)).ecsTarget!.taskSetsInfo![0]).toMatchObject({ status: 'DRAINING' })
  })
})

describe('Lambda deployments', () => {
  it('publish a version, then a canary moves the alias routing, visible through GetAlias, and succeeds', async () => {
    const published = await lambda('POST', 'checkout/versions', {})
    expect(published.status).toBe(201)
    expect(published.body).toMatchObject({ FunctionName: 'checkout', Version: '2' })
    const config = await lambda('GET', 'checkout/configuration?Qualifier=live')
    expect(config.body).toMatchObject({ Version: '1' })

    const id = await deploy('functions', 'checkout', lambdaAppSpec('checkout', '1', '2'))
    const routings: unknown[] = []
    const weights: unknown[] = []
    const d = await follow(id, async () => {
      const alias = await lambda('GET', 'checkout/aliases/live')
      const routing = alias.body.RoutingConfig
      if (routing && routings.length === 0) {
        routings.push(routing)
        weights.push((await target(id)).lambdaTarget?.lambdaFunctionInfo?.targetVersionWeight)
      }
    })
    expect(d.status).toBe('Succeeded')
    // Lambda weighs the alias's extra version as a fraction; CodeDeploy reports a percentage.
    expect(routings).toEqual([{ AdditionalVersionWeights: { '2': 0.1 } }])
    expect(weights).toEqual([10])
    const alias = await lambda('GET', 'checkout/aliases/live')
    expect(alias.body).toMatchObject({ Name: 'live', FunctionVersion: '2' })
    expect(alias.body.RoutingConfig).toBeUndefined()
    const t = await target(id)
    expect(t.deploymentTargetType).toBe('LambdaTarget')
    expect(t.lambdaTarget).toMatchObject({
      targetId: 'checkout:live',
      status: 'Succeeded',
      lambdaFunctionInfo: {
        functionName: 'checkout',
        functionAlias: 'live',
        currentVersion: '1',
        targetVersion: '2',
        targetVersionWeight: 100
      }
    })
    expect(t.lambdaTarget!.lifecycleEvents!.map(e => e.lifecycleEventName)).toEqual([
      'BeforeAllowTraffic',
      'AllowTraffic',
      'AfterAllowTraffic'
    ])
  })

  it('a hook that fails fails the deployment, puts traffic back and rolls back', async () => {
    const good = await deploy('functions', 'orders', lambdaAppSpec('orders', '1', '2'))
    expect((await follow(good)).status).toBe('Succeeded')
    // $LATEST has unpublished changes once: the second publish answers the same version.
    expect((await lambda('POST', 'orders/versions', {})).body).toMatchObject({ Version: '3' })
    expect((await lambda('POST', 'orders/versions', {})).body).toMatchObject({ Version: '3' })
    const bad = await deploy(
      'functions',
      'orders',
      lambdaAppSpec('orders', '2', '3', [{ AfterAllowTraffic: 'check-fails' }])
    )
    const d = await follow(bad)
    expect(d.status).toBe('Failed')
    expect(d.errorInformation?.code).toBe('HOOK_EXECUTION_FAILURE')
    const events = (await target(bad)).lambdaTarget!.lifecycleEvents!
    expect(events.map(e => e.status)).toEqual(['Succeeded', 'Succeeded', 'Failed'])
    const alias = await lambda('GET', 'orders/aliases/live')
    expect(alias.body).toMatchObject({ FunctionVersion: '2' })
    expect(alias.body.RoutingConfig).toBeUndefined()
    const rollbackId = d.rollbackInfo?.rollbackDeploymentId
    expect(rollbackId).toMatch(/^d-/)
    const rollback = await follow(rollbackId!)
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback' })
    expect(rollback.rollbackInfo?.rollbackTriggeringDeploymentId).toBe(bad)
  })

  it('a silent hook waits for PutLifecycleEventHookExecutionStatus from outside', async () => {
    const id = await deploy(
      'functions',
      'billing',
      lambdaAppSpec('billing', '1', '2', [{ BeforeAllowTraffic: 'check-by-test' }])
    )
    let invocation
    while (
      !(invocation = stack.ecsLambda.world.invocations.find(i => i.payload.DeploymentId === id))
    )
      await new Promise(resolve => setTimeout(resolve, 10))
    const executionId = invocation.payload.LifecycleEventHookExecutionId
    await expect(
      client.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          deploymentId: id,
          lifecycleEventHookExecutionId: executionId,
          status: 'InProgress'
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidLifecycleEventHookExecutionStatusException' })
    const out = await client.send(
      new PutLifecycleEventHookExecutionStatusCommand({
        deploymentId: id,
        lifecycleEventHookExecutionId: executionId,
        status: 'Succeeded'
      })
    )
    expect(out.lifecycleEventHookExecutionId).toBe(executionId)
    await expect(
      client.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          deploymentId: id,
          lifecycleEventHookExecutionId: executionId,
          status: 'Failed'
        })
      )
    ).rejects.toMatchObject({ name: 'LifecycleEventAlreadyCompletedException' })
    expect((await follow(id)).status).toBe('Succeeded')
  })

  it("an AppSpec written in the reference's lower case, under any name, deploys the same", async () => {
    // After the test above, billing's alias points at version 2: shift it back to 1.
    const appspec = {
      version: 0.0,
      resources: [
        {
          'billing-fn': {
            type: 'AWS::Lambda::Function',
            properties: { name: 'billing', alias: 'live', currentversion: '2', targetversion: '1' }
          }
        }
      ],
      hooks: [{ BeforeAllowTraffic: 'check-passes' }]
    }
    const id = await deploy('functions', 'billing', appspec)
    expect((await follow(id)).status).toBe('Succeeded')
    expect((await lambda('GET', 'billing/aliases/live')).body).toMatchObject({
      FunctionVersion: '1'
    })
    const invoked = stack.ecsLambda.world.invocations.filter(i => i.payload.DeploymentId === id)
    expect(invoked.map(i => i.functionName)).toEqual(['check-passes'])
    // Lambda deployments have no Ready or termination wait.
    await expect(
      client.send(
        new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: 'READY_WAIT' })
      )
    ).rejects.toMatchObject({ name: 'UnsupportedActionForDeploymentTypeException' })
  })
})

describe('what the service refuses', () => {
  const create = (group: string, revision: ReturnType<typeof appSpecRevision>, app = 'functions') =>
    client.send(
      new CreateDeploymentCommand({
        applicationName: app,
        deploymentGroupName: group,
        revision
      })
    )

  it('a wrong sha256, an appspec of the other platform, and a config of the other platform', async () => {
    await expect(
      create('billing', appSpecRevision(lambdaAppSpec('billing', '1', '2'), 'ab'.repeat(32)))
    ).rejects.toMatchObject({ name: 'InvalidRevisionException' })
    await expect(
      create('billing', appSpecRevision(ecsAppSpec('web:1', 'web')))
    ).rejects.toMatchObject({ name: 'InvalidRevisionException' })
    await expect(
      client.send(
        new CreateDeploymentCommand({
          applicationName: 'functions',
          deploymentGroupName: 'billing',
          deploymentConfigName: 'CodeDeployDefault.OneAtATime',
          revision: appSpecRevision(lambdaAppSpec('billing', '1', '2'))
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidDeploymentConfigNameException' })
  })

  it('lists the ECS and Lambda configurations with their traffic routing', async () => {
    const { deploymentConfigsList } = await client.send(new ListDeploymentConfigsCommand({}))
    expect(deploymentConfigsList).toEqual(
      expect.arrayContaining([
        'CodeDeployDefault.OneAtATime',
        'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
        'CodeDeployDefault.LambdaCanary10Percent5Minutes'
      ])
    )
    const { deploymentConfigInfo } = await client.send(
      new GetDeploymentConfigCommand({
        deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes'
      })
    )
    expect(deploymentConfigInfo).toMatchObject({
      computePlatform: 'Lambda',
      trafficRoutingConfig: {
        type: 'TimeBasedCanary',
        timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 }
      }
    })
    expect(deploymentConfigInfo?.minimumHealthyHosts).toBeUndefined()
    await client.send(
      new CreateDeploymentConfigCommand({
        deploymentConfigName: 'Custom.Linear25',
        computePlatform: 'ECS',
        trafficRoutingConfig: {
          type: 'TimeBasedLinear',
          timeBasedLinear: { linearPercentage: 25, linearInterval: 1 }
        }
      })
    )
    await expect(
      client.send(
        new CreateDeploymentConfigCommand({
          deploymentConfigName: 'Custom.Bad',
          computePlatform: 'Lambda',
          trafficRoutingConfig: { type: 'TimeBasedCanary' }
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidTrafficRoutingConfigurationException' })
  })

  it('an ECS group created over the API needs a target group pair', async () => {
    await client.send(
      new CreateApplicationCommand({ applicationName: 'api-made', computePlatform: 'ECS' })
    )
    const group = {
      applicationName: 'api-made',
      deploymentGroupName: 'g',
      serviceRoleArn: 'arn:aws:iam::000000000000:role/cd',
      deploymentConfigName: 'Custom.Linear25',
      deploymentStyle: {
        deploymentType: 'BLUE_GREEN' as const,
        deploymentOption: 'WITH_TRAFFIC_CONTROL' as const
      },
      ecsServices: [{ clusterName: 'prod', serviceName: 'made' }]
    }
    await expect(client.send(new CreateDeploymentGroupCommand(group))).rejects.toMatchObject({
      name: 'InvalidTargetGroupPairException'
    })
    await client.send(
      new CreateDeploymentGroupCommand({
        ...group,
        loadBalancerInfo: ecsGroup('g', 'made', '').loadBalancerInfo
      })
    )
    const { deploymentGroupInfo } = await client.send(
      new GetDeploymentGroupCommand({ applicationName: 'api-made', deploymentGroupName: 'g' })
    )
    expect(deploymentGroupInfo).toMatchObject({
      computePlatform: 'ECS',
      ecsServices: [{ clusterName: 'prod', serviceName: 'made' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN' }
    })
  })
})

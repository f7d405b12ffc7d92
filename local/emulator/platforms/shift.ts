/**
 * What an ECS or Lambda deployment does to the simulated resources: the target it runs on, the
 * checks before it starts, the replacement (green) task set, the traffic weight at each step,
 * traffic back to the original when it fails or stops, and the final state when it succeeds
 * (the service's new task definition and live target group; the alias on the target version).
 */
import { randomInt } from 'node:crypto'
import { REGION, ACCOUNT, type World } from '../../ecs-lambda/world.js'
import type { Deployment, DeploymentGroup, LifecycleEvent } from '../model.js'
import type { EcsTaskSet, PlatformAppSpec, TrafficRun } from './state.js'

export type ErrorInfo = { code: string; message: string }

export const EVENTS = {
  ECS: [
    'BeforeInstall',
    'Install',
    'AfterInstall',
    'AllowTestTraffic',
    'AfterAllowTestTraffic',
    'BeforeAllowTraffic',
    'AllowTraffic',
    'AfterAllowTraffic'
  ],
  Lambda: ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic']
} as const

export function newTraffic(
  appspec: PlatformAppSpec,
  group: DeploymentGroup,
  world: World
): TrafficRun {
  if (appspec.platform === 'Lambda')
    return {
      appspec,
      targetId: `${appspec.name}:${appspec.alias}`,
      targetArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${appspec.name}:${appspec.alias}`,
      hooks: new Map()
    }
  const s = group.platform?.ecsServices?.[0]
  if (!s) throw new Error(`group ${group.deploymentGroupName} has no ECS service`)
  return {
    appspec,
    targetId: `${s.clusterName}:${s.serviceName}`,
    targetArn: world.service(s.clusterName, s.serviceName).serviceArn,
    hooks: new Map()
  }
}

export function pendingEvents(platform: 'ECS' | 'Lambda'): LifecycleEvent[] {
  return EVENTS[platform].map(name => ({ lifecycleEventName: name, status: 'Pending' }))
}

function taskSet(
  label: 'Blue' | 'Green',
  targetGroup: string,
  count: number,
  weight: number
): EcsTaskSet {
  return {
    identifer: `ecs-svc/${randomInt(1e9, 1e10 - 1)}${randomInt(1e9, 1e10 - 1)}`,
    desiredCount: count,
    pendingCount: 0,
    runningCount: count,
    status: label === 'Blue' ? 'PRIMARY' : 'ACTIVE',
    trafficWeight: weight,
    targetGroup: { name: targetGroup },
    taskSetLabel: label
  }
}

function targetGroups(group: DeploymentGroup): string[] {
  return (
    group.platform?.loadBalancerInfo?.targetGroupPairInfoList[0]?.targetGroups.map(g => g.name) ??
    []
  )
}

/** Checks before the first event; records the original (blue) side. */
export function setUp(d: Deployment, group: DeploymentGroup, world: World): ErrorInfo | undefined {
  const traffic = d.traffic!
  const spec = traffic.appspec
  if (spec.platform === 'ECS') {
    const s = group.platform!.ecsServices![0]!
    const service = world.service(s.clusterName, s.serviceName)
    const name = targetGroups(group)[service.liveTargetGroup] ?? ''
    traffic.taskSetsInfo = [taskSet('Blue', name, service.desiredCount, 100)]
    return undefined
  }
  const fn = world.functions.get(spec.name)
  if (!fn)
    return {
      code: 'INVALID_LAMBDA_FUNCTION',
      message: `The Lambda function ${spec.name} could not be found.`
    }
  const alias = fn.aliases.get(spec.alias)
  if (!alias)
    return {
      code: 'INVALID_LAMBDA_CONFIGURATION',
      message: `The alias ${spec.alias} of the Lambda function ${spec.name} could not be found.`
    }
  // A rollback starts from wherever the alias is now.
  const current = d.creator === 'codeDeployRollback' ? alias.functionVersion : spec.currentVersion
  for (const version of [current, spec.targetVersion]) {
    if (!fn.versions.includes(version))
      return {
        code: 'INVALID_LAMBDA_CONFIGURATION',
        message: `Version ${version} of the Lambda function ${spec.name} does not exist.`
      }
  }
  if (alias.functionVersion !== current || alias.weights)
    return {
      code: 'INVALID_LAMBDA_CONFIGURATION',
      message: `The alias ${spec.alias} points to version ${alias.functionVersion}${alias.weights ? ' with a routing config' : ''}, not the CurrentVersion ${current} in the AppSpec file.`
    }
  traffic.lambdaFunctionInfo = {
    functionName: spec.name,
    functionAlias: spec.alias,
    currentVersion: current,
    targetVersion: spec.targetVersion,
    targetVersionWeight: 0
  }
  return undefined
}

/** ECS Install: the replacement task set, on the other target group, with no traffic. */
export function install(
  d: Deployment,
  group: DeploymentGroup,
  world: World
): ErrorInfo | undefined {
  const spec = d.traffic!.appspec
  if (spec.platform !== 'ECS') return undefined
  const td = world.taskDefinition(spec.taskDefinition)
  if (!td)
    return {
      code: 'ECS_UPDATE_ERROR',
      message: `The ECS service cannot be updated: unable to describe task definition ${spec.taskDefinition}.`
    }
  const containers = td.body.containerDefinitions as { name?: string }[] | undefined
  if (!containers?.some(c => c.name === spec.containerName))
    return {
      code: 'ECS_UPDATE_ERROR',
      message: `The container ${spec.containerName} is not in task definition ${td.taskDefinitionArn}.`
    }
  const s = group.platform!.ecsServices![0]!
  const service = world.service(s.clusterName, s.serviceName)
  const name = targetGroups(group)[1 - service.liveTargetGroup] ?? ''
  d.traffic!.taskSetsInfo?.push(taskSet('Green', name, service.desiredCount, 0))
  return undefined
}

/** Puts `weight` percent of production traffic on the replacement. */
export function setWeight(d: Deployment, world: World, weight: number): void {
  const traffic = d.traffic!
  const [blue, green] = traffic.taskSetsInfo ?? []
  if (blue && green) {
    green.trafficWeight = weight
    blue.trafficWeight = 100 - weight
    green.status = weight >= 100 ? 'PRIMARY' : 'ACTIVE'
    blue.status = weight >= 100 ? 'ACTIVE' : 'PRIMARY'
  }
  const info = traffic.lambdaFunctionInfo
  const fn = info && world.functions.get(info.functionName)
  const alias = fn?.aliases.get(info?.functionAlias ?? '')
  // A rollback to the version already live has no traffic to move.
  if (info && fn && alias && info.currentVersion !== info.targetVersion) {
    world.routeAlias(fn, alias, info.currentVersion, info.targetVersion, weight / 100)
  }
  if (info) info.targetVersionWeight = weight
}

/** Failure or stop: all traffic back on the original, the replacement task set drained. */
export function shiftBack(d: Deployment, world: World): void {
  setWeight(d, world, 0)
  const green = d.traffic?.taskSetsInfo?.[1]
  if (green) Object.assign(green, { status: 'DRAINING', desiredCount: 0, runningCount: 0 })
}

/** Success: the service runs the new task definition from the other target group. */
export function complete(d: Deployment, group: DeploymentGroup, world: World): void {
  const spec = d.traffic!.appspec
  if (spec.platform !== 'ECS') return
  const s = group.platform!.ecsServices![0]!
  const service = world.service(s.clusterName, s.serviceName)
  service.taskDefinition = world.taskDefinition(spec.taskDefinition)?.taskDefinitionArn
  service.liveTargetGroup = 1 - service.liveTargetGroup
}

/** After the termination wait: the original task set is gone. */
export function terminateBlue(d: Deployment): void {
  const blue = d.traffic?.taskSetsInfo?.[0]
  if (blue) Object.assign(blue, { status: 'DRAINING', desiredCount: 0, runningCount: 0 })
}

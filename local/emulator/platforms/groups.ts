/**
 * ECS and Lambda deployment groups: the members CreateDeploymentGroup takes for them, checked as
 * the service checks them (an ECS group is blue/green with traffic control, names one service and
 * one target group pair with a production listener and an optional test listener), and what
 * GetDeploymentGroup answers for them.
 */
import { ServiceError } from '../errors.js'
import type { Application, DeploymentGroup } from '../model.js'
import { oneOf, optionalObject, optionalString, type Input } from '../wire.js'
import type { PlatformGroup, TargetGroupPairInfo } from './state.js'

const BLUE_GREEN = { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }

function list(input: Input, name: string, exception: string): Input[] {
  const value = input[name]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || value.some(v => v === null || typeof v !== 'object'))
    throw new ServiceError(exception, `${name} must be a list of structures.`)
  return value as Input[]
}

function listeners(route: Input | undefined, exception: string, what: string): string[] {
  const arns = route?.listenerArns
  if (!Array.isArray(arns) || arns.length !== 1 || typeof arns[0] !== 'string')
    throw new ServiceError(exception, `The ${what} traffic route must name exactly one listener.`)
  return arns as string[]
}

function readDeploymentStyle(input: Input): void {
  const style = optionalObject(input, 'deploymentStyle')
  if (!style) return
  if (
    style.deploymentType !== BLUE_GREEN.deploymentType ||
    style.deploymentOption !== BLUE_GREEN.deploymentOption
  )
    throw new ServiceError(
      'InvalidDeploymentStyleException',
      'ECS and Lambda deployment groups must use the BLUE_GREEN deployment type with WITH_TRAFFIC_CONTROL.'
    )
}

function readEcs(input: Input): PlatformGroup {
  const services = list(input, 'ecsServices', 'InvalidECSServiceException')
  const service = services[0]
  if (services.length !== 1 || !service)
    throw new ServiceError(
      'InvalidECSServiceException',
      'An Amazon ECS deployment group must name exactly one ECS service (ecsServices).'
    )
  const serviceName = optionalString(service, 'serviceName', 'InvalidECSServiceException')
  const clusterName = optionalString(service, 'clusterName', 'InvalidECSServiceException')
  if (!serviceName || !clusterName)
    throw new ServiceError(
      'InvalidECSServiceException',
      'The ECS service must have a serviceName and a clusterName.'
    )
  const lb = optionalObject(input, 'loadBalancerInfo')
  const pairs = lb ? list(lb, 'targetGroupPairInfoList', 'InvalidTargetGroupPairException') : []
  const pair = pairs[0]
  if (pairs.length !== 1 || !pair)
    throw new ServiceError(
      'InvalidTargetGroupPairException',
      'An Amazon ECS deployment group needs loadBalancerInfo with exactly one targetGroupPairInfoList entry.'
    )
  const groups = list(pair, 'targetGroups', 'InvalidTargetGroupPairException')
  const names = groups.map(g => optionalString(g, 'name', 'InvalidTargetGroupPairException'))
  if (names.length !== 2 || names.some(n => !n) || names[0] === names[1])
    throw new ServiceError(
      'InvalidTargetGroupPairException',
      'The target group pair must name two different target groups.'
    )
  const testRoute = optionalObject(pair, 'testTrafficRoute')
  const targetPair: TargetGroupPairInfo = {
    targetGroups: names.map(name => ({ name: name! })),
    prodTrafficRoute: {
      listenerArns: listeners(
        optionalObject(pair, 'prodTrafficRoute'),
        'InvalidTargetGroupPairException',
        'production'
      )
    },
    ...(testRoute
      ? {
          testTrafficRoute: {
            listenerArns: listeners(testRoute, 'InvalidTargetGroupPairException', 'test')
          }
        }
      : {})
  }
  return {
    computePlatform: 'ECS',
    ecsServices: [{ serviceName, clusterName }],
    loadBalancerInfo: { targetGroupPairInfoList: [targetPair] },
    blueGreenDeploymentConfiguration: readBlueGreen(input)
  }
}

function readBlueGreen(
  input: Input
): NonNullable<PlatformGroup['blueGreenDeploymentConfiguration']> {
  const exception = 'InvalidBlueGreenDeploymentConfigurationException'
  const config = optionalObject(input, 'blueGreenDeploymentConfiguration') ?? {}
  const terminate = optionalObject(config, 'terminateBlueInstancesOnDeploymentSuccess') ?? {}
  const ready = optionalObject(config, 'deploymentReadyOption') ?? {}
  const minutes = (value: unknown, name: string): number => {
    if (value === undefined) return 0
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2880)
      throw new ServiceError(exception, `${name} must be a whole number from 0 to 2880.`)
    return value
  }
  return {
    terminateBlueInstancesOnDeploymentSuccess: {
      action:
        oneOf(
          optionalString(terminate, 'action'),
          ['TERMINATE', 'KEEP_ALIVE'] as const,
          exception,
          'Action'
        ) ?? 'TERMINATE',
      terminationWaitTimeInMinutes: minutes(
        terminate.terminationWaitTimeInMinutes,
        'terminationWaitTimeInMinutes'
      )
    },
    deploymentReadyOption: {
      actionOnTimeout:
        oneOf(
          optionalString(ready, 'actionOnTimeout'),
          ['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT'] as const,
          exception,
          'Action on timeout'
        ) ?? 'CONTINUE_DEPLOYMENT',
      waitTimeInMinutes: minutes(ready.waitTimeInMinutes, 'waitTimeInMinutes')
    }
  }
}

/** The platform members of a CreateDeploymentGroup call for an ECS or Lambda application. */
export function readPlatformGroup(app: Application, input: Input): PlatformGroup | undefined {
  if (app.computePlatform === 'Server') return undefined
  readDeploymentStyle(input)
  if (app.computePlatform === 'Lambda') {
    if (input.ecsServices !== undefined || input.loadBalancerInfo !== undefined)
      throw new ServiceError(
        'InvalidInputException',
        'A Lambda deployment group takes no ECS services or load balancer.'
      )
    return { computePlatform: 'Lambda' }
  }
  return readEcs(input)
}

/** Refuses an ECS service that another deployment group already deploys. */
export function checkServiceMapping(app: Application[], platform: PlatformGroup): void {
  const wanted = platform.ecsServices?.[0]
  if (!wanted) return
  for (const group of app.flatMap(a => [...a.groups.values()])) {
    const taken = group.platform?.ecsServices?.[0]
    if (taken?.serviceName === wanted.serviceName && taken.clusterName === wanted.clusterName)
      throw new ServiceError(
        'ECSServiceMappingLimitExceededException',
        `The ECS service ${wanted.clusterName}:${wanted.serviceName} is already in deployment group ${group.deploymentGroupName}.`
      )
  }
}

/** What GetDeploymentGroup answers beyond a Server group, overriding its Server members. */
export function platformGroupInfo(group: DeploymentGroup): object {
  const platform = group.platform
  if (!platform) return {}
  return {
    computePlatform: platform.computePlatform,
    deploymentStyle: BLUE_GREEN,
    ec2TagFilters: undefined,
    outdatedInstancesStrategy: undefined,
    ecsServices: platform.ecsServices,
    loadBalancerInfo: platform.loadBalancerInfo,
    blueGreenDeploymentConfiguration: platform.blueGreenDeploymentConfiguration
  }
}

/**
 * The ECS and Lambda deployment configurations: the CodeDeployDefault.ECS* and Lambda* ones every
 * account has, the check of a custom one's trafficRoutingConfig, and the traffic steps a config
 * makes (the share on the new version after each step, and the minutes between steps).
 */
import { ServiceError } from '../errors.js'
import type { ComputePlatform, DeploymentConfig, TrafficRoutingConfig } from '../model.js'
import { oneOf, optionalObject, optionalString, type Input } from '../wire.js'

const canary = (percentage: number, minutes: number): TrafficRoutingConfig => ({
  type: 'TimeBasedCanary',
  timeBasedCanary: { canaryPercentage: percentage, canaryInterval: minutes }
})
const linear = (percentage: number, minutes: number): TrafficRoutingConfig => ({
  type: 'TimeBasedLinear',
  timeBasedLinear: { linearPercentage: percentage, linearInterval: minutes }
})
const ALL_AT_ONCE: TrafficRoutingConfig = { type: 'AllAtOnce' }

export const TRAFFIC_CONFIGS: [string, 'ECS' | 'Lambda', TrafficRoutingConfig][] = [
  ['CodeDeployDefault.ECSAllAtOnce', 'ECS', ALL_AT_ONCE],
  ['CodeDeployDefault.ECSCanary10Percent5Minutes', 'ECS', canary(10, 5)],
  ['CodeDeployDefault.ECSCanary10Percent15Minutes', 'ECS', canary(10, 15)],
  ['CodeDeployDefault.ECSLinear10PercentEvery1Minutes', 'ECS', linear(10, 1)],
  ['CodeDeployDefault.ECSLinear10PercentEvery3Minutes', 'ECS', linear(10, 3)],
  ['CodeDeployDefault.LambdaAllAtOnce', 'Lambda', ALL_AT_ONCE],
  ['CodeDeployDefault.LambdaCanary10Percent5Minutes', 'Lambda', canary(10, 5)],
  ['CodeDeployDefault.LambdaCanary10Percent10Minutes', 'Lambda', canary(10, 10)],
  ['CodeDeployDefault.LambdaCanary10Percent15Minutes', 'Lambda', canary(10, 15)],
  ['CodeDeployDefault.LambdaCanary10Percent30Minutes', 'Lambda', canary(10, 30)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery1Minute', 'Lambda', linear(10, 1)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery2Minutes', 'Lambda', linear(10, 2)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery3Minutes', 'Lambda', linear(10, 3)],
  ['CodeDeployDefault.LambdaLinear10PercentEvery10Minutes', 'Lambda', linear(10, 10)]
]

/** The group default when none is named, per platform. */
export const DEFAULT_CONFIG: Record<ComputePlatform, string> = {
  Server: 'CodeDeployDefault.OneAtATime',
  ECS: 'CodeDeployDefault.ECSAllAtOnce',
  Lambda: 'CodeDeployDefault.LambdaAllAtOnce'
}

function invalid(message: string): ServiceError {
  return new ServiceError('InvalidTrafficRoutingConfigurationException', message)
}

function whole(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(`${name} must be a whole number from ${min} to ${max}.`)
  return value
}

/** The trafficRoutingConfig member of CreateDeploymentConfig, checked as the service does. */
export function readTrafficRoutingConfig(input: Input): TrafficRoutingConfig {
  const config = optionalObject(input, 'trafficRoutingConfig')
  if (!config) return ALL_AT_ONCE
  const type = oneOf(
    optionalString(config, 'type'),
    ['AllAtOnce', 'TimeBasedCanary', 'TimeBasedLinear'] as const,
    'InvalidTrafficRoutingConfigurationException',
    'Traffic routing type'
  )
  if (!type) throw invalid('The traffic routing type was not specified.')
  if (type === 'TimeBasedCanary') {
    const c = optionalObject(config, 'timeBasedCanary')
    if (!c) throw invalid('A TimeBasedCanary configuration needs timeBasedCanary.')
    return canary(
      whole(c.canaryPercentage, 'canaryPercentage', 1, 99),
      whole(c.canaryInterval, 'canaryInterval', 1, 2880)
    )
  }
  if (type === 'TimeBasedLinear') {
    const l = optionalObject(config, 'timeBasedLinear')
    if (!l) throw invalid('A TimeBasedLinear configuration needs timeBasedLinear.')
    return linear(
      whole(l.linearPercentage, 'linearPercentage', 1, 99),
      whole(l.linearInterval, 'linearInterval', 1, 2880)
    )
  }
  return ALL_AT_ONCE
}

/** The share (percent) on the new version after each step, and the minutes between steps. */
export function trafficSteps(config: DeploymentConfig): { weights: number[]; minutes: number } {
  const routing = config.trafficRoutingConfig ?? ALL_AT_ONCE
  if (routing.type === 'TimeBasedCanary' && routing.timeBasedCanary)
    return {
      weights: [routing.timeBasedCanary.canaryPercentage, 100],
      minutes: routing.timeBasedCanary.canaryInterval
    }
  if (routing.type === 'TimeBasedLinear' && routing.timeBasedLinear) {
    const { linearPercentage: step, linearInterval: minutes } = routing.timeBasedLinear
    const weights: number[] = []
    for (let w = step; w < 100; w += step) weights.push(w)
    return { weights: [...weights, 100], minutes }
  }
  return { weights: [100], minutes: 0 }
}

/** Refuses a config made for another compute platform. */
export function checkConfigPlatform(config: DeploymentConfig, platform: ComputePlatform): void {
  if (config.computePlatform !== platform)
    throw new ServiceError(
      'InvalidDeploymentConfigNameException',
      `The deployment configuration ${config.deploymentConfigName} is for the ${config.computePlatform} compute platform, not ${platform}.`
    )
}

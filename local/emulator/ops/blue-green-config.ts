/**
 * A deployment group's style and blue/green options as CreateDeploymentGroup and
 * UpdateDeploymentGroup take them (deploymentStyle, blueGreenDeploymentConfiguration,
 * loadBalancerInfo), checked with the service's exception names and completed with its defaults.
 * The emulator's config file uses the same shapes and goes through the same checks.
 */
import { DEFAULT_BLUE_GREEN } from '../blue-green-state.js'
import { ServiceError } from '../errors.js'
import type {
  BlueGreenConfiguration,
  DeploymentGroup,
  DeploymentStyle,
  LoadBalancerInfo
} from '../model.js'
import { oneOf, optionalObject, optionalString, type Input } from '../wire.js'

const MAX_WAIT_MINUTES = 2880
const INVALID_BLUE_GREEN = 'InvalidBlueGreenDeploymentConfigurationException'

export interface GroupStyle {
  deploymentStyle?: DeploymentStyle
  blueGreenDeploymentConfiguration?: BlueGreenConfiguration
  loadBalancerInfo?: LoadBalancerInfo
}

function minutes(input: Input, name: string): number | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_WAIT_MINUTES
  )
    throw new ServiceError(
      INVALID_BLUE_GREEN,
      `${name} must be a whole number of minutes from 0 to ${MAX_WAIT_MINUTES}.`
    )
  return value
}

function readStyle(input: Input): DeploymentStyle | undefined {
  const style = optionalObject(input, 'deploymentStyle')
  if (!style) return undefined
  const type = oneOf(
    optionalString(style, 'deploymentType'),
    ['IN_PLACE', 'BLUE_GREEN'] as const,
    'InvalidDeploymentStyleException',
    'Deployment type'
  )
  const option = oneOf(
    optionalString(style, 'deploymentOption'),
    ['WITH_TRAFFIC_CONTROL', 'WITHOUT_TRAFFIC_CONTROL'] as const,
    'InvalidDeploymentStyleException',
    'Deployment option'
  )
  return {
    deploymentType: type ?? 'IN_PLACE',
    deploymentOption: option ?? 'WITHOUT_TRAFFIC_CONTROL'
  }
}

/** The given blue/green options over `base` (a group's current ones, or the defaults). */
function readBlueGreen(
  input: Input,
  base: BlueGreenConfiguration
): BlueGreenConfiguration | undefined {
  const given = optionalObject(input, 'blueGreenDeploymentConfiguration')
  if (!given) return undefined
  const config = structuredClone(base)
  const terminate = optionalObject(given, 'terminateBlueInstancesOnDeploymentSuccess')
  if (terminate) {
    const t = config.terminateBlueInstancesOnDeploymentSuccess
    t.action =
      oneOf(
        optionalString(terminate, 'action'),
        ['TERMINATE', 'KEEP_ALIVE'] as const,
        INVALID_BLUE_GREEN,
        'Blue instance termination action'
      ) ?? t.action
    t.terminationWaitTimeInMinutes =
      minutes(terminate, 'terminationWaitTimeInMinutes') ?? t.terminationWaitTimeInMinutes
  }
  const ready = optionalObject(given, 'deploymentReadyOption')
  if (ready) {
    const r = config.deploymentReadyOption
    r.actionOnTimeout =
      oneOf(
        optionalString(ready, 'actionOnTimeout'),
        ['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT'] as const,
        INVALID_BLUE_GREEN,
        'Deployment ready action'
      ) ?? r.actionOnTimeout
    r.waitTimeInMinutes = minutes(ready, 'waitTimeInMinutes') ?? r.waitTimeInMinutes
  }
  const fleet = optionalObject(given, 'greenFleetProvisioningOption')
  if (fleet) {
    config.greenFleetProvisioningOption.action =
      oneOf(
        optionalString(fleet, 'action'),
        ['COPY_AUTO_SCALING_GROUP', 'DISCOVER_EXISTING'] as const,
        INVALID_BLUE_GREEN,
        'Green fleet provisioning action'
      ) ?? config.greenFleetProvisioningOption.action
  }
  return config
}

function readNames(input: Input, list: string): { name: string }[] | undefined {
  const value = input[list]
  if (value === undefined || value === null) return undefined
  const ok =
    Array.isArray(value) &&
    value.every(
      (v: unknown) => typeof v === 'object' && v !== null && typeof (v as Input).name === 'string'
    )
  if (!ok)
    throw new ServiceError(
      'InvalidLoadBalancerInfoException',
      `${list} must be a list of {"name": ...} structures.`
    )
  return (value as Input[]).map(v => ({ name: v.name as string }))
}

function readLoadBalancer(input: Input): LoadBalancerInfo | undefined {
  const info = optionalObject(input, 'loadBalancerInfo')
  if (!info) return undefined
  const elbInfoList = readNames(info, 'elbInfoList')
  const targetGroupInfoList = readNames(info, 'targetGroupInfoList')
  return {
    ...(elbInfoList ? { elbInfoList } : {}),
    ...(targetGroupInfoList ? { targetGroupInfoList } : {})
  }
}

/**
 * The style members of a CreateDeploymentGroup or UpdateDeploymentGroup request (or of a group in
 * the config file) over the group's current ones. A blue/green group needs traffic control and a
 * load balancer, since rerouting traffic is what it does.
 */
export function readGroupStyle(input: Input, current?: DeploymentGroup): GroupStyle {
  const deploymentStyle = readStyle(input) ?? current?.deploymentStyle
  const isBlueGreen = deploymentStyle?.deploymentType === 'BLUE_GREEN'
  const blueGreenDeploymentConfiguration =
    readBlueGreen(input, current?.blueGreenDeploymentConfiguration ?? DEFAULT_BLUE_GREEN) ??
    current?.blueGreenDeploymentConfiguration ??
    (isBlueGreen ? structuredClone(DEFAULT_BLUE_GREEN) : undefined)
  const loadBalancerInfo = readLoadBalancer(input) ?? current?.loadBalancerInfo
  if (isBlueGreen) {
    if (deploymentStyle.deploymentOption !== 'WITH_TRAFFIC_CONTROL')
      throw new ServiceError(
        'InvalidDeploymentStyleException',
        'A blue/green deployment group must use the deployment option WITH_TRAFFIC_CONTROL.'
      )
    const names = [
      ...(loadBalancerInfo?.elbInfoList ?? []),
      ...(loadBalancerInfo?.targetGroupInfoList ?? [])
    ]
    if (names.length === 0)
      throw new ServiceError(
        'InvalidLoadBalancerInfoException',
        'A blue/green deployment group needs a load balancer: give loadBalancerInfo an elbInfoList or a targetGroupInfoList.'
      )
  }
  return {
    ...(deploymentStyle ? { deploymentStyle } : {}),
    ...(blueGreenDeploymentConfiguration ? { blueGreenDeploymentConfiguration } : {}),
    ...(loadBalancerInfo ? { loadBalancerInfo } : {})
  }
}

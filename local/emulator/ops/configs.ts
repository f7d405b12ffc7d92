/**
 * Deployment configurations: CreateDeploymentConfig, GetDeploymentConfig and
 * ListDeploymentConfigs, with the predefined CodeDeployDefault.* configs every account has. A
 * config is only its minimum healthy hosts, which the Lifecycle turns into batch sizes.
 */
import { ServiceError } from '../errors.js'
import { PREDEFINED_CONFIGS, uuid, type DeploymentConfig } from '../model.js'
import { readTrafficRoutingConfig, TRAFFIC_CONFIGS } from '../platforms/configs.js'
import type { CodeDeployService } from '../service.js'
import {
  oneOf,
  optionalObject,
  optionalString,
  requiredString,
  toWire,
  type Input,
  type Json
} from '../wire.js'
import type { Handlers } from './common.js'

/** What ECS and Lambda configs keep in minimumHealthyHosts, which they do not answer with. */
const NO_HOSTS: DeploymentConfig['minimumHealthyHosts'] = { type: 'HOST_COUNT', value: 0 }

/** The CodeDeployDefault.* configs, created when the service launched. */
export function predefinedConfigs(): DeploymentConfig[] {
  const epoch = new Date(Date.UTC(2014, 10, 12))
  return PREDEFINED_CONFIGS.map(([name, minimumHealthyHosts]): DeploymentConfig => ({
    deploymentConfigId: uuid(),
    deploymentConfigName: name,
    minimumHealthyHosts,
    createTime: epoch,
    computePlatform: 'Server'
  })).concat(
    TRAFFIC_CONFIGS.map(([name, computePlatform, trafficRoutingConfig]): DeploymentConfig => ({
      deploymentConfigId: uuid(),
      deploymentConfigName: name,
      minimumHealthyHosts: NO_HOSTS,
      createTime: epoch,
      computePlatform,
      trafficRoutingConfig
    }))
  )
}

function configInfo(config: DeploymentConfig): Json {
  const { minimumHealthyHosts, ...rest } = config
  return toWire(config.computePlatform === 'Server' ? { ...rest, minimumHealthyHosts } : rest)
}

function configName(input: Input, invalid?: string): string {
  return requiredString(
    input,
    'deploymentConfigName',
    'DeploymentConfigNameRequiredException',
    'Deployment configuration name was not specified.',
    invalid
  )
}

export function findConfig(service: CodeDeployService, name: string): DeploymentConfig {
  const config = service.configs.get(name)
  if (!config)
    throw new ServiceError(
      'DeploymentConfigDoesNotExistException',
      `No deployment configuration found for name: ${name}`
    )
  return config
}

export function addConfig(
  service: CodeDeployService,
  name: string,
  minimumHealthyHosts: DeploymentConfig['minimumHealthyHosts'] | undefined,
  traffic?: Pick<DeploymentConfig, 'computePlatform' | 'trafficRoutingConfig'>
): DeploymentConfig {
  const config: DeploymentConfig = {
    deploymentConfigId: uuid(),
    deploymentConfigName: name,
    minimumHealthyHosts: minimumHealthyHosts ?? NO_HOSTS,
    createTime: new Date(),
    computePlatform: 'Server',
    ...traffic
  }
  service.configs.set(name, config)
  return config
}

function createDeploymentConfig(service: CodeDeployService, input: Input): Json {
  const name = configName(input, 'InvalidDeploymentConfigNameException')
  if (name.startsWith('CodeDeployDefault.'))
    throw new ServiceError(
      'InvalidDeploymentConfigNameException',
      'Names starting with CodeDeployDefault. are reserved.'
    )
  if (service.configs.has(name))
    throw new ServiceError(
      'DeploymentConfigAlreadyExistsException',
      `A deployment configuration with the name ${name} already exists.`
    )
  const platform = oneOf(
    optionalString(input, 'computePlatform'),
    ['Server', 'ECS', 'Lambda'] as const,
    'InvalidComputePlatformException',
    'Compute platform'
  )
  if (platform === 'ECS' || platform === 'Lambda') {
    const trafficRoutingConfig = readTrafficRoutingConfig(input)
    const config = addConfig(service, name, undefined, {
      computePlatform: platform,
      trafficRoutingConfig
    })
    return { deploymentConfigId: config.deploymentConfigId }
  }
  const hosts = optionalObject(input, 'minimumHealthyHosts')
  if (!hosts)
    throw new ServiceError(
      'InvalidMinimumHealthyHostValueException',
      'The minimum healthy instance value was not specified.'
    )
  const type = oneOf(
    optionalString(hosts, 'type'),
    ['HOST_COUNT', 'FLEET_PERCENT'] as const,
    'InvalidMinimumHealthyHostValueException',
    'Minimum healthy hosts type'
  )
  const value = hosts.value
  if (
    !type ||
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    (type === 'FLEET_PERCENT' && value > 99)
  ) {
    throw new ServiceError(
      'InvalidMinimumHealthyHostValueException',
      'The minimum healthy instance value was specified in an invalid format.'
    )
  }
  const config = addConfig(service, name, { type, value })
  const zonal = optionalObject(input, 'zonalConfig')
  if (zonal) config.zonalConfig = zonal
  return { deploymentConfigId: config.deploymentConfigId }
}

export const configOps: Handlers = {
  CreateDeploymentConfig: createDeploymentConfig,
  GetDeploymentConfig: (service, input) => ({
    deploymentConfigInfo: configInfo(findConfig(service, configName(input)))
  }),
  ListDeploymentConfigs: service => ({ deploymentConfigsList: [...service.configs.keys()].sort() })
}

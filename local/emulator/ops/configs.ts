/**
 * Deployment configurations: CreateDeploymentConfig, GetDeploymentConfig and
 * ListDeploymentConfigs, with the predefined CodeDeployDefault.* configs every account has. A
 * config is only its minimum healthy hosts, which the Lifecycle turns into batch sizes.
 */
import { ServiceError } from '../errors.js'
import { PREDEFINED_CONFIGS, uuid, type DeploymentConfig } from '../model.js'
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

/** The CodeDeployDefault.* configs, created when the service launched. */
export function predefinedConfigs(): DeploymentConfig[] {
  const epoch = new Date(Date.UTC(2014, 10, 12))
  return PREDEFINED_CONFIGS.map(([name, minimumHealthyHosts]) => ({
    deploymentConfigId: uuid(),
    deploymentConfigName: name,
    minimumHealthyHosts,
    createTime: epoch,
    computePlatform: 'Server'
  }))
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
  minimumHealthyHosts: DeploymentConfig['minimumHealthyHosts']
): DeploymentConfig {
  const config: DeploymentConfig = {
    deploymentConfigId: uuid(),
    deploymentConfigName: name,
    minimumHealthyHosts,
    createTime: new Date(),
    computePlatform: 'Server'
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
  return { deploymentConfigId: addConfig(service, name, { type, value }).deploymentConfigId }
}

export const configOps: Handlers = {
  CreateDeploymentConfig: createDeploymentConfig,
  GetDeploymentConfig: (service, input) => ({
    deploymentConfigInfo: toWire(findConfig(service, configName(input)))
  }),
  ListDeploymentConfigs: service => ({ deploymentConfigsList: [...service.configs.keys()].sort() })
}

/**
 * Deployment groups: CreateDeploymentGroup, GetDeploymentGroup and ListDeploymentGroups, the
 * lookup by `deploymentGroupName`, the auto-rollback configuration a group or a deployment
 * carries, and the CloudWatch alarms a group watches. A group's simulated instances are made when it is created; how many comes from the
 * `emulator:instances` EC2 tag filter.
 */
import { ServiceError } from '../errors.js'
import {
  uuid,
  type AlarmConfiguration,
  type Application,
  type AutoRollbackConfiguration,
  type DeploymentGroup,
  type KeptGroupFields
} from '../model.js'
import type { CodeDeployService } from '../service.js'
import {
  oneOf,
  optionalBoolean,
  optionalObject,
  optionalString,
  optionalStringList,
  requiredString,
  toWire,
  type Input,
  type Json
} from '../wire.js'
import { IN_PLACE_STYLE } from '../blue-green-state.js'
import { checkConfigPlatform, DEFAULT_CONFIG } from '../platforms/configs.js'
import { checkServiceMapping, platformGroupInfo, readPlatformGroup } from '../platforms/groups.js'
import type { PlatformGroup } from '../platforms/state.js'
import type { SimulatedInstances } from '../simulated.js'
import { findApplication } from './applications.js'
import { readGroupStyle, type GroupStyle } from './blue-green-config.js'
import type { Handlers } from './common.js'

/** Instance-count tag a CreateDeploymentGroup call can carry: ec2TagFilters Key=emulator:instances, Value=N. */
export const INSTANCES_TAG = 'emulator:instances'

const ROLLBACK_EVENTS = [
  'DEPLOYMENT_FAILURE',
  'DEPLOYMENT_STOP_ON_REQUEST',
  'DEPLOYMENT_STOP_ON_ALARM'
] as const

export interface GroupOptions extends GroupStyle {
  deploymentConfigName?: string
  autoRollback?: AutoRollbackConfiguration
  alarmConfiguration?: AlarmConfiguration
  instances: number
  serviceRoleArn?: string
  /** ECS and Lambda groups: their platform members (and no instances). */
  platform?: PlatformGroup
  /** Cheap simulated instances: no agent, no directories (../simulated.ts). */
  simulated?: SimulatedInstances
}

function groupName(input: Input): string {
  return requiredString(
    input,
    'deploymentGroupName',
    'DeploymentGroupNameRequiredException',
    'The deployment group name was not specified.',
    'InvalidDeploymentGroupNameException'
  )
}

export function findGroup(app: Application, input: Input): DeploymentGroup {
  const name = groupName(input)
  const group = app.groups.get(name)
  if (!group)
    throw new ServiceError(
      'DeploymentGroupDoesNotExistException',
      `No Deployment Group found for name: ${name}`
    )
  return group
}

export function rollbackConfig(input: Input | undefined): AutoRollbackConfiguration | undefined {
  if (!input) return undefined
  const enabled = optionalBoolean(input, 'enabled') ?? false
  const events = optionalStringList(input, 'events', 'InvalidAutoRollbackConfigException') ?? []
  for (const event of events)
    oneOf(event, ROLLBACK_EVENTS, 'InvalidAutoRollbackConfigException', 'Auto rollback event')
  if (enabled && events.length === 0)
    throw new ServiceError(
      'InvalidAutoRollbackConfigException',
      'Auto rollback is enabled but no events were specified.'
    )
  return { enabled, events }
}

const NO_ALARMS: AlarmConfiguration = { enabled: false, ignorePollAlarmFailure: false, alarms: [] }

/** An alarmConfiguration member, checked as CodeDeploy checks it (InvalidAlarmConfigException). */
export function alarmConfig(input: Input | undefined): AlarmConfiguration | undefined {
  if (!input) return undefined
  const invalid = (why: string): ServiceError =>
    new ServiceError('InvalidAlarmConfigException', `The alarm configuration is invalid: ${why}`)
  const enabled = optionalBoolean(input, 'enabled') ?? false
  const ignorePollAlarmFailure = optionalBoolean(input, 'ignorePollAlarmFailure') ?? false
  const list = input.alarms ?? []
  if (!Array.isArray(list)) throw invalid('alarms must be a list.')
  const alarms = list.map(item => {
    const name = (item as Input | null)?.name
    if (typeof name !== 'string' || name === '' || name.length > 255)
      throw invalid('an alarm name is empty or longer than 255 characters.')
    return { name }
  })
  if (new Set(alarms.map(a => a.name)).size !== alarms.length)
    throw invalid('two alarms have the same name.')
  if (enabled && alarms.length === 0) throw invalid('it is enabled, but the alarm list is empty.')
  return { enabled, ignorePollAlarmFailure, alarms }
}

/** The instance count an `emulator:instances` EC2 tag filter asks for, if there is one. */
/** The fields a group keeps as given (checked for their type, as the API does). */
export function keptFields(input: Input): KeptGroupFields {
  const kept: KeptGroupFields = {}
  const triggers = input.triggerConfigurations
  if (triggers !== undefined) {
    if (!Array.isArray(triggers))
      throw new ServiceError(
        'InvalidTriggerConfigException',
        'The trigger was specified in an invalid format.'
      )
    kept.triggerConfigurations = triggers
  }
  const strategy = optionalString(input, 'outdatedInstancesStrategy')
  if (strategy)
    kept.outdatedInstancesStrategy = oneOf(
      strategy,
      ['UPDATE', 'IGNORE'] as const,
      'InvalidInputException',
      'Outdated instances strategy'
    )
  const hook = optionalBoolean(input, 'terminationHookEnabled')
  if (hook !== undefined) kept.terminationHookEnabled = hook
  return kept
}

/** CreateDeploymentGroup's tags: a list of {Key, Value}. */
function readTags(input: Input): { Key: string; Value: string }[] | undefined {
  const tags = input.tags
  if (tags === undefined) return undefined
  const bad = new ServiceError('InvalidTagException', 'The tag was specified in an invalid format.')
  if (!Array.isArray(tags)) throw bad
  return tags.map(tag => {
    const { Key, Value } = (tag ?? {}) as Input
    if (typeof Key !== 'string' || Key === '' || (Value !== undefined && typeof Value !== 'string'))
      throw bad
    return { Key, Value: Value ?? '' }
  })
}

export function instanceCount(input: Input): number | undefined {
  let count: number | undefined
  const tags = input.ec2TagFilters
  if (Array.isArray(tags)) {
    for (const tag of tags as Input[]) {
      if (tag.Key === INSTANCES_TAG && typeof tag.Value === 'string' && /^\d+$/.test(tag.Value))
        count = Number(tag.Value)
    }
  }
  return count
}

export async function addGroup(
  service: CodeDeployService,
  app: Application,
  name: string,
  options: GroupOptions
): Promise<DeploymentGroup> {
  const group: DeploymentGroup = {
    applicationName: app.applicationName,
    deploymentGroupId: uuid(),
    deploymentGroupName: name,
    deploymentConfigName: options.deploymentConfigName ?? DEFAULT_CONFIG[app.computePlatform],
    serviceRoleArn:
      options.serviceRoleArn ?? 'arn:aws:iam::000000000000:role/CodeDeployServiceRole',
    autoRollbackConfiguration: options.autoRollback ?? { enabled: false, events: [] },
    ...(options.alarmConfiguration ? { alarmConfiguration: options.alarmConfiguration } : {}),
    instances: options.platform
      ? []
      : await service.createInstances(
          app.applicationName,
          name,
          options.instances,
          options.simulated !== undefined
        ),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.simulated ? { simulated: options.simulated } : {}),
    ...(options.deploymentStyle ? { deploymentStyle: options.deploymentStyle } : {}),
    ...(options.blueGreenDeploymentConfiguration
      ? { blueGreenDeploymentConfiguration: options.blueGreenDeploymentConfiguration }
      : {}),
    ...(options.loadBalancerInfo ? { loadBalancerInfo: options.loadBalancerInfo } : {})
  }
  app.groups.set(name, group)
  return group
}

async function createDeploymentGroup(service: CodeDeployService, input: Input): Promise<Json> {
  const app = findApplication(service, input)
  const name = groupName(input)
  if (app.groups.has(name))
    throw new ServiceError(
      'DeploymentGroupAlreadyExistsException',
      `A deployment group with the name ${name} already exists for application ${app.applicationName}.`
    )
  const serviceRoleArn = requiredString(
    input,
    'serviceRoleArn',
    'RoleRequiredException',
    'The role ID was not specified.'
  )
  const configName = optionalString(input, 'deploymentConfigName')
  if (configName) checkConfigPlatform(service.config(configName), app.computePlatform)
  const platform = readPlatformGroup(app, input)
  if (platform) checkServiceMapping([...service.applications.values()], platform)
  const instances = instanceCount(input) ?? service.defaultInstances
  const autoRollback = rollbackConfig(optionalObject(input, 'autoRollbackConfiguration'))
  const alarmConfiguration = alarmConfig(optionalObject(input, 'alarmConfiguration'))
  const kept = keptFields(input)
  const tags = readTags(input)
  const group = await addGroup(service, app, name, {
    // ECS groups carry their own blue/green style, checked with their platform.
    ...(platform ? {} : readGroupStyle(input)),
    instances,
    serviceRoleArn,
    ...(platform ? { platform } : {}),
    ...(configName ? { deploymentConfigName: configName } : {}),
    ...(autoRollback ? { autoRollback } : {}),
    ...(alarmConfiguration ? { alarmConfiguration } : {})
  })
  group.kept = kept
  if (tags) group.tags = tags
  return { deploymentGroupId: group.deploymentGroupId }
}

function deploymentSummary(service: CodeDeployService, id: string | undefined): object | undefined {
  if (!id) return undefined
  const d = service.deployments.get(id)
  if (!d) return undefined
  return {
    deploymentId: d.deploymentId,
    status: d.status,
    endTime: d.completeTime,
    createTime: d.createTime
  }
}

export function groupInfo(service: CodeDeployService, group: DeploymentGroup): object {
  return {
    applicationName: group.applicationName,
    deploymentGroupId: group.deploymentGroupId,
    deploymentGroupName: group.deploymentGroupName,
    deploymentConfigName: group.deploymentConfigName,
    serviceRoleArn: group.serviceRoleArn,
    autoRollbackConfiguration: group.autoRollbackConfiguration,
    alarmConfiguration: group.alarmConfiguration ?? NO_ALARMS,
    ec2TagFilters: [
      { Key: INSTANCES_TAG, Value: String(group.instances.length), Type: 'KEY_AND_VALUE' }
    ],
    deploymentStyle: group.deploymentStyle ?? IN_PLACE_STYLE,
    blueGreenDeploymentConfiguration: group.blueGreenDeploymentConfiguration,
    loadBalancerInfo: group.loadBalancerInfo,
    outdatedInstancesStrategy: 'UPDATE',
    terminationHookEnabled: false,
    ...group.kept,
    computePlatform: 'Server',
    lastSuccessfulDeployment: deploymentSummary(service, group.lastSuccessfulDeployment),
    lastAttemptedDeployment: deploymentSummary(service, group.lastAttemptedDeployment),
    ...platformGroupInfo(group)
  }
}

export const groupOps: Handlers = {
  CreateDeploymentGroup: createDeploymentGroup,
  GetDeploymentGroup: (service, input) => {
    const app = findApplication(service, input)
    return { deploymentGroupInfo: toWire(groupInfo(service, findGroup(app, input))) }
  },
  ListDeploymentGroups: (service, input) => {
    const app = findApplication(service, input)
    return {
      applicationName: app.applicationName,
      deploymentGroups: [...app.groups.keys()].sort()
    }
  }
}

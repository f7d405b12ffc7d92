/**
 * CreateDeployment's options beyond the revision, checked as the service checks them and kept on
 * the deployment: targetInstances (a blue/green EC2 group's replacement environment),
 * updateOutdatedInstancesOnly (EC2/on-premises only) and overrideAlarmConfiguration (the alarms
 * this deployment watches instead of the group's; see ../alarms.ts).
 */
import { ServiceError } from '../errors.js'
import type { AlarmConfiguration, Application, DeploymentGroup } from '../model.js'
import { optionalBoolean, optionalObject, type Input } from '../wire.js'
import { alarmConfig } from './groups.js'

export interface TagFilter {
  Key?: string
  Value?: string
  Type: 'KEY_ONLY' | 'VALUE_ONLY' | 'KEY_AND_VALUE'
}

/** targetInstances as CreateDeployment took it. */
export interface TargetInstances {
  tagFilters?: TagFilter[]
  autoScalingGroups?: string[]
  ec2TagSet?: { ec2TagSetList: TagFilter[][] }
}

export interface DeploymentOptions {
  targetInstances?: TargetInstances
  updateOutdatedInstancesOnly: boolean
  overrideAlarmConfiguration?: AlarmConfiguration
}

const TYPES = ['KEY_ONLY', 'VALUE_ONLY', 'KEY_AND_VALUE']

const invalidTargets = (why: string): ServiceError =>
  new ServiceError(
    'InvalidTargetInstancesException',
    `The target instance configuration is invalid: ${why}`
  )

function tagFilters(list: unknown): TagFilter[] {
  if (!Array.isArray(list) || list.length === 0) throw invalidTargets('a tag filter list is empty.')
  if (list.length > 10) throw invalidTargets('the limit of 10 tags for a tag type was exceeded.')
  return list.map(item => {
    const f = item as Input | null
    if (!f || typeof f !== 'object')
      throw new ServiceError(
        'InvalidEC2TagException',
        'The tag was specified in an invalid format.'
      )
    const type = f.Type
    if (typeof type !== 'string' || !TYPES.includes(type))
      throw new ServiceError(
        'InvalidEC2TagException',
        'The tag was specified in an invalid format.'
      )
    const key = typeof f.Key === 'string' ? f.Key : undefined
    const value = typeof f.Value === 'string' ? f.Value : undefined
    if ((type !== 'VALUE_ONLY' && !key) || (type !== 'KEY_ONLY' && value === undefined))
      throw new ServiceError(
        'InvalidEC2TagException',
        'The tag was specified in an invalid format.'
      )
    return {
      ...(key !== undefined ? { Key: key } : {}),
      ...(value !== undefined ? { Value: value } : {}),
      Type: type as TagFilter['Type']
    }
  })
}

function targetInstances(
  input: Input,
  app: Application,
  group: DeploymentGroup
): TargetInstances | undefined {
  const given = optionalObject(input, 'targetInstances')
  if (!given) return undefined
  if (app.computePlatform !== 'Server' || group.deploymentStyle?.deploymentType !== 'BLUE_GREEN')
    throw invalidTargets(
      'configuration data for target instances was entered for an in-place deployment.'
    )
  if (given.tagFilters !== undefined && given.ec2TagSet !== undefined)
    throw new ServiceError(
      'InvalidEC2TagCombinationException',
      'A call includes both tagFilters and ec2TagSet; only one of them can be used.'
    )
  const out: TargetInstances = {}
  if (given.tagFilters !== undefined) out.tagFilters = tagFilters(given.tagFilters)
  if (given.ec2TagSet !== undefined) {
    const list = (given.ec2TagSet as Input | null)?.ec2TagSetList
    if (!Array.isArray(list) || list.length === 0 || list.length > 3)
      throw invalidTargets('ec2TagSetList must hold 1 to 3 tag groups.')
    out.ec2TagSet = { ec2TagSetList: list.map(tagFilters) }
  }
  if (given.autoScalingGroups !== undefined) {
    const names = given.autoScalingGroups
    if (
      !Array.isArray(names) ||
      names.some(n => typeof n !== 'string' || n === '' || n.length > 255)
    )
      throw new ServiceError(
        'InvalidAutoScalingGroupException',
        'The Auto Scaling group was specified in an invalid format or does not exist.'
      )
    out.autoScalingGroups = names as string[]
  }
  if (Object.keys(out).length === 0) throw invalidTargets('it names no instances.')
  return out
}

export function readDeploymentOptions(
  input: Input,
  app: Application,
  group: DeploymentGroup
): DeploymentOptions {
  const outdated = optionalBoolean(input, 'updateOutdatedInstancesOnly') ?? false
  if (outdated && app.computePlatform !== 'Server')
    throw new ServiceError(
      'InvalidUpdateOutdatedInstancesOnlyValueException',
      'The UpdateOutdatedInstancesOnly value is invalid. For AWS Lambda deployments, false is expected. For EC2/On-premises deployments, true or false is expected.'
    )
  const override = alarmConfig(optionalObject(input, 'overrideAlarmConfiguration'))
  if (override && override.alarms.length > 10)
    throw new ServiceError(
      'AlarmsLimitExceededException',
      'The maximum number of alarms for a deployment group (10) was exceeded.'
    )
  const targets = targetInstances(input, app, group)
  return {
    updateOutdatedInstancesOnly: outdated,
    ...(targets ? { targetInstances: targets } : {}),
    ...(override ? { overrideAlarmConfiguration: override } : {})
  }
}

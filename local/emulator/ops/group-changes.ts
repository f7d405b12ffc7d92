/**
 * More deployment group operations: UpdateDeploymentGroup (rename, config, role, rollback, style
 * and blue/green options, and the instance count of the `emulator:instances` tag) and
 * BatchGetDeploymentGroups, which answers the groups it finds and names the others in
 * `errorMessage`.
 */
import { ServiceError } from '../errors.js'
import type { CodeDeployService } from '../service.js'
import {
  optionalObject,
  optionalString,
  optionalStringList,
  requiredString,
  toWire,
  type Input,
  type Json
} from '../wire.js'
import { findApplication } from './applications.js'
import { readGroupStyle } from './blue-green-config.js'
import { BATCH_LIMIT, type Handlers } from './common.js'
import { alarmConfig, groupInfo, instanceCount, keptFields, rollbackConfig } from './groups.js'

async function updateDeploymentGroup(service: CodeDeployService, input: Input): Promise<Json> {
  const app = findApplication(service, input)
  const name = requiredString(
    input,
    'currentDeploymentGroupName',
    'DeploymentGroupNameRequiredException',
    'The deployment group name was not specified.',
    'InvalidDeploymentGroupNameException'
  )
  const group = app.groups.get(name)
  if (!group)
    throw new ServiceError(
      'DeploymentGroupDoesNotExistException',
      `No Deployment Group found for name: ${name}`
    )
  const newName = optionalString(
    input,
    'newDeploymentGroupName',
    'InvalidDeploymentGroupNameException'
  )
  if (newName && newName !== name && app.groups.has(newName))
    throw new ServiceError(
      'DeploymentGroupAlreadyExistsException',
      `A deployment group with the name ${newName} already exists for application ${app.applicationName}.`
    )
  const configName = optionalString(input, 'deploymentConfigName')
  if (configName) service.config(configName)
  const autoRollback = rollbackConfig(optionalObject(input, 'autoRollbackConfiguration'))
  const alarms = alarmConfig(optionalObject(input, 'alarmConfiguration'))
  const style = readGroupStyle(input, group)
  const count = instanceCount(input)
  const kept = keptFields(input)

  // Every check passed: change the group.
  if (configName) group.deploymentConfigName = configName
  const role = optionalString(input, 'serviceRoleArn')
  if (role) group.serviceRoleArn = role
  if (autoRollback) group.autoRollbackConfiguration = autoRollback
  if (alarms) group.alarmConfiguration = alarms
  Object.assign(group, style)
  group.kept = { ...group.kept, ...kept }
  if (count !== undefined && count > group.instances.length) {
    const more = count - group.instances.length
    group.instances.push(...(await service.createInstances(app.applicationName, name, more)))
  } else if (count !== undefined) {
    group.instances = group.instances.slice(0, count)
  }
  if (newName && newName !== name) {
    app.groups.delete(name)
    group.deploymentGroupName = newName
    app.groups.set(newName, group)
    for (const d of service.deployments.values())
      if (d.applicationName === app.applicationName && d.deploymentGroupName === name)
        d.deploymentGroupName = newName
  }
  return { hooksNotCleanedUp: [] }
}

function batchGetDeploymentGroups(service: CodeDeployService, input: Input): Json {
  const app = findApplication(service, input)
  const names = optionalStringList(input, 'deploymentGroupNames')
  if (!names || names.length === 0)
    throw new ServiceError(
      'DeploymentGroupNameRequiredException',
      'The deployment group name was not specified.'
    )
  if (names.length > BATCH_LIMIT)
    throw new ServiceError(
      'BatchLimitExceededException',
      'The maximum number of names or IDs allowed for this request (25) was exceeded.'
    )
  const missing = names.filter(n => !app.groups.has(n))
  return {
    deploymentGroupsInfo: names
      .map(n => app.groups.get(n))
      .filter(g => g !== undefined)
      .map(g => toWire(groupInfo(service, g))),
    ...(missing.length > 0
      ? { errorMessage: `Deployment groups not found: ${missing.join(', ')}` }
      : {})
  }
}

export const groupChangeOps: Handlers = {
  UpdateDeploymentGroup: updateDeploymentGroup,
  BatchGetDeploymentGroups: batchGetDeploymentGroups
}

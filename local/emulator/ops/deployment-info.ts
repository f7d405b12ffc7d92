/**
 * What readers see of deployments: GetDeployment, BatchGetDeployments (unknown ids are left out,
 * as the service does) and ListDeployments, newest first, filtered by application and group (both
 * or neither), status and creation time (both ends inclusive, epoch seconds), and paged.
 */
import { ServiceError } from '../errors.js'
import type { Deployment, DeploymentStatus } from '../model.js'
import { blueGreenInfo } from '../blue-green-state.js'
import { platformDeploymentInfo } from '../platforms/targets.js'
import type { CodeDeployService } from '../service.js'
import {
  epochSeconds,
  oneOf,
  optionalObject,
  optionalString,
  optionalStringList,
  toWire,
  type Input,
  type Json
} from '../wire.js'
import { findApplication } from './applications.js'
import { BATCH_LIMIT, page, type Handlers } from './common.js'
import { findDeployment } from './deployments.js'
import { findGroup } from './groups.js'

const STATUSES: readonly DeploymentStatus[] = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Succeeded',
  'Failed',
  'Stopped',
  'Ready'
]

function overview(d: Deployment): Record<string, number> {
  const counts: Record<string, number> = {
    Pending: 0,
    InProgress: 0,
    Succeeded: 0,
    Failed: 0,
    Skipped: 0,
    Ready: 0
  }
  for (const run of d.instances) {
    // An instance a stop cut short (Unknown) counts as Failed, so the counts add up to every one.
    const status = run.status === 'Unknown' ? 'Failed' : run.status
    if (status in counts) counts[status]! += 1
  }
  return counts
}

export function deploymentInfo(service: CodeDeployService, d: Deployment): object {
  const group = service.applications.get(d.applicationName)?.groups.get(d.deploymentGroupName)
  return {
    applicationName: d.applicationName,
    deploymentGroupName: d.deploymentGroupName,
    deploymentConfigName: d.deploymentConfigName,
    deploymentId: d.deploymentId,
    previousRevision: undefined,
    revision: d.revision,
    status: d.status,
    errorInformation: d.errorInformation,
    createTime: d.createTime,
    startTime: d.startTime,
    completeTime: d.completeTime,
    deploymentOverview: overview(d),
    description: d.description,
    creator: d.creator,
    ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
    autoRollbackConfiguration: d.autoRollbackConfiguration,
    updateOutdatedInstancesOnly: d.updateOutdatedInstancesOnly ?? false,
    targetInstances: d.targetInstances,
    overrideAlarmConfiguration: d.overrideAlarmConfiguration,
    rollbackInfo: d.rollbackInfo,
    ...blueGreenInfo(d),
    fileExistsBehavior: d.fileExistsBehavior,
    deploymentStatusMessages: [],
    computePlatform: 'Server',
    deploymentGroupId: group?.deploymentGroupId,
    ...platformDeploymentInfo(d, group)
  }
}

function batchGetDeployments(service: CodeDeployService, input: Input): Json {
  const ids = optionalStringList(input, 'deploymentIds')
  if (!ids || ids.length === 0)
    throw new ServiceError(
      'DeploymentIdRequiredException',
      'At least one deployment ID must be specified.'
    )
  if (ids.length > BATCH_LIMIT)
    throw new ServiceError(
      'BatchLimitExceededException',
      'The maximum number of names or IDs allowed for this request (25) was exceeded.'
    )
  const found = ids
    .map(id => service.deployments.get(id))
    .filter((d): d is Deployment => d !== undefined)
  return { deploymentsInfo: found.map(d => toWire(deploymentInfo(service, d))) }
}

function listDeployments(service: CodeDeployService, input: Input): Json {
  const appName = optionalString(input, 'applicationName', 'InvalidApplicationNameException')
  const groupName = optionalString(
    input,
    'deploymentGroupName',
    'InvalidDeploymentGroupNameException'
  )
  // The service takes both names or neither.
  if (groupName && !appName)
    throw new ServiceError(
      'ApplicationNameRequiredException',
      'The minimum number of required application names was not specified.'
    )
  if (appName && !groupName)
    throw new ServiceError(
      'DeploymentGroupNameRequiredException',
      'The deployment group name was not specified.'
    )
  if (appName) findGroup(findApplication(service, input), input)
  const statuses = optionalStringList(
    input,
    'includeOnlyStatuses',
    'InvalidDeploymentStatusException'
  )
  for (const s of statuses ?? [])
    oneOf(s, STATUSES, 'InvalidDeploymentStatusException', 'Deployment status')
  const range = optionalObject(input, 'createTimeRange')
  const start = range ? epochSeconds(range.start, 'createTimeRange.start') : undefined
  const end = range ? epochSeconds(range.end, 'createTimeRange.end') : undefined
  const ids = [...service.order]
    .reverse()
    .map(id => service.deployments.get(id)!)
    .filter(
      d =>
        (!appName || d.applicationName === appName) &&
        (!groupName || d.deploymentGroupName === groupName)
    )
    .filter(d => !statuses?.length || statuses.includes(d.status))
    .filter(d => (!start || d.createTime >= start) && (!end || d.createTime <= end))
    .map(d => d.deploymentId)
  const listed = page(service, ids, input)
  return {
    deployments: listed.items,
    ...(listed.nextToken ? { nextToken: listed.nextToken } : {})
  }
}

export const deploymentInfoOps: Handlers = {
  GetDeployment: (service, input) => ({
    deploymentInfo: toWire(deploymentInfo(service, findDeployment(service, input)))
  }),
  BatchGetDeployments: batchGetDeployments,
  ListDeployments: listDeployments
}

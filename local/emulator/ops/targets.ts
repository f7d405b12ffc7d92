/**
 * A deployment's instances, through both APIs the service offers for them: the newer deployment
 * targets (ListDeploymentTargets, BatchGetDeploymentTargets, GetDeploymentTarget) and the older
 * deployment instances (ListDeploymentInstances, BatchGetDeploymentInstances,
 * GetDeploymentInstance), each with its own exception names.
 */
import { ServiceError } from '../errors.js'
import type { Deployment, InstanceRun } from '../model.js'
import { platformTargetInfo } from '../platforms/targets.js'
import type { CodeDeployService } from '../service.js'
import { optionalStringList, requiredString, toWire, type Input, type Json } from '../wire.js'
import { BATCH_LIMIT, page, type Handlers } from './common.js'
import { findDeployment } from './deployments.js'

/** Each deployment's runs by instance id, rebuilt when its runs change (blue/green adds some). */
const byId = new WeakMap<
  Deployment,
  { runs: InstanceRun[]; size: number; map: Map<string, InstanceRun> }
>()

function findRun(d: Deployment, id: string, missing: string): InstanceRun {
  let known = byId.get(d)
  if (!known || known.runs !== d.instances || known.size !== d.instances.length) {
    known = {
      runs: d.instances,
      size: d.instances.length,
      map: new Map(d.instances.map(r => [r.instanceId, r]))
    }
    byId.set(d, known)
  }
  const run = known.map.get(id)
  if (!run)
    throw new ServiceError(
      missing,
      `The target ${id} does not exist in deployment ${d.deploymentId}.`
    )
  return run
}

function targetInfo(d: Deployment, run: InstanceRun): object {
  if (d.traffic) return platformTargetInfo(d, run)
  return {
    deploymentTargetType: 'InstanceTarget',
    instanceTarget: {
      deploymentId: d.deploymentId,
      targetId: run.instanceId,
      targetArn: `arn:aws:ec2:us-east-1:000000000000:instance/${run.instanceId}`,
      status: run.status,
      lastUpdatedAt: run.lastUpdatedAt,
      lifecycleEvents: run.lifecycleEvents,
      instanceLabel: run.instanceLabel
    }
  }
}

function instanceSummary(d: Deployment, run: InstanceRun): object {
  return {
    deploymentId: d.deploymentId,
    instanceId: `arn:aws:ec2:us-east-1:000000000000:instance/${run.instanceId}`,
    status: run.status,
    lastUpdatedAt: run.lastUpdatedAt,
    lifecycleEvents: run.lifecycleEvents,
    // Blue or Green in a blue/green deployment; an in-place instance has no type.
    instanceType: run.instanceLabel
  }
}

function listTargets(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const listed = page(
    service,
    d.instances.map(r => r.instanceId),
    input
  )
  return { targetIds: listed.items, ...(listed.nextToken ? { nextToken: listed.nextToken } : {}) }
}

function batchGetTargets(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const ids = optionalStringList(input, 'targetIds') ?? []
  if (ids.length === 0)
    throw new ServiceError(
      'DeploymentTargetIdRequiredException',
      'A deployment target ID was not provided.'
    )
  if (ids.length > BATCH_LIMIT)
    throw new ServiceError(
      'DeploymentTargetListSizeExceededException',
      'The maximum number of targets that can be associated with an Amazon ECS or AWS Lambda deployment was exceeded.'
    )
  return {
    deploymentTargets: ids.map(id =>
      toWire(targetInfo(d, findRun(d, id, 'DeploymentTargetDoesNotExistException')))
    )
  }
}

function getTarget(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const id = requiredString(
    input,
    'targetId',
    'DeploymentTargetIdRequiredException',
    'A deployment target ID was not provided.'
  )
  return {
    deploymentTarget: toWire(targetInfo(d, findRun(d, id, 'DeploymentTargetDoesNotExistException')))
  }
}

function listInstances(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const filter = optionalStringList(input, 'instanceStatusFilter', 'InvalidInstanceStatusException')
  const ids = d.instances
    .filter(r => !filter?.length || filter.includes(r.status))
    .map(r => r.instanceId)
  const listed = page(service, ids, input)
  return {
    instancesList: listed.items,
    ...(listed.nextToken ? { nextToken: listed.nextToken } : {})
  }
}

function batchGetInstances(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const ids = optionalStringList(input, 'instanceIds') ?? []
  if (ids.length === 0)
    throw new ServiceError('InstanceIdRequiredException', 'The instance ID was not specified.')
  if (ids.length > BATCH_LIMIT)
    throw new ServiceError(
      'BatchLimitExceededException',
      'The maximum number of names or IDs allowed for this request (25) was exceeded.'
    )
  return {
    instancesSummary: ids.map(id =>
      toWire(instanceSummary(d, findRun(d, id, 'InstanceDoesNotExistException')))
    )
  }
}

function getInstance(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const id = requiredString(
    input,
    'instanceId',
    'InstanceIdRequiredException',
    'The instance ID was not specified.'
  )
  return {
    instanceSummary: toWire(instanceSummary(d, findRun(d, id, 'InstanceDoesNotExistException')))
  }
}

export const targetOps: Handlers = {
  ListDeploymentTargets: listTargets,
  BatchGetDeploymentTargets: batchGetTargets,
  GetDeploymentTarget: getTarget,
  ListDeploymentInstances: listInstances,
  BatchGetDeploymentInstances: batchGetInstances,
  GetDeploymentInstance: getInstance
}

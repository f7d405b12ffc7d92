/**
 * Deployments: CreateDeployment (one active deployment per group), StopDeployment and
 * ContinueDeployment, the lookup by `deploymentId`, and the making of a deployment, which the
 * Lifecycle also uses for automatic rollbacks. What a deployment looks like to readers is in
 * ./deployment-info.ts.
 */
import { ServiceError } from '../errors.js'
import {
  ACTIVE,
  TERMINAL,
  deploymentId,
  revisionKey,
  type Application,
  type AutoRollbackConfiguration,
  type Deployment,
  type DeploymentGroup,
  type FileExistsBehavior,
  type Instance,
  type InstanceRun,
  type RevisionLocation
} from '../model.js'
import { blueGreenTargets, continueWaiting, newBlueGreenRun } from '../blue-green-state.js'
import type { CodeDeployService } from '../service.js'
import {
  oneOf,
  optionalBoolean,
  optionalObject,
  optionalString,
  requiredString,
  type Input,
  type Json
} from '../wire.js'
import { readContentRevision } from '../platforms/appspec.js'
import { checkConfigPlatform } from '../platforms/configs.js'
import { findApplication } from './applications.js'
import type { Handlers } from './common.js'
import { findGroup, rollbackConfig } from './groups.js'
import { readDescription, readRevision } from './revisions.js'
import { readDeploymentOptions, type DeploymentOptions } from './deployment-options.js'

const FILE_EXISTS: readonly FileExistsBehavior[] = ['DISALLOW', 'OVERWRITE', 'RETAIN']
const DEPLOYMENT_ID = /^d-[A-Z0-9]{9}$/

export interface NewDeployment {
  configName: string
  revision: RevisionLocation
  fileExistsBehavior: FileExistsBehavior
  ignoreApplicationStopFailures: boolean
  creator: Deployment['creator']
  description?: string
  override?: AutoRollbackConfiguration
  rollbackOf?: string
  /** A blue/green rollback: who gets the traffic back (replacement) and who loses it (original). */
  blueGreenRollback?: { original: Instance[]; replacement: Instance[] }
  /** targetInstances, updateOutdatedInstancesOnly and overrideAlarmConfiguration, as given. */
  options?: DeploymentOptions
}

export function findDeployment(service: CodeDeployService, input: Input): Deployment {
  const id = requiredString(
    input,
    'deploymentId',
    'DeploymentIdRequiredException',
    'At least one deployment ID must be specified.',
    'InvalidDeploymentIdException'
  )
  if (!DEPLOYMENT_ID.test(id))
    throw new ServiceError(
      'InvalidDeploymentIdException',
      `Specified DeploymentId is not in the valid format: ${id}`
    )
  const d = service.deployments.get(id)
  if (!d)
    throw new ServiceError(
      'DeploymentDoesNotExistException',
      `The deployment ${id} could not be found.`
    )
  return d
}

/** Adds a deployment and hands it to the lifecycle. Also used for rollbacks. */
export function newDeployment(
  service: CodeDeployService,
  app: Application,
  group: DeploymentGroup,
  options: NewDeployment
): Deployment {
  let id = deploymentId()
  while (service.deployments.has(id)) id = deploymentId()
  const now = new Date()
  const blueGreen = newBlueGreenRun(group, options.blueGreenRollback)
  const instances: InstanceRun[] = blueGreen
    ? blueGreenTargets(blueGreen, now)
    : group.instances.map(instance => ({
        instanceId: instance.instanceId,
        status: 'Pending',
        lastUpdatedAt: now,
        lifecycleEvents: []
      }))
  const deployment: Deployment = {
    deploymentId: id,
    applicationName: app.applicationName,
    deploymentGroupName: group.deploymentGroupName,
    deploymentConfigName: options.configName,
    revision: options.revision,
    ...(app.computePlatform !== 'Server' ? { computePlatform: app.computePlatform } : {}),
    status: 'Created',
    creator: options.creator,
    createTime: now,
    ignoreApplicationStopFailures: options.ignoreApplicationStopFailures,
    fileExistsBehavior: options.fileExistsBehavior,
    autoRollbackConfiguration: options.override ?? group.autoRollbackConfiguration,
    autoRollbackOverride: options.override !== undefined,
    instances,
    ...(blueGreen ? { blueGreen } : {}),
    ...(options.options?.targetInstances
      ? { targetInstances: options.options.targetInstances }
      : {}),
    ...(options.options?.updateOutdatedInstancesOnly ? { updateOutdatedInstancesOnly: true } : {}),
    ...(options.options?.overrideAlarmConfiguration
      ? { overrideAlarmConfiguration: options.options.overrideAlarmConfiguration }
      : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.rollbackOf
      ? {
          rollbackInfo: {
            rollbackTriggeringDeploymentId: options.rollbackOf,
            rollbackMessage: `Automated rollback of deployment ${options.rollbackOf}`
          }
        }
      : {})
  }
  service.deployments.set(id, deployment)
  service.order.push(id)
  group.lastAttemptedDeployment = id
  // Deploying a revision registers it with the application, as the service does.
  const key = revisionKey(options.revision)
  const registered = app.revisions.get(key) ?? { revision: options.revision, registerTime: now }
  registered.firstUsedTime ??= now
  registered.lastUsedTime = now
  app.revisions.set(key, registered)
  service.lifecycle?.start(deployment)
  return deployment
}

function createDeployment(service: CodeDeployService, input: Input): Json {
  const app = findApplication(service, input)
  const group = findGroup(app, input)
  const configName =
    optionalString(input, 'deploymentConfigName', 'InvalidDeploymentConfigNameException') ??
    group.deploymentConfigName
  checkConfigPlatform(service.config(configName), app.computePlatform)
  const platform = app.computePlatform
  const revision =
    platform === 'Server' ? readRevision(input) : readContentRevision(input, platform)
  const description = readDescription(input)
  const fileExistsBehavior =
    oneOf(
      optionalString(input, 'fileExistsBehavior'),
      FILE_EXISTS,
      'InvalidFileExistsBehaviorException',
      'fileExistsBehavior'
    ) ?? 'DISALLOW'
  const override = rollbackConfig(optionalObject(input, 'autoRollbackConfiguration'))
  const ignoreApplicationStopFailures =
    optionalBoolean(input, 'ignoreApplicationStopFailures') ?? false
  const options = readDeploymentOptions(input, app, group)
  const active = [...service.deployments.values()].find(
    d =>
      d.applicationName === app.applicationName &&
      d.deploymentGroupName === group.deploymentGroupName &&
      ACTIVE.has(d.status)
  )
  if (active) {
    throw new ServiceError(
      'DeploymentLimitExceededException',
      `The Deployment Group '${group.deploymentGroupName}' already has an active Deployment '${active.deploymentId}'`
    )
  }
  const deployment = newDeployment(service, app, group, {
    configName,
    revision,
    fileExistsBehavior,
    ignoreApplicationStopFailures,
    creator: 'user',
    ...(description ? { description } : {}),
    ...(override ? { override } : {}),
    options
  })
  return { deploymentId: deployment.deploymentId }
}

function stopDeployment(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  const autoRollbackEnabled = optionalBoolean(input, 'autoRollbackEnabled') ?? false
  if (TERMINAL.has(d.status))
    throw new ServiceError(
      'DeploymentAlreadyCompletedException',
      `The deployment ${d.deploymentId} has already completed.`
    )
  d.stop = { by: 'request', autoRollbackEnabled }
  service.lifecycle?.stop(d)
  return { status: 'Pending', statusMessage: 'Stop request has been submitted' }
}

/** Ends a blue/green deployment's Ready wait or the wait before its originals are terminated. */
function continueDeployment(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  continueWaiting(
    d,
    optionalString(input, 'deploymentWaitType', 'InvalidDeploymentWaitTypeException')
  )
  return {}
}

export const deploymentOps: Handlers = {
  CreateDeployment: createDeployment,
  StopDeployment: stopDeployment,
  ContinueDeployment: continueDeployment
}

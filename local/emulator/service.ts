/**
 * The CodeDeploy operations: request validation, state changes and responses, as the service
 * answers them for EC2/on-premises (Server) applications. Deployments are run by the Lifecycle.
 */
import { ServiceError } from './errors.js'
import {
  ACTIVE,
  PREDEFINED_CONFIGS,
  TERMINAL,
  deploymentId,
  revisionKey,
  uuid,
  type Application,
  type AutoRollbackConfiguration,
  type Deployment,
  type DeploymentConfig,
  type DeploymentGroup,
  type DeploymentStatus,
  type FileExistsBehavior,
  type Instance,
  type InstanceRun,
  type RevisionLocation
} from './model.js'
import {
  epochSeconds,
  oneOf,
  optionalBoolean,
  optionalObject,
  optionalString,
  optionalStringList,
  requiredString,
  toWire,
  type Input,
  type Json
} from './wire.js'

export interface Lifecycle {
  start(deployment: Deployment): void
  stop(deployment: Deployment): void
}

/** Creates simulated instances (directories) for a deployment group. */
export type InstanceFactory = (
  application: string,
  group: string,
  count: number
) => Promise<Instance[]>

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
const ROLLBACK_EVENTS = [
  'DEPLOYMENT_FAILURE',
  'DEPLOYMENT_STOP_ON_REQUEST',
  'DEPLOYMENT_STOP_ON_ALARM'
] as const
const BUNDLE_TYPES = ['zip', 'tar', 'tgz'] as const
const FILE_EXISTS: readonly FileExistsBehavior[] = ['DISALLOW', 'OVERWRITE', 'RETAIN']
const DEPLOYMENT_ID = /^d-[A-Z0-9]{9}$/
const MAX_DESCRIPTION = 512
const BATCH_LIMIT = 25
/** Instance-count tag a CreateDeploymentGroup call can carry: ec2TagFilters Key=emulator:instances, Value=N. */
export const INSTANCES_TAG = 'emulator:instances'

export class CodeDeployService {
  readonly applications = new Map<string, Application>()
  readonly configs = new Map<string, DeploymentConfig>()
  readonly deployments = new Map<string, Deployment>()
  /** Deployment ids in creation order. */
  readonly order: string[] = []
  pageSize = 100
  lifecycle?: Lifecycle

  constructor(
    private readonly createInstances: InstanceFactory,
    private readonly defaultInstances = 1
  ) {
    const epoch = new Date(Date.UTC(2014, 10, 12))
    for (const [name, minimumHealthyHosts] of PREDEFINED_CONFIGS) {
      this.configs.set(name, {
        deploymentConfigId: uuid(),
        deploymentConfigName: name,
        minimumHealthyHosts,
        createTime: epoch,
        computePlatform: 'Server'
      })
    }
  }

  async call(operation: string, input: Input): Promise<Json> {
    switch (operation) {
      case 'CreateApplication':
        return this.createApplication(input)
      case 'GetApplication':
        return { application: toWire(this.applicationInfo(this.application(input))) }
      case 'ListApplications':
        return { applications: [...this.applications.keys()].sort() }
      case 'CreateDeploymentGroup':
        return this.createDeploymentGroup(input)
      case 'GetDeploymentGroup': {
        const app = this.application(input)
        return { deploymentGroupInfo: toWire(this.groupInfo(this.group(app, input))) }
      }
      case 'ListDeploymentGroups': {
        const app = this.application(input)
        return {
          applicationName: app.applicationName,
          deploymentGroups: [...app.groups.keys()].sort()
        }
      }
      case 'CreateDeploymentConfig':
        return this.createDeploymentConfig(input)
      case 'GetDeploymentConfig':
        return {
          deploymentConfigInfo: toWire(
            this.config(
              requiredString(
                input,
                'deploymentConfigName',
                'DeploymentConfigNameRequiredException',
                'Deployment configuration name was not specified.'
              )
            )
          )
        }
      case 'ListDeploymentConfigs':
        return { deploymentConfigsList: [...this.configs.keys()].sort() }
      case 'RegisterApplicationRevision':
        return this.registerRevision(input)
      case 'GetApplicationRevision':
        return this.getRevision(input)
      case 'CreateDeployment':
        return this.createDeployment(input)
      case 'GetDeployment':
        return { deploymentInfo: toWire(this.deploymentInfo(this.deployment(input))) }
      case 'BatchGetDeployments':
        return this.batchGetDeployments(input)
      case 'ListDeployments':
        return this.listDeployments(input)
      case 'StopDeployment':
        return this.stopDeployment(input)
      case 'ContinueDeployment':
        this.deployment(input)
        throw new ServiceError(
          'DeploymentIsNotInReadyStateException',
          "The deployment does not have a status of Ready and can't continue yet."
        )
      case 'ListDeploymentTargets':
        return this.listTargets(input)
      case 'BatchGetDeploymentTargets':
        return this.batchGetTargets(input)
      case 'GetDeploymentTarget': {
        const d = this.deployment(input)
        const id = requiredString(
          input,
          'targetId',
          'DeploymentTargetIdRequiredException',
          'A deployment target ID was not provided.'
        )
        return {
          deploymentTarget: toWire(
            this.targetInfo(d, this.run(d, id, 'DeploymentTargetDoesNotExistException'))
          )
        }
      }
      case 'ListDeploymentInstances':
        return this.listInstances(input)
      case 'BatchGetDeploymentInstances':
        return this.batchGetInstances(input)
      case 'GetDeploymentInstance': {
        const d = this.deployment(input)
        const id = requiredString(
          input,
          'instanceId',
          'InstanceIdRequiredException',
          'The instance ID was not specified.'
        )
        return {
          instanceSummary: toWire(
            this.instanceSummary(d, this.run(d, id, 'InstanceDoesNotExistException'))
          )
        }
      }
      default:
        throw new ServiceError('UnknownOperationException', `Unknown operation ${operation}`)
    }
  }

  // ---- applications and groups

  private application(input: Input): Application {
    const name = requiredString(
      input,
      'applicationName',
      'ApplicationNameRequiredException',
      'The minimum number of required application names was not specified.',
      'InvalidApplicationNameException'
    )
    const app = this.applications.get(name)
    if (!app)
      throw new ServiceError(
        'ApplicationDoesNotExistException',
        `No application found for name: ${name}`
      )
    return app
  }

  private applicationInfo(app: Application): object {
    return {
      applicationId: app.applicationId,
      applicationName: app.applicationName,
      createTime: app.createTime,
      linkedToGitHub: false,
      computePlatform: app.computePlatform
    }
  }

  addApplication(name: string): Application {
    const app: Application = {
      applicationId: uuid(),
      applicationName: name,
      createTime: new Date(),
      computePlatform: 'Server',
      groups: new Map(),
      revisions: new Map()
    }
    this.applications.set(name, app)
    return app
  }

  private createApplication(input: Input): Json {
    const name = requiredString(
      input,
      'applicationName',
      'ApplicationNameRequiredException',
      'The minimum number of required application names was not specified.',
      'InvalidApplicationNameException'
    )
    if (name.length > 100)
      throw new ServiceError(
        'InvalidApplicationNameException',
        'The application name must be at most 100 characters.'
      )
    const platform = oneOf(
      optionalString(input, 'computePlatform'),
      ['Server', 'Lambda', 'ECS'] as const,
      'InvalidComputePlatformException',
      'Compute platform'
    )
    if (platform && platform !== 'Server')
      throw new ServiceError(
        'InvalidComputePlatformException',
        `This emulator runs Server deployments only, not ${platform}.`
      )
    if (this.applications.has(name))
      throw new ServiceError(
        'ApplicationAlreadyExistsException',
        `An application with the name ${name} already exists.`
      )
    return { applicationId: this.addApplication(name).applicationId }
  }

  private group(app: Application, input: Input): DeploymentGroup {
    const name = requiredString(
      input,
      'deploymentGroupName',
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
    return group
  }

  private rollbackConfig(input: Input | undefined): AutoRollbackConfiguration | undefined {
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

  async addGroup(
    app: Application,
    name: string,
    options: {
      deploymentConfigName?: string
      autoRollback?: AutoRollbackConfiguration
      instances: number
      serviceRoleArn?: string
    }
  ): Promise<DeploymentGroup> {
    const group: DeploymentGroup = {
      applicationName: app.applicationName,
      deploymentGroupId: uuid(),
      deploymentGroupName: name,
      deploymentConfigName: options.deploymentConfigName ?? 'CodeDeployDefault.OneAtATime',
      serviceRoleArn:
        options.serviceRoleArn ?? 'arn:aws:iam::000000000000:role/CodeDeployServiceRole',
      autoRollbackConfiguration: options.autoRollback ?? { enabled: false, events: [] },
      instances: await this.createInstances(app.applicationName, name, options.instances)
    }
    app.groups.set(name, group)
    return group
  }

  private async createDeploymentGroup(input: Input): Promise<Json> {
    const app = this.application(input)
    const name = requiredString(
      input,
      'deploymentGroupName',
      'DeploymentGroupNameRequiredException',
      'The deployment group name was not specified.',
      'InvalidDeploymentGroupNameException'
    )
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
    if (configName) this.config(configName)
    let instances = this.defaultInstances
    const tags = input.ec2TagFilters
    if (Array.isArray(tags)) {
      for (const tag of tags as Input[]) {
        if (tag.Key === INSTANCES_TAG && typeof tag.Value === 'string' && /^\d+$/.test(tag.Value))
          instances = Number(tag.Value)
      }
    }
    const autoRollback = this.rollbackConfig(optionalObject(input, 'autoRollbackConfiguration'))
    const group = await this.addGroup(app, name, {
      instances,
      serviceRoleArn,
      ...(configName ? { deploymentConfigName: configName } : {}),
      ...(autoRollback ? { autoRollback } : {})
    })
    return { deploymentGroupId: group.deploymentGroupId }
  }

  private deploymentSummary(id: string | undefined): object | undefined {
    if (!id) return undefined
    const d = this.deployments.get(id)
    if (!d) return undefined
    return {
      deploymentId: d.deploymentId,
      status: d.status,
      endTime: d.completeTime,
      createTime: d.createTime
    }
  }

  private groupInfo(group: DeploymentGroup): object {
    return {
      applicationName: group.applicationName,
      deploymentGroupId: group.deploymentGroupId,
      deploymentGroupName: group.deploymentGroupName,
      deploymentConfigName: group.deploymentConfigName,
      serviceRoleArn: group.serviceRoleArn,
      autoRollbackConfiguration: group.autoRollbackConfiguration,
      ec2TagFilters: [
        { Key: INSTANCES_TAG, Value: String(group.instances.length), Type: 'KEY_AND_VALUE' }
      ],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
      outdatedInstancesStrategy: 'UPDATE',
      computePlatform: 'Server',
      lastSuccessfulDeployment: this.deploymentSummary(group.lastSuccessfulDeployment),
      lastAttemptedDeployment: this.deploymentSummary(group.lastAttemptedDeployment)
    }
  }

  // ---- configs

  config(name: string): DeploymentConfig {
    const config = this.configs.get(name)
    if (!config)
      throw new ServiceError(
        'DeploymentConfigDoesNotExistException',
        `No deployment configuration found for name: ${name}`
      )
    return config
  }

  addConfig(
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
    this.configs.set(name, config)
    return config
  }

  private createDeploymentConfig(input: Input): Json {
    const name = requiredString(
      input,
      'deploymentConfigName',
      'DeploymentConfigNameRequiredException',
      'Deployment configuration name was not specified.',
      'InvalidDeploymentConfigNameException'
    )
    if (name.startsWith('CodeDeployDefault.'))
      throw new ServiceError(
        'InvalidDeploymentConfigNameException',
        'Names starting with CodeDeployDefault. are reserved.'
      )
    if (this.configs.has(name))
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
    return { deploymentConfigId: this.addConfig(name, { type, value }).deploymentConfigId }
  }

  // ---- revisions

  private revision(input: Input): RevisionLocation {
    const revision = optionalObject(input, 'revision')
    if (!revision)
      throw new ServiceError('RevisionRequiredException', 'The revision ID was not specified.')
    const type = optionalString(revision, 'revisionType')
    if (type !== 'S3')
      throw new ServiceError(
        'InvalidRevisionException',
        `The revision type '${type ?? ''}' is not supported here; use S3.`
      )
    const s3 = optionalObject(revision, 's3Location')
    if (!s3)
      throw new ServiceError('InvalidRevisionException', 'The S3 location was not specified.')
    const bucket = optionalString(s3, 'bucket', 'InvalidRevisionException')
    const key = optionalString(s3, 'key', 'InvalidRevisionException')
    if (!bucket || !key)
      throw new ServiceError(
        'InvalidRevisionException',
        'The S3 bucket and key must both be specified.'
      )
    const bundleType = oneOf(
      optionalString(s3, 'bundleType'),
      BUNDLE_TYPES,
      'InvalidRevisionException',
      'Bundle type'
    )
    if (!bundleType)
      throw new ServiceError('InvalidRevisionException', 'The bundle type must be specified.')
    const eTag = optionalString(s3, 'eTag', 'InvalidRevisionException')
    const version = optionalString(s3, 'version', 'InvalidRevisionException')
    return {
      revisionType: 'S3',
      s3Location: {
        bucket,
        key,
        bundleType,
        ...(eTag ? { eTag } : {}),
        ...(version ? { version } : {})
      }
    }
  }

  private registerRevision(input: Input): Json {
    const app = this.application(input)
    const revision = this.revision(input)
    const description = optionalString(input, 'description')
    if (description && description.length > MAX_DESCRIPTION)
      throw new ServiceError('DescriptionTooLongException', 'The description is too long.')
    const key = revisionKey(revision)
    const existing = app.revisions.get(key)
    app.revisions.set(key, {
      ...existing,
      revision,
      registerTime: existing?.registerTime ?? new Date(),
      ...(description ? { description } : {})
    })
    return {}
  }

  private getRevision(input: Input): Json {
    const app = this.application(input)
    const revision = this.revision(input)
    const found = app.revisions.get(revisionKey(revision))
    if (!found)
      throw new ServiceError(
        'RevisionDoesNotExistException',
        'The named revision does not exist with the user or AWS account.'
      )
    const groups = [...this.deployments.values()]
      .filter(
        d =>
          d.applicationName === app.applicationName &&
          revisionKey(d.revision) === revisionKey(revision)
      )
      .map(d => d.deploymentGroupName)
    return toWire({
      applicationName: app.applicationName,
      revision: found.revision,
      revisionInfo: {
        description: found.description,
        deploymentGroups: [...new Set(groups)],
        registerTime: found.registerTime,
        firstUsedTime: found.firstUsedTime,
        lastUsedTime: found.lastUsedTime
      }
    })
  }

  // ---- deployments

  private createDeployment(input: Input): Json {
    const app = this.application(input)
    const group = this.group(app, input)
    const configName =
      optionalString(input, 'deploymentConfigName', 'InvalidDeploymentConfigNameException') ??
      group.deploymentConfigName
    this.config(configName)
    const revision = this.revision(input)
    const description = optionalString(input, 'description')
    if (description && description.length > MAX_DESCRIPTION)
      throw new ServiceError('DescriptionTooLongException', 'The description is too long.')
    const fileExistsBehavior =
      oneOf(
        optionalString(input, 'fileExistsBehavior'),
        FILE_EXISTS,
        'InvalidFileExistsBehaviorException',
        'fileExistsBehavior'
      ) ?? 'DISALLOW'
    const override = this.rollbackConfig(optionalObject(input, 'autoRollbackConfiguration'))
    const ignoreApplicationStopFailures =
      optionalBoolean(input, 'ignoreApplicationStopFailures') ?? false
    if (optionalObject(input, 'targetInstances'))
      throw new ServiceError(
        'InvalidTargetInstancesException',
        'targetInstances is not supported by this emulator.'
      )
    const active = [...this.deployments.values()].find(
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
    const deployment = this.newDeployment(app, group, {
      configName,
      revision,
      fileExistsBehavior,
      ignoreApplicationStopFailures,
      creator: 'user',
      ...(description ? { description } : {}),
      ...(override ? { override } : {})
    })
    return { deploymentId: deployment.deploymentId }
  }

  /** Adds a deployment and hands it to the lifecycle. Also used for rollbacks. */
  newDeployment(
    app: Application,
    group: DeploymentGroup,
    options: {
      configName: string
      revision: RevisionLocation
      fileExistsBehavior: FileExistsBehavior
      ignoreApplicationStopFailures: boolean
      creator: Deployment['creator']
      description?: string
      override?: AutoRollbackConfiguration
      rollbackOf?: string
    }
  ): Deployment {
    let id = deploymentId()
    while (this.deployments.has(id)) id = deploymentId()
    const now = new Date()
    const instances: InstanceRun[] = group.instances.map(instance => ({
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
      status: 'Created',
      creator: options.creator,
      createTime: now,
      ignoreApplicationStopFailures: options.ignoreApplicationStopFailures,
      fileExistsBehavior: options.fileExistsBehavior,
      autoRollbackConfiguration: options.override ?? group.autoRollbackConfiguration,
      autoRollbackOverride: options.override !== undefined,
      instances,
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
    this.deployments.set(id, deployment)
    this.order.push(id)
    group.lastAttemptedDeployment = id
    const registered = app.revisions.get(revisionKey(options.revision))
    if (registered) {
      registered.firstUsedTime ??= now
      registered.lastUsedTime = now
    }
    this.lifecycle?.start(deployment)
    return deployment
  }

  private deployment(input: Input): Deployment {
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
    const d = this.deployments.get(id)
    if (!d)
      throw new ServiceError(
        'DeploymentDoesNotExistException',
        `The deployment ${id} could not be found.`
      )
    return d
  }

  private overview(d: Deployment): Record<string, number> {
    const counts: Record<string, number> = {
      Pending: 0,
      InProgress: 0,
      Succeeded: 0,
      Failed: 0,
      Skipped: 0,
      Ready: 0
    }
    for (const run of d.instances) if (run.status in counts) counts[run.status]! += 1
    return counts
  }

  deploymentInfo(d: Deployment): object {
    const group = this.applications.get(d.applicationName)?.groups.get(d.deploymentGroupName)
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
      deploymentOverview: this.overview(d),
      description: d.description,
      creator: d.creator,
      ignoreApplicationStopFailures: d.ignoreApplicationStopFailures,
      autoRollbackConfiguration: d.autoRollbackConfiguration,
      updateOutdatedInstancesOnly: false,
      rollbackInfo: d.rollbackInfo,
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
      instanceTerminationWaitTimeStarted: false,
      fileExistsBehavior: d.fileExistsBehavior,
      deploymentStatusMessages: [],
      computePlatform: 'Server',
      deploymentGroupId: group?.deploymentGroupId
    }
  }

  private batchGetDeployments(input: Input): Json {
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
      .map(id => this.deployments.get(id))
      .filter((d): d is Deployment => d !== undefined)
    return { deploymentsInfo: found.map(d => toWire(this.deploymentInfo(d))) }
  }

  private page<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
    const token = optionalString(input, 'nextToken')
    let start = 0
    if (token) {
      const match = /^page-(\d+)$/.exec(token)
      if (!match)
        throw new ServiceError(
          'InvalidNextTokenException',
          'The next token was specified in an invalid format.'
        )
      start = Number(match[1])
    }
    const end = start + this.pageSize
    return {
      items: items.slice(start, end),
      ...(end < items.length ? { nextToken: `page-${end}` } : {})
    }
  }

  private listDeployments(input: Input): Json {
    const appName = optionalString(input, 'applicationName', 'InvalidApplicationNameException')
    const groupName = optionalString(
      input,
      'deploymentGroupName',
      'InvalidDeploymentGroupNameException'
    )
    if (groupName && !appName)
      throw new ServiceError(
        'ApplicationNameRequiredException',
        'The minimum number of required application names was not specified.'
      )
    if (appName) {
      const app = this.application(input)
      if (groupName) this.group(app, input)
    }
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
    const ids = [...this.order]
      .reverse()
      .map(id => this.deployments.get(id)!)
      .filter(
        d =>
          (!appName || d.applicationName === appName) &&
          (!groupName || d.deploymentGroupName === groupName)
      )
      .filter(d => !statuses?.length || statuses.includes(d.status))
      .filter(d => (!start || d.createTime >= start) && (!end || d.createTime <= end))
      .map(d => d.deploymentId)
    const page = this.page(ids, input)
    return { deployments: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }

  private stopDeployment(input: Input): Json {
    const d = this.deployment(input)
    const autoRollbackEnabled = optionalBoolean(input, 'autoRollbackEnabled') ?? false
    if (TERMINAL.has(d.status))
      throw new ServiceError(
        'DeploymentAlreadyCompletedException',
        `The deployment ${d.deploymentId} has already completed.`
      )
    d.stop = { autoRollbackEnabled }
    this.lifecycle?.stop(d)
    return { status: 'Pending', statusMessage: 'Stop request has been submitted' }
  }

  // ---- targets and instances

  private run(d: Deployment, id: string, missing: string): InstanceRun {
    const run = d.instances.find(r => r.instanceId === id)
    if (!run)
      throw new ServiceError(
        missing,
        `The target ${id} does not exist in deployment ${d.deploymentId}.`
      )
    return run
  }

  private targetInfo(d: Deployment, run: InstanceRun): object {
    return {
      deploymentTargetType: 'InstanceTarget',
      instanceTarget: {
        deploymentId: d.deploymentId,
        targetId: run.instanceId,
        targetArn: `arn:aws:ec2:us-east-1:000000000000:instance/${run.instanceId}`,
        status: run.status,
        lastUpdatedAt: run.lastUpdatedAt,
        lifecycleEvents: run.lifecycleEvents
      }
    }
  }

  private instanceSummary(d: Deployment, run: InstanceRun): object {
    return {
      deploymentId: d.deploymentId,
      instanceId: `arn:aws:ec2:us-east-1:000000000000:instance/${run.instanceId}`,
      status: run.status,
      lastUpdatedAt: run.lastUpdatedAt,
      lifecycleEvents: run.lifecycleEvents,
      instanceType: 'Blue'
    }
  }

  private listTargets(input: Input): Json {
    const d = this.deployment(input)
    const page = this.page(
      d.instances.map(r => r.instanceId),
      input
    )
    return { targetIds: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }

  private batchGetTargets(input: Input): Json {
    const d = this.deployment(input)
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
        toWire(this.targetInfo(d, this.run(d, id, 'DeploymentTargetDoesNotExistException')))
      )
    }
  }

  private listInstances(input: Input): Json {
    const d = this.deployment(input)
    const filter = optionalStringList(
      input,
      'instanceStatusFilter',
      'InvalidInstanceStatusException'
    )
    const ids = d.instances
      .filter(r => !filter?.length || filter.includes(r.status))
      .map(r => r.instanceId)
    const page = this.page(ids, input)
    return { instancesList: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }

  private batchGetInstances(input: Input): Json {
    const d = this.deployment(input)
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
        toWire(this.instanceSummary(d, this.run(d, id, 'InstanceDoesNotExistException')))
      )
    }
  }
}

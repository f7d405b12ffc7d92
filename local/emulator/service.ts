/**
 * The CodeDeploy service as the emulator answers it, for Server, ECS and Lambda applications:
 * its state (applications with their groups and revisions, configs, deployments) and `call`, which
 * finds an operation's handler in the table built from ./ops/, one file per resource. Deployments
 * are run by the Lifecycle.
 */
import { ServiceError } from './errors.js'
import type {
  Application,
  Deployment,
  ComputePlatform,
  DeploymentConfig,
  DeploymentGroup,
  Instance,
  MinimumHealthyHosts
} from './model.js'
import { addApplication, applicationOps } from './ops/applications.js'
import { handlerTable } from './ops/common.js'
import { addConfig, configOps, findConfig, predefinedConfigs } from './ops/configs.js'
import { deploymentInfo, deploymentInfoOps } from './ops/deployment-info.js'
import { deploymentOps, newDeployment, type NewDeployment } from './ops/deployments.js'
import { groupChangeOps } from './ops/group-changes.js'
import { addGroup, groupOps, type GroupOptions } from './ops/groups.js'
import { revisionListOps } from './ops/revision-list.js'
import { revisionOps } from './ops/revisions.js'
import { hookOps } from './platforms/hooks.js'
import { targetOps } from './ops/targets.js'
import type { Input, Json } from './wire.js'

export { INSTANCES_TAG } from './ops/groups.js'

export interface Lifecycle {
  start(deployment: Deployment): void
  stop(deployment: Deployment): void
}

/** Creates simulated instances (directories, unless `cheap`: see ./simulated.ts) for a group. */
export type InstanceFactory = (
  application: string,
  group: string,
  count: number,
  cheap?: boolean
) => Promise<Instance[]>

const HANDLERS = handlerTable(
  applicationOps,
  groupOps,
  configOps,
  revisionOps,
  deploymentOps,
  deploymentInfoOps,
  targetOps,
  groupChangeOps,
  revisionListOps,
  hookOps
)

export class CodeDeployService {
  readonly applications = new Map<string, Application>()
  readonly configs = new Map<string, DeploymentConfig>()
  readonly deployments = new Map<string, Deployment>()
  /** Deployment ids in creation order. */
  readonly order: string[] = []
  pageSize = 100
  lifecycle?: Lifecycle

  constructor(
    readonly createInstances: InstanceFactory,
    /** Instances of a group created over the API without an emulator:instances tag. */
    readonly defaultInstances = 1
  ) {
    for (const config of predefinedConfigs()) this.configs.set(config.deploymentConfigName, config)
  }

  async call(operation: string, input: Input): Promise<Json> {
    const handler = HANDLERS.get(operation)
    if (!handler)
      throw new ServiceError('UnknownOperationException', `Unknown operation ${operation}`)
    return handler(this, input)
  }

  addApplication(name: string, computePlatform?: ComputePlatform): Application {
    return addApplication(this, name, computePlatform)
  }

  addGroup(app: Application, name: string, options: GroupOptions): Promise<DeploymentGroup> {
    return addGroup(this, app, name, options)
  }

  config(name: string): DeploymentConfig {
    return findConfig(this, name)
  }

  addConfig(
    name: string,
    minimumHealthyHosts: MinimumHealthyHosts | undefined,
    traffic?: Pick<DeploymentConfig, 'computePlatform' | 'trafficRoutingConfig'>
  ): DeploymentConfig {
    return addConfig(this, name, minimumHealthyHosts, traffic)
  }

  /** Adds a deployment and hands it to the lifecycle. Also used for rollbacks. */
  newDeployment(app: Application, group: DeploymentGroup, options: NewDeployment): Deployment {
    return newDeployment(this, app, group, options)
  }

  /** The service's time, for every date it records. */
  now(): Date {
    return new Date()
  }

  deploymentInfo(d: Deployment): object {
    return deploymentInfo(this, d)
  }
}

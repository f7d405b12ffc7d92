/**
 * The emulator's state: applications, deployment groups, configs, revisions and deployments, in
 * the service's own field names. Times are Date here and epoch seconds on the wire.
 */
import { contentKey, type PlatformGroup, type TrafficRun } from './platforms/state.js'
import type { SimulatedInstances } from './simulated.js'

export type DeploymentStatus =
  'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Succeeded' | 'Failed' | 'Stopped' | 'Ready'
export type EventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown'
export type TargetStatus = EventStatus | 'Ready'
export type FileExistsBehavior = 'DISALLOW' | 'OVERWRITE' | 'RETAIN'

export interface MinimumHealthyHosts {
  type: 'HOST_COUNT' | 'FLEET_PERCENT'
  value: number
}

export type ComputePlatform = 'Server' | 'ECS' | 'Lambda'

export interface TrafficRoutingConfig {
  type: 'AllAtOnce' | 'TimeBasedCanary' | 'TimeBasedLinear'
  timeBasedCanary?: { canaryPercentage: number; canaryInterval: number }
  timeBasedLinear?: { linearPercentage: number; linearInterval: number }
}

export interface DeploymentConfig {
  deploymentConfigId: string
  deploymentConfigName: string
  /** Server configs only; ECS and Lambda configs carry a trafficRoutingConfig instead. */
  minimumHealthyHosts: MinimumHealthyHosts
  createTime: Date
  computePlatform: ComputePlatform
  trafficRoutingConfig?: TrafficRoutingConfig
  /** Server configs: kept and answered as given (the emulator deploys zone-blind). */
  zonalConfig?: Record<string, unknown>
}

export type RollbackEvent =
  'DEPLOYMENT_FAILURE' | 'DEPLOYMENT_STOP_ON_REQUEST' | 'DEPLOYMENT_STOP_ON_ALARM'

export interface AutoRollbackConfiguration {
  enabled: boolean
  events: string[]
}

/** Why a deployment failed or was stopped, as errorInformation carries it. */
export interface ErrorInformation {
  code: string
  message: string
}

/** What stopped a deployment: StopDeployment (with its autoRollbackEnabled) or an alarm. */
export type DeploymentStop =
  { by: 'request'; autoRollbackEnabled: boolean } | { by: 'alarm'; error: ErrorInformation }

/** The CloudWatch alarms a deployment group watches while its deployments run. */
export interface AlarmConfiguration {
  enabled: boolean
  ignorePollAlarmFailure: boolean
  alarms: { name: string }[]
}

export interface S3Location {
  bucket: string
  key: string
  bundleType: 'zip' | 'tar' | 'tgz'
  eTag?: string
  version?: string
}

export interface S3RevisionLocation {
  revisionType: 'S3'
  s3Location: S3Location
}

export type TargetLabel = 'Blue' | 'Green'

export interface DeploymentStyle {
  deploymentType: 'IN_PLACE' | 'BLUE_GREEN'
  deploymentOption: 'WITH_TRAFFIC_CONTROL' | 'WITHOUT_TRAFFIC_CONTROL'
}

/** A group's blue/green options, in the API's shape (BlueGreenDeploymentConfiguration). */
export interface BlueGreenConfiguration {
  terminateBlueInstancesOnDeploymentSuccess: {
    action: 'TERMINATE' | 'KEEP_ALIVE'
    terminationWaitTimeInMinutes: number
  }
  deploymentReadyOption: {
    actionOnTimeout: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT'
    waitTimeInMinutes: number
  }
  greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' | 'DISCOVER_EXISTING' }
}

export interface LoadBalancerInfo {
  elbInfoList?: { name: string }[]
  targetGroupInfoList?: { name: string }[]
}

/** An ECS or Lambda appspec sent inline (`String` is the older, Lambda-only form). */
export interface ContentRevisionLocation {
  revisionType: 'AppSpecContent' | 'String'
  appSpecContent?: { content: string; sha256?: string }
  string?: { content: string; sha256?: string }
}

/** A commit in GitHub, which the emulator serves from a local git repository (see `gitHub`). */
export interface GitHubRevisionLocation {
  revisionType: 'GitHub'
  gitHubLocation: { repository: string; commitId: string }
}

export type RevisionLocation = S3RevisionLocation | ContentRevisionLocation | GitHubRevisionLocation

export interface Instance {
  instanceId: string
  /** The simulated instance's file system root. */
  root: string
}

export interface DeploymentGroup {
  applicationName: string
  deploymentGroupId: string
  deploymentGroupName: string
  deploymentConfigName: string
  serviceRoleArn: string
  autoRollbackConfiguration: AutoRollbackConfiguration
  alarmConfiguration?: AlarmConfiguration
  instances: Instance[]
  deploymentStyle?: DeploymentStyle
  blueGreenDeploymentConfiguration?: BlueGreenConfiguration
  loadBalancerInfo?: LoadBalancerInfo
  lastSuccessfulDeployment?: string
  lastAttemptedDeployment?: string
  /** ECS and Lambda groups: their platform members, as the API names them. */
  platform?: PlatformGroup
  /** The tags CreateDeploymentGroup gave. */
  tags?: { Key: string; Value: string }[]
  /** Kept as given and answered by GetDeploymentGroup; nothing in the emulator acts on them. */
  kept?: KeptGroupFields
  /** Cheap instances that run no agent (./simulated.ts), for scale runs. */
  simulated?: SimulatedInstances
}

/** Group fields the emulator stores and answers without acting on them. */
export interface KeptGroupFields {
  triggerConfigurations?: unknown[]
  outdatedInstancesStrategy?: string
  terminationHookEnabled?: boolean
}

export interface Application {
  applicationId: string
  applicationName: string
  createTime: Date
  computePlatform: ComputePlatform
  groups: Map<string, DeploymentGroup>
  revisions: Map<string, RegisteredRevision>
}

export interface RegisteredRevision {
  revision: RevisionLocation
  description?: string
  registerTime: Date
  firstUsedTime?: Date
  lastUsedTime?: Date
}

export interface Diagnostics {
  errorCode:
    | 'Success'
    | 'ScriptMissing'
    | 'ScriptNotExecutable'
    | 'ScriptTimedOut'
    | 'ScriptFailed'
    | 'UnknownError'
  scriptName: string
  message: string
  logTail: string
}

export interface LifecycleEvent {
  lifecycleEventName: string
  status: EventStatus
  startTime?: Date
  endTime?: Date
  diagnostics?: Diagnostics
}

export interface InstanceRun {
  instanceId: string
  status: TargetStatus
  lastUpdatedAt: Date
  lifecycleEvents: LifecycleEvent[]
  /** Blue/green only: an original (Blue) or a replacement (Green) instance. */
  instanceLabel?: TargetLabel
}

/** A blue/green deployment's own state, beside what every deployment has. */
export interface BlueGreenRun {
  configuration: BlueGreenConfiguration
  loadBalancerInfo?: LoadBalancerInfo
  /** The instances that had the traffic when the deployment began. */
  original: Instance[]
  /** The instances that take it over: provisioned by the deployment, or given to a rollback. */
  replacement: Instance[]
  /** A rollback reroutes traffic to instances that already run its revision. */
  isRollback: boolean
  /** What the deployment is waiting for now; ContinueDeployment ends that wait. */
  waiting?: 'READY_WAIT' | 'TERMINATION_WAIT'
  endWait?: () => void
  instanceTerminationWaitTimeStarted: boolean
}

export interface Deployment {
  deploymentId: string
  applicationName: string
  deploymentGroupName: string
  deploymentConfigName: string
  revision: RevisionLocation
  status: DeploymentStatus
  creator: 'user' | 'codeDeployRollback'
  description?: string
  createTime: Date
  startTime?: Date
  completeTime?: Date
  ignoreApplicationStopFailures: boolean
  fileExistsBehavior: FileExistsBehavior
  autoRollbackConfiguration: AutoRollbackConfiguration
  /** True when CreateDeployment passed its own autoRollbackConfiguration. */
  autoRollbackOverride: boolean
  errorInformation?: ErrorInformation
  rollbackInfo?: {
    rollbackDeploymentId?: string
    rollbackTriggeringDeploymentId?: string
    rollbackMessage?: string
  }
  instances: InstanceRun[]
  /** Set once StopDeployment or an alarm stops it. */
  stop?: DeploymentStop
  blueGreen?: BlueGreenRun
  /** Absent for Server deployments. */
  computePlatform?: 'ECS' | 'Lambda'
  /** ECS and Lambda deployments: their traffic shift, task sets or alias, and hook executions. */
  traffic?: TrafficRun
  /** CreateDeployment's targetInstances (blue/green EC2), as given; recorded, not acted on. */
  targetInstances?: object
  /** CreateDeployment's updateOutdatedInstancesOnly; recorded and checked, not acted on. */
  updateOutdatedInstancesOnly?: boolean
  /** The alarms watched instead of the group's (../alarms.ts). */
  overrideAlarmConfiguration?: AlarmConfiguration
}

export const PREDEFINED_CONFIGS: [string, MinimumHealthyHosts][] = [
  ['CodeDeployDefault.OneAtATime', { type: 'FLEET_PERCENT', value: 99 }],
  ['CodeDeployDefault.HalfAtATime', { type: 'FLEET_PERCENT', value: 50 }],
  ['CodeDeployDefault.AllAtOnce', { type: 'HOST_COUNT', value: 0 }]
]

export const ACTIVE: ReadonlySet<DeploymentStatus> = new Set([
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready'
])
export const TERMINAL: ReadonlySet<DeploymentStatus> = new Set(['Succeeded', 'Failed', 'Stopped'])

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

export function deploymentId(): string {
  let id = 'd-'
  for (let i = 0; i < 9; i++) id += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)]
  return id
}

export function uuid(): string {
  return crypto.randomUUID()
}

/** The S3 location of a revision; only Server deployments, which always have one, ask. */
export function s3Location(revision: RevisionLocation): S3Location {
  if (revision.revisionType !== 'S3') throw new Error(`${revision.revisionType} has no S3 bundle`)
  return revision.s3Location
}

/** How an instance's agent unpacks the revision: its S3 bundle type, or a GitHub commit's tar. */
export function bundleTypeOf(revision: RevisionLocation): S3Location['bundleType'] {
  return revision.revisionType === 'GitHub' ? 'tar' : s3Location(revision).bundleType
}

export function revisionKey(revision: RevisionLocation): string {
  if (revision.revisionType === 'GitHub')
    return `github:${revision.gitHubLocation.repository.toLowerCase()}@${revision.gitHubLocation.commitId}`
  if (revision.revisionType !== 'S3') return contentKey(revision)
  const s = revision.s3Location
  return `s3://${s.bucket}/${s.key}#${s.version ?? ''}#${s.eTag ?? ''}#${s.bundleType}`
}

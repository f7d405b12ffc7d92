/**
 * The emulator's state: applications, deployment groups, configs, revisions and deployments, in
 * the service's own field names. Times are Date here and epoch seconds on the wire.
 */

export type DeploymentStatus =
  'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Succeeded' | 'Failed' | 'Stopped' | 'Ready'
export type EventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown'
export type TargetStatus = EventStatus | 'Ready'
export type FileExistsBehavior = 'DISALLOW' | 'OVERWRITE' | 'RETAIN'

export interface MinimumHealthyHosts {
  type: 'HOST_COUNT' | 'FLEET_PERCENT'
  value: number
}

export interface DeploymentConfig {
  deploymentConfigId: string
  deploymentConfigName: string
  minimumHealthyHosts: MinimumHealthyHosts
  createTime: Date
  computePlatform: 'Server'
}

export interface AutoRollbackConfiguration {
  enabled: boolean
  events: string[]
}

export interface S3Location {
  bucket: string
  key: string
  bundleType: 'zip' | 'tar' | 'tgz'
  eTag?: string
  version?: string
}

export interface RevisionLocation {
  revisionType: 'S3'
  s3Location: S3Location
}

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
  instances: Instance[]
  lastSuccessfulDeployment?: string
  lastAttemptedDeployment?: string
}

export interface Application {
  applicationId: string
  applicationName: string
  createTime: Date
  computePlatform: 'Server'
  groups: Map<string, DeploymentGroup>
  revisions: Map<
    string,
    {
      revision: RevisionLocation
      description?: string
      registerTime: Date
      firstUsedTime?: Date
      lastUsedTime?: Date
    }
  >
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
  errorInformation?: { code: string; message: string }
  rollbackInfo?: {
    rollbackDeploymentId?: string
    rollbackTriggeringDeploymentId?: string
    rollbackMessage?: string
  }
  instances: InstanceRun[]
  stop?: { autoRollbackEnabled: boolean }
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

export function revisionKey(revision: RevisionLocation): string {
  const s = revision.s3Location
  return `s3://${s.bucket}/${s.key}#${s.version ?? ''}#${s.eTag ?? ''}#${s.bundleType}`
}

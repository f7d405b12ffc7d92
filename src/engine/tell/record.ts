/**
 * The run record: everything known about one run, in one value. Stages add to it as they go; the
 * engine returns it, or throws a RunFailedError that carries it. Everything said about the run at
 * its end (outputs, job summary, GitHub deployment status, the CLI's printout, the exit) is
 * derived from it alone.
 */
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'
import type { Diagnosis } from './diagnose.js'
import type { Annotation } from '../reporter.js'
import type { S3Revision } from '../inputs/s3-location.js'
import type { GitHubRevision } from '../inputs/github-revision.js'
import type {
  AutoRollback,
  Command,
  OnCancel,
  OnReady,
  OnTerminationWait
} from '../inputs/settings.js'

/** What an AppSpecContent revision was made of, for the record and the outputs. */
export interface ContentFacts {
  platform: 'ECS' | 'Lambda'
  /** The AppSpec file, relative to the workspace. */
  file: string
  sha256: string
  taskDefinitionArn?: string
  lambda?: { name: string; alias: string; currentVersion: string; targetVersion: string }
}

/** The statuses a deployment ends in. */
export const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Stopped'])

/** Where the run was when it ended or failed. */
export type Stage =
  | 'inputs'
  | 'target'
  | 'appspec'
  | 'package'
  | 'upload'
  | 'publish'
  | 'register'
  | 'revision'
  | 'choose'
  | 'create'
  | 'continue'
  | 'stop'
  | 'deploy'
  | 'rollback'

/** What the stage was doing, for messages: "Failed while checking the appspec". */
export const STAGE_LABEL: Record<Stage, string> = {
  inputs: 'reading the inputs',
  target: 'checking the deployment target',
  appspec: 'checking the appspec',
  package: 'packaging the bundle',
  upload: 'uploading the bundle',
  publish: 'keeping the bundle as a workflow artifact',
  register: 'registering the revision',
  revision: 'checking the revision',
  choose: 'choosing the revision to roll back to',
  create: 'creating the deployment',
  continue: 'continuing the deployment',
  stop: 'stopping the deployment',
  deploy: 'following the deployment',
  rollback: 'following the rollback'
}

/**
 * How the run ended. `succeeded`, `packaged`, `created` (not waited for) and `skipped` pass the
 * step; the others fail it.
 */
export type Outcome =
  | 'succeeded'
  | 'packaged'
  | 'created'
  | 'skipped'
  /** Blue/green: the replacement instances are up and waiting at Ready (`on-ready: exit`). */
  | 'ready'
  /** Blue/green: traffic is on the replacement; the originals wait to be terminated. */
  | 'rerouted'
  /** Command `stop`: the deployment no longer runs (stopped by the step, or it had ended). */
  | 'stopped'
  | 'failed'
  | 'timed-out'
  | 'cancelled'
  | 'error'

export const PASSING: ReadonlySet<Outcome> = new Set([
  'succeeded',
  'packaged',
  'created',
  'skipped',
  'ready',
  'rerouted',
  'stopped'
])

export interface BundleFacts {
  sha256: string
  size: number
  files: number
  /** False when S3 already held this exact bundle (or there is no bucket: `bundle-path` only). */
  uploaded: boolean
  /** The file the bundle was written to (`bundle-path`), absolute. */
  path?: string
  /** Not packaged again: S3 holds the bundle an earlier run made from the same tree. */
  reused?: boolean
  /** `s3-tags`, as `key=value` pairs. */
  tags?: string[]
  /** S3 already held the bundle, whose tags were left as they were. */
  tagsKept?: boolean
}

export interface DeploymentFacts {
  id: string
  /** Last status read from CodeDeploy (`Created` until the first read). */
  status: string
  /** The last state read, when the deployment was followed. */
  info?: DeploymentInfo
  targets: InstanceTarget[]
  /** What failed and where, for a deployment that ended other than Succeeded. */
  diagnosis?: Diagnosis
  /** ECS and Lambda: where traffic stood at the last read. */
  traffic?: string
}

export interface RollbackFacts {
  /** The rollback deployment CodeDeploy started; absent when it started none. */
  id?: string
  /** Its last known status; absent while it was not read. */
  status?: string
  /** CodeDeploy's rollbackMessage, or why there was no rollback. */
  message?: string
  /** True when the run waited for the rollback to end (or to time out). */
  followed: boolean
}

/** The run stopped its deployment (on a cancel or at the timeout), or tried to. */
export interface StopFacts {
  /** `request`: command `stop`, the step's own purpose. */
  why: 'cancel' | 'timeout' | 'request'
  /** Asked CodeDeploy to roll back as it stops. */
  rollback: boolean
  /** CodeDeploy took the stop (or the deployment had ended already). */
  accepted: boolean
  /** Why the stop was not accepted: the deployment is then still running. */
  failure?: string
  /**
   * The deployment had ended on its own (Succeeded or Failed) before the stop reached it: its own
   * end is the run's, and nothing was stopped. With command `stop`, also Stopped (by someone
   * else).
   */
  endedBefore?: 'Succeeded' | 'Failed' | 'Stopped'
}

/**
 * Something worth telling in the summary that no other fact says; the summary words it.
 * - `kept-rerouted`: the timeout or a cancel came while a blue/green deployment's originals waited
 *   to be terminated, with traffic already on the replacement, so nothing was stopped.
 * - `rollback-cut`: following the rollback ended early, by a cancel or at `rollback-timeout`;
 *   CodeDeploy carries it on.
 */
export type Note =
  | { kind: 'kept-rerouted'; why: 'cancel' | 'timeout' }
  | { kind: 'rollback-cut'; why: 'cancel' | 'timeout'; id: string }

/** The choices that decide how a deployment ends: the inputs that say what to do when. */
export interface Policy {
  wait: boolean
  onCancel: OnCancel
  onReady: OnReady
  onTerminationWait: OnTerminationWait
  autoRollback: AutoRollback
  timeoutSeconds: number
  rollbackTimeoutSeconds: number
  /** Command `stop`: ask CodeDeploy to roll back as it stops (input `rollback`). */
  stopRollback?: boolean
}

/** What the deployment group says about its own rollbacks and alarms, once read. */
export interface GroupFacts {
  /** The events the group's own auto-rollback covers (empty: it is off). */
  rollbackEvents: string[]
  /** The CloudWatch alarms it watches while it deploys (empty: none, or off); less those ignored. */
  alarms: string[]
  /** Its alarm configuration's ignorePollAlarmFailure. */
  ignorePollAlarmFailure?: boolean
  /** The group's alarms this deployment ignores (override-alarms). */
  ignoredAlarms?: string[]
}

/** A blue/green deployment's traffic steps, as this run saw and drove them. */
export interface BlueGreenFacts {
  /** ContinueDeployment calls this run made, in order. */
  continued: ('READY_WAIT' | 'TERMINATION_WAIT')[]
  /** The group's wait before the originals are terminated, in minutes (absent: KEEP_ALIVE). */
  terminationWaitMinutes?: number
  /** When this run saw the termination wait start (ms since epoch). */
  terminationWaitSeenAt?: number
}

/** For command `rollback`: what is redeployed and why it was chosen. */
export interface RollbackChoice {
  fromDeployment: string
  reason: string
}

export interface RunRecord {
  command: Command
  region: string
  application?: string
  deploymentGroup?: string
  /** The config asked for, or the group's own when none was. */
  deploymentConfig?: string
  /** The deployment config was created by this run, from `deployment-config-spec`. */
  deploymentConfigCreated?: boolean
  /** With `deployment-group-config`: whether this run created the group (false: it existed). */
  deploymentGroupCreated?: boolean
  /** The mark in the deployment's description that finds it again: run identity and a token. */
  marker?: string
  /** The group's compute platform, once read: Server (EC2/on-premises), ECS or Lambda. */
  platform?: string
  bundle?: BundleFacts
  /** An S3 bundle (EC2/on-premises). */
  revision?: S3Revision
  /** A GitHub commit (EC2/on-premises), fetched by CodeDeploy itself. */
  gitHub?: GitHubRevision
  /** ECS and Lambda: the AppSpec sent inline, and what went into it. */
  content?: ContentFacts
  choice?: RollbackChoice
  artifact?: { name: string; id?: string }
  deployment?: DeploymentFacts
  /** False with `wait: false`. */
  waited?: boolean
  blueGreen?: BlueGreenFacts
  rollback?: RollbackFacts
  /** What the inputs say to do at each end; absent for a run that failed before its settings. */
  policy?: Policy
  /** The group's rollback settings and alarms, once read. */
  group?: GroupFacts
  /** The job was cancelled, and what `on-cancel` asked for. */
  cancel?: { onCancel: OnCancel }
  stop?: StopFacts
  /** Cancelled while CreateDeployment's answer was lost, and its deployment not found: why. */
  lostCreate?: string
  /** A newer run got there first (deployment id and its run). */
  supersededBy?: { deploymentId: string; run: string }
  outcome?: Outcome
  /** The stage the run was in when it ended; for a failure, where it failed. */
  stage: Stage
  /** The stage the run was in when the job was cancelled (a later stage may be the one to notice). */
  cancelledIn?: Stage
  error?: {
    message: string
    /** The user's input is at fault: fix it and run again (the CLI exits 2). */
    input?: boolean
    annotation?: Annotation
  }
  /** What the summary tells beyond the facts above, in order. */
  notes: Note[]
}

export function newRecord(command: Command, region: string): RunRecord {
  return { command, region, stage: 'inputs', notes: [] }
}

/** The record of a run that failed before the engine started (inputs, clients, GitHub). */
export function failedBeforeRun(
  command: Command,
  region: string,
  message: string,
  input: boolean
): RunRecord {
  const record = newRecord(command, region)
  record.outcome = 'error'
  record.error = { message, ...(input ? { input } : {}) }
  return record
}

/** Thrown by the engine when the run does not pass; carries everything known about it. */
export class RunFailedError extends Error {
  override name = 'RunFailedError'
  constructor(readonly record: RunRecord) {
    super(record.error?.message ?? `Run ${record.outcome ?? 'failed'}`)
  }
}

export function passed(record: RunRecord): boolean {
  return record.outcome !== undefined && PASSING.has(record.outcome)
}

/**
 * What every stage of one run shares: the settings, the clients and ports it was given, the
 * record it adds to, and the run's clocks (its deadline, the rollback's bound, the cancel's).
 */
import type { CodeDeployClient, DeploymentInfo } from '@aws-sdk/client-codedeploy'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import type { S3Client } from '@aws-sdk/client-s3'
import type { BundleResult } from './revision/bundle/index.js'
import path from 'node:path'
import { Cancellation } from './cancellation.js'
import { AppSpecError } from './errors.js'
import { defaultDescription, type RunContext } from './deploy/description.js'
import type { RunIdentity } from './deploy/marker.js'
import { newRecord, type RunRecord, type Stage } from './tell/record.js'
import type { Reporter } from './tell/reporter.js'
import type { Settings } from './inputs/settings.js'
import { countCalls, type CallCount } from './aws/call-count.js'
import { waitForDeployment, type WatchOutcome } from './follow/watch.js'
import { systemClock, type Clock } from './clock.js'

export interface EngineDeps {
  codedeploy: CodeDeployClient
  s3: S3Client
  /** ECS deployments with `task-definition`. */
  ecs?: ECSClient
  /** Lambda deployments whose appspec leaves a version out. */
  lambda?: LambdaClient
  region: string
  reporter: Reporter
  /** Where relative annotation paths start (the workspace). */
  workspace: string
  /** Scratch space for the bundle; it is removed when the run ends. */
  tempDir: string
  clock?: Clock
  /** Aborts when the job is cancelled (SIGINT/SIGTERM). */
  signal?: AbortSignal
  /** Time the AWS calls of a cancel may take (default: what the runner's window leaves). */
  cancelBudgetMs?: number
  context?: RunContext
  /** `SOURCE_DATE_EPOCH` from the environment: the time bundle entries carry, when set. */
  sourceDateEpoch?: string
  /** The workflow run, for the run marker that keeps an older run from deploying over a newer. */
  identity?: RunIdentity
  /** Pause between status checks (min), and the longest one while CodeDeploy throttles (max). */
  pollIntervalMs?: { min: number; max: number }
  /** How long to wait for CodeDeploy to link a rollback deployment to a failed one. */
  rollbackLinkWaitMs?: number
  /**
   * Also publishes the bundle elsewhere (the action: a workflow artifact), after it is in S3 (or
   * at `bundle-path`) and before the deployment is created. Its title names the log group; it returns the artifact id.
   */
  publishBundle?: {
    name: string
    title: string
    publish(bundle: BundleResult): Promise<string | undefined>
  }
  /** The re-run cache's directory (./bundle-cache.ts); absent: every run packages. */
  cacheDir?: string | undefined
  /** Told each time the record gains something, e.g. to set outputs as soon as they are known. */
  onRecord?: (record: Readonly<RunRecord>) => void
}

const ROLLBACK_EVENT = {
  failure: 'DEPLOYMENT_FAILURE',
  stop: 'DEPLOYMENT_STOP_ON_REQUEST',
  alarm: 'DEPLOYMENT_STOP_ON_ALARM'
} as const

export class Run {
  readonly record: RunRecord
  readonly clock: Clock
  readonly reporter: Reporter
  readonly cancel: Cancellation
  readonly startedAt: number
  /** The run's CodeDeploy requests so far (stopped when the run ends: `close`). */
  private readonly calls: CallCount | undefined
  /** When `timeout` passes: the deployment must have ended by then. */
  readonly deadline: number
  /** The events the group's own auto-rollback covers, once read (empty: it is off). */
  groupRollbackEvents?: string[]
  /** The CloudWatch alarms the group watches while it deploys, once read (empty: none, or off). */
  groupAlarms?: string[]

  constructor(
    readonly settings: Settings,
    readonly deps: EngineDeps
  ) {
    this.clock = deps.clock ?? systemClock
    this.reporter = deps.reporter
    this.cancel = new Cancellation(deps.signal, this.clock, deps.cancelBudgetMs)
    this.startedAt = this.clock.now()
    this.calls = countCalls(deps.codedeploy)
    this.deadline = this.startedAt + settings.timeoutSeconds * 1000
    this.record = newRecord(settings.command, deps.region)
    this.record.timeoutSeconds = settings.timeoutSeconds
    this.record.rollbackTimeoutSeconds = settings.rollbackTimeoutSeconds
    if (settings.application) this.record.application = settings.application
    if (settings.deploymentGroup) this.record.deploymentGroup = settings.deploymentGroup
    if (settings.deploymentConfig) this.record.deploymentConfig = settings.deploymentConfig
  }

  /** The deployment's description, without the run marker. */
  get description(): string {
    return this.settings.description ?? defaultDescription(this.deps.context ?? {})
  }

  /**
   * Whether CodeDeploy will roll back this run's deployment when it fails (`failure`), when it
   * is stopped on request (`stop`: a timeout or a cancel), or when a group's alarm stops it.
   */
  rollbackExpected(on: 'failure' | 'stop' | 'alarm' = 'failure'): boolean {
    const event = ROLLBACK_EVENT[on]
    // A continued deployment keeps the rollback setting it was created with.
    if (this.settings.command === 'continue') {
      const config = this.record.deployment?.info?.autoRollbackConfiguration
      return config?.enabled === true && (config.events ?? []).includes(event)
    }
    // on-failure covers an alarm's stop when the group has alarms (see createDeploymentInput).
    if (this.settings.autoRollback === 'on-failure')
      return on !== 'alarm' || (this.groupAlarms ?? []).length > 0
    if (this.settings.autoRollback === 'off') return false
    return (this.groupRollbackEvents ?? []).includes(event)
  }

  /** Ends what the run holds on to: the count of its calls on the client. */
  close(): void {
    this.calls?.stop()
  }

  get codedeploy(): CodeDeployClient {
    return this.deps.codedeploy
  }

  get signal(): AbortSignal | undefined {
    return this.deps.signal
  }

  /** A path as the job log and annotations show it: relative to the workspace when inside it. */
  relative(file: string): string {
    const rel = path.relative(this.deps.workspace, file)
    return rel.startsWith('..') ? file : rel.split(path.sep).join('/')
  }

  /** Points an appspec error's annotation at its file, line and column; returns the error. */
  pointAt(error: unknown): unknown {
    if (error instanceof AppSpecError)
      error.annotation = {
        title: 'Invalid appspec',
        file: this.relative(error.file),
        ...(error.line ? { startLine: error.line } : {}),
        ...(error.column ? { startColumn: error.column } : {})
      }
    return error
  }

  /** Enters a stage: a failure from here on is reported as having happened there. */
  enter(stage: Stage): void {
    this.record.stage = stage
  }

  /** Tells the adapter that the record gained something. */
  changed(): void {
    this.deps.onRecord?.(this.record)
  }

  /** Records what was read of the run's deployment. */
  saw(info: DeploymentInfo): void {
    const deployment = this.record.deployment
    if (!deployment || info.deploymentId !== deployment.id) return
    const before = deployment.status
    deployment.info = info
    if (info.status) deployment.status = info.status
    if (deployment.status !== before) this.changed()
  }

  /** Follows a deployment until `deadline` or the cancel, reporting each step. */
  watch(
    id: string,
    deadline: number,
    onUpdate?: (info: DeploymentInfo) => void,
    pauseWhen?: (info: DeploymentInfo) => string | undefined
  ): Promise<WatchOutcome> {
    const intervals = this.deps.pollIntervalMs
    return waitForDeployment(id, {
      codedeploy: this.codedeploy,
      reporter: this.reporter,
      clock: this.clock,
      deadline,
      ...(this.signal ? { signal: this.signal } : {}),
      ...(intervals ? { minIntervalMs: intervals.min, maxIntervalMs: intervals.max } : {}),
      ...(onUpdate ? { onUpdate } : {}),
      ...(pauseWhen ? { pauseWhen } : {}),
      ...(this.record.platform && this.record.platform !== 'Server'
        ? { targetsLabel: 'Targets' }
        : {}),
      ...(this.calls ? { budget: { since: this.startedAt, spent: () => this.calls!.total } } : {}),
      onTraffic: traffic => {
        if (this.record.deployment?.id !== id) return
        this.record.deployment.traffic = traffic
        this.changed()
      }
    })
  }
}

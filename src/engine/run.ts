/**
 * The engine's table of contents. Check the target, get the revision (package and upload it, take
 * the one given, or choose the one to roll back to), create the deployment, follow it to its end.
 * Every stage adds to one run record, which comes back when the run passes and rides on a
 * RunFailedError when it does not; how the run ends is decided in ./end/decide.ts and carried out
 * in ./end/drive.ts. Both entry points (the action and the CLI) call `runEngine` and derive all
 * they say from the record.
 */
import type { CodeDeployClient, RevisionLocation } from '@aws-sdk/client-codedeploy'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import type { S3Client } from '@aws-sdk/client-s3'
import { Gateway } from './aws/gateway.js'
import { Cancellation } from './cancellation.js'
import { systemClock, type Clock } from './clock.js'
import { ensureDeploymentConfig } from './deploy/config.js'
import { createDeployment, type CreateRequest } from './deploy/create.js'
import { creatorOf, ensureDeploymentGroup } from './deploy/group.js'
import { formatMarker, newMarker, type RunIdentity } from './deploy/marker.js'
import { checkDeploymentTarget } from './deploy/target.js'
import { continueDeployment, prepareContinue } from './end/continue.js'
import { hasAlarms } from './end/decide.js'
import { Drive } from './end/drive.js'
import { readNamed } from './end/named.js'
import { defaultDescription, type RunContext } from './inputs/description.js'
import { revisionLocation } from './inputs/s3-location.js'
import { gitHubLocation } from './inputs/github-revision.js'
import type { Settings } from './inputs/settings.js'
import type { Ports } from './ports.js'
import type { Reporter } from './reporter.js'
import { chooseRevision, contentRevision, existingRevision } from './revision/given.js'
import type { BundlePublisher, RevisionStage } from './revision/stage.js'
import { fleetWords } from './tell/fleet.js'
import { consoleUrl } from './tell/links.js'
import { RunFailedError, newRecord, passed, type RunRecord } from './tell/record.js'

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
   * at `bundle-path`) and before the deployment is created.
   */
  publishBundle?: BundlePublisher
  /** The re-run cache's directory (./revision/cache.ts); absent: every run packages. */
  cacheDir?: string | undefined
  /** Told each time the record gains something, e.g. to set outputs as soon as they are known. */
  onRecord?: (record: Readonly<RunRecord>) => void
}

/** One run: what its stages are handed. */
interface Scope {
  settings: Settings
  deps: EngineDeps
  ports: Ports
  record: RunRecord
  drive: Drive
  /** When `timeout` passes: the deployment must have ended by then. */
  deadline: number
  /** The deployment's description, without the run marker. */
  description: string
}

/** Runs the whole sequence; resolves with the record, or rejects with a RunFailedError. */
export async function runEngine(settings: Settings, deps: EngineDeps): Promise<RunRecord> {
  const clock = deps.clock ?? systemClock
  const startedAt = clock.now()
  const gateway = new Gateway(
    {
      codedeploy: deps.codedeploy,
      s3: deps.s3,
      ...(deps.ecs ? { ecs: deps.ecs } : {}),
      ...(deps.lambda ? { lambda: deps.lambda } : {})
    },
    clock,
    deps.signal
  )
  const record = newRecord(settings.command, deps.region)
  record.policy = {
    wait: settings.wait,
    onCancel: settings.onCancel,
    onReady: settings.onReady,
    onTerminationWait: settings.onTerminationWait,
    autoRollback: settings.autoRollback,
    timeoutSeconds: settings.timeoutSeconds,
    rollbackTimeoutSeconds: settings.rollbackTimeoutSeconds,
    ...(settings.command === 'stop' ? { stopRollback: settings.stopRollback } : {})
  }
  if (settings.application) record.application = settings.application
  if (settings.deploymentGroup) record.deploymentGroup = settings.deploymentGroup
  if (settings.deploymentConfig) record.deploymentConfig = settings.deploymentConfig
  const ports: Ports = {
    gateway,
    reporter: deps.reporter,
    clock,
    cancel: new Cancellation(deps.signal, clock, deps.cancelBudgetMs),
    changed: () => deps.onRecord?.(record)
  }
  ports.cancel.onCancel(() => (record.cancelledIn ??= record.stage))
  const deadline = startedAt + settings.timeoutSeconds * 1000
  const drive = new Drive(ports, record, {
    deadline,
    startedAt,
    ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}),
    ...(deps.rollbackLinkWaitMs !== undefined
      ? { rollbackLinkWaitMs: deps.rollbackLinkWaitMs }
      : {})
  })
  const description = settings.description ?? defaultDescription(deps.context ?? {})
  const scope: Scope = { settings, deps, ports, record, drive, deadline, description }
  try {
    await sequence(scope)
  } catch (error) {
    await drive.failed(error)
  } finally {
    gateway.close()
  }
  ports.changed()
  if (!passed(record)) throw new RunFailedError(record)
  return record
}

function revisionStage(scope: Scope): RevisionStage {
  const { deps } = scope
  return {
    ports: scope.ports,
    record: scope.record,
    settings: scope.settings,
    workspace: deps.workspace,
    tempDir: deps.tempDir,
    description: scope.description,
    ...(deps.sourceDateEpoch ? { sourceDateEpoch: deps.sourceDateEpoch } : {}),
    ...(deps.context?.sha ? { sha: deps.context.sha } : {}),
    ...(deps.cacheDir ? { cacheDir: deps.cacheDir } : {}),
    ...(deps.publishBundle ? { publishBundle: deps.publishBundle } : {})
  }
}

/** The revision to deploy, after the target is checked; undefined: the run ends packaged. */
async function revision(scope: Scope): Promise<RevisionLocation | undefined> {
  const { settings, ports, record } = scope
  const { reporter } = ports
  const stage = revisionStage(scope)
  const target = (): Promise<void> => checkDeploymentTarget(ports, record, settings)
  if (settings.command === 'rollback') {
    return reporter.group('Choosing the revision to roll back to', async () => {
      await target()
      return revisionLocation(await chooseRevision(stage))
    })
  }
  const given = settings.revision
  if (settings.appspec) {
    const content = await reporter.group('Checking the appspec', async () => {
      await target()
      // An EC2/on-premises group takes it as the appspec.yml of a bundle, packaged below.
      return record.platform === 'Server' ? undefined : contentRevision(stage)
    })
    if (content) return content
  } else if (settings.gitHubRevision) {
    const commit = settings.gitHubRevision
    return reporter.group('Checking the GitHub revision', async () => {
      await target()
      // Loaded here: the appspec parser is not needed at start.
      const { gitHubRevision } = await import('./revision/github.js')
      return gitHubLocation(await gitHubRevision(stage, commit))
    })
  } else if (given) {
    return reporter.group('Checking the revision', async () => {
      await target()
      return revisionLocation(await existingRevision(stage, given))
    })
  } else if (settings.command === 'deploy')
    // The target first: its platform says which kind of appspec to expect.
    await reporter.group('Checking the deployment target', target)
  else if (settings.application) await target()
  // Loaded here: the archive writers and the appspec parser are not needed at start.
  const { packageAndUpload } = await import('./revision/package.js')
  const made = await packageAndUpload(stage)
  return settings.command === 'package' || !made ? undefined : revisionLocation(made)
}

/** What CreateDeployment carries beyond the revision: target instances, outdated only, alarms. */
function deploymentOptions(
  settings: Settings,
  record: RunRecord
): Pick<CreateRequest, 'targetInstances' | 'outdatedInstancesOnly' | 'alarmOverride'> {
  const ignored = record.group?.ignoredAlarms
  return {
    ...(settings.targetInstances ? { targetInstances: settings.targetInstances } : {}),
    ...(settings.outdatedInstancesOnly ? { outdatedInstancesOnly: true } : {}),
    ...(ignored?.length
      ? {
          alarmOverride: {
            watched: record.group?.alarms ?? [],
            ignorePollAlarmFailure: record.group?.ignorePollAlarmFailure ?? false
          }
        }
      : {})
  }
}

async function sequence(scope: Scope): Promise<void> {
  const { settings, ports, record, drive } = scope
  if (settings.command === 'continue' && settings.deploymentId)
    return continued(scope, settings.deploymentId)
  if ((settings.command === 'wait' || settings.command === 'stop') && settings.deploymentId)
    return named(scope, settings.deploymentId)
  const location = await revision(scope)
  if (!location) return drive.end({ kind: 'packaged' })
  if (ports.clock.now() >= scope.deadline) return drive.end({ kind: 'late' })
  record.stage = 'create'
  const marker = newMarker(scope.deps.identity ?? {})
  record.marker = formatMarker(marker)
  const { reporter } = ports
  const result = await reporter.group('Creating the deployment', async () => {
    const deploymentConfig = await ensureDeploymentConfig(ports, record, settings)
    // After the config: the group's own deploymentConfigName may be the one just made.
    await ensureDeploymentGroup(
      ports,
      record,
      settings,
      creatorOf(scope.deps.identity?.workflowRef)
    )
    return createDeployment(
      {
        application: settings.application,
        deploymentGroup: settings.deploymentGroup,
        ...(deploymentConfig ? { deploymentConfig } : {}),
        location,
        description: scope.description,
        marker,
        autoRollback: settings.autoRollback,
        ...(settings.fileExistsBehavior ? { fileExistsBehavior: settings.fileExistsBehavior } : {}),
        ignoreApplicationStopFailures: settings.ignoreApplicationStopFailures,
        rollbackOnAlarm: hasAlarms(record),
        skipIfSuperseded: settings.skipIfSuperseded && settings.command === 'deploy',
        ...deploymentOptions(settings, record)
      },
      {
        gateway: ports.gateway,
        reporter,
        clock: ports.clock,
        deadline: scope.deadline,
        cancel: ports.cancel,
        region: record.region
      }
    )
  })
  switch (result.kind) {
    case 'created':
      record.deployment = { id: result.id, status: 'Created', targets: [] }
      ports.changed()
      reporter.info(`Created ${result.id}: ${consoleUrl(record.region, result.id)}`)
      if (!ports.cancel.requested) {
        record.waited = settings.wait
        if (!settings.wait)
          reporter.info(
            `Not waiting for ${result.id} (wait: false). Follow it at ${consoleUrl(record.region, result.id)}`
          )
      }
      break
    case 'superseded':
      record.supersededBy = { deploymentId: result.by.deploymentId, run: result.by.run }
      reporter.notice(
        `Skipped: ${result.by.run} of this workflow already deployed ${result.by.deploymentId} (${result.by.status}) to '${settings.deploymentGroup}', and this run is older. Set skip-if-superseded: false to deploy an older revision on purpose.`
      )
      break
    case 'unknown':
      record.lostCreate = result.why
      reporter.error(result.why)
      break
    case 'timeout':
      record.error = {
        message: `Deployment ${result.active} still held group '${settings.deploymentGroup}' when the timeout passed; nothing was deployed. Raise 'timeout', or stop ${result.active} first.`
      }
      break
    case 'cancelled':
      break
  }
  return drive.end({ kind: 'created', result, cancelled: ports.cancel.requested })
}

/**
 * Commands `wait` and `stop`: a deployment made by anyone, read and checked against the names the
 * step gives, then followed like a deploy (wait) or stopped and followed to its end and its
 * rollback (stop).
 */
async function named(scope: Scope, id: string): Promise<void> {
  const { ports, record, settings, drive } = scope
  const stopping = settings.command === 'stop'
  record.stage = stopping ? 'stop' : 'deploy'
  const names = {
    ...(settings.application ? { application: settings.application } : {}),
    ...(settings.deploymentGroup ? { deploymentGroup: settings.deploymentGroup } : {})
  }
  const info = await ports.reporter.group(`Checking ${id}`, () =>
    readNamed(ports, record, names, id)
  )
  record.deployment = { id, status: info.status ?? 'unknown', info, targets: [] }
  if (!stopping) record.waited = true
  ports.changed()
  ports.reporter.info(
    `${id} (${record.application ?? '?'} / ${record.deploymentGroup ?? '?'}) is ${info.status ?? 'unknown'}: ${consoleUrl(record.region, id)}`
  )
  return drive.end(
    { kind: 'found', cancelled: ports.cancel.requested },
    stopping ? `Stopping ${id}` : `Waiting for ${id}`
  )
}

/** Command `continue`: a waiting blue/green deployment moved on, then followed like a deploy. */
async function continued(scope: Scope, id: string): Promise<void> {
  const { ports, record, settings, drive } = scope
  record.stage = 'continue'
  const names = {
    ...(settings.application ? { application: settings.application } : {}),
    ...(settings.deploymentGroup ? { deploymentGroup: settings.deploymentGroup } : {})
  }
  const type = await ports.reporter.group(`Checking ${id}`, () =>
    prepareContinue(ports, record, names, id)
  )
  await continueDeployment(ports, record, id, type)
  if (!ports.cancel.requested) record.waited = settings.wait
  return drive.end(
    { kind: 'moved-on', cancelled: ports.cancel.requested },
    type === 'READY_WAIT'
      ? `Rerouting traffic of ${id}`
      : `Terminating the ${fleetWords(record.platform).original} of ${id}`
  )
}

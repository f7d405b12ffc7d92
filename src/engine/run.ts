/**
 * The engine's table of contents: check, package, upload, register, create, watch, report.
 * Both entry points (the action and the CLI) call `runEngine` with their own Reporter.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type {
  CodeDeployClient,
  DeploymentGroupInfo,
  DeploymentInfo,
  InstanceTarget
} from '@aws-sdk/client-codedeploy'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { consoleUrl } from '../aws.js'
import { checkAppSpec } from './appspec/index.js'
import { errorName, isAccessDenied } from './aws-errors.js'
import { createBundle, type BundleResult } from './bundle/index.js'
import {
  checkTarget,
  createDeployment,
  defaultDescription,
  registerRevision,
  type RunContext
} from './deploy.js'
import { diagnose, failureMessage, tailLines } from './diagnose.js'
import { AppSpecError, DeploymentFailedError, InputError } from './errors.js'
import type { Reporter } from './reporter.js'
import { chooseRollbackRevision, findRollbackDeployment, stopDeployment } from './rollback.js'
import type { S3Revision, Settings } from './settings.js'
import { renderSummary, type SummaryInput } from './summary.js'
import { checkBucket, uploadBundle, type UploadedObject } from './upload.js'
import { systemClock, waitForDeployment, type Clock, type WatchOutcome } from './watch.js'

export interface EngineDeps {
  codedeploy: CodeDeployClient
  s3: S3Client
  region: string
  reporter: Reporter
  /** Where relative annotation paths start (the workspace). */
  workspace: string
  /** Scratch space for the bundle; it is removed when the run ends. */
  tempDir: string
  clock?: Clock
  /** Aborts when the job is cancelled (SIGINT/SIGTERM). */
  signal?: AbortSignal
  context?: RunContext
  /** Pause between status checks; grows from min to max while nothing changes. */
  pollIntervalMs?: { min: number; max: number }
  /** How long to wait for CodeDeploy to link a rollback deployment to a failed one. */
  rollbackLinkWaitMs?: number
  /**
   * Also publishes the bundle elsewhere (the action: a workflow artifact), after it is in S3 and
   * before the deployment is created. Its title names the log group.
   */
  publishBundle?: {
    title: string
    publish(bundle: BundleResult, revision: S3Revision): Promise<void>
  }
}

export interface RunResult {
  deploymentId?: string
  status?: string
  revision?: S3Revision
  bundle?: BundleResult
  upload?: UploadedObject
  rollbackDeploymentId?: string
  rollbackStatus?: string
}

/** Time allowed after a cancel to stop the deployment and learn its rollback id (the runner kills ~10 s after SIGINT). */
const CANCEL_BUDGET_MS = 5000

export function s3Url(revision: S3Revision): string {
  return `s3://${revision.bucket}/${revision.key}`
}

export async function runEngine(settings: Settings, deps: EngineDeps): Promise<RunResult> {
  return new Engine(settings, deps).run()
}

class Engine {
  private readonly clock: Clock
  private readonly reporter: Reporter
  private readonly result: RunResult = {}
  private readonly summary: SummaryInput = { targets: [] }
  private readonly startedAt: number
  private group?: DeploymentGroupInfo

  constructor(
    private readonly settings: Settings,
    private readonly deps: EngineDeps
  ) {
    this.clock = deps.clock ?? systemClock
    this.reporter = deps.reporter
    this.startedAt = this.clock.now()
  }

  async run(): Promise<RunResult> {
    const { settings } = this
    let revision: S3Revision
    if (settings.command === 'rollback') {
      revision = await this.reporter.group('Choosing the revision to roll back to', () =>
        this.rollbackRevision()
      )
    } else if (settings.revision) {
      revision = await this.reporter.group('Checking the revision', () =>
        this.existingRevision(settings.revision!)
      )
    } else {
      revision = await this.packageAndUpload()
      if (settings.command === 'package') {
        await this.writeSummary()
        return this.result
      }
    }
    const deploymentId = await this.reporter.group('Creating the deployment', () =>
      this.create(revision)
    )
    if (!settings.wait) {
      this.reporter.info(
        `Not waiting for ${deploymentId} (wait: false). Follow it at ${consoleUrl(this.deps.region, deploymentId)}`
      )
      this.result.status = 'Created'
      this.reporter.output('status', 'Created')
      await this.writeSummary('Not waited for (`wait: false`).')
      return this.result
    }
    await this.follow(deploymentId)
    return this.result
  }

  private get context(): RunContext {
    return this.deps.context ?? {}
  }

  private setRevision(revision: S3Revision): void {
    this.result.revision = revision
    this.summary.revision = s3Url(revision)
    this.reporter.output('revision', s3Url(revision))
    this.reporter.output('bucket', revision.bucket)
    this.reporter.output('key', revision.key)
    if (revision.eTag) this.reporter.output('etag', revision.eTag)
    if (revision.version) this.reporter.output('version-id', revision.version)
  }

  private async checkDeploymentTarget(): Promise<void> {
    const { settings } = this
    this.group = await checkTarget(
      this.deps.codedeploy,
      {
        application: settings.application,
        deploymentGroup: settings.deploymentGroup,
        ...(settings.deploymentConfig ? { deploymentConfig: settings.deploymentConfig } : {})
      },
      this.deps.region,
      this.deps.signal
    )
    this.reporter.info(
      `Target: application '${settings.application}', group '${settings.deploymentGroup}', config '${settings.deploymentConfig ?? this.group?.deploymentConfigName ?? 'group default'}'`
    )
  }

  private async rollbackRevision(): Promise<S3Revision> {
    await this.checkDeploymentTarget()
    const { revision, fromDeployment } = await chooseRollbackRevision(
      this.deps.codedeploy,
      this.settings.application,
      this.settings.deploymentGroup
    )
    this.reporter.info(
      `Redeploying ${s3Url(revision)}, last deployed successfully by ${fromDeployment}.`
    )
    this.setRevision(revision)
    return revision
  }

  private async existingRevision(revision: S3Revision): Promise<S3Revision> {
    await this.checkDeploymentTarget()
    try {
      const head = await this.deps.s3.send(
        new HeadObjectCommand({
          Bucket: revision.bucket,
          Key: revision.key,
          ...(revision.version ? { VersionId: revision.version } : {})
        })
      )
      const eTag = head.ETag?.replace(/^"|"$/g, '')
      if (revision.eTag && eTag && revision.eTag !== eTag) {
        throw new InputError(
          `Revision ${s3Url(revision)} has ETag ${eTag}, not the ${revision.eTag} given in 'revision-etag'. The object changed since it was built: redeploy from the build, or update revision-etag.`
        )
      }
    } catch (error) {
      if (error instanceof InputError) throw error
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode
      if (status === 404 || errorName(error) === 'NotFound') {
        throw new InputError(
          `Revision ${s3Url(revision)} does not exist. Check the bucket and key (and revision-version), or package the source instead.`
        )
      }
      if (isAccessDenied(error) || status === 403) {
        this.reporter.warning(
          `Cannot read ${s3Url(revision)} to check it (access denied); CodeDeploy will read it with the instances' role.`
        )
      } else throw error
    }
    this.setRevision(revision)
    return revision
  }

  private async packageAndUpload(): Promise<S3Revision> {
    const { settings, deps, reporter } = this
    const bucket = settings.bucket
    if (!bucket) throw new InputError("Input 'bucket' is required to upload the bundle.")
    const checked = await reporter.group('Checking appspec', async () => {
      try {
        const result = await checkAppSpec(settings.source)
        for (const warning of result.warnings)
          reporter.warning(warning, { file: this.relative(result.path), title: 'appspec' })
        reporter.info(
          `${this.relative(result.path)}: ${result.spec.os}, ${Object.keys(result.spec.hooks).length} hook(s), ${result.spec.files.length} file mapping(s)`
        )
        return result
      } catch (error) {
        if (error instanceof AppSpecError) {
          error.annotation = {
            title: 'Invalid appspec',
            file: this.relative(error.file),
            ...(error.line ? { startLine: error.line } : {}),
            ...(error.column ? { startColumn: error.column } : {})
          }
        }
        throw error
      }
    })
    if (settings.command === 'deploy') {
      await reporter.group('Checking the deployment target', () => this.checkDeploymentTarget())
    } else if (settings.application) {
      await checkTarget(
        deps.codedeploy,
        { application: settings.application, deploymentGroup: settings.deploymentGroup },
        deps.region,
        deps.signal
      )
    }
    await checkBucket(deps.s3, bucket, deps.signal)

    const bundleFile = path.join(
      deps.tempDir,
      `bundle.${settings.bundleType === 'tgz' ? 'tar.gz' : settings.bundleType}`
    )
    try {
      const bundle = await reporter.group(
        `Packaging ${this.relative(settings.source) || '.'} as ${settings.bundleType}`,
        async () => {
          const result = await createBundle({
            source: settings.source,
            type: settings.bundleType,
            outFile: bundleFile,
            executables: checked.hookScripts,
            ...(deps.signal ? { signal: deps.signal } : {})
          })
          reporter.info(
            `${result.files} files, ${result.directories} directories, ${result.symlinks} links${result.excluded ? `, ${result.excluded} excluded` : ''}: ${result.size} bytes, sha256 ${result.sha256}`
          )
          return result
        }
      )
      this.result.bundle = bundle
      reporter.output('bundle-sha256', bundle.sha256)

      const uploaded = await reporter.group(`Uploading to s3://${bucket}`, async () => {
        let lastShown = 0
        const result = await uploadBundle({
          s3: deps.s3,
          file: bundle.path,
          size: bundle.size,
          sha256: bundle.sha256,
          bundleType: settings.bundleType,
          bucket,
          keyPrefix: settings.keyPrefix,
          ...(settings.sse ? { sse: settings.sse } : {}),
          ...(settings.sseKmsKeyId ? { sseKmsKeyId: settings.sseKmsKeyId } : {}),
          ...(deps.signal ? { signal: deps.signal } : {}),
          onProgress: (loaded, total) => {
            const percent = total ? Math.floor((loaded / total) * 100) : 100
            if (percent >= lastShown + 25 && percent < 100) {
              lastShown = percent
              reporter.info(`  ${percent}% (${loaded} of ${total} bytes)`)
            }
          }
        })
        reporter.info(
          result.skipped
            ? `s3://${bucket}/${result.key} already holds this bundle (same sha256): nothing uploaded.`
            : `Uploaded ${result.bytesUploaded} bytes to s3://${bucket}/${result.key}`
        )
        return result
      })
      this.result.upload = uploaded
      this.summary.bundle = {
        sha256: bundle.sha256,
        size: bundle.size,
        uploaded: !uploaded.skipped
      }
      const revision: S3Revision = {
        bucket,
        key: uploaded.key,
        bundleType: settings.bundleType,
        eTag: uploaded.eTag
      }
      if (uploaded.versionId) revision.version = uploaded.versionId
      this.setRevision(revision)
      const publisher = deps.publishBundle
      if (publisher)
        await reporter.group(publisher.title, () => publisher.publish(bundle, revision))
      if (settings.application) {
        await registerRevision(
          deps.codedeploy,
          settings.application,
          revision,
          this.description(),
          deps.signal
        )
        reporter.info(`Registered ${s3Url(revision)} with application '${settings.application}'.`)
      }
      return revision
    } finally {
      await rm(bundleFile, { force: true })
    }
  }

  private description(): string {
    return this.settings.description ?? defaultDescription(this.context)
  }

  private async create(revision: S3Revision): Promise<string> {
    const { settings, deps } = this
    // No abort signal on purpose: a deployment must never be created without us learning its id.
    const id = await createDeployment(
      {
        application: settings.application,
        deploymentGroup: settings.deploymentGroup,
        ...(settings.deploymentConfig ? { deploymentConfig: settings.deploymentConfig } : {}),
        revision,
        description: this.description(),
        autoRollback: settings.autoRollback,
        ...(settings.fileExistsBehavior ? { fileExistsBehavior: settings.fileExistsBehavior } : {}),
        ignoreApplicationStopFailures: settings.ignoreApplicationStopFailures
      },
      {
        codedeploy: deps.codedeploy,
        reporter: this.reporter,
        clock: this.clock,
        deadline: this.startedAt + settings.timeoutSeconds * 1000,
        ...(deps.signal ? { signal: deps.signal } : {})
      }
    )
    this.result.deploymentId = id
    this.reporter.output('deployment-id', id)
    this.reporter.output('console-url', consoleUrl(deps.region, id))
    this.summary.consoleUrl = consoleUrl(deps.region, id)
    this.reporter.info(`Created ${id}: ${consoleUrl(deps.region, id)}`)
    return id
  }

  private watch(id: string, deadline: number, signal?: AbortSignal): Promise<WatchOutcome> {
    const intervals = this.deps.pollIntervalMs
    return waitForDeployment(id, {
      codedeploy: this.deps.codedeploy,
      reporter: this.reporter,
      clock: this.clock,
      deadline,
      ...(signal ? { signal } : {}),
      ...(intervals ? { minIntervalMs: intervals.min, maxIntervalMs: intervals.max } : {})
    })
  }

  private rollbackExpected(): boolean {
    if (this.settings.autoRollback === 'on-failure') return true
    if (this.settings.autoRollback === 'off') return false
    return this.group?.autoRollbackConfiguration?.enabled === true
  }

  private async follow(id: string): Promise<void> {
    const { settings, deps, reporter } = this
    const deadline = this.startedAt + settings.timeoutSeconds * 1000
    const outcome = await reporter.group(`Deploying ${id}`, () =>
      this.watch(id, deadline, deps.signal)
    )
    this.summary.targets = outcome.targets
    if (outcome.deployment) this.summary.deployment = outcome.deployment

    if (outcome.kind === 'cancelled') return this.cancelled(id, outcome.deployment)
    if (outcome.kind === 'timeout') {
      reporter.warning(
        `${id} did not finish within ${settings.timeoutSeconds}s (timeout); stopping it.`
      )
      const rollback = this.rollbackExpected()
      await stopDeployment(deps.codedeploy, id, rollback, reporter)
      const settled = await this.watch(id, this.clock.now() + 60_000)
      if (settled.deployment) this.summary.deployment = settled.deployment
      this.summary.targets = settled.targets.length ? settled.targets : this.summary.targets
      this.setStatus(settled.deployment?.status ?? 'Stopped')
      const rollbackLine = rollback ? await this.followRollback(id) : ''
      await this.writeSummary(`Stopped after the ${settings.timeoutSeconds}s timeout.`)
      throw new DeploymentFailedError(
        `${id} timed out after ${settings.timeoutSeconds}s and was stopped.${rollbackLine}`,
        { title: 'Deployment timed out' }
      )
    }

    const deployment = outcome.deployment
    this.setStatus(deployment.status ?? 'Unknown')
    if (deployment.status === 'Succeeded') {
      reporter.info(`${id} Succeeded${this.instanceCount(outcome.targets)}.`)
      await this.writeSummary()
      return
    }
    const diagnosis = diagnose(deployment, outcome.targets)
    this.summary.diagnosis = diagnosis
    const message = failureMessage(deployment, diagnosis)
    const first = diagnosis.failures[0]
    // Said now, in the log, so the cause is on screen while the rollback runs; the annotation
    // comes once, at the end, with the rollback's outcome in it.
    reporter.info(
      first?.logTail ? `${diagnosis.headline}\n${tailLines(first.logTail)}` : diagnosis.headline
    )
    const rollbackLine = this.rollbackExpected() ? await this.followRollback(id) : ''
    await this.writeSummary()
    throw new DeploymentFailedError(`${message}${rollbackLine}`, {
      title: first
        ? `${first.event} failed on ${first.instanceId}`
        : `Deployment ${deployment.status ?? 'failed'}`
    })
  }

  private instanceCount(targets: InstanceTarget[]): string {
    return targets.length ? ` on ${targets.length} instance${targets.length === 1 ? '' : 's'}` : ''
  }

  private setStatus(status: string): void {
    this.result.status = status
    this.reporter.output('status', status)
  }

  /** Finds and follows the rollback of `id`; returns a sentence for the failure message. */
  private async followRollback(id: string): Promise<string> {
    const { deps, reporter } = this
    return reporter.group(`Rollback of ${id}`, async () => {
      const link = await findRollbackDeployment(
        deps.codedeploy,
        id,
        this.clock,
        deps.rollbackLinkWaitMs ?? 30_000
      )
      if (!link.id) {
        const why = link.message ?? 'CodeDeploy started no rollback deployment.'
        reporter.warning(`No rollback: ${why}`)
        this.summary.rollback = { message: `No rollback: ${why}` }
        return `\nNo rollback: ${why}`
      }
      this.result.rollbackDeploymentId = link.id
      reporter.output('rollback-deployment-id', link.id)
      reporter.info(
        `CodeDeploy is rolling back with ${link.id}: ${consoleUrl(deps.region, link.id)}`
      )
      const outcome = await this.watch(
        link.id,
        this.clock.now() + this.settings.timeoutSeconds * 1000,
        deps.signal
      )
      const status =
        outcome.kind === 'finished'
          ? (outcome.deployment.status ?? 'Unknown')
          : outcome.kind === 'timeout'
            ? 'TimedOut'
            : 'Detached'
      this.result.rollbackStatus = status
      reporter.output('rollback-status', status)
      this.summary.rollback = {
        id: link.id,
        status,
        consoleUrl: consoleUrl(deps.region, link.id),
        ...(link.message ? { message: link.message } : {})
      }
      if (status === 'Succeeded') {
        reporter.info(`Rollback ${link.id} Succeeded: the previous revision is back in place.`)
        return `\nRolled back by ${link.id} (Succeeded): the previous revision is back in place.`
      }
      if (outcome.kind === 'finished') {
        const diagnosis = diagnose(outcome.deployment, outcome.targets)
        reporter.warning(`Rollback ${link.id} ${status}: ${diagnosis.headline}`, {
          title: 'Rollback failed'
        })
        return `\nThe rollback ${link.id} also ${status}: ${diagnosis.headline}`
      }
      return `\nRollback ${link.id} was still running (${status}).`
    })
  }

  private async cancelled(id: string, deployment?: DeploymentInfo): Promise<never> {
    const { settings, deps, reporter } = this
    if (settings.onCancel === 'detach') {
      reporter.warning(
        `Job cancelled; ${id} keeps running (on-cancel: detach). Follow it at ${consoleUrl(deps.region, id)}`
      )
      this.setStatus(deployment?.status ?? 'InProgress')
      await this.writeSummary(
        'The job was cancelled; the deployment was left running (`on-cancel: detach`).'
      )
      throw new DeploymentFailedError(`Cancelled; ${id} left running (on-cancel: detach).`)
    }
    const rollback = settings.onCancel === 'stop-and-rollback'
    reporter.warning(`Job cancelled; stopping ${id}${rollback ? ' and rolling back' : ''}.`)
    await stopDeployment(deps.codedeploy, id, rollback, reporter)
    this.setStatus('Stopped')
    let line = ''
    if (rollback) {
      const link = await findRollbackDeployment(deps.codedeploy, id, this.clock, CANCEL_BUDGET_MS)
      if (link.id) {
        this.result.rollbackDeploymentId = link.id
        reporter.output('rollback-deployment-id', link.id)
        reporter.info(`Rollback ${link.id} started: ${consoleUrl(deps.region, link.id)}`)
        line = ` Rollback ${link.id} started.`
        this.summary.rollback = {
          id: link.id,
          status: 'InProgress',
          consoleUrl: consoleUrl(deps.region, link.id)
        }
      } else if (link.message) line = ` No rollback: ${link.message}`
    }
    await this.writeSummary('The job was cancelled and the deployment stopped.')
    throw new DeploymentFailedError(`Cancelled; ${id} was stopped.${line}`)
  }

  private async writeSummary(note?: string): Promise<void> {
    if (note) this.summary.note = note
    try {
      await this.reporter.summary(renderSummary(this.summary))
    } catch (error) {
      this.reporter.debug(`Could not write the job summary: ${String(error)}`)
    }
  }

  private relative(file: string): string {
    const rel = path.relative(this.deps.workspace, file)
    return rel.startsWith('..') ? file : rel.split(path.sep).join('/')
  }
}

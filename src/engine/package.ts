/**
 * Getting the revision to deploy: check the appspec and the target, package the source, upload it
 * (skipped when S3 holds this exact bundle), publish it elsewhere when asked, and register it with
 * the application. Or, instead of packaging, check the revision given, or choose the one the
 * `rollback` command redeploys.
 */
import {
  RegisterApplicationRevisionCommand,
  type RevisionLocation
} from '@aws-sdk/client-codedeploy'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type * as AppSpecModule from './appspec/index.js'
import type * as BundleModule from './bundle/index.js'
import { entryTime } from './bundle/time.js'
import type { Run } from './context.js'
import { cutDescription } from './description.js'
import { InputError } from './errors.js'
import { chooseRollbackRevision } from './rollback.js'
import {
  bundleExtension,
  checkRevision,
  revisionLocation,
  s3Url,
  type S3Revision
} from './revision.js'
import { PLATFORM_NAME, checkTarget } from './target.js'
import { abortStaleUploads, checkBucket, uploadBundle } from './upload.js'
import { isAccessDenied } from './aws-errors.js'

/*
 * The appspec checker (with its YAML parser) and the archive writers load when a run first needs
 * them, not at start: a run that packages nothing never reads them, and the first line of one that
 * does comes sooner (issue 10's cold start).
 */
const checkAppSpec: typeof AppSpecModule.checkAppSpec = async (...args) =>
  (await import('./appspec/index.js')).checkAppSpec(...args)
const createBundle: typeof BundleModule.createBundle = async (...args) =>
  (await import('./bundle/index.js')).createBundle(...args)

/** Checks the application, the group and the config; remembers the config the group uses. */
export async function checkDeploymentTarget(run: Run): Promise<void> {
  const { settings, record } = run
  run.enter('target')
  const group = await checkTarget(
    run.codedeploy,
    {
      application: settings.application,
      deploymentGroup: settings.command === 'package' ? '' : settings.deploymentGroup,
      ...(settings.deploymentConfig ? { deploymentConfig: settings.deploymentConfig } : {})
    },
    run.deps.region,
    run.signal
  )
  if (!settings.deploymentConfig && group?.deploymentConfigName)
    record.deploymentConfig = group.deploymentConfigName
  if (group) {
    record.platform = group.computePlatform ?? 'Server'
    platformFits(run, record.platform)
  }
  const rollback = group?.autoRollbackConfiguration
  if (rollback) run.groupRollbackEvents = rollback.enabled ? (rollback.events ?? []) : []
  const alarms = group?.alarmConfiguration
  if (group)
    run.groupAlarms = alarms?.enabled ? (alarms.alarms ?? []).flatMap(a => a.name ?? []) : []
  if (settings.command !== 'package')
    run.reporter.info(
      `Target: application '${settings.application}', group '${settings.deploymentGroup}', config '${record.deploymentConfig ?? 'group default'}'`
    )
}

/**
 * The revision kind the inputs give must be the one the group's platform takes: a bundle for
 * EC2/on-premises, an inline AppSpec for ECS and Lambda. Refused before any write.
 */
function platformFits(run: Run, platform: string): void {
  const { settings } = run
  const group = `Deployment group '${settings.deploymentGroup}'`
  if (platform === 'Server') {
    if (settings.appspec)
      throw new InputError(
        `${group} deploys to EC2/on-premises instances, which take a bundle: remove 'appspec' and give 'source' (a directory with appspec.yml at its root) or 'revision'.`
      )
    return
  }
  const name = PLATFORM_NAME[platform] ?? platform
  if (settings.command === 'rollback')
    throw new InputError(
      `${group} deploys to ${name}; command 'rollback' redeploys S3 bundles of EC2/on-premises groups. Deploy the earlier AppSpec with 'appspec' instead (CodeDeploy also rolls back a failed ${name} deployment by itself with auto-rollback).`
    )
  if (!settings.appspec)
    throw new InputError(
      `${group} deploys to ${name}, which takes its AppSpec inline: give the AppSpec file in 'appspec' (and, for ECS, a task definition in 'task-definition' if it should be registered), instead of 'source' or 'revision'.`
    )
  if (settings.taskDefinition && platform !== 'ECS')
    throw new InputError(
      `Input 'task-definition' registers an ECS task definition, and ${group} deploys to ${name}. Remove it.`
    )
}

/**
 * ECS and Lambda: the AppSpec, checked and completed, sent inline. Their clients' commands are
 * loaded only here, so an EC2 run starts without reading them.
 */
export async function contentRevision(run: Run): Promise<RevisionLocation> {
  await checkDeploymentTarget(run)
  const platform = run.record.platform
  if (platform !== 'ECS' && platform !== 'Lambda')
    throw new Error(`No inline AppSpec for ${platform}`)
  const { prepareContent } = await import('./content.js')
  const { location, facts } = await prepareContent(run, platform)
  run.record.content = facts
  run.changed()
  return location
}

/** Command `rollback`: the group's last good revision, and why it was chosen. */
export async function chooseRevision(run: Run): Promise<S3Revision> {
  await checkDeploymentTarget(run)
  run.enter('choose')
  const { revision, choice } = await chooseRollbackRevision(
    run.codedeploy,
    run.settings.application,
    run.settings.deploymentGroup,
    run.signal
  )
  run.record.choice = choice
  run.record.revision = revision
  run.changed()
  run.reporter.info(
    `Redeploying ${s3Url(revision)}, last deployed successfully by ${choice.fromDeployment}. ${choice.reason}`
  )
  return revision
}

/** Input `revision`: an existing bundle, checked before a deployment names it. */
export async function existingRevision(run: Run, given: S3Revision): Promise<S3Revision> {
  await checkDeploymentTarget(run)
  run.enter('revision')
  const revision = await checkRevision(run.deps.s3, given, run.reporter, run.signal)
  run.record.revision = revision
  run.changed()
  return revision
}

async function checkAppSpecFile(run: Run): Promise<{ hookScripts: string[] }> {
  const { reporter, settings } = run
  run.enter('appspec')
  try {
    const result = await checkAppSpec(settings.source)
    for (const warning of result.warnings)
      reporter.warning(warning, { file: run.relative(result.path), title: 'appspec' })
    reporter.info(
      `${run.relative(result.path)}: ${result.spec.os}, ${Object.keys(result.spec.hooks).length} hook(s), ${result.spec.files.length} file mapping(s)`
    )
    return result
  } catch (error) {
    throw run.pointAt(error)
  }
}

/** Aborts the prefix's multipart uploads that killed runs left behind, saying how many. */
async function abortLeftovers(run: Run, bucket: string): Promise<void> {
  const prefix = run.settings.keyPrefix
  try {
    const count = await abortStaleUploads(run.deps.s3, bucket, prefix, run.clock.now(), run.signal)
    if (count > 0)
      run.reporter.info(
        `Aborted ${count} incomplete upload${count === 1 ? '' : 's'} under s3://${bucket}/${prefix} older than an hour (left by a cancelled or killed run).`
      )
  } catch (error) {
    if (!isAccessDenied(error)) throw error
    run.reporter.warning(
      `Cannot list incomplete uploads in s3://${bucket}/${prefix} (access denied), so those a killed run left are not aborted. Allow s3:ListBucketMultipartUploads on the bucket, or add an AbortIncompleteMultipartUpload lifecycle rule (see the README).`
    )
  }
}

/** Packages `source`, uploads it and registers it; the revision it made. */
export async function packageAndUpload(run: Run): Promise<S3Revision> {
  const { settings, deps, reporter, record } = run
  const bucket = settings.bucket
  if (!bucket) throw new InputError("Input 'bucket' is required to upload the bundle.")
  // The target first: its platform says which kind of appspec to expect.
  if (settings.command === 'deploy') {
    await reporter.group('Checking the deployment target', () => checkDeploymentTarget(run))
  } else if (settings.application) {
    await checkDeploymentTarget(run)
  }
  const checked = await reporter.group('Checking appspec', () => checkAppSpecFile(run))
  run.enter('upload')
  await checkBucket(deps.s3, bucket, run.signal)

  const bundleFile = path.join(deps.tempDir, `bundle.${bundleExtension(settings.bundleType)}`)
  try {
    run.enter('package')
    const bundle = await reporter.group(
      `Packaging ${run.relative(settings.source) || '.'} as ${settings.bundleType}`,
      async () => {
        const time = await entryTime({
          source: settings.source,
          ...(deps.sourceDateEpoch ? { sourceDateEpoch: deps.sourceDateEpoch } : {}),
          ...(deps.context?.sha ? { sha: deps.context.sha } : {}),
          now: () => run.clock.now()
        })
        reporter.info(`Entries dated ${time.time.toISOString()}: ${time.from}.`)
        const result = await createBundle({
          source: settings.source,
          type: settings.bundleType,
          outFile: bundleFile,
          executables: checked.hookScripts,
          mtime: time.time,
          ...(run.signal ? { signal: run.signal } : {})
        })
        for (const warning of result.warnings) {
          const file = run.relative(path.join(settings.source, warning.rel))
          reporter.warning(warning.message, { file, title: warning.title })
        }
        reporter.info(
          `${result.files} files, ${result.directories} directories, ${result.symlinks} links${result.excluded ? `, ${result.excluded} excluded` : ''}: ${result.size} bytes, sha256 ${result.sha256}`
        )
        return result
      }
    )
    record.bundle = {
      sha256: bundle.sha256,
      size: bundle.size,
      files: bundle.files,
      uploaded: false
    }
    run.changed()

    run.enter('upload')
    const uploaded = await reporter.group(`Uploading to s3://${bucket}`, async () => {
      await abortLeftovers(run, bucket)
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
        ...(run.signal ? { signal: run.signal } : {}),
        onProgress: (loaded, total) => {
          const percent = total ? Math.floor((loaded / total) * 100) : 100
          if (percent >= lastShown + 25 && percent < 100) {
            lastShown = percent
            reporter.info(`  ${percent}% (${loaded} of ${total} bytes)`)
          }
        }
      })
      if (result.replaced)
        reporter.warning(
          `s3://${bucket}/${result.key} was already there but is not this bundle (${result.replaced}): uploaded it again. Check who else writes to this bucket and prefix.`
        )
      reporter.info(
        result.skipped
          ? `s3://${bucket}/${result.key} already holds this bundle (S3's SHA-256 checksum matches): nothing uploaded.`
          : `Uploaded ${result.bytesUploaded} bytes to s3://${bucket}/${result.key}`
      )
      return result
    })
    record.bundle.uploaded = !uploaded.skipped
    const revision: S3Revision = {
      bucket,
      key: uploaded.key,
      bundleType: settings.bundleType,
      eTag: uploaded.eTag
    }
    if (uploaded.versionId) revision.version = uploaded.versionId
    record.revision = revision
    run.changed()

    const publisher = deps.publishBundle
    if (publisher) {
      run.enter('publish')
      const id = await reporter.group(publisher.title, () => publisher.publish(bundle, revision))
      record.artifact = { name: publisher.name, ...(id !== undefined ? { id } : {}) }
      run.changed()
    }
    if (settings.application) {
      run.enter('register')
      await run.codedeploy.send(
        new RegisterApplicationRevisionCommand({
          applicationName: settings.application,
          revision: revisionLocation(revision),
          description: cutDescription(run.description)
        }),
        run.signal ? { abortSignal: run.signal } : {}
      )
      reporter.info(`Registered ${s3Url(revision)} with application '${settings.application}'.`)
    }
    return revision
  } finally {
    await rm(bundleFile, { force: true })
  }
}

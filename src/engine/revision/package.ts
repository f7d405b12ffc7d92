/**
 * The `source` as a bundle: check the appspec, package the tree (or, on a re-run of the same tree,
 * prove that S3 holds its bundle already: ./rerun.ts), write it to `bundle-path` when asked,
 * upload it (skipped when S3 holds this exact bundle), publish it elsewhere when asked, and
 * register it with the application.
 */
import { RegisterApplicationRevisionCommand } from '@aws-sdk/client-codedeploy'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { checkAppSpec } from './appspec/index.js'
import { isAccessDenied } from '../aws/errors.js'
import {
  createBundle,
  listEntries,
  type BundleResult,
  type Listing,
  type ListingWarning
} from './bundle/index.js'
import { markExecutables } from './bundle/entries.js'
import { entryTime } from './bundle/time.js'
import type { Run } from '../context.js'
import { cutDescription } from '../deploy/description.js'
import { InputError } from '../errors.js'
import { checkDeploymentTarget } from './given.js'
import { checkRerun, reuseLine, type Rerun } from './rerun.js'
import { bundleExtension, revisionLocation, s3Url, type S3Revision } from './s3.js'
import { abortStaleUploads, checkBucket, uploadBundle, type UploadedObject } from './upload.js'

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

function tellWarnings(run: Run, warnings: ListingWarning[]): void {
  for (const warning of warnings) {
    const file = run.relative(path.join(run.settings.source, warning.rel))
    run.reporter.warning(warning.message, { file, title: warning.title })
  }
}

function counts(listing: Listing): string {
  let files = 0
  let directories = 0
  let links = 0
  for (const entry of listing.entries) {
    if (entry.kind === 'file') files++
    else if (entry.kind === 'dir') directories++
    else links++
  }
  const excluded = listing.excluded ? `, ${listing.excluded} excluded` : ''
  return `${files} files, ${directories} directories, ${links} links${excluded}`
}

/** What packaging gave: a bundle file, or the proof that S3 holds this tree's bundle already. */
type Made =
  { bundle: BundleResult; rerun?: Rerun } | { reused: NonNullable<Rerun['hit']>; files: number }

async function makeBundle(
  run: Run,
  outFile: string,
  hookScripts: string[],
  bucket: string | undefined
): Promise<Made> {
  const { settings, deps, reporter } = run
  const time = await entryTime({
    source: settings.source,
    ...(deps.sourceDateEpoch ? { sourceDateEpoch: deps.sourceDateEpoch } : {}),
    ...(deps.context?.sha ? { sha: deps.context.sha } : {}),
    now: () => run.clock.now()
  })
  reporter.info(`Entries dated ${time.time.toISOString()}: ${time.from}.`)
  const signal = run.signal ? { signal: run.signal } : {}
  // Compared with the files' own change times: the real clock, not the run's.
  const listedAt = Date.now()
  const listing = await listEntries(settings.source, { skip: outFile, ...signal })
  markExecutables(listing.entries, hookScripts, listing.rules, settings.source)
  // Only a bundle nobody needs as a file can be left unmade, and only a dated one made again.
  const fileWanted = settings.bundlePath !== undefined || deps.publishBundle !== undefined
  const rerun =
    bucket && !fileWanted && !time.current
      ? await checkRerun(run, listing, { mtime: time.time, listedAt, bucket })
      : undefined
  if (rerun?.hit) {
    tellWarnings(run, listing.warnings)
    reporter.info(
      `${counts(listing)}: ${rerun.hit.bundle.size} bytes, sha256 ${rerun.hit.bundle.sha256}`
    )
    reporter.info(reuseLine(bucket ?? '', rerun.hit))
    const files = listing.entries.filter(e => e.kind === 'file').length
    return { reused: rerun.hit, files }
  }
  const bundle = await createBundle({
    source: settings.source,
    type: settings.bundleType,
    outFile,
    executables: hookScripts,
    mtime: time.time,
    listing,
    ...signal
  })
  tellWarnings(run, bundle.warnings)
  reporter.info(`${counts(listing)}: ${bundle.size} bytes, sha256 ${bundle.sha256}`)
  if (settings.bundlePath) reporter.info(`Bundle written to ${settings.bundlePath}.`)
  return { bundle, ...(rerun ? { rerun } : {}) }
}

async function upload(run: Run, bucket: string, bundle: BundleResult): Promise<UploadedObject> {
  const { settings, deps, reporter } = run
  return reporter.group(`Uploading to s3://${bucket}`, async () => {
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
}

/** Puts the bundle in S3, or takes the proof that it is there; the revision. */
async function uploadRevision(run: Run, bucket: string, made: Made): Promise<S3Revision> {
  const { settings, record } = run
  run.enter('upload')
  let uploaded: Pick<UploadedObject, 'key' | 'eTag' | 'versionId' | 'skipped'>
  if ('reused' in made) {
    await abortLeftovers(run, bucket)
    uploaded = { key: made.reused.key, ...made.reused.object, skipped: true }
  } else {
    const uploading = upload(run, bucket, made.bundle)
    made.rerun?.digestNow()
    const result = await uploading.catch((error: unknown) => {
      // Not left reading the whole tree after the step has failed.
      made.rerun?.abandon()
      throw error
    })
    await made.rerun?.remember(made.bundle, result.checksum)
    uploaded = result
  }
  if (record.bundle) record.bundle.uploaded = !uploaded.skipped
  const revision: S3Revision = {
    bucket,
    key: uploaded.key,
    bundleType: settings.bundleType,
    eTag: uploaded.eTag
  }
  if (uploaded.versionId) revision.version = uploaded.versionId
  record.revision = revision
  run.changed()
  return revision
}

/**
 * Packages `source`, uploads it and registers it; the revision it made, or undefined when the
 * bundle only went to `bundle-path` (command `package` without a bucket: no S3 call at all).
 */
export async function packageAndUpload(run: Run): Promise<S3Revision | undefined> {
  const { settings, deps, reporter, record } = run
  const bucket = settings.bucket
  if (!bucket && !settings.bundlePath)
    throw new InputError("Input 'bucket' is required to upload the bundle.")
  // The target first: its platform says which kind of appspec to expect.
  if (settings.command === 'deploy') {
    await reporter.group('Checking the deployment target', () => checkDeploymentTarget(run))
  } else if (settings.application) {
    await checkDeploymentTarget(run)
  }
  const checked = await reporter.group('Checking appspec', () => checkAppSpecFile(run))
  if (bucket) {
    run.enter('upload')
    await checkBucket(deps.s3, bucket, run.signal)
  }

  const outFile =
    settings.bundlePath ?? path.join(deps.tempDir, `bundle.${bundleExtension(settings.bundleType)}`)
  try {
    run.enter('package')
    const made = await reporter.group(
      `Packaging ${run.relative(settings.source) || '.'} as ${settings.bundleType}`,
      () => makeBundle(run, outFile, checked.hookScripts, bucket)
    )
    const facts =
      'reused' in made
        ? { ...made.reused.bundle, files: made.files, reused: true }
        : { sha256: made.bundle.sha256, size: made.bundle.size, files: made.bundle.files }
    record.bundle = {
      sha256: facts.sha256,
      size: facts.size,
      files: facts.files,
      uploaded: false,
      ...(settings.bundlePath ? { path: settings.bundlePath } : {}),
      ...('reused' in facts ? { reused: true } : {})
    }
    run.changed()
    const revision = bucket ? await uploadRevision(run, bucket, made) : undefined

    const publisher = deps.publishBundle
    if (publisher && 'bundle' in made) {
      run.enter('publish')
      const id = await reporter.group(publisher.title, () => publisher.publish(made.bundle))
      record.artifact = { name: publisher.name, ...(id !== undefined ? { id } : {}) }
      run.changed()
    }
    if (revision && settings.application) {
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
    if (!settings.bundlePath) await rm(outFile, { force: true })
  }
}

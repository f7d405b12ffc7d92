/**
 * The `source` as a bundle: check the appspec, package the tree (or, on a re-run of the same tree,
 * prove that S3 holds its bundle already: ./rerun.ts), write it to `bundle-path` when asked,
 * upload it (skipped when S3 holds this exact bundle), publish it elsewhere when asked, and
 * register it with the application.
 */
import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { checkAppSpec } from './appspec/index.js'
import { isAccessDenied } from '../aws/errors.js'
import {
  createBundle,
  listEntries,
  type BundleEntry,
  type BundleResult,
  type Listing,
  type ListingWarning
} from './bundle/index.js'
import { markExecutables } from './bundle/entries.js'
import { entryTime } from './bundle/time.js'
import { pointAt, shown, type RevisionStage } from './stage.js'
import { cutDescription } from '../inputs/description.js'
import { InputError } from '../errors.js'
import type { Tag } from '../inputs/options.js'
import { checkRerun, reuseLine, type Rerun } from './rerun.js'
import { revisionLocation } from '../inputs/s3-location.js'
import { bundleExtension, s3Url, type S3Revision } from '../inputs/s3-location.js'
import { abortStaleUploads, checkBucket, uploadBundle, type UploadedObject } from './upload.js'

/** The appspec checked, and the `appspec` input's file when the bundle gets it as appspec.yml. */
interface Checked {
  hookScripts: string[]
  injected?: string
}

async function checkAppSpecFile(stage: RevisionStage): Promise<Checked> {
  const { settings, record } = stage
  const { reporter } = stage.ports
  record.stage = 'appspec'
  try {
    const result = await checkAppSpec(settings.source, settings.appspec)
    if (result.injected)
      reporter.info(
        `${shown(stage, result.path)} goes into the bundle as appspec.yml (source has none of its own).`
      )
    for (const warning of result.warnings)
      reporter.warning(warning, { file: shown(stage, result.path), title: 'appspec' })
    reporter.info(
      `${shown(stage, result.path)}: ${result.spec.os}, ${Object.keys(result.spec.hooks).length} hook(s), ${result.spec.files.length} file mapping(s)`
    )
    return {
      hookScripts: result.hookScripts,
      ...(result.injected ? { injected: result.path } : {})
    }
  } catch (error) {
    throw pointAt(stage, error)
  }
}

/**
 * Puts the `appspec` input's file into the listing as appspec.yml, where the walk would have put
 * one at the source's root (entries in name order), dated and permitted like every file, so the
 * same inputs give the same bytes.
 */
async function addAppSpec(entries: BundleEntry[], file: string): Promise<void> {
  const { size } = await stat(file)
  const name = 'appspec.yml'
  const at = entries.findIndex(e => (e.rel.split('/')[0] ?? '') > name)
  const entry: BundleEntry = { kind: 'file', rel: name, abs: file, mode: 0o644, size }
  entries.splice(at < 0 ? entries.length : at, 0, entry)
}

/** Aborts the prefix's multipart uploads that killed runs left behind, saying how many. */
async function abortLeftovers(stage: RevisionStage, bucket: string): Promise<void> {
  const prefix = stage.settings.keyPrefix
  const { ports } = stage
  try {
    const count = await abortStaleUploads(
      ports.gateway,
      bucket,
      prefix,
      ports.clock.now(),
      ports.cancel.signal
    )
    if (count > 0)
      ports.reporter.info(
        `Aborted ${count} incomplete upload${count === 1 ? '' : 's'} under s3://${bucket}/${prefix} older than an hour (left by a cancelled or killed run).`
      )
  } catch (error) {
    if (!isAccessDenied(error)) throw error
    ports.reporter.warning(
      `Cannot list incomplete uploads in s3://${bucket}/${prefix} (access denied), so those a killed run left are not aborted. Allow s3:ListBucketMultipartUploads on the bucket, or add an AbortIncompleteMultipartUpload lifecycle rule (see the README).`
    )
  }
}

function tellWarnings(stage: RevisionStage, warnings: ListingWarning[]): void {
  for (const warning of warnings) {
    const file = shown(stage, path.join(stage.settings.source, warning.rel))
    stage.ports.reporter.warning(warning.message, { file, title: warning.title })
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
  stage: RevisionStage,
  outFile: string,
  checked: Checked,
  bucket: string | undefined
): Promise<Made> {
  const { hookScripts } = checked
  const { settings } = stage
  const { reporter, clock, cancel } = stage.ports
  const time = await entryTime({
    source: settings.source,
    ...(stage.sourceDateEpoch ? { sourceDateEpoch: stage.sourceDateEpoch } : {}),
    ...(stage.sha ? { sha: stage.sha } : {}),
    now: () => clock.now()
  })
  reporter.info(`Entries dated ${time.time.toISOString()}: ${time.from}.`)
  const signal = cancel.signal ? { signal: cancel.signal } : {}
  // Compared with the files' own change times: the real clock, not the run's.
  const listedAt = Date.now()
  const listing = await listEntries(settings.source, { skip: outFile, ...signal })
  markExecutables(listing.entries, hookScripts, listing.rules, settings.source)
  if (checked.injected) await addAppSpec(listing.entries, checked.injected)
  // Only a bundle nobody needs as a file can be left unmade, and only a dated one made again;
  // the re-run cache knows the source's tree only, not an appspec from elsewhere.
  const fileWanted = settings.bundlePath !== undefined || stage.publishBundle !== undefined
  const rerun =
    bucket && !fileWanted && !time.current && !checked.injected
      ? await checkRerun(stage, listing, { mtime: time.time, listedAt, bucket })
      : undefined
  if (rerun?.hit) {
    tellWarnings(stage, listing.warnings)
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
  tellWarnings(stage, bundle.warnings)
  reporter.info(`${counts(listing)}: ${bundle.size} bytes, sha256 ${bundle.sha256}`)
  if (settings.bundlePath) reporter.info(`Bundle written to ${settings.bundlePath}.`)
  return { bundle, ...(rerun ? { rerun } : {}) }
}

async function upload(
  stage: RevisionStage,
  bucket: string,
  bundle: BundleResult
): Promise<UploadedObject> {
  const { settings, ports } = stage
  const { reporter } = ports
  return reporter.group(`Uploading to s3://${bucket}`, async () => {
    await abortLeftovers(stage, bucket)
    let lastShown = 0
    const result = await uploadBundle({
      gateway: ports.gateway,
      file: bundle.path,
      size: bundle.size,
      sha256: bundle.sha256,
      bundleType: settings.bundleType,
      bucket,
      keyPrefix: settings.keyPrefix,
      ...(settings.sse ? { sse: settings.sse } : {}),
      ...(settings.sseKmsKeyId ? { sseKmsKeyId: settings.sseKmsKeyId } : {}),
      ...(settings.s3Tags ? { tags: settings.s3Tags } : {}),
      ...(ports.cancel.signal ? { signal: ports.cancel.signal } : {}),
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
        : `Uploaded ${result.bytesUploaded} bytes to s3://${bucket}/${result.key}${settings.s3Tags ? `, tagged ${tagList(settings.s3Tags)}` : ''}`
    )
    if (result.skipped) tagsKept(stage, bucket, result.key)
    return result
  })
}

const tagList = (tags: readonly Tag[]): string => tags.map(t => `${t.Key}=${t.Value}`).join(', ')

/**
 * `s3-tags` with a bundle S3 already holds: the object's tags are left as they are. The key is
 * the bundle's hash, so other runs and workflows (staging and prod alike) may share the object;
 * retagging it would change what their tags say (and what tag-based lifecycle rules do to it).
 */
function tagsKept(stage: RevisionStage, bucket: string, key: string): void {
  const tags = stage.settings.s3Tags
  if (!tags) return
  if (stage.record.bundle) stage.record.bundle.tagsKept = true
  stage.ports.reporter.notice(
    `s3://${bucket}/${key} was already in S3, so its tags are not changed (s3-tags ${tagList(tags)} not applied): the object may be shared with other runs. Tag it with aws s3api put-object-tagging if it needs these.`
  )
}

/** Puts the bundle in S3, or takes the proof that it is there; the revision. */
async function uploadRevision(
  stage: RevisionStage,
  bucket: string,
  made: Made
): Promise<S3Revision> {
  const { settings, record } = stage
  record.stage = 'upload'
  let uploaded: Pick<UploadedObject, 'key' | 'eTag' | 'versionId' | 'skipped'>
  if ('reused' in made) {
    await abortLeftovers(stage, bucket)
    tagsKept(stage, bucket, made.reused.key)
    uploaded = { key: made.reused.key, ...made.reused.object, skipped: true }
  } else {
    const uploading = upload(stage, bucket, made.bundle)
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
  stage.ports.changed()
  return revision
}

/**
 * Packages `source`, uploads it and registers it; the revision it made, or undefined when the
 * bundle only went to `bundle-path` (command `package` without a bucket: no S3 call at all).
 */
export async function packageAndUpload(stage: RevisionStage): Promise<S3Revision | undefined> {
  const { settings, record, ports } = stage
  const { reporter, gateway } = ports
  const bucket = settings.bucket
  if (!bucket && !settings.bundlePath)
    throw new InputError("Input 'bucket' is required to upload the bundle.")
  // The stage starts with its log group: a cancel seen there came in this stage.
  record.stage = 'appspec'
  const checked = await reporter.group('Checking appspec', () => checkAppSpecFile(stage))
  if (bucket) {
    record.stage = 'upload'
    await checkBucket(gateway, bucket, ports.cancel.signal)
  }

  const outFile =
    settings.bundlePath ??
    path.join(stage.tempDir, `bundle.${bundleExtension(settings.bundleType)}`)
  try {
    record.stage = 'package'
    const made = await reporter.group(
      `Packaging ${shown(stage, settings.source) || '.'} as ${settings.bundleType}`,
      () => makeBundle(stage, outFile, checked, bucket)
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
      ...('reused' in facts ? { reused: true } : {}),
      ...(bucket && settings.s3Tags
        ? { tags: settings.s3Tags.map(t => `${t.Key}=${t.Value}`) }
        : {})
    }
    ports.changed()
    const revision = bucket ? await uploadRevision(stage, bucket, made) : undefined

    const publisher = stage.publishBundle
    if (publisher && 'bundle' in made) {
      record.stage = 'publish'
      const id = await reporter.group(publisher.title, () => publisher.publish(made.bundle))
      record.artifact = { name: publisher.name, ...(id !== undefined ? { id } : {}) }
      ports.changed()
    }
    if (revision && settings.application) {
      record.stage = 'register'
      await gateway.registerRevision(
        settings.application,
        revisionLocation(revision),
        cutDescription(stage.description)
      )
      reporter.info(`Registered ${s3Url(revision)} with application '${settings.application}'.`)
    }
    return revision
  } finally {
    if (!settings.bundlePath) await rm(outFile, { force: true })
  }
}

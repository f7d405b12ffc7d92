/**
 * Re-runs that cost almost nothing. The tree about to be packaged is digested (./bundle/digest.ts)
 * and looked up in the runner's cache (./bundle-cache.ts). When this machine built and uploaded a
 * bundle from the same tree before, and S3's own SHA-256 checksum of the object at that bundle's
 * key is the one recorded then, the object is that bundle byte for byte: packaging and upload are
 * skipped. Anything else (no entry, an entry that fails its signature, no object, another object,
 * an object without a checksum) packages and uploads as usual, and the proved upload is recorded.
 */
import path from 'node:path'
import type { Listing } from './bundle/index.js'
import { treeDigest } from './bundle/digest.js'
import { BundleCache, type CachedBundle } from './bundle-cache.js'
import type { Run } from './context.js'
import { headObject, objectKey, type HeadedObject } from './upload.js'

export interface Rerun {
  /**
   * Records that this tree gave `bundle`, whose SHA-256 checksum S3 keeps as `checksum`; skipped
   * when there is no checksum, or when a file was written to since the digest read it.
   */
  remember(bundle: { sha256: string; size: number }, checksum: string | undefined): Promise<void>
  /** The bundle S3 already holds for this tree, proved by S3's checksum of it. */
  hit?: { bundle: CachedBundle; key: string; object: HeadedObject }
}

/**
 * Digests the listed tree and looks it up; undefined when the run has no cache (or cannot use
 * it) or the tree could not be digested, and then nothing is remembered either.
 */
export async function checkRerun(
  run: Run,
  listing: Listing,
  mtime: Date,
  bucket: string
): Promise<Rerun | undefined> {
  const { settings, reporter, deps } = run
  if (!deps.cacheDir) return undefined
  const cache = await BundleCache.open(deps.cacheDir, message => reporter.debug(message))
  if (!cache) return undefined
  const started = performance.now()
  const tree = await treeDigest(listing.entries, {
    type: settings.bundleType,
    mtime,
    ...(run.signal ? { signal: run.signal } : {})
  })
  if (!tree) {
    reporter.debug('Re-run cache: a file could not be read or changed while it was digested.')
    return undefined
  }
  reporter.debug(
    `Tree digest ${tree.digest} in ${Math.round(performance.now() - started)} ms (cache ${deps.cacheDir}).`
  )
  const rerun: Rerun = {
    async remember(bundle, checksum) {
      if (!checksum) return
      if (!tree.unchanged()) {
        reporter.debug('Re-run cache: a file was written to while packaging; not recorded.')
        return
      }
      await cache.put(tree.digest, { ...bundle, checksum })
    }
  }
  const cached = await cache.get(tree.digest)
  if (!cached) return rerun
  const key = objectKey(settings.keyPrefix, cached.sha256, settings.bundleType)
  const object = await headObject(deps.s3, bucket, key, run.signal)
  if (object?.checksum !== cached.checksum) {
    const found = !object
      ? 'holds nothing'
      : object.checksum
        ? `holds an object whose SHA-256 checksum is ${object.checksum}, not ${cached.checksum}`
        : 'holds an object without a SHA-256 checksum'
    reporter.debug(`Re-run cache: s3://${bucket}/${key} ${found}; packaging again.`)
    return rerun
  }
  rerun.hit = { bundle: cached, key, object }
  return rerun
}

/** The log line of a skipped packaging: what was reused, and why that is safe. */
export function reuseLine(bucket: string, hit: NonNullable<Rerun['hit']>): string {
  const name = path.posix.basename(hit.key)
  return `Packaging and upload skipped: this tree (same files, modes and times) gave ${name} before, and S3's own SHA-256 checksum of s3://${bucket}/${hit.key} is the one recorded when it was uploaded, so the object is that bundle byte for byte.`
}

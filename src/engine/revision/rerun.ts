/**
 * Re-runs that cost almost nothing. The tree about to be packaged is looked up in the runner's
 * cache (./cache.ts) by its shape, then compared by the digest of its contents
 * (./bundle/digest.ts). When this machine built and uploaded a bundle from the same tree before,
 * and S3's own SHA-256 checksum of the object at that bundle's key is the one recorded then, the
 * object is that bundle byte for byte: packaging and upload are skipped. Anything else (no entry, an entry that fails its signature, no object, another object,
 * an object without a checksum) packages and uploads as usual, and the proved upload is recorded.
 */
import path from 'node:path'
import type { Listing } from './bundle/index.js'
import { treeDigest, treeShape, type TreeDigest } from './bundle/digest.js'
import { BundleCache, type CachedBundle } from './cache.js'
import type { RevisionStage } from './stage.js'
import { headObject, objectKey, type HeadedObject } from './upload.js'

export interface Rerun {
  /**
   * Starts digesting the tree's contents, when the lookup did not need to (a shape not seen
   * before): called once the bundle is made, so that the reading overlaps the upload.
   */
  digestNow(): void
  /** Stops a digest under way: nothing will be recorded (the upload failed). */
  abandon(): void
  /**
   * Records that this tree gave `bundle`, whose SHA-256 checksum S3 keeps as `checksum`; skipped
   * when there is no checksum, when the tree could not be digested, or when a file was written to
   * after the listing began.
   */
  remember(bundle: { sha256: string; size: number }, checksum: string | undefined): Promise<void>
  /** The bundle S3 already holds for this tree, proved by S3's checksum of it. */
  hit?: { bundle: CachedBundle; key: string; object: HeadedObject }
}

/**
 * Looks the listed tree up; undefined when the run has no cache or cannot use it. A shape seen
 * before has its contents digested at once, to compare; a new one leaves that for `digestNow`.
 */
export async function checkRerun(
  stage: RevisionStage,
  listing: Listing,
  options: { mtime: Date; listedAt: number; bucket: string }
): Promise<Rerun | undefined> {
  const { settings, cacheDir } = stage
  const { reporter, cancel, gateway } = stage.ports
  if (!cacheDir) return undefined
  const cache = await BundleCache.open(cacheDir, message => reporter.debug(message))
  if (!cache) return undefined
  const { mtime, listedAt, bucket } = options
  const shape = treeShape(listing.entries, { type: settings.bundleType, mtime })
  // Ends the digest with the run, or when the upload it would be recorded for fails.
  const stopDigest = new AbortController()
  const signal = cancel.signal
    ? AbortSignal.any([cancel.signal, stopDigest.signal])
    : stopDigest.signal
  let digesting: Promise<TreeDigest | undefined> | undefined
  const digest = (): Promise<TreeDigest | undefined> => {
    digesting ??= (async () => {
      const started = performance.now()
      const tree = await treeDigest(listing.entries, {
        type: settings.bundleType,
        mtime,
        listedAt,
        signal
      }).catch(() => undefined)
      reporter.debug(
        tree
          ? `Tree digest ${tree.digest} in ${Math.round(performance.now() - started)} ms (cache ${cacheDir}).`
          : 'Re-run cache: a file could not be read or changed while it was digested.'
      )
      return tree
    })()
    return digesting
  }
  const rerun: Rerun = {
    digestNow: () => void digest(),
    abandon: () => stopDigest.abort(),
    async remember(bundle, checksum) {
      const tree = await digest()
      if (!checksum || !tree) return
      if (!tree.unchanged()) {
        reporter.debug('Re-run cache: a file changed after the listing began; not recorded.')
        return
      }
      await cache.put(shape, { tree: tree.digest, ...bundle, checksum })
    }
  }
  const cached = await cache.get(shape)
  if (!cached) return rerun
  const tree = await digest()
  if (tree?.digest !== cached.tree) return rerun
  const key = objectKey(settings.keyPrefix, cached.sha256, settings.bundleType)
  const object = await headObject(gateway, bucket, key, cancel.signal)
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

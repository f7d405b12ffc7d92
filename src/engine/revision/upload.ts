/**
 * Puts a bundle in S3 under a key that carries its content hash, with a SHA-256 checksum that S3
 * checks against the bytes and keeps. The upload is skipped only when S3's own checksum of the
 * object there proves it holds exactly these bytes: the key and the metadata can be written by
 * anyone who may write to the bucket, a checksum S3 computed cannot be forged. Large bundles go up
 * in parts of PART_SIZE, so their composite checksum (the SHA-256 of the parts' SHA-256s, then
 * `-<parts>`) is computed here too. A failed or cancelled multipart upload is aborted so no
 * parts are left behind. Every S3 call goes through the gateway (../aws/s3.ts), which rides out
 * S3's throttling (503 SlowDown) and transient faults in one place.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import {
  bundleContentType,
  bundleExtension,
  unquoteETag,
  type BundleType
} from '../inputs/s3-location.js'
import { errorName, httpStatus, isAccessDenied } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import { InputError } from '../errors.js'
import type { ServerSideEncryption } from '../inputs/settings.js'
import { taggingHeader, type Tag } from '../inputs/options.js'

/** Object metadata key holding the bundle's SHA-256 (stored as x-amz-meta-bundle-sha256). */
export const SHA256_METADATA = 'bundle-sha256'
export const PART_SIZE = 8 * 1024 * 1024

export interface UploadRequest {
  gateway: Gateway
  file: string
  size: number
  sha256: string
  bundleType: BundleType
  bucket: string
  keyPrefix: string
  sse?: ServerSideEncryption
  sseKmsKeyId?: string
  /** The object's tags, sent with PutObject or CreateMultipartUpload. */
  tags?: readonly Tag[]
  signal?: AbortSignal
  onProgress?: (loaded: number, total: number) => void
}

export interface UploadedObject {
  bucket: string
  key: string
  /** The object's ETag without quotes. */
  eTag: string
  versionId?: string
  /** Bytes sent in this run: 0 when the object was already there. */
  bytesUploaded: number
  skipped: boolean
  /** Why an object already at the key was not taken for this bundle, when one was there. */
  replaced?: string
  /**
   * The SHA-256 checksum S3 keeps for the object, known to be this bundle's: read and compared
   * when the upload was skipped, sent with a single PUT (S3 refuses the PUT otherwise), or
   * computed here for a multipart upload (and compared with S3's answer when it gives one).
   */
  checksum?: string
}

/** `<prefix><sha256>.<ext>`: the same tree always maps to the same key. */
export function objectKey(keyPrefix: string, sha256: string, bundleType: BundleType): string {
  return `${keyPrefix}${sha256}.${bundleExtension(bundleType)}`
}

/** Fails early, before any write, when the bucket is missing or not ours to use. */
export async function checkBucket(
  gateway: Gateway,
  bucket: string,
  signal?: AbortSignal
): Promise<void> {
  try {
    await gateway.s3.headBucket(bucket, { patient: true, ...(signal ? { signal } : {}) })
  } catch (error) {
    const status = httpStatus(error)
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchBucket' || status === 404) {
      throw new InputError(
        `Bucket '${bucket}' does not exist (or is in another account). Create it in the deployment's region, or set 'bucket' to an existing one.`
      )
    }
    if (isAccessDenied(error) || status === 403) {
      throw new InputError(
        `Access to bucket '${bucket}' was denied. Allow s3:ListBucket, s3:GetObject and s3:PutObject on it for the role this workflow assumes (see the README's IAM policy).`
      )
    }
    throw error
  }
}

/** Whether a bundle of `size` bytes goes up in parts (lib-storage: more than one part's worth). */
function multipart(size: number): boolean {
  return size > PART_SIZE
}

/** The SHA-256 S3 keeps for a single PUT of the bundle: the file's own, in base64. */
function fullChecksum(sha256: string): string {
  return Buffer.from(sha256, 'hex').toString('base64')
}

/** The composite SHA-256 S3 keeps for the bundle uploaded in parts of PART_SIZE. */
export async function compositeChecksum(file: string, signal?: AbortSignal): Promise<string> {
  const digests: Buffer[] = []
  let part = createHash('sha256')
  let inPart = 0
  const bytes = createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>
  for await (const chunk of bytes) {
    signal?.throwIfAborted()
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(PART_SIZE - inPart, chunk.length - offset)
      part.update(chunk.subarray(offset, offset + take))
      inPart += take
      offset += take
      if (inPart === PART_SIZE) {
        digests.push(part.digest())
        part = createHash('sha256')
        inPart = 0
      }
    }
  }
  if (inPart > 0 || digests.length === 0) digests.push(part.digest())
  const joined = createHash('sha256').update(Buffer.concat(digests)).digest('base64')
  return `${joined}-${digests.length}`
}

/** The SHA-256 checksum S3 keeps for this bundle as this action uploads it: whole, or in parts. */
export function expectedChecksum(
  bundle: { file: string; size: number; sha256: string },
  signal?: AbortSignal
): Promise<string> {
  return multipart(bundle.size)
    ? compositeChecksum(bundle.file, signal)
    : Promise.resolve(fullChecksum(bundle.sha256))
}

/** An object at the key, as HeadObject in checksum mode tells it. */
export interface HeadedObject {
  eTag: string
  versionId?: string
  /** The SHA-256 checksum S3 keeps for it; absent when it was stored without one. */
  checksum?: string
}

/** What sits at `key`: its ETag, version and SHA-256 checksum; undefined when nothing does. */
export async function headObject(
  gateway: Gateway,
  bucket: string,
  key: string,
  signal?: AbortSignal
): Promise<HeadedObject | undefined> {
  let head
  try {
    head = await gateway.s3.headObject(
      { Bucket: bucket, Key: key, checksum: true },
      { patient: true, ...(signal ? { signal } : {}) }
    )
  } catch (error) {
    const status = httpStatus(error)
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey' || status === 404)
      return undefined
    throw error
  }
  return {
    eTag: unquoteETag(head.ETag),
    ...(head.VersionId ? { versionId: head.VersionId } : {}),
    ...(head.ChecksumSHA256 ? { checksum: head.ChecksumSHA256 } : {})
  }
}

type Existing =
  | { holds: true; eTag: string; versionId?: string; checksum: string }
  | { holds: false; why?: string }

/**
 * What sits at the key: nothing, this very bundle (S3's SHA-256 checksum of it matches ours), or
 * something else, with the reason it is not taken. Metadata alone never decides.
 */
async function existing(request: UploadRequest, key: string): Promise<Existing> {
  const { gateway, bucket, signal } = request
  const head = await headObject(gateway, bucket, key, signal)
  if (!head) return { holds: false }
  const stored = head.checksum
  if (!stored) return { holds: false, why: 'S3 keeps no SHA-256 checksum for it' }
  const ours = await expectedChecksum(request, signal)
  if (stored !== ours) {
    return {
      holds: false,
      why: `S3's SHA-256 checksum of it is ${stored}, this bundle's is ${ours}`
    }
  }
  const { checksum: _checksum, ...object } = head
  return { holds: true, ...object, checksum: stored }
}

/** Incomplete uploads older than this were left by a run that was killed: nothing will finish them. */
export const STALE_UPLOAD_MS = 60 * 60 * 1000

/**
 * Aborts the incomplete multipart uploads of bundles under `keyPrefix` (keys this action names:
 * `<prefix><sha256>.<ext>`) begun more than an hour before `now`: a killed runner cannot abort its
 * own, and their parts are billed until someone does. Returns how many it aborted.
 */
export async function abortStaleUploads(
  gateway: Gateway,
  bucket: string,
  keyPrefix: string,
  now: number,
  signal?: AbortSignal
): Promise<number> {
  const ours = new RegExp(`^${escapeRegExp(keyPrefix)}[0-9a-f]{64}\\.(zip|tar|tar\\.gz)$`)
  const call = { patient: true, ...(signal ? { signal } : {}) }
  let aborted = 0
  for (const upload of await gateway.s3.multipartUploads(bucket, keyPrefix, call)) {
    const { Key, UploadId, Initiated } = upload
    if (!Key || !UploadId || !Initiated || !ours.test(Key)) continue
    if (now - Initiated.getTime() < STALE_UPLOAD_MS) continue
    await gateway.s3.abortMultipartUpload({ Bucket: bucket, Key, UploadId }, call)
    aborted++
  }
  return aborted
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export async function uploadBundle(request: UploadRequest): Promise<UploadedObject> {
  const { gateway, bucket, sha256, signal } = request
  const key = objectKey(request.keyPrefix, sha256, request.bundleType)
  const found = await existing(request, key)
  if (found.holds) {
    const { holds: _holds, ...object } = found
    return { bucket, key, ...object, bytesUploaded: 0, skipped: true }
  }

  signal?.throwIfAborted()
  const params = {
    Bucket: bucket,
    Key: key,
    ContentLength: request.size,
    ContentType: bundleContentType(request.bundleType),
    Metadata: { [SHA256_METADATA]: sha256 },
    // S3 checks the bytes against it and keeps it: the proof a later run skips on.
    ChecksumAlgorithm: 'SHA256' as const,
    ...(multipart(request.size) ? {} : { ChecksumSHA256: fullChecksum(sha256) }),
    ...(request.sse ? { ServerSideEncryption: request.sse } : {}),
    ...(request.sseKmsKeyId ? { SSEKMSKeyId: request.sseKmsKeyId } : {}),
    // With the object itself (not a PutObjectTagging after it): there is never an untagged copy.
    ...(request.tags?.length ? { Tagging: taggingHeader(request.tags) } : {})
  }
  // The composite is worked out from the file while its parts go up.
  const [result, checksum] = await Promise.all([
    gateway.s3.putObject(
      params,
      () => createReadStream(request.file),
      {
        partSize: PART_SIZE,
        queueSize: 4,
        onProgress: loaded => request.onProgress?.(loaded, request.size)
      },
      { patient: true, ...(signal ? { signal } : {}) }
    ),
    expectedChecksum(request, signal)
  ])
  const versionId = 'VersionId' in result ? result.VersionId : undefined
  const answered = 'ChecksumSHA256' in result ? result.ChecksumSHA256 : undefined
  const uploaded: UploadedObject = {
    bucket,
    key,
    eTag: unquoteETag(result.ETag),
    bytesUploaded: request.size,
    skipped: false
  }
  if (versionId) uploaded.versionId = versionId
  if (found.why) uploaded.replaced = found.why
  if (!answered || answered === checksum) uploaded.checksum = checksum
  return uploaded
}

/**
 * Puts a bundle in S3 under a key that carries its content hash, skipping the upload entirely when
 * that object is already there with the same hash. Large bundles go up in parts; a failed or
 * cancelled multipart upload is aborted so no parts are left behind.
 */
import { HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { createReadStream } from 'node:fs'
import { bundleContentType, bundleExtension, unquoteETag, type BundleType } from './revision.js'
import { errorName, httpStatus, isAccessDenied } from './aws-errors.js'
import { InputError } from './errors.js'
import type { ServerSideEncryption } from './settings.js'

/** Object metadata key holding the bundle's SHA-256 (stored as x-amz-meta-bundle-sha256). */
export const SHA256_METADATA = 'bundle-sha256'
export const PART_SIZE = 8 * 1024 * 1024

export interface UploadRequest {
  s3: S3Client
  file: string
  size: number
  sha256: string
  bundleType: BundleType
  bucket: string
  keyPrefix: string
  sse?: ServerSideEncryption
  sseKmsKeyId?: string
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
}

/** `<prefix><sha256>.<ext>`: the same tree always maps to the same key. */
export function objectKey(keyPrefix: string, sha256: string, bundleType: BundleType): string {
  return `${keyPrefix}${sha256}.${bundleExtension(bundleType)}`
}

/** Fails early, before any write, when the bucket is missing or not ours to use. */
export async function checkBucket(
  s3: S3Client,
  bucket: string,
  signal?: AbortSignal
): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }), signal ? { abortSignal: signal } : {})
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

async function existing(
  s3: S3Client,
  bucket: string,
  key: string,
  sha256: string,
  signal?: AbortSignal
): Promise<{ eTag: string; versionId?: string } | undefined> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key }),
      signal ? { abortSignal: signal } : {}
    )
    if (head.Metadata?.[SHA256_METADATA] !== sha256) return undefined
    return head.VersionId
      ? { eTag: unquoteETag(head.ETag), versionId: head.VersionId }
      : { eTag: unquoteETag(head.ETag) }
  } catch (error) {
    const status = httpStatus(error)
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey' || status === 404)
      return undefined
    throw error
  }
}

export async function uploadBundle(request: UploadRequest): Promise<UploadedObject> {
  const { s3, bucket, sha256, signal } = request
  const key = objectKey(request.keyPrefix, sha256, request.bundleType)
  const found = await existing(s3, bucket, key, sha256, signal)
  if (found) return { bucket, key, ...found, bytesUploaded: 0, skipped: true }

  signal?.throwIfAborted()
  const upload = new Upload({
    client: s3,
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
    params: {
      Bucket: bucket,
      Key: key,
      Body: createReadStream(request.file),
      ContentLength: request.size,
      ContentType: bundleContentType(request.bundleType),
      Metadata: { [SHA256_METADATA]: sha256 },
      ...(request.sse ? { ServerSideEncryption: request.sse } : {}),
      ...(request.sseKmsKeyId ? { SSEKMSKeyId: request.sseKmsKeyId } : {})
    }
  })
  let loaded = 0
  upload.on('httpUploadProgress', progress => {
    loaded = progress.loaded ?? loaded
    request.onProgress?.(loaded, request.size)
  })
  const onAbort = (): void => void upload.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const result = await upload.done()
    const versionId = 'VersionId' in result ? result.VersionId : undefined
    const uploaded: UploadedObject = {
      bucket,
      key,
      eTag: unquoteETag(result.ETag),
      bytesUploaded: request.size,
      skipped: false
    }
    if (versionId) uploaded.versionId = versionId
    return uploaded
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * S3 as the engine reaches it: the gateway's part for buckets and objects (`gateway.s3`), with the
 * gateway's cut, cancel and patience (./gateway.ts). S3 throttles with 503 SlowDown and fails with
 * 500 and 503, which the checks before a deployment ride out like CodeDeploy's throttling: every
 * call here is patient unless its caller says otherwise. The bundle's upload is too (a PUT of a
 * key is idempotent); a multipart upload that fails or is cut is aborted.
 */
import {
  AbortMultipartUploadCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type CompleteMultipartUploadCommandOutput,
  type HeadObjectCommandOutput,
  type ListMultipartUploadsCommandOutput,
  type MultipartUpload,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
  type S3Client
} from '@aws-sdk/client-s3'
import type { Readable } from 'node:stream'
import { errorName, httpStatus } from './errors.js'
import type { Call } from './gateway.js'

/** How long aborting a failed or cut multipart upload may take, a cancel's included. */
export const ABORT_UPLOAD_MS = 10_000

/** What the gateway lends its S3 part: its way of sending, its patience, its clock. */
export interface Reach {
  /** One call with the gateway's cut and cancel (the SDK's retries unless `once`). */
  send<T>(command: unknown, call: Call): Promise<T>
  /** `attempt` again while S3 throttles or fails transiently, when `call` is patient. */
  patiently<T>(call: Call, attempt: () => Promise<T>): Promise<T>
  /** The signal that cuts a call made with `call`, if any. */
  signalFor(call: Call): AbortSignal | undefined
  now(): number
}

export class S3Calls {
  constructor(
    readonly client: S3Client,
    private readonly reach: Reach
  ) {}

  private call<T>(command: unknown, call: Call): Promise<T> {
    return this.reach.patiently(call, () => this.reach.send<T>(command, call))
  }

  /** HeadBucket: the bucket is there and this role may use it. */
  async headBucket(bucket: string, call: Call = { patient: true }): Promise<void> {
    await this.call(new HeadBucketCommand({ Bucket: bucket }), call)
  }

  /** HeadObject (with the checksum when asked); the object's metadata. */
  headObject(
    input: { Bucket: string; Key: string; VersionId?: string; checksum?: boolean },
    call: Call = { patient: true }
  ): Promise<HeadObjectCommandOutput> {
    const { checksum, ...rest } = input
    return this.call(
      new HeadObjectCommand({ ...rest, ...(checksum ? { ChecksumMode: 'ENABLED' } : {}) }),
      call
    )
  }

  /** The bucket's incomplete multipart uploads under `prefix`, every page. */
  async multipartUploads(
    bucket: string,
    prefix: string,
    call: Call = { patient: true }
  ): Promise<MultipartUpload[]> {
    const uploads: MultipartUpload[] = []
    // Markers are a key and an upload id, not opaque tokens: a page tried again is the same page.
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {}
    for (;;) {
      const page = await this.call<ListMultipartUploadsCommandOutput>(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, ...markers }),
        call
      )
      uploads.push(...(page.Uploads ?? []))
      if (!page.IsTruncated) return uploads
      markers = {
        ...(page.NextKeyMarker ? { KeyMarker: page.NextKeyMarker } : {}),
        ...(page.NextUploadIdMarker ? { UploadIdMarker: page.NextUploadIdMarker } : {})
      }
    }
  }

  /** AbortMultipartUpload. Idempotent, so patient: an upload already gone counts as aborted. */
  async abortMultipartUpload(
    input: { Bucket: string; Key: string; UploadId: string },
    call: Call = { patient: true }
  ): Promise<void> {
    try {
      await this.call(new AbortMultipartUploadCommand(input), call)
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload' || httpStatus(error) === 404) return
      throw error
    }
  }

  /**
   * Puts an object with lib-storage's Upload: one PUT, or parts of `partSize` when larger. A
   * patient upload that fails on throttling or a transient fault after the SDK's retries starts
   * again from the first byte (`body` opens it anew). A multipart upload that fails or is cut is
   * aborted, by lib-storage and then here, patiently and past a cancel, so that no parts are left
   * behind when lib-storage's own abort was throttled too.
   */
  putObject(
    params: Omit<PutObjectCommandInput, 'Body'> & { Bucket: string; Key: string },
    body: () => Readable,
    options: { partSize: number; queueSize: number; onProgress?: (loaded: number) => void },
    call: Call = { patient: true }
  ): Promise<PutObjectCommandOutput | CompleteMultipartUploadCommandOutput> {
    return this.reach.patiently(call, async () => {
      // Loaded here: only a run that uploads needs it.
      const { Upload } = await import('@aws-sdk/lib-storage')
      const signal = this.reach.signalFor(call)
      signal?.throwIfAborted()
      const upload = new Upload({
        client: this.client,
        partSize: options.partSize,
        queueSize: options.queueSize,
        leavePartsOnError: false,
        params: { ...params, Body: body() }
      })
      upload.on('httpUploadProgress', progress => options.onProgress?.(progress.loaded ?? 0))
      const onAbort = (): void => void upload.abort()
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        return await upload.done()
      } catch (error) {
        if (upload.uploadId) {
          const open = { Bucket: params.Bucket, Key: params.Key, UploadId: upload.uploadId }
          await this.abortMultipartUpload(open, {
            patient: true,
            afterCancel: true,
            until: this.reach.now() + ABORT_UPLOAD_MS
          }).catch(() => undefined)
        }
        throw error
      } finally {
        signal?.removeEventListener('abort', onAbort)
      }
    })
  }
}

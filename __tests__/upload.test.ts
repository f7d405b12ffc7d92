import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import { Gateway } from '../src/engine/aws/gateway.js'
import { systemClock } from '../src/engine/clock.js'
import { InputError } from '../src/engine/errors.js'
import {
  abortStaleUploads,
  checkBucket,
  compositeChecksum,
  objectKey,
  PART_SIZE,
  uploadBundle
} from '../src/engine/revision/upload.js'
import { S3_CREDENTIALS, startS3Server, type LocalS3 } from '../local/s3.js'

const BUCKET = 'bundles'

describe('uploadBundle against the local S3', () => {
  let s3: LocalS3
  let client: S3Client
  let gateway: Gateway
  let dir: string

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] })
    client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: S3_CREDENTIALS
    })
    gateway = new Gateway({ codedeploy: {} as CodeDeployClient, s3: client }, systemClock)
    dir = await mkdtemp(path.join(tmpdir(), 'cdb-upload-'))
  })

  afterAll(async () => {
    client.destroy()
    await s3.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function bundleFile(size: number): Promise<{ file: string; sha256: string; data: Buffer }> {
    const data = randomBytes(size)
    const file = path.join(dir, `b-${size}-${Math.random()}.zip`)
    await writeFile(file, data)
    return { file, sha256: createHash('sha256').update(data).digest('hex'), data }
  }

  it('stores the bundle under its hash, with the hash in its metadata, then skips an identical one', async () => {
    const { file, sha256, data } = await bundleFile(100_000)
    const request = {
      gateway,
      file,
      size: data.length,
      sha256,
      bundleType: 'zip' as const,
      bucket: BUCKET,
      keyPrefix: 'app/'
    }
    const first = await uploadBundle(request)
    expect(first).toMatchObject({
      key: `app/${sha256}.zip`,
      skipped: false,
      bytesUploaded: data.length
    })
    expect(first.eTag).toMatch(/^[0-9a-f-]+$/)
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: first.key, ChecksumMode: 'ENABLED' })
    )
    expect(head.Metadata?.['bundle-sha256']).toBe(sha256)
    expect(head.ChecksumSHA256).toBe(Buffer.from(sha256, 'hex').toString('base64'))

    const putsBefore = s3.requests.filter(r => r.method === 'PUT').length
    const second = await uploadBundle(request)
    expect(second).toMatchObject({
      key: first.key,
      skipped: true,
      bytesUploaded: 0,
      eTag: first.eTag
    })
    expect(s3.requests.filter(r => r.method === 'PUT').length).toBe(putsBefore)
  })

  it('uploads a large bundle in parts and stores exactly what was built', async () => {
    const { file, sha256, data } = await bundleFile(2 * PART_SIZE + 4096)
    const result = await uploadBundle({
      gateway,
      file,
      size: data.length,
      sha256,
      bundleType: 'tgz',
      bucket: BUCKET,
      keyPrefix: ''
    })
    expect(result.key).toBe(objectKey('', sha256, 'tgz'))
    expect(result.key.endsWith('.tar.gz')).toBe(true)
    const parts = s3.requests.filter(
      r => r.method === 'PUT' && r.path.endsWith(result.key) && r.query.includes('partNumber')
    )
    expect(parts).toHaveLength(3)
    const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.key }))
    const bytes = Buffer.from(await stored.Body!.transformToByteArray())
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256)

    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: result.key, ChecksumMode: 'ENABLED' })
    )
    expect(head.ChecksumSHA256).toMatch(/-3$/)
    expect(head.ChecksumSHA256).toBe(await compositeChecksum(file))
    const again = await uploadBundle({
      gateway,
      file,
      size: data.length,
      sha256,
      bundleType: 'tgz',
      bucket: BUCKET,
      keyPrefix: ''
    })
    expect(again).toMatchObject({ skipped: true, eTag: result.eTag })
    expect(again.replaced).toBeUndefined()
  })

  it.each([
    ['without a checksum', {}],
    ['with its own valid SHA-256 checksum', { ChecksumAlgorithm: 'SHA256' as const }]
  ])(
    'uploads again over a planted object with matching metadata %s, and says why',
    async (_name, checksum) => {
      const { file, sha256, data } = await bundleFile(50_000)
      const key = objectKey('planted/', sha256, 'zip')
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: Buffer.from('a different zip'),
          Metadata: { 'bundle-sha256': sha256 },
          ...checksum
        })
      )
      const result = await uploadBundle({
        gateway,
        file,
        size: data.length,
        sha256,
        bundleType: 'zip',
        bucket: BUCKET,
        keyPrefix: 'planted/'
      })
      expect(result).toMatchObject({ key, skipped: false, bytesUploaded: data.length })
      expect(result.replaced).toMatch(/SHA-256 checksum/)
      const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data)).toBe(true)
    }
  )

  it('aborts a cancelled multipart upload, leaving no parts behind', async () => {
    const { file, sha256, data } = await bundleFile(3 * PART_SIZE)
    const controller = new AbortController()
    const promise = uploadBundle({
      gateway,
      file,
      size: data.length,
      sha256,
      bundleType: 'zip',
      bucket: BUCKET,
      keyPrefix: 'cancelled/',
      signal: controller.signal,
      onProgress: loaded => {
        if (loaded > 0) controller.abort()
      }
    })
    await expect(promise).rejects.toThrow()
    // give the abort request time to land
    for (let i = 0; i < 50 && s3.openUploads().length > 0; i++)
      await new Promise(r => setTimeout(r, 50))
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
    expect(open.Uploads ?? []).toHaveLength(0)
    await expect(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `cancelled/${sha256}.zip` }))
    ).rejects.toMatchObject({
      name: 'NotFound'
    })
  })

  it("aborts only this prefix's own incomplete uploads, and only those older than an hour", async () => {
    const begin = async (key: string): Promise<string> =>
      (await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!
    const hash = 'ab'.repeat(32)
    const ours = [`stale/${hash}.zip`, `stale/${hash}.tar.gz`]
    const others = [`stale/${hash}.zip.part`, `stale/notes.txt`, `elsewhere/${hash}.zip`]
    for (const key of [...ours, ...others]) await begin(key)
    const open = (): string[] =>
      s3
        .openUploads()
        .filter(u => u.key.startsWith('stale/') || u.key.startsWith('elsewhere/'))
        .map(u => u.key)
        .sort()

    expect(await abortStaleUploads(gateway, BUCKET, 'stale/', Date.now())).toBe(0)
    expect(open()).toHaveLength(5)
    const anHourLater = Date.now() + 61 * 60 * 1000
    expect(await abortStaleUploads(gateway, BUCKET, 'stale/', anHourLater)).toBe(2)
    expect(open()).toEqual([...others].sort())
  })

  it('names a missing bucket and the fix, before any write', async () => {
    const writes = s3.requests.filter(r => r.method !== 'GET' && r.method !== 'HEAD').length
    await expect(checkBucket(gateway, 'no-such-bucket')).rejects.toThrow(InputError)
    await expect(checkBucket(gateway, 'no-such-bucket')).rejects.toThrow(
      /does not exist.*set 'bucket' to an existing one/
    )
    expect(s3.requests.filter(r => r.method !== 'GET' && r.method !== 'HEAD').length).toBe(writes)
  })

  describe('while S3 throttles (503 SlowDown) and fails', () => {
    afterEach(() => s3.faults.clear())

    it('answers throttling as S3 does, and the gateway rides it out past the SDK retries', async () => {
      const once = new S3Client({
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: S3_CREDENTIALS,
        maxAttempts: 1
      })
      s3.faults.set({ throttleNext: 2, operations: ['PutObject', 'HeadBucket'] })
      const put = new PutObjectCommand({ Bucket: BUCKET, Key: 'slow.txt', Body: 'x' })
      await expect(once.send(put)).rejects.toMatchObject({
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 }
      })
      // HEAD has no body: the SDK knows the fault by its status alone.
      await expect(once.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 }
      })
      once.destroy()

      // The test's client makes 3 attempts: 7 throttles in a row outlast two rounds of them.
      const throttled = s3.faults.counts.throttled
      s3.faults.set({ throttleNext: 7, operations: ['HeadBucket'] })
      await checkBucket(gateway, BUCKET)
      s3.faults.set({ throttleNext: 4, serverErrorNext: 3, operations: ['PutObject'] })
      const { file, sha256, data } = await bundleFile(50_000)
      const result = await uploadBundle({
        gateway,
        file,
        size: data.length,
        sha256,
        bundleType: 'zip',
        bucket: BUCKET,
        keyPrefix: 'throttled/'
      })
      expect(result).toMatchObject({ skipped: false, bytesUploaded: data.length })
      expect(s3.faults.counts.throttled - throttled).toBe(11)
      const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.key }))
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data)).toBe(true)
    })

    it('aborts a cut multipart upload even when its abort is throttled', async () => {
      const { file, sha256, data } = await bundleFile(2 * PART_SIZE + 1)
      const controller = new AbortController()
      const promise = uploadBundle({
        gateway,
        file,
        size: data.length,
        sha256,
        bundleType: 'zip',
        bucket: BUCKET,
        keyPrefix: 'cut/',
        signal: controller.signal,
        onProgress: loaded => {
          if (loaded === 0 || controller.signal.aborted) return
          // More throttled aborts in a row than one round of SDK attempts.
          s3.faults.set({ throttleNext: 5, operations: ['AbortMultipartUpload'] })
          controller.abort()
        }
      })
      await expect(promise).rejects.toThrow()
      for (let i = 0; i < 100 && s3.openUploads().some(u => u.key.startsWith('cut/')); i++)
        await new Promise(r => setTimeout(r, 50))
      expect(s3.openUploads().filter(u => u.key.startsWith('cut/'))).toEqual([])
      expect(s3.faults.settings.throttleNext).toBe(0)
    })
  })
})

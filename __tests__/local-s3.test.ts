import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import { S3_CREDENTIALS, startS3Server, type LocalS3 } from '../local/s3.js'

const BUCKET = 'bundles'

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** A stream whose length the SDK cannot know, so it must use aws-chunked with a trailer. */
function unknownLengthStream(data: Buffer, pieceSize: number): Readable {
  let offset = 0
  return new Readable({
    read() {
      if (offset >= data.length) this.push(null)
      else {
        this.push(data.subarray(offset, offset + pieceSize))
        offset += pieceSize
      }
    }
  })
}

async function storedBody(client: S3Client, key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
  return Buffer.from(await out.Body!.transformToByteArray())
}

describe('local S3', () => {
  let s3: LocalS3
  let client: S3Client

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] })
    // Default SDK checksum settings on purpose: they are what the action uses against real S3.
    client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: S3_CREDENTIALS
    })
  })

  afterAll(async () => {
    client.destroy()
    await s3.close()
  })

  it('stores a streamed (aws-chunked) upload byte for byte', async () => {
    const data = randomBytes(300_000)
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamed.bin',
        Body: unknownLengthStream(data, 7000),
        ContentLength: data.length
      })
    )
    const put = s3.requests.find(r => r.method === 'PUT' && r.path.endsWith('/streamed.bin'))
    // The SDK framed this body with aws-chunked: the front must have decoded it.
    expect(put?.encoding).toBe('aws-chunked')
    expect(put?.bytes).toBe(data.length)
    const stored = await storedBody(client, 'streamed.bin')
    expect(stored.length).toBe(data.length)
    expect(sha256(stored)).toBe(sha256(data))
    const head = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin' }))
    expect(head.ContentEncoding ?? '').not.toContain('aws-chunked')
    await head.Body?.transformToByteArray()
  })

  it('stores a multipart upload byte for byte and leaves no upload open', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 12345)
    const upload = new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'multi.bin', Body: unknownLengthStream(data, 64 * 1024) },
      partSize: 5 * 1024 * 1024,
      queueSize: 2
    })
    await upload.done()
    const parts = s3.requests.filter(r => r.method === 'PUT' && r.query.includes('partNumber='))
    expect(parts.length).toBe(3)
    expect(sha256(await storedBody(client, 'multi.bin'))).toBe(sha256(data))
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
    expect(open.Uploads ?? []).toHaveLength(0)
  })

  it('refuses a body whose trailing checksum does not match, storing nothing', async () => {
    const body = Buffer.from('hello world')
    const wrong = Buffer.alloc(4)
    wrong.writeUInt32BE(crc32(Buffer.from('something else')))
    const framed = Buffer.concat([
      Buffer.from(`${body.length.toString(16)}\r\n`),
      body,
      Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${wrong.toString('base64')}\r\n\r\n`)
    ])
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${s3.endpoint}/${BUCKET}/corrupt.txt`)
      const req = http.request(
        url,
        {
          method: 'PUT',
          headers: {
            'content-encoding': 'aws-chunked',
            'content-length': framed.length,
            'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
            'x-amz-decoded-content-length': body.length,
            'x-amz-trailer': 'x-amz-checksum-crc32'
          }
        },
        res => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on('error', reject)
      req.end(framed)
    })
    expect(status).toBe(400)
    await expect(storedBody(client, 'corrupt.txt')).rejects.toMatchObject({ name: 'NoSuchKey' })
  })

  it('refuses a body that does not match its x-amz-checksum header', async () => {
    await expect(
      client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'header-checksum.txt',
          Body: 'abc',
          ChecksumCRC32: 'AAAAAA=='
        })
      )
    ).rejects.toMatchObject({ name: 'BadDigest' })
  })

  it('lists a multipart upload until it is aborted', async () => {
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'probe.bin' })
    )
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
    expect(listed.Uploads?.map(u => u.UploadId)).toEqual([created.UploadId])
    expect(s3.openUploads().map(u => u.key)).toEqual(['probe.bin'])
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'probe.bin',
        UploadId: created.UploadId
      })
    )
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
    expect(after.Uploads ?? []).toHaveLength(0)
  })
})

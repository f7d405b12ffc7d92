/**
 * The local S3 front's handling of a request body: spooling it to disk, decoding aws-chunked,
 * checking every digest the client sent, and the S3-shaped answers (errors, upload listings)
 * the front gives itself.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AwsChunkedDecoder } from './aws-chunked.js'
import { CHECKSUM_ALGORITHMS, type RunningChecksum } from './checksums.js'
import type { OpenUpload } from './s3.js'

export class BodyRejected extends Error {
  override name = 'BodyRejected'
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

export interface SpooledBody {
  file: string
  size: number
  /** The checksums the client sent and the body matched, by algorithm (`sha256` → base64). */
  checksums: Map<string, string>
}

export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = headers['content-encoding'] ?? ''
  const sha = String(headers['x-amz-content-sha256'] ?? '')
  return encoding.split(',').some(e => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-')
}

/** Write the request body to `file`, decoded and verified against every digest the client sent. */
export async function spool(req: IncomingMessage, file: string): Promise<SpooledBody> {
  const chunked = isAwsChunked(req.headers)
  const decoder = chunked ? new AwsChunkedDecoder() : undefined
  const sha256 = createHash('sha256')
  const md5 = createHash('md5')
  const checksums = new Map<string, RunningChecksum>()
  const declared = new Map<string, string>()
  for (const [name, value] of Object.entries(req.headers)) {
    const match = /^x-amz-checksum-(.+)$/.exec(name)
    if (
      match?.[1] &&
      match[1] !== 'type' &&
      match[1] !== 'algorithm' &&
      typeof value === 'string'
    ) {
      declared.set(match[1], value)
    }
  }
  for (const trailer of String(req.headers['x-amz-trailer'] ?? '').split(',')) {
    const match = /^x-amz-checksum-(.+)$/.exec(trailer.trim().toLowerCase())
    if (match?.[1]) declared.set(match[1], '')
  }
  for (const algorithm of declared.keys()) {
    const make = CHECKSUM_ALGORITHMS[algorithm]
    if (!make) {
      throw new BodyRejected(
        'InvalidRequest',
        `This local S3 cannot verify x-amz-checksum-${algorithm}; send CRC32, CRC32C, SHA1 or SHA256.`
      )
    }
    checksums.set(algorithm, make())
  }

  let size = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length
      sha256.update(chunk)
      md5.update(chunk)
      for (const checksum of checksums.values()) checksum.update(chunk)
      done(null, chunk)
    }
  })
  const out = createWriteStream(file)
  try {
    if (decoder) await pipeline(req, decoder, tap, out)
    else await pipeline(req, tap, out)
  } catch (error) {
    throw new BodyRejected('IncompleteBody', `Request body could not be read: ${String(error)}`)
  }

  const decodedLength = req.headers['x-amz-decoded-content-length']
  if (chunked && decodedLength !== undefined && Number(decodedLength) !== size) {
    throw new BodyRejected(
      'IncompleteBody',
      `x-amz-decoded-content-length is ${String(decodedLength)} but the chunks held ${size} bytes`
    )
  }
  if (!chunked && req.headers['content-length'] !== undefined) {
    if (Number(req.headers['content-length']) !== size) {
      throw new BodyRejected('IncompleteBody', 'The body is shorter than its Content-Length')
    }
  }
  const verified = new Map<string, string>()
  for (const [algorithm, checksum] of checksums) {
    const expected = declared.get(algorithm) || decoder?.trailers.get(`x-amz-checksum-${algorithm}`)
    const actual = checksum.digest()
    if (!expected) {
      throw new BodyRejected(
        'InvalidRequest',
        `x-amz-checksum-${algorithm} was announced but not sent`
      )
    }
    if (expected !== actual) {
      throw new BodyRejected(
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified (${expected}) did not match the body (${actual}).`
      )
    }
    verified.set(algorithm, actual)
  }
  const contentSha = String(req.headers['x-amz-content-sha256'] ?? '')
  if (/^[0-9a-f]{64}$/i.test(contentSha) && contentSha.toLowerCase() !== sha256.digest('hex')) {
    throw new BodyRejected(
      'XAmzContentSHA256Mismatch',
      'x-amz-content-sha256 does not match the body'
    )
  }
  const contentMd5 = req.headers['content-md5']
  if (typeof contentMd5 === 'string' && contentMd5 !== md5.digest('base64')) {
    throw new BodyRejected('BadDigest', 'The Content-MD5 you specified did not match the body.')
  }
  return { file, size, checksums: verified }
}

/** Headers for the decoded body: no aws-chunked framing left for s3rver to store. */
export function plainHeaders(headers: IncomingHttpHeaders, size: number): IncomingHttpHeaders {
  const result: IncomingHttpHeaders = { ...headers }
  const encodings = (headers['content-encoding'] ?? '')
    .split(',')
    .map(e => e.trim())
    .filter(e => e !== '' && e !== 'aws-chunked')
  if (encodings.length > 0) result['content-encoding'] = encodings.join(', ')
  else delete result['content-encoding']
  delete result['transfer-encoding']
  delete result['x-amz-decoded-content-length']
  delete result['x-amz-trailer']
  if (String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
    result['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'
  }
  result['content-length'] = String(size)
  return result
}

/** ListMultipartUploads, which s3rver does not implement. */
export function listUploads(res: ServerResponse, bucket: string, open: OpenUpload[]): void {
  const items = open
    .map(
      u =>
        `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.uploadId}</UploadId>` +
        `<Initiated>${u.initiated.toISOString()}</Initiated></Upload>`
    )
    .join('')
  res.writeHead(200, { 'content-type': 'application/xml' })
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket>` +
      `<IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`
  )
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, c => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string
): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-error-code': code })
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`
  )
}

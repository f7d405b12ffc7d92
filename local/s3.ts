/**
 * The local S3: s3rver behind a small verifying front.
 *
 * s3rver writes request bodies to disk as they arrive. The AWS SDK streams bodies of unknown
 * length with the `aws-chunked` encoding and a trailing checksum, which s3rver does not
 * understand, so it would store the chunk framing as object data. The front spools every
 * request body, decodes aws-chunked, checks every digest the client sent (trailer or header
 * checksums, Content-MD5, a hex x-amz-content-sha256, the decoded length) and only then hands a
 * plain body to s3rver. A body that does not verify is answered with S3's own error and never
 * reaches the store, so what is stored is always what was sent. It also keeps the objects'
 * SHA-256 checksums and returns them in checksum mode, as S3 does (see ./s3-checksums.ts).
 */
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, mkdir, unlink } from 'node:fs/promises'
import http, {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import S3rver from 's3rver'
import { controlFaults, FAULTS_PATH } from './emulator/fault-control.js'
import { Faults } from './emulator/faults.js'
import { guardRequests, InjectedFailures, stderrLog, type StackLog } from './guard.js'
import { injectFault, s3Operation } from './s3-faults.js'
import { ChecksumStore } from './s3-checksums.js'
import { parseTagging, writeTags, type ObjectTag } from './s3-tags.js'
import {
  BodyRejected,
  isAwsChunked,
  listUploads,
  plainHeaders,
  sendError,
  spool
} from './s3-body.js'

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

export interface S3ServerOptions {
  /** Where objects are kept; a fresh temp directory (removed on close) when omitted. */
  directory?: string
  /** Buckets to create before the server answers. */
  buckets?: string[]
  /** Where a failure inside the front is written, with its stack (default: stderr). */
  log?: StackLog
}

/** One request as the front saw it, for tests that assert what a client did (or did not) send. */
export interface S3RequestRecord {
  method: string
  /** Path without the query string, e.g. `/bucket/key`. */
  path: string
  query: string
  /** Decoded body bytes handed to the store. */
  bytes: number
  status: number
  /** `aws-chunked` when the client framed the body that way. */
  encoding?: string
}

export interface OpenUpload {
  bucket: string
  key: string
  uploadId: string
  initiated: Date
}

export interface LocalS3 {
  endpoint: string
  directory: string
  readonly requests: S3RequestRecord[]
  /** Multipart uploads begun and neither completed nor aborted. */
  openUploads(): OpenUpload[]
  /** A test's way to make the front's handler throw, as a bug would. */
  readonly failures: InjectedFailures
  /**
   * Throttling (503 SlowDown), 5xx and resets, as the CodeDeploy emulator's (./s3-faults.ts); also
   * switched over HTTP at `/_emulator/faults`.
   */
  readonly faults: Faults
  close(): Promise<void>
}

/** The object's path as the request named it (still URL-encoded), without the query. */
function objectPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/'
}

/** Start s3rver and its verifying front on 127.0.0.1, each on a free port. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<LocalS3> {
  const ownsDirectory = options.directory === undefined
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'cdb-s3-')))
  const spoolDir = await mkdtemp(path.join(tmpdir(), 'cdb-s3-spool-'))
  await mkdir(directory, { recursive: true })

  const store = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map(name => ({ name }))
  })
  const backend = await store.run()
  const agent = new http.Agent({ keepAlive: true })
  const requests: S3RequestRecord[] = []
  let spoolCount = 0
  const uploads = new Map<string, OpenUpload>()
  const checksums = new ChecksumStore()
  const failures = new InjectedFailures()
  const faults = new Faults()
  /** The `x-amz-tagging` of each open multipart upload, written once it completes. */
  const uploadTags = new Map<string, ObjectTag[]>()
  /** After a store's success: the object gets exactly the tags it was written with. */
  const tagged = (objectPath: string, tags: ObjectTag[]) => (): Promise<void> =>
    writeTags(backend, objectPath, tags)

  /** s3rver has no AbortMultipartUpload: drop its parts and forget the upload. */
  const abortUpload = (res: ServerResponse, uploadId: string): number => {
    const upload = uploads.get(uploadId)
    if (!upload) {
      sendError(res, 404, 'NoSuchUpload', 'The specified upload does not exist.')
      return 404
    }
    uploads.delete(uploadId)
    checksums.abort(uploadId)
    void rm(path.join(directory, upload.bucket, '._S3rver_uploads', uploadId), {
      recursive: true,
      force: true
    })
    res.writeHead(204).end()
    return 204
  }

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    headers: IncomingHttpHeaders,
    body: Readable,
    record: S3RequestRecord,
    onSuccess?: (responseBody: string) => void,
    extraHeaders: Record<string, string> = {}
  ): Promise<void> =>
    new Promise(resolve => {
      const upstream = http.request(
        {
          host: backend.address,
          port: backend.port,
          method: req.method,
          path: req.url,
          headers,
          agent
        },
        response => {
          record.status = response.statusCode ?? 0
          const ok = record.status >= 200 && record.status < 300
          res.writeHead(response.statusCode ?? 502, {
            ...response.headers,
            ...(ok ? extraHeaders : {})
          })
          const seen: Buffer[] = []
          if (onSuccess) response.on('data', (chunk: Buffer) => seen.push(chunk))
          response.pipe(res)
          response.on('end', () => {
            if (onSuccess && ok) onSuccess(Buffer.concat(seen).toString())
            resolve()
          })
          response.on('error', () => resolve())
        }
      )
      upstream.on('error', error => {
        record.status = 502
        if (!res.headersSent) sendError(res, 502, 'InternalError', error.message)
        else res.destroy()
        resolve()
      })
      body.pipe(upstream)
    })

  /** CompleteMultipartUpload: the parts' checksums are checked, then s3rver joins the parts. */
  const completeUpload = async (
    req: IncomingMessage,
    res: ServerResponse,
    record: S3RequestRecord,
    bucket: string,
    key: string,
    uploadId: string
  ): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const checked = checksums.complete(uploadId, body.toString())
    if (checked.error) {
      record.status = 400
      sendError(res, 400, 'InvalidPart', checked.error)
      return
    }
    await forward(req, res, req.headers, Readable.from([body]), record, () => {
      uploads.delete(uploadId)
      checksums.finish(uploadId, bucket, key, checked.composite)
    })
    const tags = uploadTags.get(uploadId)
    uploadTags.delete(uploadId)
    if (record.status === 200 && tags) await tagged(objectPath(req), tags)()
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    failures.take('the S3 front')
    const url = new URL(req.url ?? '/', 'http://local')
    if (url.pathname === FAULTS_PATH) {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const answer = controlFaults(req.method, Buffer.concat(chunks).toString(), faults)
      res.writeHead(answer.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer.body))
      return
    }
    const record: S3RequestRecord = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.search.replace(/^\?/, ''),
      bytes: 0,
      status: 0
    }
    requests.push(record)
    const [bucket = '', ...keyParts] = record.path.replace(/^\//, '').split('/')
    const key = keyParts.join('/')
    const uploadId = url.searchParams.get('uploadId')
    const fault = injectFault(req, res, s3Operation(record.method, key, url.searchParams), faults)
    if (fault !== undefined) {
      record.status = fault
      return
    }
    if (req.method === 'GET' && key === '' && url.searchParams.has('uploads')) {
      record.status = 200
      listUploads(
        res,
        bucket,
        [...uploads.values()].filter(
          u => u.bucket === bucket && u.key.startsWith(url.searchParams.get('prefix') ?? '')
        )
      )
      return
    }
    if (req.method === 'DELETE' && uploadId !== null) {
      req.resume()
      record.status = abortUpload(res, uploadId)
      return
    }
    const tags = parseTagging(req.headers['x-amz-tagging'])
    if ('error' in tags) {
      req.resume()
      record.status = 400
      sendError(res, 400, 'InvalidTag', tags.error)
      return
    }
    if (req.method === 'POST' && url.searchParams.has('uploads')) {
      const algorithm = req.headers['x-amz-checksum-algorithm']
      return forward(req, res, req.headers, req, record, body => {
        const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1]
        if (id) uploads.set(id, { bucket, key, uploadId: id, initiated: new Date() })
        if (id) checksums.created(id, typeof algorithm === 'string' ? algorithm : undefined)
        if (id) uploadTags.set(id, tags)
      })
    }
    if (req.method === 'POST' && uploadId !== null) {
      return completeUpload(req, res, record, bucket, key, uploadId)
    }
    if ((req.method === 'HEAD' || req.method === 'GET') && key !== '') {
      const wanted =
        String(req.headers['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED' &&
        req.headers.range === undefined
      return forward(req, res, req.headers, req, record, undefined, {
        ...(wanted ? checksums.headers(bucket, key) : {})
      })
    }
    if (req.method === 'DELETE' && key !== '') {
      return forward(req, res, req.headers, req, record, () => checksums.delete(bucket, key))
    }
    const hasBody =
      (req.method === 'PUT' || req.method === 'POST') &&
      (req.headers['transfer-encoding'] !== undefined ||
        Number(req.headers['content-length'] ?? 0) > 0)
    const partNumber = url.searchParams.get('partNumber')
    // A subresource PUT (?tagging, ?acl) writes no object.
    const objectPut =
      req.method === 'PUT' &&
      key !== '' &&
      partNumber === null &&
      !['tagging', 'acl'].some(sub => url.searchParams.has(sub))
    if (!hasBody) {
      const passthrough = new PassThrough()
      req.pipe(passthrough)
      await forward(req, res, req.headers, passthrough, record, () => {
        if (objectPut) checksums.put(bucket, key, undefined)
      })
      if (objectPut && record.status === 200) await tagged(objectPath(req), tags)()
      return
    }
    if (isAwsChunked(req.headers)) record.encoding = 'aws-chunked'
    const file = path.join(spoolDir, `body-${++spoolCount}`)
    return spool(req, file)
      .then(async body => {
        record.bytes = body.size
        const headers = plainHeaders(req.headers, body.size)
        const sha256 = body.checksums.get('sha256')
        let answer: Record<string, string> = {}
        if (partNumber !== null && uploadId !== null) {
          const part = checksums.part(uploadId, Number(partNumber), sha256)
          if (part.error) throw new BodyRejected('InvalidRequest', part.error)
          if (part.sha256) answer = { 'x-amz-checksum-sha256': part.sha256 }
        } else if (sha256) answer = { 'x-amz-checksum-sha256': sha256 }
        const stream = createReadStream(body.file)
        await forward(
          req,
          res,
          headers,
          stream,
          record,
          () => {
            if (objectPut) checksums.put(bucket, key, sha256)
          },
          answer
        )
        if (objectPut && record.status === 200) await tagged(objectPath(req), tags)()
      })
      .catch((error: unknown) => {
        // A body that did not arrive whole is the client's; one that began to be answered is not.
        if (res.headersSent) throw error
        record.status = 400
        if (error instanceof BodyRejected) sendError(res, 400, error.code, error.message)
        else sendError(res, 400, 'IncompleteBody', String(error))
      })
      .finally(() => void unlink(file).catch(() => undefined))
  }
  const server = http.createServer(
    guardRequests('S3 front', options.log ?? stderrLog, handle, (res, message) =>
      sendError(res, 500, 'InternalError', message)
    )
  )
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    requests,
    openUploads: () => [...uploads.values()],
    failures,
    faults,
    async close(): Promise<void> {
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      agent.destroy()
      await store.close()
      await rm(spoolDir, { recursive: true, force: true })
      if (ownsDirectory) await rm(directory, { recursive: true, force: true })
    }
  }
}

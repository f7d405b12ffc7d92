/**
 * The little HTTP both stand-ins share: a server on 127.0.0.1 (port 0) answering through one
 * async handler, the request body as text, and JSON answers with the headers AWS sends.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { guardRequests, InjectedFailures, type StackLog } from '../guard.js'

export interface Answer {
  status: number
  body: unknown
  contentType?: string
  /** The error's type, sent as `x-amzn-ErrorType` as the services do. */
  errorType?: string
}

export interface Request {
  method: string
  url: URL
  headers: IncomingMessage['headers']
  body: string
}

export interface LocalServer {
  endpoint: string
  close(): Promise<void>
}

export class StandInError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400
  ) {
    super(message)
    this.name = type
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, answer: Answer): void {
  const text = answer.status === 204 ? '' : JSON.stringify(answer.body)
  const headers: Record<string, string | number> = {
    'content-type': answer.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID()
  }
  if (answer.errorType) headers['x-amzn-errortype'] = answer.errorType
  res.writeHead(answer.status, headers)
  res.end(text)
}

/** What a stand-in server is: its name in logs, its handler and how it answers its errors. */
export interface StandInServer {
  name: string
  handle: (request: Request) => Answer | Promise<Answer>
  /** The service's answer to one of its own errors (a StandInError). */
  onError: (error: StandInError) => Answer
  log: StackLog
  /** A test's way to make the handler throw as a bug would. */
  failures: InjectedFailures
}

/**
 * Serves `standIn` on 127.0.0.1. Any other error its handler throws is the stand-in's own: logged
 * with its stack and answered 500 `{"__type":"InternalFailure","message"}`.
 */
export async function serve(standIn: StandInServer): Promise<LocalServer> {
  const respond = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const request = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      headers: req.headers,
      body
    }
    let answer: Answer
    try {
      standIn.failures.take(`the ${standIn.name} handler`)
      answer = await standIn.handle(request)
    } catch (error) {
      if (!(error instanceof StandInError)) throw error
      answer = standIn.onError(error)
    }
    send(res, answer)
  }
  const server = http.createServer(
    guardRequests(standIn.name, standIn.log, respond, (res, message) =>
      send(res, {
        status: 500,
        body: { __type: 'InternalFailure', message },
        contentType: 'application/x-amz-json-1.1',
        errorType: 'InternalFailure'
      })
    )
  )
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** The body as a JSON object, or the error the service answers for anything else. */
export function jsonObject(body: string, error: () => StandInError): Record<string, unknown> {
  if (body.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw error()
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw error()
  return parsed as Record<string, unknown>
}

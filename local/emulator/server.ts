/**
 * The HTTP face of the emulator: AWS JSON 1.1 as CodeDeploy speaks it. `POST /` with
 * `X-Amz-Target: CodeDeploy_20141006.<Operation>`; answers `application/x-amz-json-1.1`; errors
 * are HTTP 400 (5xx for server faults) with `{"__type","message"}` and `x-amzn-ErrorType`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import { ServiceError } from './errors.js'
import { guardRequests, type StackLog } from '../guard.js'
import { controlFaults, FAULTS_PATH } from './fault-control.js'
import type { Faults } from './faults.js'
import type { CodeDeployService } from './service.js'
import type { Input } from './wire.js'

const TARGET_PREFIX = 'CodeDeploy_20141006.'
const CONTENT_TYPE = 'application/x-amz-json-1.1'
const MAX_BODY = 1024 * 1024

export interface CallRecord {
  operation: string
  input: Input
  /** The status answered, or for a lost answer (faults) the one the operation produced. */
  status: number
  errorType?: string
  /** The operation ran but its connection was destroyed instead of answering (lostAnswerNext). */
  answerLost?: boolean
  /** When the request came in (ms since the epoch). */
  at: number
}

/**
 * Requests per operation in `calls` from index `from` on (throttled and failed ones included),
 * e.g. `{ GetDeployment: 12, ListDeploymentTargets: 1 }`.
 */
export function countCalls(calls: readonly CallRecord[], from = 0): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const call of calls.slice(from)) counts[call.operation] = (counts[call.operation] ?? 0) + 1
  return counts
}

/** Not part of the AWS protocol: `GET /_emulator/calls` answers countCalls of every request. */
export const CALLS_PATH = '/_emulator/calls'

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body)
  const headers: Record<string, string | number> = {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID()
  }
  if (errorType) headers['x-amzn-errortype'] = errorType
  res.writeHead(status, headers)
  res.end(text)
}

function sendError(res: ServerResponse, error: ServiceError): void {
  send(res, error.status, { __type: error.type, message: error.message }, error.type)
}

/** Waits `ms`, or less when the client has already gone. */
function hold(res: ServerResponse, ms: number): Promise<void> {
  return new Promise(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      res.off('close', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    res.once('close', done)
  })
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new ServiceError('SerializationException', 'Request body too large'))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export function createServer(
  service: CodeDeployService,
  faults: Faults,
  calls: CallRecord[],
  log: StackLog
): http.Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '')
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    let body: string
    try {
      body = await readBody(req)
    } catch (error) {
      if (error instanceof ServiceError) sendError(res, error)
      return
    }
    const urlPath = req.url?.split('?')[0]
    if (urlPath === FAULTS_PATH) {
      const answer = controlFaults(req.method, body, faults)
      return send(res, answer.status, answer.body)
    }
    if (urlPath === CALLS_PATH && req.method === 'GET') return send(res, 200, countCalls(calls))
    const record: CallRecord = {
      operation: operation || target,
      input: {},
      status: 0,
      at: Date.now()
    }
    calls.push(record)
    // Known before any fault is decided, so a throttled call still shows what it asked for.
    try {
      const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body)
      if (parsed && typeof parsed === 'object') record.input = parsed as Record<string, unknown>
    } catch {
      // Answered below as a malformed request.
    }
    const finish = (status: number, errorType?: string): void => {
      record.status = status
      if (errorType) record.errorType = errorType
    }
    if (req.method !== 'POST' || urlPath !== '/') {
      finish(404, 'UnknownOperationException')
      send(
        res,
        404,
        { __type: 'UnknownOperationException', message: 'Only POST / is served.' },
        'UnknownOperationException'
      )
      return
    }
    const latency = faults.settings.latencyMs
    if (latency > 0) await new Promise(resolve => setTimeout(resolve, latency))
    const fault = faults.decide(operation)
    if (fault === 'reset') {
      finish(0, 'ConnectionReset')
      req.socket.destroy()
      return
    }
    if (fault === 'throttle') {
      finish(400, 'ThrottlingException')
      return sendError(res, new ServiceError('ThrottlingException', 'Rate exceeded'))
    }
    if (fault === 'server-error') {
      const unavailable = faults.counts.serverErrors % 2 === 0
      const type = unavailable ? 'ServiceUnavailableException' : 'InternalFailure'
      finish(unavailable ? 503 : 500, type)
      return sendError(
        res,
        new ServiceError(
          type,
          'The service is unavailable. Please try again.',
          unavailable ? 503 : 500
        )
      )
    }
    if (!operation) {
      finish(400, 'UnknownOperationException')
      return sendError(
        res,
        new ServiceError('UnknownOperationException', `Missing or unknown X-Amz-Target '${target}'`)
      )
    }
    let input: unknown
    try {
      input = body.trim() === '' ? {} : JSON.parse(body)
    } catch {
      finish(400, 'SerializationException')
      return sendError(
        res,
        new ServiceError(
          'SerializationException',
          'Start of structure or map found where not expected, or the body is not valid JSON.'
        )
      )
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      finish(400, 'SerializationException')
      return sendError(
        res,
        new ServiceError('SerializationException', 'The request body must be a JSON object.')
      )
    }
    record.input = input as Input
    let answer: () => void
    try {
      faults.breakHandler(operation)
      const result = await service.call(operation, input as Input)
      finish(200)
      answer = () => send(res, 200, result)
    } catch (error) {
      // Anything but the service's own errors is the emulator's: logged and answered below.
      if (!(error instanceof ServiceError)) finish(500, 'InternalFailure')
      if (!(error instanceof ServiceError)) throw error
      finish(error.status, error.type)
      answer = () => sendError(res, error)
    }
    const after = faults.answer(operation)
    if (after.delayMs > 0) await hold(res, after.delayMs)
    if (after.lose) {
      record.answerLost = true
      req.socket.destroy()
      return
    }
    answer()
  }
  return http.createServer(
    guardRequests('CodeDeploy emulator', log, handle, (res, message) =>
      sendError(res, new ServiceError('InternalFailure', message, 500))
    )
  )
}

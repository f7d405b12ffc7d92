/**
 * Fault injection for the S3 front, the same switch as the CodeDeploy emulator's (./emulator/
 * faults.ts): `stack.s3.faults.set({ throttleRate, operations, … })` or `PUT /_emulator/faults`.
 * The faults are answered as S3 answers them: throttling is HTTP 503 `SlowDown`, a server error
 * 500 `InternalError` or 503 `ServiceUnavailable` (XML bodies; none for HEAD, as S3 sends none),
 * a reset drops the connection. Operations are named as S3's API names them, e.g. `HeadBucket`,
 * `HeadObject`, `PutObject`, `UploadPart`, `ListMultipartUploads`, `GetObject`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Faults } from './emulator/faults.js'
import { sendError } from './s3-body.js'

/** The S3 operation a path-style request asks for. */
export function s3Operation(method: string, key: string, query: URLSearchParams): string {
  const object = key !== ''
  switch (method) {
    case 'HEAD':
      return object ? 'HeadObject' : 'HeadBucket'
    case 'GET':
      if (object) return 'GetObject'
      if (query.has('uploads')) return 'ListMultipartUploads'
      if (query.has('location')) return 'GetBucketLocation'
      return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'
    case 'PUT':
      if (!object) return 'CreateBucket'
      if (query.has('partNumber')) return 'UploadPart'
      return query.has('tagging') ? 'PutObjectTagging' : 'PutObject'
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload'
      if (query.has('uploadId')) return 'CompleteMultipartUpload'
      return query.has('delete') ? 'DeleteObjects' : 'PostObject'
    case 'DELETE':
      if (query.has('uploadId')) return 'AbortMultipartUpload'
      return object ? 'DeleteObject' : 'DeleteBucket'
    default:
      return method
  }
}

/**
 * Answers the request with the fault `faults` decides for `operation`, if any: the status it
 * answered (0 for a reset), or undefined when the request goes on to be served.
 */
export function injectFault(
  req: IncomingMessage,
  res: ServerResponse,
  operation: string,
  faults: Faults
): number | undefined {
  const fault = faults.decide(operation)
  if (!fault) return undefined
  if (fault === 'reset') {
    req.socket.destroy()
    return 0
  }
  // The body is not read: drained, so that the connection can be used again.
  req.resume()
  if (fault === 'throttle') {
    sendError(res, 503, 'SlowDown', 'Please reduce your request rate.')
    return 503
  }
  const unavailable = faults.counts.serverErrors % 2 === 0
  if (unavailable) sendError(res, 503, 'ServiceUnavailable', 'Service is unable to handle request.')
  else sendError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.')
  return unavailable ? 503 : 500
}

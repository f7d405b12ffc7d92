/**
 * Classifies AWS errors by their type (`name`) and HTTP status, never by message text.
 */
import { InputError } from '../errors.js'

interface AwsErrorShape {
  name?: string
  code?: string
  $retryable?: unknown
  $metadata?: { httpStatusCode?: number }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'EC2ThrottledException',
  'PriorRequestNotComplete'
])

const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError'
])

function shape(error: unknown): AwsErrorShape {
  return typeof error === 'object' && error !== null ? error : {}
}

export function errorName(error: unknown): string {
  const e = shape(error)
  return e.name ?? e.code ?? 'Error'
}

export function isThrottling(error: unknown): boolean {
  const e = shape(error)
  return THROTTLING.has(errorName(error)) || e.$metadata?.httpStatusCode === 429
}

/**
 * Worth trying again later: throttling, a 5xx, a dropped connection or a timeout. Anything else
 * (AccessDenied, a missing resource, invalid input) is permanent.
 */
export function isTransient(error: unknown): boolean {
  const e = shape(error)
  if (isThrottling(error)) return true
  const status = e.$metadata?.httpStatusCode
  if (status !== undefined && status >= 500) return true
  if (NETWORK.has(errorName(error)) || (e.code !== undefined && NETWORK.has(e.code))) return true
  return e.$retryable !== undefined && status === undefined
}

export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error)
  return (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    name === 'UnauthorizedOperation' ||
    name === 'UnrecognizedClientException' ||
    name === 'InvalidSignatureException' ||
    name === 'ExpiredTokenException' ||
    name === 'InvalidClientTokenId'
  )
}

/** The HTTP status of a failed AWS call, when there was an answer. */
export function httpStatus(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode
}

/** The input error for a CodeDeploy action the workflow's role may not take, with the fix. */
export function deniedError(action: string, error: unknown): InputError {
  return new InputError(
    `Access denied to codedeploy:${action} (${errorName(error)}). Grant it to the role this workflow assumes (see the README's IAM policy).`
  )
}

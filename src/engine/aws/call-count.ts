/**
 * Counts the requests a run sends to CodeDeploy, every operation and every attempt (the SDK's own
 * retries included), so the watch can keep the whole run, not only its own reads, within its
 * budget of calls (pace.ts). The count is a middleware on the client for the run's length.
 */
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'

export interface CallCount {
  /** Requests sent since counting began. */
  readonly total: number
  /** Stops counting: takes the middleware off the client. */
  stop(): void
}

let counters = 0

/**
 * Counts `client`'s requests from now on; undefined for a client without a middleware stack
 * (a test's stand-in), whose calls the watch then counts itself.
 */
export function countCalls(client: CodeDeployClient): CallCount | undefined {
  const stack = (client as Partial<CodeDeployClient>).middlewareStack
  if (!stack) return undefined
  const name = `cdbCallCount${++counters}`
  let total = 0
  // The deserialize step runs inside the retry middleware: each attempt passes through it.
  stack.add(
    next => async args => {
      total++
      return next(args)
    },
    { step: 'deserialize', name }
  )
  return {
    get total() {
      return total
    },
    stop: () => {
      stack.remove(name)
    }
  }
}

/**
 * How the local stack keeps serving when its own code fails: every server's request handler is
 * guarded, so an error thrown in it (or a rejection of its promise) is logged with its stack and
 * answered as the service answers an internal failure (HTTP 500), and the next request is served as
 * usual. Background work (a deployment's run, an alarm's poll) logs the same way. Tests make a
 * handler throw on purpose with InjectedFailures.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

/** Where the stack writes what went wrong inside it: one multi-line entry per failure. */
export type StackLog = (entry: string) => void

export const stderrLog: StackLog = entry => {
  process.stderr.write(`${entry}\n`)
}

/** `[local stack] <where> failed: <stack>` */
export function failureEntry(where: string, error: unknown): string {
  const detail =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)
  return `[local stack] ${where} failed: ${detail}`
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * A request listener that runs `handle` and, when it throws or rejects, logs the error with its
 * stack and answers with `internalFailure` (or, once an answer has begun, cuts the connection).
 */
export function guardRequests(
  server: string,
  log: StackLog,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  internalFailure: (res: ServerResponse, message: string) => void
): RequestListener {
  return (req, res) => {
    // An async wrapper, so that a handler that throws before its first await is caught too.
    const handled = (async (): Promise<void> => handle(req, res))()
    handled.catch((error: unknown) => {
      log(failureEntry(`${server}: ${req.method ?? ''} ${req.url ?? ''}`, error))
      try {
        if (res.headersSent) res.destroy()
        else internalFailure(res, `The ${server} failed: ${errorMessage(error)}`)
      } catch (answering) {
        log(failureEntry(`${server}: answering the failure`, answering))
        res.destroy()
      }
    })
  }
}

/** A test hook: the next `n` requests a server handles throw inside its handler, as a bug would. */
export class InjectedFailures {
  private left = 0

  arm(n = 1): void {
    this.left += n
  }

  /** Throws when armed; `where` names the handler in the error. */
  take(where: string): void {
    if (this.left <= 0) return
    this.left--
    throw new Error(`Injected failure in ${where}`)
  }
}

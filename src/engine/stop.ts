/**
 * Stopping a deployment within a bound: on a cancel the runner leaves a few seconds, so
 * StopDeployment is sent without the SDK's backoff and retried fast on throttling and transient
 * faults until the bound, then the deployment is read until it has ended. The caller learns
 * whether the stop was accepted and, when not, why: it then says the deployment still runs.
 */
import {
  GetDeploymentCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo
} from '@aws-sdk/client-codedeploy'
import { errorName, isTransient } from './aws-errors.js'
import { errorMessage } from './errors.js'
import type { Reporter } from './reporter.js'
import { sendOnce } from './send-once.js'
import { TERMINAL, type Clock } from './watch.js'

export interface StopRequest {
  codedeploy: CodeDeployClient
  reporter: Reporter
  clock: Clock
  deploymentId: string
  autoRollbackEnabled: boolean
  /** Give up at this time (clock ms). */
  until: number
}

export interface StopResult {
  /** CodeDeploy took the stop, or the deployment had ended already. */
  accepted: boolean
  /** Why the stop was not accepted. */
  why?: string
  /** The last state read after the stop, when one was read. */
  info?: DeploymentInfo
}

const FIRST_RETRY_MS = 200
const LONGEST_RETRY_MS = 1000
/** Of the bound, what is kept for reading the deployment's state after the stop (or without it). */
const READ_RESERVE_MS = 800

function timeLeft(clock: Clock, until: number): AbortSignal {
  return AbortSignal.timeout(Math.max(100, until - clock.now()))
}

export async function stopWithin(request: StopRequest): Promise<StopResult> {
  const { codedeploy, reporter, clock, deploymentId: id } = request
  const until = request.until - READ_RESERVE_MS
  let delay = FIRST_RETRY_MS
  let accepted = false
  let why: string | undefined
  for (;;) {
    try {
      const out = await sendOnce(
        codedeploy,
        new StopDeploymentCommand({
          deploymentId: id,
          autoRollbackEnabled: request.autoRollbackEnabled
        }),
        timeLeft(clock, until)
      )
      reporter.info(
        `Stopping ${id}${request.autoRollbackEnabled ? ' and rolling back' : ''}: ${out.status ?? ''} ${out.statusMessage ?? ''}`.trim()
      )
      accepted = true
      break
    } catch (error) {
      if (errorName(error) === 'DeploymentAlreadyCompletedException') {
        reporter.info(`${id} had already finished.`)
        accepted = true
        break
      }
      why = `${errorName(error)}: ${errorMessage(error)}`
      const transient = isTransient(error) || errorName(error) === 'AbortError'
      if (!transient || clock.now() + delay >= until) break
      reporter.debug(`StopDeployment failed (${why}); trying again in ${delay} ms.`)
      await clock.sleep(delay)
      delay = Math.min(LONGEST_RETRY_MS, delay * 2)
    }
  }
  if (!accepted) {
    // One read, so what is said about the deployment still running is its current state.
    const info = await readUntilEnded(codedeploy, id, request.until, clock, true)
    return { accepted, why: why ?? 'no answer in time', ...(info ? { info } : {}) }
  }
  const info = await readUntilEnded(codedeploy, id, request.until, clock)
  return info ? { accepted, info } : { accepted }
}

/** Reads the deployment until it has ended (or once) or `until` passes; the last state read. */
async function readUntilEnded(
  codedeploy: CodeDeployClient,
  id: string,
  until: number,
  clock: Clock,
  once = false
): Promise<DeploymentInfo | undefined> {
  let last: DeploymentInfo | undefined
  while (clock.now() < until) {
    try {
      const out = await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }), {
        abortSignal: timeLeft(clock, until)
      })
      last = out.deploymentInfo ?? last
      if (once || (last?.status && TERMINAL.has(last.status))) return last
    } catch {
      // Read again while time is left.
    }
    await clock.sleep(Math.min(300, Math.max(0, until - clock.now())))
  }
  return last
}

/**
 * Stopping a deployment within a bound: on a cancel the runner leaves a few seconds, so
 * StopDeployment is sent without the SDK's backoff and retried fast on throttling and transient
 * faults until the bound, then the deployment is read until it has ended and, when a rollback was
 * asked for, until CodeDeploy has linked it (both come in the same GetDeployment). The caller
 * learns whether the stop was taken, whether the deployment had ended before it, and the last
 * state read; when the stop was not taken, why: it then says the deployment still runs.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { errorName, isTransient } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import type { Cancellation } from '../cancellation.js'
import { errorMessage } from '../errors.js'
import type { Reporter } from '../reporter.js'
import { type Clock } from '../clock.js'
import { TERMINAL } from '../tell/record.js'

export interface StopRequest {
  gateway: Gateway
  reporter: Reporter
  clock: Clock
  deploymentId: string
  autoRollbackEnabled: boolean
  /** Give up at this time (clock ms). */
  until: number
  /** A cancel that comes meanwhile shortens the bound to its own budget. */
  cancel?: Cancellation
}

export interface StopResult {
  /** CodeDeploy took the stop, or the deployment had ended already. */
  accepted: boolean
  /** The deployment had ended before the stop (DeploymentAlreadyCompletedException). */
  alreadyEnded?: boolean
  /** Why the stop was not accepted. */
  why?: string
  /** The last state read after the stop, when one was read. */
  info?: DeploymentInfo
}

const FIRST_RETRY_MS = 200
const LONGEST_RETRY_MS = 1000
/** Of the bound, what is kept for reading the deployment's state after the stop (or without it). */
const READ_RESERVE_MS = 800

export async function stopWithin(request: StopRequest): Promise<StopResult> {
  const { gateway, reporter, clock, deploymentId: id } = request
  const bound = (): number => Math.min(request.until, request.cancel?.deadline() ?? Infinity)
  const signal = (reserve = 0): AbortSignal =>
    clock.after(Math.max(100, bound() - reserve - clock.now()))
  let delay = FIRST_RETRY_MS
  let why: string | undefined
  for (;;) {
    try {
      const out = await gateway.stopDeployment(id, request.autoRollbackEnabled, {
        signal: signal(READ_RESERVE_MS)
      })
      reporter.info(
        `Stopping ${id}${request.autoRollbackEnabled ? ' and rolling back' : ''}: ${out.status ?? ''} ${out.statusMessage ?? ''}`.trim()
      )
      const info = await readUntilSettled(request, bound, signal)
      return { accepted: true, ...(info ? { info } : {}) }
    } catch (error) {
      if (errorName(error) === 'DeploymentAlreadyCompletedException') {
        reporter.info(`${id} had already ended.`)
        const info = await readUntilSettled(
          { ...request, autoRollbackEnabled: false },
          bound,
          signal
        )
        return { accepted: true, alreadyEnded: true, ...(info ? { info } : {}) }
      }
      why = `${errorName(error)}: ${errorMessage(error)}`
      const transient = isTransient(error) || errorName(error) === 'AbortError'
      if (!transient || clock.now() + delay >= bound() - READ_RESERVE_MS) break
      reporter.debug(`StopDeployment failed (${why}); trying again in ${delay} ms.`)
      await clock.sleep(delay)
      delay = Math.min(LONGEST_RETRY_MS, delay * 2)
    }
  }
  // One read, so what is said about the deployment still running is its current state.
  const info = await readOnce(gateway, id, signal())
  return { accepted: false, why: why ?? 'no answer in time', ...(info ? { info } : {}) }
}

/** One read of the deployment, cut by `signal`; undefined when it fails (the stop goes on). */
async function readOnce(
  gateway: Gateway,
  id: string,
  signal: AbortSignal
): Promise<DeploymentInfo | undefined> {
  try {
    return await gateway.deployment(id, { signal, afterCancel: true })
  } catch {
    return undefined
  }
}

/**
 * Reads the deployment until it has ended and, when a rollback was asked for, CodeDeploy has
 * linked one (or said why not), or until the bound; the last state read.
 */
async function readUntilSettled(
  request: StopRequest,
  bound: () => number,
  signal: () => AbortSignal
): Promise<DeploymentInfo | undefined> {
  const { gateway, clock, deploymentId: id } = request
  let last: DeploymentInfo | undefined
  while (clock.now() < bound()) {
    last = (await readOnce(gateway, id, signal())) ?? last
    const ended = last?.status !== undefined && TERMINAL.has(last.status)
    // CodeDeploy links the rollback, or says why there is none, once the deployment has ended.
    const rollback = last?.rollbackInfo
    const linked = rollback?.rollbackDeploymentId !== undefined || !!rollback?.rollbackMessage
    if (ended && (!request.autoRollbackEnabled || linked)) return last
    await clock.sleep(Math.min(300, Math.max(0, bound() - clock.now())))
  }
  return last
}

/**
 * The two waits of an ECS blue/green deployment that ContinueDeployment ends: at Ready (the
 * replacement task set is up and has test traffic, production traffic waits for a reroute) when
 * the group's deploymentReadyOption is STOP_DEPLOYMENT, and before the original task set is
 * terminated (terminateBlueInstancesOnDeploymentSuccess TERMINATE).
 */
import type { TrafficRun } from './state.js'

export type WaitType = 'READY_WAIT' | 'TERMINATION_WAIT'
export type WaitEnd = 'timeout' | 'continued' | 'aborted'

export const READY_TIMEOUT_MESSAGE =
  'The deployment was stopped because traffic was not rerouted to the replacement task set before the end of the wait time (actionOnTimeout STOP_DEPLOYMENT).'

/**
 * Waits `ms` for ContinueDeployment with `type` (or the stop's abort). `onContinue` runs at the
 * moment of the call, so a reader never sees the wait's state after ContinueDeployment answered.
 */
export function waitForContinue(
  run: TrafficRun,
  type: WaitType,
  ms: number,
  signal: AbortSignal,
  onContinue: () => void
): Promise<WaitEnd> {
  return new Promise(resolve => {
    const end = (how: WaitEnd): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      run.waiting = undefined
      run.endWait = undefined
      if (how === 'continued') onContinue()
      resolve(how)
    }
    const onAbort = (): void => end('aborted')
    const timer = setTimeout(() => end('timeout'), ms)
    signal.addEventListener('abort', onAbort, { once: true })
    run.waiting = type
    run.endWait = () => end('continued')
    if (signal.aborted) end('aborted')
  })
}

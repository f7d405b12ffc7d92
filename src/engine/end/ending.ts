/**
 * How a followed deployment's end is told when the run forces or misses it, shared by the timeout
 * (in ./follow.ts) and the cancel (in ./cancelled.ts): the failure explained; the stop within a
 * budget; a deployment that had ended before the stop reached it; one whose traffic had already
 * moved, which is not stopped.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { inTerminationWait } from './blue-green.js'
import type { Run } from '../context.js'
import { diagnose, failureMessage, tailLines } from '../tell/diagnose.js'
import { fleetWords } from '../tell/fleet.js'
import { stopWithin, type StopResult } from './stop.js'
import { headline, stillRunning } from '../tell/headline.js'

/**
 * A blue/green deployment whose traffic is already on the replacement, in the wait before the
 * originals are terminated: stopping it now would move traffic back to a fleet it just left, so
 * a timeout or a cancel ends the step there instead.
 */
export function keepRerouted(run: Run, why: string): boolean {
  const info = run.record.deployment?.info
  if (!info || !inTerminationWait(info)) return false
  run.record.outcome = 'rerouted'
  run.record.notes.push(
    `${why} while the ${fleetWords(run.record.platform).original} waited to be terminated; traffic was already on the replacement, so nothing was stopped.`
  )
  run.reporter.warning(`${why}; ${headline(run.record)}`)
  return true
}

/** The diagnosis into the record, the log and one detailed annotation. */
export function explainFailure(run: Run, info: DeploymentInfo): void {
  const deployment = run.record.deployment
  if (!deployment) return
  const diagnosis = diagnose(info, deployment.targets)
  deployment.diagnosis = diagnosis
  const first = diagnosis.failures[0]
  run.reporter.info(
    first?.logTail ? `${diagnosis.headline}\n${tailLines(first.logTail)}` : diagnosis.headline
  )
  run.reporter.error(failureMessage(info, diagnosis), {
    title: diagnosis.alarms
      ? `Stopped by CloudWatch alarm${diagnosis.alarms.length === 1 ? '' : 's'} ${diagnosis.alarms.join(', ')}`
      : first
        ? `${first.event} failed on ${first.instanceId}`
        : `Deployment ${info.status ?? 'failed'}`
  })
}

/**
 * Stops `id` before `until` (or the cancel's budget) and records how it went; when CodeDeploy did
 * not take the stop, says that the deployment still runs and how to stop it.
 */
export async function stop(
  run: Run,
  id: string,
  why: 'cancel' | 'timeout',
  rollback: boolean,
  until: number
): Promise<StopResult> {
  const { record, reporter } = run
  const result = await stopWithin({
    codedeploy: run.codedeploy,
    reporter,
    clock: run.clock,
    deploymentId: id,
    autoRollbackEnabled: rollback,
    until,
    cancel: run.cancel
  })
  if (result.info) run.saw(result.info)
  record.stop = { why, rollback, accepted: result.accepted }
  if (!result.accepted) {
    record.stop.failure = result.why ?? 'no answer in time'
    reporter.error(stillRunning(record, id, rollback, record.stop.failure))
  }
  run.changed()
  return result
}

/**
 * The deployment had ended before the stop reached it (a timeout or a cancel between two reads):
 * its own end is the run's. True when that was so.
 */
export function endedBefore(
  run: Run,
  id: string,
  result: StopResult,
  why: 'cancel' | 'timeout'
): boolean {
  const { record } = run
  const info = result.info
  if (!result.alreadyEnded || (info?.status !== 'Succeeded' && info?.status !== 'Failed'))
    return false
  record.notes.push(
    `${why === 'cancel' ? 'The job was cancelled' : 'The timeout passed'} after ${id} had ended ${info.status}; nothing was stopped.`
  )
  record.cancel = undefined
  record.stop = undefined
  if (info.status === 'Succeeded') {
    record.outcome = 'succeeded'
    return true
  }
  record.outcome = 'failed'
  explainFailure(run, info)
  return false
}

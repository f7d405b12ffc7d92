/**
 * Following the run's deployment to its end, and what each end means: success; a failure, with
 * its diagnosis and CodeDeploy's rollback followed until `rollback-timeout`; the timeout, which
 * stops the deployment; and the cancel, which does what `on-cancel` says within the runner's
 * window and says so when it cannot.
 */
import { GetDeploymentCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy'
import type { Run } from './context.js'
import { diagnose, failureMessage, tailLines } from './diagnose.js'
import { fleetWords } from './fleet.js'
import { consoleUrl } from './links.js'
import { continueDeployment, inTerminationWait, pauseAt, type WaitType } from './blue-green.js'
import { InputError, errorMessage } from './errors.js'
import { duration, headline, stillRunning } from './telling.js'
import { findRollbackDeployment } from './rollback.js'
import { stopWithin, type StopResult } from './stop.js'
import type { WatchOutcome } from './watch.js'

/** After a timeout's stop, how long the deployment is read until it shows Stopped. */
const SETTLE_MS = 60_000

function absorb(run: Run, outcome: WatchOutcome): void {
  const deployment = run.record.deployment
  if (!deployment) return
  if (outcome.targets.length) deployment.targets = outcome.targets
  if (outcome.deployment) run.saw(outcome.deployment)
}

/**
 * Follows `id` to its end. A blue/green deployment may pause on the way: at Ready (continued,
 * or the step ends there, per `on-ready`) and once traffic is on the replacement (the step ends,
 * or the termination wait is ended now, per `on-termination-wait`).
 */
export async function follow(run: Run, id: string, title = `Deploying ${id}`): Promise<void> {
  const { reporter, record } = run
  run.enter('deploy')
  let readySaid = false
  const outcome = await reporter.group(title, () =>
    run.watch(
      id,
      run.deadline,
      info => {
        run.saw(info)
        if (info.status === 'Ready' && !readySaid && run.settings.onReady === 'wait') {
          readySaid = true
          const ready = info.blueGreenDeploymentConfiguration?.deploymentReadyOption
          const then =
            ready?.actionOnTimeout === 'CONTINUE_DEPLOYMENT'
              ? `CodeDeploy reroutes traffic by itself after the group's ${ready.waitTimeInMinutes ?? 0}-minute wait`
              : `unless someone continues it (command: continue, deployment-id: ${id}), CodeDeploy stops it at the end of the group's ${ready?.waitTimeInMinutes ?? 0}-minute wait`
          reporter.notice(`${id} is Ready: ${fleetWords(record.platform).passed}; ${then}.`)
        }
      },
      pauseAt(run)
    )
  )
  absorb(run, outcome)
  if (outcome.kind === 'cancelled') return cancelled(run, id)
  if (outcome.kind === 'timeout') return timedOut(run, id)
  if (outcome.kind === 'paused') {
    if (outcome.reason === 'ready' && run.settings.onReady === 'continue') {
      await continueOrFollow(run, id, 'READY_WAIT')
      return follow(run, id, `Rerouting traffic of ${id}`)
    }
    if (outcome.reason === 'ready') {
      record.outcome = 'ready'
      reporter.notice(headline(record))
      return
    }
    if (run.settings.onTerminationWait === 'continue') {
      await continueOrFollow(run, id, 'TERMINATION_WAIT')
      return follow(run, id, `Terminating the ${fleetWords(record.platform).original} of ${id}`)
    }
    record.outcome = 'rerouted'
    reporter.notice(headline(record))
    return
  }

  const info = outcome.deployment
  if (info.status === 'Succeeded') {
    const count = outcome.targets.length
    const noun = (record.platform ?? 'Server') === 'Server' ? 'instance' : 'target'
    reporter.info(`${id} Succeeded${count ? ` on ${count} ${noun}${count === 1 ? '' : 's'}` : ''}.`)
    record.outcome = 'succeeded'
    return
  }
  record.outcome = 'failed'
  explainFailure(run, info)
  const byAlarm = info.errorInformation?.code === 'ALARM_ACTIVE'
  if (run.rollbackExpected(byAlarm ? 'alarm' : 'failure'))
    await followRollback(run, id, run.clock.now() + rollbackMs(run))
}

/**
 * Continues `id`; when CodeDeploy refuses because its state moved on meanwhile (someone else
 * continued it, or the group's wait ran out), says so and lets the caller follow it as it is.
 */
async function continueOrFollow(run: Run, id: string, type: WaitType): Promise<void> {
  try {
    await continueDeployment(run, id, type)
  } catch (error) {
    if (!(error instanceof InputError)) throw error
    run.reporter.warning(`${errorMessage(error)} Following it as it is.`)
    const facts = (run.record.blueGreen ??= { continued: [] })
    facts.continued.push(type)
  }
}

/**
 * A blue/green deployment whose traffic is already on the replacement, in the wait before the
 * originals are terminated: stopping it now would move traffic back to a fleet it just left, so
 * a timeout or a cancel ends the step there instead.
 */
function keepRerouted(run: Run, why: string): boolean {
  const info = run.record.deployment?.info
  if (!info || !inTerminationWait(info)) return false
  run.record.outcome = 'rerouted'
  run.record.notes.push(
    `${why} while the ${fleetWords(run.record.platform).original} waited to be terminated; traffic was already on the replacement, so nothing was stopped.`
  )
  run.reporter.warning(`${why}; ${headline(run.record)}`)
  return true
}

function rollbackMs(run: Run): number {
  return run.settings.rollbackTimeoutSeconds * 1000
}

/** The diagnosis into the record, the log and one detailed annotation. */
function explainFailure(run: Run, info: DeploymentInfo): void {
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

async function timedOut(run: Run, id: string): Promise<void> {
  const { reporter, record } = run
  if (keepRerouted(run, `The ${duration(run.settings.timeoutSeconds)} timeout passed`)) return
  record.outcome = 'timed-out'
  const rollback = run.rollbackExpected('stop')
  const until = run.clock.now() + rollbackMs(run)
  reporter.warning(
    `${id} did not finish within the ${duration(run.settings.timeoutSeconds)} timeout; stopping it.`
  )
  const stopUntil = Math.min(until, run.clock.now() + SETTLE_MS)
  const result = await stop(run, id, 'timeout', rollback, stopUntil)
  if (endedBefore(run, id, result, 'timeout')) return
  if (!result.accepted) return
  const settled = await run.watch(id, Math.min(until, run.clock.now() + SETTLE_MS))
  absorb(run, settled)
  if (rollback && !run.cancel.requested) await followRollback(run, id, until)
}

/**
 * Stops `id` before `until` (or the cancel's budget) and records how it went; when CodeDeploy did
 * not take the stop, says that the deployment still runs and how to stop it.
 */
async function stop(
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

/** Finds and follows CodeDeploy's rollback of `id` until `until`. */
async function followRollback(run: Run, id: string, until: number): Promise<void> {
  const { reporter, record, clock } = run
  run.enter('rollback')
  await reporter.group(`Rollback of ${id}`, async () => {
    const link = await findRollbackDeployment(
      run.codedeploy,
      id,
      clock,
      Math.min(until, clock.now() + (run.deps.rollbackLinkWaitMs ?? 30_000))
    )
    if (!link.id) {
      const why = link.message ?? 'CodeDeploy started no rollback deployment.'
      reporter.warning(`No rollback: ${why}`)
      record.rollback = { message: why, followed: false }
      return
    }
    const rollback = {
      id: link.id,
      followed: true,
      ...(link.message ? { message: link.message } : {})
    }
    record.rollback = rollback
    run.changed()
    reporter.info(
      `CodeDeploy is rolling back with ${link.id}: ${consoleUrl(run.deps.region, link.id)}`
    )
    const outcome = await run.watch(link.id, until, info => {
      if (info.status && info.status !== record.rollback?.status) {
        record.rollback = { ...rollback, status: info.status }
        run.changed()
      }
    })
    if (outcome.deployment?.status)
      record.rollback = { ...rollback, status: outcome.deployment.status }
    if (outcome.kind === 'cancelled') {
      record.notes.push(
        `The job was cancelled while following rollback ${link.id}; CodeDeploy carries it on.`
      )
      return
    }
    if (outcome.kind === 'timeout') {
      record.notes.push(
        `Rollback ${link.id} was still running when \`rollback-timeout\` (${run.settings.rollbackTimeoutSeconds}s) passed; CodeDeploy carries it on.`
      )
      reporter.warning(
        `Rollback ${link.id} still running after rollback-timeout; not followed further.`
      )
      return
    }
    const status = outcome.deployment.status ?? 'Unknown'
    if (status === 'Succeeded') {
      reporter.info(`Rollback ${link.id} Succeeded: the previous revision is back in place.`)
      return
    }
    const diagnosis = diagnose(outcome.deployment, outcome.targets)
    record.rollback = { ...rollback, status, message: diagnosis.headline }
    reporter.warning(`Rollback ${link.id} ${status}: ${diagnosis.headline}`, {
      title: 'Rollback failed'
    })
  })
}

/**
 * The deployment had ended before the stop reached it (a timeout or a cancel between two reads):
 * its own end is the run's. True when that was so.
 */
function endedBefore(run: Run, id: string, result: StopResult, why: 'cancel' | 'timeout'): boolean {
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

/** One read of the deployment, bounded by `until`; undefined when it fails. */
async function readOnce(run: Run, id: string, until: number): Promise<DeploymentInfo | undefined> {
  try {
    const out = await run.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }), {
      abortSignal: AbortSignal.timeout(Math.max(100, until - run.clock.now()))
    })
    return out.deploymentInfo
  } catch {
    return undefined
  }
}

/** The job was cancelled while the deployment ran: do what `on-cancel` says, within the budget. */
export async function cancelled(run: Run, id: string): Promise<void> {
  const { reporter, record, settings } = run
  if (keepRerouted(run, 'The job was cancelled')) return
  record.outcome = 'cancelled'
  record.cancel = { onCancel: settings.onCancel }
  if (settings.onCancel === 'detach') {
    const info = await readOnce(run, id, run.cancel.deadline())
    if (info) run.saw(info)
    reporter.warning(
      `Job cancelled; ${id} keeps running (on-cancel: detach). Follow it at ${consoleUrl(run.deps.region, id)}`
    )
    return
  }
  const rollback = settings.onCancel === 'stop-and-rollback'
  reporter.warning(`Job cancelled; stopping ${id}${rollback ? ' and rolling back' : ''}.`)
  const result = await stop(run, id, 'cancel', rollback, run.cancel.deadline())
  const info = result.info
  if (endedBefore(run, id, result, 'cancel')) return
  if (!result.accepted || !info?.rollbackInfo) return
  const link = info.rollbackInfo
  if (link.rollbackDeploymentId) {
    // One read of the rollback, if the budget allows, so its status is known as well as its id.
    const started = await readOnce(run, link.rollbackDeploymentId, run.cancel.deadline())
    record.rollback = {
      id: link.rollbackDeploymentId,
      followed: false,
      ...(started?.status ? { status: started.status } : {}),
      ...(link.rollbackMessage ? { message: link.rollbackMessage } : {})
    }
    reporter.info(
      `Rollback ${link.rollbackDeploymentId} started: ${consoleUrl(run.deps.region, link.rollbackDeploymentId)}`
    )
  } else if (link.rollbackMessage) {
    record.rollback = { message: link.rollbackMessage, followed: false }
  }
  run.changed()
}

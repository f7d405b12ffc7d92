/**
 * Following the run's deployment to its end, and what each end means: success; a failure, with
 * its diagnosis and CodeDeploy's rollback followed until `rollback-timeout`; the timeout, which
 * stops the deployment; and the cancel (./cancelled.ts), which does what `on-cancel` says within
 * the runner's window and says so when it cannot. What both share is in ./ending.ts.
 */
import type { Run } from '../context.js'
import { cancelled } from './cancelled.js'
import { diagnose } from '../tell/diagnose.js'
import { endedBefore, explainFailure, keepRerouted, stop } from './ending.js'
import { fleetWords } from '../tell/fleet.js'
import { consoleUrl } from '../tell/links.js'
import { continueDeployment, pauseAt, type WaitType } from './blue-green.js'
import { InputError, errorMessage } from '../errors.js'
import { duration, headline } from '../tell/headline.js'
import { findRollbackDeployment } from './rollback.js'
import type { WatchOutcome } from '../follow/watch.js'

export { cancelled } from './cancelled.js'

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

function rollbackMs(run: Run): number {
  return run.settings.rollbackTimeoutSeconds * 1000
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

/**
 * The rollback of a failed (or stopped) deployment: finding the deployment CodeDeploy started to
 * undo it, and following that one to its end, in a log group of its own.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { errorName } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import type { Clock } from '../clock.js'
import type { WatchOutcome } from '../follow/watch.js'
import type { Ports } from '../ports.js'
import { diagnose } from '../tell/diagnose.js'
import { consoleUrl } from '../tell/links.js'
import type { RunRecord } from '../tell/record.js'
import { decide, type Seen } from './decide.js'

/** How long a rollback message without a rollback id is read again before it counts as "none". */
const MESSAGE_SETTLE_MS = 5000

/**
 * CodeDeploy links the rollback to the failed deployment (rollbackInfo.rollbackDeploymentId)
 * shortly after the failure. Polls for it until `until` (clock ms). A rollbackMessage can also
 * describe a rollback on its way, so a message without an id is only taken as "no rollback" once
 * it has stood for a few seconds.
 */
export async function findRollbackDeployment(
  gateway: Gateway,
  deploymentId: string,
  clock: Clock,
  until: number
): Promise<{ id?: string; message?: string }> {
  let message: string | undefined
  let messageSince: number | undefined
  for (;;) {
    try {
      const info = (await gateway.deployment(deploymentId, { until, afterCancel: true }))
        .rollbackInfo
      if (info?.rollbackDeploymentId)
        return {
          id: info.rollbackDeploymentId,
          ...(info.rollbackMessage ? { message: info.rollbackMessage } : {})
        }
      if (info?.rollbackMessage) {
        message = info.rollbackMessage
        messageSince ??= clock.now()
        if (clock.now() - messageSince >= MESSAGE_SETTLE_MS) return { message }
      }
    } catch (error) {
      if (errorName(error) === 'DeploymentDoesNotExistException') return {}
    }
    if (clock.now() >= until) return message ? { message } : {}
    await clock.sleep(Math.min(1000, Math.max(0, until - clock.now())))
  }
}

/** Finds CodeDeploy's rollback of the deployment and, when there is one, follows it. */
export async function followRollback(
  ports: Ports,
  record: RunRecord,
  options: {
    /** When following the rollback ends (rollback-timeout). */
    until: number
    /** How long CodeDeploy is given to link the rollback to the failed deployment. */
    linkWaitMs: number
    watch: (id: string, onUpdate: (info: DeploymentInfo) => void) => Promise<WatchOutcome>
  }
): Promise<Seen> {
  const id = record.deployment?.id ?? ''
  const { clock, reporter } = ports
  const until = options.until
  record.stage = 'rollback'
  return reporter.group(`Rollback of ${id}`, async (): Promise<Seen> => {
    const link = await findRollbackDeployment(
      ports.gateway,
      id,
      clock,
      Math.min(until, clock.now() + options.linkWaitMs)
    )
    if (!link.id) {
      const why = link.message ?? 'CodeDeploy started no rollback deployment.'
      reporter.warning(`No rollback: ${why}`)
      record.rollback = { message: why, followed: false }
      return { kind: 'rollback-found' }
    }
    const found = decide(record, { kind: 'rollback-found', id: link.id })
    if (found.kind !== 'follow-rollback') return { kind: 'rollback-found', id: link.id }
    const rollback = {
      id: link.id,
      followed: true,
      ...(link.message ? { message: link.message } : {})
    }
    record.rollback = rollback
    ports.changed()
    reporter.info(
      `CodeDeploy is rolling back with ${link.id}: ${consoleUrl(record.region, link.id)}`
    )
    const outcome = await options.watch(link.id, info => {
      if (info.status && info.status !== record.rollback?.status) {
        record.rollback = { ...rollback, status: info.status }
        ports.changed()
      }
    })
    if (outcome.deployment?.status)
      record.rollback = { ...rollback, status: outcome.deployment.status }
    if (outcome.kind === 'cancelled') {
      record.notes.push({ kind: 'rollback-cut', why: 'cancel', id: link.id })
      return { kind: 'rollback-cancel' }
    }
    if (outcome.kind === 'timeout') {
      record.notes.push({ kind: 'rollback-cut', why: 'timeout', id: link.id })
      reporter.warning(
        `Rollback ${link.id} still running after rollback-timeout; not followed further.`
      )
      return { kind: 'rollback-timeout' }
    }
    const status = outcome.deployment.status ?? 'Unknown'
    if (status === 'Succeeded') {
      reporter.info(`Rollback ${link.id} Succeeded: the previous revision is back in place.`)
      return { kind: 'rollback-ended' }
    }
    const diagnosis = diagnose(outcome.deployment, outcome.targets)
    record.rollback = { ...rollback, status, message: diagnosis.headline }
    reporter.warning(`Rollback ${link.id} ${status}: ${diagnosis.headline}`, {
      title: 'Rollback failed'
    })
    return { kind: 'rollback-ended' }
  })
}

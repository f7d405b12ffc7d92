/**
 * The job was cancelled while the deployment ran: what `on-cancel` says is done within the
 * runner's window (detach, stop, or stop and roll back), and said when it cannot be.
 */
import { GetDeploymentCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy'
import type { Run } from '../context.js'
import { endedBefore, keepRerouted, stop } from './ending.js'
import { consoleUrl } from '../tell/links.js'

/** One read of the deployment, bounded by `until`; undefined when it fails. */
async function readOnce(run: Run, id: string, until: number): Promise<DeploymentInfo | undefined> {
  try {
    const out = await run.codedeploy.send(new GetDeploymentCommand({ deploymentId: id }), {
      abortSignal: run.clock.after(Math.max(100, until - run.clock.now()))
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

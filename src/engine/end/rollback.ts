/**
 * Rollbacks: finding the deployment CodeDeploy started to undo a failed one, and choosing what the
 * `rollback` command redeploys (and saying why).
 */
import {
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  type CodeDeployClient
} from '@aws-sdk/client-codedeploy'
import { errorName } from '../aws/errors.js'
import { InputError } from '../errors.js'
import { batchGet } from '../deploy/guard.js'
import type { RollbackChoice } from '../tell/record.js'
import { revisionOfDeployment, s3Url, sameRevision, type S3Revision } from '../revision/s3.js'
import type { Clock } from '../clock.js'

/** How long a rollback message without a rollback id is read again before it counts as "none". */
const MESSAGE_SETTLE_MS = 5000

/**
 * CodeDeploy links the rollback to the failed deployment (rollbackInfo.rollbackDeploymentId)
 * shortly after the failure. Polls for it until `until` (clock ms). A rollbackMessage can also
 * describe a rollback on its way, so a message without an id is only taken as "no rollback" once
 * it has stood for a few seconds.
 */
export async function findRollbackDeployment(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  clock: Clock,
  until: number
): Promise<{ id?: string; message?: string }> {
  let message: string | undefined
  let messageSince: number | undefined
  for (;;) {
    try {
      const out = await codedeploy.send(new GetDeploymentCommand({ deploymentId }), {
        abortSignal: clock.after(Math.max(100, until - clock.now()))
      })
      const info = out.deploymentInfo?.rollbackInfo
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

/**
 * What the `rollback` command redeploys: the newest successful deployment of the group whose
 * revision differs from the one last attempted. After a failed deployment that is the group's last
 * success; after a successful but unwanted one, it is the success before it.
 */
export async function chooseRollbackRevision(
  codedeploy: CodeDeployClient,
  application: string,
  deploymentGroup: string,
  signal?: AbortSignal
): Promise<{ revision: S3Revision; choice: RollbackChoice }> {
  const options = signal ? { abortSignal: signal } : {}
  const group = await codedeploy.send(
    new GetDeploymentGroupCommand({
      applicationName: application,
      deploymentGroupName: deploymentGroup
    }),
    options
  )
  const lastAttempt = group.deploymentGroupInfo?.lastAttemptedDeployment
  let current: S3Revision | undefined
  if (lastAttempt?.deploymentId) {
    const attempt = await codedeploy.send(
      new GetDeploymentCommand({ deploymentId: lastAttempt.deploymentId }),
      options
    )
    current = attempt.deploymentInfo ? revisionOfDeployment(attempt.deploymentInfo) : undefined
  }

  const ids: string[] = []
  let nextToken: string | undefined
  do {
    const page = await codedeploy.send(
      new ListDeploymentsCommand({
        applicationName: application,
        deploymentGroupName: deploymentGroup,
        includeOnlyStatuses: ['Succeeded'],
        ...(nextToken ? { nextToken } : {})
      }),
      options
    )
    ids.push(...(page.deployments ?? []))
    nextToken = page.nextToken
  } while (nextToken && ids.length < 500)

  const successes = await batchGet(codedeploy, ids, signal)
  successes.sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))
  for (const info of successes) {
    const revision = revisionOfDeployment(info)
    if (!revision || sameRevision(revision, current) || !info.deploymentId) continue
    const reason =
      current && lastAttempt?.deploymentId
        ? `The group's last deployment, ${lastAttempt.deploymentId} (${lastAttempt.status ?? 'unknown'}), deployed ${s3Url(current)}; ${info.deploymentId} is the newest success with another revision.`
        : `${info.deploymentId} is the group's newest successful deployment.`
    return { revision, choice: { fromDeployment: info.deploymentId, reason } }
  }
  throw new InputError(
    `Deployment group '${deploymentGroup}' has no earlier successful S3 revision to roll back to${current ? ` (the current one is ${s3Url(current)})` : ''}. Deploy a known-good revision with command: deploy and 'revision' instead.`
  )
}

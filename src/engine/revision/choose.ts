/**
 * What the `rollback` command redeploys, and why it was chosen.
 */
import type { Gateway } from '../aws/gateway.js'
import { InputError } from '../errors.js'
import {
  revisionOfDeployment,
  s3Url,
  sameRevision,
  type S3Revision
} from '../inputs/s3-location.js'
import type { RollbackChoice } from '../tell/record.js'

/** Successful deployments of the group looked at, newest first, at most. */
const LOOKED_AT = 500

/**
 * The newest successful deployment of the group whose revision differs from the one last
 * attempted. After a failed deployment that is the group's last success; after a successful but
 * unwanted one, it is the success before it.
 */
export async function chooseRollbackRevision(
  gateway: Gateway,
  application: string,
  deploymentGroup: string
): Promise<{ revision: S3Revision; choice: RollbackChoice }> {
  const group = await gateway.deploymentGroup(application, deploymentGroup)
  const lastAttempt = group.lastAttemptedDeployment
  let current: S3Revision | undefined
  if (lastAttempt?.deploymentId) {
    const attempt = await gateway.deployment(lastAttempt.deploymentId, { patient: true })
    current = revisionOfDeployment(attempt)
  }
  const ids = await gateway.deploymentIds(
    {
      applicationName: application,
      deploymentGroupName: deploymentGroup,
      includeOnlyStatuses: ['Succeeded']
    },
    LOOKED_AT,
    { patient: true }
  )
  const successes = await gateway.deployments(ids, { patient: true })
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

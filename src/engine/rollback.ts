/**
 * Rollbacks: finding the deployment CodeDeploy started to undo a failed one, stopping a deployment
 * (with or without its rollback), and choosing what the `rollback` command redeploys.
 */
import {
  BatchGetDeploymentsCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo
} from '@aws-sdk/client-codedeploy'
import { errorName } from './aws-errors.js'
import { InputError } from './errors.js'
import type { Reporter } from './reporter.js'
import type { S3Revision } from './settings.js'
import type { BundleType } from './bundle-type.js'
import type { Clock } from './watch.js'

/**
 * CodeDeploy links the rollback to the failed deployment (rollbackInfo.rollbackDeploymentId)
 * shortly after the failure. Polls for it until `waitMs` has passed.
 */
export async function findRollbackDeployment(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  clock: Clock,
  waitMs: number
): Promise<{ id?: string; message?: string }> {
  const until = clock.now() + waitMs
  let message: string | undefined
  for (;;) {
    try {
      const out = await codedeploy.send(new GetDeploymentCommand({ deploymentId }))
      const info = out.deploymentInfo?.rollbackInfo
      if (info?.rollbackDeploymentId)
        return {
          id: info.rollbackDeploymentId,
          ...(info.rollbackMessage ? { message: info.rollbackMessage } : {})
        }
      message = info?.rollbackMessage ?? message
      // A rollback message without an id means CodeDeploy decided not to roll back.
      if (message) return { message }
    } catch (error) {
      if (errorName(error) === 'DeploymentDoesNotExistException') return {}
    }
    if (clock.now() >= until) return message ? { message } : {}
    await clock.sleep(1000)
  }
}

/** Stops a deployment; `DeploymentAlreadyCompletedException` is not an error here. */
export async function stopDeployment(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  autoRollbackEnabled: boolean,
  reporter: Reporter
): Promise<void> {
  try {
    const out = await codedeploy.send(
      new StopDeploymentCommand({ deploymentId, autoRollbackEnabled })
    )
    reporter.info(
      `Stopping ${deploymentId}${autoRollbackEnabled ? ' and rolling back' : ''}: ${out.status ?? ''} ${out.statusMessage ?? ''}`.trim()
    )
  } catch (error) {
    if (errorName(error) === 'DeploymentAlreadyCompletedException') {
      reporter.info(`${deploymentId} had already finished.`)
      return
    }
    throw error
  }
}

function s3Revision(info: DeploymentInfo): S3Revision | undefined {
  const location = info.revision?.s3Location
  if (info.revision?.revisionType !== 'S3' || !location?.bucket || !location.key) return undefined
  const revision: S3Revision = {
    bucket: location.bucket,
    key: location.key,
    bundleType: (location.bundleType ?? 'zip') as BundleType
  }
  if (location.eTag) revision.eTag = location.eTag
  if (location.version) revision.version = location.version
  return revision
}

function sameRevision(a: S3Revision | undefined, b: S3Revision | undefined): boolean {
  return (
    !!a &&
    !!b &&
    a.bucket === b.bucket &&
    a.key === b.key &&
    (a.version ?? '') === (b.version ?? '')
  )
}

/**
 * What the `rollback` command redeploys: the newest successful deployment of the group whose
 * revision differs from the one last attempted. After a failed deployment that is the group's last
 * success; after a successful but unwanted one, it is the success before it.
 */
export async function chooseRollbackRevision(
  codedeploy: CodeDeployClient,
  application: string,
  deploymentGroup: string
): Promise<{ revision: S3Revision; fromDeployment: string }> {
  const group = await codedeploy.send(
    new GetDeploymentGroupCommand({
      applicationName: application,
      deploymentGroupName: deploymentGroup
    })
  )
  const lastAttemptId = group.deploymentGroupInfo?.lastAttemptedDeployment?.deploymentId
  let current: S3Revision | undefined
  if (lastAttemptId) {
    const attempt = await codedeploy.send(new GetDeploymentCommand({ deploymentId: lastAttemptId }))
    current = attempt.deploymentInfo ? s3Revision(attempt.deploymentInfo) : undefined
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
      })
    )
    ids.push(...(page.deployments ?? []))
    nextToken = page.nextToken
  } while (nextToken && ids.length < 500)

  const successes: DeploymentInfo[] = []
  for (let i = 0; i < ids.length; i += 25) {
    const out = await codedeploy.send(
      new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(i, i + 25) })
    )
    successes.push(...(out.deploymentsInfo ?? []))
  }
  successes.sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0))
  for (const info of successes) {
    const revision = s3Revision(info)
    if (revision && !sameRevision(revision, current))
      return { revision, fromDeployment: info.deploymentId ?? '' }
  }
  throw new InputError(
    `Deployment group '${deploymentGroup}' has no earlier successful S3 revision to roll back to${current ? ` (the current one is s3://${current.bucket}/${current.key})` : ''}. Deploy a known-good revision with command: deploy and 'revision' instead.`
  )
}

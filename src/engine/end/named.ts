/**
 * The deployment a step names in `deployment-id` (commands `continue`, `wait` and `stop`): read
 * once, checked against the `application` and `deployment-group` the step names (when it names
 * them), and its facts put into the record, before the step changes anything.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { errorName } from '../aws/errors.js'
import { InputError } from '../errors.js'
import { revisionOfDeployment } from '../inputs/s3-location.js'
import { gitHubRevisionOfDeployment } from '../inputs/github-revision.js'
import type { Ports } from '../ports.js'
import type { RunRecord } from '../tell/record.js'

/** The names a step gives its deployment's application and group; each optional. */
export interface Names {
  application?: string
  deploymentGroup?: string
}

/**
 * `application` and `deployment-group` are optional; when given, the deployment must belong to
 * them (a deployment-id passed from another environment's job is refused rather than acted on).
 */
function checkBelongs(names: Names, id: string, info: DeploymentInfo): void {
  const { application, deploymentGroup } = names
  const wrong: string[] = []
  if (application && info.applicationName !== application)
    wrong.push(`application '${application}'`)
  if (deploymentGroup && info.deploymentGroupName !== deploymentGroup)
    wrong.push(`deployment group '${deploymentGroup}'`)
  if (wrong.length === 0) return
  throw new InputError(
    `${id} belongs to application '${info.applicationName ?? '?'}', deployment group '${info.deploymentGroupName ?? '?'}', not to the ${wrong.join(' and ')} this step names. Check 'deployment-id' (does it come from this environment's job?), or correct 'application' and 'deployment-group' (or leave them out).`
  )
}

/** Reads deployment `id`, checks it belongs to `names`, and records what it is. */
export async function readNamed(
  ports: Ports,
  record: RunRecord,
  names: Names,
  id: string
): Promise<DeploymentInfo> {
  let info: DeploymentInfo
  try {
    info = await ports.gateway.deployment(id, { patient: true })
  } catch (error) {
    if (errorName(error) === 'DeploymentDoesNotExistException')
      throw new InputError(
        `Deployment ${id} does not exist in ${record.region}. Check 'deployment-id' and the region.`
      )
    throw error
  }
  checkBelongs(names, id, info)
  if (info.applicationName) record.application = info.applicationName
  if (info.deploymentGroupName) record.deploymentGroup = info.deploymentGroupName
  if (info.deploymentConfigName) record.deploymentConfig = info.deploymentConfigName
  if (info.computePlatform) record.platform = info.computePlatform
  const revision = revisionOfDeployment(info)
  if (revision) record.revision = revision
  const gitHub = gitHubRevisionOfDeployment(info)
  if (gitHub) record.gitHub = gitHub
  return info
}

/**
 * The deployment group a `deployment-group-config` defines: checked with the target (the file,
 * and how the group AWS holds differs from it; no write), then, just before the deployment,
 * created when missing (tagged as made by this action) or updated when it differs. A group that
 * holds the file's settings is not written to.
 */
import type { DeploymentGroupInfo } from '@aws-sdk/client-codedeploy'
import { deniedError, errorName, isAccessDenied } from '../aws/errors.js'
import { groupDifferences, readGroupConfig, type GroupConfig } from '../inputs/group-config.js'
import type { Settings } from '../inputs/settings.js'
import type { Ports } from '../ports.js'
import type { RunRecord } from '../tell/record.js'

/** The tag a group this action created carries; its value names the repository. */
export const CREATED_BY_TAG = 'codedeploy-bridge:created-by'

/** The repository of a workflow ref (`owner/repo/.github/workflows/x.yml@ref`), or the action's name. */
export function creatorOf(workflowRef: string | undefined): string {
  const match = /^([^/@]+\/[^/@]+)\//.exec(workflowRef ?? '')
  return match?.[1] ?? 'codedeploy-bridge'
}

async function current(ports: Ports, settings: Settings): Promise<DeploymentGroupInfo | undefined> {
  try {
    return await ports.gateway.deploymentGroup(settings.application, settings.deploymentGroup)
  } catch (error) {
    if (isAccessDenied(error)) throw deniedError('GetDeploymentGroup', error)
    if (errorName(error) === 'DeploymentGroupDoesNotExistException') return undefined
    throw error
  }
}

/**
 * The group as it is once the file is applied: the file's fields over what AWS holds (or over
 * nothing, for a group still to be made), for the checks that read the group's settings.
 */
function asApplied(
  config: GroupConfig,
  held: DeploymentGroupInfo | undefined,
  platform: string
): DeploymentGroupInfo {
  const { autoScalingGroups, ...fields } = config
  return {
    ...held,
    ...(fields as DeploymentGroupInfo),
    ...(autoScalingGroups ? { autoScalingGroups: autoScalingGroups.map(name => ({ name })) } : {}),
    computePlatform: held?.computePlatform ?? (platform as DeploymentGroupInfo['computePlatform'])
  }
}

/**
 * With the target: reads and checks the file and compares the group with it. `held` is the group
 * AWS holds (undefined: none of that name yet), `platform` the application's. Returns the group
 * as it will be; writes nothing.
 */
export async function checkGroupConfig(
  ports: Ports,
  record: RunRecord,
  settings: Settings,
  held: DeploymentGroupInfo | undefined,
  platform: string
): Promise<DeploymentGroupInfo> {
  const file = settings.deploymentGroupConfig
  if (!file) throw new Error('checkGroupConfig without deployment-group-config')
  const config = await readGroupConfig(file, file, settings.deploymentGroup, settings.application)
  record.deploymentGroupCreated = false
  const group = `Deployment group '${settings.deploymentGroup}'`
  if (!held)
    ports.reporter.info(
      `${group} does not exist yet: it is created from ${file} just before the deployment.`
    )
  else {
    const differences = groupDifferences(config, held)
    ports.reporter.info(
      differences.length
        ? `${group} differs from ${file}; it is updated just before the deployment:\n${differences.map(d => `  ${d}`).join('\n')}`
        : `${group} holds the settings of ${file}.`
    )
  }
  return asApplied(config, held, platform)
}

/**
 * Just before CreateDeployment (after every check passed): creates the group when it is still
 * missing, updates it when it differs from the file, and leaves it alone when it does not.
 */
export async function ensureDeploymentGroup(
  ports: Ports,
  record: RunRecord,
  settings: Settings,
  creator: string
): Promise<void> {
  const file = settings.deploymentGroupConfig
  if (!file) return
  const config = await readGroupConfig(file, file, settings.deploymentGroup, settings.application)
  const name = `deployment group '${settings.deploymentGroup}'`
  let held = await current(ports, settings)
  if (!held) {
    try {
      await ports.gateway.createDeploymentGroup({
        applicationName: settings.application,
        ...config,
        tags: [{ Key: CREATED_BY_TAG, Value: creator }]
      })
      record.deploymentGroupCreated = true
      ports.changed()
      ports.reporter.info(`Created ${name} from ${file} (tag ${CREATED_BY_TAG}: ${creator}).`)
      return
    } catch (error) {
      if (errorName(error) !== 'DeploymentGroupAlreadyExistsException') throw error
      // Made meanwhile (another run, or this create retried): compare it as it is.
      held = await current(ports, settings)
      if (!held) throw error
    }
  }
  const differences = groupDifferences(config, held)
  if (!differences.length) return
  const { deploymentGroupName, ...fields } = config
  await ports.gateway.updateDeploymentGroup({
    applicationName: settings.application,
    currentDeploymentGroupName: deploymentGroupName,
    ...fields
  })
  ports.reporter.info(`Updated ${name} to ${file}: ${differences.join('; ')}.`)
}

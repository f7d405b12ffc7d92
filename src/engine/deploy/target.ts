/**
 * Checks the deployment target before anything is written: the application, the group and the
 * configuration exist, and the group deploys what this action deploys. A typo fails here, naming
 * what does exist.
 */
import {
  GetApplicationCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListApplicationsCommand,
  ListDeploymentConfigsCommand,
  ListDeploymentGroupsCommand,
  type CodeDeployClient,
  type DeploymentGroupInfo
} from '@aws-sdk/client-codedeploy'
import { errorName, isAccessDenied } from '../aws/errors.js'
import { InputError } from '../errors.js'

/** How people name CodeDeploy's compute platforms. */
export const PLATFORM_NAME: Record<string, string> = {
  Server: 'EC2/on-premises',
  ECS: 'Amazon ECS',
  Lambda: 'AWS Lambda'
}

export interface Target {
  application: string
  /** Empty: check the application only (the `package` command). */
  deploymentGroup: string
  deploymentConfig?: string
}

function signalOptions(signal?: AbortSignal): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {}
}

async function known(list: () => Promise<string[]>): Promise<string> {
  try {
    const names = await list()
    if (names.length === 0) return ' None exist yet in this account and region.'
    const shown = names.slice(0, 20).join(', ')
    return ` Existing: ${shown}${names.length > 20 ? `, … (${names.length} in all)` : ''}.`
  } catch {
    return ''
  }
}

/**
 * Reads the application, the group and the config, so a typo fails here, naming what exists,
 * before anything is uploaded or created.
 */
export async function checkTarget(
  codedeploy: CodeDeployClient,
  target: Target,
  region: string,
  signal?: AbortSignal
): Promise<DeploymentGroupInfo | undefined> {
  const permission = (action: string, error: unknown): never => {
    throw new InputError(
      `Access denied to codedeploy:${action} (${errorName(error)}). Grant it to the role this workflow assumes (see the README's IAM policy).`
    )
  }
  try {
    await codedeploy.send(
      new GetApplicationCommand({ applicationName: target.application }),
      signalOptions(signal)
    )
  } catch (error) {
    if (isAccessDenied(error)) permission('GetApplication', error)
    if (errorName(error) !== 'ApplicationDoesNotExistException') throw error
    const existing = await known(async () => {
      const out = await codedeploy.send(new ListApplicationsCommand({}), signalOptions(signal))
      return out.applications ?? []
    })
    throw new InputError(
      `Application '${target.application}' does not exist in ${region}.${existing} Set 'application' to one of them, or check the region.`
    )
  }

  if (!target.deploymentGroup) return undefined
  let group: DeploymentGroupInfo | undefined
  try {
    const out = await codedeploy.send(
      new GetDeploymentGroupCommand({
        applicationName: target.application,
        deploymentGroupName: target.deploymentGroup
      }),
      signalOptions(signal)
    )
    group = out.deploymentGroupInfo
  } catch (error) {
    if (isAccessDenied(error)) permission('GetDeploymentGroup', error)
    if (errorName(error) !== 'DeploymentGroupDoesNotExistException') throw error
    const existing = await known(async () => {
      const out = await codedeploy.send(
        new ListDeploymentGroupsCommand({ applicationName: target.application }),
        signalOptions(signal)
      )
      return out.deploymentGroups ?? []
    })
    throw new InputError(
      `Deployment group '${target.deploymentGroup}' does not exist in application '${target.application}'.${existing} Set 'deployment-group' to one of them.`
    )
  }
  if (!group)
    throw new Error(`GetDeploymentGroup returned no group for '${target.deploymentGroup}'`)
  const platform = group.computePlatform ?? 'Server'
  const forPlatform = (name: string): boolean =>
    platform === 'Server'
      ? !/^CodeDeployDefault\.(ECS|Lambda)/.test(name)
      : name.startsWith(`CodeDeployDefault.${platform}`) || !name.startsWith('CodeDeployDefault.')
  /** The configurations that fit the group's platform, for an error message. */
  const configsForPlatform = (): Promise<string> =>
    known(async () => {
      const list = await codedeploy.send(
        new ListDeploymentConfigsCommand({}),
        signalOptions(signal)
      )
      return (list.deploymentConfigsList ?? []).filter(forPlatform)
    })

  if (target.deploymentConfig) {
    try {
      const out = await codedeploy.send(
        new GetDeploymentConfigCommand({ deploymentConfigName: target.deploymentConfig }),
        signalOptions(signal)
      )
      const configPlatform = out.deploymentConfigInfo?.computePlatform ?? 'Server'
      if (configPlatform !== platform) {
        const existing = await configsForPlatform()
        throw new InputError(
          `Deployment config '${target.deploymentConfig}' is for ${PLATFORM_NAME[configPlatform] ?? configPlatform}, and group '${target.deploymentGroup}' deploys to ${PLATFORM_NAME[platform] ?? platform}.${existing} Set 'deployment-config' to one for ${PLATFORM_NAME[platform] ?? platform}, or leave it empty to use the group's own.`
        )
      }
    } catch (error) {
      if (error instanceof InputError) throw error
      if (isAccessDenied(error)) permission('GetDeploymentConfig', error)
      const name = errorName(error)
      if (
        name !== 'DeploymentConfigDoesNotExistException' &&
        name !== 'InvalidDeploymentConfigNameException'
      )
        throw error
      const existing = await configsForPlatform()
      throw new InputError(
        `Deployment config '${target.deploymentConfig}' does not exist.${existing} Set 'deployment-config' to one of them, or leave it empty to use the group's own (${group.deploymentConfigName ?? 'default'}).`
      )
    }
  }
  return group
}

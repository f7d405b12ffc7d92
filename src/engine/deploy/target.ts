/**
 * Checks the deployment target before anything is written: the application, the group and the
 * configuration exist, and the group deploys what this action deploys. A typo fails here, naming
 * what does exist.
 */
import type { DeploymentGroupInfo } from '@aws-sdk/client-codedeploy'
import { errorName, isAccessDenied } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import { InputError } from '../errors.js'
import type { Settings } from '../inputs/settings.js'
import type { Ports } from '../ports.js'
import type { RunRecord } from '../tell/record.js'
import { checkConfigSpec } from './config.js'
import { PLATFORM_NAME } from '../inputs/config-spec.js'

export { PLATFORM_NAME }

export interface Target {
  application: string
  /** Empty: check the application only (the `package` command). */
  deploymentGroup: string
  deploymentConfig?: string
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

const permission = (action: string, error: unknown): never => {
  throw new InputError(
    `Access denied to codedeploy:${action} (${errorName(error)}). Grant it to the role this workflow assumes (see the README's IAM policy).`
  )
}

/**
 * Reads the application, the group and the config, so a typo fails here, naming what exists,
 * before anything is uploaded or created.
 */
export async function checkTarget(
  gateway: Gateway,
  target: Target,
  region: string
): Promise<DeploymentGroupInfo | undefined> {
  try {
    await gateway.application(target.application)
  } catch (error) {
    if (isAccessDenied(error)) permission('GetApplication', error)
    if (errorName(error) !== 'ApplicationDoesNotExistException') throw error
    const existing = await known(() => gateway.applicationNames())
    throw new InputError(
      `Application '${target.application}' does not exist in ${region}.${existing} Set 'application' to one of them, or check the region.`
    )
  }

  if (!target.deploymentGroup) return undefined
  let group: DeploymentGroupInfo
  try {
    group = await gateway.deploymentGroup(target.application, target.deploymentGroup)
  } catch (error) {
    if (isAccessDenied(error)) permission('GetDeploymentGroup', error)
    if (errorName(error) !== 'DeploymentGroupDoesNotExistException') throw error
    const existing = await known(() => gateway.deploymentGroupNames(target.application))
    throw new InputError(
      `Deployment group '${target.deploymentGroup}' does not exist in application '${target.application}'.${existing} Set 'deployment-group' to one of them.`
    )
  }
  const platform = group.computePlatform ?? 'Server'
  const forPlatform = (name: string): boolean =>
    platform === 'Server'
      ? !/^CodeDeployDefault\.(ECS|Lambda)/.test(name)
      : name.startsWith(`CodeDeployDefault.${platform}`) || !name.startsWith('CodeDeployDefault.')
  /** The configurations that fit the group's platform, for an error message. */
  const configsForPlatform = (): Promise<string> =>
    known(async () => (await gateway.deploymentConfigNames()).filter(forPlatform))

  if (target.deploymentConfig) {
    try {
      const config = await gateway.deploymentConfig(target.deploymentConfig)
      const configPlatform = config.computePlatform ?? 'Server'
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

/**
 * The target stage: checks the application, the group and the config, and records what the
 * group says (its platform, its own config, its rollback settings and alarms). The revision kind
 * the inputs give must be the one the group's platform takes. Command `package` checks the
 * application only.
 */
export async function checkDeploymentTarget(
  ports: Ports,
  record: RunRecord,
  settings: Settings
): Promise<void> {
  record.stage = 'target'
  const group = await checkTarget(
    ports.gateway,
    {
      application: settings.application,
      deploymentGroup: settings.command === 'package' ? '' : settings.deploymentGroup,
      // A config from a spec may not exist yet: ./config.ts checks it.
      ...(settings.deploymentConfig && !settings.deploymentConfigSpec
        ? { deploymentConfig: settings.deploymentConfig }
        : {})
    },
    record.region
  )
  if (group) {
    if (!settings.deploymentConfig && group.deploymentConfigName)
      record.deploymentConfig = group.deploymentConfigName
    record.platform = group.computePlatform ?? 'Server'
    platformFits(settings, record.platform)
    if (settings.command !== 'package')
      await checkConfigSpec(ports, record, settings, record.platform)
    const rollback = group.autoRollbackConfiguration
    const alarms = group.alarmConfiguration
    record.group = {
      rollbackEvents: rollback?.enabled ? (rollback.events ?? []) : [],
      alarms: alarms?.enabled ? (alarms.alarms ?? []).flatMap(a => a.name ?? []) : []
    }
  }
  if (settings.command !== 'package')
    ports.reporter.info(
      `Target: application '${settings.application}', group '${settings.deploymentGroup}', config '${record.deploymentConfig ?? 'group default'}'`
    )
}

/**
 * The revision kind the inputs give must be the one the group's platform takes: a bundle for
 * EC2/on-premises, an inline AppSpec for ECS and Lambda. Refused before any write.
 */
function platformFits(settings: Settings, platform: string): void {
  const group = `Deployment group '${settings.deploymentGroup}'`
  if (platform === 'Server') {
    if (settings.appspec)
      throw new InputError(
        `${group} deploys to EC2/on-premises instances, which take a bundle: remove 'appspec' and give 'source' (a directory with appspec.yml at its root) or 'revision'.`
      )
    return
  }
  const name = PLATFORM_NAME[platform] ?? platform
  if (settings.command === 'rollback')
    throw new InputError(
      `${group} deploys to ${name}; command 'rollback' redeploys S3 bundles of EC2/on-premises groups. Deploy the earlier AppSpec with 'appspec' instead (CodeDeploy also rolls back a failed ${name} deployment by itself with auto-rollback).`
    )
  if (!settings.appspec)
    throw new InputError(
      `${group} deploys to ${name}, which takes its AppSpec inline: give the AppSpec file in 'appspec' (and, for ECS, a task definition in 'task-definition' if it should be registered), instead of 'source' or 'revision'.`
    )
  if (settings.taskDefinition && platform !== 'ECS')
    throw new InputError(
      `Input 'task-definition' registers an ECS task definition, and ${group} deploys to ${name}. Remove it.`
    )
}

/**
 * Checks the deployment target before anything is written: the application, the group and the
 * configuration exist, and the group deploys what this action deploys. A typo fails here, naming
 * what does exist.
 */
import type { DeploymentGroupInfo } from '@aws-sdk/client-codedeploy'
import { deniedError, errorName, isAccessDenied } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import { InputError } from '../errors.js'
import type { Settings } from '../inputs/settings.js'
import type { Ports } from '../ports.js'
import type { RunRecord } from '../tell/record.js'
import { checkConfigSpec } from './config.js'
import { checkGroupConfig } from './group.js'
import { PLATFORM_NAME } from '../inputs/config-spec.js'

export { PLATFORM_NAME }

export interface Target {
  application: string
  /** Empty: check the application only (the `package` command). */
  deploymentGroup: string
  deploymentConfig?: string
  /**
   * `deployment-group-config` is given: a group that does not exist yet is made from it, so a
   * missing one passes, checked as the file gives it (`asApplied`).
   */
  groupConfig?: (
    held: DeploymentGroupInfo | undefined,
    platform: string
  ) => Promise<DeploymentGroupInfo>
  /** A `deployment-config-spec` defines the config: it may not exist yet (./config.ts checks it). */
  configFromSpec?: boolean
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
  throw deniedError(action, error)
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
  let platform: string
  try {
    platform = (await gateway.application(target.application)).computePlatform ?? 'Server'
  } catch (error) {
    if (isAccessDenied(error)) permission('GetApplication', error)
    if (errorName(error) !== 'ApplicationDoesNotExistException') throw error
    const existing = await known(() => gateway.applicationNames())
    throw new InputError(
      `Application '${target.application}' does not exist in ${region}.${existing} Set 'application' to one of them, or check the region.`
    )
  }

  if (!target.deploymentGroup) return undefined
  let held: DeploymentGroupInfo | undefined
  try {
    held = await gateway.deploymentGroup(target.application, target.deploymentGroup)
  } catch (error) {
    if (isAccessDenied(error)) permission('GetDeploymentGroup', error)
    if (errorName(error) !== 'DeploymentGroupDoesNotExistException') throw error
    if (!target.groupConfig) {
      const existing = await known(() => gateway.deploymentGroupNames(target.application))
      throw new InputError(
        `Deployment group '${target.deploymentGroup}' does not exist in application '${target.application}'.${existing} Set 'deployment-group' to one of them, or give 'deployment-group-config' to create it.`
      )
    }
  }
  const group = target.groupConfig ? await target.groupConfig(held, platform) : held
  if (!group) throw new Error(`No deployment group '${target.deploymentGroup}'`)
  platform = group.computePlatform ?? platform
  const forPlatform = (name: string): boolean =>
    platform === 'Server'
      ? !/^CodeDeployDefault\.(ECS|Lambda)/.test(name)
      : name.startsWith(`CodeDeployDefault.${platform}`) || !name.startsWith('CodeDeployDefault.')
  /** The configurations that fit the group's platform, for an error message. */
  const configsForPlatform = (): Promise<string> =>
    known(async () => (await gateway.deploymentConfigNames()).filter(forPlatform))

  // The config the deployment uses: the input's, or the one the group file names, which must exist
  // before the group is created or updated with it.
  const fromFile =
    target.groupConfig && !target.configFromSpec ? group.deploymentConfigName : undefined
  const configName = target.deploymentConfig ?? fromFile
  const setIt = target.deploymentConfig
    ? "Set 'deployment-config'"
    : "Set deploymentConfigName in 'deployment-group-config'"
  if (configName) {
    try {
      const config = await gateway.deploymentConfig(configName)
      const configPlatform = config.computePlatform ?? 'Server'
      if (configPlatform !== platform) {
        const existing = await configsForPlatform()
        throw new InputError(
          `Deployment config '${configName}' is for ${PLATFORM_NAME[configPlatform] ?? configPlatform}, and group '${target.deploymentGroup}' deploys to ${PLATFORM_NAME[platform] ?? platform}.${existing} ${setIt} to one for ${PLATFORM_NAME[platform] ?? platform}, or leave it empty to use the group's own.`
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
        `Deployment config '${configName}' does not exist.${existing} ${setIt} to one of them, or leave it empty to use the group's own (${group.deploymentConfigName ?? 'default'}).`
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
        : {}),
      ...(settings.deploymentConfigSpec ? { configFromSpec: true } : {}),
      ...(settings.deploymentGroupConfig && settings.command !== 'package'
        ? {
            groupConfig: (held: DeploymentGroupInfo | undefined, platform: string) =>
              checkGroupConfig(ports, record, settings, held, platform)
          }
        : {})
    },
    record.region
  )
  if (group) {
    if (!settings.deploymentConfig && group.deploymentConfigName)
      record.deploymentConfig = group.deploymentConfigName
    record.platform = group.computePlatform ?? 'Server'
    platformFits(settings, record.platform)
    deploymentOptionsFit(settings, group)
    if (settings.command !== 'package')
      await checkConfigSpec(ports, record, settings, record.platform)
    const rollback = group.autoRollbackConfiguration
    const alarms = group.alarmConfiguration
    record.group = {
      rollbackEvents: rollback?.enabled ? (rollback.events ?? []) : [],
      alarms: alarms?.enabled ? (alarms.alarms ?? []).flatMap(a => a.name ?? []) : [],
      ...(alarms?.ignorePollAlarmFailure ? { ignorePollAlarmFailure: true } : {})
    }
    if (settings.overrideAlarms) ignoreAlarms(ports, record.group, settings)
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
    if (settings.appspec && !settings.bucket)
      throw new InputError(
        `${group} deploys to EC2/on-premises instances, which take a bundle: 'appspec' goes into it as appspec.yml, with 'source', and the bundle is uploaded to S3. Set 'bucket' to the S3 bucket CodeDeploy reads revisions from.`
      )
    if (settings.taskDefinition)
      throw new InputError(
        `Input 'task-definition' registers an ECS task definition, and ${group} deploys to EC2/on-premises instances. Remove it.`
      )
    return
  }
  const name = PLATFORM_NAME[platform] ?? platform
  if (settings.gitHubRevision)
    throw new InputError(
      `${group} deploys to ${name}, and a GitHub revision deploys to EC2/on-premises instances only: CodeDeploy takes an ${name} deployment's AppSpec inline. Give the AppSpec file in 'appspec' instead of 'revision: github…'.`
    )
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

/**
 * `target-instances` names a blue/green EC2 group's replacement instances, and
 * `outdated-instances-only` skips the instances of an in-place EC2 group that already run the
 * revision: each is refused, with the fix, on a group it has nothing to apply to.
 */
function deploymentOptionsFit(settings: Settings, info: DeploymentGroupInfo): void {
  const group = `deployment group '${settings.deploymentGroup}'`
  const platform = info.computePlatform ?? 'Server'
  const name = PLATFORM_NAME[platform] ?? platform
  const blueGreen = info.deploymentStyle?.deploymentType === 'BLUE_GREEN'
  if (settings.targetInstances) {
    if (platform !== 'Server')
      throw new InputError(
        `Input 'target-instances' picks the replacement EC2 instances of a blue/green deployment, and ${group} deploys to ${name}, which has no instances to pick. Remove 'target-instances'.`
      )
    if (!blueGreen)
      throw new InputError(
        `Input 'target-instances' picks the replacement instances of a blue/green deployment, and ${group} deploys in place (CodeDeploy refuses targetInstances there). Remove 'target-instances'; the group's own tags or Auto Scaling groups say where an in-place deployment goes.`
      )
  }
  if (settings.outdatedInstancesOnly) {
    if (platform !== 'Server')
      throw new InputError(
        `Input 'outdated-instances-only' skips EC2/on-premises instances that already run the revision, and ${group} deploys to ${name}. Remove it (or set it to false).`
      )
    if (blueGreen)
      throw new InputError(
        `Input 'outdated-instances-only' skips instances that already run the revision, and ${group} deploys blue/green, whose replacement instances are all new. Remove it (or set it to false).`
      )
  }
}

/**
 * `override-alarms`: the group's alarms this deployment ignores, all or those named (a name the
 * group does not watch is refused: a typo would leave the alarm watched). Said as a warning.
 */
function ignoreAlarms(
  ports: Ports,
  facts: NonNullable<RunRecord['group']>,
  settings: Settings
): void {
  const asked = settings.overrideAlarms ?? []
  const group = `Deployment group '${settings.deploymentGroup}'`
  if (facts.alarms.length === 0) {
    if (asked === 'all') {
      ports.reporter.warning(
        `Input 'override-alarms' is 'all', and ${group} watches no CloudWatch alarms: nothing to ignore.`
      )
      return
    }
    throw new InputError(
      `Input 'override-alarms' names ${asked.join(', ')}, and ${group} watches no CloudWatch alarms. Remove 'override-alarms'.`
    )
  }
  const ignored = asked === 'all' ? facts.alarms : asked
  const unknown = ignored.filter(name => !facts.alarms.includes(name))
  if (unknown.length > 0)
    throw new InputError(
      `Input 'override-alarms' names ${unknown.map(n => `'${n}'`).join(', ')}, which ${group} does not watch. It watches: ${facts.alarms.join(', ')}. Name those to ignore, or 'all'.`
    )
  facts.ignoredAlarms = ignored
  facts.alarms = facts.alarms.filter(name => !ignored.includes(name))
  ports.reporter.warning(
    `Ignoring CloudWatch alarm${ignored.length === 1 ? '' : 's'} ${ignored.join(', ')} of ${group} for this deployment (override-alarms): ${ignored.length === 1 ? 'it does' : 'they do'} not stop it or roll it back.${facts.alarms.length ? ` Still watched: ${facts.alarms.join(', ')}.` : ''}`
  )
}

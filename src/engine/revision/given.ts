/**
 * Getting the revision to deploy when it is not packaged here (./package-bundle.ts packages): check
 * the target, then the revision given, the inline AppSpec, or choose the one the `rollback`
 * command redeploys.
 */
import type { RevisionLocation } from '@aws-sdk/client-codedeploy'
import type { Run } from '../context.js'
import { InputError } from '../errors.js'
import { chooseRollbackRevision } from '../end/rollback.js'
import { checkRevision, s3Url, type S3Revision } from './s3.js'
import { PLATFORM_NAME, checkTarget } from '../deploy/target.js'

/** Checks the application, the group and the config; remembers the config the group uses. */
export async function checkDeploymentTarget(run: Run): Promise<void> {
  const { settings, record } = run
  run.enter('target')
  const group = await checkTarget(
    run.codedeploy,
    {
      application: settings.application,
      deploymentGroup: settings.command === 'package' ? '' : settings.deploymentGroup,
      ...(settings.deploymentConfig ? { deploymentConfig: settings.deploymentConfig } : {})
    },
    run.deps.region,
    run.signal
  )
  if (!settings.deploymentConfig && group?.deploymentConfigName)
    record.deploymentConfig = group.deploymentConfigName
  if (group) {
    record.platform = group.computePlatform ?? 'Server'
    platformFits(run, record.platform)
  }
  const rollback = group?.autoRollbackConfiguration
  if (rollback) run.groupRollbackEvents = rollback.enabled ? (rollback.events ?? []) : []
  const alarms = group?.alarmConfiguration
  if (group)
    run.groupAlarms = alarms?.enabled ? (alarms.alarms ?? []).flatMap(a => a.name ?? []) : []
  if (settings.command !== 'package')
    run.reporter.info(
      `Target: application '${settings.application}', group '${settings.deploymentGroup}', config '${record.deploymentConfig ?? 'group default'}'`
    )
}

/**
 * The revision kind the inputs give must be the one the group's platform takes: a bundle for
 * EC2/on-premises, an inline AppSpec for ECS and Lambda. Refused before any write.
 */
function platformFits(run: Run, platform: string): void {
  const { settings } = run
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

/**
 * ECS and Lambda: the AppSpec, checked and completed, sent inline. Their clients' commands are
 * loaded only here, so an EC2 run starts without reading them.
 */
export async function contentRevision(run: Run): Promise<RevisionLocation> {
  await checkDeploymentTarget(run)
  const platform = run.record.platform
  if (platform !== 'ECS' && platform !== 'Lambda')
    throw new Error(`No inline AppSpec for ${platform}`)
  const { prepareContent } = await import('./content.js')
  const { location, facts } = await prepareContent(run, platform)
  run.record.content = facts
  run.changed()
  return location
}

/** Command `rollback`: the group's last good revision, and why it was chosen. */
export async function chooseRevision(run: Run): Promise<S3Revision> {
  await checkDeploymentTarget(run)
  run.enter('choose')
  const { revision, choice } = await chooseRollbackRevision(
    run.codedeploy,
    run.settings.application,
    run.settings.deploymentGroup,
    run.signal
  )
  run.record.choice = choice
  run.record.revision = revision
  run.changed()
  run.reporter.info(
    `Redeploying ${s3Url(revision)}, last deployed successfully by ${choice.fromDeployment}. ${choice.reason}`
  )
  return revision
}

/** Input `revision`: an existing bundle, checked before a deployment names it. */
export async function existingRevision(run: Run, given: S3Revision): Promise<S3Revision> {
  await checkDeploymentTarget(run)
  run.enter('revision')
  const revision = await checkRevision(run.deps.s3, given, run.reporter, run.signal)
  run.record.revision = revision
  run.changed()
  return revision
}

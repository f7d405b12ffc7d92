/**
 * Everything that happens at CodeDeploy before the watch: checking that the application, group
 * and config exist (reads only, before any write), registering the revision, and creating the
 * deployment, waiting for the group's active deployment when the service says one is running.
 */
import {
  CreateDeploymentCommand,
  GetApplicationCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListApplicationsCommand,
  ListDeploymentConfigsCommand,
  ListDeploymentGroupsCommand,
  RegisterApplicationRevisionCommand,
  type CodeDeployClient,
  type CreateDeploymentCommandInput,
  type DeploymentGroupInfo,
  type RevisionLocation
} from '@aws-sdk/client-codedeploy'
import { errorName, isAccessDenied } from './aws-errors.js'
import { InputError } from './errors.js'
import type { Reporter } from './reporter.js'
import type { AutoRollback, FileExistsBehavior, S3Revision } from './settings.js'
import { waitForDeployment, type Clock } from './watch.js'

/** The API's limit for a deployment description. */
export const DESCRIPTION_LIMIT = 512

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
  if (group.computePlatform && group.computePlatform !== 'Server') {
    throw new InputError(
      `Deployment group '${target.deploymentGroup}' is for ${group.computePlatform}; this action deploys EC2/on-premises (Server) revisions.`
    )
  }

  if (target.deploymentConfig) {
    try {
      await codedeploy.send(
        new GetDeploymentConfigCommand({ deploymentConfigName: target.deploymentConfig }),
        signalOptions(signal)
      )
    } catch (error) {
      if (isAccessDenied(error)) permission('GetDeploymentConfig', error)
      const name = errorName(error)
      if (
        name !== 'DeploymentConfigDoesNotExistException' &&
        name !== 'InvalidDeploymentConfigNameException'
      )
        throw error
      const existing = await known(async () => {
        const out = await codedeploy.send(
          new ListDeploymentConfigsCommand({}),
          signalOptions(signal)
        )
        return (out.deploymentConfigsList ?? []).filter(
          c => !/^CodeDeployDefault\.(ECS|Lambda)/.test(c)
        )
      })
      throw new InputError(
        `Deployment config '${target.deploymentConfig}' does not exist.${existing} Set 'deployment-config' to one of them, or leave it empty to use the group's own (${group.deploymentConfigName ?? 'default'}).`
      )
    }
  }
  return group
}

export function revisionLocation(revision: S3Revision): RevisionLocation {
  return {
    revisionType: 'S3',
    s3Location: {
      bucket: revision.bucket,
      key: revision.key,
      bundleType: revision.bundleType,
      ...(revision.eTag ? { eTag: revision.eTag } : {}),
      ...(revision.version ? { version: revision.version } : {})
    }
  }
}

export async function registerRevision(
  codedeploy: CodeDeployClient,
  application: string,
  revision: S3Revision,
  description: string,
  signal?: AbortSignal
): Promise<void> {
  await codedeploy.send(
    new RegisterApplicationRevisionCommand({
      applicationName: application,
      revision: revisionLocation(revision),
      description: cutDescription(description)
    }),
    signalOptions(signal)
  )
}

/** Cuts a description to the API's limit instead of failing on it. */
export function cutDescription(text: string): string {
  const chars = [...text]
  if (chars.length <= DESCRIPTION_LIMIT) return text
  return `${chars.slice(0, DESCRIPTION_LIMIT - 1).join('')}…`
}

export interface RunContext {
  sha?: string
  ref?: string
  runUrl?: string
  actor?: string
}

/** Default description: what is deployed and from where. */
export function defaultDescription(context: RunContext): string {
  const parts: string[] = []
  if (context.sha) parts.push(`commit ${context.sha.slice(0, 12)}`)
  if (context.ref) parts.push(context.ref)
  if (context.actor) parts.push(`by ${context.actor}`)
  const head = parts.length ? `Deployed ${parts.join(', ')}` : 'Deployed by CodeDeploy Bridge'
  return context.runUrl ? `${head} (${context.runUrl})` : head
}

export interface CreateRequest {
  application: string
  deploymentGroup: string
  deploymentConfig?: string
  revision: S3Revision
  description: string
  autoRollback: AutoRollback
  fileExistsBehavior?: FileExistsBehavior
  ignoreApplicationStopFailures: boolean
}

export function createDeploymentInput(request: CreateRequest): CreateDeploymentCommandInput {
  const input: CreateDeploymentCommandInput = {
    applicationName: request.application,
    deploymentGroupName: request.deploymentGroup,
    revision: revisionLocation(request.revision),
    description: cutDescription(request.description),
    ignoreApplicationStopFailures: request.ignoreApplicationStopFailures
  }
  if (request.deploymentConfig) input.deploymentConfigName = request.deploymentConfig
  if (request.fileExistsBehavior) input.fileExistsBehavior = request.fileExistsBehavior
  if (request.autoRollback === 'on-failure') {
    input.autoRollbackConfiguration = {
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']
    }
  } else if (request.autoRollback === 'off') {
    input.autoRollbackConfiguration = { enabled: false }
  }
  return input
}

export interface CreateOptions {
  codedeploy: CodeDeployClient
  reporter: Reporter
  clock: Clock
  /** Give up waiting for another deployment at this time (ms since epoch). */
  deadline: number
  signal?: AbortSignal
}

const ACTIVE_ID = /\bd-[A-Z0-9]{9}\b/

/**
 * Creates the deployment. When the group already has an active deployment, waits for it to end
 * (reporting which one) and tries again, until the deadline.
 */
export async function createDeployment(
  request: CreateRequest,
  options: CreateOptions
): Promise<string> {
  const input = createDeploymentInput(request)
  for (;;) {
    try {
      const out = await options.codedeploy.send(
        new CreateDeploymentCommand(input),
        signalOptions(options.signal)
      )
      if (!out.deploymentId) throw new Error('CreateDeployment returned no deployment id')
      return out.deploymentId
    } catch (error) {
      if (errorName(error) !== 'DeploymentLimitExceededException') throw error
      const message = error instanceof Error ? error.message : ''
      const active = ACTIVE_ID.exec(message)?.[0]
      if (!active) throw error
      options.reporter.info(
        `Deployment group '${request.deploymentGroup}' is busy with ${active}; waiting for it to finish before starting this one.`
      )
      const outcome = await waitForDeployment(active, {
        codedeploy: options.codedeploy,
        reporter: options.reporter,
        clock: options.clock,
        deadline: options.deadline,
        quiet: true,
        ...(options.signal ? { signal: options.signal } : {})
      })
      if (outcome.kind !== 'finished') {
        throw new InputError(
          `Deployment ${active} was still running when this run ${outcome.kind === 'timeout' ? 'timed out' : 'was cancelled'}; nothing was deployed. Raise 'timeout', or stop ${active} first.`
        )
      }
      options.reporter.info(
        `${active} ended ${outcome.deployment.status ?? ''}; creating the deployment now.`
      )
    }
  }
}

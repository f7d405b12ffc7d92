/**
 * The `github-deployment` input: a GitHub deployment for the named environment that follows the
 * CodeDeploy one (in_progress while it runs, then success, failure or error, or pending when the
 * step leaves a blue/green deployment at Ready), so the repository's
 * Environments page and the pull request show what is live and link to the CodeDeploy console.
 *
 * It is created before anything is written to AWS, so a token without `deployments: write` stops
 * the run while nothing has happened yet. The GitHub client is loaded only by a run that asks for
 * a GitHub deployment.
 */
import type { getOctokit } from '@actions/github'
import { InputError, errorMessage } from '../engine/errors.js'
import { consoleUrl } from '../engine/tell/links.js'
import type { RunRecord } from '../engine/tell/record.js'
import type { Reporter } from '../engine/reporter.js'
import { headline } from '../engine/tell/headline.js'
import type { Settings } from '../engine/inputs/settings.js'
import type { GitHubDeploymentSettings } from './inputs.js'

type Octokit = ReturnType<typeof getOctokit>
export type GitHubDeploymentState =
  'in_progress' | 'pending' | 'success' | 'failure' | 'error' | 'inactive'

/** What the deployment is created for: the step's command and target. */
export type GitHubDeploymentTarget = Pick<
  Settings,
  'command' | 'application' | 'deploymentGroup' | 'deploymentId'
>

/** GitHub cuts nothing: a status description over 140 characters is refused. */
const MAX_STATUS_DESCRIPTION = 140

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`
}

function status(error: unknown): number | undefined {
  const value = (error as { status?: unknown } | undefined)?.status
  return typeof value === 'number' ? value : undefined
}

/**
 * The GitHub deployment's last state, from the run record: success when CodeDeploy succeeded (or
 * a blue/green deployment's traffic moved), in progress when it was not waited for, pending when
 * the step left it at Ready (the replacement is deployed, traffic not shifted: nothing new is live
 * yet, and a later step continues it), inactive when a newer run superseded this one, failure
 * when the deployment failed, timed out or was cancelled, error when the run itself failed.
 */
export function finalState(record: RunRecord): GitHubDeploymentState {
  switch (record.outcome) {
    case 'succeeded':
    case 'rerouted':
      return 'success'
    case 'created':
      return 'in_progress'
    case 'ready':
      return 'pending'
    case 'skipped':
    case 'stopped':
      return 'inactive'
    case 'failed':
    case 'timed-out':
    case 'cancelled':
      return 'failure'
    default:
      return 'error'
  }
}

/** The final status's description: the headline, or for Ready one that fits GitHub's limit. */
export function finalDescription(record: RunRecord): string {
  const id = record.deployment?.id
  if (record.outcome === 'ready' && id)
    return `${id} Ready: replacement deployed, traffic not yet shifted. Shift it with command: continue, deployment-id: ${id}`
  return headline(record)
}

/** The deployment's own description and first status: what this step does, and to what. */
function describe(target: GitHubDeploymentTarget): { description: string; starting: string } {
  const where =
    target.application && target.deploymentGroup
      ? `${target.application} / ${target.deploymentGroup}`
      : ''
  if (target.command === 'continue' && target.deploymentId) {
    return {
      description: `CodeDeploy: continues ${target.deploymentId}${where ? ` (${where})` : ''}`,
      starting: `Continuing ${target.deploymentId} (traffic reroute or end of the termination wait)`
    }
  }
  if (target.command === 'wait' && target.deploymentId) {
    return {
      description: `CodeDeploy: waits for ${target.deploymentId}${where ? ` (${where})` : ''}`,
      starting: `Following ${target.deploymentId} to its end`
    }
  }
  return {
    description: `CodeDeploy ${where}`,
    starting: 'Packaging and deploying with CodeDeploy'
  }
}

export class GitHubDeployment {
  private constructor(
    private readonly octokit: Octokit,
    private readonly settings: GitHubDeploymentSettings,
    private readonly owner: string,
    private readonly repo: string,
    readonly id: number
  ) {}

  /** Creates the deployment and marks it in progress. Throws InputError with the fix when GitHub refuses. */
  static async start(
    settings: GitHubDeploymentSettings,
    target: GitHubDeploymentTarget,
    reporter: Reporter
  ): Promise<GitHubDeployment> {
    const [owner, repo] = settings.repository.split('/') as [string, string]
    const github = await import('@actions/github')
    const octokit = github.getOctokit(settings.token, { baseUrl: settings.apiUrl })
    const { description, starting } = describe(target)
    let id: number
    try {
      const response = await octokit.rest.repos.createDeployment({
        owner,
        repo,
        ref: settings.ref,
        environment: settings.environment,
        description: cut(description, MAX_STATUS_DESCRIPTION),
        auto_merge: false,
        required_contexts: [],
        payload: {
          application: target.application,
          deploymentGroup: target.deploymentGroup,
          ...((target.command === 'continue' || target.command === 'wait') && target.deploymentId
            ? { deploymentId: target.deploymentId }
            : {})
        }
      })
      if (!('id' in response.data))
        throw new Error(`GitHub did not create the deployment: ${response.data.message ?? ''}`)
      id = response.data.id
    } catch (error) {
      const code = status(error)
      if (code === 403 || code === 401 || code === 404) {
        throw new InputError(
          `GitHub refused to create a deployment for environment '${settings.environment}' in ${settings.repository} (HTTP ${code}: ${errorMessage(error)}). Give the job 'permissions: deployments: write' (and 'contents: read'), or remove 'github-deployment'.`
        )
      }
      throw error
    }
    const deployment = new GitHubDeployment(octokit, settings, owner, repo, id)
    reporter.info(`GitHub deployment ${id} for environment '${settings.environment}'.`)
    await deployment.report('in_progress', starting, reporter)
    return deployment
  }

  /** The final status, told from the run record. */
  finish(record: RunRecord, reporter: Reporter, signal?: AbortSignal): Promise<void> {
    const id = record.deployment?.id
    return this.report(
      finalState(record),
      finalDescription(record),
      reporter,
      id ? consoleUrl(record.region, id) : undefined,
      signal
    )
  }

  /** Adds a status. A failure here is a warning: the CodeDeploy outcome is what the step reports. */
  async report(
    state: GitHubDeploymentState,
    description: string,
    reporter: Reporter,
    environmentUrl?: string,
    signal?: AbortSignal
  ): Promise<void> {
    try {
      await this.octokit.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: this.id,
        state,
        description: cut(description, MAX_STATUS_DESCRIPTION),
        ...(this.settings.runUrl ? { log_url: this.settings.runUrl } : {}),
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        auto_inactive: state === 'success',
        ...(signal ? { request: { signal } } : {})
      })
    } catch (error) {
      reporter.warning(
        `Could not set GitHub deployment ${this.id} to ${state}: ${errorMessage(error)}`
      )
    }
  }
}

/**
 * The inputs only the action has (the GitHub deployment, the workflow artifact), read through
 * @actions/core; the host reads the rest into the engine's settings.
 */
import * as core from '@actions/core'
import { InputError } from '../engine/errors.js'
import type { Settings } from '../engine/inputs/settings.js'
import type { WorkflowInput } from '../engine/inputs/names.js'

/** Inputs of the action alone: the CLI has no GitHub run to attach a deployment to. */
export const ActionInput = {
  ArtifactName: 'artifact-name',
  GitHubDeployment: 'github-deployment',
  GitHubToken: 'github-token'
} as const satisfies Record<string, WorkflowInput>

/** Reads one of them: core.getInput on a runner. */
export type WorkflowInputSource = (name: WorkflowInput) => string
const fromRunner: WorkflowInputSource = name => core.getInput(name)

/** Characters GitHub refuses in an artifact name. */
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\\/\r\n]/

export interface GitHubDeploymentSettings {
  /** GitHub environment name, e.g. `staging`. */
  environment: string
  token: string
  /** `owner/repo` */
  repository: string
  /** The commit being deployed. */
  ref: string
  apiUrl: string
  runUrl?: string
}

/** The `github-deployment` request, or undefined when it is off. Needs a runner's environment. */
export function readGitHubDeployment(
  env: NodeJS.ProcessEnv = process.env,
  get: WorkflowInputSource = fromRunner
): GitHubDeploymentSettings | undefined {
  const environment = get(ActionInput.GitHubDeployment)
  if (!environment) return undefined
  const token = get(ActionInput.GitHubToken)
  if (token) core.setSecret(token)
  const problems: string[] = []
  if (environment.length > 255)
    problems.push(`Input '${ActionInput.GitHubDeployment}' is longer than GitHub's 255 characters.`)
  if (!token)
    problems.push(
      `Input '${ActionInput.GitHubDeployment}' needs a token: leave '${ActionInput.GitHubToken}' at its default (\${{ github.token }}) and give the job 'permissions: deployments: write'.`
    )
  const repository = env.GITHUB_REPOSITORY ?? ''
  const ref = env.GITHUB_SHA || env.GITHUB_REF || ''
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository) || !ref)
    problems.push(
      `Input '${ActionInput.GitHubDeployment}' works inside a GitHub Actions job only (GITHUB_REPOSITORY and GITHUB_SHA are not set); remove it elsewhere.`
    )
  if (problems.length) throw new InputError(problems.join('\n'))
  const settings: GitHubDeploymentSettings = {
    environment,
    token,
    repository,
    ref,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com'
  }
  if (env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID)
    settings.runUrl = `${env.GITHUB_SERVER_URL}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
  return settings
}

/** The `artifact-name` input, checked; undefined when it is off. */
export function readArtifactName(
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
  get: WorkflowInputSource = fromRunner
): string | undefined {
  const name = get(ActionInput.ArtifactName)
  if (!name) return undefined
  const input = `Input '${ActionInput.ArtifactName}'`
  if (ARTIFACT_NAME_FORBIDDEN.test(name))
    throw new InputError(
      `${input} '${name}' has a character GitHub refuses in artifact names (" : < > | * ? \\ / or a line break). Use letters, digits, '-', '_' and '.'.`
    )
  if (settings.command === 'rollback' || settings.revision)
    throw new InputError(
      `${input} keeps the bundle this step builds, and this step builds none (${settings.revision ? "it deploys 'revision'" : "command 'rollback'"}). Set it on the step that packages.`
    )
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL)
    throw new InputError(
      `${input} works inside a GitHub Actions job only (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set); remove it elsewhere.`
    )
  return name
}

/**
 * The inputs only the action has (the GitHub deployment, the workflow artifact), read through
 * @actions/core; the host reads the rest into the engine's settings.
 */
import * as core from '@actions/core'
import { InputError } from '../engine/errors.js'
import { buildsBundle, type Settings } from '../engine/inputs/settings.js'
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
function readGitHubDeployment(
  environment: string,
  env: NodeJS.ProcessEnv,
  get: WorkflowInputSource
): GitHubDeploymentSettings {
  const token = get(ActionInput.GitHubToken)
  if (token) core.setSecret(token)
  const problems: string[] = []
  if (environment.length > 255)
    problems.push(
      `Input '${ActionInput.GitHubDeployment}' is ${environment.length} characters long, longer than GitHub's 255 characters for an environment name. Use a shorter environment name, e.g. staging or production.`
    )
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

/** The `artifact-name` input, checked (for a step that builds a bundle). */
function readArtifactName(name: string, env: NodeJS.ProcessEnv): string {
  const input = `Input '${ActionInput.ArtifactName}'`
  if (ARTIFACT_NAME_FORBIDDEN.test(name))
    throw new InputError(
      `${input} '${name}' has a character GitHub refuses in artifact names (" : < > | * ? \\ / or a line break). Use letters, digits, '-', '_' and '.'.`
    )
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL)
    throw new InputError(
      `${input} works inside a GitHub Actions job only (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set); remove it elsewhere.`
    )
  return name
}

/** What the action's own inputs ask for, and the warnings about those the step does not use. */
export interface WorkflowInputs {
  artifactName?: string
  gitHub?: GitHubDeploymentSettings
  warnings: string[]
}

const IGNORED = 'It is ignored; remove it from this step to silence this warning.'

/**
 * Reads and checks the action's own inputs for a step with these settings. One the step has no
 * use for (an artifact of a bundle it does not build, a GitHub deployment for a step that creates
 * none) is ignored with a warning, as the engine's unused inputs are.
 */
export function readWorkflowInputs(
  settings: Settings,
  env: NodeJS.ProcessEnv = process.env,
  get: WorkflowInputSource = fromRunner
): WorkflowInputs {
  const inputs: WorkflowInputs = { warnings: [] }
  const artifactName = get(ActionInput.ArtifactName)
  if (artifactName && !buildsBundle(settings))
    inputs.warnings.push(
      `Input '${ActionInput.ArtifactName}' is not used: it keeps the bundle a step builds, and this step builds none (${settings.revision || settings.gitHubRevision ? "it deploys 'revision'" : `command '${settings.command}'`}). ${IGNORED}`
    )
  else if (artifactName) inputs.artifactName = readArtifactName(artifactName, env)
  const environment = get(ActionInput.GitHubDeployment)
  if (environment && (settings.command === 'package' || settings.command === 'stop'))
    inputs.warnings.push(
      `Input '${ActionInput.GitHubDeployment}' is not used: it follows a CodeDeploy deployment, and command '${settings.command}' ${settings.command === 'stop' ? 'ends one' : 'creates none'}. ${IGNORED}`
    )
  else if (environment) inputs.gitHub = readGitHubDeployment(environment, env, get)
  return inputs
}

/**
 * The action: read inputs, build the AWS clients, run the engine, fail the step unless the
 * deployment succeeded. A cancelled job (SIGINT, then SIGTERM from the runner) aborts the engine,
 * which stops the deployment as `on-cancel` says instead of leaving it unwatched.
 */
import * as core from '@actions/core'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClients } from './aws.js'
import {
  DeploymentFailedError,
  InputError,
  errorMessage,
  failureAnnotation
} from './engine/errors.js'
import { runEngine, type EngineDeps } from './engine/run.js'
import { ActionReporter, annotationProperties } from './action/reporter.js'
import { GitHubDeployment, type GitHubDeploymentState } from './action/github-deployment.js'
import { uploadBundleArtifact } from './action/artifact.js'
import {
  ActionInput,
  readArtifactName,
  readGitHubDeployment,
  readSettings
} from './action/inputs.js'

/** Test seams: everything else comes from the environment, as on a runner. */
export type RunOverrides = Partial<
  Pick<EngineDeps, 'clock' | 'pollIntervalMs' | 'rollbackLinkWaitMs' | 'signal'>
>

function runContext(): EngineDeps['context'] {
  const env = process.env
  const context: NonNullable<EngineDeps['context']> = {}
  if (env.GITHUB_SHA) context.sha = env.GITHUB_SHA
  if (env.GITHUB_REF_NAME || env.GITHUB_REF) context.ref = env.GITHUB_REF_NAME || env.GITHUB_REF
  if (env.GITHUB_ACTOR) context.actor = env.GITHUB_ACTOR
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    context.runUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
  }
  return context
}

/** The GitHub deployment's last state and its description, from what the engine reported. */
function finalState(
  reporter: ActionReporter,
  state: GitHubDeploymentState
): [GitHubDeploymentState, string] {
  const id = reporter.outputs['deployment-id']
  const status = reporter.outputs.status
  const rollback = reporter.outputs['rollback-deployment-id']
  if (state === 'in_progress')
    return [state, `CodeDeploy ${id ?? ''} created; not followed (wait: false)`]
  if (!id) return [state, 'Stopped before a CodeDeploy deployment was created']
  const rolledBack = rollback
    ? `; rollback ${rollback} ${reporter.outputs['rollback-status'] ?? 'started'}`
    : ''
  return [state, `CodeDeploy ${id} ${status ?? 'did not finish'}${rolledBack}`]
}

export async function run(overrides: RunOverrides = {}): Promise<void> {
  const controller = new AbortController()
  const cancel = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    core.warning(`Received ${signal}: cancelling.`)
    controller.abort()
  }
  const onInt = (): void => cancel('SIGINT')
  const onTerm = (): void => cancel('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  overrides.signal?.addEventListener('abort', () => controller.abort(), { once: true })

  const tempDir = await mkdtemp(
    path.join(process.env.RUNNER_TEMP || tmpdir(), 'codedeploy-bridge-')
  )
  let clients: Awaited<ReturnType<typeof createClients>> | undefined
  const reporter = new ActionReporter()
  let gitHubDeployment: GitHubDeployment | undefined
  let wait = true
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
    const settings = readSettings(workspace)
    wait = settings.wait
    const artifactName = readArtifactName(settings)
    const gitHub = readGitHubDeployment()
    if (gitHub && settings.command === 'package') {
      throw new InputError(
        `Input '${ActionInput.GitHubDeployment}' follows a CodeDeploy deployment, and command 'package' creates none. Remove it from this step and set it on the step that deploys.`
      )
    }
    clients = await createClients(
      process.env.GITHUB_RUN_ID ? { runId: process.env.GITHUB_RUN_ID } : {}
    )
    if (gitHub) gitHubDeployment = await GitHubDeployment.start(gitHub, settings, reporter)
    const { signal: _ignored, ...seams } = overrides
    await runEngine(settings, {
      ...seams,
      codedeploy: clients.codedeploy,
      s3: clients.s3,
      region: clients.region,
      reporter,
      workspace,
      tempDir,
      signal: controller.signal,
      context: runContext(),
      ...(artifactName
        ? {
            publishBundle: {
              title: `Keeping the bundle as workflow artifact '${artifactName}'`,
              publish: (bundle, revision) =>
                uploadBundleArtifact(artifactName, bundle, revision, reporter, tempDir)
            }
          }
        : {})
    })
    await gitHubDeployment?.report(
      ...finalState(reporter, wait ? 'success' : 'in_progress'),
      reporter,
      reporter.outputs['console-url']
    )
  } catch (error) {
    await gitHubDeployment?.report(
      ...finalState(reporter, error instanceof DeploymentFailedError ? 'failure' : 'error'),
      reporter,
      reporter.outputs['console-url']
    )
    // One error annotation per failed run: setFailed's, with the engine's title and place.
    core.error(errorMessage(error), annotationProperties(failureAnnotation(error)))
    process.exitCode = core.ExitCode.Failure
  } finally {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
    clients?.codedeploy.destroy()
    clients?.s3.destroy()
    await rm(tempDir, { recursive: true, force: true })
  }
}

/**
 * The action: read the inputs, build the AWS clients, run the engine, then say what happened, all
 * from the run record: outputs, job summary, GitHub deployment status, and the step's failure
 * unless the run passed. A cancelled job (SIGINT, then SIGTERM from the runner) aborts the engine,
 * which handles its deployment as `on-cancel` says instead of leaving it unwatched.
 */
import * as core from '@actions/core'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClients, destroyClients, type AwsClients } from './aws.js'
import { cacheDirectory } from './engine/revision/cache.js'
import { describeProxy } from './proxy.js'
import { uploadBundleArtifact } from './action/artifact.js'
import { GitHubDeployment } from './action/github-deployment.js'
import {
  ActionInput,
  readArtifactName,
  readGitHubDeployment,
  readSettings
} from './action/inputs.js'
import { OutputWriter, exit, writeSummary } from './action/report.js'
import { ActionReporter } from './action/reporter.js'
import type { RunContext } from './engine/inputs/description.js'
import { InputError, errorMessage } from './engine/errors.js'
import type { RunIdentity } from './engine/deploy/marker.js'
import { RunFailedError, failedBeforeRun, type RunRecord } from './engine/tell/record.js'
import { runEngine, type EngineDeps } from './engine/run.js'
import type { Command } from './engine/inputs/settings.js'

/** Test seams: everything else comes from the environment, as on a runner. */
export type RunOverrides = Partial<
  Pick<EngineDeps, 'clock' | 'pollIntervalMs' | 'rollbackLinkWaitMs' | 'signal' | 'cancelBudgetMs'>
>

function runContext(env: NodeJS.ProcessEnv): RunContext {
  const context: RunContext = {}
  if (env.GITHUB_SHA) context.sha = env.GITHUB_SHA
  if (env.GITHUB_REF_NAME || env.GITHUB_REF) context.ref = env.GITHUB_REF_NAME || env.GITHUB_REF
  if (env.GITHUB_ACTOR) context.actor = env.GITHUB_ACTOR
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    context.runUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
  }
  return context
}

function runIdentity(env: NodeJS.ProcessEnv): RunIdentity {
  const identity: RunIdentity = {}
  if (env.GITHUB_WORKFLOW_REF) identity.workflowRef = env.GITHUB_WORKFLOW_REF
  if (env.GITHUB_RUN_NUMBER && /^\d+$/.test(env.GITHUB_RUN_NUMBER))
    identity.runNumber = Number(env.GITHUB_RUN_NUMBER)
  if (env.GITHUB_RUN_ATTEMPT && /^\d+$/.test(env.GITHUB_RUN_ATTEMPT))
    identity.runAttempt = Number(env.GITHUB_RUN_ATTEMPT)
  return identity
}

/** The command asked for, for a run that fails before its settings could be read. */
function commandInput(): Command {
  const raw = core.getInput('command').trim().toLowerCase()
  return raw === 'package' || raw === 'rollback' || raw === 'continue' ? raw : 'deploy'
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
  const reporter = new ActionReporter()
  const outputs = new OutputWriter()
  let clients: AwsClients | undefined
  let gitHubDeployment: GitHubDeployment | undefined
  let record: RunRecord
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
    const settings = readSettings(workspace, !!process.env.GITHUB_WORKSPACE)
    const artifactName = readArtifactName(settings)
    const gitHub = readGitHubDeployment()
    if (gitHub && settings.command === 'package') {
      throw new InputError(
        `Input '${ActionInput.GitHubDeployment}' follows a CodeDeploy deployment, and command 'package' creates none. Remove it from this step and set it on the step that deploys.`
      )
    }
    clients = await createClients({
      ...(process.env.GITHUB_RUN_ID ? { runId: process.env.GITHUB_RUN_ID } : {}),
      platforms: settings.appspec !== undefined
    })
    const proxy = describeProxy()
    if (proxy) reporter.info(proxy)
    if (gitHub) gitHubDeployment = await GitHubDeployment.start(gitHub, settings, reporter)
    const { signal: _ignored, ...seams } = overrides
    record = await runEngine(settings, {
      ...seams,
      codedeploy: clients.codedeploy,
      s3: clients.s3,
      ...(clients.ecs ? { ecs: clients.ecs } : {}),
      ...(clients.lambda ? { lambda: clients.lambda } : {}),
      region: clients.region,
      reporter,
      workspace,
      tempDir,
      signal: controller.signal,
      context: runContext(process.env),
      sourceDateEpoch: process.env.SOURCE_DATE_EPOCH ?? '',
      identity: runIdentity(process.env),
      onRecord: current => outputs.write(current),
      cacheDir: cacheDirectory(process.env),
      ...(artifactName
        ? {
            publishBundle: {
              name: artifactName,
              title: `Keeping the bundle as workflow artifact '${artifactName}'`,
              publish: bundle => uploadBundleArtifact(artifactName, bundle, reporter, tempDir)
            }
          }
        : {})
    })
  } catch (error) {
    record =
      error instanceof RunFailedError
        ? error.record
        : failedBeforeRun(
            commandInput(),
            clients?.region ?? '',
            errorMessage(error),
            error instanceof InputError
          )
  } finally {
    destroyClients(clients)
    await rm(tempDir, { recursive: true, force: true })
  }
  // The signal handlers stay until the end: a second signal must not kill the report.
  outputs.write(record)
  await writeSummary(record)
  // The failure line first: after a cancel, the runner's kill may come before GitHub answers.
  exit(record)
  await gitHubDeployment?.finish(
    record,
    reporter,
    controller.signal.aborted ? AbortSignal.timeout(2000) : undefined
  )
  process.off('SIGINT', onInt)
  process.off('SIGTERM', onTerm)
}

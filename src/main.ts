/**
 * The action: the host (host.ts) runs the command; this adapter reads the inputs through
 * @actions/core and says what happened, all from the run record: outputs (set as soon as each is
 * known), job summary, GitHub deployment status, and the step's failure unless the run passed.
 */
import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import { uploadBundleArtifact } from './action/artifact.js'
import { GitHubDeployment } from './action/github-deployment.js'
import { readWorkflowInputs, type GitHubDeploymentSettings } from './action/inputs.js'
import { OutputWriter, exit, writeSummary } from './action/report.js'
import { ActionReporter } from './action/reporter.js'
import type { RunContext } from './engine/inputs/description.js'
import type { RunIdentity } from './engine/deploy/marker.js'
import type { RunRecord } from './engine/tell/record.js'
import { host, type Adapter, type HostSeams } from './host.js'

/** Test seams: everything else comes from the environment, as on a runner. */
export type RunOverrides = HostSeams

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

/** The action as the host's adapter, for one run in this process. */
function actionAdapter(env: NodeJS.ProcessEnv): Adapter<void> {
  const reporter = new ActionReporter()
  const outputs = new OutputWriter()
  let artifactName: string | undefined
  let gitHub: GitHubDeploymentSettings | undefined
  let gitHubDeployment: GitHubDeployment | undefined
  return {
    reporter,
    input: name => core.getInput(name),
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    confine: !!env.GITHUB_WORKSPACE,
    tempRoot: env.RUNNER_TEMP || tmpdir(),
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    cancelling: signal => core.warning(`Received ${signal}: cancelling.`),
    repeatedSignal: 'ignore',
    check: settings => {
      const own = readWorkflowInputs(settings, env)
      for (const warning of own.warnings) reporter.warning(warning)
      artifactName = own.artifactName
      gitHub = own.gitHub
    },
    start: async (settings, { tempDir }) => {
      if (gitHub) gitHubDeployment = await GitHubDeployment.start(gitHub, settings, reporter)
      const name = artifactName
      return {
        context: runContext(env),
        identity: runIdentity(env),
        onRecord: current => outputs.write(current),
        ...(name
          ? {
              publishBundle: {
                name,
                title: `Keeping the bundle as workflow artifact '${name}'`,
                publish: bundle => uploadBundleArtifact(name, bundle, reporter, tempDir)
              }
            }
          : {})
      }
    },
    finish: async (record: RunRecord, interrupted: boolean) => {
      outputs.write(record)
      await writeSummary(record)
      // The failure line first: after a cancel, the runner's kill may come before GitHub answers.
      exit(record)
      await gitHubDeployment?.finish(
        record,
        reporter,
        interrupted ? AbortSignal.timeout(2000) : undefined
      )
    }
  }
}

export async function run(overrides: RunOverrides = {}): Promise<void> {
  await host(actionAdapter(process.env), overrides)
}

/**
 * One host for both entries, the action (main.ts) and the CLI (cli/main.ts): it owns the process
 * around one run of the engine. It installs the signal handlers, makes and removes the temp
 * directory, reads the settings, builds the AWS clients, runs the engine, turns a failure before
 * the run into a record, and hands the record to the adapter, which says what happened (the
 * action: outputs, summary, GitHub deployment status, the step's failure; the CLI: its printout
 * and exit code).
 *
 * Signals: the first SIGINT or SIGTERM aborts the engine, which handles its deployment as
 * `on-cancel` says. A runner sends SIGINT, then SIGTERM about 7.5 s later, then kills the process
 * about 2.5 s after that, so the action ignores the second signal (it must not kill the report);
 * in a terminal a second Ctrl-C quits at once.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { createClients, destroyClients, type AwsClients } from './aws.js'
import { describeProxy } from './proxy.js'
import { cacheDirectory } from './engine/revision/cache.js'
import { InputError, errorMessage } from './engine/errors.js'
import {
  callsAws,
  commandOf,
  loadStructuredParser,
  parseInputs,
  type InputSource,
  type Settings
} from './engine/inputs/settings.js'
import { RunFailedError, failedBeforeRun, type RunRecord } from './engine/tell/record.js'
import type { Reporter } from './engine/reporter.js'
import { runEngine, type EngineDeps } from './engine/run.js'

/** What the engine takes from the adapter rather than from the host. */
export type AdapterDeps = Partial<
  Pick<
    EngineDeps,
    'context' | 'identity' | 'onRecord' | 'publishBundle' | 'cacheDir' | 'sourceDateEpoch'
  >
>

/** What an entry tells the host, and what the host leaves to it. */
export interface Adapter<Result> {
  /** How the engine and the host speak while the run goes. */
  reporter: Reporter
  /** One raw input by its action.yml name; '' when not given. */
  input: InputSource
  /** Where relative paths start; with `confine`, every path input must be inside it. */
  workspace: string
  confine: boolean
  /** The directory the run's temp directory is made in (RUNNER_TEMP on a runner). */
  tempRoot: string
  /** Identifies the run in the AWS user agent, e.g. the workflow run id. */
  runId?: string
  /** Says that a signal cancels the run. */
  cancelling(signal: NodeJS.Signals): void
  /** A second signal: ignored, or the process exits at once with this code. */
  repeatedSignal: 'ignore' | number
  /**
   * The adapter's own inputs, checked with the settings, before any AWS client is built; throws
   * an InputError to end the run there.
   */
  check?(settings: Settings): void
  /**
   * After AWS access is resolved and before the engine starts: what the adapter starts (a GitHub
   * deployment) and what it adds to the engine's deps. Throwing ends the run before anything is
   * written to AWS.
   */
  start?(settings: Settings, scope: { tempDir: string }): Promise<AdapterDeps>
  /** Says what happened, from the record alone; `interrupted` when the run was cancelled. */
  finish(record: RunRecord, interrupted: boolean): Promise<Result>
}

/** Test seams of the engine: everything else comes from the environment. */
export type HostSeams = Partial<
  Pick<EngineDeps, 'clock' | 'pollIntervalMs' | 'rollbackLinkWaitMs' | 'cancelBudgetMs'>
> & {
  /** Aborts the run as a signal would (tests). */
  signal?: AbortSignal
}

/** Runs one command for an entry; resolves with what the adapter's `finish` says. */
export async function host<Result>(
  adapter: Adapter<Result>,
  seams: HostSeams = {}
): Promise<Result> {
  const { signal: external, ...engineSeams } = seams
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      adapter.cancelling(signal)
      controller.abort()
    } else if (adapter.repeatedSignal !== 'ignore') {
      process.exit(adapter.repeatedSignal)
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  external?.addEventListener('abort', () => controller.abort(), { once: true })
  try {
    const record = await runOnce(adapter, engineSeams, controller.signal)
    // The signal handlers stay until the end: a second signal must not kill the report.
    return await adapter.finish(record, controller.signal.aborted)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** The run's record, whether the engine ran or the run failed before it. */
async function runOnce<Result>(
  adapter: Adapter<Result>,
  seams: Omit<HostSeams, 'signal'>,
  signal: AbortSignal
): Promise<RunRecord> {
  const { reporter, workspace } = adapter
  const tempDir = await mkdtemp(path.join(adapter.tempRoot, 'codedeploy-bridge-'))
  let clients: AwsClients | undefined
  try {
    const parse = await loadStructuredParser(adapter.input)
    const { settings, warnings } = parseInputs(adapter.input, workspace, {
      confine: adapter.confine,
      tempRoot: adapter.tempRoot,
      gitHub: { repository: process.env.GITHUB_REPOSITORY, sha: process.env.GITHUB_SHA },
      ...(parse ? { parse } : {})
    })
    for (const warning of warnings) reporter.warning(warning)
    adapter.check?.(settings)
    clients = await createClients({
      ...(adapter.runId ? { runId: adapter.runId } : {}),
      platforms: settings.appspec !== undefined,
      access: callsAws(settings)
    })
    const proxy = describeProxy()
    if (proxy) reporter.info(proxy)
    const added = (await adapter.start?.(settings, { tempDir })) ?? {}
    return await runEngine(settings, {
      sourceDateEpoch: process.env.SOURCE_DATE_EPOCH ?? '',
      cacheDir: cacheDirectory(process.env),
      ...added,
      ...seams,
      codedeploy: clients.codedeploy,
      s3: clients.s3,
      ...(clients.ecs ? { ecs: clients.ecs } : {}),
      ...(clients.lambda ? { lambda: clients.lambda } : {}),
      region: clients.region,
      reporter,
      workspace,
      tempDir,
      signal
    })
  } catch (error) {
    if (error instanceof RunFailedError) return error.record
    return failedBeforeRun(
      commandOf(adapter.input('command')),
      clients?.region ?? '',
      errorMessage(error),
      error instanceof InputError
    )
  } finally {
    destroyClients(clients)
    await rm(tempDir, { recursive: true, force: true })
  }
}

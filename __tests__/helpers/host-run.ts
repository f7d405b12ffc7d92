/**
 * Runs of the real host (src/host.ts: the clients, the engine, the record) side by side in this
 * process, as several runners would, each with its own inputs and workflow run. runInProcess
 * (./action.ts) cannot run two at once: @actions/core reads its inputs and writes its outputs
 * through process.env. Here the inputs come from a map, the run's identity from its own adapter,
 * and the outputs from the record, as the action derives them (outputsOf). What every run shares
 * is the stack's environment (endpoints, credentials, region), put into process.env by
 * `useStackEnv` for as long as the file's tests run.
 */
import { afterAll, beforeAll } from '@jest/globals'
import { tmpdir } from 'node:os'
import type { RunIdentity } from '../../src/engine/deploy/marker.js'
import { RecordingReporter } from '../../src/engine/reporter.js'
import { outputsOf } from '../../src/engine/tell/headline.js'
import { passed, type RunRecord } from '../../src/engine/tell/record.js'
import { host } from '../../src/host.js'

export const WORKFLOW = 'octo/shop/.github/workflows/deploy.yml@refs/heads/main'

export interface HostRun {
  record: RunRecord
  passed: boolean
  outputs: Record<string, string>
  /** Every line and annotation the run said, one a line (`notice: …`, `warning: …`). */
  log: string
}

/** Puts `env()` into process.env before the file's tests, and takes it out after them. */
export function useStackEnv(env: () => Record<string, string>): void {
  const saved: Record<string, string | undefined> = {}
  beforeAll(() => {
    for (const [name, value] of Object.entries(env())) {
      saved[name] = process.env[name]
      process.env[name] = value
    }
  })
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })
}

/** The identity of run number `run` of the test workflow, as GITHUB_RUN_NUMBER would give it. */
export function runOf(run: number): RunIdentity {
  return { workflowRef: WORKFLOW, runNumber: run, runAttempt: 1 }
}

/** One run of the host with these inputs (action.yml names), from `workspace`. */
export async function hostRun(
  inputs: Record<string, string>,
  workspace: string,
  identity: RunIdentity = {}
): Promise<HostRun> {
  const reporter = new RecordingReporter()
  const record = await host<RunRecord>(
    {
      reporter,
      input: name => inputs[name] ?? '',
      workspace,
      confine: true,
      tempRoot: tmpdir(),
      cancelling: () => undefined,
      repeatedSignal: 'ignore',
      start: () => Promise.resolve({ identity }),
      finish: done => Promise.resolve(done)
    },
    { pollIntervalMs: { min: 20, max: 200 }, rollbackLinkWaitMs: 3000 }
  )
  const outputs: Record<string, string> = {}
  for (const [name, value] of Object.entries(outputsOf(record)))
    if (value !== undefined) outputs[name] = String(value)
  return { record, passed: passed(record), outputs, log: reporter.lines.join('\n') }
}

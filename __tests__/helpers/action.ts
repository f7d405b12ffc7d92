/**
 * Runs the action's run() in this process the way a runner would: INPUT_* variables, output and
 * summary files, captured log. Restores the environment afterwards.
 */
import { jest } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseOutputFile } from '../../local/run-action.js'
import { DECLARED_INPUTS } from '../../src/engine/inputs/declared.js'
import { run, type RunOverrides } from '../../src/main.js'

export interface InProcessRun {
  failed: boolean
  log: string
  outputs: Record<string, string>
  summary: string
}

/**
 * One summary file for every run in this process, emptied before each: @actions/core's summary
 * keeps the first GITHUB_STEP_SUMMARY path it sees, as a runner runs one step per process.
 */
let summaryFile: string | undefined

export async function runInProcess(
  inputs: Record<string, string>,
  env: Record<string, string>,
  overrides: RunOverrides = {},
  /** Sees each chunk the run writes, as it writes it (e.g. to cancel at a given line). */
  onOutput?: (chunk: string) => void
): Promise<InProcessRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-run-'))
  const outputFile = path.join(dir, 'output')
  summaryFile ??= path.join(await mkdtemp(path.join(tmpdir(), 'cdb-summary-')), 'summary.md')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  Object.assign(process.env, env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: env.RUNNER_TEMP ?? dir
  })
  // As a runner does: every input action.yml gives a default is set, given or not (a default
  // that is an expression, such as github.token, has no value here: the test gives it).
  const declared: Record<string, { default?: string; description: string }> = DECLARED_INPUTS
  for (const [name, input] of Object.entries(declared))
    if (input.default !== undefined && !input.default.includes('${{'))
      process.env[`INPUT_${name.toUpperCase()}`] = input.default
  for (const [name, value] of Object.entries(inputs))
    process.env[`INPUT_${name.toUpperCase()}`] = value
  const lines: string[] = []
  const write = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      lines.push(chunk.toString())
      onOutput?.(chunk.toString())
      return true
    })
  const exitCode = process.exitCode
  process.exitCode = undefined
  try {
    await run({ pollIntervalMs: { min: 20, max: 100 }, rollbackLinkWaitMs: 3000, ...overrides })
    return {
      failed: process.exitCode === 1,
      log: lines.join(''),
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8')
    }
  } finally {
    write.mockRestore()
    process.exitCode = exitCode
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await rm(dir, { recursive: true, force: true })
  }
}

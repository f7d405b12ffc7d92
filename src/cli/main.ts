/**
 * The same engine from a terminal:
 *
 *   codedeploy-bridge --application my-app --deployment-group prod --bucket my-bundles --source ./build
 *
 * Flags are the action's input names (args.ts). Credentials, region and endpoints come from the
 * usual AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_*). The host (../host.ts) runs
 * the command; this adapter prints what happened and picks the exit code (usage.ts lists them).
 */
import { appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { host } from '../host.js'
import { parseArgs, type CliArgs } from './args.js'
import { TerminalReporter } from './reporter.js'
import { EXIT_CODES, usage } from './usage.js'
import { errorMessage } from '../engine/errors.js'
import { passed, type RunRecord } from '../engine/tell/record.js'
import { INPUT_NAMES } from '../engine/inputs/settings.js'
import { renderSummary } from '../engine/tell/summary.js'
import { headline, outputsOf } from '../engine/tell/headline.js'

/** The inputs the CLI takes as flags: all of the engine's (the action's own need a GitHub run). */
const INPUTS: readonly string[] = INPUT_NAMES

/** What --json prints: the run's end, from its record. */
export interface JsonResult {
  headline: string
  outcome: string
  passed: boolean
  outputs: Record<string, string>
  error?: { message: string; input?: boolean }
}

function jsonResult(record: RunRecord): JsonResult {
  const result: JsonResult = {
    headline: headline(record),
    outcome: record.outcome ?? 'error',
    passed: passed(record),
    outputs: outputsOf(record)
  }
  if (record.error)
    result.error = {
      message: record.error.message,
      ...(record.error.input ? { input: true } : {})
    }
  return result
}

/**
 * Runs the CLI; resolves with its exit code. `write` takes stdout's lines, `writeError` stderr's
 * (the log goes there with --json).
 */
export async function main(
  argv: string[],
  write: (line: string) => void = line => console.log(line),
  writeError: (line: string) => void = line => console.error(line)
): Promise<number> {
  let args: CliArgs
  try {
    args = parseArgs(argv, INPUTS)
  } catch (error) {
    writeError(`error: ${errorMessage(error)}`)
    if (argv.includes('--json')) {
      const message = errorMessage(error)
      const result: JsonResult = {
        headline: message,
        outcome: 'error',
        passed: false,
        outputs: {},
        error: { message, input: true }
      }
      write(JSON.stringify(result))
    }
    return EXIT_CODES.badInput
  }
  if (args.help) {
    write(usage())
    return EXIT_CODES.passed
  }
  const log = args.json ? writeError : write
  return host({
    reporter: new TerminalReporter(log, { verbose: args.verbose }),
    input: name => args.inputs.get(name) ?? '',
    workspace: process.cwd(),
    confine: false,
    tempRoot: tmpdir(),
    cancelling: signal =>
      log(`Received ${signal}: cancelling (press Ctrl-C again to quit at once).`),
    repeatedSignal: EXIT_CODES.interrupted,
    finish: (record, interrupted) => report(record, args, interrupted, { write, log })
  })
}

/** The printout and the exit code, from the record. */
async function report(
  record: RunRecord,
  args: CliArgs,
  interrupted: boolean,
  to: { write: (line: string) => void; log: (line: string) => void }
): Promise<number> {
  if (args.summaryFile) await appendFile(args.summaryFile, `${renderSummary(record)}\n`)
  const ok = passed(record)
  const line = headline(record)
  to.log(ok ? line : `error: ${line}`)
  if (!ok && record.error && record.error.message.includes('\n')) to.log(record.error.message)
  if (args.json) to.write(JSON.stringify(jsonResult(record)))
  else for (const [name, value] of Object.entries(outputsOf(record))) to.write(`${name}=${value}`)
  if (ok) return EXIT_CODES.passed
  if (interrupted) return EXIT_CODES.interrupted
  return record.error?.input ? EXIT_CODES.badInput : EXIT_CODES.failed
}

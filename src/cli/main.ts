/**
 * The same engine from a terminal:
 *
 *   codedeploy-bridge --application my-app --deployment-group prod --bucket my-bundles --source ./build
 *
 * Flags are the action's input names (args.ts). Credentials, region and endpoints come from the
 * usual AWS environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_*). The host (../host.ts) runs
 * the command; this adapter prints what happened and picks the exit code (EXIT_CODES).
 */
import { appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { host } from '../host.js'
import { parseArgs, type CliArgs } from './args.js'
import { TerminalReporter } from './reporter.js'
import { errorMessage } from '../engine/errors.js'
import { passed, type RunRecord } from '../engine/tell/record.js'
import { Input } from '../engine/inputs/settings.js'
import { renderSummary } from '../engine/tell/summary.js'
import { headline, outputsOf } from '../engine/tell/headline.js'

/** The inputs the CLI takes as flags: all of the engine's (the action's own need a GitHub run). */
const INPUTS: readonly string[] = Object.values(Input)

export const EXIT_CODES = {
  passed: 0,
  failed: 1,
  badInput: 2,
  interrupted: 130
} as const

const USAGE = `Usage: codedeploy-bridge [--<input> <value>]... [--json] [--summary-file <path>] [--verbose]

Packages a directory with appspec.yml, uploads it to S3 and deploys it with CodeDeploy, follows
the deployment and explains a failure: the GitHub Action's engine, from a terminal.

Inputs (the action's input names, as --name value or --name=value):
${INPUTS.map(name => `  --${name}`).join('\n')}

Other flags:
  --json                  print one JSON object on stdout (headline, outcome, passed, outputs,
                          error); every log line goes to stderr
  --summary-file <path>   append the Markdown summary to this file
  --verbose               print debug lines
  -h, --help              show this text

Credentials, region and endpoints come from the AWS environment: AWS_PROFILE, AWS_REGION,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL_CODEDEPLOY, AWS_ENDPOINT_URL_S3, …

Exit codes:
  ${EXIT_CODES.passed}    passed: the deployment succeeded (or was created with --wait false,
       packaged, skipped as superseded, or left Ready with --on-ready exit)
  ${EXIT_CODES.failed}    failed: the deployment failed, timed out or was stopped, or the run broke off
  ${EXIT_CODES.badInput}    bad input: a flag, an input or the appspec needs fixing; nothing was written
       to AWS
  ${EXIT_CODES.interrupted}  interrupted: Ctrl-C or SIGTERM cancelled the run, and its deployment was
       handled as --on-cancel says (a second Ctrl-C quits at once)`

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
    write(USAGE)
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

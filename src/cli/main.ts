/**
 * The same engine from a terminal:
 *
 *   codedeploy-bridge --application my-app --deployment-group prod --bucket my-bundles --source ./build
 *
 * Flags are the action's input names. Credentials, region and endpoints come from the usual AWS
 * environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_*). Exit code 0 only when the deployment
 * succeeded (or was created, with --wait false); 2 for bad input.
 */
import { appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { host } from '../host.js'
import { TerminalReporter } from './reporter.js'
import { InputError, errorMessage } from '../engine/errors.js'
import { passed, type RunRecord } from '../engine/tell/record.js'
import { Input } from '../engine/inputs/settings.js'
import { renderSummary } from '../engine/tell/summary.js'
import { headline, outputsOf } from '../engine/tell/headline.js'

const NAMES = new Set<string>(Object.values(Input))

const USAGE = `Usage: codedeploy-bridge [--<input> <value>]...

Packages a directory with appspec.yml, uploads it to S3 and deploys it with CodeDeploy.
Inputs (same names as the GitHub Action):
${[...NAMES].map(n => `  --${n}`).join('\n')}
Other flags:
  --summary-file <path>   append the Markdown summary to this file
  --verbose               print debug lines
  --help                  show this text`

export interface CliArgs {
  inputs: Map<string, string>
  summaryFile?: string
  verbose: boolean
  help: boolean
}

/** Parses `--name value` and `--name=value`; throws InputError naming an unknown flag. */
export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { inputs: new Map(), verbose: false, help: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--help' || arg === '-h') {
      args.help = true
      continue
    }
    if (arg === '--verbose') {
      args.verbose = true
      continue
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!match?.[1])
      throw new InputError(
        `Unexpected argument '${arg}'. Flags look like --application my-app; see --help.`
      )
    const name = match[1]
    let value = match[2]
    if (value === undefined) {
      value = argv[i + 1]
      if (value === undefined) throw new InputError(`Flag --${name} needs a value.`)
      i++
    }
    if (name === 'summary-file') args.summaryFile = value
    else if (NAMES.has(name)) args.inputs.set(name, value)
    else throw new InputError(`Unknown flag --${name}. Known inputs: ${[...NAMES].join(', ')}.`)
  }
  return args
}

export async function main(
  argv: string[],
  write: (line: string) => void = line => console.log(line)
): Promise<number> {
  let args: CliArgs
  try {
    args = parseArgs(argv)
  } catch (error) {
    write(`error: ${errorMessage(error)}`)
    return 2
  }
  if (args.help) {
    write(USAGE)
    return 0
  }
  return host({
    reporter: new TerminalReporter(write, { verbose: args.verbose }),
    input: name => args.inputs.get(name) ?? '',
    workspace: process.cwd(),
    confine: false,
    tempRoot: tmpdir(),
    cancelling: () => write('Interrupted: cancelling (press Ctrl-C again to quit at once).'),
    repeatedSignal: 130,
    finish: record => report(record, args, write)
  })
}

/** The printout and the exit code, from the record: 0 passed, 2 bad input, 1 anything else. */
async function report(
  record: RunRecord,
  args: CliArgs,
  write: (line: string) => void
): Promise<number> {
  if (args.summaryFile) await appendFile(args.summaryFile, `${renderSummary(record)}\n`)
  const ok = passed(record)
  const line = headline(record)
  write(ok ? line : `error: ${line}`)
  if (!ok && record.error && record.error.message.includes('\n')) write(record.error.message)
  for (const [name, value] of Object.entries(outputsOf(record))) write(`${name}=${value}`)
  if (ok) return 0
  return record.error?.input ? 2 : 1
}

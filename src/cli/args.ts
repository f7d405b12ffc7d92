/**
 * The CLI's flags, parsed by node:util's parseArgs (strict): the action's input names as
 * `--name value` or `--name=value`, and the CLI's own flags. A flag it does not know, a flag
 * without its value, a stray argument or a flag given twice is an InputError that names it and
 * points at --help (the CLI exits 2).
 */
import { parseArgs as parseFlags, type ParseArgsConfig } from 'node:util'
import { InputError, errorMessage } from '../engine/errors.js'
import { didYouMean } from '../engine/inputs/suggest.js'

export interface CliArgs {
  /** The action's inputs given, by name. */
  inputs: Map<string, string>
  summaryFile?: string
  verbose: boolean
  help: boolean
  /** One JSON object on stdout, the log on stderr. */
  json: boolean
}

type Options = NonNullable<ParseArgsConfig['options']>

function options(inputs: readonly string[]): Options {
  const all: Options = {
    'summary-file': { type: 'string' },
    verbose: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  }
  for (const name of inputs) all[name] = { type: 'string' }
  return all
}

const SEE_HELP = 'See --help for the flags.'

/** Why strict parsing refused `argv`, named from its tokens (not from node's wording). */
function refusal(argv: string[], known: Options, error: unknown): InputError {
  const { tokens } = parseFlags({
    args: argv,
    options: known,
    strict: false,
    allowPositionals: true,
    tokens: true
  })
  const names = Object.keys(known)
  for (const token of tokens) {
    if (token.kind === 'positional')
      return new InputError(
        `Unexpected argument '${token.value}': every value follows its flag, e.g. --application my-app. ${SEE_HELP}`
      )
    if (token.kind !== 'option') continue
    const option = known[token.name]
    if (!option)
      return new InputError(
        `Unknown flag ${token.rawName}.${didYouMean(token.name, names).replace(/'([^']+)'/, '--$1')} ${SEE_HELP}`
      )
    if (option.type === 'boolean' && token.value !== undefined)
      return new InputError(`Flag --${token.name} takes no value. ${SEE_HELP}`)
    if (
      option.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
    )
      return new InputError(
        `Flag --${token.name} needs a value, e.g. --${token.name} <value> (a value that starts with '-' as --${token.name}=<value>). ${SEE_HELP}`
      )
  }
  return new InputError(`${errorMessage(error)} ${SEE_HELP}`)
}

/** What a strict parse gives: the values by flag name, and each flag as it was given. */
interface Parsed {
  values: Record<string, unknown>
  tokens: { kind: string; name?: string }[]
}

function strictly(argv: string[], known: Options): Parsed {
  try {
    return parseFlags({ args: argv, options: known, strict: true, tokens: true })
  } catch (error) {
    throw refusal(argv, known, error)
  }
}

/** Parses the CLI's arguments; `inputs` are the input names it takes as flags. */
export function parseArgs(argv: string[], inputs: readonly string[]): CliArgs {
  const known = options(inputs)
  const parsed = strictly(argv, known)
  const seen = new Set<string>()
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue
    if (seen.has(token.name))
      throw new InputError(`Flag --${token.name} is given twice: give it once. ${SEE_HELP}`)
    seen.add(token.name)
  }
  const values = parsed.values
  const args: CliArgs = {
    inputs: new Map(),
    verbose: values.verbose === true,
    help: values.help === true,
    json: values.json === true
  }
  const summaryFile = values['summary-file']
  if (typeof summaryFile === 'string') args.summaryFile = summaryFile
  for (const name of inputs) {
    const value = values[name]
    if (typeof value === 'string') args.inputs.set(name, value)
  }
  return args
}

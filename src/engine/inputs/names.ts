/**
 * The inputs' names and defaults, as action.yml declares them (declared.ts is generated from it):
 * which of them the engine reads, which the action reads itself, and the default each one takes
 * when it is left out.
 */
import { DECLARED_INPUTS, type DeclaredInput } from './declared.js'

/** Inputs that need a GitHub workflow run: the action reads them itself (src/action/inputs.ts). */
export const WORKFLOW_INPUTS = [
  'artifact-name',
  'github-deployment',
  'github-token'
] as const satisfies readonly DeclaredInput[]
export type WorkflowInput = (typeof WORKFLOW_INPUTS)[number]

/** An input of the engine: declared in action.yml, read by the action and the CLI alike. */
export type InputName = Exclude<DeclaredInput, WorkflowInput>

/** The engine's inputs, in action.yml's order: the CLI's flags. */
export const INPUT_NAMES: readonly InputName[] = Object.keys(DECLARED_INPUTS).filter(
  (name): name is InputName => !(WORKFLOW_INPUTS as readonly string[]).includes(name)
)

/** The inputs action.yml gives a default. */
export type DefaultedInput = {
  [K in DeclaredInput]: (typeof DECLARED_INPUTS)[K] extends { default: string } ? K : never
}[DeclaredInput]

/** action.yml's default for `name`, or undefined when it has none. */
export function defaultOf(name: DeclaredInput): string | undefined {
  const input: { default?: string; description: string } = DECLARED_INPUTS[name]
  return input.default
}

/** Reads one raw input by name; an empty string means "not given". */
export type InputSource = (name: InputName) => string

export const COMMANDS = ['deploy', 'package', 'rollback', 'continue', 'wait', 'stop'] as const
export type Command = (typeof COMMANDS)[number]

/** The commands that act on an existing deployment, named in `deployment-id`. */
export const BY_ID: readonly Command[] = ['continue', 'wait', 'stop']

/**
 * The command a run asked for, read leniently: what a run that fails before its settings could be
 * read is recorded as (anything unknown is the default command).
 */
export function commandOf(raw: string): Command {
  const value = (raw.trim() || defaultOf('command') || '').toLowerCase()
  return (COMMANDS as readonly string[]).includes(value) ? (value as Command) : 'deploy'
}

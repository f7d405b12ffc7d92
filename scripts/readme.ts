/**
 * Keeps what is written from other files in step with them: README.md's inputs and outputs
 * tables and src/engine/inputs/declared.ts (the inputs' names, defaults and descriptions as the
 * code reads them) from action.yml, and README.md's "What happens when…" table from the table the
 * decision test runs (__tests__/helpers/decide-cases.ts).
 *   npm run docs          rewrite them all
 *   (the test suite fails when they differ)
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import { parse } from 'yaml'
import { renderDecisionTable } from '../__tests__/helpers/decide-cases.js'

interface ActionSpec {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DECLARED_FILE = 'src/engine/inputs/declared.ts'

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

function cell(text: string): string {
  return oneLine(text.replace(/\|/g, '\\|'))
}

export function renderTables(actionYml: string): { inputs: string; outputs: string } {
  const spec = parse(actionYml) as ActionSpec
  const inputs = [
    '## Inputs',
    '',
    '| Input | Default | Description |',
    '|---|---|---|',
    ...Object.entries(spec.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.default ? `\`${input.default}\`` : ''} | ${cell(input.description)} |`
    )
  ].join('\n')
  const outputs = [
    '## Outputs',
    '',
    '| Output | Description |',
    '|---|---|',
    ...Object.entries(spec.outputs).map(
      ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`
    )
  ].join('\n')
  return { inputs, outputs }
}

function replaceBetween(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`)
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`
}

/** README.md as it should be for the given action.yml. */
export function updatedReadme(readme: string, actionYml: string): string {
  const tables = renderTables(actionYml)
  const withTables = replaceBetween(
    replaceBetween(readme, 'inputs', tables.inputs),
    'outputs',
    tables.outputs
  )
  return replaceBetween(withTables, 'decisions', renderDecisionTable())
}

/** src/engine/inputs/declared.ts as it should be for the given action.yml, formatted. */
export async function renderDeclared(actionYml: string): Promise<string> {
  const spec = parse(actionYml) as ActionSpec
  const entries = Object.entries(spec.inputs).map(([name, input]) => {
    const fields = [
      ...(input.default !== undefined ? [`default: ${JSON.stringify(input.default)}`] : []),
      `description: ${JSON.stringify(oneLine(input.description))}`
    ]
    return `${JSON.stringify(name)}: { ${fields.join(', ')} }`
  })
  const source = `/**
 * The action's inputs as action.yml declares them: each name, its default (what the runner passes
 * when a workflow leaves the input out) and its description. Generated from action.yml by
 * \`npm run docs\` (scripts/readme.ts); do not edit: the contract test fails when it differs.
 */
export const DECLARED_INPUTS = {
${entries.join(',\n')}
} as const

/** An input action.yml declares. */
export type DeclaredInput = keyof typeof DECLARED_INPUTS
`
  const file = path.join(ROOT, DECLARED_FILE)
  return format(source, { ...(await resolveConfig(file)), filepath: file })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const actionYml = readFileSync(path.join(ROOT, 'action.yml'), 'utf8')
  const readmePath = path.join(ROOT, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const next = updatedReadme(readme, actionYml)
  if (next !== readme) writeFileSync(readmePath, next)
  const declaredPath = path.join(ROOT, DECLARED_FILE)
  const declared = await renderDeclared(actionYml)
  if (readFileSync(declaredPath, { encoding: 'utf8', flag: 'a+' }) !== declared)
    writeFileSync(declaredPath, declared)
}

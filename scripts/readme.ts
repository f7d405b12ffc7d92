/**
 * Keeps README.md's inputs and outputs tables in step with action.yml, and its "What happens
 * when…" table with the table the decision test runs (__tests__/helpers/decide-cases.ts).
 *   npm run docs          rewrite the tables
 *   (the test suite fails when they differ)
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { renderDecisionTable } from '../__tests__/helpers/decide-cases.js'

interface ActionSpec {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
  outputs: Record<string, { description: string }>
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(ROOT, 'README.md')
  const readme = readFileSync(readmePath, 'utf8')
  const next = updatedReadme(readme, readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))
  if (next !== readme) writeFileSync(readmePath, next)
}

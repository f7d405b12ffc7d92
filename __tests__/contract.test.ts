import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { parse } from 'yaml'
import { updatedReadme } from '../scripts/readme.js'
import { ActionInput } from '../src/action/inputs.js'
import { Input } from '../src/engine/settings.js'

const actionYml = readFileSync('action.yml', 'utf8')
const action = parse(actionYml) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => `${e.parentPath}/${e.name}`)
}

describe('the public contract', () => {
  it('README tables match action.yml (run `npm run docs` to fix)', () => {
    const readme = readFileSync('README.md', 'utf8')
    expect(readme).toBe(updatedReadme(readme, actionYml))
  })

  it('every declared input is read by the settings parser, and every input read is declared', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      [...Object.values(Input), ...Object.values(ActionInput)].sort()
    )
  })

  it('every declared output is set somewhere in the engine', () => {
    const source = sourceFiles('src')
      .map(f => readFileSync(f, 'utf8'))
      .join('\n')
    for (const name of Object.keys(action.outputs)) {
      expect(source).toMatch(new RegExp(`output\\('${name}'`))
    }
  })

  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })
})

/**
 * The action starts by loading only what every run needs (issue 10's cold start): libraries a run
 * may not use are imported with import() where they are used, so ncc puts them in chunks of their
 * own. A static import of one of them anywhere on the entry's import graph would bring it back
 * into dist/index.js; this walks that graph in the source.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** Loaded only by the runs that use them. */
const LAZY = [
  '@actions/artifact',
  '@actions/github',
  '@aws-sdk/client-ecs',
  '@aws-sdk/client-lambda',
  'http-proxy-agent',
  'https-proxy-agent',
  'yaml',
  'ignore',
  'tar-stream'
]

/** The specifiers a file imports for their values: `import type` and all-type imports left out. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  const pattern = /^(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'([^']+)'/gms
  for (const match of text.matchAll(pattern)) {
    const [, typeOnly, clause = '', specifier = ''] = match
    if (typeOnly) continue
    const names = /\{([^}]*)\}/.exec(clause)?.[1]
    const hasDefaultOrNamespace = clause.replace(/\{[^}]*\}/, '').replace(/[\s,]/g, '') !== ''
    const allTypes =
      !hasDefaultOrNamespace &&
      names !== undefined &&
      names
        .split(',')
        .map(name => name.trim())
        .filter(Boolean)
        .every(name => name.startsWith('type '))
    if (!allTypes) found.push(specifier)
  }
  for (const match of text.matchAll(/^import\s+'([^']+)'/gm)) found.push(match[1]!)
  return found
}

/** Every package the entry loads at start, with a file that imports it. */
function startupPackages(entry: string): Map<string, string> {
  const packages = new Map<string, string>()
  const seen = new Set<string>()
  const queue = [path.resolve(entry)]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    for (const specifier of valueImports(file)) {
      if (specifier.startsWith('.')) {
        queue.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')))
      } else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!
        if (!packages.has(name)) packages.set(name, path.relative(process.cwd(), file))
      }
    }
  }
  return packages
}

describe("the action's start", () => {
  it('imports none of the libraries only some runs use', () => {
    const packages = startupPackages('src/index.ts')
    // The walk works: what every run needs is there.
    expect([...packages.keys()]).toEqual(
      expect.arrayContaining(['@actions/core', '@aws-sdk/client-codedeploy', '@aws-sdk/client-s3'])
    )
    const eager = LAZY.filter(name => packages.has(name)).map(
      name => `${name} (imported by ${packages.get(name)})`
    )
    expect(eager).toEqual([])
  })
})

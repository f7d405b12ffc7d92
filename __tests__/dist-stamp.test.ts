/**
 * The demo trusts the committed dist/ only when its stamp matches the source: the stamp must
 * change with every file the build reads, and with nothing else.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  builtStamp,
  distListing,
  distProblems,
  sourceStamp,
  STAMP_FILE
} from '../scripts/dist-stamp.js'

function lockfile(extra: Record<string, object>): string {
  return JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { yaml: '2.9.1' }, devDependencies: { jest: '30.5.2' } },
      'node_modules/yaml': { version: '2.9.1' },
      'node_modules/jest': { version: '30.5.2', dev: true },
      'node_modules/typescript': { version: '5.9.3', dev: true },
      ...extra
    }
  })
}

async function checkout(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'cdb-stamp-'))
  await mkdir(path.join(root, 'src/engine'), { recursive: true })
  await mkdir(path.join(root, 'dist'))
  await writeFile(path.join(root, 'src/index.ts'), 'run()\n')
  await writeFile(path.join(root, 'src/engine/watch.ts'), 'export {}\n')
  await writeFile(path.join(root, 'tsconfig.json'), '{}\n')
  await writeFile(path.join(root, 'package-lock.json'), lockfile({}))
  await writeFile(path.join(root, 'README.md'), 'docs\n')
  return root
}

describe('the dist/ source stamp', () => {
  it('changes with a source file, tsconfig.json and the bundled packages, not with the docs', async () => {
    const root = await checkout()
    const first = await sourceStamp(root)
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    await writeFile(path.join(root, 'README.md'), 'other docs\n')
    // A test tool's update does not touch the bundle.
    await writeFile(
      path.join(root, 'package-lock.json'),
      lockfile({ 'node_modules/jest': { version: '30.6.0', dev: true } })
    )
    expect(await sourceStamp(root)).toBe(first)
    const changes: [string, string][] = [
      ['src/engine/watch.ts', 'export const x = 1\n'],
      ['src/engine/new.ts', 'export {}\n'],
      ['tsconfig.json', '{"strict":true}\n'],
      ['package-lock.json', lockfile({ 'node_modules/yaml': { version: '2.9.2' } })],
      [
        'package-lock.json',
        lockfile({ 'node_modules/typescript': { version: '6.0.0', dev: true } })
      ]
    ]
    const seen = new Set([first])
    for (const [file, content] of changes) {
      await writeFile(path.join(root, file), content)
      const stamp = await sourceStamp(root)
      expect(seen.has(stamp)).toBe(false)
      seen.add(stamp)
    }
  })

  it('is read back from dist/, and missing when dist/ has none', async () => {
    const root = await checkout()
    expect(await builtStamp(root)).toBeUndefined()
    const stamp = await sourceStamp(root)
    await writeFile(path.join(root, STAMP_FILE), `${stamp}\nexplanation\n`)
    expect(await builtStamp(root)).toBe(stamp)
  })

  it('lists every file the build wrote, chunks included, and names the one missing, changed or extra', async () => {
    const root = await checkout()
    await mkdir(path.join(root, 'dist/cli'))
    await writeFile(path.join(root, 'dist/index.js'), 'import("./205.index.js")\n')
    await writeFile(path.join(root, 'dist/205.index.js'), 'export const chunk = 1\n')
    await writeFile(path.join(root, 'dist/cli/index.js'), 'cli()\n')
    const listing = await distListing(root)
    expect(listing.map(line => line.slice(66))).toEqual([
      'dist/205.index.js',
      'dist/cli/index.js',
      'dist/index.js'
    ])
    await writeFile(
      path.join(root, STAMP_FILE),
      `${await sourceStamp(root)}\nexplanation\n${listing.join('\n')}\n`
    )
    expect(await distProblems(root)).toEqual([])

    await rm(path.join(root, 'dist/205.index.js'))
    await writeFile(path.join(root, 'dist/cli/index.js'), 'changed()\n')
    await writeFile(path.join(root, 'dist/310.index.js'), 'export {}\n')
    expect(await distProblems(root)).toEqual([
      'dist/205.index.js is missing',
      'dist/cli/index.js differs from what the build wrote',
      'dist/310.index.js is not a file the build wrote'
    ])
  })
})

/**
 * Whether the committed dist/ was built from the source in this checkout, without rebuilding it.
 *
 * `npm run package` ends with `tsx scripts/dist-stamp.ts write`, which records in
 * dist/source-stamp.txt a SHA-256 over everything the build reads: src/, tsconfig.json, and the
 * packages package-lock.json pins that end up in the bundle or make it (every production
 * package, TypeScript and ncc; a test tool's update leaves dist/ as it was). `tsx scripts/dist-stamp.ts ensure` (run by
 * `npm run demo`) compares it with the checkout's, uses dist/ when they match and rebuilds it
 * when not, saying which. The check-dist workflow still rebuilds and compares byte for byte.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

export const STAMP_FILE = 'dist/source-stamp.txt'
const INPUTS = ['src', 'tsconfig.json', 'package-lock.json']

async function files(root: string, entry: string): Promise<string[]> {
  const full = path.join(root, entry)
  const entries = await readdir(full, { withFileTypes: true }).catch(() => undefined)
  if (!entries) return [entry]
  const nested = await Promise.all(
    entries.filter(e => e.isDirectory() || e.isFile()).map(e => files(root, `${entry}/${e.name}`))
  )
  return nested.flat()
}

/** The tools that turn the source into dist/: dev dependencies whose version changes it. */
const BUILD_TOOLS = ['node_modules/typescript', 'node_modules/@vercel/ncc']

interface Lockfile {
  packages?: Record<string, { dev?: boolean; devDependencies?: unknown }>
}

/** What of package-lock.json the build depends on: the production packages and the build tools. */
function buildPackages(text: string): string {
  const lock = JSON.parse(text) as Lockfile
  const kept = Object.entries(lock.packages ?? {})
    .filter(([name, entry]) => !entry.dev || BUILD_TOOLS.includes(name))
    .map(([name, entry]) => {
      const { devDependencies: _devDependencies, ...rest } = entry
      return [name, rest]
    })
  return JSON.stringify(kept)
}

/** The SHA-256 of the build's inputs under `root`: each file's path and content, in path order. */
export async function sourceStamp(root: string): Promise<string> {
  const all = (await Promise.all(INPUTS.map(entry => files(root, entry)))).flat().sort()
  const hash = createHash('sha256')
  for (const file of all) {
    hash.update(`${file}\0`)
    const content = await readFile(path.join(root, file))
    hash.update(file === 'package-lock.json' ? buildPackages(content.toString('utf8')) : content)
    hash.update('\0')
  }
  return hash.digest('hex')
}

/** The stamp dist/ was built with, or undefined when it has none. */
export async function builtStamp(root: string): Promise<string | undefined> {
  const text = await readFile(path.join(root, STAMP_FILE), 'utf8').catch(() => '')
  return /^[0-9a-f]{64}$/m.exec(text)?.[0]
}

async function main(command: string | undefined): Promise<number> {
  const root = process.cwd()
  const current = await sourceStamp(root)
  if (command === 'write') {
    await writeFile(
      path.join(root, STAMP_FILE),
      `${current}\nSHA-256 of ${INPUTS.join(', ')} that this dist/ was built from (scripts/dist-stamp.ts).\n`
    )
    return 0
  }
  if (command === 'ensure') {
    const built = await builtStamp(root)
    if (built === current) {
      console.log(`dist/ was built from this source (${current.slice(0, 12)}): using it.`)
      return 0
    }
    console.log(
      built
        ? `dist/ was built from other source (${built.slice(0, 12)}, source is ${current.slice(0, 12)}): rebuilding it with npm run package.`
        : `dist/ has no ${path.basename(STAMP_FILE)}: rebuilding it with npm run package.`
    )
    const build = spawnSync('npm', ['run', '--silent', 'package'], { stdio: 'inherit' })
    return build.status ?? 1
  }
  console.error('Usage: tsx scripts/dist-stamp.ts write|ensure')
  return 2
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv[2])
}

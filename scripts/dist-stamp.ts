/**
 * Whether the committed dist/ was built from the source in this checkout, without rebuilding it.
 *
 * `npm run package` ends with `tsx scripts/dist-stamp.ts write`, which records in
 * dist/source-stamp.txt a SHA-256 over everything the build reads: src/, tsconfig.json, and the
 * packages package-lock.json pins that end up in the bundle or make it (every production
 * package, TypeScript and ncc; a test tool's update leaves dist/ as it was). `tsx scripts/dist-stamp.ts ensure` (run by
 * `npm run demo`) compares it with the checkout's, uses dist/ when they match and rebuilds it
 * when not, saying which. The stamp also lists every file the build wrote with its SHA-256 (the
 * entry and the chunks ncc splits off for dynamic imports), so a dist/ with a chunk missing, changed
 * or left over from an older build is rebuilt too. `tsx scripts/dist-stamp.ts clean` (the start of
 * `npm run package`) empties dist/ first, since ncc leaves files it no longer writes in place. The
 * check-dist workflow still rebuilds and compares the whole of dist/ byte for byte.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
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

/** Every file under dist/ but the stamp, with its SHA-256, as `<sha256>  <path>` lines in path order. */
export async function distListing(root: string): Promise<string[]> {
  const all = (await files(root, 'dist')).filter(file => file !== STAMP_FILE).sort()
  const lines: string[] = []
  for (const file of all) {
    const sha = createHash('sha256')
      .update(await readFile(path.join(root, file)))
      .digest('hex')
    lines.push(`${sha}  ${file}`)
  }
  return lines
}

/** How dist/ differs from the files its stamp lists: one line per file missing, changed or extra. */
export async function distProblems(root: string): Promise<string[]> {
  const text = await readFile(path.join(root, STAMP_FILE), 'utf8').catch(() => '')
  const listed = new Map<string, string>()
  for (const match of text.matchAll(/^([0-9a-f]{64}) {2}(.+)$/gm)) listed.set(match[2]!, match[1]!)
  const present = new Map<string, string>()
  for (const line of await distListing(root)) present.set(line.slice(66), line.slice(0, 64))
  const problems: string[] = []
  for (const [file, sha] of listed) {
    const found = present.get(file)
    if (found === undefined) problems.push(`${file} is missing`)
    else if (found !== sha) problems.push(`${file} differs from what the build wrote`)
  }
  for (const file of present.keys())
    if (!listed.has(file)) problems.push(`${file} is not a file the build wrote`)
  return problems
}

async function main(command: string | undefined): Promise<number> {
  const root = process.cwd()
  const current = await sourceStamp(root)
  if (command === 'clean') {
    await rm(path.join(root, 'dist'), { recursive: true, force: true })
    return 0
  }
  if (command === 'write') {
    const listing = await distListing(root)
    await writeFile(
      path.join(root, STAMP_FILE),
      `${current}\nSHA-256 of ${INPUTS.join(', ')} that this dist/ was built from (scripts/dist-stamp.ts),\nthen the SHA-256 of each file the build wrote:\n${listing.join('\n')}\n`
    )
    return 0
  }
  if (command === 'ensure') {
    const built = await builtStamp(root)
    const problems = built === current ? await distProblems(root) : []
    if (built === current && problems.length === 0) {
      console.log(`dist/ was built from this source (${current.slice(0, 12)}): using it.`)
      return 0
    }
    console.log(
      problems.length > 0
        ? `dist/ is not all the build wrote (${problems.slice(0, 3).join('; ')}): rebuilding it with npm run package.`
        : built
          ? `dist/ was built from other source (${built.slice(0, 12)}, source is ${current.slice(0, 12)}): rebuilding it with npm run package.`
          : `dist/ has no ${path.basename(STAMP_FILE)}: rebuilding it with npm run package.`
    )
    const build = spawnSync('npm', ['run', '--silent', 'package'], { stdio: 'inherit' })
    return build.status ?? 1
  }
  console.error('Usage: tsx scripts/dist-stamp.ts clean|write|ensure')
  return 2
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv[2])
}

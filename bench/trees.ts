/**
 * The trees the bench packages, generated from a seed (the same bytes on every machine and run)
 * and cached under the temp directory, so only the first run pays for writing them.
 *
 *   files20k  19,000 text files of 0.5–16 KB (source-like lines) and 1,000 random binaries of
 *             50–250 KB in nested directories, about 317 MB: a real build output.
 *   large     1.1 GB in fewer, larger files (text and random), for peak memory against size.
 *   quick     500 files, about 8 MB, for `--quick` runs while developing.
 */
import { createCipheriv } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface TreeSpec {
  name: string
  textFiles: number
  /** Size range of a text file, bytes. */
  textBytes: [number, number]
  binaryFiles: number
  binaryBytes: [number, number]
  /** Files per directory, about. */
  perDir: number
}

export const TREES = {
  files20k: {
    name: 'files20k',
    textFiles: 19_000,
    textBytes: [512, 16 * 1024],
    binaryFiles: 1_000,
    binaryBytes: [50 * 1024, 250 * 1024],
    perDir: 60
  },
  large: {
    name: 'large',
    textFiles: 600,
    textBytes: [512 * 1024, 1536 * 1024],
    binaryFiles: 60,
    binaryBytes: [6 * 1024 * 1024, 12 * 1024 * 1024],
    perDir: 40
  },
  quick: {
    name: 'quick',
    textFiles: 475,
    textBytes: [512, 16 * 1024],
    binaryFiles: 25,
    binaryBytes: [50 * 1024, 250 * 1024],
    perDir: 60
  }
} satisfies Record<string, TreeSpec>

/** Bump when the generator changes, so cached trees are made again. */
const GENERATOR_VERSION = 1

/** A small deterministic PRNG (mulberry32): the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SYLLABLES = 'ka lo mi re su ta ne po vi da gen ser tor ump ack ion ent ure est ing al'.split(
  ' '
)
const KEYWORDS = ['const', 'return', 'export', 'import', 'function', 'if', 'await', 'async']

/** A vocabulary of identifier-like words, and lines of code, comments and prose made from it. */
function linePool(rand: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
  const words = Array.from({ length: 1500 }, () => {
    const n = 1 + Math.floor(rand() * 3)
    return Array.from({ length: n }, () => pick(SYLLABLES)).join('')
  })
  const camel = (): string => {
    const first = pick(words)
    const second = pick(words)
    return first + second[0]!.toUpperCase() + second.slice(1)
  }
  const sentence = (): string =>
    Array.from({ length: 5 + Math.floor(rand() * 10) }, () => pick(words)).join(' ')
  const shapes: (() => string)[] = [
    () =>
      `  ${pick(KEYWORDS)} ${camel()} = ${camel()}(${pick(words)}, ${Math.floor(rand() * 1000)})`,
    () => `  if (${camel()}.${pick(words)} !== ${camel()}) return ${pick(words)}`,
    () => `  // ${sentence()}`,
    () =>
      `export function ${camel()}(${pick(words)}: string): ${pick(['void', 'number', 'string'])} {`,
    () => `}`,
    () => ``,
    () => `  ${camel()}.${pick(words)}('${sentence()}')`,
    () =>
      `.${pick(words)}-${pick(words)} { margin: ${Math.floor(rand() * 40)}px; color: #${Math.floor(rand() * 0xffffff).toString(16)}; }`,
    () => `<p class="${pick(words)}">${sentence()}.</p>`,
    () => `${sentence()}.`
  ]
  return Array.from({ length: 20_000 }, () => pick(shapes)())
}

/** Deterministic incompressible bytes: AES-256-CTR over zeros, keyed by the seed. */
function randomBytesFrom(seed: number, size: number): Buffer {
  const key = Buffer.alloc(32)
  key.writeUInt32BE(seed, 0)
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()])
}

function textFile(rand: () => number, pool: string[], size: number): Buffer {
  const lines: string[] = []
  let length = 0
  // Runs of neighbouring lines, as code repeats itself locally.
  while (length < size) {
    const start = Math.floor(rand() * pool.length)
    const run = 1 + Math.floor(rand() * 12)
    for (let i = 0; i < run && length < size; i++) {
      const line = pool[(start + i) % pool.length]!
      lines.push(line)
      length += line.length + 1
    }
  }
  return Buffer.from(lines.join('\n')).subarray(0, size)
}

/** Where the tree lives: `<tmp>/codedeploy-bridge-bench/<name>-v<version>/tree`. */
export function treeDir(spec: TreeSpec): string {
  return path.join(
    tmpdir(),
    'codedeploy-bridge-bench',
    `${spec.name}-v${GENERATOR_VERSION}`,
    'tree'
  )
}

/** The tree's directory, generated first unless a complete one is cached. */
export async function ensureTree(spec: TreeSpec, say: (line: string) => void): Promise<string> {
  const dir = treeDir(spec)
  const done = path.join(dir, '..', 'complete')
  if (existsSync(done)) return dir
  say(`Generating the ${spec.name} tree in ${dir} (once; cached for later runs)…`)
  await rm(path.dirname(dir), { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const rand = random(0x5eed + spec.textFiles)
  const pool = linePool(rand)
  await writeFile(
    path.join(dir, 'appspec.yml'),
    'version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n'
  )
  const total = spec.textFiles + spec.binaryFiles
  const between = (range: [number, number]): number =>
    range[0] + Math.floor(rand() * (range[1] - range[0]))
  let bytes = 0
  const made = new Set<string>()
  for (let i = 0; i < total; i++) {
    const d = Math.floor(i / spec.perDir)
    const sub = path.join(dir, `pkg-${d % 17}`, `mod-${d}`, d % 3 === 0 ? 'assets' : 'lib')
    if (!made.has(sub)) {
      await mkdir(sub, { recursive: true })
      made.add(sub)
    }
    // Binaries spread through the tree, one in every total/binaryFiles files.
    const binary = spec.binaryFiles > 0 && i % Math.floor(total / spec.binaryFiles) === 0
    const content = binary
      ? randomBytesFrom(i + 1, between(spec.binaryBytes))
      : textFile(rand, pool, between(spec.textBytes))
    const ext = binary ? 'bin' : ['js', 'ts', 'css', 'html', 'md'][i % 5]!
    await writeFile(path.join(sub, `file-${i}.${ext}`), content)
    bytes += content.length
  }
  await writeFile(done, `${total} files, ${bytes} bytes\n`)
  say(`  ${total} files, ${(bytes / 1024 / 1024).toFixed(0)} MiB.`)
  return dir
}

/**
 * What a re-run of an unchanged tree costs against the first run, and what the digest pass adds
 * to the first run, measured on the local S3 through the CLI's real path (`command: package`):
 *
 *   npx tsx scripts/rerun-figures.ts [--quick] [--trials N]
 *
 * The tree: 20,000 files, ~150 MB (19,000 code-like text files of 0.5–8 KiB, 1,000 incompressible
 * files of 20–120 KiB), seeded, generated once under the temp directory and reused. Each trial, in
 * this order: a first run with the cache off (no digest pass), a first run with a fresh cache (the
 * digest pass, then packaging and upload, then the cache entry), and the re-run with that cache.
 * Each first run uses its own key prefix, so it really uploads; one unmeasured run warms up first.
 * `measureRerun` is what a bench calls.
 */
import { createCipheriv } from 'node:crypto'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLocalStack } from '../local/stack.js'
import { main } from '../src/cli/main.js'
import { createBundle, listEntries } from '../src/engine/bundle/index.js'
import { treeDigest } from '../src/engine/bundle/digest.js'

export interface RerunFigures {
  files: number
  bytes: number
  trials: number
  /** Medians, milliseconds. */
  firstRunWithoutCacheMs: number
  firstRunMs: number
  rerunMs: number
  /** Of the re-run: the digest pass alone (read and hash every file), from the run's debug line. */
  rerunDigestMs: number
  /** rerunMs / firstRunMs; the goal is ≤ 0.25. */
  ratio: number
  /** firstRunMs − firstRunWithoutCacheMs: what the digest pass and the cache entry add (noisy). */
  digestCostMs: number
  /** Alone, outside any run: listing the tree; packaging it (zip, listing included). */
  listingMs: number
  packagingMs: number
  /** Alone: the digest pass a first run adds (read and hash every file, then the change check). */
  digestPassMs: number
  /** rerunMs / packagingMs: the ratio if the upload cost nothing. */
  ratioToPackagingOnly: number
}

/** mulberry32: the same tree on every machine. */
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

const WORDS =
  'const let return if else for import export from async await value result error data config options name path request response handler state update user session token cache event message'.split(
    ' '
  )

function text(next: () => number, bytes: number): Buffer {
  let out = ''
  while (out.length < bytes) {
    const words = Array.from({ length: 3 + Math.floor(next() * 8) }, () => {
      return WORDS[Math.floor(WORDS.length * next() ** 2)]!
    })
    out += `${'  '.repeat(Math.floor(next() * 4))}${words.join(' ')};\n`
  }
  return Buffer.from(out.slice(0, bytes))
}

function noise(seed: number, bytes: number): Buffer {
  const key = Buffer.alloc(32)
  key.writeUInt32LE(seed)
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes))
}

/** The tree (made once, then reused); its directory, file count and bytes. */
export async function rerunTree(
  files = 20_000
): Promise<{ dir: string; files: number; bytes: number }> {
  const dir = path.join(tmpdir(), `cdb-rerun-tree-v2-${files}`)
  const done = `${dir}.complete`
  const made = await stat(done).catch(() => undefined)
  // Sizes and contents from two generators: the sizes (and the byte count) are known without
  // making the contents again.
  const nextSize = random(files)
  const next = random(files + 1)
  let bytes = 0
  if (!made) await rm(dir, { recursive: true, force: true })
  for (let i = 0; i < files; i++) {
    const binary = i % 20 === 0
    const size = binary
      ? 20_480 + Math.floor(nextSize() * 102_400)
      : 512 + Math.floor(nextSize() * 7_680)
    bytes += size
    if (made) continue
    const sub = path.join(dir, `module-${i % 200}`, `part-${i % 7}`)
    await mkdir(sub, { recursive: true })
    const name = path.join(sub, binary ? `asset-${i}.bin` : `file-${i}.js`)
    await writeFile(name, binary ? noise(i, size) : text(next, size))
  }
  if (!made) {
    await writeFile(path.join(dir, 'appspec.yml'), 'version: 0.0\nos: linux\nfiles: []\n')
    await writeFile(done, '')
  }
  return { dir, files, bytes }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export interface RerunMeasure {
  figures: RerunFigures
  /** Every trial's milliseconds, in order. */
  samples: Record<
    'without' | 'first' | 'again' | 'digest' | 'listing' | 'packaging' | 'digestPass',
    number[]
  >
}

export async function measureRerun(
  options: { quick?: boolean; trials?: number } = {}
): Promise<RerunMeasure> {
  const tree = await rerunTree(options.quick ? 2_000 : 20_000)
  const trials = options.trials ?? 3
  const stack = await startLocalStack({ buckets: ['bundles'] })
  const scratch = await mkdtemp(path.join(tmpdir(), 'cdb-rerun-figures-'))
  const saved = { ...process.env }
  Object.assign(process.env, stack.env, { SOURCE_DATE_EPOCH: '1700000000' })
  const run = async (prefix: string, cache: string): Promise<{ ms: number; lines: string[] }> => {
    process.env.CDB_CACHE_DIR = cache
    const lines: string[] = []
    const started = performance.now()
    const code = await main(
      [
        ...['--command', 'package', '--source', tree.dir, '--bucket', 'bundles'],
        ...['--key-prefix', prefix, '--verbose']
      ],
      line => lines.push(line)
    )
    const ms = performance.now() - started
    if (code !== 0) throw new Error(`The run failed:\n${lines.join('\n')}`)
    return { ms, lines }
  }
  const without: number[] = []
  const first: number[] = []
  const again: number[] = []
  const digest: number[] = []
  try {
    // Unmeasured: warms the JIT and the page cache for the first measured run.
    await writeFile(path.join(scratch, 'blocked'), '')
    await run('warm-up/', path.join(scratch, 'blocked', 'cache'))
    for (let trial = 0; trial < trials; trial++) {
      // A cache directory that cannot be made: the run packages without a digest pass.
      const blocked = path.join(scratch, `blocked-${trial}`)
      await writeFile(blocked, '')
      without.push((await run(`off-${trial}/`, path.join(blocked, 'cache'))).ms)
      const cache = path.join(scratch, `cache-${trial}`)
      first.push((await run(`on-${trial}/`, cache)).ms)
      const rerun = await run(`on-${trial}/`, cache)
      if (!rerun.lines.some(l => l.includes('Packaging and upload skipped')))
        throw new Error(`The re-run did not skip:\n${rerun.lines.join('\n')}`)
      again.push(rerun.ms)
      const line = rerun.lines.find(l => /Tree digest [0-9a-f]+ in \d+ ms/.test(l)) ?? ''
      digest.push(Number(/in (\d+) ms/.exec(line)?.[1] ?? NaN))
    }
  } finally {
    process.env = saved
    await stack.close()
    await rm(scratch, { recursive: true, force: true })
  }
  // The parts alone, interleaved, for figures that the upload's noise does not blur.
  const listing: number[] = []
  const packaging: number[] = []
  const digestPass: number[] = []
  const time = new Date(1_700_000_000_000)
  for (let trial = 0; trial < trials; trial++) {
    let started = performance.now()
    const { entries } = await listEntries(tree.dir)
    listing.push(performance.now() - started)
    started = performance.now()
    const tree1 = await treeDigest(entries, { type: 'zip', mtime: time, listedAt: Date.now() })
    if (!tree1?.unchanged()) throw new Error('The tree changed while it was digested.')
    digestPass.push(performance.now() - started)
    const outFile = path.join(tmpdir(), `cdb-rerun-figures-${process.pid}.zip`)
    started = performance.now()
    await createBundle({ source: tree.dir, type: 'zip', outFile, mtime: time })
    packaging.push(performance.now() - started)
    await rm(outFile, { force: true })
  }
  const figures: RerunFigures = {
    files: tree.files,
    bytes: tree.bytes,
    trials,
    firstRunWithoutCacheMs: Math.round(median(without)),
    firstRunMs: Math.round(median(first)),
    rerunMs: Math.round(median(again)),
    rerunDigestMs: Math.round(median(digest)),
    ratio: Number((median(again) / median(first)).toFixed(3)),
    digestCostMs: Math.round(median(first) - median(without)),
    listingMs: Math.round(median(listing)),
    packagingMs: Math.round(median(packaging)),
    digestPassMs: Math.round(median(digestPass)),
    ratioToPackagingOnly: Number((median(again) / median(packaging)).toFixed(3))
  }
  return {
    figures,
    samples: { without, first, again, digest, listing, packaging, digestPass }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const trials = args.includes('--trials') ? Number(args[args.indexOf('--trials') + 1]) : 3
  const { figures, samples } = await measureRerun({ quick: args.includes('--quick'), trials })
  const round = (values: number[]): number[] => values.map(v => Math.round(v))
  console.log(
    JSON.stringify(
      {
        ...figures,
        samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, round(v)]))
      },
      null,
      2
    )
  )
}

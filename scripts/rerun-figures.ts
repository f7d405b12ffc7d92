/**
 * What a re-run of an unchanged tree costs against the first run, and what the digest pass adds
 * to the first run, measured on the local S3 through the CLI's real path (`command: package`):
 *
 *   npx tsx scripts/rerun-figures.ts [--quick] [--trials N]
 *
 * The tree: the bench's 20,000 files (bench/trees.ts; --quick: its small tree), seeded, generated
 * once under the temp directory and reused. Each trial, in
 * this order: a first run with the cache off (no digest pass), a first run with a fresh cache (the
 * digest pass, then packaging and upload, then the cache entry), and the re-run with that cache.
 * Each first run uses its own key prefix, so it really uploads; one unmeasured run warms up first.
 * `measureRerun` is what a bench calls.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startLocalStack } from '../local/stack.js'
import { main } from '../src/cli/main.js'
import { createBundle, listEntries } from '../src/engine/revision/bundle/index.js'
import { treeDigest } from '../src/engine/revision/bundle/digest.js'
import { TREES, ensureTree } from '../bench/trees.js'

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

/** The bench's tree (bench/trees.ts: made once under the temp directory, then reused). */
export async function rerunTree(
  quick = false
): Promise<{ dir: string; files: number; bytes: number }> {
  const dir = await ensureTree(quick ? TREES.quick : TREES.files20k, line => console.log(line))
  const { entries } = await listEntries(dir)
  const files = entries.filter(entry => entry.kind === 'file')
  return { dir, files: files.length, bytes: files.reduce((sum, entry) => sum + entry.size, 0) }
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
  const tree = await rerunTree(options.quick)
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

/**
 * Packaging, and packaging with the upload, against Info-ZIP `zip -r -q -6` (and `aws s3 cp` of
 * its output to the same local S3), in interleaved pairs: ours, peer, ours, peer… Ours runs in its
 * own process (bench/worker.ts) so its peak RSS is its own; its time and CPU cover the task.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { available, measure, median, type Measured } from './measure.js'
import type { Row } from './report.js'

export interface Sample {
  ms: number
  cpuMs?: number | undefined
  rssMb?: number | undefined
  bytes: number
  /** package-upload: whether bytes went to S3. */
  uploaded?: boolean
}

const TSX = pathToFileURL(createRequire(path.resolve('package.json')).resolve('tsx')).href

/** Runs the worker with `args`; the task's own time and CPU, the process's peak RSS. */
let builtWorker: string | undefined

/**
 * Runs ours from bench/worker.ts built with ncc (`file`), as the action runs from dist/: no tsx in
 * the process, so its peak RSS is the engine's own. Without it, through tsx.
 */
export function useBuiltWorker(file: string | undefined): void {
  builtWorker = file
}

export async function ours(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const command = builtWorker
    ? [builtWorker, ...args]
    : ['--import', TSX, 'bench/worker.ts', ...args]
  const run = await measure(process.execPath, command, {
    env: { ...env, NODE_NO_WARNINGS: '1' }
  })
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    ms: number
    cpuMs: number
    bytes: number
    uploaded?: boolean
  }
  return {
    ms: result.ms,
    cpuMs: result.cpuMs,
    rssMb: run.rssMb,
    bytes: result.bytes,
    ...(result.uploaded !== undefined ? { uploaded: result.uploaded } : {})
  }
}

function sample(run: Measured, bytes: number): Sample {
  return { ms: run.ms, cpuMs: run.cpuMs, rssMb: run.rssMb, bytes }
}

/** `zip -r -q -6 out .` in the tree. */
export async function zipTree(tree: string, out: string): Promise<Sample> {
  const run = await measure('zip', ['-r', '-q', '-6', out, '.'], { cwd: tree })
  return sample(run, (await stat(out)).size)
}

export interface Medians {
  ms: number
  cpuMs?: number | undefined
  rssMb?: number | undefined
  bytes: number
}

export function medians(samples: Sample[]): Medians {
  const known = (values: (number | undefined)[]): number | undefined => {
    const numbers = values.filter((v): v is number => v !== undefined)
    return numbers.length ? median(numbers) : undefined
  }
  return {
    ms: median(samples.map(s => s.ms)),
    cpuMs: known(samples.map(s => s.cpuMs)),
    rssMb: known(samples.map(s => s.rssMb)),
    bytes: samples[0]!.bytes
  }
}

/** CPU ms SHA-256 takes over `bytes` here: what the CPU goal allows above zip's time. */
export function hashCostMs(bytes: number): number {
  const block = Buffer.alloc(32 * 1024 * 1024, 7)
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    createHash('sha256').update(block).digest()
    times.push(performance.now() - started)
  }
  return (median(times) / block.length) * bytes
}

export const secs = (ms: number | undefined): string =>
  ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`
export const mib = (mb: number | undefined): string =>
  mb === undefined ? '–' : `${mb.toFixed(0)} MiB`

export async function packagingRows(
  tree: string,
  label: string,
  pairs: number,
  say: (line: string) => void
): Promise<Row[]> {
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-bench-pack-'))
  const mine: Sample[] = []
  const theirs: Sample[] = []
  const withZip = available('zip', ['-v'])
  try {
    for (let i = 0; i < pairs; i++) {
      say(`  packaging ${label}, pair ${i + 1} of ${pairs}…`)
      const out = path.join(work, `ours-${i}.zip`)
      mine.push(await ours(['package', tree, out]))
      await rm(out, { force: true })
      if (withZip) {
        const peer = path.join(work, `zip-${i}.zip`)
        theirs.push(await zipTree(tree, peer))
        await rm(peer, { force: true })
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  const a = medians(mine)
  const missing = 'zip: peer missing'
  if (!withZip) {
    return [
      { measure: `packaging ${label}: time`, ours: secs(a.ms), peer: missing, goal: '≤ 0.6× zip' },
      {
        measure: `packaging ${label}: peak RSS`,
        ours: mib(a.rssMb),
        peer: missing,
        goal: '≤ 200 MiB',
        met: a.rssMb === undefined ? undefined : a.rssMb <= 200
      }
    ]
  }
  const b = medians(theirs)
  const hash = hashCostMs(a.bytes)
  const cpuAllowed = b.cpuMs === undefined ? undefined : b.cpuMs + hash
  return [
    {
      measure: `packaging ${label}: wall time`,
      ours: secs(a.ms),
      peer: `zip -r -q -6: ${secs(b.ms)}`,
      ratio: a.ms / b.ms,
      goal: '≤ 0.6× zip',
      met: a.ms / b.ms <= 0.6
    },
    {
      measure: `packaging ${label}: bundle size`,
      ours: `${(a.bytes / 1024 / 1024).toFixed(1)} MiB`,
      peer: `zip -6: ${(b.bytes / 1024 / 1024).toFixed(1)} MiB`,
      ratio: a.bytes / b.bytes,
      goal: 'within 2 % of zip -6',
      met: Math.abs(a.bytes / b.bytes - 1) <= 0.02
    },
    {
      measure: `packaging ${label}: CPU time (user+sys)`,
      ours: secs(a.cpuMs),
      peer: `zip: ${secs(b.cpuMs)}`,
      ratio: a.cpuMs !== undefined && b.cpuMs ? a.cpuMs / b.cpuMs : undefined,
      goal: `≤ zip + SHA-256 of the bundle (${secs(cpuAllowed)})`,
      met: a.cpuMs === undefined || cpuAllowed === undefined ? undefined : a.cpuMs <= cpuAllowed
    },
    {
      measure: `packaging ${label}: peak RSS`,
      ours: mib(a.rssMb),
      peer: `zip: ${mib(b.rssMb)}`,
      ratio: a.rssMb !== undefined && b.rssMb ? a.rssMb / b.rssMb : undefined,
      goal: '≤ 200 MiB',
      met: a.rssMb === undefined ? undefined : a.rssMb <= 200
    }
  ]
}

/** Peak RSS packaging a 1 GB+ tree: ours alone, once (the goal is absolute). */
export async function largeTreeRow(
  tree: string,
  label: string,
  say: (line: string) => void
): Promise<Row> {
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-bench-large-'))
  try {
    say(`  packaging ${label} once, for peak RSS…`)
    const a = await ours(['package', tree, path.join(work, 'ours.zip')])
    return {
      measure: `packaging ${label}: peak RSS`,
      ours: `${mib(a.rssMb)} (${secs(a.ms)})`,
      peer: 'not run (absolute goal)',
      goal: '≤ 200 MiB whatever the tree',
      met: a.rssMb === undefined ? undefined : a.rssMb <= 200
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

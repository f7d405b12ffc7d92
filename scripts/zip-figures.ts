/**
 * `NODE_NO_WARNINGS=1 npx tsx scripts/zip-figures.ts [--rounds N] [--big]`: our zip packaging
 * against Info-ZIP `zip -r -q -6` on the 20,000-file tree of scripts/zip-tree.ts (or, with --big,
 * on a 1.2 GB tree of big files), for issue 10's goals. Interleaved rounds, medians.
 *
 * Ours runs as the action does: createBundle bundled by ncc, in a child process of its own, which
 * reports its time (createBundle alone), its CPU time (all threads) and its peak RSS. zip runs
 * under /usr/bin/time for its own peak RSS. The cost of the hash is the CPU time of a SHA-256
 * over our bundle, measured here. Ends with `unzip -t` on our bundle.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { bigTree, figuresTree } from './zip-tree.js'

interface Run {
  ms: number
  cpuMs: number
  bytes: number
  maxRssMb: number
}

const args = process.argv.slice(2)
const rounds = Number(args[args.indexOf('--rounds') + 1] || 3)
const big = args.includes('--big')

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function ours(built: string, tree: string, out: string): Run {
  const child = spawnSync(process.execPath, [built, tree, out], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(`our packaging failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Run
}

function zip(tree: string, out: string): Run {
  const timed = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', 'zip', '-r', '-q', '-6', out, '.'],
    {
      cwd: tree,
      encoding: 'utf8'
    }
  )
  if (timed.status !== 0) throw new Error(`zip failed: ${timed.stderr}`)
  const [wall, user, sys, rssKb] = timed.stderr.trim().split('\n').at(-1)!.split(' ').map(Number)
  return {
    ms: wall! * 1000,
    cpuMs: (user! + sys!) * 1000,
    bytes: 0,
    maxRssMb: rssKb! / 1024
  }
}

async function hashCpuMs(file: string): Promise<number> {
  const before = process.cpuUsage()
  const hash = createHash('sha256')
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

async function main(): Promise<void> {
  for (const tool of ['zip', '/usr/bin/time']) {
    if (spawnSync(tool, ['-h'], { stdio: 'ignore' }).error) throw new Error(`${tool} is needed`)
  }
  console.log(
    big ? 'Making (or reusing) the 1.2 GB tree…' : 'Making (or reusing) the 20,000-file tree…'
  )
  const tree = big ? await bigTree() : await figuresTree()
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-zip-figures-run-'))
  try {
    console.log('Building createBundle with ncc, as the action is built…')
    const root = path.resolve(import.meta.dirname, '..')
    execFileSync(
      path.join(root, 'node_modules/.bin/ncc'),
      ['build', 'scripts/zip-figures-child.ts', '-o', path.join(work, 'child'), '-q'],
      { cwd: root, stdio: 'inherit' }
    )
    const built = path.join(work, 'child/index.js')
    const runs = { ours: [] as Run[], zip: [] as Run[] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['ours', 'zip'] as const) : (['zip', 'ours'] as const)
      for (const who of order) {
        const out = path.join(work, `${who}-${round}.zip`)
        const run = who === 'ours' ? ours(built, tree, out) : zip(tree, out)
        run.bytes = (await stat(out)).size
        runs[who].push(run)
        console.log(
          `  round ${round + 1} ${who}: ${Math.round(run.ms)} ms, ${Math.round(run.maxRssMb)} MB`
        )
        if (round < rounds - 1) await rm(out)
      }
    }
    const last = path.join(work, `ours-${rounds - 1}.zip`)
    const hashMs = await hashCpuMs(last)
    const m = (who: 'ours' | 'zip', key: keyof Run): number => median(runs[who].map(r => r[key]))
    const ratio = (a: number, b: number): string => (a / b).toFixed(2)
    const rows = [
      [
        'wall time (ms)',
        m('ours', 'ms'),
        m('zip', 'ms'),
        ratio(m('ours', 'ms'), m('zip', 'ms')),
        '≤ 0.60',
        m('ours', 'ms') <= 0.6 * m('zip', 'ms')
      ],
      [
        'bundle size (bytes)',
        m('ours', 'bytes'),
        m('zip', 'bytes'),
        ratio(m('ours', 'bytes'), m('zip', 'bytes')),
        '≤ 1.02',
        m('ours', 'bytes') <= 1.02 * m('zip', 'bytes')
      ],
      [
        'CPU time (ms)',
        m('ours', 'cpuMs'),
        m('zip', 'cpuMs'),
        ratio(m('ours', 'cpuMs'), m('zip', 'cpuMs')),
        `≤ zip + hash (${Math.round(hashMs)} ms)`,
        m('ours', 'cpuMs') <= m('zip', 'cpuMs') + hashMs
      ],
      [
        'peak RSS (MB)',
        m('ours', 'maxRssMb'),
        m('zip', 'maxRssMb'),
        ratio(m('ours', 'maxRssMb'), m('zip', 'maxRssMb')),
        '≤ 200 MB',
        m('ours', 'maxRssMb') <= 200
      ]
    ]
    console.log(
      `\n${big ? '1.2 GB tree' : '20,000-file tree'}, median of ${rounds} interleaved rounds, node ${process.version}\n`
    )
    console.log('| measure | ours | zip -6 | ratio | goal | met? |\n|---|---|---|---|---|---|')
    for (const [name, a, b, r, goal, met] of rows) {
      console.log(
        `| ${String(name)} | ${Math.round(Number(a))} | ${Math.round(Number(b))} | ${String(r)} | ${String(goal)} | ${met ? 'yes' : 'no'} |`
      )
    }
    if (spawnSync('unzip', ['-v'], { stdio: 'ignore' }).error === undefined) {
      const test = spawnSync('unzip', ['-tq', last], { encoding: 'utf8' })
      console.log(
        `\nunzip -t on our bundle: ${test.status === 0 ? 'OK' : `FAILED\n${test.stdout}${test.stderr}`}`
      )
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

await main()

/**
 * `npm run bench`: issue 10's goals, each measured as a ratio against a peer in the same run, on
 * generated trees (cached under the temp directory), and written to bench/RESULTS.md.
 *
 *   packaging        createBundle        vs  Info-ZIP `zip -r -q -6`   (20,000 files; 1 GB+ for RSS)
 *   package + upload command: package    vs  zip, then `aws s3 cp` to the same local S3
 *   re-run           the same, again     vs  its first run
 *   cold start       dist/index.js       vs  node running an empty script
 *   detection        our follow          vs  the SDK waiter and `aws deploy wait`, same deployment
 *
 * `npm run bench -- --quick`: a small tree, one pair, no 1 GB tree; prints the table and writes
 * nothing. Not a test: nothing here fails on a slow figure.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startLocalStack } from '../local/stack.js'
import { builtStamp, sourceStamp } from '../scripts/dist-stamp.js'
import { coldStartRows } from './cold-start.js'
import { detectionRows } from './detection.js'
import { meter } from './measure.js'
import { largeTreeRow, packagingRows, useBuiltWorker } from './packaging.js'
import { table, writeResults, type Row } from './report.js'
import { TREES, ensureTree } from './trees.js'
import { uploadRows } from './upload.js'

const QUICK = process.argv.includes('--quick')
const PAIRS = QUICK ? 1 : 3
const RESULTS = 'bench/RESULTS.md'

const say = (line: string): void => console.log(line)

/** dist/index.js as committed, and the current source built into a temp dir when they differ. */
async function distEntries(): Promise<{
  entries: { label: string; file: string }[]
  built?: string
}> {
  const entries = [{ label: 'dist/index.js as committed', file: path.resolve('dist/index.js') }]
  if ((await builtStamp('.')) === (await sourceStamp('.'))) return { entries }
  say('dist/ is not built from this source: building the source with ncc into a temp dir too…')
  const built = await mkdtemp(path.join(tmpdir(), 'cdb-bench-dist-'))
  execFileSync('npx', ['ncc', 'build', 'src/index.ts', '-o', built, '-q'], { stdio: 'inherit' })
  entries.push({ label: 'this source built with ncc', file: path.join(built, 'index.js') })
  return { entries, built }
}

/** First, while the machine is quiet: the trees' writes and the uploads leave the disk busy after. */
async function coldStart(): Promise<Row[]> {
  say('Cold start…')
  const { entries, built } = await distEntries()
  const stack = await startLocalStack({ buckets: ['bench'] })
  try {
    return await coldStartRows(stack, entries, QUICK ? 5 : 15)
  } finally {
    await stack.close()
    if (built) await rm(built, { recursive: true, force: true })
  }
}

/** bench/worker.ts built with ncc, as the action is built into dist/. */
async function buildWorker(): Promise<string> {
  say('Building bench/worker.ts with ncc…')
  const out = await mkdtemp(path.join(tmpdir(), 'cdb-bench-worker-'))
  execFileSync('npx', ['ncc', 'build', 'bench/worker.ts', '-o', out, '-q'], { stdio: 'inherit' })
  // Beside it, as `npm run package` puts it beside each entry of dist/.
  const zipWorker = ['src/engine/revision/bundle/zip-worker.ts', '-o', path.join(out, 'zip-worker')]
  execFileSync('npx', ['ncc', 'build', ...zipWorker, '-q'], { stdio: 'inherit' })
  return out
}

async function main(): Promise<void> {
  const started = Date.now()
  const coldRows = await coldStart()
  const worker = await buildWorker()
  useBuiltWorker(path.join(worker, 'index.js'))
  try {
    await measureAll(started, coldRows)
  } finally {
    await rm(worker, { recursive: true, force: true })
  }
}

async function measureAll(started: number, coldRows: Row[]): Promise<void> {
  const main = QUICK ? TREES.quick : TREES.files20k
  const tree = await ensureTree(main, say)
  const label = QUICK ? '(quick tree, 500 files)' : '(20,000 files, 313 MB)'
  const rows: Row[] = []

  say('Packaging…')
  rows.push(...(await packagingRows(tree, label, PAIRS, say)))
  if (!QUICK) rows.push(await largeTreeRow(await ensureTree(TREES.large, say), '(1.1 GB)', say))

  const stack = await startLocalStack({ buckets: ['bench'] })
  try {
    say('Package + upload, and the re-run…')
    rows.push(...(await uploadRows(stack, tree, label, PAIRS, say)))
  } finally {
    await stack.close()
  }

  rows.push(...coldRows)
  say('Detection (the peers poll every 15 s, so this takes a while)…')
  rows.push(...(await detectionRows(QUICK ? 1 : 5, QUICK, say)))

  console.log(`\n${table(rows)}\n`)
  const minutes = ((Date.now() - started) / 60000).toFixed(1)
  if (QUICK) {
    say(`Quick run (${minutes} min): ${RESULTS} left as it was.`)
    return
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  await writeResults(RESULTS, rows, {
    date: new Date(),
    quick: QUICK,
    pairs: PAIRS,
    meter:
      meter() === 'gnu-time'
        ? '/usr/bin/time'
        : meter() === 'python'
          ? 'wait4() via python'
          : 'not measured',
    notes: [
      `Source: commit ${commit}. The bench took ${minutes} min.`,
      'Trees: 19,000 text files of 0.5–16 KB and 1,000 random binaries of 50–250 KB (313 MB); 600 text files of 0.5–1.5 MB and 60 random binaries of 6–12 MB (1.1 GB). Generated from a seed, cached under the temp directory (bench/trees.ts).',
      "Ours runs in its own process (bench/worker.ts built with ncc, as the action is built into dist/): its wall and CPU time cover the task, not node starting (cold start has its own row); its peak RSS is the whole process's, worker threads included. A peer's figures are its whole process's.",
      'Detection: quiet is one instance whose hook sleeps 10–25 s, busy eight instances one at a time with four hooks of 0.2–0.8 s each (some 20 s), the lengths drawn per round. Ours is the whole step (checks, create, follow) and its calls/s count all of them from its start; a deployment much shorter than ~15 s cannot be both seen within 1.5 s and followed within 0.5 calls/s. The three followers watch the same deployment at once; latency is from the emulator’s completeTime to when each knew. Calls/s counts every CodeDeploy operation from the follower’s start; for `aws deploy wait` the GetDeployment calls the emulator saw that the others did not make.'
    ]
  })
  say(`Written to ${RESULTS} (${minutes} min). Ratios below 1 mean ours is faster or smaller.`)
}

await main()

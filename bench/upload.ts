/**
 * Packaging with the upload, to the local S3 of local/stack.ts: ours (the action's `command:
 * package`) against `zip -r -q -6` followed by `aws s3 cp` of the same tree; and a re-run of ours
 * on unchanged content against its first run. One loop gives both, interleaved: first run (a new
 * key prefix), peer, re-run (the same prefix), and again.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { LocalStack } from '../local/stack.js'
import { available, measure } from './measure.js'
import { medians, mib, ours, secs, zipTree, type Sample } from './packaging.js'
import type { Row } from './report.js'

/**
 * One run of ours: package and upload `tree` under `prefix`. A re-run is the same call again with
 * the same prefix and the same runner temp directory, so whatever the action keeps between runs
 * (S3's object, and the re-run cache) is there as on a self-hosted runner.
 */
export function packageUpload(
  stack: LocalStack,
  tree: string,
  prefix: string,
  runnerTemp: string
): Promise<Sample> {
  return ours(['package-upload', tree, 'bench', prefix], {
    ...process.env,
    ...stack.env,
    RUNNER_TEMP: runnerTemp,
    // The re-run cache (src/engine/revision/cache.ts) kept with the pair's runner, not in ~/.cache.
    CDB_CACHE_DIR: path.join(runnerTemp, 'cache')
  })
}

/** `zip -r -q -6` to a file, then `aws s3 cp` of it: their sum, the larger RSS, both CPUs. */
async function zipThenCopy(
  stack: LocalStack,
  tree: string,
  work: string,
  i: number
): Promise<Sample> {
  const file = path.join(work, `peer-${i}.zip`)
  const zip = await zipTree(tree, file)
  const copy = await measure(
    'aws',
    [
      's3',
      'cp',
      file,
      `s3://bench/peer/${i}.zip`,
      '--only-show-errors',
      '--endpoint-url',
      stack.s3.endpoint
    ],
    { env: { ...process.env, ...stack.env } }
  )
  await rm(file, { force: true })
  const both = (x?: number, y?: number): number | undefined =>
    x === undefined || y === undefined ? undefined : x + y
  return {
    ms: zip.ms + copy.ms,
    cpuMs: both(zip.cpuMs, copy.cpuMs),
    rssMb:
      zip.rssMb === undefined || copy.rssMb === undefined
        ? undefined
        : Math.max(zip.rssMb, copy.rssMb),
    bytes: zip.bytes
  }
}

export async function uploadRows(
  stack: LocalStack,
  tree: string,
  label: string,
  pairs: number,
  say: (line: string) => void
): Promise<Row[]> {
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-bench-upload-'))
  const withPeer = available('zip', ['-v']) && available('aws')
  const first: Sample[] = []
  const again: Sample[] = []
  const peer: Sample[] = []
  try {
    for (let i = 0; i < pairs; i++) {
      say(`  package + upload ${label}, round ${i + 1} of ${pairs}…`)
      const prefix = `ours-${Date.now()}-${i}/`
      const runnerTemp = await mkdtemp(path.join(work, 'runner-'))
      first.push(await packageUpload(stack, tree, prefix, runnerTemp))
      if (withPeer) peer.push(await zipThenCopy(stack, tree, work, i))
      again.push(await packageUpload(stack, tree, prefix, runnerTemp))
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  const a = medians(first)
  const r = medians(again)
  const rows: Row[] = []
  if (withPeer) {
    const b = medians(peer)
    rows.push({
      measure: `package + upload ${label}: wall time`,
      ours: secs(a.ms),
      peer: `zip -6 then aws s3 cp: ${secs(b.ms)}`,
      ratio: a.ms / b.ms,
      goal: '≤ 0.8× zip + aws s3 cp',
      met: a.ms / b.ms <= 0.8
    })
    rows.push({
      measure: `package + upload ${label}: peak RSS`,
      ours: mib(a.rssMb),
      peer: `zip / aws s3 cp: ${mib(b.rssMb)}`,
      ratio: a.rssMb !== undefined && b.rssMb ? a.rssMb / b.rssMb : undefined,
      goal: '≤ 200 MiB',
      met: a.rssMb === undefined ? undefined : a.rssMb <= 200
    })
  } else {
    rows.push({
      measure: `package + upload ${label}: wall time`,
      ours: secs(a.ms),
      peer: 'zip + aws s3 cp: peer missing',
      goal: '≤ 0.8× zip + aws s3 cp'
    })
  }
  rows.push({
    measure: `re-run on unchanged content ${label}: package + upload`,
    ours: `${secs(r.ms)}${again.every(s => !s.uploaded) ? ' (uploaded nothing)' : ''}`,
    peer: `first run: ${secs(a.ms)}`,
    ratio: r.ms / a.ms,
    goal: '≤ 0.25× the first run',
    met: r.ms / a.ms <= 0.25
  })
  return rows
}

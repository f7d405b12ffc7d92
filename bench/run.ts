/**
 * `npm run bench`: speed and memory of packaging, upload and failure/success detection, each as a
 * ratio against a peer measured in the same run on the same data. Not a test: it prints a table
 * and writes bench/results.json.
 *
 *   packaging  createBundle (streaming zip)  vs  adm-zip (in-memory zip) and Info-ZIP `zip` when present
 *   upload     uploadBundle (streamed parts) vs  PutObject of the file read into a Buffer
 *   detection  our poll loop                 vs  the SDK waiter (waitUntilDeploymentSuccessful)
 */
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  waitUntilDeploymentSuccessful
} from '@aws-sdk/client-codedeploy'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startLocalStack } from '../local/stack.js'
import { createBundle } from '../src/engine/bundle/index.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { systemClock, waitForDeployment } from '../src/engine/watch.js'

interface Sample {
  ms: number
  maxRssMb: number
  bytes: number
}

const SIZE_MB = Number(process.env.BENCH_SIZE_MB ?? 96)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const run = promisify(execFile)

/**
 * Runs the task in a child process, ROUNDS times. Asynchronously: the local stack serves the
 * upload from this process, so its event loop must keep turning while the child works.
 */
async function measure(task: string, args: string[]): Promise<Sample> {
  const samples: Sample[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'bench/worker.ts', task, ...args],
      { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' }, maxBuffer: 1024 * 1024 }
    )
    samples.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as Sample)
  }
  return {
    ms: median(samples.map(s => s.ms)),
    maxRssMb: median(samples.map(s => s.maxRssMb)),
    bytes: samples[0]!.bytes
  }
}

async function makeTree(dir: string): Promise<void> {
  // Half incompressible data in large files, half small text files: a typical build output.
  await writeFile(path.join(dir, 'appspec.yml'), 'version: 0.0\nos: linux\n')
  await mkdir(path.join(dir, 'assets'), { recursive: true })
  await mkdir(path.join(dir, 'src'), { recursive: true })
  const big = Math.max(1, Math.floor(SIZE_MB / 2 / 8))
  for (let i = 0; i < big; i++)
    await writeFile(path.join(dir, 'assets', `blob-${i}.bin`), randomBytes(8 * 1024 * 1024))
  const line = 'export const value = "lorem ipsum dolor sit amet";\n'
  const small = Math.floor(((SIZE_MB / 2) * 1024 * 1024) / (line.length * 2000))
  for (let i = 0; i < small; i++)
    await writeFile(path.join(dir, 'src', `module-${i}.js`), line.repeat(2000))
}

function row(
  name: string,
  ours: Sample,
  peer: Sample,
  peerName: string
): Record<string, string | number> {
  return {
    measure: name,
    peer: peerName,
    'ours ms': Math.round(ours.ms),
    'peer ms': Math.round(peer.ms),
    'time ratio (ours/peer)': Number((ours.ms / peer.ms).toFixed(2)),
    'ours RSS MB': Math.round(ours.maxRssMb),
    'peer RSS MB': Math.round(peer.maxRssMb),
    'memory ratio (ours/peer)': Number((ours.maxRssMb / peer.maxRssMb).toFixed(2))
  }
}

async function detection(): Promise<Record<string, string | number>> {
  const stack = await startLocalStack({
    buckets: ['bench'],
    stepDelayMs: 0,
    config: { applications: [{ name: 'bench', deploymentGroups: [{ name: 'g', instances: 2 }] }] }
  })
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-bench-app-'))
  try {
    await writeFile(
      path.join(dir, 'appspec.yml'),
      'version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: check.sh\n'
    )
    await writeFile(path.join(dir, 'check.sh'), '#!/bin/sh\nsleep 2\n', { mode: 0o755 })
    const bundle = await createBundle({ source: dir, type: 'zip', outFile: `${dir}.zip` })
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: stack.s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
    })
    await s3.send(
      new PutObjectCommand({ Bucket: 'bench', Key: 'app.zip', Body: await readFile(bundle.path) })
    )
    s3.destroy()
    const codedeploy = new CodeDeployClient({
      region: 'us-east-1',
      endpoint: stack.codedeploy.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
    })
    const lag = async (follow: (id: string) => Promise<unknown>): Promise<number> => {
      const { deploymentId } = await codedeploy.send(
        new CreateDeploymentCommand({
          applicationName: 'bench',
          deploymentGroupName: 'g',
          revision: {
            revisionType: 'S3',
            s3Location: { bucket: 'bench', key: 'app.zip', bundleType: 'zip' }
          }
        })
      )
      await follow(deploymentId!)
      const noticed = Date.now()
      const done = stack.codedeploy.deployment(deploymentId!)!.completeTime!.getTime()
      await stack.codedeploy.idle()
      return noticed - done
    }
    const ours = await lag(id =>
      waitForDeployment(id, {
        codedeploy,
        reporter: new RecordingReporter(),
        clock: systemClock,
        deadline: Date.now() + 600_000
      })
    )
    const waiter = await lag(id =>
      waitUntilDeploymentSuccessful({ client: codedeploy, maxWaitTime: 600 }, { deploymentId: id })
    )
    codedeploy.destroy()
    return {
      measure: 'detection lag after the deployment ends',
      peer: 'SDK waitUntilDeploymentSuccessful (defaults)',
      'ours ms': ours,
      'peer ms': waiter,
      'time ratio (ours/peer)': Number((Math.max(ours, 1) / Math.max(waiter, 1)).toFixed(2))
    }
  } finally {
    await stack.close()
    await rm(dir, { recursive: true, force: true })
    await rm(`${dir}.zip`, { force: true })
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-bench-'))
  const tree = path.join(work, 'tree')
  await mkdir(tree)
  await makeTree(tree)
  const results: Record<string, string | number>[] = []
  try {
    console.log(`Packaging a ${SIZE_MB} MB tree, median of ${ROUNDS} runs each…`)
    const ours = await measure('bundle', [tree, path.join(work, 'ours.zip')])
    results.push(
      row(
        'packaging',
        ours,
        await measure('adm-zip', [tree, path.join(work, 'adm.zip')]),
        'adm-zip (in memory)'
      )
    )
    if (spawnSync('zip', ['-v'], { stdio: 'ignore' }).status === 0) {
      results.push(
        row(
          'packaging',
          ours,
          await measure('zip-cli', [tree, path.join(work, `cli-${Date.now()}.zip`)]),
          'Info-ZIP zip'
        )
      )
    }

    console.log('Uploading the bundle to the local S3…')
    const stack = await startLocalStack({ buckets: ['bench'], stepDelayMs: 0 })
    try {
      const file = path.join(work, 'ours.zip')
      results.push(
        row(
          'upload',
          await measure('upload', [stack.s3.endpoint, file]),
          await measure('put-buffer', [stack.s3.endpoint, file]),
          'PutObject of a Buffer'
        )
      )
    } finally {
      await stack.close()
    }

    console.log('Following a deployment to its end (the SDK waiter takes a while)…')
    results.push(await detection())
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  console.table(results)
  await writeFile(
    'bench/results.json',
    `${JSON.stringify({ sizeMb: SIZE_MB, rounds: ROUNDS, node: process.version, results }, null, 2)}\n`
  )
  console.log('Written to bench/results.json. Ratios below 1 mean ours is faster or smaller.')
}

await main()

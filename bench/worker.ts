/**
 * One measured task of ours in its own process, so its peak RSS is its own (bench/measure.ts
 * reads that from outside). Prints one JSON line: { ms, cpuMs, bytes, uploaded? }, where ms and
 * cpuMs cover the task only, not node and tsx starting (cold start is measured on its own).
 *
 *   tsx bench/worker.ts package <source> <out.zip>
 *       createBundle, as the action packages (zip)
 *   tsx bench/worker.ts package-upload <source> <bucket> <key-prefix>
 *       the action's `command: package`: appspec check, package, upload (and whatever it skips on
 *       a re-run), against the S3 endpoint in AWS_ENDPOINT_URL_S3
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClients, destroyClients } from '../src/aws.js'
import { cacheDirectory } from '../src/engine/revision/cache.js'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { RunFailedError } from '../src/engine/tell/record.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { runEngine } from '../src/engine/run.js'
import { parseSettings, type InputName } from '../src/engine/inputs/settings.js'

const [task, ...args] = process.argv.slice(2)

interface Result {
  bytes: number
  uploaded?: boolean
}

async function packageUpload(source: string, bucket: string, keyPrefix: string): Promise<Result> {
  const inputs: Partial<Record<InputName, string>> = {
    command: 'package',
    source,
    bucket,
    'key-prefix': keyPrefix
  }
  const settings = parseSettings(name => inputs[name] ?? '', path.dirname(source))
  const clients = await createClients()
  const tempDir = await mkdtemp(path.join(tmpdir(), 'cdb-bench-run-'))
  const reporter = new RecordingReporter()
  try {
    const record = await runEngine(settings, {
      codedeploy: clients.codedeploy,
      s3: clients.s3,
      region: clients.region,
      reporter,
      workspace: path.dirname(source),
      tempDir,
      // As a checkout's commit time would: the same entry times, so a re-run makes the same bundle.
      sourceDateEpoch: '1700000000',
      // Where the action keeps its re-run cache: CDB_CACHE_DIR, set per pair by bench/upload.ts.
      cacheDir: cacheDirectory(process.env)
    })
    return { bytes: record.bundle?.size ?? 0, uploaded: record.bundle?.uploaded ?? false }
  } catch (error) {
    const lines = error instanceof RunFailedError ? reporter.lines.join('\n') : ''
    throw new Error(`${String(error)}\n${lines}`)
  } finally {
    destroyClients(clients)
    await rm(tempDir, { recursive: true, force: true })
  }
}

async function main(): Promise<Result> {
  switch (task) {
    case 'package': {
      const [source, out] = args as [string, string]
      return { bytes: (await createBundle({ source, type: 'zip', outFile: out })).size }
    }
    case 'package-upload': {
      const [source, bucket, prefix] = args as [string, string, string]
      return packageUpload(source, bucket, prefix)
    }
    default:
      throw new Error(`unknown task ${task}`)
  }
}

const cpu = process.cpuUsage()
const started = performance.now()
const result = await main()
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, ...result }))

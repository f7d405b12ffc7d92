/**
 * The zip worker threads: a pool that cannot start all of them leaves none running, and the built
 * workers (dist/…/zip-worker/) run with nothing but dist/ on disk, giving the bytes the source
 * gives.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Worker } from 'node:worker_threads'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { WorkerPool } from '../src/engine/revision/bundle/zip-pool.js'
import { startZipWorker } from '../src/engine/revision/bundle/zip-worker-start.js'

let work: string
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'zip-pool-'))
})
afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

function exited(worker: Worker): Promise<number> {
  return new Promise(resolve => worker.once('exit', resolve))
}

describe('the zip worker pool', () => {
  const workers: Worker[] = []
  afterEach(async () => {
    // Whatever the pool left running would keep the test process alive.
    await Promise.all(workers.splice(0).map(worker => worker.terminate()))
  })

  it('stops the workers it started when the next one fails to start', async () => {
    const exits: Promise<number>[] = []
    const start = (): Worker => {
      if (workers.length === 2) throw new Error('no more threads')
      const worker = startZipWorker()
      workers.push(worker)
      exits.push(exited(worker))
      return worker
    }
    expect(() => new WorkerPool(4, undefined, start)).toThrow('no more threads')
    // Both end without being told anything else: the pool terminated each. (Left running, they
    // never end and the test times out.)
    expect(await Promise.all(exits)).toHaveLength(2)
  })
})

describe('the built zip workers', () => {
  it('package from a copy of dist/ alone, with the bytes the source writes', async () => {
    if (!existsSync('dist/cli/zip-worker/index.js'))
      throw new Error('dist/cli/zip-worker/index.js is missing: run npm run package')
    // Outside the checkout: no node_modules above it, as on a runner.
    const dist = path.join(work, 'dist')
    await cp('dist', dist, { recursive: true })
    const source = path.join(work, 'src')
    await mkdir(path.join(source, 'big'), { recursive: true })
    await writeFile(path.join(source, 'appspec.yml'), 'version: 0.0\nos: linux\n')
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${i}: ${(i * 7919) % 1000}\n`)
    await writeFile(path.join(source, 'big/text.log'), lines.join('')) // chunked over workers
    for (let i = 0; i < 300; i++) await writeFile(path.join(source, `${i}.txt`), lines[i]!)
    const env = { PATH: process.env.PATH, SOURCE_DATE_EPOCH: '1700000000', AWS_REGION: 'us-east-1' }
    const out = path.join(work, 'built.zip')
    const cli = path.join(dist, 'cli/index.js')
    const args = [cli, '--command', 'package', '--source', source, '--bundle-path', out]
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, args, { env, cwd: work }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve()
      )
    })
    const fromSource = await createBundle({
      source,
      type: 'zip',
      outFile: path.join(work, 'source.zip'),
      mtime: new Date(1700000000 * 1000)
    })
    expect((await readFile(out)).equals(await readFile(fromSource.path))).toBe(true)
  })
})

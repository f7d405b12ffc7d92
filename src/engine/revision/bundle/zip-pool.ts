/**
 * A few worker threads that read and deflate the pieces of a zip (./zip-worker.ts), one per core:
 * deflate is what a zip spends its time on, and each worker deflates different entries. A job goes
 * to the worker with the fewest waiting; the answer comes back with its bytes transferred, not
 * copied. An abort, or a worker that dies, ends every job still waiting.
 */
import type { Worker } from 'node:worker_threads'
import type { Job, JobResult, ToWorker } from './zip-job.js'
import { startZipWorker } from './zip-worker-start.js'

interface Lane {
  worker: Worker
  waiting: number
}

interface Waiter {
  lane: Lane
  resolve: (result: JobResult) => void
  reject: (error: unknown) => void
}

export class WorkerPool {
  private readonly lanes: Lane[] = []
  private readonly waiters = new Map<number, Waiter>()
  private failure: Error | undefined
  private closed = false
  private recycled = 0
  private readonly onAbort = (): void => this.fail(this.signal?.reason)

  /** `startWorker`: how a worker thread is started (the tests start some that fail). */
  constructor(
    count: number,
    private readonly signal?: AbortSignal,
    private readonly startWorker: () => Worker = startZipWorker
  ) {
    try {
      for (let i = 0; i < count; i++) this.lanes.push(this.start())
    } catch (error) {
      // The ones already started would keep the process alive: nobody else holds them.
      this.close()
      throw error
    }
    signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  private start(): Lane {
    const lane: Lane = { worker: this.startWorker(), waiting: 0 }
    lane.worker.on('message', (result: JobResult) => this.settle(result))
    lane.worker.on('error', error => this.fail(error))
    lane.worker.on('exit', code => {
      if (!this.closed) this.fail(new Error(`A zip worker thread stopped (exit code ${code}).`))
    })
    return lane
  }

  private send(worker: Worker, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    worker.postMessage(message, transfer)
  }

  /** Runs the job on the least busy worker. */
  async run(job: Job): Promise<JobResult> {
    if (this.failure) throw this.failure
    if (this.closed) throw new Error('The zip workers are closed.')
    const lane = this.lanes.reduce((best, next) => (next.waiting < best.waiting ? next : best))
    lane.waiting++
    return new Promise<JobResult>((resolve, reject) => {
      this.waiters.set(job.id, { lane, resolve, reject })
      this.send(lane.worker, job)
    })
  }

  /** Hands a job's buffer, copied out, back to a worker to carry another job's bytes. */
  recycle(buffer: ArrayBuffer): void {
    if (this.closed) return
    const lane = this.lanes[this.recycled++ % this.lanes.length]!
    this.send(lane.worker, { spare: buffer }, [buffer])
  }

  private settle(result: JobResult): void {
    const waiter = this.waiters.get(result.id)
    if (!waiter) return
    this.waiters.delete(result.id)
    waiter.lane.waiting--
    waiter.resolve(result)
  }

  private fail(error: unknown): void {
    if (this.failure) return
    // The caller reports the abort's own reason; this one only ends the jobs.
    this.failure = error instanceof Error ? error : new Error(`Packaging stopped: ${String(error)}`)
    for (const waiter of this.waiters.values()) waiter.reject(this.failure)
    this.waiters.clear()
    this.close()
  }

  /** Stops the workers; jobs still waiting are rejected. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.signal?.removeEventListener('abort', this.onAbort)
    for (const waiter of this.waiters.values()) {
      waiter.reject(new Error('The zip workers were closed with a job still running.'))
    }
    this.waiters.clear()
    for (const lane of this.lanes) void lane.worker.terminate()
  }
}

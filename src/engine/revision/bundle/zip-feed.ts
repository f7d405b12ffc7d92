/**
 * What the zip workers are asked to do, and their answers in order: small files go whole, a few
 * hundred KiB to a job; big ones go in 1 MiB chunks, one to a job, so that every worker can take
 * a share of the same file. A window of jobs runs ahead of the writer, bounded in number (and so
 * in bytes): memory stays flat whatever the size of the tree.
 */
import type { BundleEntry } from './entries.js'
import type { Progress } from './read.js'
import type { WorkerPool } from './zip-pool.js'
import type { JobResult, Piece, PieceResult } from './zip-job.js'

type FileEntry = Extract<BundleEntry, { kind: 'file' }>

/** Files bigger than this are read, deflated and written in chunks of this size. */
export const CHUNK = 1024 * 1024
/** Small files go to the workers in jobs of about this many bytes… */
const BATCH_BYTES = 512 * 1024
/** …and at most this many files. */
const BATCH_FILES = 256

export function chunkCount(size: number): number {
  return Math.ceil(size / CHUNK)
}

/** The jobs for the workers, in the entries' order, with the file of each piece. */
function* plan(entries: BundleEntry[]): Generator<{ pieces: Piece[]; files: FileEntry[] }> {
  let pieces: Piece[] = []
  let files: FileEntry[] = []
  let bytes = 0
  for (const entry of entries) {
    if (entry.kind !== 'file' || entry.size === 0) continue
    const { abs: path, size: fileSize } = entry
    if (entry.size <= CHUNK) {
      pieces.push({ path, fileSize, offset: 0, length: fileSize, whole: true, last: true })
      files.push(entry)
      bytes += entry.size
      if (bytes < BATCH_BYTES && pieces.length < BATCH_FILES) continue
    }
    if (pieces.length) yield { pieces, files }
    pieces = []
    files = []
    bytes = 0
    if (entry.size <= CHUNK) continue
    const count = chunkCount(entry.size)
    for (let i = 0; i < count; i++) {
      const offset = i * CHUNK
      const length = Math.min(CHUNK, entry.size - offset)
      const last = i === count - 1
      yield { pieces: [{ path, fileSize, offset, length, whole: false, last }], files: [entry] }
    }
  }
  if (pieces.length) yield { pieces, files }
}

type Done = Extract<JobResult, { buffer: ArrayBuffer }>

/** A piece as the writer takes it: its CRC, how it is stored, and its bytes. */
export type Taken = Omit<PieceResult, 'length'> & { data: Buffer }

/** The workers' results, piece by piece in the entries' order. */
export class PieceFeed {
  private readonly jobs: ReturnType<typeof plan>
  private readonly ahead: { files: FileEntry[]; result: Promise<JobResult> }[] = []
  private current: Done | undefined
  private index = 0
  private at = 0
  private nextId = 0

  /** `window`: how many jobs may run ahead of the writer. */
  constructor(
    entries: BundleEntry[],
    private readonly pool: WorkerPool,
    private readonly window: number,
    private readonly progress: Progress
  ) {
    this.jobs = plan(entries)
    this.fill()
  }

  private fill(): void {
    while (this.ahead.length < this.window) {
      const next = this.jobs.next()
      if (next.done) return
      const result = this.pool.run({ id: this.nextId++, pieces: next.value.pieces })
      result.catch(() => undefined) // awaited in order later; an abort rejects them all at once
      this.ahead.push({ files: next.value.files, result })
    }
  }

  /**
   * The next piece when its job's answer is in already, without waiting (most pieces: a job
   * carries up to BATCH_FILES of them); undefined when it must be waited for with next(). Its
   * bytes stay valid until the writer asks for a piece again.
   */
  take(): Taken | undefined {
    const current = this.current
    if (!current || this.index === current.pieces.length) return undefined
    const { crc, method, length } = current.pieces[this.index++]!
    const data = Buffer.from(current.buffer, this.at, length)
    this.at += length
    return { crc, method, data }
  }

  /** The next piece, waiting for its job if need be (see take()). */
  async next(): Promise<Taken> {
    for (;;) {
      const piece = this.take()
      if (piece) return piece
      await this.load()
    }
  }

  /** Hands the finished job's buffer back to the workers and waits for the next job's answer. */
  private async load(): Promise<void> {
    if (this.current) this.pool.recycle(this.current.buffer)
    this.current = undefined
    const job = this.ahead.shift()
    if (!job) throw new Error('The zip writer asked for more pieces than it planned.')
    const result = await job.result
    this.fill()
    if ('error' in result) {
      const file = job.files[result.piece]!
      this.progress.rel = file.rel
      this.progress.abs = file.abs
      throw Object.assign(new Error(result.error.message), result.error, {
        path: result.error.path ?? file.abs
      })
    }
    this.current = result
    this.index = 0
    this.at = 0
  }
}

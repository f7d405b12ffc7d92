/**
 * Writes the entries as a zip with Unix modes and links kept, every entry at the same DOS
 * timestamp, and files that would not shrink stored rather than deflated.
 *
 * Worker threads (./zip-pool.ts, ./zip-worker.ts) read and deflate the files, several at a time
 * (./zip-feed.ts); this thread writes their results strictly in the listing's order, so the bytes
 * do not depend on which worker finished first. A file read in chunks is written with a data
 * descriptor (its CRC and sizes follow its data), and with Zip64 fields when it may pass 4 GiB.
 */
import { availableParallelism } from 'node:os'
import { crc32 } from 'node:zlib'
import type { BundleEntry } from './entries.js'
import type { Progress } from './read.js'
import { CHUNK, chunkCount, PieceFeed, type Taken } from './zip-feed.js'
import {
  centralHeader,
  crc32Combine,
  dataDescriptor,
  dosDateTime,
  endRecords,
  localHeader,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  ZIP64_STREAMED,
  type ZipEntry
} from './zip-format.js'
import { WorkerPool } from './zip-pool.js'

type FileEntry = Extract<BundleEntry, { kind: 'file' }>

/** Jobs running ahead of the writer, per worker. */
const AHEAD = 4
/** The writer hands on its bytes in pieces of this size. */
const OUTPUT_CHUNK = 1024 * 1024
/** A worker more for each this many bytes to read (each costs ~30 ms to start), up to the cores… */
const BYTES_PER_WORKER = 4 * 1024 * 1024
/** …and up to this many: each takes ~30 MB, and the writer needs a core too. */
const MAX_WORKERS = 4

function workers(entries: BundleEntry[]): number {
  let bytes = 0
  for (const entry of entries) if (entry.kind === 'file') bytes += entry.size
  const wanted = Math.ceil(bytes / BYTES_PER_WORKER)
  return Math.max(1, Math.min(availableParallelism(), MAX_WORKERS, wanted))
}

/**
 * Two buffers of OUTPUT_CHUNK bytes: one fills while the other is written. Nothing is allocated
 * per entry, so there is no garbage for the collector to fall behind on.
 */
class Output {
  private readonly buffers = [OUTPUT_CHUNK, OUTPUT_CHUNK].map(n => Buffer.allocUnsafeSlow(n))
  private current = 0
  private used = 0
  private writing: Promise<void> = Promise.resolve()
  /** Bytes put so far: where the next one lands in the archive. */
  offset = 0

  constructor(private readonly write: (bytes: Buffer) => Promise<void>) {}

  /**
   * Copies `bytes` in. Most fit the current buffer and are in when this returns; a promise comes
   * back only when a buffer filled and had to be handed on, and the next put waits for it.
   */
  put(bytes: Buffer): Promise<void> | undefined {
    if (this.used + bytes.length >= OUTPUT_CHUNK) return this.putAll(bytes)
    this.used += bytes.copy(this.buffers[this.current]!, this.used)
    this.offset += bytes.length
    return undefined
  }

  private async putAll(bytes: Buffer): Promise<void> {
    for (let from = 0; from < bytes.length;) {
      const copied = bytes.copy(this.buffers[this.current]!, this.used, from)
      from += copied
      this.used += copied
      this.offset += copied
      if (this.used === OUTPUT_CHUNK) await this.flush()
    }
  }

  private async flush(): Promise<void> {
    await this.writing
    this.writing = this.write(this.buffers[this.current]!.subarray(0, this.used))
    this.writing.catch(() => undefined) // awaited by the next flush or by end()
    this.current ^= 1
    this.used = 0
  }

  async end(): Promise<void> {
    if (this.used) await this.flush()
    await this.writing
  }
}

/** The central directory, one growing buffer rather than an object per entry. */
class Directory {
  private bytes = Buffer.allocUnsafeSlow(64 * 1024)
  private used = 0
  count = 0

  add(record: Buffer): void {
    if (this.used + record.length > this.bytes.length) {
      const bigger = Buffer.allocUnsafeSlow(
        Math.max(2 * this.bytes.length, this.used + record.length)
      )
      this.bytes.copy(bigger, 0, 0, this.used)
      this.bytes = bigger
    }
    this.used += record.copy(this.bytes, this.used)
    this.count++
  }

  content(): Buffer {
    return this.bytes.subarray(0, this.used)
  }
}

export interface ZipOptions {
  /** Where an error names the file being read. */
  progress: Progress
  /** Stops the workers at once; the promise then rejects. */
  signal?: AbortSignal
  /**
   * Takes the archive's bytes in order. They are not touched again until the promise settles,
   * and the next call waits for it.
   */
  write: (bytes: Buffer) => Promise<void>
  /** Worker threads; by default one per core (up to 4), fewer for a small tree. The bytes are the same. */
  workers?: number
}

class ZipWriter {
  private readonly out: Output
  private readonly central = new Directory()
  private readonly when: { time: number; date: number }

  constructor(
    mtime: Date,
    private readonly feed: PieceFeed,
    private readonly progress: Progress,
    write: (bytes: Buffer) => Promise<void>
  ) {
    this.when = dosDateTime(mtime)
    this.out = new Output(write)
  }

  /**
   * Puts the entry in; a promise only when it had to wait (for a worker's answer, or for the
   * output), and then the next entry waits for it. Most entries go in without one: a promise and
   * an async frame per entry are most of what the writer would otherwise leave to the collector.
   */
  add(item: BundleEntry): Promise<void> | undefined {
    // One object of one shape, filled in: spreading objects into a new one costs ten times more.
    const entry: ZipEntry = {
      name: Buffer.from(item.kind === 'dir' ? `${item.rel}/` : item.rel),
      method: 0,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: this.out.offset,
      mode: 0,
      descriptor: false,
      zip64: false
    }
    if (item.kind === 'dir') {
      entry.mode = S_IFDIR | item.mode
      return this.known(entry)
    }
    if (item.kind === 'link') {
      // Info-ZIP unzip restores a link from the S_IFLNK mode with the target as the content.
      const target = Buffer.from(item.target)
      entry.crc = crc32(target)
      entry.compressedSize = entry.size = target.length
      entry.mode = S_IFLNK | 0o777
      return this.known(entry, target)
    }
    entry.mode = S_IFREG | item.mode
    if (item.size === 0) return this.known(entry)
    if (item.size > CHUNK) return this.chunked(item, entry)
    entry.size = item.size
    const whole = (piece: Taken): Promise<void> | undefined => {
      entry.method = piece.method
      entry.crc = piece.crc
      entry.compressedSize = piece.data.length
      return this.known(entry, piece.data)
    }
    const piece = this.feed.take()
    return piece ? whole(piece) : this.feed.next().then(whole)
  }

  /** An entry whose CRC and sizes are known before its data. */
  private known(entry: ZipEntry, data?: Buffer): Promise<void> | undefined {
    this.central.add(centralHeader(entry, this.when))
    const header = this.out.put(localHeader(entry, this.when))
    if (!data) return header
    return header ? header.then(() => this.out.put(data)) : this.out.put(data)
  }

  /** A big file, chunk by chunk, its CRC and sizes in a data descriptor after it. */
  private async chunked(item: FileEntry, entry: ZipEntry): Promise<void> {
    let piece = await this.feed.next()
    entry.method = piece.method
    entry.size = item.size
    entry.descriptor = true
    entry.zip64 = item.size >= ZIP64_STREAMED
    await this.out.put(localHeader(entry, this.when))
    const count = chunkCount(item.size)
    for (let i = 0; i < count; i++) {
      if (i > 0) piece = await this.feed.next()
      // Each worker decides from the file's first bytes; they differ only if the file changed.
      if (piece.method !== entry.method) {
        this.progress.rel = item.rel
        this.progress.abs = item.abs
        throw Object.assign(new Error(`${item.abs}: size mismatch, it changed while it was read`), {
          path: item.abs
        })
      }
      entry.crc = crc32Combine(entry.crc, piece.crc, Math.min(CHUNK, item.size - i * CHUNK))
      entry.compressedSize += piece.data.length
      await this.out.put(piece.data)
    }
    await this.out.put(dataDescriptor(entry))
    this.central.add(centralHeader(entry, this.when))
  }

  async finish(): Promise<void> {
    const directoryOffset = this.out.offset
    await this.out.put(this.central.content())
    const size = this.out.offset - directoryOffset
    await this.out.put(endRecords(this.central.count, size, directoryOffset))
    await this.out.end()
  }
}

/** Writes the zip of the entries, in their order (see the module comment). */
export async function writeZip(
  entries: BundleEntry[],
  mtime: Date,
  options: ZipOptions
): Promise<void> {
  const count = options.workers ?? workers(entries)
  const pool = new WorkerPool(count, options.signal)
  try {
    const feed = new PieceFeed(entries, pool, count * AHEAD, options.progress)
    const writer = new ZipWriter(mtime, feed, options.progress, options.write)
    for (const entry of entries) {
      const waiting = writer.add(entry)
      if (waiting) await waiting
    }
    await writer.finish()
  } finally {
    pool.close()
  }
}

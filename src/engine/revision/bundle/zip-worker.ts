/**
 * A zip worker thread (started by ./zip-pool.ts): reads each piece of a job (a whole small file,
 * or one chunk of a big one), takes its CRC-32 and deflates it, or stores it when deflating would
 * not pay, and sends back the bytes in one transferred buffer. Several workers deflate different
 * entries at once; the main thread only orders, hashes and writes. It uses nothing but Node's own
 * modules, and is built as an entry of its own (see zip-pool.ts for how it is found).
 *
 * The choice between stored and deflated depends on the content only, so the same tree gives the
 * same bytes: a file of at least SAMPLE_FROM bytes whose first SAMPLE bytes deflate (at level 1)
 * to more than 97% of their size is stored without trying (images, archives, random data); any
 * other whole file is deflated and stored if that does not make it smaller. A big file's chunks
 * are deflated as pigz does: each one with the 32 KiB before it as its dictionary and ended by a
 * sync flush (the last by the end of the stream), so that together they make one deflate stream.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import { constants, crc32, deflateRawSync, type ZlibOptions } from 'node:zlib'
import type { JobResult, Piece, PieceResult, ToWorker, WorkerError } from './zip-job.js'

/** Deflate's window: a chunk's dictionary is this much of what comes before it. */
const WINDOW = 32 * 1024
/** Files at least this big are sampled before they are deflated. */
const SAMPLE_FROM = 64 * 1024
const SAMPLE = 16 * 1024
const LEVEL = 6

function changed(path: string): Error {
  return Object.assign(new Error(`${path}: size mismatch, the file changed while it was read`), {
    code: 'ESIZE',
    path
  })
}

function readAt(fd: number, path: string, buffer: Buffer, position: number): void {
  let done = 0
  while (done < buffer.length) {
    const n = readSync(fd, buffer, done, buffer.length - done, position + done)
    if (n === 0) throw changed(path)
    done += n
  }
}

// Read into one buffer, reused: a piece's bytes are copied out before the next piece is read.
let reads = Buffer.allocUnsafeSlow(0)
function scratch(length: number): Buffer {
  if (reads.length < length) reads = Buffer.allocUnsafeSlow(Math.max(length, 2 * reads.length))
  return reads.subarray(0, length)
}

interface Read {
  data: Buffer
  /** The 32 KiB before the piece: a chunk's dictionary. */
  dictionary: Buffer
  /** The file's first SAMPLE bytes. */
  sample: Buffer
}

function read(piece: Piece): Read {
  const fd = openSync(piece.path, 'r')
  try {
    if (fstatSync(fd).size !== piece.fileSize) throw changed(piece.path)
    const start = Math.max(0, piece.offset - WINDOW)
    const buffer = scratch(piece.offset + piece.length - start)
    readAt(fd, piece.path, buffer, start)
    const data = buffer.subarray(piece.offset - start)
    let sample = data.subarray(0, SAMPLE)
    if (piece.offset > 0) {
      sample = Buffer.allocUnsafeSlow(Math.min(SAMPLE, piece.fileSize))
      readAt(fd, piece.path, sample, 0)
    }
    return { data, dictionary: buffer.subarray(0, piece.offset - start), sample }
  } finally {
    closeSync(fd)
  }
}

/** Deflate's output for `length` bytes fits one buffer of this size: one allocation, no copies. */
function room(length: number): number {
  return length + (length >> 12) + (length >> 14) + (length >> 25) + 7 + 64
}

function compresses(sample: Buffer): boolean {
  const deflated = deflateRawSync(sample, { level: 1, chunkSize: room(sample.length) })
  return deflated.length <= sample.length * 0.97
}

interface Compressed {
  crc: number
  method: 0 | 8
  bytes: Buffer
}

function compress(piece: Piece): Compressed {
  const { data, dictionary, sample } = read(piece)
  const crc = crc32(data)
  const sampled = piece.fileSize >= SAMPLE_FROM
  if (sampled && !compresses(sample)) return { crc, method: 0, bytes: data }
  if (piece.whole) {
    const deflated = deflateRawSync(data, { level: LEVEL, chunkSize: room(data.length) })
    return deflated.length < data.length
      ? { crc, method: 8, bytes: deflated }
      : { crc, method: 0, bytes: data }
  }
  const options: ZlibOptions = {
    level: LEVEL,
    chunkSize: room(data.length),
    finishFlush: piece.last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH
  }
  if (dictionary.length) options.dictionary = dictionary
  return { crc, method: 8, bytes: deflateRawSync(data, options) }
}

// Buffers the main thread has copied out and sent back, to carry the next jobs' bytes.
const spare: ArrayBuffer[] = []

/** At most what the job's pieces can take once compressed (deflate grows random data a little). */
function bound(pieces: Piece[]): number {
  let total = 0
  for (const { length } of pieces) total += room(length)
  return total
}

function outputFor(size: number): Buffer {
  const i = spare.findIndex(buffer => buffer.byteLength >= size)
  if (i >= 0) return Buffer.from(spare.splice(i, 1)[0]!)
  return Buffer.allocUnsafeSlow(Math.max(size, 1024 * 1024))
}

function errorOf(error: unknown): WorkerError {
  const { message, code, path, syscall } = error as Partial<WorkerError>
  return {
    message: message ?? String(error),
    ...(code !== undefined ? { code } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(syscall !== undefined ? { syscall } : {})
  }
}

function answer(message: JobResult, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer)
}

parentPort?.on('message', (message: ToWorker) => {
  if ('spare' in message) {
    if (spare.length < 2) spare.push(message.spare)
    return
  }
  const job = message
  const out = outputFor(bound(job.pieces))
  const pieces: PieceResult[] = []
  let at = 0
  for (let i = 0; i < job.pieces.length; i++) {
    let result: Compressed
    try {
      result = compress(job.pieces[i]!)
    } catch (error) {
      spare.push(out.buffer as ArrayBuffer)
      answer({ id: job.id, piece: i, error: errorOf(error) })
      return
    }
    at += result.bytes.copy(out, at)
    pieces.push({ crc: result.crc, method: result.method, length: result.bytes.length })
  }
  answer({ id: job.id, buffer: out.buffer as ArrayBuffer, pieces }, [out.buffer as ArrayBuffer])
})

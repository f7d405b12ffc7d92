/**
 * What the zip writer's thread and its worker threads (./zip-worker.ts) say to each other: a job
 * of pieces to read and compress, a spare buffer handed back, and the answer to a job, its bytes
 * in one transferred buffer or the error of the piece that failed.
 */

/** One piece of one file, to read and compress. */
export interface Piece {
  path: string
  /** The file's size when it was listed; a different size now means it changed. */
  fileSize: number
  offset: number
  length: number
  /** The whole file is this one piece: it may still be stored if deflating does not pay. */
  whole: boolean
  /** The file's last piece: ends the deflate stream. */
  last: boolean
}

export interface Job {
  id: number
  pieces: Piece[]
}

/** A job's buffer, its bytes copied out, sent back to carry another job's. */
export interface Spare {
  spare: ArrayBuffer
}

/** What a worker is sent. */
export type ToWorker = Job | Spare

export interface PieceResult {
  crc: number
  method: 0 | 8
  /** Bytes of this piece in the job's buffer, in order. */
  length: number
}

export interface WorkerError {
  message: string
  code?: string
  path?: string
  syscall?: string
}

/** What a worker answers to a job: all its pieces, or the error of the one that failed. */
export type JobResult =
  | { id: number; buffer: ArrayBuffer; pieces: PieceResult[] }
  | { id: number; error: WorkerError; piece: number }

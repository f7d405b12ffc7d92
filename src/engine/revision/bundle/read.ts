/**
 * Reads the files of a bundle into the archive writers, keeping track of the one being read so
 * that an error can name it and an abort can close it; turns a file that changed mid-read into an
 * InputError that says so.
 */
import { createReadStream, type ReadStream } from 'node:fs'
import { InputError } from '../../errors.js'
import { IGNORE_FILE } from '../ignore-rules.js'
import type { BundleEntry } from './entries.js'

/** What is being read right now, to name it in an error and to close it on abort. */
export interface Progress {
  rel?: string
  abs?: string
  stream?: ReadStream
}

export function open(
  entry: Extract<BundleEntry, { kind: 'file' }>,
  progress: Progress
): ReadStream {
  const stream = createReadStream(entry.abs, { highWaterMark: 1 << 20 })
  progress.rel = entry.rel
  progress.abs = entry.abs
  progress.stream = stream
  return stream
}

export function translate(error: unknown, progress: Progress, source: string): unknown {
  const message = error instanceof Error ? error.message : ''
  const errno = error as NodeJS.ErrnoException | undefined
  const denied =
    (errno?.code === 'EACCES' || errno?.code === 'EPERM') && errno.path === progress.abs
  if (progress.rel && denied) {
    return new InputError(
      `Cannot read ${progress.rel} in ${source} (permission denied). Make it readable by the runner's user, or, if it should not be deployed, add it to ${IGNORE_FILE}.`
    )
  }
  const vanished = errno?.code === 'ENOENT' && errno.path === progress.abs
  if (progress.rel && (vanished || /unexpected number of bytes|size mismatch/i.test(message))) {
    return new InputError(
      `${progress.rel} in ${source} changed while it was being packaged. Make sure no other step writes to the source while the bundle is made, then run again.`
    )
  }
  return error
}

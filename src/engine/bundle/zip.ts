/**
 * Writes the entries as a zip stream with Unix modes and links kept, every entry at the same DOS
 * timestamp, and files that would not shrink stored rather than deflated.
 */
import { open as openFile } from 'node:fs/promises'
import type { PassThrough, Readable } from 'node:stream'
import { deflateRawSync } from 'node:zlib'
import yazl from 'yazl'
import type { BundleEntry } from './entries.js'
import { open, type Progress } from './read.js'

const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000

/** yazl writes the DOS date from local time: give it a date whose local fields are `time`'s UTC ones. */
function dosDate(time: Date): Date {
  return new Date(
    time.getUTCFullYear(),
    time.getUTCMonth(),
    time.getUTCDate(),
    time.getUTCHours(),
    time.getUTCMinutes(),
    time.getUTCSeconds()
  )
}

/** Files at least this big are sampled before deflating; smaller ones are always deflated. */
const SAMPLE_BYTES = 64 * 1024

/**
 * Files whose first 64 KiB deflate to more than 97% of their size (images, fonts, jars, archives,
 * encrypted or random data): deflating the whole file would cost time for no gain, so they are
 * stored. The decision depends on the content only, so the same tree still gives the same bytes.
 */
export async function incompressible(
  entries: BundleEntry[],
  signal?: AbortSignal
): Promise<Set<string>> {
  const stored = new Set<string>()
  const sample = Buffer.alloc(SAMPLE_BYTES)
  for (const entry of entries) {
    if (entry.kind !== 'file' || entry.size < SAMPLE_BYTES) continue
    signal?.throwIfAborted()
    let bytesRead = 0
    try {
      const handle = await openFile(entry.abs, 'r')
      try {
        ;({ bytesRead } = await handle.read(sample, 0, SAMPLE_BYTES, 0))
      } finally {
        await handle.close()
      }
    } catch {
      continue // packaging itself will report the file
    }
    if (bytesRead < SAMPLE_BYTES) continue
    if (deflateRawSync(sample, { level: 1 }).length > SAMPLE_BYTES * 0.97) stored.add(entry.rel)
  }
  return stored
}

export function zipArchive(
  entries: BundleEntry[],
  mtime: Date,
  progress: Progress,
  stored: Set<string>
): Readable {
  const zip = new yazl.ZipFile()
  const output = zip.outputStream as PassThrough
  zip.on('error', (error: Error) => output.destroy(error))
  // DOS time only (no extended UTC timestamp field): the bytes then do not depend on the
  // runner's time zone.
  const common = { mtime: dosDate(mtime), forceDosTimestamp: true }
  for (const entry of entries) {
    if (entry.kind === 'dir') {
      zip.addEmptyDirectory(`${entry.rel}/`, { ...common, mode: S_IFDIR | entry.mode })
    } else if (entry.kind === 'link') {
      // Info-ZIP unzip restores a link from the S_IFLNK mode with the target as the content.
      zip.addBuffer(Buffer.from(entry.target), entry.rel, {
        ...common,
        mode: S_IFLNK | 0o777,
        compress: false
      })
    } else if (entry.size === 0) {
      zip.addBuffer(Buffer.alloc(0), entry.rel, {
        ...common,
        mode: S_IFREG | entry.mode,
        compress: false
      })
    } else {
      const options = {
        ...common,
        mode: S_IFREG | entry.mode,
        size: entry.size,
        compress: !stored.has(entry.rel)
      }
      zip.addReadStreamLazy(entry.rel, options, done => {
        const stream = open(entry, progress)
        stream.on('error', (error: Error) => output.destroy(error))
        done(null, stream)
      })
    }
  }
  zip.end()
  return output
}

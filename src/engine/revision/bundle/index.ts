/**
 * Packages a source directory as a CodeDeploy bundle (zip, tgz or tar), streaming, so memory does
 * not grow with the size of the bundle (only with the number of entries, a few hundred bytes
 * each). A tar is written one file at a time, in 1 MiB chunks; a zip is deflated by worker
 * threads, several files at once, and written in order (./zip.ts). The SHA-256 is taken from the
 * bytes on their way to the file, never by reading the file again.
 *
 * - Entries are relative to the source, with `/`, so appspec.yml sits at the archive's root.
 * - Unix modes are kept; hook scripts get the execute bit even when the checkout lost it
 *   (Windows runners). The agent would try `chmod +x` itself, but only for the scripts it runs,
 *   and only when it can.
 * - Symlinks are stored as links, never followed. A link that is absolute or resolves outside
 *   the source is refused: on the instance it would point at something that was never packaged.
 * - `.git` is left out, `.codedeployignore` (gitignore syntax, at the source root) is honoured and
 *   itself left out (it is packaging configuration, not part of the application). Directories,
 *   empty ones included, get their own entries.
 * - Same tree, same bytes: entries are sorted, and every entry gets the same timestamp, with
 *   owner 0 and no user names. A checkout sets every mtime to the time of the checkout, so real
 *   mtimes would make each run's bundle differ. The agent installs files with their archive mtime,
 *   and web servers, opcache and make-style tools read it, so the run passes a time that moves with
 *   the content and stays reproducible (./time.ts: SOURCE_DATE_EPOCH or the commit time);
 *   `ENTRY_TIME` is only the default for callers that give none.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { once } from 'node:events'
import { createGzip } from 'node:zlib'
import type { BundleType } from '../../inputs/s3-location.js'
import { InputError } from '../../errors.js'
import { IGNORE_FILE } from '../ignore-rules.js'
import { listEntries, markExecutables, type BundleEntry, type ListingWarning } from './entries.js'
import { translate, type Progress } from './read.js'
import { tarArchive } from './tar.js'
import { writeZip } from './zip.js'

export type { BundleType } from '../../inputs/s3-location.js'
export { IGNORE_FILE } from '../ignore-rules.js'
export { listEntries, type BundleEntry, type ListingWarning, type ListOptions } from './entries.js'

/**
 * The timestamp every entry gets by default: 2000-01-01T00:00:00Z. Any constant keeps bundles
 * reproducible; this one is valid in every format (zip cannot store dates before 1980, and some zip
 * readers refuse them), and plainly artificial when someone sees it on an instance.
 */
export const ENTRY_TIME = new Date(Date.UTC(2000, 0, 1))

export interface BundleOptions {
  /** Directory to package; appspec.yml should be at its root. */
  source: string
  type: BundleType
  /**
   * File to write. The bundle is written beside it under a temporary name and renamed into place
   * once complete, so the file is never a half bundle, and an old one stays until then.
   */
  outFile: string
  /** Hook scripts (posix paths relative to the source) to mark executable. */
  executables?: string[]
  /** Stops packaging and removes the partial file. */
  signal?: AbortSignal
  /** Timestamp for every entry (e.g. the commit time); default `ENTRY_TIME`. */
  mtime?: Date
  /** The source's listing, when the caller made it already (the re-run cache digests it). */
  listing?: Listing
}

export type Listing = Awaited<ReturnType<typeof listEntries>>

export interface BundleResult {
  path: string
  type: BundleType
  /** Bytes written. */
  size: number
  /** Hex SHA-256 of the bytes written. */
  sha256: string
  files: number
  directories: number
  symlinks: number
  /**
   * Entries left out by `.git`, `.codedeployignore` or as the ignore file itself; an excluded
   * directory counts once, whatever it holds.
   */
  excluded: number
  /** Entries packaged all the same that deserve a look (dangling links, likely secrets). */
  warnings: ListingWarning[]
}

/**
 * Packages `source` into `outFile` as zip, tgz or tar (see the module comment for what goes in and
 * how). Removes the partial file on failure or abort; `outFile` is only ever a whole bundle.
 */
export async function createBundle(options: BundleOptions): Promise<BundleResult> {
  const { source, type, outFile, signal } = options
  signal?.throwIfAborted()
  const listing =
    options.listing ?? (await listEntries(source, { skip: outFile, ...(signal ? { signal } : {}) }))
  const { entries, excluded, rules, warnings } = listing
  const counts = { files: 0, directories: 0, symlinks: 0 }
  for (const entry of entries) {
    if (entry.kind === 'file') counts.files++
    else if (entry.kind === 'dir') counts.directories++
    else counts.symlinks++
  }
  if (counts.files === 0) {
    throw new InputError(
      `${source} has no files to package${excluded ? ` (${excluded} ${excluded === 1 ? 'entry is' : 'entries are'} excluded by .git or ${IGNORE_FILE})` : ''}. Point 'source' at the directory that holds appspec.yml and the application.`
    )
  }
  markExecutables(entries, options.executables ?? [], rules, source)
  if (type === 'zip') {
    const backslash = entries.find(e => e.rel.includes('\\'))
    if (backslash) {
      throw new InputError(
        `${backslash.rel} has a backslash in its name, which zip readers take as a folder separator. Rename it, or use bundle-type tgz.`
      )
    }
  }

  const mtime = options.mtime ?? ENTRY_TIME
  const progress: Progress = {}
  const hash = createHash('sha256')
  let size = 0
  const count = (chunk: Buffer): void => {
    hash.update(chunk)
    size += chunk.length
  }
  const partial = path.join(
    path.dirname(outFile),
    `.${path.basename(outFile)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`
  )
  const sink = { outFile: partial, progress, count, signal }
  try {
    if (type === 'zip') await zipFile(entries, mtime, sink)
    else await tarFile(entries, mtime, { ...sink, gzip: type === 'tgz' })
    await rename(partial, outFile)
  } catch (error) {
    await rm(partial, { force: true })
    if (signal?.aborted) throw signal.reason
    throw translate(error, progress, source)
  }
  return {
    path: outFile,
    type,
    size,
    sha256: hash.digest('hex'),
    ...counts,
    excluded,
    warnings
  }
}

interface Sink {
  outFile: string
  progress: Progress
  /** Sees every byte written, in order. */
  count: (chunk: Buffer) => void
  signal: AbortSignal | undefined
}

async function zipFile(entries: BundleEntry[], mtime: Date, sink: Sink): Promise<void> {
  const file = await open(sink.outFile, 'w')
  try {
    await writeZip(entries, mtime, {
      progress: sink.progress,
      ...(sink.signal ? { signal: sink.signal } : {}),
      write: async bytes => {
        sink.count(bytes)
        for (let at = 0; at < bytes.length;) {
          at += (await file.write(bytes, at, bytes.length - at)).bytesWritten
        }
      }
    })
  } finally {
    await file.close()
  }
}

async function tarFile(
  entries: BundleEntry[],
  mtime: Date,
  sink: Sink & { gzip: boolean }
): Promise<void> {
  const { progress, count, signal } = sink
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count(chunk)
      done(null, chunk)
    }
  })
  const archive = tarArchive(entries, mtime, progress)
  const out = createWriteStream(sink.outFile)
  const stages: NodeJS.ReadWriteStream[] = sink.gzip ? [createGzip(), tap] : [tap]
  try {
    await pipeline([archive, ...stages, out], signal ? { signal } : {})
  } catch (error) {
    progress.stream?.destroy()
    archive.destroy()
    if (!out.closed) await once(out, 'close').catch(() => undefined)
    throw error
  }
}

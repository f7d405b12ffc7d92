/**
 * Packages a source directory as a CodeDeploy bundle (zip, tgz or tar), streaming: files are read
 * one at a time, in 1 MiB chunks, straight into the archive, so memory does not grow with the size of
 * the bundle (only with the number of entries, a few hundred bytes each). The SHA-256 is taken
 * from the bytes on their way to the file, never by reading the file again.
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
 * - Same tree, same bytes: entries are sorted, and every entry gets the same timestamp
 *   (`ENTRY_TIME` unless `mtime` is given), with owner 0 and no user names. A checkout sets every
 *   mtime to the time of the checkout, so real mtimes would make each run's bundle differ, and the
 *   upload, which skips a bundle whose hash is already in S3, could never skip. The agent copies
 *   files with their archive mtime (`cp --preserve`): callers who want deployed files to carry a
 *   meaningful time (web servers derive Last-Modified and ETag from it) pass the commit time as
 *   `mtime`, which is just as reproducible.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, type ReadStream, type Stats } from 'node:fs'
import { lstat, open as openFile, readdir, readlink, realpath, rm } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough, Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { once } from 'node:events'
import { createGzip, deflateRawSync } from 'node:zlib'
import tar, { type Header } from 'tar-stream'
import yazl from 'yazl'
import type { BundleType } from './bundle-type.js'
import { InputError } from './errors.js'
import { IGNORE_FILE, loadExcludeRules, type ExcludeRules } from './ignore-rules.js'

export type { BundleType } from './bundle-type.js'
export { IGNORE_FILE } from './ignore-rules.js'

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
  /** File to write. Removed again if packaging fails or is aborted. */
  outFile: string
  /** Hook scripts (posix paths relative to the source) to mark executable. */
  executables?: string[]
  /** Stops packaging and removes the partial file. */
  signal?: AbortSignal
  /** Timestamp for every entry (e.g. the commit time); default `ENTRY_TIME`. */
  mtime?: Date
}

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
}

export type BundleEntry =
  | { kind: 'file'; rel: string; abs: string; mode: number; size: number }
  | { kind: 'dir'; rel: string; mode: number }
  | { kind: 'link'; rel: string; target: string }

const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000
const WINDOWS = process.platform === 'win32'

function permissions(stats: Stats, isDir: boolean): number {
  // Windows reports no useful permission bits: give the usual ones.
  if (WINDOWS) return isDir ? 0o755 : 0o644
  return stats.mode & 0o7777
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** `sub/script.sh`, `./sub/script.sh`, `/sub/script.sh` → `sub/script.sh`. */
function normalise(rel: string): string {
  return path.posix.normalize(rel.replace(/\\/g, '/').replace(/^(\.?\/)+/, ''))
}

export interface ListOptions {
  /** Left out of the listing (the bundle being written, should it sit inside the source). */
  skip?: string
  signal?: AbortSignal
}

/**
 * Lists what goes into the bundle, depth first, each directory's entries sorted by name. Throws
 * InputError for links that leave the source, for entries that cannot be packaged, and when the
 * ignore rules exclude the appspec.
 */
export async function listEntries(
  source: string,
  options: ListOptions = {}
): Promise<{ entries: BundleEntry[]; excluded: number; rules: ExcludeRules }> {
  const root = path.resolve(source)
  const realRoot = await realpath(root)
  const skip = options.skip ? path.resolve(options.skip) : undefined
  const rules = await loadExcludeRules(root)
  for (const name of ['appspec.yml', 'appspec.yaml']) {
    const present = await lstat(path.join(root, name)).then(
      () => true,
      () => false
    )
    if (present && rules.excludes(name, false)) {
      throw new InputError(
        `${IGNORE_FILE} excludes ${name}, but the bundle must contain it. Remove the rule that matches it, or add '!${name}' at the end of ${IGNORE_FILE}.`
      )
    }
  }
  const entries: BundleEntry[] = []
  let excluded = 0

  const visit = async (dir: string, relDir: string): Promise<void> => {
    options.signal?.throwIfAborted()
    const names = (await readdir(dir)).sort(byName)
    for (const name of names) {
      const abs = path.join(dir, name)
      const rel = relDir ? `${relDir}/${name}` : name
      if (abs === skip) continue
      const stats = await lstat(abs)
      if (rules.excludes(rel, stats.isDirectory())) {
        excluded++
        continue
      }
      if (stats.isSymbolicLink()) {
        entries.push({
          kind: 'link',
          rel,
          target: await checkedLink(abs, rel, root, realRoot, source)
        })
      } else if (stats.isDirectory()) {
        entries.push({ kind: 'dir', rel, mode: permissions(stats, true) })
        await visit(abs, rel)
      } else if (stats.isFile()) {
        entries.push({ kind: 'file', rel, abs, mode: permissions(stats, false), size: stats.size })
      } else {
        throw new InputError(
          `${rel} in ${source} is not a regular file, directory or link (a socket, pipe or device) and cannot be packaged. Remove it, or add it to ${IGNORE_FILE}.`
        )
      }
    }
  }
  await visit(root, '')
  return { entries, excluded, rules }
}

/** The link's target, with `/`, after making sure it stays inside the source. */
async function checkedLink(
  abs: string,
  rel: string,
  root: string,
  realRoot: string,
  label: string
): Promise<string> {
  const target = await readlink(abs)
  const refuse = (why: string): InputError =>
    new InputError(
      `Link ${rel} -> ${target} ${why}, so on the instance it would point at something the bundle does not carry. Make it a relative link to a path inside ${label}, replace it with a copy of what it points to, or add ${rel} to ${IGNORE_FILE}.`
    )
  if (path.isAbsolute(target) || /^[a-zA-Z]:/.test(target)) throw refuse('is absolute')
  if (!inside(root, path.resolve(path.dirname(abs), target)))
    throw refuse('leaves the source directory')
  // Through other links the real target may still be elsewhere; a dangling link is kept as it is.
  const real = await realpath(abs).catch(() => undefined)
  if (real !== undefined && !inside(realRoot, real))
    throw refuse(`resolves to ${real}, outside the source directory`)
  return target.replace(/\\/g, '/')
}

/** Marks the hook scripts executable, following links inside the bundle to the file they name. */
function markExecutables(
  entries: BundleEntry[],
  executables: string[],
  rules: ExcludeRules,
  source: string
): void {
  const byRel = new Map(entries.map(e => [e.rel, e]))
  for (const wanted of executables) {
    let rel = normalise(wanted)
    let entry = byRel.get(rel)
    for (let hops = 0; entry?.kind === 'link' && hops < 40; hops++) {
      rel = path.posix.normalize(path.posix.join(path.posix.dirname(rel), entry.target))
      entry = byRel.get(rel)
    }
    if (entry?.kind === 'file') {
      entry.mode |= 0o111
      continue
    }
    const why = rules.excludes(rel, false)
      ? rel.split('/').includes('.git')
        ? 'is inside .git, which is never packaged'
        : `is excluded by ${IGNORE_FILE}`
      : entry
        ? 'is not a file'
        : 'is not in the source'
    throw new InputError(
      `Hook script ${wanted} ${why}, so the instance would not be able to run it. ${
        rules.excludes(rel, false)
          ? `Remove the ${IGNORE_FILE} rule that matches it.`
          : `Add it to ${source} or fix its location in the appspec.`
      }`
    )
  }
}

/** What is being read right now, to name it in an error and to close it on abort. */
interface Progress {
  rel?: string
  abs?: string
  stream?: ReadStream
}

function open(entry: Extract<BundleEntry, { kind: 'file' }>, progress: Progress): ReadStream {
  const stream = createReadStream(entry.abs, { highWaterMark: 1 << 20 })
  progress.rel = entry.rel
  progress.abs = entry.abs
  progress.stream = stream
  return stream
}

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
async function incompressible(entries: BundleEntry[], signal?: AbortSignal): Promise<Set<string>> {
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

function zipArchive(
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

function tarArchive(entries: BundleEntry[], mtime: Date, progress: Progress): Readable {
  const pack = tar.pack()
  const base = { mtime, uid: 0, gid: 0, uname: '', gname: '' }
  const add = (
    header: Partial<Header> & { name: string },
    entry?: Extract<BundleEntry, { kind: 'file' }>
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve())
      // An empty file still needs its (empty) body written; directories and links carry none.
      const sink =
        header.type === 'file' && !entry
          ? pack.entry({ ...base, ...header }, Buffer.alloc(0), done)
          : pack.entry({ ...base, ...header }, done)
      // Destroying the pack (abort, failure) errors the current sink; the callback reports it.
      sink.on('error', reject)
      if (!entry) return
      const input = open(entry, progress)
      input.on('error', error => {
        sink.destroy(error)
        reject(error)
      })
      input.pipe(sink)
    })
  const write = async (): Promise<void> => {
    for (const entry of entries) {
      if (pack.destroyed) return
      if (entry.kind === 'dir') {
        await add({ name: `${entry.rel}/`, type: 'directory', mode: entry.mode })
      } else if (entry.kind === 'link') {
        await add({ name: entry.rel, type: 'symlink', linkname: entry.target, mode: 0o777 })
      } else {
        await add(
          { name: entry.rel, type: 'file', mode: entry.mode, size: entry.size },
          entry.size > 0 ? entry : undefined
        )
      }
    }
    pack.finalize()
  }
  write().catch((error: unknown) =>
    pack.destroy(error instanceof Error ? error : new Error(String(error)))
  )
  return pack as unknown as Readable
}

function translate(error: unknown, progress: Progress, source: string): unknown {
  const message = error instanceof Error ? error.message : ''
  const errno = error as NodeJS.ErrnoException | undefined
  const vanished = errno?.code === 'ENOENT' && errno.path === progress.abs
  if (progress.rel && (vanished || /unexpected number of bytes|size mismatch/i.test(message))) {
    return new InputError(
      `${progress.rel} in ${source} changed while it was being packaged. Make sure no other step writes to the source while the bundle is made, then run again.`
    )
  }
  return error
}

/**
 * Packages `source` into `outFile` as zip, tgz or tar (see the module comment for what goes in and
 * how). Removes the partial file on failure or abort.
 */
export async function createBundle(options: BundleOptions): Promise<BundleResult> {
  const { source, type, outFile, signal } = options
  signal?.throwIfAborted()
  const listing = await listEntries(source, { skip: outFile, ...(signal ? { signal } : {}) })
  const { entries, excluded, rules } = listing
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
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      size += chunk.length
      done(null, chunk)
    }
  })
  const archive =
    type === 'zip'
      ? zipArchive(entries, mtime, progress, await incompressible(entries, signal))
      : tarArchive(entries, mtime, progress)
  const out = createWriteStream(outFile)
  const stages: NodeJS.ReadWriteStream[] = type === 'tgz' ? [createGzip(), tap] : [tap]
  try {
    await pipeline([archive, ...stages, out], signal ? { signal } : {})
  } catch (error) {
    progress.stream?.destroy()
    archive.destroy()
    if (!out.closed) await once(out, 'close').catch(() => undefined)
    await rm(outFile, { force: true })
    if (signal?.aborted) throw signal.reason
    throw translate(error, progress, source)
  }
  return { path: outFile, type, size, sha256: hash.digest('hex'), ...counts, excluded }
}

/**
 * Packages a source directory as a CodeDeploy bundle (zip, tgz or tar), streaming: no file and no
 * archive is ever held in memory whole, and the SHA-256 is computed on the bytes as they are
 * written.
 *
 * - appspec.yml sits at the archive's root; paths are relative to the source, with `/`.
 * - Unix modes are kept, and hook scripts are marked executable even when the checkout lost the
 *   bit (Windows runners).
 * - Symlinks are stored as links. A link that points outside the source (or is absolute) is
 *   refused: on the instance it would reach files that were never packaged.
 * - `.git` is left out, `.codedeployignore` (gitignore syntax) is honoured, empty directories are
 *   kept.
 * - Every entry gets the same fixed timestamp, so the same tree always gives the same bytes and the
 *   same hash; the upload relies on that to skip unchanged bundles. (A checkout sets mtimes to
 *   the checkout time, which would otherwise make every build differ. The agent does not use them.)
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, type Stats } from 'node:fs'
import { lstat, readdir, readFile, readlink, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import ignore, { type Ignore } from 'ignore'
import tar from 'tar-stream'
import yazl from 'yazl'
import type { BundleType } from './bundle-type.js'
import { InputError } from './errors.js'

export type { BundleType } from './bundle-type.js'

export const IGNORE_FILE = '.codedeployignore'
/** Fixed entry time (2000-01-01T00:00:00Z): see the module comment. */
export const ENTRY_TIME = new Date(Date.UTC(2000, 0, 1))

export interface BundleOptions {
  source: string
  type: BundleType
  outFile: string
  /** Hook scripts (posix paths relative to the source) to mark executable. */
  executables?: string[]
  signal?: AbortSignal
}

export interface BundleResult {
  path: string
  type: BundleType
  size: number
  sha256: string
  files: number
  directories: number
  symlinks: number
  /** Entries left out by .git or .codedeployignore. */
  excluded: number
}

export type Entry =
  | { kind: 'file'; rel: string; abs: string; mode: number; size: number }
  | { kind: 'dir'; rel: string; mode: number }
  | { kind: 'link'; rel: string; target: string }

const S_IFREG = 0o100000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000
const WINDOWS = process.platform === 'win32'

function permissions(stats: Stats, isDir: boolean): number {
  if (WINDOWS) return isDir ? 0o755 : 0o644
  return stats.mode & 0o7777
}

async function loadIgnore(source: string): Promise<Ignore> {
  const rules = ignore()
  try {
    rules.add(await readFile(path.join(source, IGNORE_FILE), 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  return rules
}

/**
 * Lists what goes in the bundle, sorted, depth first. Throws InputError for links that leave the
 * source and for entries that cannot be packaged.
 */
export async function listEntries(source: string): Promise<{ entries: Entry[]; excluded: number }> {
  const root = path.resolve(source)
  const rules = await loadIgnore(root)
  const entries: Entry[] = []
  let excluded = 0

  const visit = async (dir: string, relDir: string): Promise<void> => {
    const names = (await readdir(dir)).sort()
    for (const name of names) {
      const abs = path.join(dir, name)
      const rel = relDir ? `${relDir}/${name}` : name
      const stats = await lstat(abs)
      if (name === '.git' || (!relDir && name === IGNORE_FILE)) {
        excluded++
        continue
      }
      if (rules.ignores(stats.isDirectory() ? `${rel}/` : rel)) {
        excluded++
        continue
      }
      if (stats.isSymbolicLink()) {
        const target = await readlink(abs)
        const resolved = path.resolve(path.dirname(abs), target)
        const inside = resolved === root || resolved.startsWith(root + path.sep)
        if (path.isAbsolute(target) || !inside) {
          throw new InputError(
            `Link ${rel} -> ${target} points outside the source directory, so the bundle cannot carry what it points to. Copy the file into ${source}, make the link relative to a file inside it, or list ${rel} in ${IGNORE_FILE}.`
          )
        }
        entries.push({ kind: 'link', rel, target: target.split(path.sep).join('/') })
      } else if (stats.isDirectory()) {
        entries.push({ kind: 'dir', rel, mode: permissions(stats, true) })
        await visit(abs, rel)
      } else if (stats.isFile()) {
        entries.push({ kind: 'file', rel, abs, mode: permissions(stats, false), size: stats.size })
      } else {
        throw new InputError(
          `${rel} is not a regular file, directory or link (a socket or pipe?) and cannot be packaged. Remove it or list it in ${IGNORE_FILE}.`
        )
      }
    }
  }
  await visit(root, '')
  return { entries, excluded }
}

function zipStream(entries: Entry[]): Readable {
  const zip = new yazl.ZipFile()
  const common = { mtime: ENTRY_TIME }
  for (const entry of entries) {
    if (entry.kind === 'dir') zip.addEmptyDirectory(`${entry.rel}/`, { ...common, mode: S_IFDIR | entry.mode })
    else if (entry.kind === 'link') {
      zip.addBuffer(Buffer.from(entry.target), entry.rel, { ...common, mode: S_IFLNK | 0o777, compress: false })
    } else {
      zip.addReadStreamLazy(entry.rel, { ...common, mode: S_IFREG | entry.mode, size: entry.size, compress: true }, cb =>
        cb(null, createReadStream(entry.abs))
      )
    }
  }
  zip.end()
  return zip.outputStream as Readable
}

function tarStream(entries: Entry[], signal?: AbortSignal): Readable {
  const pack = tar.pack()
  const header = { mtime: ENTRY_TIME, uid: 0, gid: 0, uname: '', gname: '' }
  const write = async (): Promise<void> => {
    for (const entry of entries) {
      if (signal?.aborted) throw signal.reason as Error
      if (entry.kind === 'dir') {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, name: `${entry.rel}/`, type: 'directory', mode: entry.mode }, e => (e ? reject(e) : resolve()))
        )
      } else if (entry.kind === 'link') {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, name: entry.rel, type: 'symlink', linkname: entry.target, mode: 0o777 }, e =>
            e ? reject(e) : resolve()
          )
        )
      } else {
        const sink = pack.entry({ ...header, name: entry.rel, type: 'file', mode: entry.mode, size: entry.size })
        await pipeline(createReadStream(entry.abs), sink)
      }
    }
    pack.finalize()
  }
  write().catch((error: unknown) => pack.destroy(error as Error))
  return pack as unknown as Readable
}

/** Packages `source` into `outFile`. Removes the partial file on failure or abort. */
export async function createBundle(options: BundleOptions): Promise<BundleResult> {
  const { entries, excluded } = await listEntries(options.source)
  const files = entries.filter(e => e.kind === 'file').length
  if (files === 0) {
    throw new InputError(`Source ${options.source} has no files to package. Point 'source' at the directory that holds appspec.yml.`)
  }
  const executables = new Set((options.executables ?? []).map(p => p.replace(/^\.?\/+/, '')))
  for (const entry of entries) {
    if (entry.kind === 'file' && executables.has(entry.rel)) entry.mode |= 0o111
  }

  const hash = createHash('sha256')
  let size = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      size += chunk.length
      done(null, chunk)
    }
  })
  const stages: (Readable | Transform)[] =
    options.type === 'zip'
      ? [zipStream(entries)]
      : options.type === 'tgz'
        ? [tarStream(entries, options.signal), createGzip({ level: 6 })]
        : [tarStream(entries, options.signal)]
  try {
    await pipeline([...stages, tap, createWriteStream(options.outFile)], options.signal ? { signal: options.signal } : {})
  } catch (error) {
    await rm(options.outFile, { force: true })
    throw error
  }
  return {
    path: options.outFile,
    type: options.type,
    size,
    sha256: hash.digest('hex'),
    files,
    directories: entries.filter(e => e.kind === 'dir').length,
    symlinks: entries.filter(e => e.kind === 'link').length,
    excluded
  }
}

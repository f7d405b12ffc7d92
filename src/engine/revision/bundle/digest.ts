/**
 * A digest of a tree as it would be packaged: what the re-run cache is keyed by. Two trees with
 * the same digest give the same bundle bytes, so a bundle built and uploaded for one serves the
 * other. It covers everything the bundle's bytes depend on: each entry in order (path, kind, mode
 * after the hook scripts are marked executable, size, link target), every file's content, the time
 * the entries carry, the bundle type, the writer's format version and the zlib that deflates.
 *
 * Files are read whole with synchronous calls (a thread-pool round trip per file costs more than
 * the read), into pieces of PIECE bytes of the contents laid end to end; each piece is hashed on
 * the thread pool (WebCrypto) while the next one is read, so reading and hashing use both cores.
 * The sizes in the entry list make the concatenation unambiguous.
 *
 * The entry list alone (without the contents) gives the tree's shape, which costs nothing to
 * compute from a listing: the cache is looked up by shape, so a tree never seen before (every new
 * commit: its entry time is new) is packaged at once, and its contents are digested while the
 * bundle uploads.
 */
import { createHash, webcrypto } from 'node:crypto'
import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs'
import type { BundleType } from '../../inputs/s3-location.js'
import type { BundleEntry } from './entries.js'

/**
 * The bundle writers' format. Bump it whenever the bytes they write for the same tree change
 * (zip.ts, tar.ts, index.ts), so that a cached bundle from an older writer is not taken for the
 * bundle this one would write. `__tests__/digest.test.ts` fails when the bytes change and this
 * does not.
 */
export const FORMAT_VERSION = 2

const PIECE = 4 << 20
/** Pieces hashed at once; bounds the memory to a few pieces. */
const IN_FLIGHT = 4

export interface ShapeOptions {
  type: BundleType
  /** The time every entry carries. */
  mtime: Date
}

export interface DigestOptions extends ShapeOptions {
  /**
   * When the listing began (ms since the epoch): a file changed after it (its change time is
   * later, give or take SETTLED_MS) may differ from what was packaged, and is not vouched for.
   */
  listedAt: number
  signal?: AbortSignal
}

/**
 * File change times come from a coarse clock: a scheduler tick (1-10 ms) on Linux, whole seconds
 * on some filesystems (HFS+, FAT, some network mounts), where a rewrite just after the listing
 * can carry a time before it. A change this close to the listing counts as after it, so such a
 * file is never vouched for.
 */
export const SETTLED_MS = 2000

export interface TreeDigest {
  /** Hex SHA-256 of the tree as it would be packaged. */
  digest: string
  /**
   * Whether every file was last changed before the listing began and not since it was read for
   * the digest: then the bundle made from the listing is the one the digest names.
   */
  unchanged(): boolean
}

/** One file as the digest read it: its change time tells a later write. */
interface Seen {
  abs: string
  size: number
  ctimeMs: number
}

function describe(entry: BundleEntry): string {
  const line =
    entry.kind === 'file'
      ? ['file', entry.rel, entry.mode, entry.size]
      : entry.kind === 'dir'
        ? ['dir', entry.rel, entry.mode]
        : ['link', entry.rel, entry.target]
  return `${JSON.stringify(line)}\n`
}

/** The entry list's SHA-256 (no contents), as the tree digest starts from it. */
function listHash(entries: BundleEntry[], options: ShapeOptions): Buffer {
  const list = createHash('sha256')
  const header = {
    format: FORMAT_VERSION,
    type: options.type,
    mtime: options.mtime.getTime(),
    zlib: process.versions.zlib,
    piece: PIECE
  }
  list.update(`${JSON.stringify(header)}\n`)
  for (const entry of entries) list.update(describe(entry))
  return list.digest()
}

/** Hex SHA-256 of the tree's shape: every entry, mode, size and link, the time, the format. */
export function treeShape(entries: BundleEntry[], options: ShapeOptions): string {
  return listHash(entries, options).toString('hex')
}

/**
 * The digest of `entries` (a listing after `markExecutables`), or undefined when a file cannot
 * be read or changes while it is read: packaging then reports it, and nothing is cached.
 */
export async function treeDigest(
  entries: BundleEntry[],
  options: DigestOptions
): Promise<TreeDigest | undefined> {
  const seen: Seen[] = []
  const hashing: Promise<ArrayBuffer>[] = []
  const digests: Buffer[] = []
  let piece = Buffer.allocUnsafe(PIECE)
  let fill = 0
  const flush = async (): Promise<void> => {
    hashing.push(webcrypto.subtle.digest('SHA-256', piece.subarray(0, fill)))
    piece = Buffer.allocUnsafe(PIECE)
    fill = 0
    if (hashing.length >= IN_FLIGHT) digests.push(Buffer.from(await hashing.shift()!))
  }

  for (const entry of entries) {
    if (entry.kind !== 'file' || entry.size === 0) continue
    options.signal?.throwIfAborted()
    let fd: number
    try {
      fd = openSync(entry.abs, 'r')
    } catch {
      return undefined
    }
    try {
      const stats = fstatSync(fd)
      if (stats.size !== entry.size) return undefined
      seen.push({ abs: entry.abs, size: entry.size, ctimeMs: stats.ctimeMs })
      for (let left = entry.size; left > 0;) {
        const read = readSync(fd, piece, fill, Math.min(PIECE - fill, left), null)
        if (read === 0) return undefined
        fill += read
        left -= read
        if (fill === PIECE) await flush()
      }
    } catch {
      return undefined
    } finally {
      closeSync(fd)
    }
  }
  if (fill > 0) await flush()
  for (const pending of hashing) digests.push(Buffer.from(await pending))
  const digest = createHash('sha256')
    .update(listHash(entries, options))
    .update(Buffer.concat(digests))
    .digest('hex')
  const settled = seen.every(file => file.ctimeMs < options.listedAt - SETTLED_MS)
  return { digest, unchanged: () => settled && unchangedSince(seen) }
}

function unchangedSince(seen: Seen[]): boolean {
  try {
    return seen.every(file => {
      const stats = lstatSync(file.abs)
      return stats.size === file.size && stats.ctimeMs === file.ctimeMs
    })
  } catch {
    return false
  }
}

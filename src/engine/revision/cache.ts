/**
 * The re-run cache: for each tree shape (./bundle/digest.ts), the digest of the tree this machine
 * last packaged with that shape, the bundle it built from it and uploaded, and the SHA-256
 * checksum S3 keeps for it. A later run of the same tree asks S3 for the object's checksum
 * and, when it is this one, skips packaging and upload. S3 computed that checksum from the bytes it
 * holds, so an object planted at the key cannot carry it.
 *
 * The cache itself lives on the runner (a JSON file per tree shape), and every entry is signed with
 * an HMAC key kept beside it, readable by this user only: an entry that was edited, copied from
 * another machine or written by another user fails the check and only costs a rebuild. Anything
 * wrong with the directory (unwritable, owned by someone else) turns the cache off for the run.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { link, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'

export interface CachedBundle {
  /** Hex SHA-256 of the tree's contents and shape (./bundle/digest.ts), which the bundle was made of. */
  tree: string
  /** Hex SHA-256 of the bundle (its object key ends with it). */
  sha256: string
  size: number
  /** The SHA-256 checksum S3 keeps for the object as this action uploads it: full or composite. */
  checksum: string
}

/** The environment variable that names the cache directory, overriding the defaults. */
export const CACHE_DIR_VARIABLE = 'CDB_CACHE_DIR'

/**
 * Where the cache lives: `CDB_CACHE_DIR`; else the runner's tool cache, which outlives the job on
 * self-hosted runners; else the user's cache directory (XDG_CACHE_HOME or ~/.cache). None on a
 * GitHub-hosted runner without `CDB_CACHE_DIR`: each job starts on a new machine, so nothing
 * recorded would ever be found, and the digest would only cost time.
 */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env[CACHE_DIR_VARIABLE]?.trim()
  if (own) return path.resolve(own)
  if (env.RUNNER_ENVIRONMENT === 'github-hosted') return undefined
  const base = env.RUNNER_TOOL_CACHE || env.XDG_CACHE_HOME || path.join(homedir(), '.cache')
  return path.join(base, 'codedeploy-bridge')
}

const KEY_BYTES = 32
const HEX64 = /^[0-9a-f]{64}$/
/** A base64 SHA-256, with `-<parts>` when it is the composite of a multipart upload. */
const CHECKSUM = /^[A-Za-z0-9+/]{43}=(-\d{1,5})?$/

const ownerOnly = (mode: number): boolean => (mode & 0o077) === 0
const ours = (uid: number): boolean => process.getuid === undefined || uid === process.getuid()

export class BundleCache {
  private constructor(
    private readonly dir: string,
    private readonly key: Buffer,
    private readonly debug: (message: string) => void
  ) {}

  /**
   * The cache in `dir`, created when missing; undefined (with a debug line saying why) when it
   * cannot be used: the run then packages and uploads as without it.
   */
  static async open(
    dir: string,
    debug: (message: string) => void
  ): Promise<BundleCache | undefined> {
    try {
      await mkdir(path.join(dir, 'bundles'), { recursive: true, mode: 0o700 })
      const key = await signingKey(dir)
      if (key) return new BundleCache(dir, key, debug)
      debug(
        `Re-run cache off: ${path.join(dir, 'key')} is not a ${KEY_BYTES}-byte file that only this user can read and write.`
      )
    } catch (error) {
      debug(`Re-run cache off: ${dir} cannot be used (${(error as Error).message}).`)
    }
    return undefined
  }

  private file(shape: string): string {
    return path.join(this.dir, 'bundles', `${shape}.json`)
  }

  private sign(shape: string, bundle: CachedBundle): string {
    const fields = [shape, bundle.tree, bundle.sha256, bundle.size, bundle.checksum]
    return createHmac('sha256', this.key).update(JSON.stringify(fields)).digest('hex')
  }

  /** The bundle cached for `shape`, or undefined: none, unreadable, malformed or not signed by us. */
  async get(shape: string): Promise<CachedBundle | undefined> {
    let raw: string
    try {
      raw = await readFile(this.file(shape), 'utf8')
    } catch {
      return undefined
    }
    const entry = parseEntry(raw)
    const mac = Buffer.from(entry?.mac ?? '', 'hex')
    const bundle = entry && entry.shape === shape ? entry.bundle : undefined
    const expected = bundle ? Buffer.from(this.sign(shape, bundle), 'hex') : Buffer.alloc(0)
    if (!bundle || mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
      this.debug(
        `Re-run cache: the entry for ${shape} is malformed or not signed by this cache; ignored.`
      )
      return undefined
    }
    return bundle
  }

  /** Records that the tree of `shape` gave `bundle`; a failure to write is only worth a debug line. */
  async put(shape: string, bundle: CachedBundle): Promise<void> {
    const file = this.file(shape)
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
    const body = JSON.stringify({ shape, ...bundle, mac: this.sign(shape, bundle) })
    try {
      await writeFile(temp, `${body}\n`, { mode: 0o600 })
      await rename(temp, file)
    } catch (error) {
      await rm(temp, { force: true })
      this.debug(`Re-run cache: could not write ${file} (${(error as Error).message}).`)
    }
  }
}

function parseEntry(raw: string): { shape: string; bundle: CachedBundle; mac: string } | undefined {
  let value: Record<string, unknown>
  try {
    value = JSON.parse(raw) as Record<string, unknown>
  } catch {
    return undefined
  }
  const { shape, tree, sha256, size, checksum, mac } = value
  if (
    typeof shape !== 'string' ||
    typeof tree !== 'string' ||
    !HEX64.test(tree) ||
    typeof sha256 !== 'string' ||
    !HEX64.test(sha256) ||
    typeof checksum !== 'string' ||
    !CHECKSUM.test(checksum) ||
    typeof mac !== 'string' ||
    typeof size !== 'number' ||
    !Number.isSafeInteger(size) ||
    size <= 0
  )
    return undefined
  return { shape, mac, bundle: { tree, sha256, size, checksum } }
}

/**
 * The cache's HMAC key, made on first use: a file of KEY_BYTES random bytes, owned by this user
 * and closed to everyone else. Undefined when the file there is anything else.
 */
async function signingKey(dir: string): Promise<Buffer | undefined> {
  const file = path.join(dir, 'key')
  const present = await lstat(file).catch(() => undefined)
  if (!present) {
    // Written aside, then linked into place: of two runs making it at once, one key wins whole.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
    await writeFile(temp, randomBytes(KEY_BYTES), { mode: 0o600 })
    await link(temp, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    })
    await rm(temp, { force: true })
  }
  const stats = await lstat(file)
  if (!stats.isFile() || stats.size !== KEY_BYTES || !ours(stats.uid)) return undefined
  if (process.platform !== 'win32' && !ownerOnly(stats.mode)) return undefined
  return readFile(file)
}

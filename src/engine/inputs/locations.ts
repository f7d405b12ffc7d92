/**
 * Where a run's bundle comes from and goes to, checked before anything is written: the bucket's
 * name, the key prefix (nothing that S3 keeps literally while other tools resolve it, nothing
 * that breaks a log line or an output), the path inputs (inside the workspace, links followed;
 * the bundle's file may also go to the runner's temp directory) and the file the bundle is written
 * to (outside the source, in a directory that exists, replacing nothing but a bundle).
 */
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { bundleTypeOfKey, parseS3Url, unquoteETag, type S3Revision } from './s3-location.js'

/** S3 bucket naming rules (general purpose buckets). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'it must be 3 to 63 characters long'
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'it may hold only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit'
  }
  if (name.includes('..')) return 'it must not contain two dots in a row'
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'it must not look like an IP address'
  return undefined
}

/** The longest object key S3 takes, in UTF-8 bytes. */
const KEY_LIMIT = 1024
/** What the bundle adds after the prefix: `<sha256>.tar.gz` at the longest. */
const KEY_SUFFIX = 64 + '.tar.gz'.length

/**
 * Why a key prefix (normalised, ending in `/`) cannot be used: S3 keeps `.` and `..` segments
 * as they are while other tools resolve them, so the outputs would name another object than the
 * one written; control characters end up in outputs and logs.
 */
export function keyPrefixProblem(prefix: string): string | undefined {
  if (prefix.startsWith('/')) return 'it must not start with /'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(prefix))
    return 'it must not hold control characters (newlines, tabs, …)'
  const segments = prefix.split('/').slice(0, -1)
  if (segments.some(s => s === '.' || s === '..')) return "it must not hold a '.' or '..' segment"
  const bytes = Buffer.byteLength(prefix)
  if (bytes + KEY_SUFFIX > KEY_LIMIT) {
    return `it is ${bytes} bytes long, and with the bundle's name the key must fit S3's ${KEY_LIMIT} bytes (at most ${KEY_LIMIT - KEY_SUFFIX})`
  }
  return undefined
}

/** Whether `candidate` is `root` or below it (both absolute, as written). */
export function within(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
}

/**
 * Where `candidate` (absolute) really is, links followed: its real path, or for a path that does
 * not exist (yet), the real path of its nearest existing ancestor with the rest appended.
 */
export function realLocation(candidate: string): string {
  let rest = ''
  for (let at = candidate; ; at = path.dirname(at)) {
    try {
      return path.join(realpathSync(at), rest)
    } catch {
      if (path.dirname(at) === at) return candidate
      rest = path.join(path.basename(at), rest)
    }
  }
}

/**
 * Why `candidate` (absolute) is not inside one of `roots`, as written or once links are
 * followed; undefined when it is inside one both ways.
 */
export function outsideRoots(candidate: string, roots: readonly string[]): string | undefined {
  if (!roots.some(root => within(root, candidate))) return `it is ${candidate}`
  const real = realLocation(candidate)
  if (!roots.some(root => within(realLocation(root), real)))
    return `it resolves through a link to ${real}`
  return undefined
}

/** The first bytes of every bundle type: zip (a local header, or the end record of an empty zip), gzip. */
const BUNDLE_MAGIC = [
  Buffer.from('PK\x03\x04', 'latin1'),
  Buffer.from('PK\x05\x06', 'latin1'),
  Buffer.from([0x1f, 0x8b])
]

/** Whether the file at `file` holds a zip, a gzip (tgz) or a tar, judged by its first bytes. */
function looksLikeBundle(file: string): boolean {
  const head = Buffer.alloc(512)
  let read = 0
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    read = readSync(fd, head, 0, head.length, 0)
  } catch {
    return false
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
  if (read === 0) return true // an empty file (a bundle cut short, a placeholder): nothing to lose
  if (BUNDLE_MAGIC.some(magic => head.subarray(0, magic.length).equals(magic))) return true
  return read >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar'
}

/**
 * Why the bundle cannot be written to `file` (absolute), or undefined: it lies inside the source,
 * links followed, so the bundle would package itself; its directory does not exist; or a file is
 * there already that is not a bundle (a zip, tgz or tar), which the bundle would replace.
 */
export function bundlePathProblem(source: string, file: string): string | undefined {
  const dir = path.dirname(file)
  const stats = (p: string): ReturnType<typeof statSync> | undefined =>
    statSync(p, { throwIfNoEntry: false })
  if (!stats(dir)?.isDirectory())
    return `its directory ${dir} does not exist. Create it in an earlier step (mkdir -p), or write the bundle to an existing directory such as the runner's temp directory`
  const existing = stats(file)
  if (existing?.isDirectory())
    return `${file} is a directory. Give a file name, e.g. ${path.join(file, 'bundle.zip')}`
  if (within(source, file) || within(realLocation(source), realLocation(file)))
    return `it is inside the source directory ${source}, so the bundle would package itself. Write it outside the source, e.g. under the runner's temp directory (\${{ runner.temp }}/bundle.zip), or from a terminal next to the source (../bundle.zip)`
  if (existing && !existing.isFile())
    return `${file} exists and is not a regular file, so it is not replaced. Choose another file name`
  if (existing && !looksLikeBundle(file))
    return `${file} exists and is not a bundle (zip, tgz or tar), so it is not replaced. Remove it in an earlier step, or choose another file name`
  return undefined
}

/** Parses `s3://bucket/key` into a revision; the bundle type comes from the key's extension. */
export function parseRevision(
  raw: string,
  eTag: string,
  version: string,
  problems: string[]
): S3Revision | undefined {
  const location = parseS3Url(raw)
  if (!location) {
    problems.push(
      `Invalid revision '${raw}'. Expected s3://bucket/key, e.g. s3://my-bucket/app/1f2e3d.zip (or github:owner/repo@<commit SHA> for a commit in GitHub).`
    )
    return undefined
  }
  const { bucket, key } = location
  const bucketProblem = bucketNameProblem(bucket)
  if (bucketProblem)
    problems.push(
      `Invalid bucket '${bucket}' in revision: ${bucketProblem}. Expected s3://<bucket>/<key> with the bucket's S3 name, e.g. s3://my-bucket/app/1f2e3d.zip.`
    )
  const bundleType = bundleTypeOfKey(key)
  if (!bundleType) {
    problems.push(
      `Cannot tell the bundle type of revision '${raw}'. Its key must end in .zip, .tar.gz, .tgz or .tar.`
    )
    return undefined
  }
  const revision: S3Revision = { bucket, key, bundleType }
  if (eTag) revision.eTag = unquoteETag(eTag)
  if (version) revision.version = version
  return revision
}

/**
 * Where a run's bundle comes from and goes to, checked before anything is written: the bucket's
 * name, the key prefix (nothing that S3 keeps literally while other tools resolve it, nothing
 * that breaks a log line or an output), the source directory (inside the workspace, links
 * followed) and the file the bundle is written to (outside the source, in a directory that exists).
 */
import { realpathSync, statSync } from 'node:fs'
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

/** Why `source` (absolute) is not inside `workspace`, following links; undefined when it is. */
export function sourceOutside(workspace: string, source: string): string | undefined {
  const within = (root: string, candidate: string): boolean => {
    const rel = path.relative(root, candidate)
    return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
  }
  if (!within(workspace, source)) return `it is ${source}`
  const real = (p: string): string | undefined => {
    try {
      return realpathSync(p)
    } catch {
      return undefined // a missing source is reported by the appspec check, with its fix
    }
  }
  const realSource = real(source)
  const realWorkspace = real(workspace) ?? workspace
  if (realSource && !within(realWorkspace, realSource))
    return `it resolves through a link to ${realSource}`
  return undefined
}

/**
 * Why the bundle cannot be written to `file` (absolute), or undefined: it lies inside the source,
 * links followed, so the bundle would package itself, or its directory does not exist.
 */
export function bundlePathProblem(source: string, file: string): string | undefined {
  const within = (root: string, candidate: string): boolean => {
    const rel = path.relative(root, candidate)
    return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
  }
  const dir = path.dirname(file)
  const stats = (p: string): ReturnType<typeof statSync> | undefined =>
    statSync(p, { throwIfNoEntry: false })
  if (!stats(dir)?.isDirectory())
    return `its directory ${dir} does not exist. Create it in an earlier step (mkdir -p), or write the bundle to an existing directory such as the runner's temp directory`
  if (stats(file)?.isDirectory())
    return `${file} is a directory. Give a file name, e.g. ${path.join(file, 'bundle.zip')}`
  let realSource = source
  let realFile = file
  try {
    realSource = realpathSync(source)
    realFile = path.join(realpathSync(dir), path.basename(file))
  } catch {
    // A missing source is reported by the appspec check, with its fix.
  }
  if (within(source, file) || within(realSource, realFile))
    return `it is inside the source directory ${source}, so the bundle would package itself. Write it outside the source, e.g. next to it (../bundle.zip) or under the runner's temp directory`
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
      `Invalid revision '${raw}'. Expected s3://bucket/key, e.g. s3://my-bucket/app/1f2e3d.zip.`
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

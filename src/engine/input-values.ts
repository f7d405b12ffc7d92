/**
 * Readers for one input's value: one of a list, a boolean, a duration, a bucket name, an
 * existing revision. Each pushes a message that shows the expected form onto `problems`, so that
 * the settings parser reports every bad input at once.
 */
import { bundleTypeOfKey, parseS3Url, unquoteETag, type S3Revision } from './revision.js'
import type { InputName } from './settings.js'

export function oneOf<T extends string>(
  name: InputName,
  raw: string,
  allowed: readonly T[],
  problems: string[],
  normalise: (value: string) => string = v => v
): T | undefined {
  if (raw === '') return undefined
  const value = normalise(raw)
  if ((allowed as readonly string[]).includes(value)) return value as T
  problems.push(`Invalid ${name} '${raw}'. Expected one of: ${allowed.join(', ')}.`)
  return undefined
}

export function parseBoolean(
  name: InputName,
  raw: string,
  fallback: boolean,
  problems: string[]
): boolean {
  if (raw === '') return fallback
  const value = raw.trim().toLowerCase()
  if (['true', 'yes', 'on', '1'].includes(value)) return true
  if (['false', 'no', 'off', '0'].includes(value)) return false
  problems.push(`Invalid ${name} '${raw}'. Expected true or false.`)
  return fallback
}

/**
 * A duration: plain seconds (`900`), or a number with a unit (`45m`, `2h`, `90s`, `1h30m`).
 * Returns seconds, or undefined when the text is not a duration.
 */
export function parseDuration(raw: string): number | undefined {
  const text = raw.trim().toLowerCase()
  if (/^\d+$/.test(text)) return Number(text)
  if (!/^(\d+(\.\d+)?[hms])+$/.test(text)) return undefined
  let seconds = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([hms])/g)) {
    const factor = unit === 'h' ? 3600 : unit === 'm' ? 60 : 1
    seconds += Number(amount) * factor
  }
  return Math.round(seconds)
}

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
  if (bucketProblem) problems.push(`Invalid bucket '${bucket}' in revision: ${bucketProblem}.`)
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

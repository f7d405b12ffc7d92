/**
 * A revision in S3 as the inputs name it and every stage speaks of it: `s3://` URLs, the bundle
 * types and their file extensions and content types, ETags without their quotes, and the location
 * as CodeDeploy takes it and gives it back.
 */
import type { DeploymentInfo, RevisionLocation } from '@aws-sdk/client-codedeploy'

/** The bundle formats CodeDeploy unpacks. */
export type BundleType = 'zip' | 'tgz' | 'tar'

/** A bundle in S3, as CodeDeploy addresses it. */
export interface S3Revision {
  bucket: string
  key: string
  bundleType: BundleType
  /** Without quotes. CodeDeploy refuses the deployment when the object's ETag differs. */
  eTag?: string
  version?: string
}

export const BUNDLE_TYPES: readonly BundleType[] = ['zip', 'tgz', 'tar']

const EXTENSION: Record<BundleType, string> = { zip: 'zip', tgz: 'tar.gz', tar: 'tar' }

const CONTENT_TYPE: Record<BundleType, string> = {
  zip: 'application/zip',
  tgz: 'application/gzip',
  tar: 'application/x-tar'
}

/** The file extension of a bundle type, without the dot: `zip`, `tar.gz`, `tar`. */
export function bundleExtension(type: BundleType): string {
  return EXTENSION[type]
}

export function bundleContentType(type: BundleType): string {
  return CONTENT_TYPE[type]
}

/** The bundle type a key's extension names, or undefined. */
export function bundleTypeOfKey(key: string): BundleType | undefined {
  const lower = key.toLowerCase()
  if (lower.endsWith('.zip')) return 'zip'
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tgz'
  if (lower.endsWith('.tar')) return 'tar'
  return undefined
}

/** An ETag as S3 sends it (`"abc"`) or as a user pastes it, without the quotes. */
export function unquoteETag(eTag: string | undefined): string {
  return (eTag ?? '').trim().replace(/^"|"$/g, '')
}

export function s3Url(revision: Pick<S3Revision, 'bucket' | 'key'>): string {
  return `s3://${revision.bucket}/${revision.key}`
}

/** `s3://bucket/key` split, or undefined when the text is not of that form. */
export function parseS3Url(text: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(text.trim())
  if (!match?.[1] || !match[2]) return undefined
  return { bucket: match[1], key: match[2] }
}

/** Same object (bucket, key and version); the ETag follows from those. */
export function sameRevision(a: S3Revision | undefined, b: S3Revision | undefined): boolean {
  return (
    !!a &&
    !!b &&
    a.bucket === b.bucket &&
    a.key === b.key &&
    (a.version ?? '') === (b.version ?? '')
  )
}

/** The revision as CreateDeployment and RegisterApplicationRevision take it. */
export function revisionLocation(revision: S3Revision): RevisionLocation {
  return {
    revisionType: 'S3',
    s3Location: {
      bucket: revision.bucket,
      key: revision.key,
      bundleType: revision.bundleType,
      ...(revision.eTag ? { eTag: revision.eTag } : {}),
      ...(revision.version ? { version: revision.version } : {})
    }
  }
}

/** The S3 revision an earlier deployment deployed, when it was one. */
export function revisionOfDeployment(info: DeploymentInfo): S3Revision | undefined {
  const location = info.revision?.s3Location
  if (info.revision?.revisionType !== 'S3' || !location?.bucket || !location.key) return undefined
  const bundleType = (location.bundleType as BundleType | undefined) ?? 'zip'
  const revision: S3Revision = { bucket: location.bucket, key: location.key, bundleType }
  if (location.eTag) revision.eTag = unquoteETag(location.eTag)
  if (location.version) revision.version = location.version
  return revision
}

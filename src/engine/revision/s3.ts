/**
 * The revision: a bundle in S3 that CodeDeploy deploys. Its one home: `s3://` URLs, the bundle
 * type and its file extension and content type, ETags as S3 sends them, the location handed to
 * CodeDeploy, the revision of an earlier deployment, and the check that an existing revision is
 * really there before a deployment names it.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { DeploymentInfo, RevisionLocation } from '@aws-sdk/client-codedeploy'
import { errorName, httpStatus, isAccessDenied } from '../aws/errors.js'
import { InputError } from '../errors.js'
import type { Reporter } from '../tell/reporter.js'

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

/**
 * Checks that an existing revision (the `revision` input) is there and, when pinned, unchanged,
 * before a deployment names it. Fills in the ETag and version S3 reports. Access denied is a
 * warning: CodeDeploy reads the object with the instances' role, which may differ from ours.
 */
export async function checkRevision(
  s3: S3Client,
  revision: S3Revision,
  reporter: Reporter,
  signal?: AbortSignal
): Promise<S3Revision> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: revision.bucket,
        Key: revision.key,
        ...(revision.version ? { VersionId: revision.version } : {})
      }),
      signal ? { abortSignal: signal } : {}
    )
    const eTag = unquoteETag(head.ETag)
    if (revision.eTag && eTag && revision.eTag !== eTag) {
      throw new InputError(
        `Revision ${s3Url(revision)} has ETag ${eTag}, not the ${revision.eTag} given in 'revision-etag'. The object changed since it was built: redeploy from the build, or update revision-etag.`
      )
    }
    const checked: S3Revision = { ...revision }
    if (eTag) checked.eTag = eTag
    if (!checked.version && head.VersionId) checked.version = head.VersionId
    return checked
  } catch (error) {
    if (error instanceof InputError) throw error
    const status = httpStatus(error)
    if (status === 404 || errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey') {
      throw new InputError(
        `Revision ${s3Url(revision)} does not exist. Check the bucket and key (and revision-version), or package the source instead.`
      )
    }
    if (isAccessDenied(error) || status === 403) {
      reporter.warning(
        `Cannot read ${s3Url(revision)} to check it (access denied); CodeDeploy will read it with the instances' role.`
      )
      return revision
    }
    throw error
  }
}

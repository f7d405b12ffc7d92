/**
 * Application revisions: reading the `revision` member (S3 bundles only), and
 * RegisterApplicationRevision and GetApplicationRevision, which remember a revision's description
 * and when deployments first and last used it.
 */
import { ServiceError } from '../errors.js'
import {
  revisionKey,
  type Application,
  type RegisteredRevision,
  type RevisionLocation
} from '../model.js'
import type { CodeDeployService } from '../service.js'
import { oneOf, optionalObject, optionalString, toWire, type Input, type Json } from '../wire.js'
import { findApplication } from './applications.js'
import { MAX_DESCRIPTION, type Handlers } from './common.js'

const BUNDLE_TYPES = ['zip', 'tar', 'tgz'] as const

/** The `revision` member of a request, checked as the service checks an S3 revision. */
export function readRevision(input: Input): RevisionLocation {
  const revision = optionalObject(input, 'revision')
  if (!revision)
    throw new ServiceError('RevisionRequiredException', 'The revision ID was not specified.')
  const type = optionalString(revision, 'revisionType')
  if (type === 'GitHub') return readGitHubRevision(revision)
  if (type !== 'S3')
    throw new ServiceError(
      'InvalidRevisionException',
      `The revision type '${type ?? ''}' is not supported here; use S3 or GitHub.`
    )
  const s3 = optionalObject(revision, 's3Location')
  if (!s3) throw new ServiceError('InvalidRevisionException', 'The S3 location was not specified.')
  const bucket = optionalString(s3, 'bucket', 'InvalidRevisionException')
  const key = optionalString(s3, 'key', 'InvalidRevisionException')
  if (!bucket || !key)
    throw new ServiceError(
      'InvalidRevisionException',
      'The S3 bucket and key must both be specified.'
    )
  const bundleType = oneOf(
    optionalString(s3, 'bundleType'),
    BUNDLE_TYPES,
    'InvalidRevisionException',
    'Bundle type'
  )
  if (!bundleType)
    throw new ServiceError('InvalidRevisionException', 'The bundle type must be specified.')
  const eTag = optionalString(s3, 'eTag', 'InvalidRevisionException')
  const version = optionalString(s3, 'version', 'InvalidRevisionException')
  return {
    revisionType: 'S3',
    s3Location: {
      bucket,
      key,
      bundleType,
      ...(eTag ? { eTag } : {}),
      ...(version ? { version } : {})
    }
  }
}

/** A GitHub revision: a repository (`account/repository`) and a commit, both required; a commit
 * that cannot be fetched fails the deployment on its instances (agent/bundle.ts). */
function readGitHubRevision(revision: Input): RevisionLocation {
  const location = optionalObject(revision, 'gitHubLocation')
  const repository = location && optionalString(location, 'repository', 'InvalidRevisionException')
  const commitId = location && optionalString(location, 'commitId', 'InvalidRevisionException')
  if (!repository || !commitId)
    throw new ServiceError(
      'InvalidRevisionException',
      'The GitHub repository and commit ID must both be specified.'
    )
  return { revisionType: 'GitHub', gitHubLocation: { repository, commitId } }
}

/** The optional `description` member, at most as long as the service allows. */
export function readDescription(input: Input): string | undefined {
  const description = optionalString(input, 'description')
  if (description && description.length > MAX_DESCRIPTION)
    throw new ServiceError('DescriptionTooLongException', 'The description is too long.')
  return description
}

function registerRevision(service: CodeDeployService, input: Input): Json {
  const app = findApplication(service, input)
  const revision = readRevision(input)
  const description = readDescription(input)
  const key = revisionKey(revision)
  const existing = app.revisions.get(key)
  app.revisions.set(key, {
    ...existing,
    revision,
    registerTime: existing?.registerTime ?? new Date(),
    ...(description ? { description } : {})
  })
  return {}
}

/**
 * The registered revision a request names: the same bucket, key and bundle type, and the same
 * version and eTag where the request gives them (the AWS CLI sends neither).
 */
function findRevision(
  app: Application,
  revision: RevisionLocation
): RegisteredRevision | undefined {
  const exact = app.revisions.get(revisionKey(revision))
  if (exact) return exact
  if (revision.revisionType !== 'S3') return undefined
  const want = revision.s3Location
  return [...app.revisions.values()].find(({ revision: registered }) => {
    if (registered.revisionType !== 'S3') return false
    const have = registered.s3Location
    return (
      have.bucket === want.bucket &&
      have.key === want.key &&
      have.bundleType === want.bundleType &&
      (want.version === undefined || have.version === want.version) &&
      (want.eTag === undefined || have.eTag === want.eTag)
    )
  })
}

function getRevision(service: CodeDeployService, input: Input): Json {
  const app = findApplication(service, input)
  const found = findRevision(app, readRevision(input))
  if (!found)
    throw new ServiceError(
      'RevisionDoesNotExistException',
      'The named revision does not exist with the user or AWS account.'
    )
  const groups = [...service.deployments.values()]
    .filter(
      d =>
        d.applicationName === app.applicationName &&
        revisionKey(d.revision) === revisionKey(found.revision)
    )
    .map(d => d.deploymentGroupName)
  return toWire({
    applicationName: app.applicationName,
    revision: found.revision,
    revisionInfo: {
      description: found.description,
      deploymentGroups: [...new Set(groups)],
      registerTime: found.registerTime,
      firstUsedTime: found.firstUsedTime,
      lastUsedTime: found.lastUsedTime
    }
  })
}

export const revisionOps: Handlers = {
  RegisterApplicationRevision: registerRevision,
  GetApplicationRevision: getRevision
}

/**
 * ListApplicationRevisions: an application's registered revisions (deploying one registers it),
 * filtered by bucket, key prefix (only with a bucket, as the service requires) and whether a
 * group's latest deployment targets them, sorted by register, first-use or last-use time, and
 * paged.
 */
import { ServiceError } from '../errors.js'
import { s3Location, revisionKey, type RegisteredRevision } from '../model.js'
import type { CodeDeployService } from '../service.js'
import { oneOf, optionalString, toWire, type Input, type Json } from '../wire.js'
import { findApplication } from './applications.js'
import { page, type Handlers } from './common.js'

const SORT_BY = ['registerTime', 'firstUsedTime', 'lastUsedTime'] as const
const SORT_ORDER = ['ascending', 'descending'] as const
const DEPLOYED = ['include', 'exclude', 'ignore'] as const

function listRevisions(service: CodeDeployService, input: Input): Json {
  const app = findApplication(service, input)
  const sortBy = oneOf(optionalString(input, 'sortBy'), SORT_BY, 'InvalidSortByException', 'sortBy')
  const order =
    oneOf(
      optionalString(input, 'sortOrder'),
      SORT_ORDER,
      'InvalidSortOrderException',
      'sortOrder'
    ) ?? 'ascending'
  const bucket = optionalString(input, 's3Bucket', 'InvalidBucketNameFilterException')
  const prefix = optionalString(input, 's3KeyPrefix', 'InvalidKeyPrefixFilterException')
  if (prefix && !bucket)
    throw new ServiceError(
      'BucketNameFilterRequiredException',
      'A bucket name is required when a key prefix is specified.'
    )
  const deployed =
    oneOf(
      optionalString(input, 'deployed'),
      DEPLOYED,
      'InvalidDeployedStateFilterException',
      'deployed'
    ) ?? 'ignore'
  // A group's target revision is the revision of its latest deployment.
  const targets = new Set(
    [...app.groups.values()]
      .map(g =>
        g.lastAttemptedDeployment ? service.deployments.get(g.lastAttemptedDeployment) : undefined
      )
      .filter(d => d !== undefined)
      .map(d => revisionKey(d.revision))
  )
  const time = (r: RegisteredRevision): number => (sortBy ? (r[sortBy]?.getTime() ?? 0) : 0)
  const revisions = [...app.revisions.entries()]
    .filter(([, r]) => r.revision.revisionType === 'S3')
    .filter(([, r]) => !bucket || s3Location(r.revision).bucket === bucket)
    .filter(([, r]) => !prefix || s3Location(r.revision).key.startsWith(prefix))
    .filter(([key]) => deployed === 'ignore' || targets.has(key) === (deployed === 'include'))
    .map(([, r]) => r)
    .sort((a, b) => (order === 'ascending' ? time(a) - time(b) : time(b) - time(a)))
    .map(r => toWire(r.revision))
  const listed = page(service, revisions, input)
  return {
    revisions: listed.items,
    ...(listed.nextToken ? { nextToken: listed.nextToken } : {})
  }
}

export const revisionListOps: Handlers = { ListApplicationRevisions: listRevisions }

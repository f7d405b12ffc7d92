/**
 * The revision to deploy when it is not packaged here (./package.ts packages): the revision given
 * in `revision`, checked; the inline AppSpec of an ECS or Lambda group; or the one the `rollback`
 * command redeploys. The target is checked before (../deploy/target.ts).
 */
import type { RevisionLocation } from '@aws-sdk/client-codedeploy'
import { errorName, httpStatus, isAccessDenied } from '../aws/errors.js'
import type { Gateway } from '../aws/gateway.js'
import { InputError } from '../errors.js'
import { s3Url, unquoteETag, type S3Revision } from '../inputs/s3-location.js'
import type { Reporter } from '../reporter.js'
import { chooseRollbackRevision } from './choose.js'
import type { RevisionStage } from './stage.js'

/**
 * ECS and Lambda: the AppSpec, checked and completed, sent inline. Their clients' commands are
 * loaded only here, so an EC2 run starts without reading them.
 */
export async function contentRevision(stage: RevisionStage): Promise<RevisionLocation> {
  const platform = stage.record.platform
  if (platform !== 'ECS' && platform !== 'Lambda')
    throw new Error(`No inline AppSpec for ${platform}`)
  const { prepareContent } = await import('./content.js')
  const { location, facts } = await prepareContent(stage, platform)
  stage.record.content = facts
  stage.ports.changed()
  return location
}

/** Command `rollback`: the group's last good revision, and why it was chosen. */
export async function chooseRevision(stage: RevisionStage): Promise<S3Revision> {
  const { ports, record, settings } = stage
  record.stage = 'choose'
  const { revision, choice } = await chooseRollbackRevision(
    ports.gateway,
    settings.application,
    settings.deploymentGroup
  )
  record.choice = choice
  record.revision = revision
  ports.changed()
  ports.reporter.info(
    `Redeploying ${s3Url(revision)}, last deployed successfully by ${choice.fromDeployment}. ${choice.reason}`
  )
  return revision
}

/** Input `revision`: an existing bundle, checked before a deployment names it. */
export async function existingRevision(
  stage: RevisionStage,
  given: S3Revision
): Promise<S3Revision> {
  const { ports, record } = stage
  record.stage = 'revision'
  const revision = await checkRevision(ports.gateway, given, ports.reporter)
  record.revision = revision
  ports.changed()
  return revision
}

/**
 * Checks that an existing revision (the `revision` input) is there and, when pinned, unchanged,
 * before a deployment names it. Fills in the ETag and version S3 reports. Access denied is a
 * warning: CodeDeploy reads the object with the instances' role, which may differ from ours.
 */
export async function checkRevision(
  gateway: Gateway,
  revision: S3Revision,
  reporter: Reporter
): Promise<S3Revision> {
  try {
    const head = await gateway.s3.headObject({
      Bucket: revision.bucket,
      Key: revision.key,
      ...(revision.version ? { VersionId: revision.version } : {})
    })
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

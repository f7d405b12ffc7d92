/**
 * The DownloadBundle step: fetch the revision from S3 (or, for a GitHub revision, its commit from a
 * local git repository, ./github.ts) into a fresh work directory, refuse an S3 bundle when
 * its eTag differs from the one the deployment names, unpack it as its bundle type and read its
 * AppSpec file.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { bundleTypeOf, s3Location, type Deployment } from '../model.js'
import { archiveCommit } from './github.js'
import { unpack } from '../unpack.js'
import { findAppSpec, readAppSpec, type ParsedAppSpec } from './appspec.js'
import { failure, type AgentContext } from './context.js'

async function download(
  context: AgentContext,
  deployment: Deployment,
  archive: string
): Promise<void> {
  const location = s3Location(deployment.revision)
  let response
  try {
    response = await context.s3.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(location.version ? { VersionId: location.version } : {})
      }),
      { abortSignal: context.signal }
    )
  } catch (error) {
    const name = (error as Error).name
    throw failure(
      `Failed to download the revision s3://${location.bucket}/${location.key}: ${name}`
    )
  }
  const eTag = (response.ETag ?? '').replace(/"/g, '')
  if (location.eTag && location.eTag.replace(/"/g, '') !== eTag) {
    ;(response.Body as Readable | undefined)?.destroy()
    throw failure(
      `The eTag ${location.eTag} of the revision does not match the object's eTag ${eTag}: the bundle was changed after it was registered.`
    )
  }
  await pipeline(response.Body as Readable, createWriteStream(archive))
}

/** Downloads and unpacks the deployment's bundle into `bundleDir`; returns its AppSpec. */
export async function downloadBundle(
  context: AgentContext,
  deployment: Deployment,
  bundleDir: string,
  archive: string
): Promise<ParsedAppSpec> {
  const bundleType = bundleTypeOf(deployment.revision)
  await rm(context.workDir, { recursive: true, force: true })
  await mkdir(context.workDir, { recursive: true })
  if (deployment.revision.revisionType === 'GitHub')
    await archiveCommit(context, deployment.revision, archive)
  else await download(context, deployment, archive)
  try {
    await unpack(archive, bundleType, bundleDir, { useCli: context.useCli })
  } catch (error) {
    throw failure(`The bundle could not be unpacked as ${bundleType}: ${(error as Error).message}`)
  }
  await rm(archive, { force: true })
  return readAppSpec(await findAppSpec(bundleDir))
}

/**
 * What the AWS CLI found missing in the CodeDeploy emulator, through the real SDK client:
 * ListApplicationRevisions, BatchGetDeploymentGroups, GetApplicationRevision without an eTag,
 * skipped instances' events, the in-place instance type, and a stopped deployment's overview.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  BatchGetDeploymentGroupsCommand,
  BatchGetDeploymentInstancesCommand,
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  ListApplicationRevisionsCommand,
  ListDeploymentTargetsCommand,
  RegisterApplicationRevisionCommand,
  StopDeploymentCommand,
  type DeploymentInfo
} from '@aws-sdk/client-codedeploy'
import type { S3Client } from '@aws-sdk/client-s3'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import { putRevision, release, s3Client, type PutRevision } from './helpers/revisions.js'

const BUCKET = 'gap-revisions'
let stack: LocalStack
let s3: S3Client
let client: CodeDeployClient

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: [BUCKET],
    stepDelayMs: 5,
    config: {
      applications: [
        {
          name: 'cli',
          deploymentGroups: [
            { name: 'one', instances: 1 },
            { name: 'three', instances: 3, deploymentConfig: 'CodeDeployDefault.OneAtATime' },
            { name: 'slow', instances: 3, deploymentConfig: 'CodeDeployDefault.AllAtOnce' }
          ]
        }
      ]
    }
  })
  s3 = s3Client(stack.s3.endpoint)
  client = new CodeDeployClient({
    region: 'us-east-1',
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  })
})

afterAll(async () => {
  client.destroy()
  s3.destroy()
  await stack.close()
})

async function deploy(group: string, location: PutRevision): Promise<string> {
  const out = await client.send(
    new CreateDeploymentCommand({
      applicationName: 'cli',
      deploymentGroupName: group,
      revision: { revisionType: 'S3', s3Location: location }
    })
  )
  return out.deploymentId!
}

async function settle(id: string): Promise<DeploymentInfo> {
  await stack.codedeploy.idle()
  return (await client.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!
}

describe('CodeDeploy emulator, as the AWS CLI sees it', () => {
  it('lists revisions (registered or deployed), filters and sorts them, and finds one without its eTag', async () => {
    const registered = await putRevision(s3, BUCKET, 'app/v1.zip', release('v1'))
    await client.send(
      new RegisterApplicationRevisionCommand({
        applicationName: 'cli',
        revision: { revisionType: 'S3', s3Location: registered }
      })
    )
    const deployed = await putRevision(s3, BUCKET, 'app/v2.zip', release('v2'))
    expect((await settle(await deploy('one', deployed))).status).toBe('Succeeded')
    const other = await putRevision(s3, BUCKET, 'other/v3.zip', release('v3'))
    await client.send(
      new RegisterApplicationRevisionCommand({
        applicationName: 'cli',
        revision: { revisionType: 'S3', s3Location: other }
      })
    )

    const keys = async (input: Record<string, string>): Promise<string[]> => {
      const out = await client.send(
        new ListApplicationRevisionsCommand({ applicationName: 'cli', ...input })
      )
      return out.revisions!.map(r => r.s3Location!.key!)
    }
    expect((await keys({})).sort()).toEqual(['app/v1.zip', 'app/v2.zip', 'other/v3.zip'])
    expect(await keys({ s3Bucket: BUCKET, s3KeyPrefix: 'app/', sortBy: 'registerTime' })).toEqual([
      'app/v1.zip',
      'app/v2.zip'
    ])
    expect(
      await keys({ sortBy: 'registerTime', sortOrder: 'descending', s3Bucket: BUCKET })
    ).toEqual(['other/v3.zip', 'app/v2.zip', 'app/v1.zip'])
    expect(await keys({ deployed: 'include' })).toEqual(['app/v2.zip'])
    expect((await keys({ deployed: 'exclude' })).sort()).toEqual(['app/v1.zip', 'other/v3.zip'])
    await expect(keys({ s3KeyPrefix: 'app/' })).rejects.toMatchObject({
      name: 'BucketNameFilterRequiredException'
    })
    await expect(keys({ sortBy: 'size' })).rejects.toMatchObject({ name: 'InvalidSortByException' })

    const found = await client.send(
      new GetApplicationRevisionCommand({
        applicationName: 'cli',
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: BUCKET, key: 'app/v2.zip', bundleType: 'zip' }
        }
      })
    )
    expect(found.revision?.s3Location?.eTag).toBe(deployed.eTag)
    expect(found.revisionInfo?.deploymentGroups).toEqual(['one'])
  })

  it('gets several deployment groups at once, naming the ones it did not find', async () => {
    const out = await client.send(
      new BatchGetDeploymentGroupsCommand({
        applicationName: 'cli',
        deploymentGroupNames: ['three', 'nope', 'one']
      })
    )
    expect(out.deploymentGroupsInfo?.map(g => g.deploymentGroupName)).toEqual(['three', 'one'])
    expect(out.deploymentGroupsInfo?.[0]?.deploymentStyle).toEqual({
      deploymentType: 'IN_PLACE',
      deploymentOption: 'WITHOUT_TRAFFIC_CONTROL'
    })
    expect(out.errorMessage).toContain('nope')
  })

  it('lists a skipped instance’s events as Skipped, and labels no in-place instance Blue or Green', async () => {
    const bad = await putRevision(s3, BUCKET, 'bad.zip', release('bad', 'exit 1'))
    const id = await deploy('three', bad)
    expect((await settle(id)).deploymentOverview).toMatchObject({ Failed: 1, Skipped: 2 })
    const { targetIds } = await client.send(new ListDeploymentTargetsCommand({ deploymentId: id }))
    const { deploymentTargets } = await client.send(
      new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: targetIds! })
    )
    const skipped = deploymentTargets!
      .map(t => t.instanceTarget!)
      .filter(t => t.status === 'Skipped')
    expect(skipped).toHaveLength(2)
    for (const target of skipped) {
      expect(target.lifecycleEvents).toHaveLength(13)
      expect(new Set(target.lifecycleEvents!.map(e => e.status))).toEqual(new Set(['Skipped']))
    }
    for (const t of deploymentTargets!) expect(t.instanceTarget?.instanceLabel).toBeUndefined()
    const { instancesSummary } = await client.send(
      new BatchGetDeploymentInstancesCommand({ deploymentId: id, instanceIds: targetIds! })
    )
    for (const summary of instancesSummary!) expect(summary.instanceType).toBeUndefined()
  })

  it('counts every instance in a stopped deployment’s overview', async () => {
    const slow = await putRevision(s3, BUCKET, 'slow.zip', release('slow', 'sleep 5'))
    const id = await deploy('slow', slow)
    for (;;) {
      const d = (await client.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!
      if (d.deploymentOverview?.InProgress === 3) break
      await new Promise(r => setTimeout(r, 10))
    }
    await client.send(new StopDeploymentCommand({ deploymentId: id }))
    const stopped = await settle(id)
    expect(stopped.status).toBe('Stopped')
    const counts = Object.values(stopped.deploymentOverview ?? {}) as number[]
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3)
  })
})

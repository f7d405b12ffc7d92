/**
 * The local stack never dies silently: an error thrown inside a handler of any of its servers (the
 * CodeDeploy emulator, the ECS and Lambda stand-ins, the S3 front) is logged with its stack and
 * answered as an internal failure, and the next request is served; a deployment whose run throws
 * fails with the emulator's error code instead of taking the process down. The throws are the
 * stack's own test hooks, reached over HTTP through the real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListApplicationsCommand
} from '@aws-sdk/client-codedeploy'
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs'
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import { appspec, putRevision, s3Client, script } from './helpers/revisions.js'

const BUCKET = 'failures'
let stack: LocalStack
let s3: S3Client
let codedeploy: CodeDeployClient
const logged: string[] = []
const client = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: [BUCKET],
    stepDelayMs: 0,
    log: entry => logged.push(entry),
    config: {
      applications: [{ name: 'app', deploymentGroups: [{ name: 'fleet', instances: 1 }] }],
      ecs: { taskDefinitions: [{ family: 'web' }] },
      lambda: { functions: [{ name: 'fn', aliases: { live: '1' } }] }
    }
  })
  s3 = s3Client(stack.s3.endpoint)
  codedeploy = new CodeDeployClient({
    ...client,
    endpoint: stack.codedeploy.endpoint,
    maxAttempts: 1
  })
})

afterAll(async () => {
  codedeploy.destroy()
  s3.destroy()
  await stack.close()
})

/** The log entries written since `from`. */
function loggedSince(from: number): string {
  return logged.slice(from).join('\n')
}

describe('an error thrown inside a handler', () => {
  it('CodeDeploy: logged with its stack, answered 500 InternalFailure, and the next call answers', async () => {
    const from = logged.length
    const control = await fetch(`${stack.codedeploy.endpoint}/_emulator/faults`, {
      method: 'PUT',
      body: JSON.stringify({ handlerErrorNext: 1 })
    })
    expect(control.status).toBe(200)
    await expect(codedeploy.send(new ListApplicationsCommand({}))).rejects.toMatchObject({
      name: 'InternalFailure',
      message: expect.stringContaining('Injected failure in the handler of ListApplications'),
      $metadata: { httpStatusCode: 500 }
    })
    expect(loggedSince(from)).toMatch(
      /CodeDeploy emulator: POST \/ failed: Error: Injected failure in the handler of ListApplications[^\n]*\n\s+at /
    )
    expect((await codedeploy.send(new ListApplicationsCommand({}))).applications).toEqual(['app'])
    const call = stack.codedeploy.calls.filter(c => c.operation === 'ListApplications')[0]
    expect(call).toMatchObject({ status: 500, errorType: 'InternalFailure' })
  })

  it('ECS stand-in: logged, answered 500 InternalFailure, and the next call answers', async () => {
    const ecs = new ECSClient({ ...client, endpoint: stack.ecsLambda.ecsEndpoint, maxAttempts: 1 })
    const from = logged.length
    stack.ecsLambda.failures.ecs.arm()
    const describe = new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1' })
    await expect(ecs.send(describe)).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 }
    })
    expect(loggedSince(from)).toMatch(/ECS stand-in: POST \/ failed: Error: Injected failure/)
    expect((await ecs.send(describe)).taskDefinition?.family).toBe('web')
    ecs.destroy()
  })

  it('Lambda stand-in: logged, answered 500 InternalFailure, and the next call answers', async () => {
    const lambda = new LambdaClient({
      ...client,
      endpoint: stack.ecsLambda.lambdaEndpoint,
      maxAttempts: 1
    })
    const from = logged.length
    stack.ecsLambda.failures.lambda.arm()
    const get = new GetAliasCommand({ FunctionName: 'fn', Name: 'live' })
    await expect(lambda.send(get)).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 }
    })
    expect(loggedSince(from)).toMatch(
      /Lambda stand-in: GET \/2015-03-31\/functions\/fn\/aliases\/live failed/
    )
    expect((await lambda.send(get)).FunctionVersion).toBe('1')
    lambda.destroy()
  })

  it('S3 front: logged, answered 500 with an XML InternalError, and the next call answers', async () => {
    const from = logged.length
    stack.s3.failures.arm()
    const list = new ListObjectsV2Command({ Bucket: BUCKET })
    const failing = new S3Client({
      ...client,
      endpoint: stack.s3.endpoint,
      forcePathStyle: true,
      maxAttempts: 1
    })
    await expect(failing.send(list)).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 }
    })
    failing.destroy()
    expect(loggedSince(from)).toMatch(
      /S3 front: GET \/failures[^\n]* failed: Error: Injected failure/
    )
    expect((await s3.send(list)).KeyCount).toBe(0)
  })
})

describe('an error thrown inside a deployment’s run', () => {
  it('fails that deployment with INTERNAL_ERROR, logged, and the next deployment runs', async () => {
    const revision = {
      revisionType: 'S3' as const,
      s3Location: await putRevision(s3, BUCKET, 'ok.zip', {
        'appspec.yml': appspec({ ValidateService: [{ location: 'ok.sh' }] }),
        'site/index.html': 'ok',
        'ok.sh': script('exit 0')
      })
    }
    const create = async (): Promise<string> =>
      (
        await codedeploy.send(
          new CreateDeploymentCommand({
            applicationName: 'app',
            deploymentGroupName: 'fleet',
            revision
          })
        )
      ).deploymentId!
    const read = async (id: string) =>
      (await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!
    const from = logged.length
    stack.codedeploy.faults.set({ lifecycleErrorNext: 1 })
    const broken = await create()
    await stack.codedeploy.idle()
    expect(await read(broken)).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'INTERNAL_ERROR', message: expect.stringContaining(broken) }
    })
    expect(loggedSince(from)).toMatch(
      new RegExp(`the run of deployment ${broken} failed: Error: Injected failure[^\\n]*\\n\\s+at `)
    )
    const next = await create()
    await stack.codedeploy.idle()
    expect((await read(next)).status).toBe('Succeeded')
  })
})

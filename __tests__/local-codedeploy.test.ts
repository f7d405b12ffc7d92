/**
 * The CodeDeploy emulator, driven through the real @aws-sdk/client-codedeploy over HTTP, with
 * bundles in the local S3 and hook scripts run for real on directory instances.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import {
  BatchGetDeploymentInstancesCommand,
  BatchGetDeploymentsCommand,
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentConfigCommand,
  CreateDeploymentGroupCommand,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentInstancesCommand,
  ListDeploymentsCommand,
  RegisterApplicationRevisionCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
  type InstanceTarget
} from '@aws-sdk/client-codedeploy'
import type { S3Client } from '@aws-sdk/client-s3'
import { lstat, readFile, readlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import {
  appspec,
  putRevision,
  s3Client,
  script,
  type PutRevision,
  type Tree
} from './helpers/revisions.js'

const BUCKET = 'revisions'
let stack: LocalStack
let s3: S3Client
let client: CodeDeployClient
let keyCounter = 0

function cdClient(maxAttempts = 3): CodeDeployClient {
  return new CodeDeployClient({
    region: 'us-east-1',
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts,
    retryStrategy: undefined
  })
}

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: [BUCKET],
    stepDelayMs: 5,
    pageSize: 2,
    config: {
      deploymentConfigs: [
        { name: 'Custom.ThreeHealthy', minimumHealthyHosts: { type: 'HOST_COUNT', value: 3 } },
        { name: 'Custom.AllHealthy', minimumHealthyHosts: { type: 'HOST_COUNT', value: 4 } }
      ],
      applications: [
        {
          name: 'web',
          deploymentGroups: [
            {
              name: 'three',
              instances: 3,
              deploymentConfig: 'CodeDeployDefault.OneAtATime',
              autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
            },
            { name: 'four', instances: 4, deploymentConfig: 'CodeDeployDefault.HalfAtATime' },
            { name: 'solo', instances: 1 },
            { name: 'perms', instances: 1 },
            {
              name: 'fresh',
              instances: 1,
              autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
            },
            {
              name: 'options',
              instances: 1,
              autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
            }
          ]
        }
      ]
    }
  })
  s3 = s3Client(stack.s3.endpoint)
  client = cdClient()
})

afterAll(async () => {
  client.destroy()
  s3.destroy()
  await stack.close()
})

afterEach(() => stack.codedeploy.faults.clear())

/** A revision whose hooks log their environment, with `version` in site/version.txt. */
function app(
  version: string,
  extra: Tree = {},
  hooks?: Record<string, { location: string; timeout?: number }[]>
): Tree {
  return {
    'appspec.yml': appspec(
      hooks ?? {
        ApplicationStop: [{ location: 'hooks/stop.sh' }],
        AfterInstall: [{ location: 'hooks/env.sh' }],
        ValidateService: [{ location: 'hooks/validate.sh', timeout: 30 }]
      }
    ),
    'site/version.txt': version,
    'hooks/stop.sh': script(`echo "stopping ${version}" >> "$INSTANCE_ROOT/stops.log"`),
    'hooks/env.sh': script(
      'env | grep -E "^(LIFECYCLE_EVENT|DEPLOYMENT_ID|APPLICATION_NAME|DEPLOYMENT_GROUP_NAME)=" | sort > "$INSTANCE_ROOT/env.txt"'
    ),
    'hooks/validate.sh': script(
      `echo "validating ${version}"\nif [ -f "$INSTANCE_ROOT/bad" ]; then echo "instance is marked bad" >&2; exit 1; fi`
    ),
    ...extra
  }
}

async function put(tree: Tree): Promise<PutRevision> {
  return putRevision(s3, BUCKET, `rev-${++keyCounter}.zip`, tree)
}

async function deploy(
  group: string,
  revision: PutRevision,
  deploymentConfigName?: string
): Promise<string> {
  const out = await client.send(
    new CreateDeploymentCommand({
      applicationName: 'web',
      deploymentGroupName: group,
      revision: { revisionType: 'S3', s3Location: revision },
      ...(deploymentConfigName ? { deploymentConfigName } : {})
    })
  )
  return out.deploymentId!
}

async function settle(id: string): Promise<DeploymentInfo> {
  await stack.codedeploy.idle()
  return (await client.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!
}

async function targets(id: string): Promise<InstanceTarget[]> {
  const ids: string[] = []
  let nextToken: string | undefined
  do {
    const page = await client.send(
      new ListDeploymentTargetsCommand({ deploymentId: id, ...(nextToken ? { nextToken } : {}) })
    )
    ids.push(...page.targetIds!)
    nextToken = page.nextToken
  } while (nextToken)
  const out = await client.send(
    new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: ids })
  )
  return out.deploymentTargets!.map(t => t.instanceTarget!)
}

function roots(group: string): string[] {
  return stack.codedeploy.instances('web', group).map(i => i.root)
}

describe('CodeDeploy emulator', () => {
  it('deploys to three instances one at a time, copying files and running hooks with the agent environment', async () => {
    const id = await deploy('three', await put(app('v1')))
    expect(id).toMatch(/^d-[A-Z0-9]{9}$/)
    const info = await settle(id)
    expect(info.status).toBe('Succeeded')
    expect(info.deploymentOverview).toMatchObject({ Succeeded: 3, Failed: 0 })
    expect(info.createTime).toBeInstanceOf(Date)
    for (const root of roots('three')) {
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('v1')
      const env = await readFile(path.join(root, 'env.txt'), 'utf8')
      expect(env).toContain(`DEPLOYMENT_ID=${id}`)
      expect(env).toContain('LIFECYCLE_EVENT=AfterInstall')
      expect(env).toContain('DEPLOYMENT_GROUP_NAME=three')
    }
    // one at a time: no two instances ran ValidateService at overlapping times
    const spans = (await targets(id)).map(t =>
      t.lifecycleEvents!.find(e => e.lifecycleEventName === 'DownloadBundle')!
    )
    spans.sort((a, b) => a.startTime!.getTime() - b.startTime!.getTime())
    for (let i = 1; i < spans.length; i++)
      expect(spans[i]!.startTime!.getTime()).toBeGreaterThanOrEqual(
        spans[i - 1]!.endTime!.getTime()
      )
    const group = await client.send(
      new GetDeploymentGroupCommand({ applicationName: 'web', deploymentGroupName: 'three' })
    )
    expect(group.deploymentGroupInfo?.lastSuccessfulDeployment?.deploymentId).toBe(id)
  })

  it('rolls back a failed ValidateService: a new deployment puts the old files back', async () => {
    const good = await settle(await deploy('three', await put(app('v2'))))
    expect(good.status).toBe('Succeeded')
    const broken = app('v3', {
      'hooks/validate.sh': script('echo "validating v3"\necho "health check failed" >&2\nexit 1')
    })
    const failedId = await deploy('three', await put(broken))
    const failed = await settle(failedId)
    expect(failed.status).toBe('Failed')
    expect(failed.errorInformation?.code).toBe('HEALTH_CONSTRAINTS')
    const rollbackId = failed.rollbackInfo?.rollbackDeploymentId
    expect(rollbackId).toMatch(/^d-/)
    const rollback = await settle(rollbackId!)
    expect(rollback.status).toBe('Succeeded')
    expect(rollback.creator).toBe('codeDeployRollback')
    expect(rollback.rollbackInfo?.rollbackTriggeringDeploymentId).toBe(failedId)
    expect(rollback.revision).toEqual(good.revision)

    const bad = (await targets(failedId)).find(t => t.status === 'Failed')!
    const validate = bad.lifecycleEvents!.find(e => e.lifecycleEventName === 'ValidateService')!
    expect(validate.status).toBe('Failed')
    expect(validate.diagnostics).toMatchObject({
      errorCode: 'ScriptFailed',
      scriptName: 'hooks/validate.sh'
    })
    expect(validate.diagnostics?.logTail).toBe(
      '[stdout]validating v3\n[stderr]health check failed\n'
    )
    // the instance that got v3 has v2 again; ApplicationStop always came from the last successful revision (v2)
    for (const root of roots('three'))
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('v2')
    const badRoot = stack.codedeploy
      .instances('web', 'three')
      .find(i => i.instanceId === bad.targetId)!.root
    expect(await readFile(path.join(badRoot, 'stops.log'), 'utf8')).toMatch(
      /stopping v2\nstopping v2\n$/
    )
  })

  it('rolls back with the options of the last successful deployment, not those of the failed one', async () => {
    const create = async (
      tree: Tree,
      fileExistsBehavior: 'RETAIN' | 'OVERWRITE',
      ignoreApplicationStopFailures: boolean
    ): Promise<string> =>
      (
        await client.send(
          new CreateDeploymentCommand({
            applicationName: 'web',
            deploymentGroupName: 'options',
            revision: { revisionType: 'S3', s3Location: await put(tree) },
            fileExistsBehavior,
            ignoreApplicationStopFailures
          })
        )
      ).deploymentId!
    const good = await settle(await create(app('r1'), 'RETAIN', true))
    expect(good.status).toBe('Succeeded')
    const broken = app('r2', { 'hooks/validate.sh': script('exit 1') })
    const failedId = await create(broken, 'OVERWRITE', false)
    const failed = await settle(failedId)
    expect(failed.status).toBe('Failed')
    const rollback = await settle(failed.rollbackInfo!.rollbackDeploymentId!)
    expect(rollback).toMatchObject({
      status: 'Succeeded',
      creator: 'codeDeployRollback',
      fileExistsBehavior: 'RETAIN',
      ignoreApplicationStopFailures: true,
      deploymentConfigName: failed.deploymentConfigName,
      revision: good.revision,
      rollbackInfo: { rollbackTriggeringDeploymentId: failedId }
    })
    // A rollback is not rolled back itself.
    expect(rollback.autoRollbackConfiguration).toMatchObject({ enabled: false })
  })

  it('refuses a second deployment while one is active, naming the active one', async () => {
    const revision = await put(app('v4', {}, { ValidateService: [{ location: 'hooks/slow.sh' }] }))
    const slow = await put({
      ...app('v4'),
      'appspec.yml': appspec({ ValidateService: [{ location: 'hooks/slow.sh' }] }),
      'hooks/slow.sh': script('sleep 1')
    })
    const first = await deploy('solo', slow)
    await expect(deploy('solo', revision)).rejects.toMatchObject({
      name: 'DeploymentLimitExceededException',
      message: expect.stringContaining(first)
    })
    expect((await settle(first)).status).toBe('Succeeded')
  })

  it('stops a deployment, with and without rolling it back', async () => {
    const base = await settle(await deploy('solo', await put(app('base'))))
    expect(base.status).toBe('Succeeded')
    const slowTree = (v: string): Tree => ({
      ...app(v),
      'appspec.yml': appspec({ BeforeInstall: [{ location: 'hooks/slow.sh' }] }),
      'hooks/slow.sh': script('sleep 30')
    })

    const plain = await deploy('solo', await put(slowTree('s1')))
    await new Promise(r => setTimeout(r, 300))
    const stop = await client.send(
      new StopDeploymentCommand({ deploymentId: plain, autoRollbackEnabled: false })
    )
    expect(stop.status).toBe('Pending')
    const stopped = await settle(plain)
    expect(stopped.status).toBe('Stopped')
    expect(stopped.rollbackInfo?.rollbackDeploymentId).toBeUndefined()

    const rolled = await deploy('solo', await put(slowTree('s2')))
    await new Promise(r => setTimeout(r, 300))
    await client.send(
      new StopDeploymentCommand({ deploymentId: rolled, autoRollbackEnabled: true })
    )
    const info = await settle(rolled)
    expect(info.status).toBe('Stopped')
    const rollback = await settle(info.rollbackInfo!.rollbackDeploymentId!)
    expect(rollback.status).toBe('Succeeded')
    expect(rollback.revision).toEqual(base.revision)
    await expect(
      client.send(new StopDeploymentCommand({ deploymentId: rolled }))
    ).rejects.toMatchObject({ name: 'DeploymentAlreadyCompletedException' })
  })

  it('reports a hook that runs past its timeout as ScriptTimedOut, and no rollback without a previous success', async () => {
    const id = await deploy(
      'fresh',
      await put({
        ...app('t'),
        'appspec.yml': appspec({ AfterInstall: [{ location: 'hooks/hang.sh', timeout: 1 }] }),
        'hooks/hang.sh': script('echo started; sleep 20')
      })
    )
    const info = await settle(id)
    expect(info.status).toBe('Failed')
    expect(info.rollbackInfo?.rollbackDeploymentId).toBeUndefined()
    expect(info.rollbackInfo?.rollbackMessage).toMatch(/no previous successful deployment/)
    const event = (await targets(id))[0]!.lifecycleEvents!.find(
      e => e.lifecycleEventName === 'AfterInstall'
    )!
    expect(event.diagnostics).toMatchObject({
      errorCode: 'ScriptTimedOut',
      logTail: '[stdout]started\n'
    })
    expect(event.endTime!.getTime() - event.startTime!.getTime()).toBeLessThan(10_000)
  })

  it('honours minimum healthy hosts: HalfAtATime tolerates one bad instance of four, HOST_COUNT 4 does not', async () => {
    const bad = roots('four')[0]!
    await writeFile(path.join(bad, 'bad'), '')
    const half = await settle(await deploy('four', await put(app('h1'))))
    expect(half.status).toBe('Succeeded')
    expect(half.deploymentOverview).toMatchObject({ Succeeded: 3, Failed: 1 })
    const three = await settle(await deploy('four', await put(app('h2')), 'Custom.ThreeHealthy'))
    expect(three.status).toBe('Succeeded')
    const all = await settle(await deploy('four', await put(app('h3')), 'Custom.AllHealthy'))
    expect(all.status).toBe('Failed')
    expect(all.errorInformation?.code).toBe('HEALTH_CONSTRAINTS')
    expect(all.deploymentOverview).toMatchObject({ Failed: 1, Skipped: 3 })
    await import('node:fs/promises').then(fs => fs.rm(path.join(bad, 'bad')))
  })

  it('recovers from throttling and 5xx through the SDK retries', async () => {
    const before = { ...stack.codedeploy.faults.counts }
    stack.codedeploy.faults.set({ throttleNext: 2 })
    const retrying = cdClient(5)
    const out = await retrying.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'three' })
    )
    expect(out.deployments?.length).toBeGreaterThan(0)
    stack.codedeploy.faults.set({ serverErrorNext: 2 })
    await retrying.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'three' })
    )
    expect(stack.codedeploy.faults.counts.throttled - before.throttled).toBe(2)
    expect(stack.codedeploy.faults.counts.serverErrors - before.serverErrors).toBe(2)
    retrying.destroy()
    stack.codedeploy.faults.set({ throttleNext: 10 })
    const impatient = cdClient(2)
    await expect(impatient.send(new ListDeploymentsCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException'
    })
    impatient.destroy()
  })

  it('switches faults over HTTP while running: resets and latency, then clears them', async () => {
    const control = `${stack.codedeploy.endpoint}/_emulator/faults`
    const put = (body: unknown): Promise<Response> =>
      fetch(control, { method: 'PUT', body: JSON.stringify(body) })
    expect((await put({ resetNext: 1, latencyMs: 30 })).status).toBe(200)
    const retrying = cdClient(3)
    const started = Date.now()
    await retrying.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'three' })
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(30)
    retrying.destroy()
    const shown = (await (await fetch(control)).json()) as {
      settings: { latencyMs: number; resetNext: number }
      counts: { resets: number }
    }
    expect(shown.settings).toMatchObject({ latencyMs: 30, resetNext: 0 })
    expect(shown.counts.resets).toBeGreaterThanOrEqual(1)

    const bad = await put({ throttleRate: 3 })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/from 0 to 1/)
    expect((await put({ explode: true })).status).toBe(400)

    expect((await fetch(control, { method: 'DELETE' })).status).toBe(200)
    expect(stack.codedeploy.faults.settings.latencyMs).toBe(0)
    expect(stack.codedeploy.calls.some(c => c.operation.includes('_emulator'))).toBe(false)
  })

  it('loses the answer of a CreateDeployment that ran (lostAnswerNext): the deployment exists anyway', async () => {
    const control = `${stack.codedeploy.endpoint}/_emulator/faults`
    const set = await fetch(control, {
      method: 'PUT',
      body: JSON.stringify({ lostAnswerNext: 1, operations: ['CreateDeployment'] })
    })
    expect(set.status).toBe(200)
    const before = stack.codedeploy.faults.counts.lostAnswers
    const once = cdClient(1)
    // Not a matching operation: answered as usual, and the count is not used up.
    await once.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'solo' })
    )
    const revision = await put(app('lost'))
    const error = await once
      .send(
        new CreateDeploymentCommand({
          applicationName: 'web',
          deploymentGroupName: 'solo',
          description: 'answer lost',
          revision: { revisionType: 'S3', s3Location: revision }
        })
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } }
      )
    // A network error, not a service one: no HTTP answer came at all.
    expect(error?.message).toMatch(/socket hang up|ECONNRESET/)
    expect(error?.$metadata?.httpStatusCode).toBeUndefined()
    once.destroy()

    const { deployments } = await client.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'solo' })
    )
    const created = stack.codedeploy.deployment(deployments![0]!)!
    expect(created.description).toBe('answer lost')
    const record = stack.codedeploy.calls.filter(c => c.operation === 'CreateDeployment').at(-1)!
    expect(record).toMatchObject({ status: 200, answerLost: true })
    const shown = (await (await fetch(control)).json()) as {
      settings: { lostAnswerNext: number }
      counts: { lostAnswers: number }
    }
    expect(shown.settings.lostAnswerNext).toBe(0)
    expect(shown.counts.lostAnswers).toBe(before + 1)
    expect((await settle(created.deploymentId)).status).toBe('Succeeded')

    expect(
      (await fetch(control, { method: 'PUT', body: JSON.stringify({ lostAnswerNext: -1 }) })).status
    ).toBe(400)
  })

  it('holds back the answer of an operation that already ran (answerDelayMs), for matching operations only', async () => {
    stack.codedeploy.faults.set({ answerDelayMs: 400, operations: ['CreateDeployment'] })
    const started = Date.now()
    await client.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'solo' })
    )
    expect(Date.now() - started).toBeLessThan(400)

    // A client that gives up before the answer comes: the deployment was created all the same.
    const revision = await put(app('late'))
    const gaveUp = client.send(
      new CreateDeploymentCommand({
        applicationName: 'web',
        deploymentGroupName: 'solo',
        description: 'answer late',
        revision: { revisionType: 'S3', s3Location: revision }
      }),
      { abortSignal: AbortSignal.timeout(100) }
    )
    await expect(gaveUp).rejects.toMatchObject({ name: 'AbortError' })
    const { deployments } = await client.send(
      new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: 'solo' })
    )
    const created = stack.codedeploy.deployment(deployments![0]!)!
    expect(created.description).toBe('answer late')
    expect((await settle(created.deploymentId)).status).toBe('Succeeded')

    // A patient client gets the answer, late: here the service's refusal, after the delay.
    stack.codedeploy.faults.set({ answerDelayMs: 150 })
    const slow = await put({
      ...app('slow'),
      'appspec.yml': appspec({ ValidateService: [{ location: 'hooks/slow.sh' }] }),
      'hooks/slow.sh': script('sleep 1')
    })
    const first = await deploy('solo', slow)
    const refused = Date.now()
    await expect(deploy('solo', slow)).rejects.toMatchObject({
      name: 'DeploymentLimitExceededException'
    })
    expect(Date.now() - refused).toBeGreaterThanOrEqual(150)
    expect((await settle(first)).status).toBe('Succeeded')
  })

  it('pages ListDeployments and filters by status and time', async () => {
    const all: string[] = []
    let nextToken: string | undefined
    do {
      const page = await client.send(
        new ListDeploymentsCommand({
          applicationName: 'web',
          deploymentGroupName: 'three',
          ...(nextToken ? { nextToken } : {})
        })
      )
      expect(page.deployments!.length).toBeLessThanOrEqual(2)
      all.push(...page.deployments!)
      nextToken = page.nextToken
    } while (nextToken)
    expect(new Set(all).size).toBe(all.length)
    expect(all.length).toBeGreaterThanOrEqual(4)
    const failed = await client.send(
      new ListDeploymentsCommand({
        applicationName: 'web',
        deploymentGroupName: 'three',
        includeOnlyStatuses: ['Failed']
      })
    )
    for (const id of failed.deployments!)
      expect(stack.codedeploy.deployment(id)?.status).toBe('Failed')
    const future = await client.send(
      new ListDeploymentsCommand({
        applicationName: 'web',
        deploymentGroupName: 'three',
        createTimeRange: { start: new Date(Date.now() + 60_000) }
      })
    )
    expect(future.deployments).toEqual([])
  })

  it('describes a deployment with its description, creator and createTime, and lists it by an inclusive time range, status and group', async () => {
    const revision = await put(app('described'))
    const { deploymentId: id } = await client.send(
      new CreateDeploymentCommand({
        applicationName: 'web',
        deploymentGroupName: 'solo',
        description: 'deployed by the described test',
        revision: { revisionType: 'S3', s3Location: revision }
      })
    )
    expect((await settle(id!)).status).toBe('Succeeded')
    const { deploymentsInfo } = await client.send(
      new BatchGetDeploymentsCommand({ deploymentIds: [id!, 'd-AAAAAAAAA'] })
    )
    expect(deploymentsInfo).toHaveLength(1) // an unknown id is left out
    const info = deploymentsInfo![0]!
    expect(info).toMatchObject({
      deploymentId: id,
      description: 'deployed by the described test',
      creator: 'user',
      status: 'Succeeded'
    })
    expect(info.createTime).toBeInstanceOf(Date)
    const created = info.createTime!
    expect(created.getTime()).toBe(stack.codedeploy.deployment(id!)!.createTime.getTime())

    const list = async (
      filter: Partial<ConstructorParameters<typeof ListDeploymentsCommand>[0]>
    ): Promise<string[]> =>
      (
        await client.send(
          new ListDeploymentsCommand({
            applicationName: 'web',
            deploymentGroupName: 'solo',
            ...filter
          })
        )
      ).deployments!
    const at = (ms: number): Date => new Date(created.getTime() + ms)
    expect(await list({ createTimeRange: { start: created, end: created } })).toEqual([id])
    expect(await list({ createTimeRange: { start: at(1) } })).not.toContain(id)
    expect(await list({ createTimeRange: { end: at(-1) } })).not.toContain(id)
    expect(await list({ createTimeRange: { start: at(-1), end: at(1) } })).toContain(id)
    expect(await list({ includeOnlyStatuses: ['Succeeded'] })).toContain(id)
    expect(await list({ includeOnlyStatuses: ['Failed', 'Stopped'] })).not.toContain(id)
    expect(await list({ deploymentGroupName: 'three' })).not.toContain(id)
    expect((await client.send(new ListDeploymentsCommand({}))).deployments).toContain(id)
  })

  it('applies the permissions section the way the agent does, and removes the directories it made', async () => {
    const spec = (permissions: string): string =>
      appspec({}).replace('hooks:\n', `permissions:\n${permissions}hooks:\n`)
    const plain = { mode: 0o644 }
    const id = await deploy(
      'perms',
      await put({
        'appspec.yml': spec(
          [
            '  - object: /srv/app',
            '    pattern: "*.sh"',
            '    except: [skip.sh]',
            '    mode: 750',
            '    type: [file]',
            '  - object: /srv/app/conf',
            '    mode: "0700"',
            '    type: [directory]',
            '  - object: /srv/app/readme.txt',
            '    mode: 600',
            ''
          ].join('\n')
        ),
        'site/run.sh': { content: 'echo run\n', ...plain },
        'site/skip.sh': { content: 'echo skip\n', ...plain },
        'site/lib/deep.sh': { content: 'echo deep\n', ...plain },
        'site/readme.txt': { content: 'read me\n', ...plain },
        'site/conf/keys/a.pem': { content: 'key\n', ...plain }
      })
    )
    expect((await settle(id)).status).toBe('Succeeded')
    const root = roots('perms')[0]!
    const mode = async (rel: string): Promise<number> =>
      (await lstat(path.join(root, 'srv/app', rel))).mode & 0o777
    expect(await mode('run.sh')).toBe(0o750)
    expect(await mode('skip.sh')).toBe(0o644) // except
    expect(await mode('lib/deep.sh')).toBe(0o644) // a pattern other than ** only reaches children
    expect(await mode('readme.txt')).toBe(0o600) // a file object
    expect(await mode('conf/keys')).toBe(0o700) // below the directory object...
    expect(await mode('conf')).not.toBe(0o700) // ...but not the object itself

    // A file object cannot take a pattern: Install fails and says why.
    const bad = await deploy(
      'perms',
      await put({
        'appspec.yml': spec(
          ['  - object: /srv/app/readme.txt', '    pattern: "*.txt"', '    mode: 600', ''].join(
            '\n'
          )
        ),
        'site/readme.txt': 'read me\n'
      })
    )
    expect((await settle(bad)).status).toBe('Failed')
    const install = (await targets(bad))[0]!.lifecycleEvents!.find(
      e => e.lifecycleEventName === 'Install'
    )!
    expect(install.status).toBe('Failed')
    expect(install.diagnostics?.message).toMatch(/pattern or except.*only apply to directories/)
    // That Install first removed what the last one installed: conf/keys, which it had made, is gone.
    await expect(lstat(path.join(root, 'srv/app/conf'))).rejects.toThrow(/ENOENT/)
  })

  it('keeps modes and symlinks through the JavaScript unpacker', async () => {
    const js = await startLocalStack({
      buckets: [BUCKET],
      useCli: false,
      stepDelayMs: 0,
      config: { applications: [{ name: 'web', deploymentGroups: [{ name: 'g', instances: 1 }] }] }
    })
    const jsS3 = s3Client(js.s3.endpoint)
    const jsClient = new CodeDeployClient({
      region: 'us-east-1',
      endpoint: js.codedeploy.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
    })
    try {
      for (const type of ['zip', 'tgz'] as const) {
        const revision = await putRevision(
          jsS3,
          BUCKET,
          `modes.${type}`,
          {
            'appspec.yml': appspec({ ValidateService: [{ location: 'hooks/check.sh' }] }),
            'site/tool.sh': { content: '#!/bin/sh\n', mode: 0o750 },
            'site/current': { link: 'tool.sh' },
            'hooks/check.sh': script('test -x "$INSTANCE_ROOT/srv/app/tool.sh"')
          },
          type
        )
        const { deploymentId } = await jsClient.send(
          new CreateDeploymentCommand({
            applicationName: 'web',
            deploymentGroupName: 'g',
            revision: { revisionType: 'S3', s3Location: revision }
          })
        )
        await js.codedeploy.idle()
        const info = (await jsClient.send(new GetDeploymentCommand({ deploymentId })))
          .deploymentInfo!
        expect(info.status).toBe('Succeeded')
        const root = js.codedeploy.instances('web', 'g')[0]!.root
        expect((await lstat(path.join(root, 'srv/app/tool.sh'))).mode & 0o777).toBe(0o750)
        expect(await readlink(path.join(root, 'srv/app/current'))).toBe('tool.sh')
      }
    } finally {
      jsClient.destroy()
      jsS3.destroy()
      await js.close()
    }
  })
})

describe('CodeDeploy emulator management calls', () => {
  it('creates an application, a custom config, a group and a revision, deploys it and describes the result', async () => {
    const { applicationId } = await client.send(
      new CreateApplicationCommand({ applicationName: 'managed', computePlatform: 'Server' })
    )
    expect(applicationId).toMatch(/\S/)
    await expect(
      client.send(new CreateApplicationCommand({ applicationName: 'managed' }))
    ).rejects.toMatchObject({ name: 'ApplicationAlreadyExistsException' })

    await client.send(
      new CreateDeploymentConfigCommand({
        deploymentConfigName: 'Custom.HalfFleet',
        minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 }
      })
    )
    const { deploymentConfigInfo } = await client.send(
      new GetDeploymentConfigCommand({ deploymentConfigName: 'Custom.HalfFleet' })
    )
    expect(deploymentConfigInfo?.minimumHealthyHosts).toEqual({ type: 'FLEET_PERCENT', value: 50 })

    await client.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'managed',
        deploymentGroupName: 'pair',
        serviceRoleArn: 'arn:aws:iam::000000000000:role/CodeDeploy',
        deploymentConfigName: 'Custom.HalfFleet',
        ec2TagFilters: [{ Key: 'emulator:instances', Value: '2', Type: 'KEY_AND_VALUE' }]
      })
    )
    const groups = await client.send(
      new ListDeploymentGroupsCommand({ applicationName: 'managed' })
    )
    expect(groups.deploymentGroups).toEqual(['pair'])

    const revision = await put(app('m1'))
    const location = { revisionType: 'S3' as const, s3Location: revision }
    await client.send(
      new RegisterApplicationRevisionCommand({
        applicationName: 'managed',
        description: 'first managed revision',
        revision: location
      })
    )
    const id = (
      await client.send(
        new CreateDeploymentCommand({
          applicationName: 'managed',
          deploymentGroupName: 'pair',
          revision: location
        })
      )
    ).deploymentId!
    const info = await settle(id)
    expect(info).toMatchObject({ status: 'Succeeded', deploymentConfigName: 'Custom.HalfFleet' })
    expect(info.deploymentOverview).toMatchObject({ Succeeded: 2, Failed: 0 })

    const registered = await client.send(
      new GetApplicationRevisionCommand({ applicationName: 'managed', revision: location })
    )
    expect(registered.revisionInfo).toMatchObject({
      description: 'first managed revision',
      deploymentGroups: ['pair']
    })
    expect(registered.revisionInfo?.registerTime).toBeInstanceOf(Date)

    const batch = await client.send(new BatchGetDeploymentsCommand({ deploymentIds: [id] }))
    expect(batch.deploymentsInfo?.map(d => [d.deploymentId, d.status])).toEqual([[id, 'Succeeded']])

    const { instancesList } = await client.send(
      new ListDeploymentInstancesCommand({ deploymentId: id })
    )
    expect(instancesList).toHaveLength(2)
    const { instancesSummary } = await client.send(
      new BatchGetDeploymentInstancesCommand({ deploymentId: id, instanceIds: instancesList! })
    )
    for (const instance of instancesSummary!) {
      expect(instance.status).toBe('Succeeded')
      expect(
        instance.lifecycleEvents?.find(e => e.lifecycleEventName === 'ValidateService')
      ).toMatchObject({
        status: 'Succeeded'
      })
    }
    for (const root of stack.codedeploy.instances('managed', 'pair').map(i => i.root)) {
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('m1')
    }

    const { deploymentGroupInfo } = await client.send(
      new GetDeploymentGroupCommand({ applicationName: 'managed', deploymentGroupName: 'pair' })
    )
    expect(deploymentGroupInfo?.lastSuccessfulDeployment?.deploymentId).toBe(id)
    expect(deploymentGroupInfo?.lastAttemptedDeployment?.deploymentId).toBe(id)

    await expect(
      client.send(new ContinueDeploymentCommand({ deploymentId: id }))
    ).rejects.toMatchObject({ name: 'UnsupportedActionForDeploymentTypeException' })
  })
})

describe('CodeDeploy emulator bad input', () => {
  async function raw(
    target: string,
    body: string
  ): Promise<{ status: number; json: { __type?: string; message?: string } }> {
    const res = await fetch(stack.codedeploy.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body
    })
    return { status: res.status, json: (await res.json()) as { __type?: string; message?: string } }
  }

  it.each([
    [
      'malformed JSON',
      'CodeDeploy_20141006.GetDeployment',
      '{"deploymentId": ',
      'SerializationException'
    ],
    ['a JSON array', 'CodeDeploy_20141006.GetDeployment', '[]', 'SerializationException'],
    ['an unknown operation', 'CodeDeploy_20141006.LaunchRocket', '{}', 'UnknownOperationException'],
    ['no target', '', '{}', 'UnknownOperationException'],
    [
      'a missing application name',
      'CodeDeploy_20141006.GetApplication',
      '{}',
      'ApplicationNameRequiredException'
    ],
    [
      'a missing group name',
      'CodeDeploy_20141006.CreateDeployment',
      '{"applicationName":"web"}',
      'DeploymentGroupNameRequiredException'
    ],
    [
      'a missing revision',
      'CodeDeploy_20141006.CreateDeployment',
      '{"applicationName":"web","deploymentGroupName":"solo"}',
      'RevisionRequiredException'
    ],
    [
      'an unknown application',
      'CodeDeploy_20141006.GetApplication',
      '{"applicationName":"nope"}',
      'ApplicationDoesNotExistException'
    ],
    [
      'an unknown group',
      'CodeDeploy_20141006.GetDeploymentGroup',
      '{"applicationName":"web","deploymentGroupName":"nope"}',
      'DeploymentGroupDoesNotExistException'
    ],
    [
      'an unknown config',
      'CodeDeploy_20141006.GetDeploymentConfig',
      '{"deploymentConfigName":"Nope"}',
      'DeploymentConfigDoesNotExistException'
    ],
    [
      'an unknown fileExistsBehavior',
      'CodeDeploy_20141006.CreateDeployment',
      '{"applicationName":"web","deploymentGroupName":"solo","fileExistsBehavior":"SOMETIMES","revision":{"revisionType":"S3","s3Location":{"bucket":"b","key":"k","bundleType":"zip"}}}',
      'InvalidFileExistsBehaviorException'
    ],
    [
      'an unknown bundle type',
      'CodeDeploy_20141006.CreateDeployment',
      '{"applicationName":"web","deploymentGroupName":"solo","revision":{"revisionType":"S3","s3Location":{"bucket":"b","key":"k","bundleType":"rar"}}}',
      'InvalidRevisionException'
    ],
    [
      'an unknown rollback event',
      'CodeDeploy_20141006.CreateDeployment',
      '{"applicationName":"web","deploymentGroupName":"solo","autoRollbackConfiguration":{"enabled":true,"events":["WHENEVER"]},"revision":{"revisionType":"S3","s3Location":{"bucket":"b","key":"k","bundleType":"zip"}}}',
      'InvalidAutoRollbackConfigException'
    ],
    [
      'a malformed deployment id',
      'CodeDeploy_20141006.GetDeployment',
      '{"deploymentId":"12345"}',
      'InvalidDeploymentIdException'
    ],
    [
      'an unknown deployment',
      'CodeDeploy_20141006.GetDeployment',
      '{"deploymentId":"d-AAAAAAAAA"}',
      'DeploymentDoesNotExistException'
    ],
    [
      'a wrongly typed member',
      'CodeDeploy_20141006.GetApplication',
      '{"applicationName":42}',
      'InvalidApplicationNameException'
    ],
    [
      'an unknown status filter',
      'CodeDeploy_20141006.ListDeployments',
      '{"includeOnlyStatuses":["Sleeping"]}',
      'InvalidDeploymentStatusException'
    ],
    [
      'an application without its group',
      'CodeDeploy_20141006.ListDeployments',
      '{"applicationName":"web"}',
      'DeploymentGroupNameRequiredException'
    ],
    [
      'a group without its application',
      'CodeDeploy_20141006.ListDeployments',
      '{"deploymentGroupName":"solo"}',
      'ApplicationNameRequiredException'
    ],
    [
      'a bad next token',
      'CodeDeploy_20141006.ListDeployments',
      '{"nextToken":"garbage"}',
      'InvalidNextTokenException'
    ]
  ])(
    'answers %s (%s %s) with its exception and keeps serving',
    async (_what, target, body, type) => {
      const { status, json } = await raw(target, body)
      expect(status).toBe(400)
      expect(json.__type).toBe(type)
      expect(typeof json.message).toBe('string')
      const alive = await raw('CodeDeploy_20141006.ListApplications', '{}')
      expect(alive.status).toBe(200)
    }
  )
})

/**
 * Blue/green EC2 deployments in the CodeDeploy emulator, driven through the real
 * @aws-sdk/client-codedeploy: replacement instances, the Ready wait, ContinueDeployment, the
 * termination wait (time compressed by the stack's timeScale) and rollback.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  BatchGetDeploymentTargetsCommand,
  StopDeploymentCommand,
  UpdateDeploymentGroupCommand,
  type DeploymentInfo,
  type InstanceTarget
} from '@aws-sdk/client-codedeploy'
import type { S3Client } from '@aws-sdk/client-s3'
import { access, readFile } from 'node:fs/promises'
import path from 'node:path'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import { appspec, putRevision, s3Client, script, type Tree } from './helpers/revisions.js'

const BUCKET = 'bg-revisions'
const LB = { targetGroupInfoList: [{ name: 'web-tg' }] }
const BLUE_GREEN = {
  deploymentType: 'BLUE_GREEN',
  deploymentOption: 'WITH_TRAFFIC_CONTROL'
} as const
let stack: LocalStack
let s3: S3Client
let client: CodeDeployClient
let keys = 0

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: [BUCKET],
    stepDelayMs: 5,
    config: {
      // 60 minutes become 3.6 s.
      timeScale: 0.001,
      applications: [
        {
          name: 'shop',
          deploymentGroups: [
            {
              name: 'gated',
              instances: 2,
              deploymentStyle: BLUE_GREEN,
              loadBalancerInfo: LB,
              blueGreenDeploymentConfiguration: {
                deploymentReadyOption: {
                  actionOnTimeout: 'STOP_DEPLOYMENT',
                  waitTimeInMinutes: 60
                },
                terminateBlueInstancesOnDeploymentSuccess: {
                  action: 'TERMINATE',
                  terminationWaitTimeInMinutes: 20
                }
              }
            },
            {
              name: 'early',
              instances: 2,
              deploymentStyle: BLUE_GREEN,
              loadBalancerInfo: LB,
              blueGreenDeploymentConfiguration: {
                terminateBlueInstancesOnDeploymentSuccess: { terminationWaitTimeInMinutes: 60 }
              }
            },
            {
              name: 'guarded',
              instances: 2,
              deploymentStyle: BLUE_GREEN,
              loadBalancerInfo: LB,
              autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
              blueGreenDeploymentConfiguration: {
                terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' }
              }
            },
            {
              name: 'lapse',
              instances: 1,
              deploymentStyle: BLUE_GREEN,
              loadBalancerInfo: LB,
              blueGreenDeploymentConfiguration: {
                deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 1 }
              }
            },
            {
              name: 'halt',
              instances: 1,
              deploymentStyle: BLUE_GREEN,
              loadBalancerInfo: LB,
              blueGreenDeploymentConfiguration: {
                deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 }
              }
            },
            { name: 'plain', instances: 1 }
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

/** A site whose hooks log `<event> <version> <instance>` to the group's hooks.log. */
function site(version: string, validate = 'true'): Tree {
  const log = `echo "$LIFECYCLE_EVENT ${version} $(basename "$INSTANCE_ROOT")" >> "$INSTANCE_ROOT/../hooks.log"`
  return {
    'appspec.yml': appspec({
      ValidateService: [{ location: 'hooks/validate.sh' }],
      BeforeAllowTraffic: [{ location: 'hooks/log.sh' }],
      AfterAllowTraffic: [{ location: 'hooks/log.sh' }],
      BeforeBlockTraffic: [{ location: 'hooks/log.sh' }],
      AfterBlockTraffic: [{ location: 'hooks/log.sh' }]
    }),
    'site/version.txt': version,
    'hooks/log.sh': script(log),
    'hooks/validate.sh': script(validate)
  }
}

async function deploy(group: string, tree: Tree): Promise<string> {
  const location = await putRevision(s3, BUCKET, `bg-${++keys}.zip`, tree)
  const out = await client.send(
    new CreateDeploymentCommand({
      applicationName: 'shop',
      deploymentGroupName: group,
      revision: { revisionType: 'S3', s3Location: location }
    })
  )
  return out.deploymentId!
}

async function info(id: string): Promise<DeploymentInfo> {
  return (await client.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!
}

/** Polls until `done` holds; returns the last answer and every status seen on the way. */
async function until(
  id: string,
  done: (d: DeploymentInfo) => boolean,
  timeoutMs = 10_000
): Promise<{ last: DeploymentInfo; seen: Set<string> }> {
  const seen = new Set<string>()
  const end = Date.now() + timeoutMs
  for (;;) {
    const last = await info(id)
    seen.add(last.status!)
    if (done(last)) return { last, seen }
    if (Date.now() > end) throw new Error(`timed out at ${last.status} for ${id}`)
    await new Promise(r => setTimeout(r, 10))
  }
}

async function targets(id: string): Promise<InstanceTarget[]> {
  const { targetIds } = await client.send(new ListDeploymentTargetsCommand({ deploymentId: id }))
  const out = await client.send(
    new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: targetIds! })
  )
  return out.deploymentTargets!.map(t => t.instanceTarget!)
}

const roots = (group: string): string[] =>
  stack.codedeploy.instances('shop', group).map(i => i.root)
const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false
  )
const continueWith = (
  deploymentId: string,
  deploymentWaitType?: 'READY_WAIT' | 'TERMINATION_WAIT'
) => client.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType }))
const isDone = (d: DeploymentInfo): boolean =>
  ['Succeeded', 'Failed', 'Stopped'].includes(d.status!)

describe('CodeDeploy emulator blue/green', () => {
  it('waits at Ready, is continued, waits before terminating the originals, and succeeds', async () => {
    const originals = roots('gated')
    const id = await deploy('gated', site('g1'))
    const { last: ready } = await until(id, d => d.status === 'Ready')
    expect(ready.deploymentStyle).toEqual(BLUE_GREEN)
    expect(ready.deploymentOverview).toMatchObject({ Ready: 2, Pending: 2 })
    const waiting = await targets(id)
    expect(waiting.filter(t => t.instanceLabel === 'Green').map(t => t.status)).toEqual([
      'Ready',
      'Ready'
    ])
    expect(
      waiting
        .filter(t => t.instanceLabel === 'Blue')
        .map(t => t.targetId)
        .sort()
    ).toEqual(
      stack.codedeploy
        .instances('shop', 'gated')
        .map(i => i.instanceId)
        .sort()
    )

    await continueWith(id, 'READY_WAIT')
    expect((await info(id)).status).toBe('InProgress')
    const { last: terminating } = await until(
      id,
      d => d.instanceTerminationWaitTimeStarted === true
    )
    expect(terminating.status).toBe('InProgress')
    expect(terminating.deploymentOverview).toMatchObject({ Succeeded: 4, Ready: 0 })
    for (const root of originals) expect(await exists(root)).toBe(true)

    const { last: done } = await until(id, isDone)
    expect(done.status).toBe('Succeeded')
    for (const root of originals) expect(await exists(root)).toBe(false)
    const green = roots('gated')
    expect(green).toHaveLength(2)
    for (const root of green)
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('g1')
    const events = (await targets(id)).find(t => t.instanceLabel === 'Green')!.lifecycleEvents!
    expect(events.map(e => [e.lifecycleEventName, e.status])).toEqual(
      [
        'ApplicationStop',
        'DownloadBundle',
        'BeforeInstall',
        'Install',
        'AfterInstall',
        'ApplicationStart',
        'ValidateService',
        'BeforeAllowTraffic',
        'AllowTraffic',
        'AfterAllowTraffic'
      ].map(name => [name, 'Succeeded'])
    )
  })

  it('goes on from Ready by itself with CONTINUE_DEPLOYMENT, and ends the termination wait early on ContinueDeployment', async () => {
    const first = await deploy('early', site('e1'))
    const { seen } = await until(first, d => d.instanceTerminationWaitTimeStarted === true)
    expect(seen.has('Ready')).toBe(false)
    await expect(continueWith(first, 'READY_WAIT')).rejects.toMatchObject({
      name: 'DeploymentIsNotInReadyStateException'
    })
    const asked = Date.now()
    await continueWith(first, 'TERMINATION_WAIT')
    expect((await until(first, isDone)).last.status).toBe('Succeeded')
    expect(Date.now() - asked).toBeLessThan(3000)

    // The next deployment's originals are the first one's replacements, with e1's hooks.
    const blue = stack.codedeploy.instances('shop', 'early').map(i => i.instanceId)
    const second = await deploy('early', site('e2'))
    await until(second, d => d.instanceTerminationWaitTimeStarted === true)
    await continueWith(second, 'TERMINATION_WAIT')
    await until(second, isDone)
    const log = await readFile(path.join(roots('early')[0]!, '..', 'hooks.log'), 'utf8')
    for (const id of blue) {
      expect(log).toContain(`BeforeBlockTraffic e1 ${id}`)
      expect(log).toContain(`AfterBlockTraffic e1 ${id}`)
    }
    for (const root of roots('early'))
      expect(log).toContain(`AfterAllowTraffic e2 ${path.basename(root)}`)
  })

  it('rolls back when a replacement fails: the originals keep the traffic and the replacements go', async () => {
    const good = await deploy('guarded', site('r1'))
    expect((await until(good, isDone)).last.status).toBe('Succeeded')
    const serving = roots('guarded')

    const bad = await deploy('guarded', site('r2', 'echo broken >&2; exit 1'))
    const { last: failed } = await until(bad, isDone)
    expect(failed.status).toBe('Failed')
    expect(failed.errorInformation?.code).toBe('HEALTH_CONSTRAINTS')
    const rollbackId = failed.rollbackInfo!.rollbackDeploymentId!
    const replacements = (await targets(bad))
      .filter(t => t.instanceLabel === 'Green')
      .map(t => t.targetId!)
    const { last: rollback } = await until(rollbackId, isDone)
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback' })
    expect(rollback.rollbackInfo?.rollbackTriggeringDeploymentId).toBe(bad)
    expect(roots('guarded')).toEqual(serving)
    for (const root of serving)
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('r1')
    const rolled = await targets(rollbackId)
    expect(
      rolled
        .filter(t => t.instanceLabel === 'Blue')
        .map(t => t.targetId)
        .sort()
    ).toEqual(replacements.sort())
    for (const t of rolled.filter(t => t.instanceLabel === 'Green'))
      expect(t.lifecycleEvents!.find(e => e.lifecycleEventName === 'AllowTraffic')?.status).toBe(
        'Succeeded'
      )
    const gone = stack.codedeploy.directory
    for (const id of replacements)
      expect(await exists(path.join(gone, 'instances', 'shop', 'guarded', id))).toBe(false)
  })

  it('stops when nobody reroutes traffic before the Ready wait runs out (STOP_DEPLOYMENT)', async () => {
    const originals = roots('lapse')
    const id = await deploy('lapse', site('l1'))
    const { last } = await until(id, isDone)
    expect(last.status).toBe('Stopped')
    expect(last.errorInformation?.code).toBe('TIMEOUT')
    expect(last.deploymentOverview).toMatchObject({ Succeeded: 1, Skipped: 1 })
    const green = (await targets(id)).find(t => t.instanceLabel === 'Green')!
    expect(green.lifecycleEvents!.find(e => e.lifecycleEventName === 'AllowTraffic')?.status).toBe(
      'Skipped'
    )
    expect(roots('lapse')).toEqual(originals)
  })

  it('stops at Ready on StopDeployment, after which it cannot be continued', async () => {
    const first = await deploy('halt', site('h1'))
    await until(first, d => d.status === 'Ready')
    await client.send(new StopDeploymentCommand({ deploymentId: first }))
    const { last } = await until(first, isDone)
    expect(last.status).toBe('Stopped')
    expect(last.rollbackInfo).toBeUndefined()
    await expect(continueWith(first)).rejects.toMatchObject({
      name: 'DeploymentAlreadyCompletedException'
    })
  })

  it('answers ContinueDeployment in the wrong state with the service’s errors', async () => {
    const id = await deploy('halt', site('h2'))
    await expect(continueWith(id, 'TERMINATION_WAIT')).rejects.toMatchObject({
      name: 'DeploymentIsNotInReadyStateException'
    })
    await until(id, d => d.status === 'Ready')
    await expect(
      client.send(
        new ContinueDeploymentCommand({
          deploymentId: id,
          deploymentWaitType: 'SOON' as 'READY_WAIT'
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidDeploymentWaitTypeException' })
    await continueWith(id)
    await until(id, d => d.instanceTerminationWaitTimeStarted === true)
    await continueWith(id, 'TERMINATION_WAIT')
    expect((await until(id, isDone)).last.status).toBe('Succeeded')

    const inPlace = await deploy('plain', site('p1'))
    await expect(continueWith(inPlace)).rejects.toMatchObject({
      name: 'UnsupportedActionForDeploymentTypeException'
    })
    await until(inPlace, isDone)
  })

  it('creates, describes and updates blue/green groups over the API, with the service’s defaults and checks', async () => {
    await client.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'shop',
        deploymentGroupName: 'api-made',
        serviceRoleArn: 'arn:aws:iam::000000000000:role/cd',
        deploymentStyle: BLUE_GREEN,
        loadBalancerInfo: { elbInfoList: [{ name: 'classic' }] }
      })
    )
    const { deploymentGroupInfo: made } = await client.send(
      new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'api-made' })
    )
    expect(made).toMatchObject({
      deploymentStyle: BLUE_GREEN,
      loadBalancerInfo: { elbInfoList: [{ name: 'classic' }] },
      blueGreenDeploymentConfiguration: {
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: 60
        },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
        greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' }
      }
    })
    await expect(
      client.send(
        new CreateDeploymentGroupCommand({
          applicationName: 'shop',
          deploymentGroupName: 'no-lb',
          serviceRoleArn: 'arn:aws:iam::000000000000:role/cd',
          deploymentStyle: BLUE_GREEN
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidLoadBalancerInfoException' })

    await client.send(
      new UpdateDeploymentGroupCommand({
        applicationName: 'shop',
        currentDeploymentGroupName: 'api-made',
        newDeploymentGroupName: 'api-renamed',
        blueGreenDeploymentConfiguration: {
          deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
          greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' }
        }
      })
    )
    const { deploymentGroupInfo: updated } = await client.send(
      new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'api-renamed' })
    )
    expect(updated?.blueGreenDeploymentConfiguration).toMatchObject({
      deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE' },
      greenFleetProvisioningOption: { action: 'COPY_AUTO_SCALING_GROUP' }
    })
    await expect(
      client.send(
        new UpdateDeploymentGroupCommand({
          applicationName: 'shop',
          currentDeploymentGroupName: 'api-renamed',
          blueGreenDeploymentConfiguration: {
            terminateBlueInstancesOnDeploymentSuccess: { terminationWaitTimeInMinutes: 5000 }
          }
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidBlueGreenDeploymentConfigurationException' })
  })
})

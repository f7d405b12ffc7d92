/**
 * Deployments stopped by a deployment group's CloudWatch alarm, against the local stack: the
 * alarm goes into ALARM mid-deployment, CodeDeploy stops the deployment with ALARM_ACTIVE
 * (naming the alarms as it does), puts traffic back, and rolls back when the deployment's
 * autoRollbackConfiguration has DEPLOYMENT_STOP_ON_ALARM; the action's failure names the alarm
 * and says what followed. A configured minute lasts 100 ms.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  type DeploymentInfo
} from '@aws-sdk/client-codedeploy'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { REGION } from '../local/stack.js'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const world = useTestStack({
  timeScale: 1 / 600,
  groups: {
    fleet: {
      instances: 2,
      alarmConfiguration: { enabled: true, alarms: [{ name: 'fleet-5xx' }] }
    }
  },
  config: {
    applications: [
      {
        name: 'functions',
        computePlatform: 'Lambda',
        deploymentGroups: [
          {
            name: 'checkout',
            deploymentConfig: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
            alarmConfiguration: {
              enabled: true,
              alarms: [{ name: 'checkout-errors' }, { name: 'checkout p99 latency' }]
            }
          },
          {
            name: 'fired',
            deploymentConfig: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
            alarmConfiguration: { enabled: true, alarms: [{ name: 'fired-at-traffic' }] }
          }
        ]
      }
    ],
    lambda: {
      functions: [
        { name: 'checkout', versions: 3, aliases: { live: '1' } },
        { name: 'fired', versions: 2, aliases: { live: '1' } }
      ]
    },
    alarms: [{ name: 'fired-at-traffic', fireAt: 'AllowTraffic' }]
  }
})

afterEach(() => {
  for (const name of ['fleet-5xx', 'checkout-errors', 'checkout p99 latency'])
    world.stack.codedeploy.alarms.set(name, 'OK')
})

/** Sets `alarms` to ALARM once `when` holds, as `aws cloudwatch set-alarm-state` would. */
function fireWhen(alarms: string[], when: () => boolean): () => void {
  const timer = setInterval(() => {
    if (!when()) return
    clearInterval(timer)
    for (const alarm of alarms) world.stack.codedeploy.alarms.set(alarm, 'ALARM')
  }, 5)
  return () => clearInterval(timer)
}

const deployments = (group: string) =>
  [...world.stack.codedeploy.service.deployments.values()].filter(
    d => d.deploymentGroupName === group && d.creator === 'user'
  )

async function lambdaRelease(current: string, target: string): Promise<InProcessRun> {
  const dir = await world.source({})
  const appspec = `version: 0.0\nResources:\n  - checkout:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: checkout\n        Alias: live\n        CurrentVersion: "${current}"\n        TargetVersion: "${target}"\n`
  await writeFile(path.join(world.workspace, dir, 'appspec.yaml'), appspec)
  return runInProcess(
    { application: 'functions', 'deployment-group': 'checkout', appspec: `${dir}/appspec.yaml` },
    world.env
  )
}

describe('a CloudWatch alarm that fires mid-deployment', () => {
  it('stops a Lambda canary: traffic goes back, the rollback is followed, the alarm is named', async () => {
    const first = await lambdaRelease('1', '2')
    expect(first.outputs.status).toBe('Succeeded')

    // The canary's 10% is on version 3 when the alarm goes off.
    const stop = fireWhen(['checkout-errors', 'checkout p99 latency'], () =>
      deployments('checkout').some(
        d => d.status === 'InProgress' && d.traffic?.lambdaFunctionInfo?.targetVersionWeight === 10
      )
    )
    const run = await lambdaRelease('2', '3').finally(stop)
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Stopped')
    const created = world.calls('CreateDeployment').at(-1)!
    expect(created.input.autoRollbackConfiguration).toEqual({
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']
    })
    const rollbackId = run.outputs['rollback-deployment-id']!
    expect(rollbackId).toMatch(/^d-/)
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    expect(run.log).toContain(
      `::error::${id} Stopped: CloudWatch alarms 'checkout-errors', 'checkout p99 latency' went into ALARM during the deployment (ALARM_ACTIVE), so CodeDeploy stopped it. Traffic is back on the original version. Rolled back by ${rollbackId} (Succeeded): the previous revision is back in place.`
    )
    expect(run.log).toContain(
      '::error title=Stopped by CloudWatch alarms checkout-errors%2C checkout p99 latency::'
    )
    const alias = world.stack.ecsLambda.world.functions.get('checkout')?.aliases.get('live')
    expect(alias).toMatchObject({ functionVersion: '2' })
  })

  it('stops an EC2 deployment between instances and rolls it back, naming the alarm', async () => {
    const first = await runInProcess(
      {
        application: APPLICATION,
        'deployment-group': 'fleet',
        bucket: BUCKET,
        source: await world.source(release('1'))
      },
      world.env
    )
    expect(first.outputs.status).toBe('Succeeded')
    // The first instance's ValidateService of release 2 runs when the alarm goes off.
    const stop = fireWhen(['fleet-5xx'], () =>
      deployments('fleet').some(d =>
        d.instances.some(i =>
          i.lifecycleEvents.some(
            e => e.lifecycleEventName === 'ValidateService' && e.status === 'InProgress'
          )
        )
      )
    )
    const run = await runInProcess(
      {
        application: APPLICATION,
        'deployment-group': 'fleet',
        bucket: BUCKET,
        source: await world.source(release('2', 'sleep 5'))
      },
      world.env
    ).finally(stop)
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Stopped')
    expect(run.outputs['rollback-status']).toBe('Succeeded')
    expect(run.log).toContain(
      `${id} Stopped: CloudWatch alarm 'fleet-5xx' went into ALARM during the deployment (ALARM_ACTIVE), so CodeDeploy stopped it. Rolled back by ${run.outputs['rollback-deployment-id']} (Succeeded)`
    )
    expect(await world.installed('fleet', 'srv/app/version.txt')).toBe('1')
  })
})

describe('the emulator, through the SDK', () => {
  const client = (): CodeDeployClient =>
    new CodeDeployClient({
      region: REGION,
      endpoint: world.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
    })

  it('stops at the configured event with the message CodeDeploy gives, and says why there is no rollback', async () => {
    const cd = client()
    try {
      const group = await cd.send(
        new GetDeploymentGroupCommand({
          applicationName: 'functions',
          deploymentGroupName: 'fired'
        })
      )
      expect(group.deploymentGroupInfo?.alarmConfiguration).toEqual({
        enabled: true,
        ignorePollAlarmFailure: false,
        alarms: [{ name: 'fired-at-traffic' }]
      })
      const content = JSON.stringify({
        version: 0.0,
        Resources: [
          {
            fired: {
              Type: 'AWS::Lambda::Function',
              Properties: { Name: 'fired', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' }
            }
          }
        ]
      })
      const { deploymentId } = await cd.send(
        new CreateDeploymentCommand({
          applicationName: 'functions',
          deploymentGroupName: 'fired',
          revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
          autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] }
        })
      )
      let info: DeploymentInfo | undefined
      do {
        await new Promise(resolve => setTimeout(resolve, 10))
        info = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo
      } while (!['Succeeded', 'Failed', 'Stopped'].includes(info?.status ?? ''))
      expect(info).toMatchObject({
        status: 'Stopped',
        errorInformation: {
          code: 'ALARM_ACTIVE',
          message:
            'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <fired-at-traffic>'
        },
        rollbackInfo: {
          rollbackMessage:
            'Automatic rollback was not performed because no previous successful deployment exists for this deployment group.'
        }
      })
      // The alarm recovered once its deployment stopped.
      expect(world.stack.codedeploy.alarms.state('fired-at-traffic')).toBe('OK')
      await expect(
        cd.send(
          new CreateDeploymentGroupCommand({
            applicationName: APPLICATION,
            deploymentGroupName: 'no-alarms',
            serviceRoleArn: 'arn:aws:iam::000000000000:role/r',
            alarmConfiguration: { enabled: true, alarms: [] }
          })
        )
      ).rejects.toMatchObject({ name: 'InvalidAlarmConfigException' })
    } finally {
      cd.destroy()
    }
  })
})

/**
 * The inputs an AWS CLI user reaches for, against the local stack (real SDK over HTTP): what
 * CreateDeployment carried (targetInstances, updateOutdatedInstancesOnly,
 * overrideAlarmConfiguration, and that an ignored alarm did not stop the deployment), the bundle
 * object's tags (GetObjectTagging), and an EC2 appspec kept outside source that goes into the
 * bundle as appspec.yml and deploys.
 */
import { describe, expect, it } from '@jest/globals'
import { GetObjectCommand, GetObjectTaggingCommand } from '@aws-sdk/client-s3'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runInProcess } from './helpers/action.js'
import { appspec, release, s3Client, script } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({
  timeScale: 1 / 600,
  groups: {
    staging: 1,
    watched: {
      instances: 1,
      alarmConfiguration: { enabled: true, alarms: [{ name: 'web-5xx' }, { name: 'web-latency' }] }
    },
    green: {
      instances: 1,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: 5
        },
        greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' }
      }
    }
  },
  config: { alarms: [{ name: 'web-5xx', fireAt: 'BeforeInstall' }] }
})

const base = { application: APPLICATION, bucket: BUCKET }

function lastCreate(): Record<string, unknown> {
  const calls = t.calls('CreateDeployment')
  return calls.at(-1)!.input
}

describe('CreateDeployment carries the options as given', () => {
  it('target-instances on a blue/green group, as the API takes it', async () => {
    const source = await t.source(release('bg'))
    const json = await runInProcess(
      {
        ...base,
        source,
        'deployment-group': 'green',
        wait: 'false',
        'target-instances':
          '{"tagFilters":[{"Key":"Name","Value":"web-green","Type":"KEY_AND_VALUE"}]}'
      },
      t.env
    )
    expect(json.failed).toBe(false)
    expect(lastCreate().targetInstances).toEqual({
      tagFilters: [{ Key: 'Name', Value: 'web-green', Type: 'KEY_AND_VALUE' }]
    })
    const id = json.outputs['deployment-id']!
    expect(t.stack.codedeploy.deployment(id)?.targetInstances).toEqual(lastCreate().targetInstances)
    await t.stack.codedeploy.idle()
  })

  it('outdated-instances-only on an in-place group', async () => {
    const source = await t.source(release('outdated'))
    const run = await runInProcess(
      { ...base, source, 'deployment-group': 'staging', 'outdated-instances-only': 'True' },
      t.env
    )
    expect(run.failed).toBe(false)
    expect(lastCreate().updateOutdatedInstancesOnly).toBe(true)
    expect(
      t.stack.codedeploy.deployment(run.outputs['deployment-id']!)?.updateOutdatedInstancesOnly
    ).toBe(true)
  })

  it('override-alarms: the named alarm is left out, the other still watched, and said so', async () => {
    const source = await t.source(release('alarm'))
    const run = await runInProcess(
      { ...base, source, 'deployment-group': 'watched', 'override-alarms': 'web-5xx' },
      t.env
    )
    // web-5xx fires at BeforeInstall; ignored, it stops nothing.
    expect(run.failed).toBe(false)
    expect(run.outputs.status).toBe('Succeeded')
    expect(lastCreate().overrideAlarmConfiguration).toEqual({
      enabled: true,
      ignorePollAlarmFailure: false,
      alarms: [{ name: 'web-latency' }]
    })
    expect(run.log).toMatch(
      /::warning::Ignoring CloudWatch alarm web-5xx of Deployment group 'watched'.*Still watched: web-latency/
    )
    expect(run.summary).toMatch(
      /override-alarms`: this deployment ignored the group's CloudWatch alarm `web-5xx`; still watched: `web-latency`/
    )
    t.stack.codedeploy.alarms.set('web-5xx', 'OK')
  })

  it("override-alarms all turns the group's alarm polling off for the deployment", async () => {
    const source = await t.source(release('all'))
    const run = await runInProcess(
      { ...base, source, 'deployment-group': 'watched', 'override-alarms': 'all' },
      t.env
    )
    expect(run.outputs.status).toBe('Succeeded')
    expect(lastCreate().overrideAlarmConfiguration).toEqual({ enabled: false })
    t.stack.codedeploy.alarms.set('web-5xx', 'OK')
  })
})

describe('s3-tags', () => {
  it('tags the bundle object with the upload; a bundle already in S3 keeps its tags, and says so', async () => {
    const source = await t.source(release('tags'))
    const inputs = { ...base, source, 'deployment-group': 'staging', wait: 'false' }
    const first = await runInProcess({ ...inputs, 's3-tags': 'team=web, env=prod' }, t.env)
    expect(first.failed).toBe(false)
    const s3 = s3Client(t.stack.s3.endpoint)
    const tagging = await s3.send(
      new GetObjectTaggingCommand({ Bucket: BUCKET, Key: first.outputs.key! })
    )
    expect(tagging.TagSet).toEqual([
      { Key: 'team', Value: 'web' },
      { Key: 'env', Value: 'prod' }
    ])
    await t.stack.codedeploy.idle()
    const again = await runInProcess({ ...inputs, 's3-tags': 'team: web\nenv: staging' }, t.env)
    expect(again.outputs.key).toBe(first.outputs.key)
    expect(again.log).toMatch(
      /its tags are not changed \(s3-tags team=web, env=staging not applied\)/
    )
    expect(again.summary).toMatch(/not applied: the object was already in S3/)
    const kept = await s3.send(
      new GetObjectTaggingCommand({ Bucket: BUCKET, Key: first.outputs.key! })
    )
    expect(kept.TagSet).toEqual(tagging.TagSet)
    s3.destroy()
    await t.stack.codedeploy.idle()
  })
})

describe('appspec for an EC2/on-premises group', () => {
  const tree = {
    'site/version.txt': 'from-elsewhere',
    'scripts/validate.sh': script('test -f "$INSTANCE_ROOT/srv/app/version.txt"')
  }
  const spec = appspec({ ValidateService: [{ location: 'scripts/validate.sh', timeout: 60 }] })

  it('goes into the bundle as appspec.yml at its root, deploys, and gives the same bundle each time', async () => {
    const source = await t.source(tree)
    const file = path.join(t.workspace, `${source}-appspec-prod.yml`)
    await writeFile(file, spec)
    const inputs = { ...base, source, 'deployment-group': 'staging', appspec: path.basename(file) }
    const run = await runInProcess(inputs, t.env)
    expect(run.log).not.toMatch(/::error/)
    expect(run.outputs.status).toBe('Succeeded')
    expect(run.log).toMatch(/appspec-prod\.yml goes into the bundle as appspec\.yml/)
    expect(await t.installed('staging', 'srv/app/version.txt')).toBe('from-elsewhere')
    // The object's bytes hold appspec.yml as the zip's own entry name.
    const s3 = s3Client(t.stack.s3.endpoint)
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: run.outputs.key! }))
    const bytes = Buffer.from(await object.Body!.transformToByteArray())
    expect(bytes.includes(Buffer.from('appspec.yml'))).toBe(true)
    s3.destroy()
    const again = await runInProcess({ ...inputs, wait: 'false' }, t.env)
    expect(again.outputs['bundle-sha256']).toBe(run.outputs['bundle-sha256'])
    await t.stack.codedeploy.idle()
  })

  it("is taken when source's own appspec.yml is the same file content", async () => {
    const source = await t.source({ ...tree, 'appspec.yml': spec })
    const run = await runInProcess(
      { ...base, source, 'deployment-group': 'staging', appspec: `${source}/appspec.yml` },
      t.env
    )
    expect(run.outputs.status).toBe('Succeeded')
  })
})

/**
 * `deployment-group-config`: a deployment group defined in a file, checked field by field before
 * any write, created when missing (tagged), updated when a field the file gives differs (the log
 * names it), and left alone when it holds the file's settings. Against the local stack.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { groupDifferences, readGroupConfig } from '../src/engine/inputs/group-config.js'
import { parseSettings } from '../src/engine/inputs/settings.js'
import { runInProcess } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({
  groups: { web: 2 },
  stepDelayMs: 0,
  config: {
    applications: [{ name: 'functions', computePlatform: 'Lambda', deploymentGroups: [] }]
  },
  env: { GITHUB_WORKFLOW_REF: 'octo/shop/.github/workflows/deploy.yml@refs/heads/main' }
})

const GROUP = `serviceRoleArn: arn:aws:iam::123456789012:role/CodeDeployServiceRole
ec2TagFilters:
  - { Key: emulator:instances, Value: '2', Type: KEY_AND_VALUE }
deploymentConfigName: CodeDeployDefault.AllAtOnce
autoRollbackConfiguration:
  enabled: true
  events: [DEPLOYMENT_STOP_ON_REQUEST, DEPLOYMENT_FAILURE]
triggerConfigurations:
  - triggerName: chat
    triggerTargetArn: arn:aws:sns:us-east-1:123456789012:deploys
    triggerEvents: [DeploymentFailure]
outdatedInstancesStrategy: UPDATE
`

const GROUP_WRITES = ['CreateDeploymentGroup', 'UpdateDeploymentGroup']
const writes = (): number =>
  t.stack.codedeploy.calls.filter(c =>
    [...GROUP_WRITES, 'RegisterApplicationRevision', 'CreateDeployment'].includes(c.operation)
  ).length + t.stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST').length
const groupWrites = (): number =>
  t.stack.codedeploy.calls.filter(c => GROUP_WRITES.includes(c.operation)).length

async function deploy(
  config: string,
  version: string,
  group = 'fresh',
  application = APPLICATION
): Promise<Awaited<ReturnType<typeof runInProcess>>> {
  await writeFile(path.join(t.workspace, 'deployment-group.yml'), config)
  const dir = await t.source(release(version))
  return runInProcess(
    {
      application,
      'deployment-group': group,
      bucket: BUCKET,
      source: dir,
      'deployment-group-config': 'deployment-group.yml'
    },
    t.env
  )
}

describe('deploying with a group config', () => {
  it('creates a missing group just before the deployment, tagged, and deploys to it', async () => {
    const result = await deploy(GROUP, 'group-1')
    expect(result.failed).toBe(false)
    const created = t.calls('CreateDeploymentGroup')
    expect(created).toHaveLength(1)
    expect(created[0]!.input).toMatchObject({
      applicationName: APPLICATION,
      deploymentGroupName: 'fresh',
      serviceRoleArn: 'arn:aws:iam::123456789012:role/CodeDeployServiceRole',
      deploymentConfigName: 'CodeDeployDefault.AllAtOnce',
      autoRollbackConfiguration: { enabled: true },
      triggerConfigurations: [{ triggerName: 'chat', triggerEvents: ['DeploymentFailure'] }],
      outdatedInstancesStrategy: 'UPDATE',
      tags: [{ Key: 'codedeploy-bridge:created-by', Value: 'octo/shop' }]
    })
    const operations = t.stack.codedeploy.calls.map(c => c.operation)
    expect(operations.lastIndexOf('CreateDeploymentGroup')).toBe(
      operations.lastIndexOf('CreateDeployment') - 1
    )
    expect(t.calls('CreateDeployment').at(-1)!.input.deploymentGroupName).toBe('fresh')
    expect(result.log).toContain("Deployment group 'fresh' does not exist yet: it is created from")
    expect(result.log).toContain("Created deployment group 'fresh' from")
    expect(result.outputs['deployment-group-created']).toBe('true')
    expect(result.outputs.status).toBe('Succeeded')
    expect(result.summary).toMatch(/\| Deployment group \| fresh \(created by this run\) \|/)
    expect(await t.installed('fresh', 'srv/app/version.txt')).toBe('group-1')
  })

  it('writes nothing to a group that holds the settings of the file', async () => {
    const before = groupWrites()
    const result = await deploy(GROUP, 'group-2')
    expect(result.failed).toBe(false)
    expect(groupWrites()).toBe(before)
    expect(result.log).toContain("Deployment group 'fresh' holds the settings of")
    expect(result.outputs['deployment-group-created']).toBe('false')
    expect(result.outputs.status).toBe('Succeeded')
  })

  it('updates a group that differs, naming the difference, and deploys with it', async () => {
    const result = await deploy(
      GROUP.replace('CodeDeployDefault.AllAtOnce', 'CodeDeployDefault.OneAtATime'),
      'group-3'
    )
    expect(result.failed).toBe(false)
    const updates = t.calls('UpdateDeploymentGroup')
    expect(updates).toHaveLength(1)
    expect(updates[0]!.input).toMatchObject({
      applicationName: APPLICATION,
      currentDeploymentGroupName: 'fresh',
      deploymentConfigName: 'CodeDeployDefault.OneAtATime'
    })
    expect(updates[0]!.input).not.toHaveProperty('tags')
    expect(result.log).toContain(
      'deploymentConfigName: "CodeDeployDefault.AllAtOnce" in AWS, "CodeDeployDefault.OneAtATime" in the file'
    )
    expect(result.outputs['deployment-group-created']).toBe('false')
    expect(result.outputs.status).toBe('Succeeded')
    const info = t.calls('CreateDeployment').at(-1)!
    expect(info.input.deploymentGroupName).toBe('fresh')
  })
})

describe('a group config that is refused before any write', () => {
  it.each([
    [
      'a misspelt field',
      GROUP.replace('ec2TagFilters:', 'ec2TagFilter:'),
      /ec2TagFilter is not a field of CreateDeploymentGroup here\. Did you mean 'ec2TagFilters'\?/
    ],
    [
      'a misspelt nested field',
      GROUP.replace('triggerEvents:', 'triggerEvent:'),
      /triggerConfigurations\[0\]\.triggerEvent is not a field of CreateDeploymentGroup here\. Did you mean 'triggerEvents'\?/
    ],
    [
      'a value of the wrong type',
      `${GROUP}terminationHookEnabled: 'yes'\n`,
      /terminationHookEnabled is "yes": expected true or false/
    ],
    [
      'an unknown choice',
      GROUP.replace('outdatedInstancesStrategy: UPDATE', 'outdatedInstancesStrategy: SKIP'),
      /outdatedInstancesStrategy is "SKIP": expected one of UPDATE, IGNORE/
    ],
    [
      'another group name than deployment-group',
      `deploymentGroupName: other\n${GROUP}`,
      /deploymentGroupName is 'other', and input 'deployment-group' is 'brand-new': give the same name in both/
    ],
    [
      'another application than application',
      `applicationName: elsewhere\n${GROUP}`,
      /applicationName is 'elsewhere', and input 'application' is 'shop'/
    ],
    [
      'a role name instead of its ARN',
      GROUP.replace(/serviceRoleArn: .*/, 'serviceRoleArn: CodeDeployServiceRole'),
      /serviceRoleArn is 'CodeDeployServiceRole': give a role's ARN/
    ],
    [
      'a deployment config that does not exist',
      GROUP.replace(
        'deploymentConfigName: CodeDeployDefault.AllAtOnce',
        'deploymentConfigName: Nope'
      ),
      /Deployment config 'Nope' does not exist\..* Set deploymentConfigName in 'deployment-group-config' to one of them/
    ],
    ['broken YAML', 'serviceRoleArn: [x\n', /is not valid YAML or JSON/]
  ])('%s', async (_, config, message) => {
    const before = writes()
    const result = await deploy(config, 'refused', 'brand-new')
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(message)
    expect(writes()).toBe(before)
  })

  it('still refuses a missing group without a config, pointing at the input', async () => {
    const dir = await t.source(release('none'))
    const result = await runInProcess(
      { application: APPLICATION, 'deployment-group': 'absent', bucket: BUCKET, source: dir },
      t.env
    )
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(/or give 'deployment-group-config' to create it/)
  })
})

describe('the platform and the place of a group config', () => {
  it("checks a missing group by its application's platform, before any write", async () => {
    const before = writes()
    const result = await deploy(GROUP, 'lambda', 'new-fn', 'functions')
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(
      // The file's EC2 config is the first thing that does not fit the Lambda application.
      /Deployment config 'CodeDeployDefault.AllAtOnce' is for EC2\/on-premises, and group 'new-fn' deploys to AWS Lambda/
    )
    expect(writes()).toBe(before)
  })

  it('refuses a file outside the workspace', () => {
    const given: Record<string, string> = {
      application: 'a',
      'deployment-group': 'g',
      bucket: 'b-b-b',
      'deployment-group-config': '../elsewhere/group.yml'
    }
    expect(() =>
      parseSettings(name => given[name] ?? '', '/home/me/repo', { confine: true })
    ).toThrow(
      /Invalid deployment-group-config '..\/elsewhere\/group.yml': it is \/home\/me\/elsewhere\/group.yml, outside/
    )
  })
})

describe('comparing with what GetDeploymentGroup answers', () => {
  const read = async (text: string) => {
    await writeFile(path.join(t.workspace, 'compare.yml'), text)
    return readGroupConfig(path.join(t.workspace, 'compare.yml'), 'compare.yml', 'g', 'shop')
  }
  const ROLE = 'serviceRoleArn: arn:aws:iam::123456789012:role/R\n'

  it('takes defaults AWS adds, list order and Auto Scaling groups as {name, hook} as no difference', async () => {
    const config = await read(
      `${ROLE}ec2TagFilters: [{Key: app, Value: web}, {Key: tier, Value: front}]\nautoScalingGroups: [asg-1]\nterminationHookEnabled: false\nautoRollbackConfiguration: {enabled: true, events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_REQUEST]}\n`
    )
    expect(
      groupDifferences(config, {
        serviceRoleArn: 'arn:aws:iam::123456789012:role/R',
        ec2TagFilters: [
          { Key: 'tier', Value: 'front', Type: 'KEY_AND_VALUE' },
          { Key: 'app', Value: 'web', Type: 'KEY_AND_VALUE' }
        ],
        autoScalingGroups: [
          { name: 'asg-1', hook: 'CodeDeploy-managed-automatic-launch-deployment-hook-g' }
        ],
        autoRollbackConfiguration: {
          enabled: true,
          events: ['DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_FAILURE']
        }
      })
    ).toEqual([])
  })

  it('names a list item AWS has and the file has not, and a value that differs', async () => {
    const config = await read(`${ROLE}ec2TagFilters: [{Key: app, Value: web}]\n`)
    expect(
      groupDifferences(config, {
        serviceRoleArn: 'arn:aws:iam::123456789012:role/Other',
        ec2TagFilters: [
          { Key: 'app', Value: 'web', Type: 'KEY_AND_VALUE' },
          { Key: 'old', Value: 'x', Type: 'KEY_AND_VALUE' }
        ]
      })
    ).toEqual([
      'serviceRoleArn: "arn:aws:iam::123456789012:role/Other" in AWS, "arn:aws:iam::123456789012:role/R" in the file',
      'ec2TagFilters: [{"Key":"app","Value":"web"},{"Key":"old","Value":"x"}] in AWS, [{"Key":"app","Value":"web"}] in the file'
    ])
  })
})

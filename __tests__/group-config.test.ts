/**
 * `deployment-group-config`: a deployment group defined in a file, checked field by field before
 * any write, created when missing (tagged), updated when a field the file gives differs (the log
 * names it), and left alone when it holds the file's settings. Against the local stack.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runInProcess } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({
  groups: { web: 2 },
  stepDelayMs: 0,
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
  group = 'fresh'
): Promise<Awaited<ReturnType<typeof runInProcess>>> {
  await writeFile(path.join(t.workspace, 'deployment-group.yml'), config)
  const dir = await t.source(release(version))
  return runInProcess(
    {
      application: APPLICATION,
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
      'a role name instead of its ARN',
      GROUP.replace(/serviceRoleArn: .*/, 'serviceRoleArn: CodeDeployServiceRole'),
      /serviceRoleArn is 'CodeDeployServiceRole': give a role's ARN/
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

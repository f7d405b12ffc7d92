/**
 * `deployment-config-spec`: a deployment config defined in a file, checked field by field,
 * compared with the config of that name in the account, created when missing just before the
 * deployment, and refused (before any write) when the account's config holds other settings.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readConfigSpec, specDifferences } from '../src/engine/inputs/config-spec.js'
import { runInProcess } from './helpers/action.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { web: 2 }, stepDelayMs: 0 })

async function specFile(text: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'cdb-spec-')), 'config.yml')
  await writeFile(file, text)
  return file
}

describe('reading a spec', () => {
  it.each([
    [
      'a misspelt field',
      'deploymentConfigName: half\nminimumHealthyHost: {type: FLEET_PERCENT, value: 50}\n',
      /minimumHealthyHost is not a field of CreateDeploymentConfig here\. Did you mean 'minimumHealthyHosts'\?/
    ],
    [
      'a percentage of 100',
      'deploymentConfigName: all\nminimumHealthyHosts: {type: FLEET_PERCENT, value: 100}\n',
      /minimumHealthyHosts\.value is 100: give a whole number from 0 to 99/
    ],
    [
      'an unknown type',
      'deploymentConfigName: x\nminimumHealthyHosts: {type: PERCENT, value: 5}\n',
      /minimumHealthyHosts\.type is "PERCENT": expected one of HOST_COUNT, FLEET_PERCENT/
    ],
    [
      'traffic routing on EC2',
      'deploymentConfigName: x\nminimumHealthyHosts: {type: HOST_COUNT, value: 1}\ntrafficRoutingConfig: {type: AllAtOnce}\n',
      /trafficRoutingConfig shifts ECS or Lambda traffic: set computePlatform ECS or Lambda/
    ],
    [
      'a canary without its numbers',
      'deploymentConfigName: x\ncomputePlatform: Lambda\ntrafficRoutingConfig: {type: TimeBasedCanary, timeBasedCanary: {canaryPercentage: 10}}\n',
      /trafficRoutingConfig\.timeBasedCanary\.canaryInterval is missing: give a whole number from 1 to 2880/
    ],
    [
      'no minimum healthy hosts on EC2',
      'deploymentConfigName: x\n',
      /needs minimumHealthyHosts for computePlatform Server/
    ],
    [
      'an AWS name',
      'deploymentConfigName: CodeDeployDefault.Mine\nminimumHealthyHosts: {type: HOST_COUNT, value: 1}\n',
      /names starting with CodeDeployDefault\. are AWS's own/
    ],
    [
      'no name at all',
      'minimumHealthyHosts: {type: HOST_COUNT, value: 1}\n',
      /names no config: set deploymentConfigName in the file, or the input 'deployment-config'/
    ],
    ['broken YAML', 'deploymentConfigName: [x\n', /is not valid YAML or JSON/]
  ])('%s is refused with the fix', async (_, text, message) => {
    const file = await specFile(text)
    await expect(readConfigSpec(file, 'config.yml', '')).rejects.toThrow(message)
  })

  it('takes its name from deployment-config, and refuses two different names', async () => {
    const file = await specFile('minimumHealthyHosts: {type: HOST_COUNT, value: 1}\n')
    expect((await readConfigSpec(file, 'config.yml', 'one')).deploymentConfigName).toBe('one')
    const named = await specFile(
      'deploymentConfigName: two\nminimumHealthyHosts: {type: HOST_COUNT, value: 1}\n'
    )
    await expect(readConfigSpec(named, 'config.yml', 'one')).rejects.toThrow(
      /deploymentConfigName is 'two', and input 'deployment-config' is 'one'/
    )
  })

  it('compares with what GetDeploymentConfig answers, defaults filled in', async () => {
    const spec = await readConfigSpec(
      await specFile('deploymentConfigName: c\ncomputePlatform: ECS\n'),
      'c.yml',
      ''
    )
    expect(
      specDifferences(spec, { computePlatform: 'ECS', trafficRoutingConfig: { type: 'AllAtOnce' } })
    ).toEqual([])
    expect(
      specDifferences(spec, {
        computePlatform: 'ECS',
        trafficRoutingConfig: {
          type: 'TimeBasedLinear',
          timeBasedLinear: { linearPercentage: 10, linearInterval: 1 }
        }
      })
    ).toEqual([
      'trafficRoutingConfig.timeBasedLinear.linearInterval: 1 in AWS, (not set) in the file',
      'trafficRoutingConfig.timeBasedLinear.linearPercentage: 10 in AWS, (not set) in the file',
      'trafficRoutingConfig.type: TimeBasedLinear in AWS, AllAtOnce in the file'
    ])
  })
})

describe('deploying with a spec', () => {
  const writes = (): number =>
    t.stack.codedeploy.calls.filter(c =>
      ['CreateDeploymentConfig', 'RegisterApplicationRevision', 'CreateDeployment'].includes(
        c.operation
      )
    ).length + t.stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST').length

  const deploy = async (
    spec: string,
    version: string
  ): Promise<Awaited<ReturnType<typeof runInProcess>>> => {
    await writeFile(path.join(t.workspace, 'deployment-config.yml'), spec)
    const dir = await t.source(release(version))
    return runInProcess(
      {
        application: APPLICATION,
        'deployment-group': 'web',
        bucket: BUCKET,
        source: dir,
        'deployment-config-spec': 'deployment-config.yml'
      },
      t.env
    )
  }
  const HALF =
    'deploymentConfigName: Half\nminimumHealthyHosts:\n  type: FLEET_PERCENT\n  value: 50\n'

  it('creates a missing config just before the deployment, and deploys with it', async () => {
    const result = await deploy(HALF, 'spec-1')
    expect(result.failed).toBe(false)
    const created = t.calls('CreateDeploymentConfig')
    expect(created).toHaveLength(1)
    expect(created[0]!.input).toMatchObject({
      deploymentConfigName: 'Half',
      computePlatform: 'Server',
      minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 50 }
    })
    const operations = t.stack.codedeploy.calls.map(c => c.operation)
    expect(operations.lastIndexOf('CreateDeploymentConfig')).toBe(
      operations.lastIndexOf('CreateDeployment') - 1
    )
    expect(t.calls('CreateDeployment').at(-1)!.input.deploymentConfigName).toBe('Half')
    expect(result.log).toContain("Created deployment config 'Half'.")
    expect(result.summary).toMatch(/\| Config \| Half \(created by this run\) \|/)
  })

  it('uses the config as it is when it holds the same settings', async () => {
    const result = await deploy(HALF, 'spec-2')
    expect(result.failed).toBe(false)
    expect(t.calls('CreateDeploymentConfig')).toHaveLength(1)
    expect(result.log).toContain("Deployment config 'Half' exists with the settings of")
    expect(t.calls('CreateDeployment').at(-1)!.input.deploymentConfigName).toBe('Half')
  })

  it('refuses other settings under the same name before any write, naming the difference', async () => {
    const before = writes()
    const result = await deploy(HALF.replace('value: 50', 'value: 75'), 'spec-3')
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(
      /::error::.*Deployment config 'Half' exists with other settings than deployment-config.yml gives \(minimumHealthyHosts.value: 50 in AWS, 75 in the file\)\. A deployment config cannot be changed: give the new settings a new deploymentConfigName/
    )
    expect(writes()).toBe(before)
  })

  it('refuses a spec for another platform than the group before any write', async () => {
    const before = writes()
    const result = await deploy('deploymentConfigName: Shift\ncomputePlatform: Lambda\n', 'spec-4')
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(
      /::error::.*defines a config for AWS Lambda, and group 'web' deploys to EC2\/on-premises\. Set computePlatform: Server/
    )
    expect(writes()).toBe(before)
  })
})

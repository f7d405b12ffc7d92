/**
 * What scripts/platform-figures.ts runs: the stack's config (one group per platform and style, each
 * watching one CloudWatch alarm), the scenarios, and for each group the inputs of a run and the
 * moment a cancel is sent or the alarm set off.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { EmulatorConfig } from '../local/emulator/index.js'
import type { Deployment } from '../local/emulator/model.js'
import type { LocalStack } from '../local/stack.js'

/** An hour is 30 s; ECS's ten one-minute steps take 5 s, Lambda's five-minute canary 2.5 s. */
export const TIME_SCALE = 1 / 120
export const SCENARIOS = ['succeeds', 'hook fails', 'cancelled', 'alarm'] as const
export type Scenario = (typeof SCENARIOS)[number]
const BLUE_GREEN = {
  deploymentType: 'BLUE_GREEN',
  deploymentOption: 'WITH_TRAFFIC_CONTROL'
} as const
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/2'

export interface Target {
  platform: string
  application: string
  group: string
  /** The inputs of one run; writes what it needs under `dir` (relative to the workspace). */
  inputs(scenario: Scenario, dir: string, workspace: string): Promise<Record<string, string>>
  /** When a cancel is sent, or the group's alarm set off. */
  cancelNow(d: Deployment): boolean
  /** Before each run. */
  prepare?(stack: LocalStack): void
}

async function put(workspace: string, dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(workspace, dir, rel)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, text, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 })
  }
}

/** An EC2 revision whose ValidateService hook runs `validate`. */
const bundleSource: Target['inputs'] = async (scenario, dir, workspace) => {
  const validate = {
    succeeds: 'true',
    'hook fails': 'echo unhealthy >&2; exit 1',
    cancelled: 'sleep 3',
    alarm: 'sleep 3'
  }[scenario]
  await put(workspace, dir, {
    'appspec.yml':
      'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/app\nhooks:\n  ValidateService:\n    - location: scripts/validate.sh\n      timeout: 60\n',
    'site/version.txt': `${dir}\n`,
    'scripts/validate.sh': `#!/bin/sh\n${validate}\n`
  })
  return { bucket: 'bundles', source: dir }
}

const hook = (scenario: Scenario): string =>
  scenario === 'hook fails' ? 'check-fails' : 'check-passes'

const ecsAppSpec = (scenario: Scenario): string =>
  `version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 8080\nHooks:\n  - AfterAllowTestTraffic: ${hook(scenario)}\n`

const lambdaAppSpec = (scenario: Scenario): string =>
  `{"version": 0.0, "Resources": [{"checkout": {"Type": "AWS::Lambda::Function", "Properties": {"Name": "checkout", "Alias": "live"}}}], "Hooks": [{"BeforeAllowTraffic": "${hook(scenario)}"}]}`

export const TARGETS: Target[] = [
  {
    platform: 'EC2 in-place',
    application: 'fleet',
    group: 'in-place',
    inputs: bundleSource,
    cancelNow: d => d.status === 'InProgress'
  },
  {
    platform: 'EC2 blue/green',
    application: 'fleet',
    group: 'blue-green',
    // End the originals' termination wait too, so a success is followed to Succeeded.
    inputs: async (scenario, dir, workspace) => ({
      ...(await bundleSource(scenario, dir, workspace)),
      'on-termination-wait': 'continue'
    }),
    cancelNow: d => d.status === 'InProgress'
  },
  {
    platform: 'ECS',
    application: 'containers',
    group: 'web',
    inputs: async (scenario, dir, workspace) => {
      const taskDefinition = `{"family": "web", "containerDefinitions": [{"name": "web", "image": "web:${dir}", "portMappings": [{"containerPort": 8080}]}]}`
      await put(workspace, dir, {
        'appspec.yaml': ecsAppSpec(scenario),
        'task-definition.json': taskDefinition
      })
      return { appspec: `${dir}/appspec.yaml`, 'task-definition': `${dir}/task-definition.json` }
    },
    cancelNow: d =>
      (d.traffic?.taskSetsInfo ?? []).some(t => t.taskSetLabel === 'Green' && t.trafficWeight > 0)
  },
  {
    platform: 'ECS held at Ready',
    application: 'containers',
    group: 'held',
    inputs: async (scenario, dir, workspace) => {
      const taskDefinition = `{"family": "web", "containerDefinitions": [{"name": "web", "image": "web:${dir}", "portMappings": [{"containerPort": 8080}]}]}`
      await put(workspace, dir, {
        'appspec.yaml': ecsAppSpec(scenario),
        'task-definition.json': taskDefinition
      })
      // The action reroutes at Ready (on-ready's default) and ends the termination wait too.
      return {
        appspec: `${dir}/appspec.yaml`,
        'task-definition': `${dir}/task-definition.json`,
        'on-termination-wait': 'continue'
      }
    },
    cancelNow: d =>
      (d.traffic?.taskSetsInfo ?? []).some(t => t.taskSetLabel === 'Green' && t.trafficWeight > 0)
  },
  {
    platform: 'Lambda',
    application: 'functions',
    group: 'checkout',
    inputs: async (scenario, dir, workspace) => {
      await put(workspace, dir, { 'appspec.json': lambdaAppSpec(scenario) })
      return { appspec: `${dir}/appspec.json` }
    },
    cancelNow: d => (d.traffic?.lambdaFunctionInfo?.targetVersionWeight ?? 0) > 0,
    // The build's UpdateFunctionCode: $LATEST changes, so PublishVersion makes a new version.
    prepare: stack => {
      const fn = stack.ecsLambda.world.functions.get('checkout')
      if (fn) fn.unpublished = true
    }
  }
]

/** Each group watches one CloudWatch alarm, named after it, that the alarm scenario sets off. */
export const alarmOf = (group: string): string => `${group}-errors`
const watching = (group: string): { enabled: boolean; alarms: { name: string }[] } => ({
  enabled: true,
  alarms: [{ name: alarmOf(group) }]
})

export const CONFIG: EmulatorConfig = {
  timeScale: TIME_SCALE,
  applications: [
    {
      name: 'fleet',
      deploymentGroups: [
        {
          name: 'in-place',
          instances: 2,
          deploymentConfig: 'CodeDeployDefault.OneAtATime',
          alarmConfiguration: watching('in-place')
        },
        {
          name: 'blue-green',
          instances: 2,
          alarmConfiguration: watching('blue-green'),
          deploymentStyle: BLUE_GREEN,
          loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
          blueGreenDeploymentConfiguration: {
            deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
            terminateBlueInstancesOnDeploymentSuccess: {
              action: 'TERMINATE',
              terminationWaitTimeInMinutes: 60
            }
          }
        }
      ]
    },
    {
      name: 'containers',
      computePlatform: 'ECS',
      deploymentGroups: [
        {
          name: 'web',
          deploymentConfig: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
          ecsServices: [{ clusterName: 'prod', serviceName: 'web' }],
          deploymentStyle: BLUE_GREEN,
          alarmConfiguration: watching('web'),
          loadBalancerInfo: {
            targetGroupPairInfoList: [
              {
                targetGroups: [{ name: 'web-blue' }, { name: 'web-green' }],
                prodTrafficRoute: { listenerArns: [LISTENER] }
              }
            ]
          }
        },
        {
          name: 'held',
          deploymentConfig: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
          ecsServices: [{ clusterName: 'prod', serviceName: 'held' }],
          deploymentStyle: BLUE_GREEN,
          alarmConfiguration: watching('held'),
          blueGreenDeploymentConfiguration: {
            deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
            terminateBlueInstancesOnDeploymentSuccess: {
              action: 'TERMINATE',
              terminationWaitTimeInMinutes: 60
            }
          },
          loadBalancerInfo: {
            targetGroupPairInfoList: [
              {
                targetGroups: [{ name: 'held-blue' }, { name: 'held-green' }],
                prodTrafficRoute: { listenerArns: [LISTENER] }
              }
            ]
          }
        }
      ]
    },
    {
      name: 'functions',
      computePlatform: 'Lambda',
      deploymentGroups: [
        {
          name: 'checkout',
          deploymentConfig: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
          alarmConfiguration: watching('checkout')
        }
      ]
    }
  ],
  ecs: {
    taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1' }] }]
  },
  lambda: { functions: [{ name: 'checkout', versions: 1, aliases: { live: '1' } }] },
  hookOutcomes: { 'check-fails': 'Failed' }
}

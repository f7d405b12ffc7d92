/**
 * ECS and Lambda deployments through the action against the local stack: the AppSpec sent
 * inline, the task definition registered, the Lambda versions read and published, traffic
 * shown as it shifts, a failing hook rolled back, and the inputs that do not fit a platform
 * refused before any write.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { useTestStack } from './helpers/stack.js'

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/2'

function ecsGroup(name: string, service: string, deploymentConfig: string) {
  return {
    name,
    deploymentConfig,
    autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE' as const] },
    ecsServices: [{ clusterName: 'prod', serviceName: service }],
    deploymentStyle: {
      deploymentType: 'BLUE_GREEN' as const,
      deploymentOption: 'WITH_TRAFFIC_CONTROL' as const
    },
    loadBalancerInfo: {
      targetGroupPairInfoList: [
        {
          targetGroups: [{ name: `${service}-blue` }, { name: `${service}-green` }],
          prodTrafficRoute: { listenerArns: [LISTENER] }
        }
      ]
    }
  }
}

const world = useTestStack({
  timeScale: 1 / 150,
  groups: { fleet: 1 },
  config: {
    applications: [
      {
        name: 'containers',
        computePlatform: 'ECS',
        deploymentGroups: [
          ecsGroup('web', 'web', 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'),
          ecsGroup('api', 'api', 'CodeDeployDefault.ECSAllAtOnce')
        ]
      },
      {
        name: 'functions',
        computePlatform: 'Lambda',
        deploymentGroups: [
          { name: 'checkout', deploymentConfig: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' },
          {
            name: 'orders',
            deploymentConfig: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'
          }
        ]
      }
    ],
    ecs: {
      taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1' }] }]
    },
    lambda: {
      functions: [
        { name: 'checkout', versions: 1, aliases: { live: '1' } },
        { name: 'orders', versions: 1, aliases: { live: '1' } }
      ]
    },
    hookOutcomes: { 'check-fails': 'Failed' }
  }
})

async function file(name: string, text: string): Promise<string> {
  const dir = await world.source({})
  await writeFile(path.join(world.workspace, dir, name), text)
  return `${dir}/${name}`
}

const ecsAppSpec = (hook = 'check-passes'): string =>
  [
    'version: 0.0',
    'Resources:',
    '  - TargetService:',
    '      Type: AWS::ECS::Service',
    '      Properties:',
    '        TaskDefinition: <TASK_DEFINITION>  # filled in by the action',
    '        LoadBalancerInfo:',
    '          ContainerName: web',
    '          ContainerPort: 8080',
    'Hooks:',
    `  - AfterAllowTestTraffic: ${hook}`,
    ''
  ].join('\n')

const lambdaAppSpec = (hook = 'check-passes'): string =>
  JSON.stringify(
    {
      version: 0.0,
      Resources: [
        {
          checkout: {
            Type: 'AWS::Lambda::Function',
            Properties: { Name: 'checkout', Alias: 'live' }
          }
        }
      ],
      Hooks: [{ BeforeAllowTraffic: hook }]
    },
    null,
    2
  )

const taskDefinition = JSON.stringify({
  family: 'web',
  containerDefinitions: [{ name: 'web', image: 'web:2', portMappings: [{ containerPort: 8080 }] }],
  // As `aws ecs describe-task-definition` shows it: read-only fields the action leaves out.
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
  revision: 1,
  status: 'ACTIVE'
})

function deploy(
  application: string,
  group: string,
  inputs: Record<string, string>
): Promise<InProcessRun> {
  return runInProcess({ application, 'deployment-group': group, ...inputs }, world.env)
}

describe('ECS', () => {
  it('registers the task definition, sends the appspec inline and shows traffic shifting', async () => {
    const run = await deploy('containers', 'web', {
      appspec: await file('appspec.yaml', ecsAppSpec()),
      'task-definition': await file('task-definition.json', taskDefinition),
      // Followed to the end: when a read lands in the originals' termination wait, the default
      // (exit) would end the step there, at InProgress.
      'on-termination-wait': 'wait'
    })
    expect(run.failed).toBe(false)
    const arn = run.outputs['task-definition-arn']!
    expect(arn).toMatch(/^arn:aws:ecs:us-east-1:\d+:task-definition\/web:2$/)
    expect(run.outputs.status).toBe('Succeeded')
    expect(run.outputs['appspec-sha256']).toMatch(/^[0-9a-f]{64}$/)
    expect(run.outputs.revision).toBeUndefined()
    const sent = world.calls('CreateDeployment').at(-1)!.input.revision as {
      revisionType: string
      appSpecContent: { content: string; sha256: string }
    }
    expect(sent.revisionType).toBe('AppSpecContent')
    expect(sent.appSpecContent.content).toContain(`TaskDefinition: ${arn}`)
    expect(sent.appSpecContent.sha256).toBe(run.outputs['appspec-sha256'])
    // Traffic shown as it shifts, step by step (a 0.4 s step may fall between two reads).
    const shares = [...run.log.matchAll(/^Traffic: (\d+)% on the replacement task set/gm)].map(m =>
      Number(m[1])
    )
    expect(shares.filter(share => share > 0 && share < 100).length).toBeGreaterThanOrEqual(3)
    expect(shares).toEqual([...shares].sort((a, b) => a - b))
    expect(shares.at(-1)).toBe(100)
    // The service's events in one line, once traffic is all on the replacement.
    expect(run.log.replace(/^::debug::.*\n/gm, '')).toMatch(
      /^Traffic: 100% on the replacement task set .*\n {2}prod:web: ✓ 8 events succeeded in [\d.]+s \(BeforeInstall … AfterAllowTraffic\)$/m
    )
    expect(run.summary).toContain(`| Task definition | \`${arn}\` |`)
    expect(run.summary).toMatch(/### Targets/)
    expect(world.stack.s3.requests.filter(r => r.method === 'PUT')).toEqual([])
  })

  it('fails on a hook that fails, saying which, and follows the rollback', async () => {
    const run = await deploy('containers', 'api', {
      appspec: await file('appspec.yaml', ecsAppSpec('check-fails')),
      'task-definition': await file('task-definition.json', taskDefinition)
    })
    expect(run.failed).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.outputs.status).toBe('Failed')
    expect(run.log).toMatch(new RegExp(`::error::${id} Failed: AfterAllowTestTraffic failed on `))
  })
})

describe('Lambda', () => {
  it('reads the current version from the alias, publishes the target and shifts the canary', async () => {
    const run = await deploy('functions', 'checkout', {
      appspec: await file('appspec.json', lambdaAppSpec())
    })
    expect(run.failed).toBe(false)
    expect(run.outputs['lambda-current-version']).toBe('1')
    expect(run.outputs['lambda-target-version']).toBe('2')
    expect(run.outputs.status).toBe('Succeeded')
    expect(run.log).toMatch(/Traffic: 10% on version 2 of checkout \(alias live\)/)
    expect(run.summary).toContain('| Versions | checkout:live 1 → 2 |')
    const sent = world.calls('CreateDeployment').at(-1)!.input.revision as {
      appSpecContent: { content: string }
    }
    const content = JSON.parse(sent.appSpecContent.content) as {
      Resources: { checkout: { Properties: Record<string, unknown> } }[]
    }
    expect(content.Resources[0]!.checkout.Properties).toMatchObject({
      CurrentVersion: '1',
      TargetVersion: '2'
    })
  })
})

describe('a cancel mid-shift', () => {
  it('stops the Lambda deployment; traffic goes back and the summary says so', async () => {
    const controller = new AbortController()
    const poll = setInterval(() => {
      const shifting = [...world.stack.codedeploy.service.deployments.values()].find(
        d =>
          d.deploymentGroupName === 'orders' &&
          (d.traffic?.lambdaFunctionInfo?.targetVersionWeight ?? 0) > 0
      )
      if (shifting) controller.abort()
    }, 5)
    const orders = JSON.parse(lambdaAppSpec()) as {
      Resources: { checkout: { Properties: { Name: string } } }[]
    }
    orders.Resources[0]!.checkout.Properties.Name = 'orders'
    const run = await runInProcess(
      {
        application: 'functions',
        'deployment-group': 'orders',
        appspec: await file('appspec.json', JSON.stringify(orders)),
        'on-cancel': 'stop'
      },
      world.env,
      { signal: controller.signal }
    )
    clearInterval(poll)
    expect(controller.signal.aborted).toBe(true)
    const id = run.outputs['deployment-id']!
    expect(run.failed).toBe(true)
    expect(run.outputs.status).toBe('Stopped')
    expect(world.calls('StopDeployment', id)).toHaveLength(1)
    expect(run.summary).toMatch(new RegExp(`^## ⏹️ CodeDeploy ${id} cancelled \\(Stopped\\)`, 'm'))
    const live = world.stack.codedeploy.deployment(id)?.traffic?.lambdaFunctionInfo
    expect(live?.targetVersionWeight ?? 0).toBe(0)
  })
})

describe('inputs that do not fit the platform are refused before any write', () => {
  it('an appspec on an EC2 group, no appspec on a Lambda group, a Server config on a Lambda group', async () => {
    const creates = world.calls('CreateDeployment').length
    const onServer = await deploy('shop', 'fleet', {
      appspec: await file('appspec.json', lambdaAppSpec())
    })
    // An EC2 group takes 'appspec' as its bundle's appspec.yml, uploaded to S3.
    expect(onServer.log).toMatch(
      /deploys to EC2\/on-premises instances, which take a bundle: 'appspec' goes into it as appspec\.yml, .* Set 'bucket'/
    )
    const noAppSpec = await deploy('functions', 'checkout', { bucket: 'bundles' })
    expect(noAppSpec.log).toMatch(
      /deploys to AWS Lambda, which takes its AppSpec inline: give the AppSpec file in 'appspec'/
    )
    const wrongConfig = await deploy('functions', 'checkout', {
      appspec: await file('appspec.json', lambdaAppSpec()),
      'deployment-config': 'CodeDeployDefault.OneAtATime'
    })
    expect(wrongConfig.log).toMatch(
      /Deployment config 'CodeDeployDefault.OneAtATime' is for EC2\/on-premises, and group 'checkout' deploys to AWS Lambda/
    )
    const ecsOnLambda = await deploy('functions', 'checkout', {
      appspec: await file('appspec.yaml', ecsAppSpec())
    })
    expect(ecsOnLambda.failed).toBe(true)
    expect(ecsOnLambda.log).toMatch(/::error title=Invalid appspec,file=src-\d+\/appspec.yaml/)
    const placeholder = await deploy('containers', 'web', {
      appspec: await file('appspec.yaml', ecsAppSpec())
    })
    expect(placeholder.log).toMatch(
      /leaves TaskDefinition as the placeholder <TASK_DEFINITION>, and no 'task-definition' is given/
    )
    const notATaskDefinition = await deploy('containers', 'web', {
      appspec: await file(
        'appspec.yaml',
        ecsAppSpec().replace('TaskDefinition: <TASK_DEFINITION>', 'TaskDefinition: x')
      )
    })
    expect(notATaskDefinition.log).toMatch(
      /TaskDefinition 'x' names no task definition: give its ARN .* or family:revision/
    )
    const taskDefOnLambda = await deploy('functions', 'checkout', {
      appspec: await file('appspec.json', lambdaAppSpec()),
      'task-definition': await file('task-definition.json', taskDefinition)
    })
    expect(taskDefOnLambda.log).toMatch(/Input 'task-definition' registers an ECS task definition/)
    for (const run of [
      onServer,
      noAppSpec,
      wrongConfig,
      ecsOnLambda,
      placeholder,
      notATaskDefinition,
      taskDefOnLambda
    ])
      expect(run.failed).toBe(true)
    expect(world.calls('CreateDeployment')).toHaveLength(creates)
  })
})

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import {
  checkContentAppSpec,
  contentSha256,
  parseContentAppSpec,
  withLambdaVersions,
  withTaskDefinition,
  type ContentPlatform
} from '../src/engine/revision/appspec/index.js'
import { AppSpecError, InputError } from '../src/engine/errors.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'appspec-content-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const ECS = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>
        LoadBalancerInfo:
          ContainerName: web
          ContainerPort: 80
Hooks:
  - BeforeInstall: check-before
`

const LAMBDA = `version: 0.0
Resources:
  - myFunction:
      Type: AWS::Lambda::Function
      Properties:
        Name: my-fn
        Alias: live
        CurrentVersion: 1
        TargetVersion: 2
Hooks:
  - BeforeAllowTraffic: pre-traffic
`

const LAMBDA_JSON = `{
  "version": 0.0,
  "Resources": [
    {
      "myFunction": {
        "Type": "AWS::Lambda::Function",
        "Properties": { "Name": "my-fn", "Alias": "live" }
      }
    }
  ]
}
`

/** `base` with `from` replaced by `to`; fails when `from` is not in it (a stale fixture). */
function variant(base: string, from: string, to: string): string {
  if (!base.includes(from)) throw new Error(`fixture does not contain ${from}`)
  return base.replace(from, to)
}

/** 1-based line and column of the first occurrence of `needle` (plus `shift` characters). */
function positionOf(text: string, needle: string, shift = 0): { line: number; column: number } {
  const at = text.indexOf(needle)
  if (at < 0) throw new Error(`fixture does not contain ${needle}`)
  const before = text.slice(0, at + shift).split('\n')
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 }
}

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, text)
  return file
}

async function failure(
  text: string,
  platform: ContentPlatform,
  name: string
): Promise<{ error: AppSpecError; file: string }> {
  const file = await write(name, text)
  try {
    await checkContentAppSpec(file, platform)
  } catch (error) {
    expect(error).toBeInstanceOf(AppSpecError)
    return { error: error as AppSpecError, file }
  }
  throw new Error('checkContentAppSpec accepted the appspec')
}

interface ErrorCase {
  title: string
  platform: ContentPlatform
  text: string
  /** Where the error points: the first occurrence of the text, plus an optional shift. */
  at: string | [string, number]
  parts: (string | RegExp)[]
  /** The file's name; appspec.yaml unless given. */
  name?: string
}

const ecs = (from: string, to: string): string => variant(ECS, from, to)
const lambda = (from: string, to: string): string => variant(LAMBDA, from, to)
const ecsProps = (extra: string): string =>
  ecs('          ContainerPort: 80\n', `          ContainerPort: 80\n${extra}`)

const cases: ErrorCase[] = [
  // The top level
  {
    title: 'an empty file',
    platform: 'ECS',
    text: '# nothing yet\n',
    at: '#',
    parts: [/the file is empty.*'version: 0.0'.*TargetService/]
  },
  {
    title: 'a top level that is a list',
    platform: 'Lambda',
    text: '- version: 0.0\n',
    at: '-',
    parts: [/top level must be a mapping.*not a list/]
  },
  {
    title: 'an EC2/on-premises appspec given for ECS',
    platform: 'ECS',
    text: 'version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv\n',
    at: 'os:',
    parts: [
      /'os' belongs to an EC2\/on-premises appspec.*compute platform is ECS.*an ECS AppSpec.*'source'/
    ]
  },
  {
    title: 'an EC2/on-premises appspec given for Lambda',
    platform: 'Lambda',
    text: 'version: 0.0\nfiles:\n  - source: /\n    destination: /srv\n',
    at: 'files',
    parts: [/EC2\/on-premises appspec.*compute platform is Lambda.*a Lambda AppSpec/]
  },
  {
    title: 'a misspelt top-level key',
    platform: 'ECS',
    text: ecs('Hooks:', 'Hoks:'),
    at: 'Hoks:',
    parts: [
      /unknown key 'Hoks' at the top level\. Did you mean 'Hooks'\?.*version, Resources, Hooks/
    ]
  },
  {
    title: 'one key written twice in different case',
    platform: 'Lambda',
    text: lambda('        Alias: live\n', '        Alias: live\n        alias: beta\n'),
    at: 'alias: beta',
    parts: [
      /'alias' and 'Alias' in Properties are the same key to CodeDeploy, which reads AppSpec keys regardless of case\. Keep one/
    ]
  },
  {
    title: 'a lifecycle event in other capitals',
    platform: 'Lambda',
    text: lambda('- BeforeAllowTraffic:', '- beforeAllowTraffic:'),
    at: 'beforeAllowTraffic',
    parts: [
      /lifecycle event 'beforeAllowTraffic' is written with other capitals than CodeDeploy's 'BeforeAllowTraffic'\. Write it as CodeDeploy spells it: - BeforeAllowTraffic:/
    ]
  },
  {
    title: 'no version',
    platform: 'ECS',
    text: ecs('version: 0.0\n', ''),
    at: 'Resources',
    parts: [/'version' is missing.*'version: 0.0'/]
  },
  {
    title: 'a version other than 0.0',
    platform: 'Lambda',
    text: lambda('version: 0.0', 'version: 1.0'),
    at: '1.0',
    parts: [/version is '1.0'.*only version 0.0.*Set 'version: 0.0'/]
  },
  {
    title: 'no Resources',
    platform: 'Lambda',
    text: 'version: 0.0\nHooks: []\n',
    at: 'version',
    parts: [/'Resources' is missing.*Type: AWS::Lambda::Function/]
  },
  {
    title: 'Resources written as a mapping',
    platform: 'ECS',
    text: ecs('  - TargetService:', '  TargetService:').replace(/\n {6}/g, '\n    '),
    at: 'TargetService',
    parts: [/'Resources' must be a list of exactly one resource/]
  },
  {
    title: 'an empty Resources list',
    platform: 'ECS',
    text: 'version: 0.0\nResources: []\n',
    at: '[]',
    parts: [/'Resources' is empty.*TargetService/]
  },
  {
    title: 'two resources',
    platform: 'Lambda',
    text: lambda('Hooks:', '  - other:\n      Type: AWS::Lambda::Function\nHooks:'),
    at: 'other',
    parts: [/'Resources' has 2 entries.*exactly one AWS::Lambda::Function.*own deployment groups/]
  },
  {
    title: 'a resource without a name',
    platform: 'ECS',
    text: 'version: 0.0\nResources:\n  - Type: AWS::ECS::Service\n    Properties: {}\n',
    at: 'Type',
    parts: [/has no name.*'- TargetService:'/]
  },
  {
    title: 'a resource with two names',
    platform: 'Lambda',
    text: lambda('Hooks:', '    other: {}\nHooks:'),
    at: 'other',
    parts: [/exactly one name/]
  },
  {
    title: 'a resource without Type',
    platform: 'ECS',
    text: ecs('      Type: AWS::ECS::Service\n', ''),
    at: 'TargetService',
    parts: [/'Type' is missing.*'Type: AWS::ECS::Service'/]
  },
  {
    title: 'a Lambda appspec given for an ECS group',
    platform: 'ECS',
    text: LAMBDA,
    at: 'AWS::Lambda::Function',
    parts: [
      /deploys a Lambda function.*compute platform is ECS.*an ECS AppSpec \(Type: AWS::ECS::Service\).*a Lambda deployment group/
    ]
  },
  {
    title: 'an ECS appspec given for a Lambda group',
    platform: 'Lambda',
    text: ECS,
    at: 'AWS::ECS::Service',
    parts: [
      /deploys an ECS service.*compute platform is Lambda.*a Lambda AppSpec.*an ECS deployment group/
    ]
  },
  {
    title: 'a misspelt Type',
    platform: 'ECS',
    text: ecs('AWS::ECS::Service', 'AWS::ECS::Servce'),
    at: 'AWS::ECS::Servce',
    parts: [/Type 'AWS::ECS::Servce'.*Did you mean 'AWS::ECS::Service'\?/]
  },
  {
    title: 'a resource without Properties',
    platform: 'Lambda',
    text: 'version: 0.0\nResources:\n  - myFunction:\n      Type: AWS::Lambda::Function\n',
    at: 'myFunction',
    parts: [/'Properties' is missing.*Name and Alias/]
  },
  {
    title: 'a misspelt Properties',
    platform: 'ECS',
    text: ecs('Properties', 'Propertes'),
    at: 'Propertes',
    parts: [/unknown key 'Propertes'.*Did you mean 'Properties'\?/]
  },
  // ECS properties
  {
    title: 'no TaskDefinition',
    platform: 'ECS',
    text: ecs('        TaskDefinition: <TASK_DEFINITION>\n', ''),
    at: 'Properties',
    parts: [/'TaskDefinition' is missing.*<TASK_DEFINITION>.*'task-definition'/]
  },
  {
    title: 'an empty TaskDefinition',
    platform: 'ECS',
    text: ecs('<TASK_DEFINITION>', '""'),
    at: '""',
    parts: [/'TaskDefinition' needs the task definition ARN/]
  },
  {
    title: 'a misspelt ECS property',
    platform: 'ECS',
    text: ecs('TaskDefinition:', 'TaskDefinitionArn:'),
    at: 'TaskDefinitionArn',
    parts: [/unknown key 'TaskDefinitionArn'.*Did you mean 'TaskDefinition'\?/]
  },
  {
    title: 'no LoadBalancerInfo',
    platform: 'ECS',
    text: ecs(
      '        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 80\n',
      ''
    ),
    at: 'Properties',
    parts: [/'LoadBalancerInfo' is missing.*ContainerName and ContainerPort/]
  },
  {
    title: 'no ContainerName',
    platform: 'ECS',
    text: ecs('          ContainerName: web\n', ''),
    at: 'LoadBalancerInfo',
    parts: [/'ContainerName' is missing/]
  },
  {
    title: 'a quoted ContainerPort',
    platform: 'ECS',
    text: ecs('ContainerPort: 80', 'ContainerPort: "80"'),
    at: '"80"',
    parts: [/ContainerPort is the string '80'.*Remove the quotes: ContainerPort: 80/]
  },
  {
    title: 'a ContainerPort out of range',
    platform: 'ECS',
    text: ecs('ContainerPort: 80', 'ContainerPort: 70000'),
    at: '70000',
    parts: [/ContainerPort '70000' is not a whole number from 1 to 65535/]
  },
  {
    title: 'a PlatformVersion read as a number',
    platform: 'ECS',
    text: ecsProps('        PlatformVersion: 1.4\n'),
    at: '1.4',
    parts: [/PlatformVersion 1.4 is read as a number.*"1.4"/]
  },
  {
    title: 'no Subnets',
    platform: 'ECS',
    text: ecsProps(
      '        NetworkConfiguration:\n          AwsvpcConfiguration:\n            AssignPublicIp: ENABLED\n'
    ),
    at: 'AwsvpcConfiguration',
    parts: [/'Subnets' is missing/]
  },
  {
    title: 'empty Subnets',
    platform: 'ECS',
    text: ecsProps(
      '        NetworkConfiguration:\n          AwsvpcConfiguration:\n            Subnets: []\n'
    ),
    at: '[]',
    parts: [/'Subnets' is empty.*subnet-/]
  },
  {
    title: 'too many SecurityGroups',
    platform: 'ECS',
    text: ecsProps(
      '        NetworkConfiguration:\n          AwsvpcConfiguration:\n            Subnets: [subnet-1]\n            SecurityGroups: [sg-1, sg-2, sg-3, sg-4, sg-5, sg-6]\n'
    ),
    at: '[sg-1',
    parts: [/'SecurityGroups' lists 6 IDs.*at most 5/]
  },
  {
    title: 'AssignPublicIp in lower case',
    platform: 'ECS',
    text: ecsProps(
      '        NetworkConfiguration:\n          AwsvpcConfiguration:\n            Subnets: [subnet-1]\n            AssignPublicIp: enabled\n'
    ),
    at: 'enabled',
    parts: [/AssignPublicIp 'enabled'.*capitals: AssignPublicIp: ENABLED/]
  },
  {
    title: 'a capacity provider entry without CapacityProvider',
    platform: 'ECS',
    text: ecsProps(
      '        CapacityProviderStrategy:\n          - Base: 1\n            Weight: 1\n'
    ),
    at: 'Base',
    parts: [/'CapacityProvider' is missing.*FARGATE/]
  },
  {
    title: 'a capacity provider Weight out of range',
    platform: 'ECS',
    text: ecsProps(
      '        CapacityProviderStrategy:\n          - CapacityProvider: FARGATE\n            Weight: 2000\n'
    ),
    at: '2000',
    parts: [/Weight '2000' is not a whole number from 0 to 1000/]
  },
  // Lambda properties
  {
    title: 'no Name',
    platform: 'Lambda',
    text: lambda('        Name: my-fn\n', ''),
    at: 'Properties',
    parts: [/'Name' is missing.*function to deploy/]
  },
  {
    title: 'no Alias',
    platform: 'Lambda',
    text: lambda('        Alias: live\n', ''),
    at: 'Properties',
    parts: [/'Alias' is missing.*alias whose traffic/]
  },
  {
    title: 'a misspelt Lambda property',
    platform: 'Lambda',
    text: lambda('TargetVersion', 'TargetVerison'),
    at: 'TargetVerison',
    parts: [/unknown key 'TargetVerison'.*Did you mean 'TargetVersion'\?/]
  },
  {
    title: 'CurrentVersion $LATEST',
    platform: 'Lambda',
    text: lambda('CurrentVersion: 1', 'CurrentVersion: $LATEST'),
    at: '$LATEST',
    parts: [/CurrentVersion is \$LATEST.*published versions.*read it from the alias/]
  },
  {
    title: 'a TargetVersion that is not a version number',
    platform: 'Lambda',
    text: lambda('TargetVersion: 2', 'TargetVersion: 1.5'),
    at: '1.5',
    parts: [/TargetVersion '1.5' is not a published version number.*publish a new version/]
  },
  {
    title: 'equal versions',
    platform: 'Lambda',
    text: lambda('TargetVersion: 2', 'TargetVersion: "1"'),
    at: '"1"',
    parts: [/CurrentVersion and TargetVersion are both 1.*no traffic to shift/]
  },
  // Hooks
  {
    title: 'Hooks written as a mapping',
    platform: 'ECS',
    text: ecs('  - BeforeInstall', '  BeforeInstall'),
    at: ['  BeforeInstall', 2],
    parts: [/'Hooks' must be a list.*'- BeforeInstall: <function name or ARN>'/]
  },
  {
    title: 'two events in one Hooks item',
    platform: 'ECS',
    text: ecs('check-before\n', 'check-before\n    AfterInstall: check-after\n'),
    at: 'BeforeInstall',
    parts: [/each Hooks item names one lifecycle event and one Lambda function/]
  },
  {
    title: 'an ECS event in a Lambda appspec',
    platform: 'Lambda',
    text: lambda('BeforeAllowTraffic', 'AfterInstall'),
    at: 'AfterInstall',
    parts: [/'AfterInstall' is an ECS lifecycle event.*BeforeAllowTraffic, AfterAllowTraffic/]
  },
  {
    title: 'an EC2/on-premises event in an ECS appspec',
    platform: 'ECS',
    text: ecs('BeforeInstall', 'ValidateService'),
    at: 'ValidateService',
    parts: [/'ValidateService' is an EC2\/on-premises lifecycle event.*AfterAllowTestTraffic/]
  },
  {
    title: 'a misspelt event',
    platform: 'ECS',
    text: ecs('BeforeInstall', 'AfterAllowTestTrafic'),
    at: 'AfterAllowTestTrafic',
    parts: [
      /unknown lifecycle event 'AfterAllowTestTrafic'\. Did you mean 'AfterAllowTestTraffic'\?/
    ]
  },
  {
    title: 'the AWS SAM name of a hook',
    platform: 'Lambda',
    text: lambda('BeforeAllowTraffic', 'PreTraffic'),
    at: 'PreTraffic',
    parts: [/AWS SAM name.*'BeforeAllowTraffic'/]
  },
  {
    title: 'an event listed twice',
    platform: 'ECS',
    text: ecs('check-before\n', 'check-before\n  - BeforeInstall: again\n'),
    at: ['  - BeforeInstall: again', 4],
    parts: [/hook 'BeforeInstall' is listed twice.*Keep one/]
  },
  {
    title: 'a hook given scripts, as on EC2',
    platform: 'ECS',
    text: ecs('BeforeInstall: check-before', 'BeforeInstall:\n      - location: scripts/a.sh'),
    at: '- location',
    parts: [/hook 'BeforeInstall' must name one Lambda function/]
  },
  // JSON
  {
    title: 'a repeated key in JSON',
    platform: 'Lambda',
    name: 'appspec.json',
    text: variant(LAMBDA_JSON, '"Alias": "live"', '"Alias": "live", "Alias": "prod"'),
    at: '"Alias": "prod"',
    parts: [/key 'Alias' appears twice/]
  },
  {
    title: 'a trailing comma in a .json file',
    platform: 'Lambda',
    name: 'appspec.json',
    text: variant(LAMBDA_JSON, '"Alias": "live" }', '"Alias": "live", }'),
    at: ['"live", }', 8],
    parts: [/not valid JSON.*double quotes.*trailing commas.*YAML/]
  },
  {
    title: 'a JSON syntax error',
    platform: 'Lambda',
    name: 'appspec.json',
    text: variant(LAMBDA_JSON, '"Name": "my-fn",', '"Name": "my-fn"'),
    at: '"Alias"',
    parts: [
      /not valid JSON \(Expected ',' or '}' after property value\).*separate items with commas/
    ]
  },
  {
    title: 'a Lambda JSON appspec given for an ECS group',
    platform: 'ECS',
    name: 'appspec.json',
    text: LAMBDA_JSON,
    at: '"AWS::Lambda::Function"',
    parts: [/deploys a Lambda function.*compute platform is ECS/]
  },
  {
    title: 'a ContainerPort string in JSON',
    platform: 'ECS',
    name: 'appspec.json',
    text: JSON.stringify(
      {
        version: 0.0,
        Resources: [
          {
            TargetService: {
              Type: 'AWS::ECS::Service',
              Properties: {
                TaskDefinition: '<TASK_DEFINITION>',
                LoadBalancerInfo: { ContainerName: 'web', ContainerPort: '8080' }
              }
            }
          }
        ]
      },
      null,
      2
    ),
    at: '"8080"',
    parts: [/ContainerPort is the string '8080'/]
  }
]

describe('refusing an ECS or Lambda AppSpec', () => {
  it.each(cases)('points at $title', async ({ text, platform, at, parts, name }) => {
    const { error, file } = await failure(text, platform, name ?? 'appspec.yaml')
    const [needle, shift] = typeof at === 'string' ? [at, 0] : at
    const { line, column } = positionOf(text, needle, shift)
    expect({ line: error.line, column: error.column }).toEqual({ line, column })
    expect(error.file).toBe(file)
    expect(error.message.startsWith(`${file}:${line}:${column}: `)).toBe(true)
    for (const part of parts) expect(error.message).toMatch(part)
  })
})

describe('finding the file', () => {
  it('says when the file does not exist', async () => {
    const missing = path.join(dir, 'deploy', 'appspec.yaml')
    await expect(checkContentAppSpec(missing, 'ECS')).rejects.toThrow(InputError)
    await expect(checkContentAppSpec(missing, 'ECS')).rejects.toThrow(
      /AppSpec file '.*deploy\/appspec.yaml' does not exist\. Set 'appspec' to the path of the ECS AppSpec/
    )
  })

  it('refuses a directory', async () => {
    await expect(checkContentAppSpec(dir, 'Lambda')).rejects.toThrow(
      /is a directory, not a file\. Set 'appspec' to the path of the Lambda AppSpec/
    )
  })

  it('names the file relative to the working directory when it is inside it', async () => {
    await write('deploy/appspec.yaml', lambda('Alias: live', 'Alias: ""'))
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      await expect(checkContentAppSpec('deploy/appspec.yaml', 'Lambda')).rejects.toThrow(
        /^deploy\/appspec\.yaml:7:16: 'Alias' needs/
      )
    } finally {
      process.chdir(cwd)
    }
  })

  it('gives JSON advice even when JSON.parse says not where', async () => {
    const text = variant(LAMBDA_JSON, '"Alias": "live" }', '"Alias": "live", "x": [1,] }')
    const { error } = await failure(text, 'Lambda', 'appspec.json')
    expect(error.message).toMatch(
      /: the file is not valid JSON \(Unexpected token ']'\)\. Quote every key/
    )
    expect(error.line).toBeUndefined()
  })
})

describe('accepting an ECS AppSpec', () => {
  const full = `version: 0.0
# Deployed by the action; TaskDefinition is filled in from 'task-definition'.
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:12"
        LoadBalancerInfo:
          ContainerName: "web"
          ContainerPort: 8080
        PlatformVersion: "LATEST"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: ["subnet-1234abcd", "subnet-5678abcd"]
            SecurityGroups: ["sg-12345678"]
            AssignPublicIp: "DISABLED"
        CapacityProviderStrategy:
          - Base: 1
            CapacityProvider: "FARGATE_SPOT"
            Weight: 2
          - Base: 0
            CapacityProvider: "FARGATE"
            Weight: 1
Hooks:
  - BeforeInstall: "before-install"
  - AfterInstall: "after-install"
  - AfterAllowTestTraffic: "arn:aws:lambda:us-east-1:111122223333:function:test-traffic"
  - BeforeAllowTraffic: "before-allow"
  - AfterAllowTraffic: "after-allow"
`

  it('reads every section of a YAML file', async () => {
    const file = await write('appspec.yaml', full)
    const spec = await checkContentAppSpec(file, 'ECS')
    expect(spec).toEqual({
      platform: 'ECS',
      path: file,
      format: 'yaml',
      content: full,
      ecs: {
        taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:12',
        containerName: 'web',
        containerPort: 8080,
        platformVersion: 'LATEST'
      },
      hooks: [
        { event: 'BeforeInstall', functionName: 'before-install' },
        { event: 'AfterInstall', functionName: 'after-install' },
        {
          event: 'AfterAllowTestTraffic',
          functionName: 'arn:aws:lambda:us-east-1:111122223333:function:test-traffic'
        },
        { event: 'BeforeAllowTraffic', functionName: 'before-allow' },
        { event: 'AfterAllowTraffic', functionName: 'after-allow' }
      ],
      warnings: []
    })
  })

  it('reads the same AppSpec written as JSON', async () => {
    const json = JSON.stringify(parse(full), null, 2)
    const file = await write('appspec.json', json)
    const spec = await checkContentAppSpec(file, 'ECS')
    expect(spec.format).toBe('json')
    expect(spec.content).toBe(json)
    expect(spec.ecs?.containerPort).toBe(8080)
    expect(spec.hooks.map(h => h.event)).toEqual([
      'BeforeInstall',
      'AfterInstall',
      'AfterAllowTestTraffic',
      'BeforeAllowTraffic',
      'AfterAllowTraffic'
    ])
  })

  it('tells JSON from YAML by the content when the name does not say', async () => {
    const json = await checkContentAppSpec(await write('appspec', ` ${LAMBDA_JSON}`), 'Lambda')
    expect(json.format).toBe('json')
    const yaml = await checkContentAppSpec(await write('appspec.txt', LAMBDA), 'Lambda')
    expect(yaml.format).toBe('yaml')
  })

  it("takes any name for the service, as the name is the user's choice", async () => {
    const spec = await checked('appspec.yaml', ecs('TargetService', 'WebService'), 'ECS')
    expect(spec.ecs?.containerName).toBe('web')
    expect(spec.warnings).toEqual([])
  })

  it('reads keys in any case, as CodeDeploy does', async () => {
    const text = `version: 0.0
resources:
  - web:
      type: AWS::ECS::Service
      properties:
        taskdefinition: <TASK_DEFINITION>
        loadbalancerinfo:
          containername: web
          containerport: 80
        networkConfiguration:
          awsVpcConfiguration:
            subnets: [subnet-1234abcd]
            assignPublicIp: ENABLED
hooks:
  - AfterAllowTestTraffic: check
`
    const spec = await checked('appspec.yaml', text, 'ECS')
    expect(spec.ecs).toEqual({
      taskDefinition: '<TASK_DEFINITION>',
      containerName: 'web',
      containerPort: 80
    })
    expect(spec.hooks).toEqual([{ event: 'AfterAllowTestTraffic', functionName: 'check' }])
    expect(withTaskDefinition(spec, ARN)).toBe(text.replace('<TASK_DEFINITION>', ARN))
  })

  it('warns when awsvpc settings are given in part, as the reference asks for all or none', async () => {
    const text = ecs(
      '          ContainerPort: 80\n',
      '          ContainerPort: 80\n        NetworkConfiguration:\n          AwsvpcConfiguration:\n            Subnets: [subnet-1]\n'
    )
    const spec = await checked('appspec.yaml', text, 'ECS')
    expect(spec.warnings).toEqual([
      expect.stringMatching(
        /AwsvpcConfiguration has no SecurityGroups or AssignPublicIp\. The AppSpec reference asks for all of Subnets, SecurityGroups and AssignPublicIp or none .*; give SecurityGroups and AssignPublicIp too\.$/
      )
    ])
  })

  it('accepts a placeholder TaskDefinition and no hooks without a warning', async () => {
    const file = await write('appspec.yml', ECS.replace(/Hooks:\n.*\n/, ''))
    const spec = await checkContentAppSpec(file, 'ECS')
    expect(spec.ecs?.taskDefinition).toBe('<TASK_DEFINITION>')
    expect(spec.hooks).toEqual([])
    expect(spec.warnings).toEqual([])
  })

  it('warns about a TaskDefinition that is neither an ARN nor a placeholder', async () => {
    const file = await write('appspec.yaml', ecs('<TASK_DEFINITION>', 'web:12'))
    const spec = await checkContentAppSpec(file, 'ECS')
    expect(spec.warnings).toEqual([
      expect.stringMatching(
        /TaskDefinition 'web:12' is neither a task definition ARN \(arn:aws:ecs:.*\) nor a placeholder/
      )
    ])
  })
})

describe('accepting a Lambda AppSpec', () => {
  it('reads a YAML file and gives versions as digits', async () => {
    const file = await write('appspec.yaml', LAMBDA)
    const spec = await checkContentAppSpec(file, 'Lambda')
    expect(spec).toEqual({
      platform: 'Lambda',
      path: file,
      format: 'yaml',
      content: LAMBDA,
      lambda: { name: 'my-fn', alias: 'live', currentVersion: '1', targetVersion: '2' },
      hooks: [{ event: 'BeforeAllowTraffic', functionName: 'pre-traffic' }],
      warnings: []
    })
  })

  it('takes versions written as strings the same as numbers', async () => {
    const text = lambda('CurrentVersion: 1', 'CurrentVersion: "7"').replace(
      'TargetVersion: 2',
      "TargetVersion: '12'"
    )
    const spec = await checkContentAppSpec(await write('appspec.yaml', text), 'Lambda')
    expect(spec.lambda).toMatchObject({ currentVersion: '7', targetVersion: '12' })
  })

  it('leaves out the versions the file leaves out', async () => {
    const file = await write('appspec.json', LAMBDA_JSON)
    const spec = await checkContentAppSpec(file, 'Lambda')
    expect(spec.format).toBe('json')
    expect(spec.lambda).toEqual({ name: 'my-fn', alias: 'live' })
    expect(spec.hooks).toEqual([])
  })

  it('accepts version given as the string "0.0", and both hooks, in JSON', async () => {
    const text = JSON.stringify({
      version: '0.0',
      Resources: [
        {
          fn: {
            Type: 'AWS::Lambda::Function',
            Properties: { Name: 'f', Alias: 'live', CurrentVersion: '3', TargetVersion: 4 }
          }
        }
      ],
      Hooks: [{ BeforeAllowTraffic: 'pre' }, { AfterAllowTraffic: 'post' }]
    })
    const spec = await checkContentAppSpec(await write('appspec.json', text), 'Lambda')
    expect(spec.lambda).toEqual({
      name: 'f',
      alias: 'live',
      currentVersion: '3',
      targetVersion: '4'
    })
    expect(spec.hooks).toEqual([
      { event: 'BeforeAllowTraffic', functionName: 'pre' },
      { event: 'AfterAllowTraffic', functionName: 'post' }
    ])
  })
})

const ARN = 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:7'

async function checked(name: string, text: string, platform: ContentPlatform) {
  return checkContentAppSpec(await write(name, text), platform)
}

describe('replacing the TaskDefinition', () => {
  it('changes only the value in YAML, keeping comments and layout', async () => {
    const text = `# Release appspec
version: 0.0
Resources:
  - TargetService:   # the one service
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>  # filled in by the action
        LoadBalancerInfo: { ContainerName: web, ContainerPort: 80 }
`
    const spec = await checked('appspec.yaml', text, 'ECS')
    expect(withTaskDefinition(spec, ARN)).toBe(text.replace('<TASK_DEFINITION>', ARN))
  })

  it('keeps the quotes the value was written with', async () => {
    const double = await checked('a.yaml', ecs('<TASK_DEFINITION>', '"<TD>"'), 'ECS')
    expect(withTaskDefinition(double, ARN)).toBe(ecs('<TASK_DEFINITION>', `"${ARN}"`))
    const single = await checked('b.yaml', ecs('<TASK_DEFINITION>', "'<TD>'"), 'ECS')
    expect(withTaskDefinition(single, ARN)).toBe(ecs('<TASK_DEFINITION>', `'${ARN}'`))
  })

  it('quotes a value YAML would read differently when written bare', async () => {
    const spec = await checked('appspec.yaml', ECS, 'ECS')
    const odd = '@web:7'
    const text = withTaskDefinition(spec, odd)
    expect(text).toBe(ecs('<TASK_DEFINITION>', '"@web:7"'))
    expect(parseContentAppSpec(text, spec.path, 'ECS').ecs?.taskDefinition).toBe(odd)
  })

  it('keeps JSON valid and changes nothing else', async () => {
    const json = `{
  "version": 0.0,
  "Resources": [
    {
      "TargetService": {
        "Type": "AWS::ECS::Service",
        "Properties": {
          "TaskDefinition": "<TASK_DEFINITION>",
          "LoadBalancerInfo": { "ContainerName": "web", "ContainerPort": 80 }
        }
      }
    }
  ]
}
`
    const spec = await checked('appspec.json', json, 'ECS')
    const text = withTaskDefinition(spec, ARN)
    expect(text).toBe(json.replace('<TASK_DEFINITION>', ARN))
    const parsed = JSON.parse(text) as {
      Resources: { TargetService: { Properties: { TaskDefinition: string } } }[]
    }
    expect(parsed.Resources[0]?.TargetService.Properties.TaskDefinition).toBe(ARN)
  })

  it('refuses a Lambda AppSpec', async () => {
    const spec = await checked('appspec.yaml', LAMBDA, 'Lambda')
    expect(() => withTaskDefinition(spec, ARN)).toThrow(
      /Lambda AppSpec; only an ECS AppSpec has a TaskDefinition/
    )
  })
})

describe('setting the Lambda versions', () => {
  const versions = { currentVersion: '3', targetVersion: '4' }

  it('replaces versions in YAML the way they were written', async () => {
    const text = lambda('TargetVersion: 2', "TargetVersion: '2' # next")
    const spec = await checked('appspec.yaml', text, 'Lambda')
    expect(withLambdaVersions(spec, versions)).toBe(
      lambda('CurrentVersion: 1', 'CurrentVersion: 3').replace(
        'TargetVersion: 2',
        "TargetVersion: '4' # next"
      )
    )
  })

  it("reads and sets the versions of the reference's lower-case layout", async () => {
    // As the AppSpec reference writes the Lambda resource: every key in lower case.
    const text = `version: 0.0
resources:
  - myFunction:
      type: AWS::Lambda::Function
      properties:
        name: my-fn
        alias: live
        currentversion: 1
hooks:
  - BeforeAllowTraffic: pre-traffic
`
    const spec = await checked('appspec.yaml', text, 'Lambda')
    expect(spec.lambda).toEqual({ name: 'my-fn', alias: 'live', currentVersion: '1' })
    expect(withLambdaVersions(spec, versions)).toBe(
      text.replace('currentversion: 1\n', 'currentversion: 3\n        targetversion: "4"\n')
    )
  })

  it('adds missing versions in YAML after the last property, indented alike', async () => {
    const text = lambda('        CurrentVersion: 1\n        TargetVersion: 2\n', '').replace(
      'Alias: live',
      'Alias: live   # production traffic'
    )
    const spec = await checked('appspec.yaml', text, 'Lambda')
    const result = withLambdaVersions(spec, versions)
    expect(result).toBe(
      text.replace(
        'Alias: live   # production traffic\n',
        'Alias: live   # production traffic\n        CurrentVersion: "3"\n        TargetVersion: "4"\n'
      )
    )
    expect(parseContentAppSpec(result, spec.path, 'Lambda').lambda).toEqual({
      name: 'my-fn',
      alias: 'live',
      ...versions
    })
  })

  it('adds a version at the end of a file without a final newline, keeping CRLF', async () => {
    const text =
      'version: 0.0\r\nResources:\r\n  - fn:\r\n      Type: AWS::Lambda::Function\r\n      Properties:\r\n        Name: f\r\n        Alias: live\r\n        CurrentVersion: 1'
    const spec = await checked('appspec.yml', text, 'Lambda')
    expect(withLambdaVersions(spec, versions)).toBe(
      text.replace('CurrentVersion: 1', 'CurrentVersion: 3\r\n        TargetVersion: "4"')
    )
  })

  it('adds missing versions to a one-line JSON mapping', async () => {
    const spec = await checked('appspec.json', LAMBDA_JSON, 'Lambda')
    const text = withLambdaVersions(spec, versions)
    expect(text).toBe(
      LAMBDA_JSON.replace(
        '"Alias": "live" }',
        '"Alias": "live", "CurrentVersion": "3", "TargetVersion": "4" }'
      )
    )
    expect(JSON.parse(text)).toBeTruthy()
  })

  it('sets one and adds the other in multi-line JSON, indented alike', async () => {
    const json = JSON.stringify(
      {
        version: 0.0,
        Resources: [
          {
            fn: {
              Type: 'AWS::Lambda::Function',
              Properties: { Name: 'f', Alias: 'live', CurrentVersion: '1' }
            }
          }
        ]
      },
      null,
      2
    )
    const spec = await checked('appspec.json', json, 'Lambda')
    const text = withLambdaVersions(spec, versions)
    expect(text).toBe(
      json.replace(
        '"CurrentVersion": "1"',
        '"CurrentVersion": "3",\n          "TargetVersion": "4"'
      )
    )
    expect(JSON.parse(text)).toEqual({
      version: 0,
      Resources: [
        {
          fn: {
            Type: 'AWS::Lambda::Function',
            Properties: { Name: 'f', Alias: 'live', CurrentVersion: '3', TargetVersion: '4' }
          }
        }
      ]
    })
  })

  it('refuses a version that is not published', async () => {
    const spec = await checked('appspec.yaml', LAMBDA, 'Lambda')
    expect(() =>
      withLambdaVersions(spec, { currentVersion: '$LATEST', targetVersion: '4' })
    ).toThrow(InputError)
    expect(() =>
      withLambdaVersions(spec, { currentVersion: '$LATEST', targetVersion: '4' })
    ).toThrow(/currentVersion '\$LATEST' is not a published version number/)
  })

  it('refuses the same version twice: nothing to shift', async () => {
    const spec = await checked('appspec.yaml', LAMBDA, 'Lambda')
    expect(() => withLambdaVersions(spec, { currentVersion: '4', targetVersion: '4' })).toThrow(
      /both 4, so there is no traffic to shift/
    )
  })

  it('refuses an ECS AppSpec', async () => {
    const spec = await checked('appspec.yaml', ECS, 'ECS')
    expect(() => withLambdaVersions(spec, versions)).toThrow(/only a Lambda AppSpec has versions/)
  })
})

describe('the sha256 sent with the content', () => {
  it('is the SHA-256 of the UTF-8 text, in hex', () => {
    expect(contentSha256('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    )
  })

  it('matches the bytes of the file exactly as read, line endings and all', async () => {
    const text = LAMBDA.replace('my-fn', 'fünf').replace(/\n/g, '\r\n')
    const file = await write('appspec.yaml', text)
    const spec = await checkContentAppSpec(file, 'Lambda')
    expect(spec.content).toBe(text)
    const bytes = await readFile(file)
    expect(contentSha256(spec.content)).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('changes with the edited content', async () => {
    const spec = await checked('appspec.yaml', ECS, 'ECS')
    const edited = withTaskDefinition(spec, ARN)
    expect(contentSha256(edited)).not.toBe(contentSha256(spec.content))
    expect(contentSha256(edited)).toBe(createHash('sha256').update(edited).digest('hex'))
  })
})

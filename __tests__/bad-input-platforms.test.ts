/**
 * The bad-input table for ECS and Lambda deployment groups: the inputs that do not fit the
 * group's platform, the AppSpec's content and the task definition, each refused with the fix
 * before anything is written (no task definition registered, no version published).
 */
import { describe } from '@jest/globals'
import { GOOD_APPSPEC, badInputCases, tree, withInputs, type Case } from './helpers/bad-input.js'
import { useTestStack } from './helpers/stack.js'

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/2'

const t = useTestStack({
  groups: { staging: 1, prod: 1 },
  stepDelayMs: 0,
  config: {
    applications: [
      {
        name: 'containers',
        computePlatform: 'ECS',
        deploymentGroups: [
          {
            name: 'web',
            deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce',
            ecsServices: [{ clusterName: 'prod', serviceName: 'web' }],
            deploymentStyle: {
              deploymentType: 'BLUE_GREEN',
              deploymentOption: 'WITH_TRAFFIC_CONTROL'
            },
            loadBalancerInfo: {
              targetGroupPairInfoList: [
                {
                  targetGroups: [{ name: 'web-blue' }, { name: 'web-green' }],
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
          { name: 'checkout', deploymentConfig: 'CodeDeployDefault.LambdaAllAtOnce' }
        ]
      }
    ],
    ecs: {
      taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1' }] }]
    },
    lambda: { functions: [{ name: 'checkout', versions: 1, aliases: { live: '1' } }] }
  }
})

const REVISION = 's3://bundles/app/v1.zip'

const ECS_PROPS = [
  'TaskDefinition: arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
  'LoadBalancerInfo:',
  '  ContainerName: web',
  '  ContainerPort: 8080'
]
/** An ECS AppSpec whose Properties are `props` (one line each), and `after` at the top level. */
const ecsSpec = (props: string[] = ECS_PROPS, after = ''): string =>
  `version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n${props.map(p => `        ${p}`).join('\n')}\n${after}`
const replaced = (from: string, to: string[]): string[] =>
  ECS_PROPS.flatMap(p => (p.startsWith(from) ? to : [p]))
const LAMBDA_PROPS = ['Name: checkout', 'Alias: live']
const lambdaSpec = (props: string[] = LAMBDA_PROPS, after = ''): string =>
  `version: 0.0\nResources:\n  - checkout:\n      Type: AWS::Lambda::Function\n      Properties:\n${props.map(p => `        ${p}`).join('\n')}\n${after}`

const ECS = { application: 'containers', 'deployment-group': 'web', bucket: '' }
const LAMBDA = { application: 'functions', 'deployment-group': 'checkout', bucket: '' }
const TASK_DEFINITION = JSON.stringify({
  family: 'web',
  containerDefinitions: [{ name: 'web', image: 'web:2', portMappings: [{ containerPort: 8080 }] }]
})

/** An ECS deployment of `spec` (appspec.yaml), with `taskDefinition` (task.json) when given. */
function ecs(spec: string, message: RegExp, taskDefinition?: string, name = 'appspec.yaml'): Case {
  return {
    tree: {
      [name]: spec,
      ...(taskDefinition !== undefined ? { 'task.json': taskDefinition } : {})
    },
    inputs: {
      ...ECS,
      appspec: `{dir}/${name}`,
      ...(taskDefinition !== undefined ? { 'task-definition': '{dir}/task.json' } : {})
    },
    message
  }
}
function lambda(spec: string, message: RegExp, name = 'appspec.yaml'): Case {
  return { tree: { [name]: spec }, inputs: { ...LAMBDA, appspec: `{dir}/${name}` }, message }
}

const CASES: Record<string, Case> = {
  'a Lambda deployment-config on an ECS group': {
    ...ecs(
      ecsSpec(),
      /Deployment config 'CodeDeployDefault.LambdaAllAtOnce' is for AWS Lambda, and group 'web' deploys to Amazon ECS.*Set 'deployment-config' to one for Amazon ECS/
    ),
    inputs: {
      ...ECS,
      appspec: '{dir}/appspec.yaml',
      'deployment-config': 'CodeDeployDefault.LambdaAllAtOnce'
    }
  },
  // appspec, task-definition: contradictions and platforms
  'appspec with command package': {
    tree: tree(GOOD_APPSPEC, { 'ecs.yaml': ecsSpec() }),
    inputs: { command: 'package', appspec: '{dir}/ecs.yaml' },
    message:
      /Input 'appspec' is the AppSpec of a deployment with command 'deploy', and command 'package' deploys another. Remove it, or set command: deploy/
  },
  'appspec with command rollback': {
    tree: { 'ecs.yaml': ecsSpec() },
    inputs: { ...ECS, command: 'rollback', appspec: '{dir}/ecs.yaml' },
    message: /Input 'appspec' .* command 'rollback' deploys another. Remove it/
  },
  'appspec and revision': {
    tree: { 'ecs.yaml': ecsSpec() },
    inputs: { ...ECS, appspec: '{dir}/ecs.yaml', revision: REVISION },
    message: /Inputs 'appspec' .* and 'revision' .* are two kinds of revision: give one/
  },
  'task-definition without appspec': withInputs(
    { 'task-definition': 'task.json' },
    /Input 'task-definition' is registered and put into an ECS AppSpec: give that AppSpec in 'appspec' too/
  ),
  // An EC2 group takes 'appspec' as its bundle's appspec.yml, checked as one.
  'an ECS appspec for an EC2 group': {
    tree: tree(undefined, { 'ecs.yaml': ecsSpec() }),
    inputs: { appspec: '{dir}/ecs.yaml' },
    message:
      /file=src-\d+\/ecs\.yaml,line=2.*'Resources' belongs to a Lambda or ECS appspec, but this action deploys EC2\/on-premises revisions/
  },
  'source for an ECS group': withInputs(
    { ...ECS, bucket: 'bundles' },
    /Deployment group 'web' deploys to Amazon ECS, which takes its AppSpec inline: give the AppSpec file in 'appspec'/
  ),
  'revision for a Lambda group': withInputs(
    { ...LAMBDA, revision: REVISION },
    /Deployment group 'checkout' deploys to AWS Lambda, which takes its AppSpec inline: give the AppSpec file in 'appspec'/
  ),
  'command rollback on an ECS group': withInputs(
    { ...ECS, command: 'rollback' },
    /Deployment group 'web' deploys to Amazon ECS; command 'rollback' redeploys S3 bundles.*Deploy the earlier AppSpec with 'appspec' instead/
  ),
  'task-definition for a Lambda group': {
    tree: { 'appspec.yaml': lambdaSpec(), 'task.json': TASK_DEFINITION },
    inputs: { ...LAMBDA, appspec: '{dir}/appspec.yaml', 'task-definition': '{dir}/task.json' },
    message:
      /Input 'task-definition' registers an ECS task definition, and Deployment group 'checkout' deploys to AWS Lambda. Remove it/
  },
  'appspec file that does not exist': withInputs(
    { ...ECS, appspec: 'nowhere/appspec.yaml' },
    /AppSpec file '.*\/nowhere\/appspec.yaml' does not exist. Set 'appspec' to the path of the ECS AppSpec file/
  ),
  'appspec that is a directory': {
    tree: { 'specs/x': 'x' },
    inputs: { ...ECS, appspec: '{dir}/specs' },
    message:
      /AppSpec '.*specs' is a directory, not a file. Set 'appspec' to the path of the ECS AppSpec file/
  },
  // ECS AppSpec content
  'ECS appspec without TaskDefinition': ecs(
    ecsSpec(ECS_PROPS.slice(1)),
    /appspec.yaml:5:7: 'TaskDefinition' is missing. Add 'TaskDefinition: <TASK_DEFINITION>'/
  ),
  'ECS TaskDefinition that is neither an ARN nor family:revision': ecs(
    ecsSpec(replaced('TaskDefinition', ['TaskDefinition: web-latest'])),
    /TaskDefinition 'web-latest' names no task definition: give its ARN \(arn:aws:ecs:<region>:<account>:task-definition\/<family>:<revision>\) or family:revision/
  ),
  'ECS TaskDefinition placeholder without task-definition': ecs(
    ecsSpec(replaced('TaskDefinition', ['TaskDefinition: <TASK_DEFINITION>'])),
    /leaves TaskDefinition as the placeholder <TASK_DEFINITION>, and no 'task-definition' is given to fill it. Give the task definition JSON in 'task-definition'/
  ),
  'ECS appspec without LoadBalancerInfo': ecs(
    ecsSpec(ECS_PROPS.slice(0, 1)),
    /appspec.yaml:\d+:\d+: 'LoadBalancerInfo' is missing. Add 'LoadBalancerInfo:' with ContainerName and ContainerPort/
  ),
  'ECS appspec without ContainerName': ecs(
    ecsSpec(replaced('  ContainerName', [])),
    /appspec.yaml:7:9: 'ContainerName' is missing. Add 'ContainerName: <name>'/
  ),
  'ECS ContainerName that is a list': ecs(
    ecsSpec(replaced('  ContainerName', ['  ContainerName: [web]'])),
    /appspec.yaml:8:26: 'ContainerName' needs the name of a container in the task definition \(e.g. 'web'\)/
  ),
  'ECS ContainerPort in quotes': ecs(
    ecsSpec(replaced('  ContainerPort', ['  ContainerPort: "8080"'])),
    /appspec.yaml:9:26: ContainerPort is the string '8080', but it must be a number. Remove the quotes: ContainerPort: 8080/
  ),
  'ECS ContainerPort out of range': ecs(
    ecsSpec(replaced('  ContainerPort', ['  ContainerPort: 70000'])),
    /appspec.yaml:9:26: ContainerPort '70000' is not a whole number from 1 to 65535. Set e.g. 'ContainerPort: 80'/
  ),
  'ECS PlatformVersion as a number': ecs(
    ecsSpec([...ECS_PROPS, 'PlatformVersion: 1.4']),
    /appspec.yaml:10:26: PlatformVersion 1.4 is read as a number. Quote it: PlatformVersion: "1.4"/
  ),
  'ECS AssignPublicIp in lower case': ecs(
    ecsSpec([
      ...ECS_PROPS,
      'NetworkConfiguration:',
      '  AwsvpcConfiguration:',
      '    Subnets: [subnet-1]',
      '    SecurityGroups: [sg-1]',
      '    AssignPublicIp: enabled'
    ]),
    /appspec.yaml:14:\d+: AssignPublicIp 'enabled' is not known. Write it in capitals: AssignPublicIp: ENABLED/
  ),
  'ECS Subnets empty': ecs(
    ecsSpec([...ECS_PROPS, 'NetworkConfiguration:', '  AwsvpcConfiguration:', '    Subnets: []']),
    /appspec.yaml:12:\d+: 'Subnets' is empty. List at least one subnet-… ID/
  ),
  'ECS with six security groups': ecs(
    ecsSpec([
      ...ECS_PROPS,
      'NetworkConfiguration:',
      '  AwsvpcConfiguration:',
      '    Subnets: [subnet-1]',
      '    SecurityGroups: [sg-1, sg-2, sg-3, sg-4, sg-5, sg-6]',
      '    AssignPublicIp: DISABLED'
    ]),
    /appspec.yaml:13:\d+: 'SecurityGroups' lists 6 IDs, but ECS takes at most 5. Remove 1/
  ),
  'ECS unknown property': ecs(
    ecsSpec([...ECS_PROPS, 'TaskDefinitionArn: x']),
    /appspec.yaml:10:9: unknown key 'TaskDefinitionArn' in the Properties of an ECS service.*Allowed keys: TaskDefinition/
  ),
  'ECS resource Type misspelt': ecs(
    ecsSpec().replace('AWS::ECS::Service', 'AWS::ECS::Services'),
    /appspec.yaml:4:13: Type 'AWS::ECS::Services' is not what an ECS deployment deploys.*Set 'Type: AWS::ECS::Service'/
  ),
  'Lambda appspec for an ECS group': ecs(
    lambdaSpec(),
    /appspec.yaml:4:13: this AppSpec deploys a Lambda function .* Point 'appspec' at an ECS AppSpec \(Type: AWS::ECS::Service\)/
  ),
  'ECS appspec with two resources': ecs(
    `${ecsSpec()}  - Other:\n      Type: AWS::ECS::Service\n`,
    /'Resources' has 2 entries, but an ECS deployment takes exactly one AWS::ECS::Service. Keep one/
  ),
  'ECS resource without a name': ecs(
    'version: 0.0\nResources:\n  - Type: AWS::ECS::Service\n    Properties: {}\n',
    /appspec.yaml:3:5: the resource has no name: .* Write '- TargetService:' and indent Type and Properties below it/
  ),
  'ECS appspec version 1.0': ecs(
    ecsSpec().replace('version: 0.0', 'version: 1.0'),
    /appspec.yaml:1:10: version is '1.0', but CodeDeploy supports only version 0.0. Set 'version: 0.0'/
  ),
  'an EC2 appspec for an ECS group': ecs(
    GOOD_APPSPEC,
    /appspec.yaml:2:1: 'os' belongs to an EC2\/on-premises appspec, but the deployment group's compute platform is ECS. Point 'appspec' at an ECS AppSpec/
  ),
  'ECS Hooks as a mapping': ecs(
    ecsSpec(ECS_PROPS, 'Hooks:\n  AfterAllowTestTraffic: check\n'),
    /appspec.yaml:11:3: 'Hooks' must be a list, one event per item: write each as '- BeforeInstall: <function name or ARN>'/
  ),
  'ECS hook event misspelt': ecs(
    ecsSpec(ECS_PROPS, 'Hooks:\n  - AfterAllowTestTrafic: check\n'),
    /appspec.yaml:11:5: unknown lifecycle event 'AfterAllowTestTrafic'. Did you mean 'AfterAllowTestTraffic'\?/
  ),
  'ECS hook listed twice': ecs(
    ecsSpec(ECS_PROPS, 'Hooks:\n  - AfterInstall: a\n  - AfterInstall: b\n'),
    /appspec.yaml:12:5: hook 'AfterInstall' is listed twice.*Keep one/
  ),
  'ECS hook function with a space': ecs(
    ecsSpec(ECS_PROPS, 'Hooks:\n  - AfterInstall: check traffic\n'),
    /appspec.yaml:11:19: hook 'AfterInstall' names 'check traffic', which is not a Lambda function name.*Give the function's name or ARN/
  ),
  'ECS appspec JSON with a trailing comma': ecs(
    '{"version": 0.0, "Resources": [],}',
    /appspec.json:1:\d+: the file is not valid JSON .*remove comments and trailing commas/,
    undefined,
    'appspec.json'
  ),
  'ECS appspec that is empty': ecs(
    '',
    /appspec.yaml:1:1: the file is empty. Start it with 'version: 0.0', then 'Resources:'/
  ),
  'ECS appspec with empty Resources': ecs(
    'version: 0.0\nResources: []\n',
    /appspec.yaml:2:12: 'Resources' is empty. Add 'Resources:' with '- TargetService:'/
  ),
  // task-definition
  'task-definition that is not JSON': ecs(
    ecsSpec(replaced('TaskDefinition', ['TaskDefinition: <TASK_DEFINITION>'])),
    /Cannot read task-definition .*task.json: .*JSON.*Give a task definition as JSON, e.g. the output of 'aws ecs describe-task-definition'/,
    '{ family: web }'
  ),
  'task-definition that is a JSON list': ecs(
    ecsSpec(),
    /Cannot read task-definition .*task.json: it is not a JSON object. Give a task definition as JSON/,
    '[]'
  ),
  'task-definition without family': ecs(
    ecsSpec(),
    /task-definition .*task.json has no 'family'\. Add "family": "<name>"/,
    JSON.stringify({ containerDefinitions: [{ name: 'web', image: 'web:2' }] })
  ),
  'task-definition without containerDefinitions': ecs(
    ecsSpec(),
    /task-definition .*task.json has no 'containerDefinitions'\. Add "containerDefinitions": \[/,
    JSON.stringify({ family: 'web' })
  ),
  'task-definition with a family ECS refuses': ecs(
    ecsSpec(),
    /task-definition .*task.json has family 'web app', which ECS refuses\. Use up to 255 letters, digits, hyphens and underscores/,
    JSON.stringify({ family: 'web app', containerDefinitions: [{ name: 'web', image: 'web:2' }] })
  ),
  'task-definition with a container without an image': ecs(
    ecsSpec(),
    /task-definition .*task.json has a container \('web'\) without 'image'\. Give each container a name and an image/,
    JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'web' }] })
  ),
  'ContainerName that the task definition does not have': ecs(
    ecsSpec(replaced('  ContainerName', ['  ContainerName: api'])),
    /task-definition .*task.json has no container 'api', the appspec's ContainerName \(it has: web\)\. Set ContainerName to one of them/,
    TASK_DEFINITION
  ),
  'ContainerPort that the task definition does not map': ecs(
    ecsSpec(replaced('  ContainerPort', ['  ContainerPort: 80'])),
    /task-definition .*task.json maps no port 80 \(the appspec's ContainerPort\) in container 'web' \(it maps: 8080\)\. Set ContainerPort to one of them/,
    TASK_DEFINITION
  ),
  'task-definition with a container without a name': ecs(
    ecsSpec(),
    /task-definition .*task.json has a container \(containerDefinitions\[0\]\) without 'name'\. Give each container a name and an image/,
    JSON.stringify({ family: 'web', containerDefinitions: [{ image: 'web:2' }] })
  ),
  'task-definition file that does not exist': {
    tree: { 'appspec.yaml': ecsSpec() },
    inputs: { ...ECS, appspec: '{dir}/appspec.yaml', 'task-definition': '{dir}/missing.json' },
    message:
      /Cannot read task-definition .*missing.json: .*no such file.*Give a task definition as JSON/
  },
  // Lambda AppSpec content
  'Lambda appspec without Name': lambda(
    lambdaSpec(['Alias: live']),
    /appspec.yaml:5:7: 'Name' is missing. Add 'Name: <function name>'/
  ),
  'Lambda appspec without Alias': lambda(
    lambdaSpec(['Name: checkout']),
    /appspec.yaml:5:7: 'Alias' is missing. Add 'Alias: <alias>', the alias whose traffic CodeDeploy shifts/
  ),
  'Lambda CurrentVersion equal to TargetVersion': lambda(
    lambdaSpec([...LAMBDA_PROPS, 'CurrentVersion: 1', 'TargetVersion: 1']),
    /appspec.yaml:9:24: CurrentVersion and TargetVersion are both 1, so there is no traffic to shift. Set TargetVersion to the version to deploy/
  ),
  'Lambda TargetVersion $LATEST': lambda(
    lambdaSpec([...LAMBDA_PROPS, 'TargetVersion: $LATEST']),
    /appspec.yaml:8:24: TargetVersion is \$LATEST, .* Give a version number, or remove it to have the action publish a new version/
  ),
  'Lambda CurrentVersion that is not a number': lambda(
    lambdaSpec([...LAMBDA_PROPS, 'CurrentVersion: live']),
    /appspec.yaml:8:25: CurrentVersion 'live' is not a published version number. Give one such as CurrentVersion: "3"/
  ),
  'Lambda Name written twice in two cases': lambda(
    lambdaSpec([...LAMBDA_PROPS, 'name: orders']),
    /appspec.yaml:8:9: 'name' and 'Name' in Properties are the same key to CodeDeploy.*Keep one of them/
  ),
  'Lambda hook at an ECS event': lambda(
    lambdaSpec(LAMBDA_PROPS, 'Hooks:\n  - AfterInstall: check\n'),
    /appspec.yaml:9:5: 'AfterInstall' is an ECS lifecycle event.*Lambda runs hook functions at: BeforeAllowTraffic, AfterAllowTraffic/
  ),
  'Lambda hook under its SAM name': lambda(
    lambdaSpec(LAMBDA_PROPS, 'Hooks:\n  - PreTraffic: check\n'),
    /appspec.yaml:9:5: 'PreTraffic' is the AWS SAM name of this hook; in an AppSpec it is 'BeforeAllowTraffic'. Rename it/
  ),
  'Lambda hook in other capitals': lambda(
    lambdaSpec(LAMBDA_PROPS, 'Hooks:\n  - beforeAllowTraffic: check\n'),
    /appspec.yaml:9:5: lifecycle event 'beforeAllowTraffic' is written with other capitals than CodeDeploy's 'BeforeAllowTraffic'. Write it as/
  ),
  'Lambda hook at an EC2 event': lambda(
    lambdaSpec(LAMBDA_PROPS, 'Hooks:\n  - ValidateService: check\n'),
    /appspec.yaml:9:5: 'ValidateService' is an EC2\/on-premises lifecycle event.*Lambda runs hook functions at: BeforeAllowTraffic, AfterAllowTraffic/
  ),
  'Lambda hook without a function': lambda(
    lambdaSpec(LAMBDA_PROPS, 'Hooks:\n  - BeforeAllowTraffic:\n'),
    /appspec.yaml:9:24: hook 'BeforeAllowTraffic' must name one Lambda function \(its name or ARN\) as a string/
  ),
  'Lambda function that does not exist': lambda(
    lambdaSpec(['Name: chekout', 'Alias: live']),
    /Lambda has no alias 'live' of function 'chekout' .*Check Name and Alias in the appspec, and the region/
  ),
  'Lambda alias that does not exist': lambda(
    lambdaSpec(['Name: checkout', 'Alias: prod']),
    /Lambda has no alias 'prod' of function 'checkout' .*Check Name and Alias in the appspec/
  ),
  'ECS appspec for a Lambda group': lambda(
    ecsSpec(),
    /appspec.yaml:4:13: this AppSpec deploys an ECS service .* Point 'appspec' at a Lambda AppSpec \(Type: AWS::Lambda::Function\)/
  )
}

describe('bad input: ECS and Lambda', () => {
  badInputCases(t, CASES)
})

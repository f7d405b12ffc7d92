/**
 * The Properties of an ECS AppSpec's TargetService: the task definition to deploy, the container
 * and port the load balancer sends traffic to, and the optional platform version, awsvpc network
 * settings and capacity provider strategy of the replacement task set.
 */
import { isMap, isScalar, type ParsedNode, type YAMLMap } from 'yaml'
import type { Field } from '../yaml.js'
import type { ContentReader } from './reader.js'
import type { ContentAppSpec } from './types.js'

const ECS_KEYS = [
  'TaskDefinition',
  'LoadBalancerInfo',
  'PlatformVersion',
  'NetworkConfiguration',
  'CapacityProviderStrategy'
]
const LOAD_BALANCER_KEYS = ['ContainerName', 'ContainerPort']
const NETWORK_KEYS = ['AwsvpcConfiguration']
const AWSVPC_KEYS = ['Subnets', 'SecurityGroups', 'AssignPublicIp']
const STRATEGY_KEYS = ['Base', 'CapacityProvider', 'Weight']
/** Limits of ECS's awsvpcConfiguration. */
const MAX_SUBNETS = 16
const MAX_SECURITY_GROUPS = 5

export const TASK_DEFINITION_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[\w-]+:\d+$/
export const PLACEHOLDER = /^<[^<>]+>$/
/** A task definition's family and revision, as ECS names one short of its ARN. */
export const FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}:\d+$/

export function checkEcsProperties(
  ctx: ContentReader,
  props: YAMLMap.Parsed,
  at: ParsedNode
): NonNullable<ContentAppSpec['ecs']> {
  const fields = ctx.fields(props, ECS_KEYS, 'Properties')
  ctx.rejectUnknown(fields, ECS_KEYS, 'the Properties of an ECS service')
  const taskField = ctx.need(
    fields,
    'TaskDefinition',
    at,
    "Add 'TaskDefinition: <TASK_DEFINITION>' (the action fills in the ARN it registers from 'task-definition') or the task definition's ARN."
  )
  const taskDefinition = ctx.string(
    taskField,
    'the task definition ARN, or a placeholder such as <TASK_DEFINITION>'
  )
  if (!TASK_DEFINITION_ARN.test(taskDefinition) && !PLACEHOLDER.test(taskDefinition)) {
    ctx.warnings.push(
      `${ctx.fileName}: TaskDefinition '${taskDefinition}' is neither a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) nor a placeholder such as <TASK_DEFINITION>; CodeDeploy needs the full ARN unless 'task-definition' replaces it.`
    )
  }
  const lbField = ctx.need(
    fields,
    'LoadBalancerInfo',
    at,
    "Add 'LoadBalancerInfo:' with ContainerName and ContainerPort: the container and port the load balancer sends traffic to."
  )
  const lb = checkLoadBalancer(ctx, lbField)
  const ecs: NonNullable<ContentAppSpec['ecs']> = { taskDefinition, ...lb }
  const platformField = ctx.field(fields, 'PlatformVersion')
  if (platformField) ecs.platformVersion = platformVersion(ctx, platformField)
  const network = ctx.field(fields, 'NetworkConfiguration')
  if (network) checkNetwork(ctx, network)
  const strategy = ctx.field(fields, 'CapacityProviderStrategy')
  if (strategy) checkStrategy(ctx, strategy)
  return ecs
}

function checkLoadBalancer(
  ctx: ContentReader,
  field: Field
): { containerName: string; containerPort: number } {
  const map = ctx.map(field, 'with ContainerName and ContainerPort')
  const fields = ctx.fields(map, LOAD_BALANCER_KEYS, 'LoadBalancerInfo')
  ctx.rejectUnknown(fields, LOAD_BALANCER_KEYS, 'LoadBalancerInfo')
  const name = ctx.need(
    fields,
    'ContainerName',
    field.key,
    "Add 'ContainerName: <name>', the container in the task definition that receives traffic."
  )
  const port = ctx.need(
    fields,
    'ContainerPort',
    field.key,
    "Add 'ContainerPort: <port>', the container port the load balancer sends traffic to."
  )
  return {
    containerName: ctx.string(name, "the name of a container in the task definition (e.g. 'web')"),
    containerPort: ctx.integer(port, 1, 65535, '80')
  }
}

function platformVersion(ctx: ContentReader, field: Field): string {
  const node = field.value
  if (isScalar(node) && typeof node.value === 'number') {
    const written = node.source ?? String(node.value)
    throw ctx.fail(
      node,
      `PlatformVersion ${written} is read as a number. Quote it: PlatformVersion: "${written}" (or use LATEST).`
    )
  }
  return ctx.string(field, "a Fargate platform version such as 'LATEST' or '1.4.0'")
}

function checkNetwork(ctx: ContentReader, field: Field): void {
  const map = ctx.map(
    field,
    "with 'AwsvpcConfiguration:' (Subnets, SecurityGroups, AssignPublicIp)"
  )
  const fields = ctx.fields(map, NETWORK_KEYS, 'NetworkConfiguration')
  ctx.rejectUnknown(fields, NETWORK_KEYS, 'NetworkConfiguration')
  const awsvpc = ctx.need(
    fields,
    'AwsvpcConfiguration',
    field.key,
    "Add 'AwsvpcConfiguration:' with Subnets (and optionally SecurityGroups, AssignPublicIp), or remove NetworkConfiguration."
  )
  const vpc = ctx.map(awsvpc, 'with Subnets, SecurityGroups and AssignPublicIp')
  const vpcFields = ctx.fields(vpc, AWSVPC_KEYS, 'AwsvpcConfiguration')
  ctx.rejectUnknown(vpcFields, AWSVPC_KEYS, 'AwsvpcConfiguration')
  const subnets = ctx.need(
    vpcFields,
    'Subnets',
    awsvpc.key,
    "Add 'Subnets: [subnet-…]', the subnets of the replacement tasks."
  )
  boundedList(ctx, subnets, MAX_SUBNETS, 'subnet-')
  const groups = ctx.field(vpcFields, 'SecurityGroups')
  if (groups) boundedList(ctx, groups, MAX_SECURITY_GROUPS, 'sg-')
  const publicIp = ctx.field(vpcFields, 'AssignPublicIp')
  const missing = (['SecurityGroups', 'AssignPublicIp'] as const).filter(
    name => !ctx.field(vpcFields, name)
  )
  if (missing.length > 0) {
    ctx.warnings.push(
      `${ctx.fileName}: AwsvpcConfiguration has no ${missing.join(' or ')}. The AppSpec reference asks for all of Subnets, SecurityGroups and AssignPublicIp or none of them (without NetworkConfiguration CodeDeploy keeps the service's network settings); give ${missing.join(' and ')} too.`
    )
  }
  if (publicIp) {
    const value = ctx.text(publicIp.value)
    if (value !== 'ENABLED' && value !== 'DISABLED') {
      const upper = value?.toUpperCase()
      const hint =
        upper === 'ENABLED' || upper === 'DISABLED'
          ? ` Write it in capitals: AssignPublicIp: ${upper}.`
          : ' Use ENABLED or DISABLED.'
      throw ctx.fail(
        publicIp.value ?? publicIp.key,
        `AssignPublicIp '${isScalar(publicIp.value) ? String(publicIp.value.source ?? publicIp.value.value) : ''}' is not known.${hint}`
      )
    }
  }
}

function boundedList(ctx: ContentReader, field: Field, max: number, prefix: string): void {
  const ids = ctx.stringList(field)
  if (ids.length === 0) {
    throw ctx.fail(
      field.value ?? field.key,
      `'${field.name}' is empty. List at least one ${prefix}… ID.`
    )
  }
  if (ids.length > max) {
    throw ctx.fail(
      field.value ?? field.key,
      `'${field.name}' lists ${ids.length} IDs, but ECS takes at most ${max}. Remove ${ids.length - max}.`
    )
  }
}

function checkStrategy(ctx: ContentReader, field: Field): void {
  const example = "'- CapacityProvider: FARGATE' (with optional Base and Weight)"
  const seq = ctx.list(field, `of providers: ${example}`)
  for (const raw of seq?.items ?? []) {
    const item = ctx.deref(raw)
    if (!isMap(item)) {
      throw ctx.fail(
        item ?? seq,
        `each CapacityProviderStrategy entry must be a mapping: ${example}.`
      )
    }
    const fields = ctx.fields(item, STRATEGY_KEYS, 'a CapacityProviderStrategy entry')
    ctx.rejectUnknown(fields, STRATEGY_KEYS, 'a CapacityProviderStrategy entry')
    const provider = ctx.need(
      fields,
      'CapacityProvider',
      item,
      "Add 'CapacityProvider: <name>' (e.g. FARGATE or FARGATE_SPOT)."
    )
    ctx.string(provider, 'the name of a capacity provider of the cluster (e.g. FARGATE)')
    const base = ctx.field(fields, 'Base')
    if (base) ctx.integer(base, 0, 100000, '1')
    const weight = ctx.field(fields, 'Weight')
    if (weight) ctx.integer(weight, 0, 1000, '1')
  }
}

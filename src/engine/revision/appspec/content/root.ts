/**
 * The top level of an ECS or Lambda AppSpec: `version: 0.0`, `Resources` (a list of exactly one
 * resource of the platform's type, under a name of the user's choice) and optional `Hooks`. Keys
 * are matched regardless of case (see ContentReader.fields). Recognises an AppSpec written for another
 * platform (an EC2/on-premises one, or ECS given for Lambda and back) and says which file or group
 * fits instead.
 */
import { isMap, isScalar, isSeq, type ParsedNode, type YAMLMap } from 'yaml'
import { AppSpecError } from '../../../errors.js'
import { didYouMean, suggest } from '../../../inputs/suggest.js'
import type { Field } from '../yaml.js'
import { checkEcsProperties } from './ecs.js'
import { checkHooks } from './hooks.js'
import { checkLambdaProperties } from './lambda.js'
import type { ContentReader } from './reader.js'
import { RESOURCE_TYPES, type ContentAppSpec, type ContentPlatform } from './types.js'

const ROOT_KEYS = ['version', 'Resources', 'Hooks']
const RESOURCE_KEYS = ['Type', 'Properties']
/** Top-level keys only an EC2/on-premises appspec has. */
const SERVER_KEYS = ['os', 'files', 'permissions', 'file_exists_behavior']
/** The name AWS's examples give the ECS resource; any name works, this one is suggested. */
const ECS_RESOURCE_NAME = 'TargetService'

/** 'an ECS' or 'a Lambda', for messages. */
function a(platform: ContentPlatform): string {
  return platform === 'ECS' ? 'an ECS' : 'a Lambda'
}

type Checked = Pick<ContentAppSpec, 'ecs' | 'lambda' | 'hooks'>

function skeleton(platform: ContentPlatform): string {
  return platform === 'ECS'
    ? `'Resources:' with '- ${ECS_RESOURCE_NAME}:' (or any name) holding 'Type: ${RESOURCE_TYPES.ECS}' and its Properties (TaskDefinition, LoadBalancerInfo)`
    : `'Resources:' with '- <name>:' holding 'Type: ${RESOURCE_TYPES.Lambda}' and its Properties (Name, Alias)`
}

/** Checks the whole document for `ctx.platform` and returns what it says. */
export function checkContentRoot(ctx: ContentReader): Checked {
  const root = ctx.doc.contents
  const platform = ctx.platform
  if (root === null || ctx.isEmpty(root)) {
    throw new AppSpecError(
      `${ctx.fileName}:1:1: the file is empty. Start it with 'version: 0.0', then ${skeleton(platform)}.`,
      ctx.file,
      1,
      1
    )
  }
  if (!isMap(root)) {
    throw ctx.fail(
      root,
      `the top level must be a mapping (version, Resources, Hooks), not ${isSeq(root) ? 'a list' : 'a single value'}.`
    )
  }
  const fields = ctx.fields(root, ROOT_KEYS, 'the top level')
  const server = fields.find(f => SERVER_KEYS.includes(f.name.toLowerCase()))
  if (server) {
    throw ctx.fail(
      server.key,
      `'${server.name}' belongs to an EC2/on-premises appspec, but the deployment group's compute platform is ${platform}. Point 'appspec' at ${a(platform)} AppSpec (version: 0.0, then ${skeleton(platform)}), or deploy this revision to an EC2/on-premises group with 'source'.`
    )
  }
  for (const field of fields) {
    if (ROOT_KEYS.includes(field.name)) continue
    throw ctx.fail(
      field.key,
      `unknown key '${field.name}' at the top level.${didYouMean(field.name, ROOT_KEYS)} The top level of ${a(platform)} AppSpec has only: ${ROOT_KEYS.join(', ')}.`
    )
  }
  checkVersion(ctx, root, ctx.field(fields, 'version'))
  const resources = ctx.need(fields, 'Resources', root, `Add it: ${skeleton(platform)}.`)
  const checked = checkResource(ctx, resources)
  const hooks = ctx.field(fields, 'Hooks')
  checked.hooks = hooks ? checkHooks(ctx, hooks) : []
  return checked
}

function checkVersion(ctx: ContentReader, root: YAMLMap.Parsed, field: Field | undefined): void {
  if (!field) throw ctx.fail(root, "'version' is missing. Add 'version: 0.0' as the first line.")
  const node = field.value
  if (isScalar(node) && node.value === 0) return
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() === '0.0') return
  const written = isScalar(node) ? (node.source ?? String(node.value)) : 'a list or mapping'
  throw ctx.fail(
    node ?? field.key,
    `version is '${written}', but CodeDeploy supports only version 0.0. Set 'version: 0.0'.`
  )
}

/** The one entry of Resources: `- <name>: {Type, Properties}`. */
function checkResource(ctx: ContentReader, field: Field): Checked {
  const platform = ctx.platform
  const seq = ctx.list(field, `of exactly one resource: ${skeleton(platform)}`)
  const first = ctx.deref(seq?.items[0])
  if (!seq || !first) {
    throw ctx.fail(field.value ?? field.key, `'Resources' is empty. Add ${skeleton(platform)}.`)
  }
  const extra = ctx.deref(seq.items[1])
  if (extra) {
    throw ctx.fail(
      extra,
      `'Resources' has ${seq.items.length} entries, but ${a(platform)} deployment takes exactly one ${RESOURCE_TYPES[platform]}. Keep one, and deploy the others with their own deployment groups.`
    )
  }
  if (!isMap(first)) {
    throw ctx.fail(first, `the resource must be a mapping: ${skeleton(platform)}.`)
  }
  const named = ctx.fields(first, [], 'the resource')
  const resourceKeys = RESOURCE_KEYS.map(k => k.toLowerCase())
  if (named.some(f => resourceKeys.includes(f.name.toLowerCase()))) {
    const name = platform === 'ECS' ? ECS_RESOURCE_NAME : 'myFunction'
    throw ctx.fail(
      first,
      `the resource has no name: Type and Properties sit directly in the list item. Write '- ${name}:' and indent Type and Properties below it.`
    )
  }
  const [resource, another] = named
  if (!resource || another) {
    throw ctx.fail(
      another?.key ?? first,
      `the resource must have exactly one name, with Type and Properties below it: ${skeleton(platform)}.`
    )
  }
  return checkResourceBody(ctx, resource)
}

function checkResourceBody(ctx: ContentReader, resource: Field): Checked {
  const platform = ctx.platform
  const body = ctx.map(resource, `with Type and Properties: ${skeleton(platform)}`)
  const fields = ctx.fields(body, RESOURCE_KEYS, `resource '${resource.name}'`)
  ctx.rejectUnknown(fields, RESOURCE_KEYS, `resource '${resource.name}'`)
  const type = ctx.need(fields, 'Type', resource.key, `Add 'Type: ${RESOURCE_TYPES[platform]}'.`)
  checkType(ctx, type)
  const properties = ctx.need(
    fields,
    'Properties',
    resource.key,
    platform === 'ECS'
      ? "Add 'Properties:' with TaskDefinition and LoadBalancerInfo (ContainerName, ContainerPort)."
      : "Add 'Properties:' with Name and Alias (and optionally CurrentVersion, TargetVersion)."
  )
  const props = ctx.map(properties, platform === 'ECS' ? 'of the service' : 'of the function')
  return platform === 'ECS'
    ? { ecs: checkEcsProperties(ctx, props, properties.key), hooks: [] }
    : { lambda: checkLambdaProperties(ctx, props, properties.key), hooks: [] }
}

function checkType(ctx: ContentReader, field: Field): void {
  const platform = ctx.platform
  const expected = RESOURCE_TYPES[platform]
  const type = ctx.text(field.value)?.trim()
  if (type === expected) return
  const node: ParsedNode = field.value ?? field.key
  const other: ContentPlatform = platform === 'ECS' ? 'Lambda' : 'ECS'
  if (type !== undefined && suggest(type, [RESOURCE_TYPES[other]])) {
    throw ctx.fail(
      node,
      `this AppSpec deploys ${other === 'ECS' ? 'an ECS service' : 'a Lambda function'} (Type: ${RESOURCE_TYPES[other]}), but the deployment group's compute platform is ${platform}. Point 'appspec' at ${a(platform)} AppSpec (Type: ${expected}), or deploy this one with ${a(other)} deployment group.`
    )
  }
  throw ctx.fail(
    node,
    `Type '${type ?? ''}' is not what ${a(platform)} deployment deploys.${didYouMean(type ?? '', [expected])} Set 'Type: ${expected}'.`
  )
}

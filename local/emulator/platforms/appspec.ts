/**
 * The inline revision of an ECS or Lambda deployment: the `AppSpecContent` (or older Lambda-only
 * `String`) member of CreateDeployment, its sha256 checked against the content, and the appspec
 * read for the group's compute platform (one resource of the platform's type with its required
 * properties, hooks naming Lambda functions for the platform's hook events). Anything else is
 * refused as InvalidRevisionException, before a deployment exists.
 */
import { createHash } from 'node:crypto'
import { parse } from 'yaml'
import { ServiceError } from '../errors.js'
import type { ContentRevisionLocation } from '../model.js'
import { optionalObject, optionalString, type Input } from '../wire.js'
import type { PlatformAppSpec } from './state.js'

export const ECS_HOOKS = [
  'BeforeInstall',
  'AfterInstall',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic'
]
export const LAMBDA_HOOKS = ['BeforeAllowTraffic', 'AfterAllowTraffic']

const RESOURCE_TYPE = { ECS: 'AWS::ECS::Service', Lambda: 'AWS::Lambda::Function' } as const

function invalid(message: string): ServiceError {
  return new ServiceError('InvalidRevisionException', message)
}

/** A list of one-key maps (`- Name: value`), as both Resources and Hooks are written. */
function entries(value: unknown, what: string): [string, unknown][] {
  if (!Array.isArray(value)) throw invalid(`The AppSpec file's ${what} must be a list.`)
  return value.map(item => {
    const pairs = item && typeof item === 'object' ? Object.entries(item as object) : []
    if (pairs.length !== 1) throw invalid(`Each entry of ${what} must have exactly one name.`)
    return pairs[0]!
  })
}

/**
 * `obj[name]` matching the key regardless of case, as CodeDeploy reads AppSpec keys (its reference
 * writes `resources`/`properties`/`currentversion`, its examples `Resources`/`Properties`/…).
 */
function get(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object') return undefined
  const lower = name.toLowerCase()
  const key = Object.keys(obj).find(k => k.toLowerCase() === lower)
  return key === undefined ? undefined : (obj as Record<string, unknown>)[key]
}

function text(props: unknown, name: string, where: string): string {
  const value = get(props, name)
  if (typeof value === 'number') return String(value)
  if (typeof value !== 'string' || value === '')
    throw invalid(`The AppSpec file is missing ${where}.${name}.`)
  return value
}

/** Reads an appspec for ECS or Lambda; throws InvalidRevisionException when it does not fit. */
export function parsePlatformAppSpec(content: string, platform: 'ECS' | 'Lambda'): PlatformAppSpec {
  let doc: unknown
  try {
    doc = parse(content)
  } catch (error) {
    throw invalid(
      `The AppSpec content is not well-formed YAML or JSON: ${(error as Error).message}`
    )
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw invalid('The AppSpec content must be a YAML or JSON object.')
  const version = String(get(doc, 'version'))
  if (version !== '0' && version !== '0.0')
    throw invalid('The AppSpec file must have version: 0.0.')
  const resources = entries(get(doc, 'Resources'), 'Resources')
  if (resources.length !== 1)
    throw invalid(`An ${platform} AppSpec file must have exactly one resource.`)
  const [name, resource] = resources[0]!
  const type = get(resource, 'Type')
  if (type !== RESOURCE_TYPE[platform])
    throw invalid(
      `The resource ${name} has Type ${String(type)}; a deployment to the ${platform} compute platform needs ${RESOURCE_TYPE[platform]}.`
    )
  const props = get(resource, 'Properties') ?? {}
  const allowed = platform === 'ECS' ? ECS_HOOKS : LAMBDA_HOOKS
  const hooks: Record<string, string> = {}
  for (const [event, fn] of entries(get(doc, 'Hooks') ?? [], 'Hooks')) {
    if (!allowed.includes(event))
      throw invalid(
        `The hook ${event} is not a ${platform} lifecycle event; use ${allowed.join(', ')}.`
      )
    if (typeof fn !== 'string' || fn === '')
      throw invalid(`The hook ${event} must name a Lambda function.`)
    hooks[event] = fn
  }
  if (platform === 'Lambda')
    return {
      platform,
      name: text(props, 'Name', name),
      alias: text(props, 'Alias', name),
      currentVersion: text(props, 'CurrentVersion', name),
      targetVersion: text(props, 'TargetVersion', name),
      hooks
    }
  const lb = get(props, 'LoadBalancerInfo') ?? {}
  const port = get(lb, 'ContainerPort')
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid(`The AppSpec file is missing ${name}.LoadBalancerInfo.ContainerPort.`)
  return {
    platform,
    taskDefinition: text(props, 'TaskDefinition', name),
    containerName: text(lb, 'ContainerName', `${name}.LoadBalancerInfo`),
    containerPort: port,
    hooks
  }
}

/** The `revision` member of CreateDeployment for an ECS or Lambda group. */
export function readContentRevision(
  input: Input,
  platform: 'ECS' | 'Lambda'
): ContentRevisionLocation {
  const revision = optionalObject(input, 'revision')
  if (!revision)
    throw new ServiceError('RevisionRequiredException', 'The revision ID was not specified.')
  const type = optionalString(revision, 'revisionType')
  const member = type === 'AppSpecContent' ? 'appSpecContent' : 'string'
  if (type !== 'AppSpecContent' && !(type === 'String' && platform === 'Lambda'))
    throw invalid(
      `The revision type '${type ?? ''}' is not supported for the ${platform} compute platform here; use AppSpecContent.`
    )
  const body = optionalObject(revision, member)
  const content = body ? optionalString(body, 'content', 'InvalidRevisionException') : undefined
  if (!body || !content) throw invalid(`The ${member} content was not specified.`)
  const sha256 = optionalString(body, 'sha256', 'InvalidRevisionException')
  const actual = createHash('sha256').update(content, 'utf8').digest('hex')
  if (sha256 !== undefined && sha256.toLowerCase() !== actual)
    throw invalid(
      `The sha256 of the ${member} (${sha256}) does not match its content (sha256 ${actual}).`
    )
  parsePlatformAppSpec(content, platform)
  return {
    revisionType: type,
    [member]: { content, ...(sha256 !== undefined ? { sha256 } : {}) }
  }
}

/** The appspec text of an inline revision. */
export function revisionContent(revision: ContentRevisionLocation): string {
  return revision.appSpecContent?.content ?? revision.string?.content ?? ''
}

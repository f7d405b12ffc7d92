/**
 * The ECS stand-in: the calls the action makes (RegisterTaskDefinition, DescribeTaskDefinition)
 * in AWS JSON 1.1 as ECS speaks it, `POST /` with
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`, errors as HTTP 400
 * `{"__type","message"}`, times as epoch seconds.
 */
import { toWire } from '../emulator/wire.js'
import type { InjectedFailures, StackLog } from '../guard.js'
import { jsonObject, serve, StandInError, type Answer, type LocalServer } from './http.js'
import type { World } from './world.js'

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.'
const CONTENT_TYPE = 'application/x-amz-json-1.1'
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/

type Operation = (world: World, input: Record<string, unknown>) => unknown

function registerTaskDefinition(world: World, input: Record<string, unknown>): unknown {
  const family = input.family
  if (typeof family !== 'string' || !FAMILY.test(family))
    throw new StandInError(
      'ClientException',
      'Family contains invalid characters or is empty; up to 255 letters, numbers, hyphens and underscores are allowed.'
    )
  const containers = input.containerDefinitions
  if (!Array.isArray(containers) || containers.length === 0)
    throw new StandInError('ClientException', 'Container list cannot be empty.')
  for (const container of containers as Record<string, unknown>[]) {
    if (typeof container?.name !== 'string' || container.name === '')
      throw new StandInError('ClientException', 'Container.name should not be null or empty.')
    if (typeof container.image !== 'string' || container.image === '')
      throw new StandInError('ClientException', 'Container.image should not be null or empty.')
  }
  const td = world.registerTaskDefinition({ ...input, family })
  const tags = Array.isArray(input.tags) ? input.tags : undefined
  return { taskDefinition: td.body, ...(tags ? { tags } : {}) }
}

function describeTaskDefinition(world: World, input: Record<string, unknown>): unknown {
  const ref = input.taskDefinition
  if (typeof ref !== 'string' || ref === '')
    throw new StandInError('ClientException', 'TaskDefinition cannot be null or empty.')
  const td = world.taskDefinition(ref)
  if (!td) throw new StandInError('ClientException', 'Unable to describe task definition.')
  return { taskDefinition: td.body }
}

const OPERATIONS: Readonly<Record<string, Operation>> = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition
}

export function startEcs(
  world: World,
  log: StackLog,
  failures: InjectedFailures
): Promise<LocalServer> {
  return serve({
    name: 'ECS stand-in',
    log,
    failures,
    handle: request => {
      const target = String(request.headers['x-amz-target'] ?? '')
      const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
      const operation = OPERATIONS[name]
      if (request.method !== 'POST' || request.url.pathname !== '/' || !operation)
        throw new StandInError('UnknownOperationException', `Unknown operation ${target}`)
      const input = jsonObject(
        request.body,
        () => new StandInError('SerializationException', 'The body is not a JSON object.')
      )
      const answer: Answer = {
        status: 200,
        body: toWire(operation(world, input)),
        contentType: CONTENT_TYPE
      }
      return answer
    },
    onError: error => ({
      status: error.status,
      body: { __type: error.type, message: error.message },
      contentType: CONTENT_TYPE,
      errorType: error.type
    })
  })
}

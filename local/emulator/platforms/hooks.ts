/**
 * Hook functions of ECS and Lambda deployments. The emulator "invokes" a hook's Lambda function by
 * recording the invocation (with the DeploymentId and LifecycleEventHookExecutionId the real
 * payload carries) and waits for PutLifecycleEventHookExecutionStatus; the simulated function
 * calls that operation itself with its configured outcome, or stays silent so a test can. A hook
 * that never reports fails when the service's hour (compressed) runs out.
 */
import { randomUUID } from 'node:crypto'
import type { World } from '../../ecs-lambda/world.js'
import { ServiceError } from '../errors.js'
import { TERMINAL, type Deployment } from '../model.js'
import type { Handlers } from '../ops/common.js'
import { findDeployment } from '../ops/deployments.js'
import type { CodeDeployService } from '../service.js'
import { optionalString, type Input, type Json } from '../wire.js'
import type { HookExecution } from './state.js'

export type HookResult = 'Succeeded' | 'Failed' | 'TimedOut' | 'Aborted'

export interface HookContext {
  service: CodeDeployService
  world: World
  /** How long the simulated function takes to report. */
  reportDelayMs: number
  /** How long the deployment waits for a status (the service's one hour, compressed). */
  timeoutMs: number
}

export function runHook(
  context: HookContext,
  d: Deployment,
  lifecycleEventName: string,
  functionName: string,
  signal: AbortSignal
): Promise<HookResult> {
  return new Promise(resolve => {
    const id = randomUUID()
    const timers: NodeJS.Timeout[] = []
    let done = false
    const end = (result: HookResult): void => {
      if (done) return
      done = true
      for (const timer of timers) clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      resolve(result)
    }
    const onAbort = (): void => end('Aborted')
    const execution: HookExecution = {
      lifecycleEventHookExecutionId: id,
      lifecycleEventName,
      functionName,
      status: 'Pending',
      settle: status => {
        execution.status = status
        end(status)
      }
    }
    d.traffic?.hooks.set(id, execution)
    context.world.invocations.push({
      functionName,
      payload: { DeploymentId: d.deploymentId, LifecycleEventHookExecutionId: id },
      time: new Date()
    })
    signal.addEventListener('abort', onAbort, { once: true })
    timers.push(
      setTimeout(() => {
        execution.status = 'Failed'
        end('TimedOut')
      }, context.timeoutMs)
    )
    const outcome = context.world.hookOutcome(functionName)
    if (outcome !== 'Silent') {
      timers.push(
        setTimeout(() => {
          context.service
            .call('PutLifecycleEventHookExecutionStatus', {
              deploymentId: d.deploymentId,
              lifecycleEventHookExecutionId: id,
              status: outcome
            })
            .catch(() => undefined)
        }, context.reportDelayMs)
      )
    }
  })
}

function putStatus(service: CodeDeployService, input: Input): Json {
  const d = findDeployment(service, input)
  if (!d.computePlatform)
    throw new ServiceError(
      'UnsupportedActionForDeploymentTypeException',
      'Lifecycle hook statuses are reported for Lambda and Amazon ECS deployments only.'
    )
  const id = optionalString(input, 'lifecycleEventHookExecutionId')
  const execution: HookExecution | undefined = id ? d.traffic?.hooks.get(id) : undefined
  if (!id || !execution)
    throw new ServiceError(
      'InvalidLifecycleEventHookExecutionIdException',
      `The lifecycle event hook execution ID ${id ?? ''} is not valid for deployment ${d.deploymentId}.`
    )
  const status = optionalString(input, 'status')
  if (status !== 'Succeeded' && status !== 'Failed')
    throw new ServiceError(
      'InvalidLifecycleEventHookExecutionStatusException',
      `The status '${status ?? ''}' is not valid; a hook reports Succeeded or Failed.`
    )
  if (execution.status !== 'Pending' || TERMINAL.has(d.status))
    throw new ServiceError(
      'LifecycleEventAlreadyCompletedException',
      `The ${execution.lifecycleEventName} lifecycle event of deployment ${d.deploymentId} has already completed.`
    )
  execution.settle(status)
  return { lifecycleEventHookExecutionId: id }
}

export const hookOps: Handlers = {
  PutLifecycleEventHookExecutionStatus: putStatus
}

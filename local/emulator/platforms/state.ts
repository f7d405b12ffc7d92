/**
 * What ECS and Lambda groups and deployments carry beyond a Server one, in the API's own member
 * names: a group's services, load balancer and blue/green settings; a deployment's parsed
 * appspec, task sets or alias weights, and the hook executions waiting for their status.
 */
import { createHash } from 'node:crypto'
import type { ContentRevisionLocation, EventStatus } from '../model.js'

export interface TargetGroupPairInfo {
  targetGroups: { name: string }[]
  prodTrafficRoute: { listenerArns: string[] }
  testTrafficRoute?: { listenerArns: string[] }
}

export interface PlatformGroup {
  computePlatform: 'ECS' | 'Lambda'
  ecsServices?: { serviceName: string; clusterName: string }[]
  loadBalancerInfo?: { targetGroupPairInfoList: TargetGroupPairInfo[] }
  blueGreenDeploymentConfiguration?: {
    terminateBlueInstancesOnDeploymentSuccess: {
      action: 'TERMINATE' | 'KEEP_ALIVE'
      terminationWaitTimeInMinutes: number
    }
    deploymentReadyOption: {
      actionOnTimeout: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT'
      waitTimeInMinutes: number
    }
  }
}

export interface EcsAppSpec {
  platform: 'ECS'
  taskDefinition: string
  containerName: string
  containerPort: number
  hooks: Record<string, string>
}

export interface LambdaAppSpec {
  platform: 'Lambda'
  name: string
  alias: string
  currentVersion: string
  targetVersion: string
  hooks: Record<string, string>
}

export type PlatformAppSpec = EcsAppSpec | LambdaAppSpec

/** ECSTaskSet as the API spells it (`identifer` included). */
export interface EcsTaskSet {
  identifer: string
  desiredCount: number
  pendingCount: number
  runningCount: number
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING'
  trafficWeight: number
  targetGroup: { name: string }
  taskSetLabel: 'Blue' | 'Green'
}

export interface LambdaFunctionInfo {
  functionName: string
  functionAlias: string
  currentVersion: string
  targetVersion: string
  targetVersionWeight: number
}

export interface HookExecution {
  lifecycleEventHookExecutionId: string
  lifecycleEventName: string
  functionName: string
  status: EventStatus
  /** Called once with the reported status (or the timeout's Failed). */
  settle(status: 'Succeeded' | 'Failed'): void
}

export interface TrafficRun {
  appspec: PlatformAppSpec
  targetId: string
  targetArn: string
  taskSetsInfo?: EcsTaskSet[]
  lambdaFunctionInfo?: LambdaFunctionInfo
  hooks: Map<string, HookExecution>
  /** ECS: the wait ContinueDeployment can end now, and how. */
  waiting?: 'READY_WAIT' | 'TERMINATION_WAIT'
  endWait?: () => void
  /** ECS: the original task set's termination wait has begun (instanceTerminationWaitTimeStarted). */
  terminationWaitStarted?: boolean
}

/** The revision registry's key for an inline appspec: its content's digest. */
export function contentKey(revision: ContentRevisionLocation): string {
  const content = revision.appSpecContent?.content ?? revision.string?.content ?? ''
  return `content:${createHash('sha256').update(content).digest('hex')}`
}

/**
 * Reads a deployment's targets and their lifecycle events (ListDeploymentTargets, then
 * BatchGetDeploymentTargets, 25 at a time): EC2/on-premises instances, and the ECS service or
 * Lambda function of a traffic-shifting deployment, whose share of traffic on the new version is
 * read from the same answer (the replacement task set's weight, the target version's weight).
 */
import type { DeploymentTarget, InstanceTarget } from '@aws-sdk/client-codedeploy'
import { BATCH, type Call, type Gateway } from '../aws/gateway.js'

export interface Targets {
  /** Every target as an instance-shaped row (id, status, label, lifecycle events). */
  targets: InstanceTarget[]
  /** ECS or Lambda: where traffic stands, e.g. "10% on task set ecs-svc/123 (Green)". */
  traffic?: string
}

/**
 * A TrafficWeight as text. CodeDeploy gives both the ECS task set's `trafficWeight` and the Lambda
 * target's `targetVersionWeight` as a percentage from 0 to 100 (the API reference says so, and
 * the ECS guide's get-deployment-target output shows `100.0`), unlike Lambda's own alias routing,
 * which weighs the extra version as a fraction.
 */
function percent(weight: number | undefined): string {
  return `${Math.round((weight ?? 0) * 10) / 10}%`
}

/** A traffic-shifting target as a row, and where its traffic stands. */
function fromTarget(target: DeploymentTarget): { row?: InstanceTarget; traffic?: string } {
  if (target.instanceTarget) return { row: target.instanceTarget }
  const ecs = target.ecsTarget
  if (ecs) {
    const green = ecs.taskSetsInfo?.find(t => t.taskSetLabel === 'Green')
    return {
      row: {
        ...(ecs.targetId ? { targetId: ecs.targetId } : {}),
        ...(ecs.status ? { status: ecs.status } : {}),
        ...(ecs.lifecycleEvents ? { lifecycleEvents: ecs.lifecycleEvents } : {})
      },
      ...(green
        ? {
            traffic:
              `${percent(green.trafficWeight)} on the replacement task set ${green.identifer ?? ''}`.trim()
          }
        : {})
    }
  }
  const lambda = target.lambdaTarget
  if (lambda) {
    const info = lambda.lambdaFunctionInfo
    return {
      row: {
        ...(lambda.targetId ? { targetId: lambda.targetId } : {}),
        ...(lambda.status ? { status: lambda.status } : {}),
        ...(lambda.lifecycleEvents ? { lifecycleEvents: lambda.lifecycleEvents } : {})
      },
      ...(info?.targetVersion
        ? {
            traffic: `${percent(info.targetVersionWeight)} on version ${info.targetVersion} of ${info.functionName ?? 'the function'}${info.functionAlias ? ` (alias ${info.functionAlias})` : ''}`
          }
        : {})
    }
  }
  return {}
}

/** Every target id of the deployment (ListDeploymentTargets, page by page). */
export function listTargetIds(
  gateway: Gateway,
  deploymentId: string,
  call: Call = {}
): Promise<string[]> {
  return gateway.targetIds(deploymentId, call)
}

/** Requests it takes to read `count` targets. */
export function batches(count: number): number {
  return Math.ceil(count / BATCH)
}

/** The targets `ids` with their lifecycle events (BatchGetDeploymentTargets, 25 at a time). */
export async function readTargets(
  gateway: Gateway,
  deploymentId: string,
  ids: string[],
  call: Call = {}
): Promise<Targets> {
  const targets: InstanceTarget[] = []
  const traffic: string[] = []
  for (const target of await gateway.targets(deploymentId, ids, call)) {
    const { row, traffic: line } = fromTarget(target)
    if (row) targets.push(row)
    if (line) traffic.push(line)
  }
  return traffic.length ? { targets, traffic: traffic.join('; ') } : { targets }
}

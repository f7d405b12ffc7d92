/**
 * Blue/green deployments' two sides: how they are named (instances on EC2/on-premises, task sets
 * on ECS, where the replacement task set waits at Ready and the original one is terminated), and
 * where a deployment stands between them.
 */
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'

/**
 * Fleets larger than this are folded: the log tells their counts rather than a line per success
 * (follow/fold.ts), the summary their failures first and their successes as a count.
 */
export const FOLD_ABOVE = 50

/** `i-1, i-2, … (and 38 more)`: the first `named` ids, the rest counted. */
export function someIds(ids: readonly string[], named = 10): string {
  const shown = ids.slice(0, named).join(', ')
  return ids.length > named ? `${shown} … (and ${ids.length - named} more)` : shown
}

export function isBlueGreen(info: DeploymentInfo | undefined): boolean {
  return info?.deploymentStyle?.deploymentType === 'BLUE_GREEN'
}

/** Traffic is on the replacement and the originals wait to be terminated. */
export function inTerminationWait(info: DeploymentInfo | undefined): boolean {
  return info?.status === 'InProgress' && info.instanceTerminationWaitTimeStarted === true
}

/**
 * A blue/green instance's side, as the log and the summary name it: the replacement (Green) or
 * the original (Blue) fleet. Undefined for in-place instances and ECS/Lambda targets.
 */
export function fleetSide(target: InstanceTarget): 'replacement' | 'original' | undefined {
  if (target.instanceLabel === 'Green') return 'replacement'
  if (target.instanceLabel === 'Blue') return 'original'
  return undefined
}

export interface FleetWords {
  /** "replacement instances" / "replacement task set" */
  replacement: string
  /** "original instances" / "original task set" */
  original: string
  /** "the replacement instances passed their hooks" / "… task set passed its hooks" */
  passed: string
}

export function fleetWords(platform: string | undefined): FleetWords {
  return platform === 'ECS'
    ? {
        replacement: 'replacement task set',
        original: 'original task set',
        passed: 'the replacement task set passed its hooks'
      }
    : {
        replacement: 'replacement instances',
        original: 'original instances',
        passed: 'the replacement instances passed their hooks'
      }
}

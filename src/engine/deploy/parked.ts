/**
 * A blue/green deployment parked in a deployment group: at Ready (its replacement waits for a
 * traffic reroute) or in its termination wait (traffic moved, the originals wait to be
 * terminated). It holds the group like any active deployment, but may not move on by itself for
 * an hour or more, so a run that finds the group busy with one says so at once, and how to end it.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { inTerminationWait, isBlueGreen } from '../tell/fleet.js'
import { consoleUrl, stopCommand } from '../tell/links.js'
import type { Reporter } from '../reporter.js'

export type Parked = 'ready' | 'termination-wait'

/** Where a blue/green deployment is parked, or undefined when it is not. */
export function parkedAt(info: DeploymentInfo): Parked | undefined {
  if (!isBlueGreen(info)) return undefined
  if (info.status === 'Ready') return 'ready'
  if (inTerminationWait(info)) return 'termination-wait'
  return undefined
}

function minutes(count: number): string {
  return count === 1 ? '1 minute' : `${count} minutes`
}

/** What waits and what CodeDeploy does about it by itself, in the deployment's own terms. */
function situation(info: DeploymentInfo, parked: Parked): string {
  const ecs = info.computePlatform === 'ECS'
  const config = info.blueGreenDeploymentConfiguration
  if (parked === 'ready') {
    const ready = config?.deploymentReadyOption
    const wait = ready?.waitTimeInMinutes
    const timer =
      ready?.actionOnTimeout === 'CONTINUE_DEPLOYMENT'
        ? `; CodeDeploy reroutes it by itself ${minutes(wait ?? 0)} after it became Ready`
        : wait
          ? `; CodeDeploy stops it if traffic is not rerouted within ${minutes(wait)} of Ready`
          : ''
    const replacement = ecs ? 'its replacement task set waits' : 'its replacement instances wait'
    return `parked at Ready: ${replacement} for traffic to be rerouted${timer}`
  }
  const terminate = config?.terminateBlueInstancesOnDeploymentSuccess
  const originals = ecs ? 'the original task set waits' : 'the original instances wait'
  const timer =
    terminate?.terminationWaitTimeInMinutes !== undefined
      ? `, which CodeDeploy does ${minutes(terminate.terminationWaitTimeInMinutes)} after the reroute`
      : ''
  return `in its termination wait: traffic is on the replacement and ${originals} to be terminated${timer}`
}

/** The notice for a group held by a parked deployment: which, what it waits for, how to end it. */
export function parkedMessage(
  info: DeploymentInfo,
  parked: Parked,
  group: string,
  region: string | undefined
): string {
  const id = info.deploymentId ?? 'the active deployment'
  const end =
    parked === 'ready'
      ? `reroute its traffic with a step that has command: continue and deployment-id: ${id}`
      : `end the wait with a step that has command: continue and deployment-id: ${id} (the originals are terminated then)`
  const stop = region ? ` (${stopCommand(region, id, true)})` : ''
  const link = region ? ` ${consoleUrl(region, id)}` : ''
  return `Deployment group '${group}' is held by ${id}, a blue/green deployment ${situation(info, parked)}. This run waits for it until its own timeout. To go on now, ${end}, or stop it${stop}.${link}`
}

/**
 * A watch's onUpdate for someone else's deployment that holds the group: warns once each time it
 * becomes parked (at Ready, then again in its termination wait).
 */
export function announceParked(
  reporter: Reporter,
  group: string,
  region: string | undefined
): (info: DeploymentInfo) => void {
  let last: Parked | undefined
  return info => {
    const parked = parkedAt(info)
    if (parked && parked !== last) reporter.warning(parkedMessage(info, parked, group, region))
    last = parked
  }
}

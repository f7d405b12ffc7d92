/**
 * What a blue/green deployment carries beside an in-place one: its options copied from the group,
 * the original (Blue) and replacement (Green) instances, the wait it is in, and how readers see it
 * (deploymentStyle, blueGreenDeploymentConfiguration, instanceTerminationWaitTimeStarted). Also
 * ContinueDeployment, which ends the Ready wait or the wait before the originals are terminated.
 * The blue/green run itself is in ./blue-green.ts.
 */
import { ServiceError } from './errors.js'
import {
  TERMINAL,
  type BlueGreenConfiguration,
  type BlueGreenRun,
  type Deployment,
  type DeploymentGroup,
  type Instance,
  type InstanceRun
} from './model.js'

export const IN_PLACE_STYLE = {
  deploymentType: 'IN_PLACE',
  deploymentOption: 'WITHOUT_TRAFFIC_CONTROL'
} as const
export const BLUE_GREEN_STYLE = {
  deploymentType: 'BLUE_GREEN',
  deploymentOption: 'WITH_TRAFFIC_CONTROL'
} as const

/** What a blue/green group gets for the options it leaves out. */
export const DEFAULT_BLUE_GREEN: BlueGreenConfiguration = {
  terminateBlueInstancesOnDeploymentSuccess: {
    action: 'TERMINATE',
    terminationWaitTimeInMinutes: 60
  },
  deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
  greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' }
}

export function isBlueGreen(group: DeploymentGroup): boolean {
  return group.deploymentStyle?.deploymentType === 'BLUE_GREEN'
}

/**
 * The blue/green state of a new deployment to `group`, or undefined for an in-place one. A
 * rollback names the instances that get the traffic back (its replacement) and those it takes out.
 */
export function newBlueGreenRun(
  group: DeploymentGroup,
  rollback?: { original: Instance[]; replacement: Instance[] }
): BlueGreenRun | undefined {
  if (!rollback && !isBlueGreen(group)) return undefined
  return {
    configuration: structuredClone(group.blueGreenDeploymentConfiguration ?? DEFAULT_BLUE_GREEN),
    ...(group.loadBalancerInfo
      ? { loadBalancerInfo: structuredClone(group.loadBalancerInfo) }
      : {}),
    original: rollback?.original ?? [...group.instances],
    replacement: rollback?.replacement ?? [],
    isRollback: rollback !== undefined,
    instanceTerminationWaitTimeStarted: false
  }
}

/** The targets a blue/green deployment starts with; a new replacement fleet joins them later. */
export function blueGreenTargets(run: BlueGreenRun, now: Date): InstanceRun[] {
  const target = (instance: Instance, instanceLabel: 'Blue' | 'Green'): InstanceRun => ({
    instanceId: instance.instanceId,
    status: 'Pending',
    lastUpdatedAt: now,
    lifecycleEvents: [],
    instanceLabel
  })
  return [
    ...run.original.map(i => target(i, 'Blue')),
    ...run.replacement.map(i => target(i, 'Green'))
  ]
}

/** The members of DeploymentInfo that tell a deployment's style. */
export function blueGreenInfo(d: Deployment): object {
  if (!d.blueGreen)
    return { deploymentStyle: IN_PLACE_STYLE, instanceTerminationWaitTimeStarted: false }
  return {
    deploymentStyle: BLUE_GREEN_STYLE,
    blueGreenDeploymentConfiguration: d.blueGreen.configuration,
    loadBalancerInfo: d.blueGreen.loadBalancerInfo,
    instanceTerminationWaitTimeStarted: d.blueGreen.instanceTerminationWaitTimeStarted
  }
}

const WAIT_TYPES = ['READY_WAIT', 'TERMINATION_WAIT'] as const

/** ContinueDeployment: ends the wait named by `waitType` (READY_WAIT when none is given). */
export function continueWaiting(d: Deployment, waitType: string | undefined): void {
  const type = waitType ?? 'READY_WAIT'
  if (!(WAIT_TYPES as readonly string[]).includes(type))
    throw new ServiceError(
      'InvalidDeploymentWaitTypeException',
      `The wait type ${type} is invalid. Valid values: ${WAIT_TYPES.join(', ')}`
    )
  // EC2/on-premises blue/green instances, or an ECS deployment's task sets; Lambda has no waits.
  const bg = d.blueGreen ?? (d.computePlatform === 'ECS' ? d.traffic : undefined)
  if (!bg)
    throw new ServiceError(
      'UnsupportedActionForDeploymentTypeException',
      `ContinueDeployment is not supported for the ${d.computePlatform === 'Lambda' ? 'Lambda' : 'in-place'} deployment ${d.deploymentId}.`
    )
  if (TERMINAL.has(d.status))
    throw new ServiceError(
      'DeploymentAlreadyCompletedException',
      `The deployment ${d.deploymentId} has already completed.`
    )
  if (bg.waiting !== type || !bg.endWait) {
    throw new ServiceError(
      'DeploymentIsNotInReadyStateException',
      type === 'READY_WAIT'
        ? "The deployment does not have a status of Ready and can't continue yet."
        : `The deployment ${d.deploymentId} is not waiting to terminate its original instances.`
    )
  }
  bg.endWait()
}

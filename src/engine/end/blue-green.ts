/**
 * Blue/green deployments (EC2/on-premises, ECS): where following one pauses (the replacement
 * waiting at Ready for a traffic reroute; traffic moved and the originals waiting to be
 * terminated), ContinueDeployment for each of those waits, and `command: continue`, which checks
 * that the deployment named really waits before it asks CodeDeploy to move it on.
 */
import {
  ContinueDeploymentCommand,
  GetDeploymentCommand,
  type DeploymentInfo,
  type DeploymentWaitType
} from '@aws-sdk/client-codedeploy'
import { errorName } from '../aws/errors.js'
import type { Run } from '../context.js'
import { InputError, errorMessage } from '../errors.js'
import { fleetWords } from '../tell/fleet.js'
import { consoleUrl } from '../tell/links.js'
import { revisionOfDeployment } from '../revision/s3.js'
import { TERMINAL } from '../tell/record.js'

export type WaitType = Extract<DeploymentWaitType, 'READY_WAIT' | 'TERMINATION_WAIT'>

export function isBlueGreen(info: DeploymentInfo | undefined): boolean {
  return info?.deploymentStyle?.deploymentType === 'BLUE_GREEN'
}

/** Traffic is on the replacement and the originals wait to be terminated. */
export function inTerminationWait(info: DeploymentInfo): boolean {
  return info.status === 'InProgress' && info.instanceTerminationWaitTimeStarted === true
}

function continued(run: Run, type: WaitType): boolean {
  return run.record.blueGreen?.continued.includes(type) === true
}

/** Remembers the termination wait the first time it is seen: how long, and since when. */
export function noteTerminationWait(run: Run, info: DeploymentInfo): void {
  if (!inTerminationWait(info)) return
  const facts = (run.record.blueGreen ??= { continued: [] })
  if (facts.terminationWaitSeenAt !== undefined) return
  facts.terminationWaitSeenAt = run.clock.now()
  const terminate = info.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess
  if (terminate?.action !== 'KEEP_ALIVE')
    facts.terminationWaitMinutes = terminate?.terminationWaitTimeInMinutes ?? 60
  run.changed()
}

/**
 * Where following the run's deployment stops, per `on-ready` and `on-termination-wait`: `ready`
 * or `rerouted`, or undefined to keep following.
 */
export function pauseAt(run: Run): (info: DeploymentInfo) => string | undefined {
  return info => {
    if (!isBlueGreen(info)) return undefined
    if (info.status === 'Ready' && run.settings.onReady !== 'wait' && !continued(run, 'READY_WAIT'))
      return 'ready'
    if (inTerminationWait(info)) {
      noteTerminationWait(run, info)
      if (run.settings.onTerminationWait !== 'wait' && !continued(run, 'TERMINATION_WAIT'))
        return 'rerouted'
    }
    return undefined
  }
}

/** ContinueDeployment; a refusal because of the deployment's state is a clear InputError. */
export async function continueDeployment(run: Run, id: string, type: WaitType): Promise<void> {
  const words = fleetWords(run.record.platform)
  const what =
    type === 'READY_WAIT'
      ? `rerouting traffic to the ${words.replacement}`
      : `ending the wait before the ${words.original} ${run.record.platform === 'ECS' ? 'is' : 'are'} terminated`
  run.reporter.info(`Continuing ${id} (${type}): ${what}.`)
  try {
    await run.codedeploy.send(
      new ContinueDeploymentCommand({ deploymentId: id, deploymentWaitType: type }),
      run.signal ? { abortSignal: run.signal } : {}
    )
  } catch (error) {
    const name = errorName(error)
    if (
      name === 'DeploymentIsNotInReadyStateException' ||
      name === 'UnsupportedActionForDeploymentTypeException' ||
      name === 'DeploymentAlreadyCompletedException'
    ) {
      throw new InputError(
        `CodeDeploy would not continue ${id} with ${type} (${name}: ${errorMessage(error)}). See its state at ${consoleUrl(run.deps.region, id)}`
      )
    }
    throw error
  }
  const facts = (run.record.blueGreen ??= { continued: [] })
  facts.continued.push(type)
  run.changed()
}

/**
 * With `wait: false`, the deployment's state once after ContinueDeployment, so that the outputs
 * do not report the Ready read before it. CodeDeploy took it from its wait, so when the read fails
 * (or lags, still saying Ready) it is InProgress, rerouting, as far as this run knows.
 */
export async function readBack(run: Run, id: string): Promise<void> {
  try {
    const out = await run.codedeploy.send(
      new GetDeploymentCommand({ deploymentId: id }),
      run.signal ? { abortSignal: run.signal } : {}
    )
    if (out.deploymentInfo) run.saw(out.deploymentInfo)
  } catch (error) {
    run.reporter.warning(
      `Continued ${id}, but could not read its state afterwards (${errorName(error)}: ${errorMessage(error)}); reporting it InProgress.`
    )
  }
  const deployment = run.record.deployment
  if (deployment?.id === id && deployment.status === 'Ready') {
    deployment.status = 'InProgress'
    run.changed()
  }
}

function notWaiting(id: string, info: DeploymentInfo): string {
  const status = info.status ?? 'unknown'
  const { replacement } = fleetWords(info.computePlatform)
  const why = TERMINAL.has(status)
    ? 'It has already ended.'
    : status === 'InProgress'
      ? `It is still deploying the ${replacement}: continue it once it is Ready.`
      : `Continue it once it is Ready.`
  return `${id} is ${status}, not waiting: command 'continue' reroutes a blue/green deployment that is Ready, or ends the wait of one whose traffic is already on the ${replacement}. ${why}`
}

/**
 * With command `continue`, `application` and `deployment-group` are optional; when given, the
 * deployment must belong to them (a deployment-id passed from another environment's job is
 * refused rather than moved on).
 */
function checkBelongs(run: Run, id: string, info: DeploymentInfo): void {
  const { application, deploymentGroup } = run.settings
  const wrong: string[] = []
  if (application && info.applicationName !== application)
    wrong.push(`application '${application}'`)
  if (deploymentGroup && info.deploymentGroupName !== deploymentGroup)
    wrong.push(`deployment group '${deploymentGroup}'`)
  if (wrong.length === 0) return
  throw new InputError(
    `${id} belongs to application '${info.applicationName ?? '?'}', deployment group '${info.deploymentGroupName ?? '?'}', not to the ${wrong.join(' and ')} this step names. Check 'deployment-id' (does it come from this environment's job?), or correct 'application' and 'deployment-group' (or leave them out).`
  )
}

/**
 * Command `continue`: reads the deployment named in `deployment-id`, checks that it is a
 * blue/green deployment that waits, and fills the record with it. Returns the wait to end.
 */
export async function prepareContinue(run: Run, id: string): Promise<WaitType> {
  const { record } = run
  let info: DeploymentInfo | undefined
  try {
    const out = await run.codedeploy.send(
      new GetDeploymentCommand({ deploymentId: id }),
      run.signal ? { abortSignal: run.signal } : {}
    )
    info = out.deploymentInfo
  } catch (error) {
    if (errorName(error) === 'DeploymentDoesNotExistException')
      throw new InputError(
        `Deployment ${id} does not exist in ${run.deps.region}. Check 'deployment-id' and the region.`
      )
    throw error
  }
  if (!info) throw new Error(`GetDeployment returned nothing for ${id}`)
  checkBelongs(run, id, info)
  if (info.applicationName) record.application = info.applicationName
  if (info.deploymentGroupName) record.deploymentGroup = info.deploymentGroupName
  if (info.deploymentConfigName) record.deploymentConfig = info.deploymentConfigName
  if (info.computePlatform) record.platform = info.computePlatform
  const revision = revisionOfDeployment(info)
  if (revision) record.revision = revision
  if (!isBlueGreen(info))
    throw new InputError(
      `${id} is an in-place deployment (${info.status ?? 'unknown'}): only a blue/green deployment waits for a traffic reroute or for its original instances to be terminated, so there is nothing to continue.`
    )
  const type: WaitType | undefined =
    info.status === 'Ready'
      ? 'READY_WAIT'
      : inTerminationWait(info)
        ? 'TERMINATION_WAIT'
        : undefined
  if (!type) throw new InputError(notWaiting(id, info))
  record.deployment = { id, status: info.status ?? 'unknown', info, targets: [] }
  noteTerminationWait(run, info)
  run.changed()
  return type
}

/**
 * Moving a blue/green deployment on (EC2/on-premises, ECS): ContinueDeployment for each of its
 * waits (the replacement at Ready; traffic moved and the originals waiting to be terminated), and
 * `command: continue`, which checks that the deployment named really waits before it asks
 * CodeDeploy to move it on (./named.ts reads and checks it).
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { errorName } from '../aws/errors.js'
import { InputError, errorMessage } from '../errors.js'
import type { Ports } from '../ports.js'
import { fleetWords, inTerminationWait, isBlueGreen } from '../tell/fleet.js'
import { consoleUrl } from '../tell/links.js'
import { TERMINAL, type RunRecord } from '../tell/record.js'
import type { WaitType } from './decide.js'
import { readNamed } from './named.js'

/** Remembers the termination wait the first time it is seen: how long, and since when. */
export function noteTerminationWait(ports: Ports, record: RunRecord, info: DeploymentInfo): void {
  if (!inTerminationWait(info)) return
  const facts = (record.blueGreen ??= { continued: [] })
  if (facts.terminationWaitSeenAt !== undefined) return
  facts.terminationWaitSeenAt = ports.clock.now()
  const terminate = info.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess
  if (terminate?.action !== 'KEEP_ALIVE')
    facts.terminationWaitMinutes = terminate?.terminationWaitTimeInMinutes ?? 60
  ports.changed()
}

/** ContinueDeployment; a refusal because of the deployment's state is a clear InputError. */
export async function continueDeployment(
  ports: Ports,
  record: RunRecord,
  id: string,
  type: WaitType
): Promise<void> {
  const words = fleetWords(record.platform)
  const what =
    type === 'READY_WAIT'
      ? `rerouting traffic to the ${words.replacement}`
      : `ending the wait before the ${words.original} ${record.platform === 'ECS' ? 'is' : 'are'} terminated`
  ports.reporter.info(`Continuing ${id} (${type}): ${what}.`)
  try {
    await ports.gateway.continueDeployment(id, type)
  } catch (error) {
    const name = errorName(error)
    if (
      name === 'DeploymentIsNotInReadyStateException' ||
      name === 'UnsupportedActionForDeploymentTypeException' ||
      name === 'DeploymentAlreadyCompletedException'
    ) {
      throw new InputError(
        `CodeDeploy would not continue ${id} with ${type} (${name}: ${errorMessage(error)}). See its state at ${consoleUrl(record.region, id)}`
      )
    }
    throw error
  }
  const facts = (record.blueGreen ??= { continued: [] })
  facts.continued.push(type)
  ports.changed()
}

/**
 * With `wait: false`, the deployment's state once after ContinueDeployment, so that the outputs
 * do not report the Ready read before it. CodeDeploy took it from its wait, so when the read fails
 * (or lags, still saying Ready) it is InProgress, rerouting, as far as this run knows.
 */
export async function readBack(ports: Ports, record: RunRecord, id: string): Promise<void> {
  const deployment = record.deployment
  try {
    const info = await ports.gateway.deployment(id)
    if (deployment?.id === id) {
      deployment.info = info
      if (info.status) deployment.status = info.status
    }
  } catch (error) {
    ports.reporter.warning(
      `Continued ${id}, but could not read its state afterwards (${errorName(error)}: ${errorMessage(error)}); reporting it InProgress.`
    )
  }
  if (deployment?.id === id && deployment.status === 'Ready') deployment.status = 'InProgress'
  ports.changed()
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
 * Command `continue`: reads the deployment named in `deployment-id`, checks that it is a
 * blue/green deployment that waits, and fills the record with it. Returns the wait to end.
 */
export async function prepareContinue(
  ports: Ports,
  record: RunRecord,
  names: { application?: string; deploymentGroup?: string },
  id: string
): Promise<WaitType> {
  const info = await readNamed(ports, record, names, id)
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
  noteTerminationWait(ports, record, info)
  ports.changed()
  return type
}

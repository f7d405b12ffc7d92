/**
 * Creating the deployment, so that it is never lost. CreateDeployment is not idempotent, so it is
 * sent once, without the SDK's retries, and carries the run marker in its description. When its
 * answer is lost (a reset connection, a 5xx, a cancel that cut the wait short), the deployment is
 * looked for by that marker before anything else is said or tried. When the group is busy, the
 * active deployment is waited for, unless it is this run's own.
 */
import {
  CreateDeploymentCommand,
  GetDeploymentCommand,
  type CodeDeployClient,
  type CreateDeploymentCommandInput
} from '@aws-sdk/client-codedeploy'
import { errorName, httpStatus, isThrottling } from './aws-errors.js'
import type { Cancellation } from './cancellation.js'
import { cutDescription } from './description.js'
import { errorMessage } from './errors.js'
import { findByToken, findNewerRun, type NewerRun } from './guard.js'
import { formatMarker, parseMarker, type Marker } from './marker.js'
import type { Reporter } from './reporter.js'
import { sendOnce } from './send-once.js'
import { revisionLocation, type S3Revision } from './revision.js'
import type { AutoRollback, FileExistsBehavior } from './settings.js'
import { waitForDeployment, type Clock } from './watch.js'

export interface CreateRequest {
  application: string
  deploymentGroup: string
  deploymentConfig?: string
  revision: S3Revision
  /** The description without the marker; cut so that both fit the API's limit. */
  description: string
  marker: Marker
  autoRollback: AutoRollback
  fileExistsBehavior?: FileExistsBehavior
  ignoreApplicationStopFailures: boolean
  /** Skip when a newer run of the same workflow deployed, or is deploying, to the group. */
  skipIfSuperseded: boolean
}

export type CreateResult =
  | { kind: 'created'; id: string }
  | { kind: 'superseded'; by: NewerRun }
  /** Cancelled before a deployment was created (known: none exists). */
  | { kind: 'cancelled' }
  /** Cancelled while CreateDeployment's answer was lost, and no deployment was found in time. */
  | { kind: 'unknown'; why: string }
  /** The deadline passed while another deployment held the group. */
  | { kind: 'timeout'; active: string }

export interface CreateOptions {
  codedeploy: CodeDeployClient
  reporter: Reporter
  clock: Clock
  /** Give up waiting for a busy group at this time (ms since epoch). */
  deadline: number
  cancel: Cancellation
}

/** How long CreateDeployment may take before its answer counts as lost. */
export const CREATE_ANSWER_MS = 30_000
/** After a cancel, how much longer the answer of a CreateDeployment already sent is awaited. */
export const CREATE_ANSWER_AFTER_CANCEL_MS = 3_000
/** How long a deployment whose answer was lost is looked for before a new attempt. */
const LOOKUP_MS = 15_000
/** Of a cancel's budget, what the look-up leaves for stopping what it finds. */
const STOP_RESERVE_MS = 2_500
const MAX_ATTEMPTS = 4

const ACTIVE_ID = /\bd-[A-Z0-9]{9}\b/

export function createDeploymentInput(request: CreateRequest): CreateDeploymentCommandInput {
  const marker = formatMarker(request.marker)
  const input: CreateDeploymentCommandInput = {
    applicationName: request.application,
    deploymentGroupName: request.deploymentGroup,
    revision: revisionLocation(request.revision),
    description: `${cutDescription(request.description, marker.length + 1)} ${marker}`,
    ignoreApplicationStopFailures: request.ignoreApplicationStopFailures
  }
  if (request.deploymentConfig) input.deploymentConfigName = request.deploymentConfig
  if (request.fileExistsBehavior) input.fileExistsBehavior = request.fileExistsBehavior
  if (request.autoRollback === 'on-failure') {
    input.autoRollbackConfiguration = {
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']
    }
  } else if (request.autoRollback === 'off') {
    input.autoRollbackConfiguration = { enabled: false }
  }
  return input
}

type Sent = { id: string } | { error: unknown }

/**
 * One CreateDeployment. Its answer is awaited for CREATE_ANSWER_MS, and for at most
 * CREATE_ANSWER_AFTER_CANCEL_MS once the job is cancelled: the service may already have acted,
 * so the request is not cut at the cancel itself.
 */
async function sendCreate(
  codedeploy: CodeDeployClient,
  input: CreateDeploymentCommandInput,
  cancel: Cancellation
): Promise<Sent> {
  const limit = new AbortController()
  let timer = setTimeout(() => limit.abort(), CREATE_ANSWER_MS)
  const onCancel = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => limit.abort(), CREATE_ANSWER_AFTER_CANCEL_MS)
  }
  const unsubscribe = cancel.onCancel(onCancel)
  try {
    const out = await sendOnce(codedeploy, new CreateDeploymentCommand(input), limit.signal)
    if (!out.deploymentId) throw new Error('CreateDeployment returned no deployment id')
    return { id: out.deploymentId }
  } catch (error) {
    return { error }
  } finally {
    clearTimeout(timer)
    unsubscribe()
  }
}

/** A refusal the service answered (4xx other than throttling): nothing was created. */
function refused(error: unknown): boolean {
  const status = httpStatus(error)
  return status !== undefined && status >= 400 && status < 500 && !isThrottling(error)
}

async function isOurs(
  codedeploy: CodeDeployClient,
  id: string,
  marker: Marker,
  signal?: AbortSignal
): Promise<boolean> {
  try {
    const out = await codedeploy.send(
      new GetDeploymentCommand({ deploymentId: id }),
      signal ? { abortSignal: signal } : {}
    )
    return parseMarker(out.deploymentInfo?.description)?.token === marker.token
  } catch {
    return false
  }
}

/**
 * Creates the deployment. A busy group is waited for; a lost answer is looked for by the marker
 * (and the create tried again only once none is found); a newer run's deployment skips this one.
 */
export async function createDeployment(
  request: CreateRequest,
  options: CreateOptions
): Promise<CreateResult> {
  const { codedeploy, reporter, clock, cancel } = options
  const input = createDeploymentInput(request)
  const group = { application: request.application, deploymentGroup: request.deploymentGroup }
  let attempts = 0
  for (;;) {
    if (cancel.requested) return { kind: 'cancelled' }
    if (request.skipIfSuperseded) {
      const newer = await findNewerRun(codedeploy, group, request.marker, cancel.signal)
      if (newer) return { kind: 'superseded', by: newer }
    }
    if (cancel.requested) return { kind: 'cancelled' }
    attempts++
    const sentAt = Date.now()
    const sent = await sendCreate(codedeploy, input, cancel)
    if ('id' in sent) return { kind: 'created', id: sent.id }
    const error = sent.error

    if (errorName(error) === 'DeploymentLimitExceededException') {
      const active = ACTIVE_ID.exec(errorMessage(error))?.[0]
      if (!active) throw error
      if (await isOurs(codedeploy, active, request.marker, cancel.signal)) {
        reporter.info(`${active} is this run's own deployment (an earlier attempt got through).`)
        return { kind: 'created', id: active }
      }
      reporter.info(
        `Deployment group '${request.deploymentGroup}' is busy with ${active}; waiting for it to finish before starting this one.`
      )
      const outcome = await waitForDeployment(active, {
        codedeploy,
        reporter,
        clock,
        deadline: options.deadline,
        quiet: true,
        ...(cancel.signal ? { signal: cancel.signal } : {})
      })
      if (outcome.kind === 'cancelled') return { kind: 'cancelled' }
      if (outcome.kind === 'timeout') return { kind: 'timeout', active }
      reporter.info(
        `${active} ended ${outcome.deployment.status ?? ''}; creating the deployment now.`
      )
      continue
    }
    if (refused(error)) throw error
    if (isThrottling(error) && !cancel.requested) {
      if (attempts >= MAX_ATTEMPTS) throw error
      await clock.sleep(1000 * 2 ** attempts, cancel.signal)
      continue
    }

    // No answer: the deployment may exist. Find out before saying or trying anything else.
    reporter.warning(
      `CreateDeployment got no answer (${errorName(error)}: ${errorMessage(error)}); looking for the deployment it may have created.`
    )
    const until = cancel.requested ? cancel.deadline() - STOP_RESERVE_MS : clock.now() + LOOKUP_MS
    const found = await lookFor(codedeploy, group, request.marker, sentAt, until, clock)
    if (found) {
      reporter.info(`Found ${found}: CodeDeploy created it before the answer was lost.`)
      return { kind: 'created', id: found }
    }
    if (cancel.requested) {
      return {
        kind: 'unknown',
        why: `CreateDeployment did not answer before the cancel, and no deployment marked id=${request.marker.token} had appeared in group '${request.deploymentGroup}' by the time the job had to end.`
      }
    }
    if (attempts >= MAX_ATTEMPTS) throw error
    reporter.info('CodeDeploy created no deployment; trying again.')
  }
}

/** Looks for the marked deployment until `until`; transient failures of the look-up are retried. */
async function lookFor(
  codedeploy: CodeDeployClient,
  group: { application: string; deploymentGroup: string },
  marker: Marker,
  sentAt: number,
  until: number,
  clock: Clock
): Promise<string | undefined> {
  for (;;) {
    const left = until - clock.now()
    try {
      const found = await findByToken(
        codedeploy,
        group,
        marker.token,
        sentAt,
        AbortSignal.timeout(Math.max(250, left))
      )
      if (found) return found
    } catch {
      // Looked for again below while time is left.
    }
    if (clock.now() >= until) return undefined
    await clock.sleep(Math.min(500, Math.max(0, until - clock.now())))
  }
}

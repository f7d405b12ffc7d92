/**
 * Creating the deployment, so that it is never lost. CreateDeployment is not idempotent, so it is
 * sent once, without the SDK's retries, and carries the run marker in its description. When its
 * answer is lost (a reset connection, a 5xx, a cancel that cut the wait short), the deployment is
 * looked for by that marker before anything else is said or tried. A throttled send is an answer
 * (nothing was created), so it is sent again with backoff as long as a patient read would try.
 * When the group is busy, the
 * active deployment is waited for, unless it is this run's own; one parked at a blue/green wait
 * is named at once, with how to end it.
 */
import type {
  CreateDeploymentCommandInput,
  RevisionLocation,
  TargetInstances
} from '@aws-sdk/client-codedeploy'
import { errorName, httpStatus, isAccessDenied, isThrottling } from '../aws/errors.js'
import { PATIENCE_MS, patientPause, type Gateway } from '../aws/gateway.js'
import { unlessAborted, type Cancellation } from '../cancellation.js'
import { DESCRIPTION_LIMIT, cutDescription } from '../inputs/description.js'
import { InputError, errorMessage } from '../errors.js'
import { findByToken, findNewerRun, type NewerRun } from './guard.js'
import { formatMarker, parseMarker, type Marker } from './marker.js'
import { announceParked } from './parked.js'
import type { Reporter } from '../reporter.js'
import type { AutoRollback, FileExistsBehavior } from '../inputs/settings.js'
import { waitForDeployment } from '../follow/watch.js'
import { type Clock } from '../clock.js'

export interface CreateRequest {
  application: string
  deploymentGroup: string
  deploymentConfig?: string
  /** An S3 bundle (EC2/on-premises) or an inline AppSpec (ECS, Lambda). */
  location: RevisionLocation
  /** The description without the marker; cut so that both fit the API's limit. */
  description: string
  marker: Marker
  autoRollback: AutoRollback
  fileExistsBehavior?: FileExistsBehavior
  ignoreApplicationStopFailures: boolean
  /** The group watches CloudWatch alarms: `on-failure` rolls back an alarm's stop too. */
  rollbackOnAlarm?: boolean
  /** Skip when a newer run of the same workflow deployed, or is deploying, to the group. */
  skipIfSuperseded: boolean
  /** Blue/green EC2: the replacement environment's instances. */
  targetInstances?: TargetInstances
  /** In-place EC2: only the instances that do not run this revision yet. */
  outdatedInstancesOnly?: boolean
  /**
   * Some of the group's alarms are ignored: those still watched (none: alarm polling is off for
   * this deployment), and the group's ignorePollAlarmFailure.
   */
  alarmOverride?: { watched: string[]; ignorePollAlarmFailure: boolean }
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
  gateway: Gateway
  reporter: Reporter
  clock: Clock
  /** Give up waiting for a busy group at this time (ms since epoch). */
  deadline: number
  cancel: Cancellation
  /** For console links in what is said about a deployment that holds the group. */
  region?: string
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
    revision: request.location,
    description: `${cutDescription(request.description, marker.length + 1)} ${marker}`,
    ignoreApplicationStopFailures: request.ignoreApplicationStopFailures
  }
  if (request.deploymentConfig) input.deploymentConfigName = request.deploymentConfig
  if (request.fileExistsBehavior) input.fileExistsBehavior = request.fileExistsBehavior
  if (request.targetInstances) input.targetInstances = request.targetInstances
  if (request.outdatedInstancesOnly) input.updateOutdatedInstancesOnly = true
  const override = request.alarmOverride
  if (override)
    input.overrideAlarmConfiguration =
      override.watched.length === 0
        ? { enabled: false }
        : {
            enabled: true,
            ignorePollAlarmFailure: override.ignorePollAlarmFailure,
            alarms: override.watched.map(name => ({ name }))
          }
  if (request.autoRollback === 'on-failure') {
    input.autoRollbackConfiguration = {
      enabled: true,
      events: [
        'DEPLOYMENT_FAILURE',
        'DEPLOYMENT_STOP_ON_REQUEST',
        ...(request.rollbackOnAlarm ? (['DEPLOYMENT_STOP_ON_ALARM'] as const) : [])
      ]
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
  gateway: Gateway,
  input: CreateDeploymentCommandInput,
  cancel: Cancellation,
  clock: Clock
): Promise<Sent> {
  const limit = new AbortController()
  const end = (): void => limit.abort()
  clock.after(CREATE_ANSWER_MS).addEventListener('abort', end, { once: true })
  const onCancel = (): void => {
    clock.after(CREATE_ANSWER_AFTER_CANCEL_MS).addEventListener('abort', end, { once: true })
  }
  const unsubscribe = cancel.onCancel(onCancel)
  try {
    return { id: await gateway.createDeployment(input, limit.signal) }
  } catch (error) {
    return { error }
  } finally {
    unsubscribe()
  }
}

/** A refusal the service answered (4xx other than throttling): nothing was created. */
function refused(error: unknown): boolean {
  const status = httpStatus(error)
  return status !== undefined && status >= 400 && status < 500 && !isThrottling(error)
}

/**
 * Whether the group's active deployment is this run's own (an earlier attempt got through): true,
 * false, or undefined when it could not be read (the read rides out throttling and faults).
 */
async function isOurs(gateway: Gateway, id: string, marker: Marker): Promise<boolean | undefined> {
  try {
    const info = await gateway.deployment(id, { patient: true })
    return parseMarker(info.description)?.token === marker.token
  } catch {
    return undefined
  }
}

/** The guard, whose failure must not stop a deploy: a missing permission is named, a fault skipped. */
async function newerRun(
  request: CreateRequest,
  options: CreateOptions
): Promise<NewerRun | undefined> {
  const group = { application: request.application, deploymentGroup: request.deploymentGroup }
  try {
    return await findNewerRun(options.gateway, group, request.marker)
  } catch (error) {
    if (options.cancel.requested) return undefined
    if (isAccessDenied(error))
      throw new InputError(
        `Access denied while checking for a newer run (${errorName(error)}). Allow codedeploy:ListDeployments, codedeploy:BatchGetDeployments and codedeploy:GetDeploymentGroup for the role this workflow assumes, or set skip-if-superseded: false.`
      )
    options.reporter.warning(
      `Could not check whether a newer run already deployed (${errorName(error)}: ${errorMessage(error)}); deploying anyway.`
    )
    return undefined
  }
}

/**
 * Creates the deployment. A busy group is waited for; a lost answer is looked for by the marker
 * (and the create tried again only once none is found); a newer run's deployment skips this one.
 * Once an answer was lost and its deployment not found, a cancel says so rather than "none".
 */
export async function createDeployment(
  request: CreateRequest,
  options: CreateOptions
): Promise<CreateResult> {
  const { gateway, reporter, clock, cancel } = options
  const input = createDeploymentInput(request)
  const group = { application: request.application, deploymentGroup: request.deploymentGroup }
  /** Sends whose answer was lost (or failed) and whose deployment was not found. */
  let lost = 0
  /** Throttled sends in a row, and when the first of them was answered. */
  let throttled = 0
  let throttledSince: number | undefined
  /** When an attempt's answer was lost and its deployment not found: the first such send. */
  let uncertainSince: number | undefined
  const onCancel = async (): Promise<CreateResult> => {
    if (uncertainSince === undefined) return { kind: 'cancelled' }
    const found = await lookFor(gateway, group, request.marker, uncertainSince, options, 0)
    return found ? { kind: 'created', id: found } : lostAnswer(request)
  }
  for (;;) {
    if (cancel.requested) return onCancel()
    if (request.skipIfSuperseded) {
      const newer = await newerRun(request, options)
      if (newer) return { kind: 'superseded', by: newer }
    }
    if (cancel.requested) return onCancel()
    const sentAt = clock.now()
    const sent = await sendCreate(gateway, input, cancel, clock)
    if ('id' in sent) return { kind: 'created', id: sent.id }
    const error = sent.error
    if (!isThrottling(error)) throttled = 0

    if (errorName(error) === 'DeploymentLimitExceededException') {
      const active = ACTIVE_ID.exec(errorMessage(error))?.[0]
      if (!active) throw error
      const ours = await isOurs(gateway, active, request.marker)
      if (ours === true) {
        reporter.info(`${active} is this run's own deployment (an earlier attempt got through).`)
        return { kind: 'created', id: active }
      }
      if (ours === undefined) {
        if (cancel.requested) return onCancel()
        throw new Error(
          `Deployment group '${request.deploymentGroup}' is busy with ${active}, and CodeDeploy did not say whether it is this run's own deployment; nothing more was created. Look at ${active} before running again.`
        )
      }
      reporter.info(
        `Deployment group '${request.deploymentGroup}' is busy with ${active}; waiting for it to finish before starting this one.`
      )
      const outcome = await waitForDeployment(active, {
        gateway,
        reporter,
        clock,
        deadline: options.deadline,
        quiet: true,
        onUpdate: announceParked(reporter, request.deploymentGroup, options.region),
        ...(cancel.signal ? { signal: cancel.signal } : {})
      })
      if (outcome.kind === 'cancelled') return onCancel()
      if (outcome.kind === 'timeout') return { kind: 'timeout', active }
      reporter.info(
        `${active} ended ${outcome.deployment?.status ?? ''}; creating the deployment now.`
      )
      continue
    }
    if (errorName(error) === 'DescriptionTooLongException' && !shortened(input)) {
      input.description = `${cutDescription(request.description, DESCRIPTION_LIMIT - SHORT_DESCRIPTION + formatMarker(request.marker).length + 1)} ${formatMarker(request.marker)}`
      reporter.warning('CodeDeploy found the description too long; sending a shorter one.')
      continue
    }
    if (refused(error)) throw error
    if (isThrottling(error)) {
      // CodeDeploy answered, and created nothing: sending again cannot duplicate. Ridden out
      // like the checks before it, for up to PATIENCE_MS and never past the deadline.
      if (cancel.requested) return onCancel()
      if (throttled++ === 0) throttledSince = clock.now()
      const pause = patientPause(throttled)
      const until = Math.min((throttledSince ?? clock.now()) + PATIENCE_MS, options.deadline)
      if (clock.now() + pause >= until) throw error
      await clock.sleep(pause, cancel.signal)
      continue
    }

    // No answer: the deployment may exist. Find out before saying or trying anything else.
    reporter.warning(
      `CreateDeployment got no answer (${errorName(error)}: ${errorMessage(error)}); looking for the deployment it may have created.`
    )
    uncertainSince ??= sentAt
    const found = await lookFor(gateway, group, request.marker, uncertainSince, options, LOOKUP_MS)
    if (found) {
      reporter.info(`Found ${found}: CodeDeploy created it before the answer was lost.`)
      return { kind: 'created', id: found }
    }
    if (cancel.requested) return lostAnswer(request)
    if (++lost >= MAX_ATTEMPTS) throw error
    reporter.info('CodeDeploy created no deployment; trying again.')
  }
}

function lostAnswer(request: CreateRequest): CreateResult {
  return {
    kind: 'unknown',
    why: `CreateDeployment did not answer before the cancel, and no deployment marked id=${request.marker.token} had appeared in group '${request.deploymentGroup}' by the time the job had to end. Look for it in the group's deployments and stop it if it is there.`
  }
}

/** The shorter description sent once CodeDeploy refuses the first as too long. */
const SHORT_DESCRIPTION = 100

function shortened(input: CreateDeploymentCommandInput): boolean {
  return [...(input.description ?? '')].length <= SHORT_DESCRIPTION
}

/**
 * Looks for the marked deployment for up to `forMs` (0: as long as a cancel's budget allows),
 * never past the cancel's budget less what stopping it needs; transient failures are retried.
 */
async function lookFor(
  gateway: Gateway,
  group: { application: string; deploymentGroup: string },
  marker: Marker,
  sentAt: number,
  options: CreateOptions,
  forMs: number
): Promise<string | undefined> {
  const { clock, cancel } = options
  const started = clock.now()
  const until = (): number =>
    Math.min(started + (forMs || LOOKUP_MS), cancel.deadline() - STOP_RESERVE_MS)
  for (;;) {
    const left = until() - clock.now()
    try {
      const signal = AbortSignal.any([
        clock.after(Math.max(250, left)),
        cancel.budgetSignal(STOP_RESERVE_MS)
      ])
      const found = await unlessAborted(
        findByToken(gateway, group, marker.token, { sentAt, now: clock.now() }, signal),
        signal
      )
      if (found) return found
    } catch {
      // Looked for again below while time is left.
    }
    if (clock.now() >= until()) return undefined
    await clock.sleep(Math.min(500, Math.max(0, until() - clock.now())))
  }
}

/**
 * The one place that carries out what ./decide.ts decides and sets how the run ended. Each turn:
 * ask `decide` what to do with what was just seen, do it (follow the deployment, continue it, stop
 * it, find and follow its rollback), record what came of it (facts are only added), say it, and
 * ask again with what that showed, until a decision finishes the run. `finish` is the only code
 * that sets `record.outcome`.
 */
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { InputError, errorMessage } from '../errors.js'
import type { WatchOutcome } from '../follow/watch.js'
import { waitForDeployment } from '../follow/watch.js'
import type { Ports } from '../ports.js'
import { diagnose, failureMessage, tailLines } from '../tell/diagnose.js'
import { fleetWords } from '../tell/fleet.js'
import { duration, headline, stillRunning } from '../tell/headline.js'
import { consoleUrl } from '../tell/links.js'
import { TERMINAL, type Outcome, type RunRecord } from '../tell/record.js'
import { continueDeployment, noteTerminationWait, readBack } from './continue.js'
import { decide, type Decision, type Seen, type WaitType } from './decide.js'
import { followRollback } from './rollback.js'
import { stopWithin, type StopResult } from './stop.js'

/** After a timeout's stop, how long the deployment is read until it shows its end. */
const SETTLE_MS = 60_000

export interface DriveLimits {
  /** When the run's timeout passes (clock ms). */
  deadline: number
  /** When the run began: the watch's budget of calls counts from here. */
  startedAt: number
  /** Pause between status checks (min), and the longest one while CodeDeploy throttles (max). */
  pollIntervalMs?: { min: number; max: number }
  /** How long to wait for CodeDeploy to link a rollback deployment to a failed one. */
  rollbackLinkWaitMs?: number
}

export class Drive {
  /** How long a rollback is followed: set when the deployment fails or the timeout passes. */
  private rollbackUntil: number | undefined
  /** The last stop's answer, for the rollback a cancel's stop started. */
  private lastStop: StopResult | undefined
  private title = ''

  constructor(
    private readonly ports: Ports,
    private readonly record: RunRecord,
    private readonly limits: DriveLimits
  ) {}

  /** Ends the run from `seen`: decides, carries out, and decides again until it finishes. */
  async end(seen: Seen, title?: string): Promise<void> {
    if (title) this.title = title
    let next: Seen | undefined = seen
    while (next) next = await this.carry(decide(this.record, next))
  }

  /** A stage failed: what is known of the failure goes into the record, then the run ends. */
  async failed(error: unknown): Promise<void> {
    const { record, ports } = this
    const cancelled = ports.cancel.requested
    if (!(cancelled && !record.deployment)) {
      record.error = {
        message: errorMessage(error),
        ...(error instanceof InputError ? { input: true } : {})
      }
      const annotation = error instanceof InputError ? error.annotation : undefined
      if (annotation) record.error.annotation = annotation
      // An appspec problem points at its file and line; the step's failure line says the rest.
      if (annotation?.file) ports.reporter.error(errorMessage(error), annotation)
      const deployment = record.deployment
      if (deployment && !TERMINAL.has(deployment.status))
        ports.reporter.error(
          `${deployment.id} keeps running, no longer followed by this run: ${consoleUrl(record.region, deployment.id)}`
        )
    }
    await this.end({ kind: 'error', cancelled })
  }

  private get id(): string {
    return this.record.deployment?.id ?? ''
  }

  /** Carries one decision out; what it showed, or undefined once the run is finished. */
  private async carry(decision: Decision): Promise<Seen | undefined> {
    switch (decision.kind) {
      case 'follow':
      case 'wait':
        return this.follow()
      case 'continue':
        await this.continue(decision.type)
        return this.follow()
      case 'stop':
        return this.stop(decision.why, decision.rollback)
      case 'detach':
        await this.detach()
        return { kind: 'rollback-noted' }
      case 'settle':
        if (decision.explain) this.explain()
        return this.settle()
      case 'find-rollback': {
        if (decision.explain) this.explain()
        this.rollbackUntil ??= this.ports.clock.now() + this.rollbackMs()
        const until = this.rollbackUntil
        return followRollback(this.ports, this.record, {
          until,
          linkWaitMs: this.limits.rollbackLinkWaitMs ?? 30_000,
          // The rollback is under way when its link is read: read it at once.
          watch: (id, onUpdate) => this.watch(id, until, onUpdate, undefined, 0)
        })
      }
      case 'follow-rollback':
        // Found and followed in one group: see rollback().
        return { kind: 'rollback-ended' }
      case 'note-rollback':
        if (decision.explain) this.explain()
        await this.noteRollback()
        return { kind: 'rollback-noted' }
      case 'finish':
        await this.finish(decision)
        return undefined
    }
  }

  /** The only place the outcome is set. */
  private async finish(decision: Extract<Decision, { kind: 'finish' }>): Promise<void> {
    const { record, ports } = this
    if (decision.explain) this.explain()
    if (decision.note) record.notes.push(decision.note)
    if (decision.readBack) await readBack(ports, record, this.id)
    this.setOutcome(decision.outcome)
    const note = decision.note
    if (note?.kind === 'kept-rerouted') {
      const why =
        note.why === 'timeout'
          ? `The ${duration(record.policy?.timeoutSeconds ?? 0)} timeout passed`
          : 'The job was cancelled'
      ports.reporter.warning(`${why}; ${headline(record)}`)
    } else if (
      decision.outcome === 'ready' ||
      decision.outcome === 'rerouted' ||
      decision.outcome === 'stopped'
    ) {
      ports.reporter.notice(headline(record))
    } else if (decision.outcome === 'succeeded' && record.stage === 'deploy' && !record.stop) {
      const count = record.deployment?.targets.length ?? 0
      const noun = (record.platform ?? 'Server') === 'Server' ? 'instance' : 'target'
      ports.reporter.info(
        `${this.id} Succeeded${count ? ` on ${count} ${noun}${count === 1 ? '' : 's'}` : ''}.`
      )
    }
  }

  private setOutcome(outcome: Outcome): void {
    this.record.outcome = outcome
  }

  /** Records a read of the run's deployment. */
  private saw(info: DeploymentInfo): void {
    const deployment = this.record.deployment
    if (!deployment || info.deploymentId !== deployment.id) return
    const before = deployment.status
    deployment.info = info
    if (info.status) deployment.status = info.status
    if (deployment.status !== before) this.ports.changed()
  }

  private absorb(outcome: WatchOutcome): void {
    const deployment = this.record.deployment
    if (!deployment) return
    if (outcome.targets.length) deployment.targets = outcome.targets
    if (outcome.deployment) this.saw(outcome.deployment)
  }

  /**
   * Follows `id` until `until`, reporting each step, stopping where `pauseWhen` says, reading it
   * first `firstReadMs` after it starts (pace.ts's unit by default).
   */
  private watch(
    id: string,
    until: number,
    onUpdate?: (info: DeploymentInfo) => void,
    pauseWhen?: (info: DeploymentInfo) => string | undefined,
    firstReadMs?: number
  ): Promise<WatchOutcome> {
    const { ports, record, limits } = this
    const intervals = limits.pollIntervalMs
    const cancel = ports.cancel.signal
    return waitForDeployment(id, {
      gateway: ports.gateway,
      reporter: ports.reporter,
      clock: ports.clock,
      deadline: until,
      ...(cancel ? { signal: cancel } : {}),
      ...(intervals ? { minIntervalMs: intervals.min, maxIntervalMs: intervals.max } : {}),
      ...(onUpdate ? { onUpdate } : {}),
      ...(pauseWhen ? { pauseWhen } : {}),
      ...(firstReadMs !== undefined ? { firstReadMs } : {}),
      ...(record.platform && record.platform !== 'Server' ? { targetsLabel: 'Targets' } : {}),
      budget: { since: limits.startedAt, spent: () => ports.gateway.calls },
      onTraffic: traffic => {
        if (record.deployment?.id !== id) return
        record.deployment.traffic = traffic
        ports.changed()
      }
    })
  }

  /** Follows the run's deployment until decide says to do something else. */
  private async follow(): Promise<Seen> {
    const { ports, record } = this
    const id = this.id
    record.stage = 'deploy'
    let readySaid = false
    const title = this.title || `Deploying ${id}`
    const outcome = await ports.reporter.group(title, () =>
      this.watch(
        id,
        this.limits.deadline,
        info => {
          this.saw(info)
          noteTerminationWait(ports, record, info)
          const decision = decide(record, { kind: 'state', info })
          if (decision.kind === 'wait' && decision.at === 'ready' && !readySaid) {
            readySaid = true
            ports.reporter.notice(readyNotice(record, id, info))
          }
        },
        info => {
          const kind = decide(record, { kind: 'state', info }).kind
          return kind === 'follow' || kind === 'wait' ? undefined : kind
        }
      )
    )
    this.absorb(outcome)
    if (outcome.kind === 'cancelled') return { kind: 'cancel' }
    if (outcome.kind === 'timeout') return { kind: 'timeout' }
    return { kind: 'state', info: outcome.deployment }
  }

  /**
   * Continues the deployment; when CodeDeploy refuses because its state moved on meanwhile
   * (someone else continued it, or the group's wait ran out), says so and follows it as it is.
   */
  private async continue(type: WaitType): Promise<void> {
    const { ports, record } = this
    try {
      await continueDeployment(ports, record, this.id, type)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      ports.reporter.warning(`${errorMessage(error)} Following it as it is.`)
      const facts = (record.blueGreen ??= { continued: [] })
      facts.continued.push(type)
    }
    this.title =
      type === 'READY_WAIT'
        ? `Rerouting traffic of ${this.id}`
        : `Terminating the ${fleetWords(record.platform).original} of ${this.id}`
  }

  private rollbackMs(): number {
    return (this.record.policy?.rollbackTimeoutSeconds ?? 0) * 1000
  }

  /** Stops the deployment (the timeout, a cancel, or command stop), within the time each leaves. */
  private async stop(why: 'cancel' | 'timeout' | 'request', rollback: boolean): Promise<Seen> {
    const { ports, record } = this
    const id = this.id
    const now = ports.clock.now()
    let until: number
    if (why !== 'cancel') {
      this.rollbackUntil = now + this.rollbackMs()
      until = Math.min(this.rollbackUntil, now + SETTLE_MS)
      if (why === 'timeout')
        ports.reporter.warning(
          `${id} did not finish within the ${duration(record.policy?.timeoutSeconds ?? 0)} timeout; stopping it.`
        )
    } else {
      record.cancel = { onCancel: record.policy?.onCancel ?? 'stop-and-rollback' }
      until = ports.cancel.deadline()
      ports.reporter.warning(`Job cancelled; stopping ${id}${rollback ? ' and rolling back' : ''}.`)
    }
    const result = await stopWithin({
      gateway: ports.gateway,
      reporter: ports.reporter,
      clock: ports.clock,
      deploymentId: id,
      autoRollbackEnabled: rollback,
      until,
      cancel: ports.cancel
    })
    this.lastStop = result
    if (result.info) this.saw(result.info)
    const stop: NonNullable<RunRecord['stop']> = { why, rollback, accepted: result.accepted }
    const status = result.info?.status
    if (result.alreadyEnded && (status === 'Succeeded' || status === 'Failed'))
      stop.endedBefore = status
    else if (result.alreadyEnded && status === 'Stopped' && why === 'request')
      stop.endedBefore = status
    record.stop = stop
    if (!result.accepted) {
      stop.failure = result.why ?? 'no answer in time'
      ports.reporter.error(stillRunning(record, id, rollback, stop.failure))
    }
    ports.changed()
    return { kind: 'stopped', result }
  }

  /** on-cancel: detach: the deployment goes on; one read so the record shows its state. */
  private async detach(): Promise<void> {
    const { ports, record } = this
    const id = this.id
    record.cancel = { onCancel: 'detach' }
    const info = await ports.gateway.deploymentIfAnswered(id, ports.cancel.deadline(), {
      afterCancel: true
    })
    if (info) this.saw(info)
    ports.reporter.warning(
      `Job cancelled; ${id} keeps running (on-cancel: detach). Follow it at ${consoleUrl(record.region, id)}`
    )
  }

  /** After a timeout's stop: reads the deployment until it shows its end. */
  private async settle(): Promise<Seen> {
    const until = Math.min(this.rollbackUntil ?? Infinity, this.ports.clock.now() + SETTLE_MS)
    const settled = await this.watch(this.id, until)
    this.absorb(settled)
    return {
      kind: 'settled',
      cancelled: settled.kind === 'cancelled' || this.ports.cancel.requested
    }
  }

  /** After a cancel's stop: the rollback CodeDeploy started, read once if the budget allows. */
  private async noteRollback(): Promise<void> {
    const { ports, record } = this
    const link = this.lastStop?.info?.rollbackInfo
    if (!this.lastStop?.accepted || !link) return
    if (link.rollbackDeploymentId) {
      const id = link.rollbackDeploymentId
      const started = await ports.gateway.deploymentIfAnswered(id, ports.cancel.deadline(), {
        afterCancel: true
      })
      record.rollback = {
        id,
        followed: false,
        ...(started?.status ? { status: started.status } : {}),
        ...(link.rollbackMessage ? { message: link.rollbackMessage } : {})
      }
      ports.reporter.info(`Rollback ${id} started: ${consoleUrl(record.region, id)}`)
    } else if (link.rollbackMessage) {
      record.rollback = { message: link.rollbackMessage, followed: false }
    }
    ports.changed()
  }

  /** The diagnosis into the record, the log and one detailed annotation. */
  private explain(): void {
    const { ports, record } = this
    const deployment = record.deployment
    const info = deployment?.info
    if (!deployment || !info) return
    const diagnosis = diagnose(info, deployment.targets)
    deployment.diagnosis = diagnosis
    const first = diagnosis.failures[0]
    ports.reporter.info(
      first?.logTail ? `${diagnosis.headline}\n${tailLines(first.logTail)}` : diagnosis.headline
    )
    ports.reporter.error(failureMessage(info, diagnosis), {
      title: diagnosis.alarms
        ? `Stopped by CloudWatch alarm${diagnosis.alarms.length === 1 ? '' : 's'} ${diagnosis.alarms.join(', ')}`
        : first
          ? `${first.event} failed on ${first.instanceId}`
          : `Deployment ${info.status ?? 'failed'}`
    })
  }
}

/** The notice for a deployment waiting at Ready that this run leaves to the group's timer or a person. */
function readyNotice(record: RunRecord, id: string, info: DeploymentInfo): string {
  const ready = info.blueGreenDeploymentConfiguration?.deploymentReadyOption
  const then =
    ready?.actionOnTimeout === 'CONTINUE_DEPLOYMENT'
      ? `CodeDeploy reroutes traffic by itself after the group's ${ready.waitTimeInMinutes ?? 0}-minute wait`
      : `unless someone continues it (command: continue, deployment-id: ${id}), CodeDeploy stops it at the end of the group's ${ready?.waitTimeInMinutes ?? 0}-minute wait`
  return `${id} is Ready: ${fleetWords(record.platform).passed}; ${then}.`
}

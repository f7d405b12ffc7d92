/**
 * Runs ECS and Lambda deployments: Created → InProgress → Succeeded / Failed / Stopped through
 * the platform's lifecycle events, hooks waiting for their status, traffic shifted by the
 * config's steps (minutes divided by the time compression), traffic back to the original on
 * failure or stop, the ECS Ready and termination waits (ended early by ContinueDeployment), and
 * the automatic rollback as a new deployment of the group's last successful revision.
 */
import type { World } from '../../ecs-lambda/world.js'
import { broken, endDeployment, failed } from '../ending.js'
import type { ContentRevisionLocation, Deployment, DeploymentGroup } from '../model.js'
import { TERMINAL } from '../model.js'
import { Runs, type RunsOptions } from '../runs.js'
import type { CodeDeployService, Lifecycle } from '../service.js'
import { parsePlatformAppSpec, revisionContent } from './appspec.js'
import { trafficSteps } from './configs.js'
import { runHook } from './hooks.js'
import { READY_TIMEOUT_MESSAGE, waitForContinue, type WaitEnd } from './waits.js'
import {
  complete,
  install,
  newTraffic,
  pendingEvents,
  setUp,
  setWeight,
  shiftBack,
  terminateBlue,
  type ErrorInfo
} from './shift.js'

export interface TrafficOptions {
  world: World
  /** Pause between lifecycle events (ms). */
  stepDelayMs: number
  /** A configured minute lasts 60 000 / timeCompression ms. */
  timeCompression: number
  runs: RunsOptions
}

const HOOK_TIMEOUT_MINUTES = 60

export class TrafficEngine implements Lifecycle {
  private readonly runs: Runs

  constructor(
    private readonly service: CodeDeployService,
    private readonly options: TrafficOptions
  ) {
    this.runs = new Runs(options.runs)
  }

  start(d: Deployment): void {
    const group = this.group(d)
    const appspec = parsePlatformAppSpec(
      revisionContent(d.revision as ContentRevisionLocation),
      d.computePlatform!
    )
    d.traffic = newTraffic(appspec, group, this.options.world)
    d.instances = [
      {
        instanceId: d.traffic.targetId,
        status: 'Pending',
        lastUpdatedAt: new Date(),
        lifecycleEvents: pendingEvents(appspec.platform)
      }
    ]
    this.runs.start(
      d.deploymentId,
      signal => this.run(d, group, signal),
      error => {
        if (TERMINAL.has(d.status)) return
        shiftBack(d, this.options.world)
        endDeployment(this.service, d, broken(error))
      }
    )
  }

  stop(d: Deployment): void {
    this.runs.stop(d.deploymentId)
  }

  idle(): Promise<void> {
    return this.runs.idle()
  }

  close(): Promise<void> {
    return this.runs.close()
  }

  private minutes(minutes: number): number {
    return (minutes * 60_000) / this.options.timeCompression
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0 || signal.aborted) return Promise.resolve()
    return new Promise(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  private group(d: Deployment): DeploymentGroup {
    const group = this.service.applications
      .get(d.applicationName)
      ?.groups.get(d.deploymentGroupName)
    if (!group) throw new Error(`group ${d.deploymentGroupName} vanished`)
    return group
  }

  /** One lifecycle event; undefined when it succeeded. */
  private async step(
    d: Deployment,
    group: DeploymentGroup,
    name: string,
    signal: AbortSignal
  ): Promise<ErrorInfo | undefined> {
    const fn = d.traffic!.appspec.hooks[name]
    if (fn) {
      const result = await runHook(
        {
          service: this.service,
          world: this.options.world,
          reportDelayMs: this.options.stepDelayMs,
          timeoutMs: this.minutes(HOOK_TIMEOUT_MINUTES)
        },
        d,
        name,
        fn,
        signal
      )
      if (result === 'Succeeded' || result === 'Aborted') return undefined
      return {
        code: 'HOOK_EXECUTION_FAILURE',
        message:
          result === 'Failed'
            ? `The ${name} hook function ${fn} reported Failed.`
            : `The ${name} hook function ${fn} did not report a status within ${HOOK_TIMEOUT_MINUTES} minutes.`
      }
    }
    if (name === 'Install') return install(d, group, this.options.world)
    if (name === 'AllowTraffic') {
      const { weights, minutes } = trafficSteps(this.service.config(d.deploymentConfigName))
      for (const [i, weight] of weights.entries()) {
        if (signal.aborted) break
        setWeight(d, this.options.world, weight)
        if (i < weights.length - 1) await this.sleep(this.minutes(minutes), signal)
      }
    }
    return undefined
  }

  private async run(d: Deployment, group: DeploymentGroup, signal: AbortSignal): Promise<void> {
    const world = this.options.world
    await this.sleep(this.options.stepDelayMs, signal)
    const run = d.instances[0]!
    if (!signal.aborted) {
      d.status = 'InProgress'
      d.startTime = new Date()
    }
    let failure = signal.aborted ? undefined : setUp(d, group, world)
    if (!failure) run.status = 'InProgress'
    for (const event of run.lifecycleEvents) {
      if (failure || signal.aborted) break
      if (event.lifecycleEventName === 'BeforeAllowTraffic') {
        const ready = await this.readyWait(d, group, signal)
        if (ready === 'timeout') return this.readyTimedOut(d)
        if (signal.aborted) break
      }
      event.status = 'InProgress'
      event.startTime = new Date()
      run.lastUpdatedAt = event.startTime
      failure = await this.step(d, group, event.lifecycleEventName, signal)
      event.endTime = new Date()
      run.lastUpdatedAt = event.endTime
      event.status = signal.aborted ? 'Unknown' : failure ? 'Failed' : 'Succeeded'
      if (!failure) await this.sleep(this.options.stepDelayMs, signal)
    }
    for (const event of run.lifecycleEvents)
      if (event.status === 'Pending') event.status = 'Skipped'
    const termination =
      group.platform?.blueGreenDeploymentConfiguration?.terminateBlueInstancesOnDeploymentSuccess
    if (!failure && !signal.aborted && d.computePlatform === 'ECS') {
      complete(d, group, world)
      // A rollback drains the failed replacement at once, as on EC2/on-premises.
      if (d.creator === 'codeDeployRollback') terminateBlue(d)
      else if (termination?.action !== 'KEEP_ALIVE') {
        d.traffic!.terminationWaitStarted = true
        const ms = this.minutes(termination?.terminationWaitTimeInMinutes ?? 0)
        await waitForContinue(d.traffic!, 'TERMINATION_WAIT', ms, signal, () => undefined)
        if (!signal.aborted) terminateBlue(d)
      }
    }
    if (signal.aborted && d.stop) {
      shiftBack(d, world)
      run.status = 'Unknown'
      endDeployment(this.service, d, d.stop)
      return
    }
    if (this.runs.closed) return
    if (failure) {
      shiftBack(d, world)
      run.status = 'Failed'
      endDeployment(this.service, d, failed(failure))
      return
    }
    run.status = 'Succeeded'
    run.lastUpdatedAt = new Date()
    endDeployment(this.service, d, { status: 'Succeeded' })
  }

  /**
   * ECS with deploymentReadyOption STOP_DEPLOYMENT: Ready once the replacement task set has passed
   * its test traffic hooks, until ContinueDeployment (READY_WAIT), the stop, or the wait's end.
   * A rollback does not wait.
   */
  private async readyWait(
    d: Deployment,
    group: DeploymentGroup,
    signal: AbortSignal
  ): Promise<WaitEnd | 'none'> {
    const ready = group.platform?.blueGreenDeploymentConfiguration?.deploymentReadyOption
    if (d.computePlatform !== 'ECS' || d.creator === 'codeDeployRollback') return 'none'
    if (ready?.actionOnTimeout !== 'STOP_DEPLOYMENT') return 'none'
    const run = d.instances[0]!
    d.status = 'Ready'
    run.status = 'Ready'
    const ms = this.minutes(ready.waitTimeInMinutes)
    return waitForContinue(d.traffic!, 'READY_WAIT', ms, signal, () => {
      d.status = 'InProgress'
      run.status = 'InProgress'
    })
  }

  /** Nobody rerouted traffic in time: the deployment stops, its replacement task set drained. */
  private readyTimedOut(d: Deployment): void {
    shiftBack(d, this.options.world)
    const run = d.instances[0]!
    for (const event of run.lifecycleEvents)
      if (event.status === 'Pending') event.status = 'Skipped'
    run.status = 'Skipped'
    endDeployment(this.service, d, {
      status: 'Stopped',
      error: { code: 'TIMEOUT', message: READY_TIMEOUT_MESSAGE }
    })
  }
}

/**
 * Runs a blue/green EC2/on-premises deployment: provisions replacement (Green) instances as new
 * directories and installs the revision on them in batches sized by the deployment config; waits
 * in Ready for ContinueDeployment when the group says STOP_DEPLOYMENT (and stops when the wait
 * runs out); reroutes traffic (the Allow events on Green, then the Block events on the originals,
 * Blue); then waits before terminating the originals (their directories are removed) unless they
 * are kept alive. A rollback gives the traffic back to the original instances and terminates the
 * replacements at once. Waits are in the group's minutes times the stack's time scale.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import {
  BLUE_EVENTS,
  GREEN_EVENTS,
  deployToInstance,
  skipRun,
  type InstanceMemory
} from './agent.js'
import { ok } from './agent/context.js'
import { endDeployment, failed } from './ending.js'
import { runHooks } from './agent/scripts.js'
import type {
  BlueGreenRun,
  Deployment,
  DeploymentGroup,
  Diagnostics,
  Instance,
  InstanceRun,
  TargetLabel
} from './model.js'
import { HEALTH_MESSAGE, NO_INSTANCES_MESSAGE, plan } from './plan.js'
import type { CodeDeployService } from './service.js'

/** What the blue/green run uses of the lifecycle engine that starts it. */
export interface BlueGreenHost {
  readonly service: CodeDeployService
  readonly options: {
    s3: S3Client
    stateDir: string
    useCli: boolean
    timeScale: number
    gitHubRepositories: Readonly<Record<string, string>>
  }
  delay(signal?: AbortSignal): Promise<void>
  group(deployment: Deployment): DeploymentGroup
  memory(instanceId: string): InstanceMemory
}

type WaitEnd = 'timeout' | 'continued' | 'aborted'

const ALLOW = ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic']
/** The load balancer's own events: no hook scripts run in them. */
const LOAD_BALANCER_EVENTS = new Set(['AllowTraffic', 'BlockTraffic'])

const READY_TIMEOUT_MESSAGE =
  'The deployment was stopped because traffic was not rerouted to the replacement instances before the end of the wait time (actionOnTimeout STOP_DEPLOYMENT).'

export function runBlueGreen(
  host: BlueGreenHost,
  deployment: Deployment,
  signal: AbortSignal
): Promise<void> {
  return new BlueGreenDeployment(host, deployment, signal).run()
}

class BlueGreenDeployment {
  private readonly bg: BlueGreenRun

  constructor(
    private readonly host: BlueGreenHost,
    private readonly d: Deployment,
    private readonly signal: AbortSignal
  ) {
    if (!d.blueGreen) throw new Error(`${d.deploymentId} is not a blue/green deployment`)
    this.bg = d.blueGreen
  }

  async run(): Promise<void> {
    await this.host.delay(this.signal)
    if (this.halted()) return
    this.d.status = 'InProgress'
    this.d.startTime = new Date()
    if (this.bg.original.length === 0 && !this.bg.isRollback) {
      this.end(failed({ code: 'NO_INSTANCES', message: NO_INSTANCES_MESSAGE }))
      return
    }
    if (!this.bg.isRollback) {
      await this.provision()
      if (this.halted()) return
      const installed = await this.installGreen()
      if (this.halted()) return
      if (!installed) return this.fail()
      if (!(await this.readyWait())) return
    }
    const rerouted = await this.reroute()
    if (this.halted()) return
    if (!rerouted) return this.fail()
    if (!(await this.terminationWait())) return
    this.end({ status: 'Succeeded' })
  }

  private end(ending: Parameters<typeof endDeployment>[2]): void {
    endDeployment(this.host.service, this.d, ending)
  }

  private runs(label: TargetLabel): InstanceRun[] {
    return this.d.instances.filter(r => r.instanceLabel === label)
  }

  private instance(run: InstanceRun): Instance {
    const all = [...this.bg.original, ...this.bg.replacement]
    const instance = all.find(i => i.instanceId === run.instanceId)
    if (!instance) throw new Error(`instance ${run.instanceId} vanished`)
    return instance
  }

  /** The replacement fleet: as many new instances (directories) as the original has. */
  private async provision(): Promise<void> {
    const made = await this.host.service.createInstances(
      this.d.applicationName,
      this.d.deploymentGroupName,
      this.bg.original.length
    )
    this.bg.replacement = made
    const now = new Date()
    for (const instance of made) {
      this.d.instances.push({
        instanceId: instance.instanceId,
        status: 'Pending',
        lastUpdatedAt: now,
        lifecycleEvents: [],
        instanceLabel: 'Green'
      })
    }
  }

  /** ApplicationStop … ValidateService on the replacements, in the config's batches. */
  private async installGreen(): Promise<boolean> {
    const runs = this.runs('Green')
    const config = this.host.service.config(this.d.deploymentConfigName)
    const { minimumHealthy, batchSize } = plan(config.minimumHealthyHosts, runs.length)
    let failed = 0
    for (let start = 0; start < runs.length; start += batchSize) {
      await this.host.delay(this.signal)
      if (this.signal.aborted) return false
      const results = await Promise.all(
        runs.slice(start, start + batchSize).map(run => {
          const instance = this.instance(run)
          return deployToInstance(
            this.d,
            run,
            {
              s3: this.host.options.s3,
              instance,
              memory: this.host.memory(instance.instanceId),
              workDir: path.join(
                this.host.options.stateDir,
                instance.instanceId,
                this.d.deploymentId
              ),
              deploymentGroupId: this.host.group(this.d).deploymentGroupId,
              useCli: this.host.options.useCli,
              gitHubRepositories: this.host.options.gitHubRepositories,
              signal: this.signal,
              touch: () => undefined
            },
            { events: GREEN_EVENTS, holdTraffic: true }
          )
        })
      )
      failed += results.filter(r => !r).length
      if (runs.length - failed < minimumHealthy) return false
    }
    return failed < runs.length
  }

  /** True to go on to the reroute; false when the deployment stopped while Ready. */
  private async readyWait(): Promise<boolean> {
    const ready = this.bg.configuration.deploymentReadyOption
    if (ready.actionOnTimeout === 'CONTINUE_DEPLOYMENT') return true
    this.d.status = 'Ready'
    const end = await this.wait('READY_WAIT', ready.waitTimeInMinutes)
    if (end === 'aborted') {
      this.halted()
      return false
    }
    if (end === 'timeout') {
      this.settleRuns()
      this.end({ status: 'Stopped', error: { code: 'TIMEOUT', message: READY_TIMEOUT_MESSAGE } })
      return false
    }
    return true
  }

  /** Traffic to the replacements, then away from the originals. False when an event failed. */
  private async reroute(): Promise<boolean> {
    const green = this.runs('Green').filter(r => r.status === 'Ready' || this.bg.isRollback)
    const allowed = await Promise.all(green.map(run => this.trafficEvents(run, ALLOW)))
    if (allowed.includes(false) || this.signal.aborted) return false
    this.host.group(this.d).instances = [...this.bg.replacement]
    const blue = this.runs('Blue')
    const blocked = await Promise.all(blue.map(run => this.trafficEvents(run, BLUE_EVENTS)))
    return !blocked.includes(false)
  }

  /**
   * Runs traffic events on one instance. Before/After hooks come from the revision the instance
   * last installed; AllowTraffic and BlockTraffic are the load balancer's and always succeed.
   */
  private async trafficEvents(run: InstanceRun, names: readonly string[]): Promise<boolean> {
    const instance = this.instance(run)
    if (run.lifecycleEvents.length === 0) {
      // A rollback's Green instances already run its revision: nothing to install.
      const listed = run.instanceLabel === 'Green' ? GREEN_EVENTS : BLUE_EVENTS
      run.lifecycleEvents = listed.map(name => ({
        lifecycleEventName: name,
        status: names.includes(name) ? 'Pending' : 'Skipped'
      }))
    }
    run.status = 'InProgress'
    const last = this.host.memory(instance.instanceId).lastSuccessful
    const env = {
      DEPLOYMENT_ID: this.d.deploymentId,
      APPLICATION_NAME: this.d.applicationName,
      DEPLOYMENT_GROUP_NAME: this.d.deploymentGroupName,
      DEPLOYMENT_GROUP_ID: this.host.group(this.d).deploymentGroupId,
      INSTANCE_ROOT: instance.root
    }
    for (const event of run.lifecycleEvents.filter(e => names.includes(e.lifecycleEventName))) {
      if (this.signal.aborted) break
      event.status = 'InProgress'
      event.startTime = new Date()
      run.lastUpdatedAt = event.startTime
      const name = event.lifecycleEventName
      const diagnostics: Diagnostics = LOAD_BALANCER_EVENTS.has(name)
        ? ok()
        : await runHooks(name, last?.appspec, last?.bundleDir ?? '', env, this.signal)
      event.endTime = new Date()
      event.diagnostics = diagnostics
      run.lastUpdatedAt = event.endTime
      if (diagnostics.errorCode !== 'Success') {
        event.status = this.signal.aborted ? 'Unknown' : 'Failed'
        run.status = event.status
        return false
      }
      event.status = 'Succeeded'
    }
    if (this.signal.aborted) {
      run.status = 'Unknown'
      return false
    }
    run.status = 'Succeeded'
    return true
  }

  /** True to succeed; false when the deployment was stopped during the wait. */
  private async terminationWait(): Promise<boolean> {
    const terminate = this.bg.configuration.terminateBlueInstancesOnDeploymentSuccess
    if (this.bg.isRollback) {
      // The replacements that failed go at once.
      await this.terminate(this.bg.original)
      return true
    }
    if (terminate.action === 'KEEP_ALIVE') return true
    this.bg.instanceTerminationWaitTimeStarted = true
    const end = await this.wait('TERMINATION_WAIT', terminate.terminationWaitTimeInMinutes)
    if (end === 'aborted') {
      this.halted()
      return false
    }
    await this.terminate(this.bg.original)
    return true
  }

  private async terminate(instances: Instance[]): Promise<void> {
    await Promise.all(instances.map(i => rm(i.root, { recursive: true, force: true })))
  }

  /**
   * Waits `minutes` (times the time scale) for ContinueDeployment with `type`. A continued Ready
   * wait is InProgress again at once, so a reader never sees Ready after ContinueDeployment.
   */
  private wait(type: 'READY_WAIT' | 'TERMINATION_WAIT', minutes: number): Promise<WaitEnd> {
    const ms = minutes * 60_000 * this.host.options.timeScale
    return new Promise(resolve => {
      const end = (how: WaitEnd): void => {
        clearTimeout(timer)
        this.signal.removeEventListener('abort', onAbort)
        this.bg.waiting = undefined
        this.bg.endWait = undefined
        if (how === 'continued' && type === 'READY_WAIT') this.d.status = 'InProgress'
        resolve(how)
      }
      const onAbort = (): void => end('aborted')
      const timer = setTimeout(() => end('timeout'), ms)
      this.signal.addEventListener('abort', onAbort, { once: true })
      this.bg.waiting = type
      this.bg.endWait = () => end('continued')
      if (this.signal.aborted) end('aborted')
    })
  }

  /** Instances never reached are Skipped; replacements left Ready skip their traffic events. */
  private settleRuns(): void {
    for (const run of this.d.instances) {
      if (run.status === 'Pending')
        skipRun(run, run.instanceLabel === 'Green' ? GREEN_EVENTS : BLUE_EVENTS)
      for (const event of run.lifecycleEvents)
        if (event.status === 'Pending') event.status = 'Skipped'
      if (run.status === 'Ready') run.status = 'Succeeded'
    }
  }

  /** When StopDeployment (or the emulator's close) aborted the run: true, after stopping it. */
  private halted(): boolean {
    if (!this.signal.aborted) return false
    if (!this.d.stop || this.d.completeTime) return true
    this.settleRuns()
    this.end(this.d.stop)
    return true
  }

  private fail(): void {
    this.settleRuns()
    this.end(failed({ code: 'HEALTH_CONSTRAINTS', message: HEALTH_MESSAGE }))
  }
}

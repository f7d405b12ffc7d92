/**
 * CloudWatch alarms as a deployment group's alarmConfiguration sees them. While a deployment runs,
 * the alarms of its group (when the configuration is enabled) are polled; once one is in ALARM the
 * deployment is stopped with errorInformation ALARM_ACTIVE, naming the alarms as CodeDeploy does,
 * and rolled back when its autoRollbackConfiguration has DEPLOYMENT_STOP_ON_ALARM.
 *
 * A test or the stack's config makes an alarm fire: `set(name, 'ALARM')` at any moment, or an alarm
 * configured with `fireAt: <lifecycle event>`, which goes into ALARM once a deployment of a group
 * watching it reaches that event on any target, and back to OK once that deployment is stopped
 * (its traffic goes back, so the metric recovers).
 */
import { failureEntry, type StackLog } from '../guard.js'
import type { AlarmConfiguration, Deployment, DeploymentGroup } from './model.js'
import { TERMINAL } from './model.js'
import type { Engine } from './platforms/router.js'
import type { CodeDeployService } from './service.js'

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'

/** An alarm of the stack's config. */
export interface AlarmSetup {
  name: string
  /** Its state at the start (OK when left out). */
  state?: AlarmState
  /** Goes into ALARM when a watching group's deployment reaches this lifecycle event. */
  fireAt?: string
}

const ALARM_MESSAGE =
  'One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms:'

export class Alarms {
  private readonly states = new Map<string, AlarmState>()
  private readonly fireAt = new Map<string, string>()

  constructor(setups: AlarmSetup[] = []) {
    for (const setup of setups) {
      this.states.set(setup.name, setup.state ?? 'OK')
      if (setup.fireAt) this.fireAt.set(setup.name, setup.fireAt)
    }
  }

  set(name: string, state: AlarmState): void {
    this.states.set(name, state)
  }

  /** An alarm nobody set is OK. */
  state(name: string): AlarmState {
    return this.states.get(name) ?? 'OK'
  }

  /** Fires the `fireAt` alarms of `config` whose event `d` has reached; returns their names. */
  trigger(config: AlarmConfiguration, d: Deployment): string[] {
    const fired: string[] = []
    for (const { name } of config.alarms) {
      const event = this.fireAt.get(name)
      if (!event || this.state(name) === 'ALARM') continue
      const reached = d.instances.some(run =>
        run.lifecycleEvents.some(e => e.lifecycleEventName === event && e.status !== 'Pending')
      )
      if (reached) {
        this.set(name, 'ALARM')
        fired.push(name)
      }
    }
    return fired
  }

  /** The alarms of `config` in ALARM now, in the group's order. */
  active(config: AlarmConfiguration): string[] {
    return config.alarms.map(a => a.name).filter(name => this.state(name) === 'ALARM')
  }
}

/**
 * Wraps the engines: each deployment started (rollbacks excepted) is watched until it ends, every
 * `pollMs`, and stopped through the engine as StopDeployment would be, with the alarm's error.
 */
export class AlarmWatch implements Engine {
  private readonly timers = new Map<string, NodeJS.Timeout>()

  constructor(
    private readonly inner: Engine,
    private readonly service: CodeDeployService,
    readonly alarms: Alarms,
    private readonly options: { pollMs: number; log: StackLog }
  ) {}

  private group(d: Deployment): DeploymentGroup | undefined {
    return this.service.applications.get(d.applicationName)?.groups.get(d.deploymentGroupName)
  }

  start(d: Deployment): void {
    this.inner.start(d)
    // CreateDeployment's overrideAlarmConfiguration replaces the group's for this deployment.
    const config = d.overrideAlarmConfiguration ?? this.group(d)?.alarmConfiguration
    if (!config?.enabled || config.alarms.length === 0 || d.creator === 'codeDeployRollback') return
    const timer = setInterval(() => {
      try {
        this.poll(d, config)
      } catch (error) {
        this.unwatch(d.deploymentId)
        this.options.log(failureEntry(`the alarm watch of deployment ${d.deploymentId}`, error))
      }
    }, this.options.pollMs)
    this.timers.set(d.deploymentId, timer)
  }

  /** One look at the alarms of `d`'s group: stops `d` once one is in ALARM. */
  private poll(d: Deployment, config: AlarmConfiguration): void {
    if (TERMINAL.has(d.status) || d.stop) return this.unwatch(d.deploymentId)
    const fired = this.alarms.trigger(config, d)
    const active = this.alarms.active(config)
    if (active.length === 0) return
    this.unwatch(d.deploymentId)
    d.stop = {
      by: 'alarm',
      error: {
        code: 'ALARM_ACTIVE',
        message: `${ALARM_MESSAGE} ${active.map(name => `<${name}>`).join(' ')}`
      }
    }
    this.inner.stop(d)
    for (const name of fired) this.alarms.set(name, 'OK')
  }

  private unwatch(id: string): void {
    clearInterval(this.timers.get(id))
    this.timers.delete(id)
  }

  stop(d: Deployment): void {
    this.inner.stop(d)
  }

  idle(): Promise<void> {
    return this.inner.idle()
  }

  async close(): Promise<void> {
    for (const id of [...this.timers.keys()]) this.unwatch(id)
    await this.inner.close()
  }
}

/**
 * Runs deployments: Created → InProgress → Succeeded / Failed / Stopped, in batches sized by the
 * deployment config's minimum healthy hosts, failing on HEALTH_CONSTRAINTS when too few instances
 * are left healthy, and starting an automatic rollback (a new deployment of the group's last
 * successful revision) when the deployment's rollback configuration asks for one.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import path from 'node:path'
import { deployToInstance, skipRun, type InstanceMemory } from './agent.js'
import { runBlueGreen } from './blue-green.js'
import { broken, endDeployment, failed as failure } from './ending.js'
import type { Deployment, DeploymentGroup } from './model.js'
import { HEALTH_MESSAGE, NO_INSTANCES_MESSAGE, plan } from './plan.js'
import { TERMINAL } from './model.js'
import { Runs, type RunsOptions } from './runs.js'
import { simulateInstance } from './simulated.js'
import type { CodeDeployService, Lifecycle } from './service.js'

export interface LifecycleOptions {
  s3: S3Client
  /** Where instances keep their agent state. */
  stateDir: string
  /** Pause between steps (ms), so status changes can be observed. */
  stepDelayMs: number
  useCli: boolean
  /** Factor applied to the blue/green waits (1 = real minutes; 0.001 turns an hour into 3.6 s). */
  timeScale: number
  runs: RunsOptions
  /** GitHub revisions' repositories: `owner/repo` → a local git repository's directory. */
  gitHubRepositories: Readonly<Record<string, string>>
}

export class LifecycleEngine implements Lifecycle {
  private readonly runs: Runs
  private readonly memories = new Map<string, InstanceMemory>()

  constructor(
    readonly service: CodeDeployService,
    readonly options: LifecycleOptions
  ) {
    this.runs = new Runs(options.runs)
  }

  memory(instanceId: string): InstanceMemory {
    let memory = this.memories.get(instanceId)
    if (!memory) {
      memory = { installed: [] }
      this.memories.set(instanceId, memory)
    }
    return memory
  }

  start(deployment: Deployment): void {
    this.runs.start(
      deployment.deploymentId,
      signal =>
        deployment.blueGreen
          ? runBlueGreen(this, deployment, signal)
          : this.run(deployment, signal),
      error => {
        if (!TERMINAL.has(deployment.status)) endDeployment(this.service, deployment, broken(error))
      }
    )
  }

  stop(deployment: Deployment): void {
    this.runs.stop(deployment.deploymentId)
  }

  /** Resolves when every running deployment (and rollback) has ended. */
  idle(): Promise<void> {
    return this.runs.idle()
  }

  close(): Promise<void> {
    return this.runs.close()
  }

  delay(signal?: AbortSignal): Promise<void> {
    if (this.options.stepDelayMs <= 0) return Promise.resolve()
    return new Promise(resolve => {
      const timer = setTimeout(resolve, this.options.stepDelayMs)
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        { once: true }
      )
    })
  }

  group(deployment: Deployment): DeploymentGroup {
    const group = this.service.applications
      .get(deployment.applicationName)
      ?.groups.get(deployment.deploymentGroupName)
    if (!group) throw new Error(`group ${deployment.deploymentGroupName} vanished`)
    return group
  }

  private async run(deployment: Deployment, signal: AbortSignal): Promise<void> {
    await this.delay(signal)
    const group = this.group(deployment)
    if (!signal.aborted) {
      deployment.status = 'InProgress'
      deployment.startTime = new Date()
    }
    const runs = deployment.instances
    if (runs.length === 0 && !signal.aborted) {
      endDeployment(
        this.service,
        deployment,
        failure({ code: 'NO_INSTANCES', message: NO_INSTANCES_MESSAGE })
      )
      return
    }
    const config = this.service.config(deployment.deploymentConfigName)
    const { minimumHealthy, batchSize } = plan(config.minimumHealthyHosts, runs.length)
    let failed = 0
    let succeeded = 0
    let healthFailure = false
    // By id, once: a fleet of 1,000 is not searched once per instance.
    const index = new Map(group.instances.map((instance, i) => [instance.instanceId, i]))
    for (let start = 0; start < runs.length && !signal.aborted; start += batchSize) {
      await this.delay(signal)
      if (signal.aborted) break
      const batch = runs.slice(start, start + batchSize)
      const results = await Promise.all(
        batch.map(run => {
          const at = index.get(run.instanceId)
          const instance = at === undefined ? undefined : group.instances[at]
          if (at === undefined || !instance) throw new Error(`instance ${run.instanceId} vanished`)
          if (group.simulated) return simulateInstance(deployment, run, at, group.simulated, signal)
          return deployToInstance(deployment, run, {
            s3: this.options.s3,
            instance,
            memory: this.memory(instance.instanceId),
            workDir: path.join(this.options.stateDir, instance.instanceId, deployment.deploymentId),
            deploymentGroupId: group.deploymentGroupId,
            useCli: this.options.useCli,
            gitHubRepositories: this.options.gitHubRepositories,
            signal,
            touch: () => undefined
          })
        })
      )
      failed += results.filter(r => !r).length
      succeeded += results.filter(r => r).length
      const isLastBatch = start + batchSize >= runs.length
      const oneAtATimeLast =
        deployment.deploymentConfigName === 'CodeDeployDefault.OneAtATime' &&
        isLastBatch &&
        runs.length > 1 &&
        failed === 1 &&
        results.some(r => !r)
      if (!signal.aborted && runs.length - failed < minimumHealthy && !oneAtATimeLast) {
        healthFailure = true
        break
      }
    }
    for (const run of runs) if (run.status === 'Pending') skipRun(run)
    if (signal.aborted && deployment.stop) {
      endDeployment(this.service, deployment, deployment.stop)
      return
    }
    if (this.runs.closed) return
    endDeployment(
      this.service,
      deployment,
      healthFailure || succeeded === 0
        ? failure({ code: 'HEALTH_CONSTRAINTS', message: HEALTH_MESSAGE })
        : { status: 'Succeeded' }
    )
  }
}

/**
 * Runs deployments: Created → InProgress → Succeeded / Failed / Stopped, in batches sized by the
 * deployment config's minimum healthy hosts, failing on HEALTH_CONSTRAINTS when too few instances
 * are left healthy, and starting an automatic rollback (a new deployment of the group's last
 * successful revision) when the deployment's rollback configuration asks for one.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import path from 'node:path'
import { deployToInstance, type InstanceMemory } from './agent.js'
import type { Deployment, DeploymentGroup, MinimumHealthyHosts } from './model.js'
import type { CodeDeployService, Lifecycle } from './service.js'

export interface LifecycleOptions {
  s3: S3Client
  /** Where instances keep their agent state. */
  stateDir: string
  /** Pause between steps (ms), so status changes can be observed. */
  stepDelayMs: number
  useCli: boolean
}

const HEALTH_MESSAGE =
  'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.'

/** The number of instances that must stay healthy, and how many to deploy to at once. */
export function plan(
  hosts: MinimumHealthyHosts,
  instances: number
): { minimumHealthy: number; batchSize: number } {
  const minimumHealthy = Math.min(
    instances,
    hosts.type === 'HOST_COUNT' ? hosts.value : Math.ceil((instances * hosts.value) / 100)
  )
  return { minimumHealthy, batchSize: Math.max(1, instances - minimumHealthy) }
}

export class LifecycleEngine implements Lifecycle {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>()
  private readonly memories = new Map<string, InstanceMemory>()
  private closed = false

  constructor(
    private readonly service: CodeDeployService,
    private readonly options: LifecycleOptions
  ) {}

  memory(instanceId: string): InstanceMemory {
    let memory = this.memories.get(instanceId)
    if (!memory) {
      memory = { installed: [] }
      this.memories.set(instanceId, memory)
    }
    return memory
  }

  start(deployment: Deployment): void {
    const controller = new AbortController()
    const done = this.run(deployment, controller.signal)
      .catch((error: unknown) => {
        this.finish(deployment, 'Failed', {
          code: 'INTERNAL_ERROR',
          message: `The emulator failed: ${String(error)}`
        })
      })
      .finally(() => this.running.delete(deployment.deploymentId))
    this.running.set(deployment.deploymentId, { controller, done })
  }

  stop(deployment: Deployment): void {
    this.running.get(deployment.deploymentId)?.controller.abort()
  }

  /** Resolves when every running deployment (and rollback) has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map(r => r.done))
  }

  async close(): Promise<void> {
    this.closed = true
    for (const { controller } of this.running.values()) controller.abort()
    await this.idle()
  }

  private delay(signal?: AbortSignal): Promise<void> {
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

  private group(deployment: Deployment): DeploymentGroup {
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
      this.finish(deployment, 'Failed', {
        code: 'NO_INSTANCES',
        message:
          'The deployment failed because no instances were found for your deployment group. Check your deployment group settings to make sure the tags for your EC2 instances or Auto Scaling groups correctly identify the instances you want to deploy to, and then try again.'
      })
      return
    }
    const config = this.service.config(deployment.deploymentConfigName)
    const { minimumHealthy, batchSize } = plan(config.minimumHealthyHosts, runs.length)
    let failed = 0
    let succeeded = 0
    let healthFailure = false
    for (let start = 0; start < runs.length && !signal.aborted; start += batchSize) {
      await this.delay(signal)
      if (signal.aborted) break
      const batch = runs.slice(start, start + batchSize)
      const results = await Promise.all(
        batch.map(run => {
          const instance = group.instances.find(i => i.instanceId === run.instanceId)
          if (!instance) throw new Error(`instance ${run.instanceId} vanished`)
          return deployToInstance(deployment, run, {
            s3: this.options.s3,
            instance,
            memory: this.memory(instance.instanceId),
            workDir: path.join(this.options.stateDir, instance.instanceId, deployment.deploymentId),
            deploymentGroupId: group.deploymentGroupId,
            useCli: this.options.useCli,
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
    for (const run of runs) {
      if (run.status === 'Pending') {
        run.status = 'Skipped'
        run.lastUpdatedAt = new Date()
      }
    }
    if (signal.aborted && deployment.stop) {
      this.finish(deployment, 'Stopped', undefined)
      if (deployment.stop.autoRollbackEnabled) this.rollback(deployment)
      return
    }
    if (this.closed) return
    if (healthFailure || succeeded === 0) {
      this.finish(deployment, 'Failed', { code: 'HEALTH_CONSTRAINTS', message: HEALTH_MESSAGE })
      const auto = deployment.autoRollbackConfiguration
      if (auto.enabled && auto.events.includes('DEPLOYMENT_FAILURE')) this.rollback(deployment)
      return
    }
    this.finish(deployment, 'Succeeded', undefined)
    group.lastSuccessfulDeployment = deployment.deploymentId
  }

  private finish(
    deployment: Deployment,
    status: 'Succeeded' | 'Failed' | 'Stopped',
    error: { code: string; message: string } | undefined
  ): void {
    deployment.status = status
    deployment.completeTime = new Date()
    if (error) deployment.errorInformation = error
  }

  /** Starts the automatic rollback of a failed or stopped deployment, or records why there is none. */
  private rollback(failed: Deployment): void {
    const app = this.service.applications.get(failed.applicationName)
    const group = app?.groups.get(failed.deploymentGroupName)
    const lastGood = group?.lastSuccessfulDeployment
      ? this.service.deployments.get(group.lastSuccessfulDeployment)
      : undefined
    if (!app || !group || !lastGood) {
      failed.rollbackInfo = {
        rollbackMessage:
          'Automatic rollback was not performed because no previous successful deployment exists for this deployment group.'
      }
      return
    }
    const rollback = this.service.newDeployment(app, group, {
      configName: failed.deploymentConfigName,
      revision: lastGood.revision,
      fileExistsBehavior: 'OVERWRITE',
      ignoreApplicationStopFailures: true,
      creator: 'codeDeployRollback',
      description: `Automatic rollback of ${failed.deploymentId} to ${lastGood.deploymentId}`,
      override: { enabled: false, events: [] },
      rollbackOf: failed.deploymentId
    })
    failed.rollbackInfo = {
      rollbackDeploymentId: rollback.deploymentId,
      rollbackMessage: `Deployment ${failed.deploymentId} was rolled back by ${rollback.deploymentId}.`
    }
  }
}

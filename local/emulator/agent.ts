/**
 * A simulated instance's CodeDeploy agent: for one deployment it walks the lifecycle events in
 * order, skipping the traffic events of an in-place deployment, and records each event's status,
 * times and diagnostics on the instance's run as it goes. The steps themselves are in ./agent/:
 * downloading the bundle, installing its files and running the hook scripts.
 */
import path from 'node:path'
import {
  bundleTypeOf,
  type Deployment,
  type Diagnostics,
  type InstanceRun,
  type LifecycleEvent
} from './model.js'
import type { ParsedAppSpec } from './agent/appspec.js'
import { downloadBundle } from './agent/bundle.js'
import { EventFailure, failure, ok, type AgentContext } from './agent/context.js'
import { install } from './agent/install.js'
import { runHooks } from './agent/scripts.js'

export type { AgentContext, InstanceMemory } from './agent/context.js'
export { runScript } from './agent/scripts.js'

export const EVENTS = [
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
] as const
const TRAFFIC = new Set([
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
])

/** Blue/green: the events a replacement runs, and those an original runs when it loses traffic. */
export const GREEN_EVENTS = EVENTS.filter(e => !e.includes('BlockTraffic'))
export const BLUE_EVENTS = EVENTS.filter(e => e.includes('BlockTraffic'))

/** Marks an instance the deployment never reached as Skipped, with every event Skipped. */
export function skipRun(run: InstanceRun, events: readonly string[] = EVENTS): void {
  run.status = 'Skipped'
  run.lastUpdatedAt = new Date()
  run.lifecycleEvents = events.map(name => ({ lifecycleEventName: name, status: 'Skipped' }))
}

export interface DeployOptions {
  /** The events to list (default: all of them). */
  events?: readonly string[]
  /** Blue/green: leave the traffic events Pending and end in Ready, for a later reroute. */
  holdTraffic?: boolean
}

/**
 * Deploys to one instance, updating `run` as each event starts and ends. Returns true when every
 * event succeeded.
 */
export async function deployToInstance(
  deployment: Deployment,
  run: InstanceRun,
  context: AgentContext,
  options: DeployOptions = {}
): Promise<boolean> {
  const events: LifecycleEvent[] = (options.events ?? EVENTS).map(name => ({
    lifecycleEventName: name,
    status: 'Pending'
  }))
  run.lifecycleEvents = events
  run.status = 'InProgress'
  run.lastUpdatedAt = new Date()
  context.touch()
  const bundleDir = path.join(context.workDir, 'deployment-archive')
  const archive = path.join(context.workDir, `bundle.${bundleTypeOf(deployment.revision)}`)
  const env = {
    LIFECYCLE_EVENT: '',
    DEPLOYMENT_ID: deployment.deploymentId,
    APPLICATION_NAME: deployment.applicationName,
    DEPLOYMENT_GROUP_NAME: deployment.deploymentGroupName,
    DEPLOYMENT_GROUP_ID: context.deploymentGroupId,
    INSTANCE_ROOT: context.instance.root
  }
  let appspec: ParsedAppSpec | undefined

  const step = async (name: string): Promise<Diagnostics> => {
    if (name === 'ApplicationStop') {
      // ApplicationStop runs the last successful revision's scripts, not this one's.
      const previous = context.memory.lastSuccessful
      const diagnostics = previous
        ? await runHooks(name, previous.appspec, previous.bundleDir, env, context.signal)
        : ok()
      if (
        diagnostics.errorCode !== 'Success' &&
        deployment.ignoreApplicationStopFailures &&
        !context.signal.aborted
      ) {
        return {
          ...diagnostics,
          errorCode: 'Success',
          message: `${diagnostics.message} (ignored: ignoreApplicationStopFailures)`
        }
      }
      return diagnostics
    }
    if (name === 'DownloadBundle') {
      appspec = await downloadBundle(context, deployment, bundleDir, archive)
      return ok()
    }
    if (name === 'Install') {
      if (!appspec) throw failure('No bundle was downloaded')
      context.memory.installed = await install(
        appspec,
        bundleDir,
        context,
        deployment.fileExistsBehavior
      )
      return ok()
    }
    return runHooks(name, appspec, bundleDir, env, context.signal)
  }

  for (const event of events) {
    const name = event.lifecycleEventName
    if (TRAFFIC.has(name) && options.holdTraffic && !context.signal.aborted) continue
    if (TRAFFIC.has(name) || context.signal.aborted) {
      event.status = 'Skipped'
      continue
    }
    event.status = 'InProgress'
    event.startTime = new Date()
    run.lastUpdatedAt = event.startTime
    context.touch()
    let diagnostics: Diagnostics
    try {
      diagnostics = await step(name)
    } catch (error) {
      diagnostics =
        error instanceof EventFailure
          ? error.diagnostics
          : {
              errorCode: 'UnknownError',
              scriptName: '',
              message: (error as Error).message,
              logTail: ''
            }
    }
    event.endTime = new Date()
    event.diagnostics = diagnostics
    run.lastUpdatedAt = event.endTime
    if (diagnostics.errorCode !== 'Success') {
      event.status = context.signal.aborted ? 'Unknown' : 'Failed'
      for (const rest of events) if (rest.status === 'Pending') rest.status = 'Skipped'
      run.status = context.signal.aborted ? 'Unknown' : 'Failed'
      context.touch()
      return false
    }
    event.status = 'Succeeded'
    context.touch()
  }
  if (context.signal.aborted) {
    run.status = 'Unknown'
    return false
  }
  run.status = options.holdTraffic ? 'Ready' : 'Succeeded'
  run.lastUpdatedAt = new Date()
  if (appspec)
    context.memory.lastSuccessful = { deploymentId: deployment.deploymentId, bundleDir, appspec }
  context.touch()
  return true
}

/**
 * How every deployment ends, EC2/on-premises (in place or blue/green), ECS and Lambda alike: its
 * final status with completeTime and errorInformation, the group's last successful deployment when
 * it succeeded, and the automatic rollback when it failed or was stopped in a way its rollback
 * settings cover: DEPLOYMENT_FAILURE for a failure, DEPLOYMENT_STOP_ON_ALARM for an alarm's stop,
 * and for a StopDeployment the request's own autoRollbackEnabled. The rollback is a new deployment
 * (creator codeDeployRollback) of the group's last successful revision, linked both ways through
 * rollbackInfo; it is never rolled back itself.
 */
import type { Deployment, DeploymentStop, ErrorInformation, RollbackEvent } from './model.js'
import type { CodeDeployService } from './service.js'

export type Ending =
  | { status: 'Succeeded' }
  /** `event` names the rollback trigger a failure can meet; absent, it is never rolled back. */
  | { status: 'Failed'; error: ErrorInformation; event?: 'DEPLOYMENT_FAILURE' }
  /** A stop by the service itself (a Ready wait that ran out): never rolled back. */
  | { status: 'Stopped'; error: ErrorInformation }

const NO_PREVIOUS =
  'Automatic rollback was not performed because no previous successful deployment exists for this deployment group.'

/** A lifecycle event failed, or too few targets stayed healthy. */
export function failed(error: ErrorInformation): Ending {
  return { status: 'Failed', error, event: 'DEPLOYMENT_FAILURE' }
}

/** The emulator itself failed while running the deployment: no rollback follows. */
export function broken(error: unknown): Ending {
  return {
    status: 'Failed',
    error: { code: 'INTERNAL_ERROR', message: `The emulator failed: ${String(error)}` }
  }
}

/**
 * Ends `d` as `ending` says, or, when it is a stop (StopDeployment or an alarm's, in `d.stop`),
 * as that stop says. Returns the rollback deployment when one was started.
 */
export function endDeployment(
  service: CodeDeployService,
  d: Deployment,
  ending: Ending | DeploymentStop
): Deployment | undefined {
  const status = 'by' in ending ? 'Stopped' : ending.status
  d.status = status
  d.completeTime = service.now()
  const error = 'by' in ending ? (ending.by === 'alarm' ? ending.error : undefined) : undefined
  const info = error ?? ('error' in ending ? ending.error : undefined)
  if (info) d.errorInformation = info
  if (status === 'Succeeded') {
    const group = service.applications.get(d.applicationName)?.groups.get(d.deploymentGroupName)
    if (group) group.lastSuccessfulDeployment = d.deploymentId
    return undefined
  }
  return rollsBack(d, ending) ? startRollback(service, d) : undefined
}

function covers(d: Deployment, event: RollbackEvent): boolean {
  const auto = d.autoRollbackConfiguration
  return auto.enabled && auto.events.includes(event)
}

function rollsBack(d: Deployment, ending: Ending | DeploymentStop): boolean {
  if ('by' in ending)
    return ending.by === 'alarm'
      ? covers(d, 'DEPLOYMENT_STOP_ON_ALARM')
      : ending.autoRollbackEnabled
  return ending.status === 'Failed' && ending.event !== undefined && covers(d, ending.event)
}

/**
 * The rollback of `failed`: the group's last successful revision, deployed again with that
 * deployment's options (CodeDeploy applies the last successful deployment's content option,
 * fileExistsBehavior, to a rollback; its ignoreApplicationStopFailures comes with it), with the
 * failed deployment's config. Or, when there is nothing to go back to, a rollbackInfo saying so.
 */
function startRollback(service: CodeDeployService, failed: Deployment): Deployment | undefined {
  const app = service.applications.get(failed.applicationName)
  const group = app?.groups.get(failed.deploymentGroupName)
  const lastGood = group?.lastSuccessfulDeployment
    ? service.deployments.get(group.lastSuccessfulDeployment)
    : undefined
  if (!app || !group || !lastGood) {
    failed.rollbackInfo = { rollbackMessage: NO_PREVIOUS }
    return undefined
  }
  const rollback = service.newDeployment(app, group, {
    configName: failed.deploymentConfigName,
    revision: lastGood.revision,
    fileExistsBehavior: lastGood.fileExistsBehavior,
    ignoreApplicationStopFailures: lastGood.ignoreApplicationStopFailures,
    creator: 'codeDeployRollback',
    description: `Automatic rollback of ${failed.deploymentId} to ${lastGood.deploymentId}`,
    override: { enabled: false, events: [] },
    rollbackOf: failed.deploymentId,
    // A blue/green rollback gives the traffic back to the instances the deployment replaced.
    ...(failed.blueGreen
      ? {
          blueGreenRollback: {
            original: failed.blueGreen.replacement,
            replacement: failed.blueGreen.original
          }
        }
      : {})
  })
  failed.rollbackInfo = {
    rollbackDeploymentId: rollback.deploymentId,
    rollbackMessage: `Deployment ${failed.deploymentId} was rolled back by ${rollback.deploymentId}.`
  }
  return rollback
}

/**
 * How ECS and Lambda deployments read: their one target as an ECSTarget (with its task sets) or a
 * LambdaTarget (with the alias's versions and weight), and the deployment members that differ
 * from a Server deployment's.
 */
import type { Deployment, DeploymentGroup, InstanceRun } from '../model.js'

export function platformTargetInfo(d: Deployment, run: InstanceRun): object {
  const traffic = d.traffic!
  const common = {
    deploymentId: d.deploymentId,
    targetId: traffic.targetId,
    targetArn: traffic.targetArn,
    status: run.status,
    lastUpdatedAt: run.lastUpdatedAt,
    lifecycleEvents: run.lifecycleEvents
  }
  if (d.computePlatform === 'ECS')
    return {
      deploymentTargetType: 'ECSTarget',
      ecsTarget: { ...common, taskSetsInfo: traffic.taskSetsInfo ?? [] }
    }
  return {
    deploymentTargetType: 'LambdaTarget',
    lambdaTarget: { ...common, lambdaFunctionInfo: traffic.lambdaFunctionInfo }
  }
}

/** Members of DeploymentInfo for ECS and Lambda deployments, overriding the Server ones. */
export function platformDeploymentInfo(d: Deployment, group: DeploymentGroup | undefined): object {
  if (!d.computePlatform) return {}
  return {
    computePlatform: d.computePlatform,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    fileExistsBehavior: undefined,
    ...(d.computePlatform === 'ECS'
      ? {
          blueGreenDeploymentConfiguration: group?.platform?.blueGreenDeploymentConfiguration,
          loadBalancerInfo: group?.platform?.loadBalancerInfo,
          instanceTerminationWaitTimeStarted: d.traffic?.terminationWaitStarted === true
        }
      : {})
  }
}

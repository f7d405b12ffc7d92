/**
 * Where a person goes next: the console page of a deployment, and the AWS CLI command that stops
 * one this run could not stop itself.
 */

/** The CodeDeploy console page of a deployment. */
export function consoleUrl(region: string, deploymentId: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codedeploy/deployments/${deploymentId}?region=${region}`
}

/** The AWS CLI command that stops a deployment (v1 and v2 alike). */
export function stopCommand(region: string, deploymentId: string, rollback: boolean): string {
  return `aws deploy stop-deployment --deployment-id ${deploymentId}${rollback ? ' --auto-rollback-enabled' : ''} --region ${region}`
}

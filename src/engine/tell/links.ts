/**
 * Where a person goes next: the console page of a deployment, and the AWS CLI command that stops
 * one this run could not stop itself. The console lives on another host in each partition; the
 * partition is read from the region with the SDK's own partition data.
 */
import { partition } from '@aws-sdk/core/client'

/** The console's host in each partition whose console is on the public internet. */
const CONSOLE_HOST: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com'
}

/** The partition a region belongs to: aws, aws-cn, aws-us-gov, … */
export function partitionOf(region: string): string {
  return partition(region).name
}

/** The CodeDeploy console page of a deployment. */
export function consoleUrl(region: string, deploymentId: string): string {
  const name = partitionOf(region)
  const page = `/codesuite/codedeploy/deployments/${deploymentId}?region=${region}`
  // The standard partition serves each region's console on a host of its own.
  if (name === 'aws') return `https://${region}.${CONSOLE_HOST.aws}${page}`
  const host = CONSOLE_HOST[name] ?? `console.${partition(region).dnsSuffix}`
  return `https://${host}${page}`
}

/** The AWS CLI command that stops a deployment (v1 and v2 alike). */
export function stopCommand(region: string, deploymentId: string, rollback: boolean): string {
  return `aws deploy stop-deployment --deployment-id ${deploymentId}${rollback ? ' --auto-rollback-enabled' : ''} --region ${region}`
}

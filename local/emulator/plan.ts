/**
 * How a deployment config's minimum healthy hosts becomes batches of instances, and what the
 * service says when too few are healthy or there are none.
 */
import type { MinimumHealthyHosts } from './model.js'

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

export const HEALTH_MESSAGE =
  'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.'

export const NO_INSTANCES_MESSAGE =
  'The deployment failed because no instances were found for your deployment group. Check your deployment group settings to make sure the tags for your EC2 instances or Auto Scaling groups correctly identify the instances you want to deploy to, and then try again.'

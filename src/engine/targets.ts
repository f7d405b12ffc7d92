/**
 * Reads a deployment's instances and their lifecycle events (ListDeploymentTargets +
 * BatchGetDeploymentTargets, 25 at a time).
 */
import {
  BatchGetDeploymentTargetsCommand,
  ListDeploymentTargetsCommand,
  type CodeDeployClient,
  type InstanceTarget
} from '@aws-sdk/client-codedeploy'

const BATCH = 25

export async function fetchTargets(
  codedeploy: CodeDeployClient,
  deploymentId: string,
  signal?: AbortSignal
): Promise<InstanceTarget[]> {
  const options = signal ? { abortSignal: signal } : {}
  const ids: string[] = []
  let nextToken: string | undefined
  do {
    const page = await codedeploy.send(
      new ListDeploymentTargetsCommand({ deploymentId, ...(nextToken ? { nextToken } : {}) }),
      options
    )
    ids.push(...(page.targetIds ?? []))
    nextToken = page.nextToken
  } while (nextToken)

  const targets: InstanceTarget[] = []
  for (let i = 0; i < ids.length; i += BATCH) {
    const out = await codedeploy.send(
      new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids.slice(i, i + BATCH) }),
      options
    )
    for (const target of out.deploymentTargets ?? []) {
      if (target.instanceTarget) targets.push(target.instanceTarget)
    }
  }
  return targets.sort((a, b) => (a.targetId ?? '').localeCompare(b.targetId ?? ''))
}

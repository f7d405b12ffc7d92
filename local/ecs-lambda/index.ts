/**
 * The ECS and Lambda stand-ins of the local stack: two servers on 127.0.0.1 over one World, for
 * AWS_ENDPOINT_URL_ECS and AWS_ENDPOINT_URL_LAMBDA.
 */
import { InjectedFailures, stderrLog, type StackLog } from '../guard.js'
import { startEcs } from './ecs.js'
import { startLambda } from './lambda.js'
import type { World } from './world.js'

export { World, type EcsLambdaConfig, type HookOutcome } from './world.js'

export interface EcsLambdaStandIns {
  ecsEndpoint: string
  lambdaEndpoint: string
  world: World
  /** A test's way to make the next requests' handlers throw, as a bug would. */
  failures: { ecs: InjectedFailures; lambda: InjectedFailures }
  close(): Promise<void>
}

export async function startEcsLambda(
  world: World,
  log: StackLog = stderrLog
): Promise<EcsLambdaStandIns> {
  const failures = { ecs: new InjectedFailures(), lambda: new InjectedFailures() }
  const ecs = await startEcs(world, log, failures.ecs)
  const lambda = await startLambda(world, log, failures.lambda).catch(async (error: unknown) => {
    await ecs.close()
    throw error
  })
  return {
    ecsEndpoint: ecs.endpoint,
    lambdaEndpoint: lambda.endpoint,
    world,
    failures,
    async close(): Promise<void> {
      await Promise.all([ecs.close(), lambda.close()])
    }
  }
}

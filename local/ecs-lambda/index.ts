/**
 * The ECS and Lambda stand-ins of the local stack: two servers on 127.0.0.1 over one World, for
 * AWS_ENDPOINT_URL_ECS and AWS_ENDPOINT_URL_LAMBDA.
 */
import { startEcs } from './ecs.js'
import { startLambda } from './lambda.js'
import type { World } from './world.js'

export { World, type EcsLambdaConfig, type HookOutcome } from './world.js'

export interface EcsLambdaStandIns {
  ecsEndpoint: string
  lambdaEndpoint: string
  world: World
  close(): Promise<void>
}

export async function startEcsLambda(world: World): Promise<EcsLambdaStandIns> {
  const ecs = await startEcs(world)
  const lambda = await startLambda(world).catch(async (error: unknown) => {
    await ecs.close()
    throw error
  })
  return {
    ecsEndpoint: ecs.endpoint,
    lambdaEndpoint: lambda.endpoint,
    world,
    async close(): Promise<void> {
      await Promise.all([ecs.close(), lambda.close()])
    }
  }
}

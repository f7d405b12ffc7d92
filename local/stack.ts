/**
 * The whole local stack: the S3 server, the CodeDeploy emulator and the ECS and Lambda stand-ins
 * (sharing one World with the emulator) wired together, with the environment a client needs to
 * use them (AWS_ENDPOINT_URL_*, credentials, region).
 */
import { startEcsLambda, World, type EcsLambdaStandIns } from './ecs-lambda/index.js'
import {
  startCodeDeployEmulator,
  type CodeDeployEmulator,
  type EmulatorConfig,
  type EmulatorOptions
} from './emulator/index.js'
import { S3_CREDENTIALS, startS3Server, type LocalS3 } from './s3.js'

export interface LocalStack {
  s3: LocalS3
  codedeploy: CodeDeployEmulator
  /** The ECS and Lambda stand-ins; `ecsLambda.world` holds their resources and hook invocations. */
  ecsLambda: EcsLambdaStandIns
  /** Environment for an SDK client or the action: endpoints, credentials, region. */
  env: Record<string, string>
  close(): Promise<void>
}

export interface LocalStackOptions extends Omit<EmulatorOptions, 's3Endpoint' | 's3Credentials'> {
  buckets?: string[]
}

export const REGION = 'us-east-1'

/** A small default world: one application with a three-instance group, and a bucket. */
export const DEMO_CONFIG: EmulatorConfig = {
  applications: [
    {
      name: 'demo-app',
      deploymentGroups: [
        { name: 'demo-fleet', instances: 3, deploymentConfig: 'CodeDeployDefault.OneAtATime' }
      ]
    }
  ]
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { buckets, ...emulatorOptions } = options
  const s3 = await startS3Server({
    buckets: buckets ?? ['demo-bundles'],
    ...(emulatorOptions.log ? { log: emulatorOptions.log } : {})
  })
  let codedeploy: CodeDeployEmulator
  let ecsLambda: EcsLambdaStandIns
  try {
    ecsLambda = await startEcsLambda(
      emulatorOptions.world ?? new World(emulatorOptions.config),
      emulatorOptions.log
    )
  } catch (error) {
    await s3.close()
    throw error
  }
  try {
    codedeploy = await startCodeDeployEmulator({
      ...emulatorOptions,
      world: ecsLambda.world,
      s3Endpoint: s3.endpoint,
      s3Credentials: S3_CREDENTIALS
    })
  } catch (error) {
    await ecsLambda.close()
    await s3.close()
    throw error
  }
  return {
    s3,
    codedeploy,
    ecsLambda,
    env: {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_CODEDEPLOY: codedeploy.endpoint,
      AWS_ENDPOINT_URL_ECS: ecsLambda.ecsEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: ecsLambda.lambdaEndpoint,
      AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      // The AWS CLI v1 reads only this one.
      AWS_DEFAULT_REGION: REGION
    },
    async close(): Promise<void> {
      await codedeploy.close()
      await ecsLambda.close()
      await s3.close()
    }
  }
}

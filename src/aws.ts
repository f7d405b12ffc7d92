/**
 * The AWS clients the engine uses. Credentials, region and endpoints come from the SDK's standard
 * chain: environment (as aws-actions/configure-aws-credentials leaves it), shared config, and
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_CODEDEPLOY` for other endpoints.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import { S3Client } from '@aws-sdk/client-s3'
import { InputError } from './engine/errors.js'

export const PRODUCT = 'codedeploy-bridge'
export const VERSION = '0.1.0'

export interface AwsClients {
  codedeploy: CodeDeployClient
  s3: S3Client
  region: string
}

export interface ClientOptions {
  /** Identifies the run in the user agent, e.g. the workflow run id. */
  runId?: string
  /** Extra SDK retries on top of the engine's own handling of throttling. */
  maxAttempts?: number
}

/** Creates both clients and resolves the region, failing with a fix when none is configured. */
export async function createClients(options: ClientOptions = {}): Promise<AwsClients> {
  const customUserAgent: [string, string][] = [[PRODUCT, VERSION]]
  if (options.runId) customUserAgent.push(['run', options.runId])
  const common = {
    customUserAgent,
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 5
  }
  const codedeploy = new CodeDeployClient(common)
  const s3 = new S3Client(common)
  let region: string
  try {
    region = await codedeploy.config.region()
  } catch {
    codedeploy.destroy()
    s3.destroy()
    throw new InputError(
      'No AWS region is configured. Set AWS_REGION, or run aws-actions/configure-aws-credentials with aws-region before this step.'
    )
  }
  return { codedeploy, s3, region }
}

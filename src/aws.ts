/**
 * The AWS clients the engine uses. Credentials, region and endpoints come from the SDK's standard
 * chain: environment (as aws-actions/configure-aws-credentials leaves it), shared config, and
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_CODEDEPLOY` for other endpoints. Retries follow the
 * SDK's own settings (`AWS_RETRY_MODE`, `AWS_MAX_ATTEMPTS`, or `retry_mode` / `max_attempts` in
 * the profile); only where none is set do the action's defaults apply. Proxies come from
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (see proxy.ts).
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import { S3Client } from '@aws-sdk/client-s3'
import { loadConfig } from '@smithy/core/config'
import { NODE_MAX_ATTEMPT_CONFIG_OPTIONS, NODE_RETRY_MODE_CONFIG_OPTIONS } from '@smithy/core/retry'
import { resolveCredentials, resolveRegion } from './access.js'
import { proxyAgents } from './proxy.js'

export const PRODUCT = 'codedeploy-bridge'
export const VERSION = '0.1.0'

/**
 * The action's retry defaults: the standard mode (which backs off on throttling) with five
 * attempts, on top of the engine's own handling of throttling and lost answers.
 */
export const DEFAULT_RETRY_MODE = 'standard'
export const DEFAULT_MAX_ATTEMPTS = 5

export interface AwsClients {
  codedeploy: CodeDeployClient
  s3: S3Client
  /** ECS deployments: registering the task definition (only when asked for). */
  ecs?: ECSClient
  /** Lambda deployments: reading the alias, publishing the version (only when asked for). */
  lambda?: LambdaClient
  region: string
}

/** Closes every client's connections. */
export function destroyClients(clients: AwsClients | undefined): void {
  clients?.codedeploy.destroy()
  clients?.s3.destroy()
  clients?.ecs?.destroy()
  clients?.lambda?.destroy()
}

export interface ClientOptions {
  /** Identifies the run in the user agent, e.g. the workflow run id. */
  runId?: string
  /** Attempts per call, over anything the environment says (tests). */
  maxAttempts?: number
  /**
   * Also the ECS and Lambda clients, for a deployment given as an AppSpec (`appspec`). Their
   * libraries are loaded only then, so an EC2 run starts without reading them.
   */
  platforms?: boolean
  /**
   * Resolve the region and the credentials up front, failing with the fix when either is missing
   * or malformed (default). False for a run that makes no AWS call (a bundle written to a file
   * only): it needs neither.
   */
  access?: boolean
}

/**
 * Creates the clients and (unless `access` is false) resolves the region and the credentials
 * (access.ts), failing with the fix before anything is sent.
 */
export async function createClients(options: ClientOptions = {}): Promise<AwsClients> {
  const customUserAgent: [string, string][] = [[PRODUCT, VERSION]]
  if (options.runId) customUserAgent.push(['run', options.runId])
  const agents = await proxyAgents()
  const common = {
    customUserAgent,
    // The SDK's own loaders (environment, then the profile), with the action's defaults last.
    retryMode: loadConfig({ ...NODE_RETRY_MODE_CONFIG_OPTIONS, default: DEFAULT_RETRY_MODE }),
    maxAttempts:
      options.maxAttempts ??
      loadConfig({ ...NODE_MAX_ATTEMPT_CONFIG_OPTIONS, default: DEFAULT_MAX_ATTEMPTS }),
    ...(agents ? { requestHandler: agents } : {})
  }
  const codedeploy = new CodeDeployClient(common)
  const s3 = new S3Client(common)
  const clients: AwsClients = { codedeploy, s3, region: '' }
  if (options.platforms) {
    const [{ ECSClient }, { LambdaClient }] = await Promise.all([
      import('@aws-sdk/client-ecs'),
      import('@aws-sdk/client-lambda')
    ])
    clients.ecs = new ECSClient(common)
    clients.lambda = new LambdaClient(common)
  }
  if (options.access === false) return clients
  try {
    clients.region = await resolveRegion(codedeploy)
    await resolveCredentials(codedeploy)
  } catch (error) {
    destroyClients(clients)
    throw error
  }
  return clients
}

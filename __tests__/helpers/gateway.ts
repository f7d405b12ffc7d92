/**
 * A Gateway over a test's stand-in CodeDeploy client (an object with `send`). The stand-in is
 * given CodeDeployClient's prototype, since the SDK's paginators take only instances of it; it has
 * no middleware stack, so the gateway counts its sends itself.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import type { S3Client } from '@aws-sdk/client-s3'
import { Gateway } from '../../src/engine/aws/gateway.js'
import { systemClock, type Clock } from '../../src/engine/clock.js'

export function gatewayOver(
  codedeploy: unknown,
  clock: Clock = systemClock,
  cancel?: AbortSignal
): Gateway {
  const client =
    codedeploy instanceof CodeDeployClient
      ? codedeploy
      : (Object.assign(Object.create(CodeDeployClient.prototype), {
          send: (codedeploy as { send: unknown }).send
        }) as CodeDeployClient)
  return new Gateway({ codedeploy: client, s3: {} as S3Client }, clock, cancel)
}

/**
 * Deployments made by someone else: CreateDeployment sent straight to the emulator with the SDK,
 * as another tool or a person would, for the commands that act on a deployment by its id.
 */
import { CodeDeployClient, CreateDeploymentCommand } from '@aws-sdk/client-codedeploy'
import { REGION } from '../../local/stack.js'
import { putRevision, s3Client, type Tree } from './revisions.js'
import { APPLICATION, BUCKET, type TestStack } from './stack.js'

export function codeDeployClient(world: TestStack): CodeDeployClient {
  return new CodeDeployClient({
    region: REGION,
    endpoint: world.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
    credentials: {
      accessKeyId: world.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: world.env.AWS_SECRET_ACCESS_KEY!
    }
  })
}

let counter = 0

/** Uploads `tree` and creates a deployment of it to `group` with the SDK; its id. */
export async function deployWithSdk(world: TestStack, group: string, tree: Tree): Promise<string> {
  const s3 = s3Client(world.env.AWS_ENDPOINT_URL_S3!)
  const codedeploy = codeDeployClient(world)
  try {
    const put = await putRevision(s3, BUCKET, `by-hand/${group}-${++counter}.zip`, tree)
    const out = await codedeploy.send(
      new CreateDeploymentCommand({
        applicationName: APPLICATION,
        deploymentGroupName: group,
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: put.bucket, key: put.key, bundleType: 'zip', eTag: put.eTag }
        }
      })
    )
    return out.deploymentId!
  } finally {
    s3.destroy()
    codedeploy.destroy()
  }
}

/** Resolves once `check` holds, polling every 20 ms. */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise(resolve => setTimeout(resolve, 20))
}

/** A hook that holds until `file` exists: the deployment stays InProgress until the test says. */
export const holdUntil = (file: string): string => `while [ ! -f '${file}' ]; do sleep 0.05; done`

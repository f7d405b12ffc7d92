/**
 * AWS access, checked before a run writes anything: the region (missing, or not a region's name)
 * and the credentials (none found, or set but empty), each refused with the fix instead of the
 * SDK's bare "Region is missing" or "Could not load credentials from any providers" at the first
 * call. Both come from the SDK's standard chain, as the clients will use them.
 */
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy'
import { loadConfig } from '@smithy/core/config'
import { InputError, errorMessage } from './engine/errors.js'

/** A region's name: us-east-1, eu-west-2, us-gov-west-1, cn-north-1, ap-southeast-5, … */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

const SET_REGION =
  'Set AWS_REGION, or give aws-region to aws-actions/configure-aws-credentials before this step.'

/** The region the environment or the profile names, if any, and where it was found. */
async function configuredRegion(
  env: NodeJS.ProcessEnv
): Promise<{ region: string; from: string } | undefined> {
  const fromEnv = env.AWS_REGION
  if (fromEnv) return { region: fromEnv, from: 'AWS_REGION' }
  const inProfile = await loadConfig<string | undefined>({
    environmentVariableSelector: () => undefined,
    configFileSelector: profile => profile.region || undefined,
    default: () => undefined
  })().catch(() => undefined)
  if (!inProfile) return undefined
  return { region: inProfile, from: `the region of profile '${env.AWS_PROFILE || 'default'}'` }
}

/** The region the clients use; an InputError with the fix when it is missing or malformed. */
export async function resolveRegion(
  codedeploy: CodeDeployClient,
  env: NodeJS.ProcessEnv = process.env
): Promise<string> {
  const configured = await configuredRegion(env)
  const named = configured
    ? `The AWS region ${JSON.stringify(configured.region.slice(0, 40))} (from ${configured.from})`
    : ''
  if (configured && !REGION.test(configured.region))
    throw new InputError(
      `${named} is not a region's name. Expected the form us-east-1 (eu-west-1, ap-southeast-2, …). ${SET_REGION}`
    )
  try {
    return await codedeploy.config.region()
  } catch (error) {
    throw new InputError(
      configured
        ? `${named} is not usable (${errorMessage(error)}). ${SET_REGION}`
        : `No AWS region is configured. ${SET_REGION}`
    )
  }
}

/** What is wrong with the credential variables the environment sets, if anything. */
function credentialVariables(env: NodeJS.ProcessEnv): string {
  const empty = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter(
    name => name in env && !env[name]?.trim()
  )
  if (empty.length)
    return ` ${empty.join(' and ')} ${empty.length > 1 ? 'are' : 'is'} set but empty: a secret the workflow refers to that is not defined comes through empty.`
  const [key, secret] = [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY]
  if (key && !secret) return ' AWS_ACCESS_KEY_ID is set, but AWS_SECRET_ACCESS_KEY is not.'
  if (secret && !key) return ' AWS_SECRET_ACCESS_KEY is set, but AWS_ACCESS_KEY_ID is not.'
  return ''
}

/**
 * Resolves the credentials the clients will sign with (the SDK keeps them for the calls); an
 * InputError naming the fixes when there are none. Nothing of the credentials is printed.
 */
export async function resolveCredentials(
  codedeploy: CodeDeployClient,
  env: NodeJS.ProcessEnv = process.env
): Promise<void> {
  try {
    await codedeploy.config.credentials()
  } catch (error) {
    throw new InputError(
      `No AWS credentials found (${errorMessage(error)}).${credentialVariables(env)} On GitHub Actions, run aws-actions/configure-aws-credentials before this step (with role-to-assume, the job needs 'permissions: id-token: write'); elsewhere set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.`
    )
  }
}

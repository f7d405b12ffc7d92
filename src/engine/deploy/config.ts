/**
 * The deployment config a `deployment-config-spec` defines: checked against the group and the
 * account with the target (no write), and created, when missing, just before the deployment.
 */
import { deniedError, errorName, isAccessDenied } from '../aws/errors.js'
import { InputError } from '../errors.js'
import type { Settings } from '../inputs/settings.js'
import type { Ports } from '../ports.js'
import type { RunRecord } from '../tell/record.js'
import {
  differsMessage,
  PLATFORM_NAME,
  readConfigSpec,
  specDifferences,
  type ConfigSpec
} from '../inputs/config-spec.js'

/** How the spec stands against the account: the config there holds it, or it is to be made. */
export type SpecState = 'exists' | 'missing'

async function state(ports: Ports, spec: ConfigSpec, file: string): Promise<SpecState> {
  try {
    const existing = await ports.gateway.deploymentConfig(spec.deploymentConfigName)
    const differences = specDifferences(spec, existing)
    if (differences.length) throw new InputError(differsMessage(spec, file, differences))
    return 'exists'
  } catch (error) {
    if (error instanceof InputError) throw error
    if (isAccessDenied(error)) throw deniedError('GetDeploymentConfig', error)
    if (errorName(error) === 'DeploymentConfigDoesNotExistException') return 'missing'
    throw error
  }
}

/**
 * With the target: reads and checks the spec, for the group's platform, and compares it with the
 * config of that name, if there is one. Records the config's name. Writes nothing.
 */
export async function checkConfigSpec(
  ports: Ports,
  record: RunRecord,
  settings: Settings,
  platform: string
): Promise<void> {
  const file = settings.deploymentConfigSpec
  if (!file) return
  const spec = await readConfigSpec(file, file, settings.deploymentConfig ?? '')
  if (spec.computePlatform !== platform)
    throw new InputError(
      `Invalid deployment-config-spec: ${file} defines a config for ${PLATFORM_NAME[spec.computePlatform]}, and group '${settings.deploymentGroup}' deploys to ${PLATFORM_NAME[platform] ?? platform}. Set computePlatform: ${platform} in the file, with the fields that platform takes.`
    )
  record.deploymentConfig = spec.deploymentConfigName
  const found = await state(ports, spec, file)
  ports.reporter.info(
    found === 'exists'
      ? `Deployment config '${spec.deploymentConfigName}' exists with the settings of ${file}.`
      : `Deployment config '${spec.deploymentConfigName}' does not exist yet: it is created from ${file} just before the deployment.`
  )
}

/**
 * Just before CreateDeployment: creates the spec's config when it is still missing (another run
 * may have made it meanwhile: then it must match). Returns the config's name.
 */
export async function ensureDeploymentConfig(
  ports: Ports,
  record: RunRecord,
  settings: Settings
): Promise<string | undefined> {
  const file = settings.deploymentConfigSpec
  if (!file) return settings.deploymentConfig
  const spec = await readConfigSpec(file, file, settings.deploymentConfig ?? '')
  if ((await state(ports, spec, file)) === 'exists') return spec.deploymentConfigName
  try {
    await ports.gateway.createDeploymentConfig(spec)
  } catch (error) {
    if (errorName(error) !== 'DeploymentConfigAlreadyExistsException') throw error
    await state(ports, spec, file) // made meanwhile: it must hold these settings
    return spec.deploymentConfigName
  }
  record.deploymentConfigCreated = true
  ports.changed()
  ports.reporter.info(`Created deployment config '${spec.deploymentConfigName}'.`)
  return spec.deploymentConfigName
}

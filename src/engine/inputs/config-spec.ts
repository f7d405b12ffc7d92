/**
 * `deployment-config-spec`: a deployment configuration defined in a file, with
 * CreateDeploymentConfig's own fields (camelCase, as the API and `aws deploy
 * create-deployment-config --cli-input-yaml` take them). The file is checked when the inputs are,
 * field by field with the fix; against the account before anything is written (a config of that
 * name that exists must hold the same settings: configs cannot be updated); and the config is
 * created, when missing, just before the deployment that uses it.
 */
import type {
  CreateDeploymentConfigCommandInput,
  DeploymentConfigInfo
} from '@aws-sdk/client-codedeploy'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../errors.js'
import { didYouMean } from './suggest.js'

/** How people name CodeDeploy's compute platforms. */
export const PLATFORM_NAME: Record<string, string> = {
  Server: 'EC2/on-premises',
  ECS: 'Amazon ECS',
  Lambda: 'AWS Lambda'
}

export type ConfigSpec = Omit<CreateDeploymentConfigCommandInput, 'deploymentConfigName'> & {
  deploymentConfigName: string
  computePlatform: 'Server' | 'ECS' | 'Lambda'
}

type Fields = Record<string, unknown>

/** Checks one level of the spec: known fields only, each of the right shape. */
class Checker {
  readonly problems: string[] = []
  constructor(private readonly file: string) {}

  problem(at: string, text: string): void {
    this.problems.push(`${this.file}: ${at ? `${at} ` : ''}${text}`)
  }

  object(value: unknown, at: string, known: readonly string[]): Fields | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(at, `must be a mapping of ${known.join(', ')}.`)
      return undefined
    }
    for (const key of Object.keys(value))
      if (!known.includes(key))
        this.problem(
          at ? `${at}.${key}` : key,
          `is not a field of CreateDeploymentConfig here.${didYouMean(key, known)} Known: ${known.join(', ')}.`
        )
    return value as Fields
  }

  whole(fields: Fields, at: string, name: string, min: number, max: number): number | undefined {
    const value = fields[name]
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
      return value
    this.problem(
      `${at}${name}`,
      `is ${JSON.stringify(value) ?? 'missing'}: give a whole number from ${min} to ${max}.`
    )
    return undefined
  }

  choice<T extends string>(
    fields: Fields,
    at: string,
    name: string,
    allowed: readonly T[]
  ): T | undefined {
    const value = fields[name]
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
      return value as T
    this.problem(
      `${at}${name}`,
      `is ${JSON.stringify(value) ?? 'missing'}: expected one of ${allowed.join(', ')}.`
    )
    return undefined
  }
}

const TOP = [
  'deploymentConfigName',
  'computePlatform',
  'minimumHealthyHosts',
  'trafficRoutingConfig',
  'zonalConfig'
] as const

function hosts(check: Checker, value: unknown, at: string): ConfigSpec['minimumHealthyHosts'] {
  const fields = check.object(value, at, ['type', 'value'])
  if (!fields) return undefined
  const type = check.choice(fields, `${at}.`, 'type', ['HOST_COUNT', 'FLEET_PERCENT'] as const)
  const count = check.whole(
    fields,
    `${at}.`,
    'value',
    0,
    type === 'FLEET_PERCENT' ? 99 : 2 ** 31 - 1
  )
  return type && count !== undefined ? { type, value: count } : undefined
}

function traffic(check: Checker, value: unknown): ConfigSpec['trafficRoutingConfig'] {
  const at = 'trafficRoutingConfig'
  const fields = check.object(value, at, ['type', 'timeBasedCanary', 'timeBasedLinear'])
  if (!fields) return undefined
  const type = check.choice(fields, `${at}.`, 'type', [
    'AllAtOnce',
    'TimeBasedCanary',
    'TimeBasedLinear'
  ] as const)
  if (type === 'TimeBasedCanary') {
    const c = check.object(fields.timeBasedCanary, `${at}.timeBasedCanary`, [
      'canaryPercentage',
      'canaryInterval'
    ])
    if (!c) return undefined
    const percentage = check.whole(c, `${at}.timeBasedCanary.`, 'canaryPercentage', 1, 99)
    const interval = check.whole(c, `${at}.timeBasedCanary.`, 'canaryInterval', 1, 2880)
    return { type, timeBasedCanary: { canaryPercentage: percentage, canaryInterval: interval } }
  }
  if (type === 'TimeBasedLinear') {
    const l = check.object(fields.timeBasedLinear, `${at}.timeBasedLinear`, [
      'linearPercentage',
      'linearInterval'
    ])
    if (!l) return undefined
    const percentage = check.whole(l, `${at}.timeBasedLinear.`, 'linearPercentage', 1, 99)
    const interval = check.whole(l, `${at}.timeBasedLinear.`, 'linearInterval', 1, 2880)
    return { type, timeBasedLinear: { linearPercentage: percentage, linearInterval: interval } }
  }
  for (const extra of ['timeBasedCanary', 'timeBasedLinear'])
    if (fields[extra] !== undefined)
      check.problem(
        `${at}.${extra}`,
        `belongs to type ${extra === 'timeBasedCanary' ? 'TimeBasedCanary' : 'TimeBasedLinear'}: remove it, or set that type.`
      )
  return type ? { type } : undefined
}

function zonal(check: Checker, value: unknown): ConfigSpec['zonalConfig'] {
  const at = 'zonalConfig'
  const fields = check.object(value, at, [
    'firstZoneMonitorDurationInSeconds',
    'monitorDurationInSeconds',
    'minimumHealthyHostsPerZone'
  ])
  if (!fields) return undefined
  const out: NonNullable<ConfigSpec['zonalConfig']> = {}
  for (const name of ['firstZoneMonitorDurationInSeconds', 'monitorDurationInSeconds'] as const)
    if (fields[name] !== undefined) out[name] = check.whole(fields, `${at}.`, name, 0, 86_400)
  if (fields.minimumHealthyHostsPerZone !== undefined)
    out.minimumHealthyHostsPerZone = hosts(
      check,
      fields.minimumHealthyHostsPerZone,
      `${at}.minimumHealthyHostsPerZone`
    )
  return out
}

/**
 * Reads and checks the spec at `file` (absolute; `shown` is how messages name it). `name` is the
 * `deployment-config` input: the spec's own deploymentConfigName must agree with it, and one of
 * the two must name the config. Throws one InputError listing every problem.
 */
export async function readConfigSpec(
  file: string,
  shown: string,
  name: string
): Promise<ConfigSpec> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new InputError(
      `Invalid deployment-config-spec '${shown}': ${file} cannot be read (it does not exist, or is not a file). Give the path of a YAML or JSON file with CreateDeploymentConfig's fields, relative to the workspace.`
    )
  }
  // Loaded here: only runs with a spec parse YAML at this point.
  const { parseDocument } = await import('yaml')
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false })
  const syntax = doc.errors[0]
  if (syntax)
    throw new InputError(
      `Invalid deployment-config-spec: ${shown} is not valid YAML or JSON (${syntax.message.split('\n')[0] ?? ''}). Fix the syntax: a mapping of CreateDeploymentConfig's fields.`
    )
  const value: unknown = doc.toJS()
  const check = new Checker(shown)
  const fields = check.object(value, '', TOP) ?? {}
  const own = fields.deploymentConfigName
  let configName = name
  if (own !== undefined) {
    if (typeof own !== 'string' || !/^[A-Za-z0-9+=,.@_-]{1,100}$/.test(own))
      check.problem(
        'deploymentConfigName',
        `is ${JSON.stringify(own)}: give 1 to 100 of A-Z a-z 0-9 + = , . @ _ -.`
      )
    else if (name && own !== name)
      check.problem(
        'deploymentConfigName',
        `is '${own}', and input 'deployment-config' is '${name}': give the name once, or the same in both.`
      )
    else configName = own
  }
  if (!configName)
    check.problem(
      '',
      "names no config: set deploymentConfigName in the file, or the input 'deployment-config'."
    )
  if (configName.startsWith('CodeDeployDefault.'))
    check.problem(
      'deploymentConfigName',
      `'${configName}': names starting with CodeDeployDefault. are AWS's own. Choose another name.`
    )
  const platform =
    fields.computePlatform === undefined
      ? 'Server'
      : check.choice(fields, '', 'computePlatform', ['Server', 'ECS', 'Lambda'] as const)
  const spec: ConfigSpec = {
    deploymentConfigName: configName,
    computePlatform: platform ?? 'Server'
  }
  if (platform === 'Server') {
    if (fields.minimumHealthyHosts === undefined)
      check.problem(
        '',
        'needs minimumHealthyHosts for computePlatform Server, e.g. {type: FLEET_PERCENT, value: 75}.'
      )
    else spec.minimumHealthyHosts = hosts(check, fields.minimumHealthyHosts, 'minimumHealthyHosts')
    if (fields.trafficRoutingConfig !== undefined)
      check.problem(
        'trafficRoutingConfig',
        'shifts ECS or Lambda traffic: set computePlatform ECS or Lambda, or remove it.'
      )
    if (fields.zonalConfig !== undefined) spec.zonalConfig = zonal(check, fields.zonalConfig)
  } else if (platform) {
    for (const name of ['minimumHealthyHosts', 'zonalConfig'])
      if (fields[name] !== undefined)
        check.problem(
          name,
          `is for EC2/on-premises (computePlatform Server), not ${platform}: remove it.`
        )
    if (fields.trafficRoutingConfig !== undefined)
      spec.trafficRoutingConfig = traffic(check, fields.trafficRoutingConfig)
  }
  if (check.problems.length === 1)
    throw new InputError(`Invalid deployment-config-spec: ${check.problems[0]}`)
  if (check.problems.length > 1)
    throw new InputError(
      `Invalid deployment-config-spec, ${check.problems.length} problems:\n${check.problems.map(p => `  - ${p}`).join('\n')}`
    )
  return spec
}

/** The settings of a config as comparable lines, `field.path: value`, defaults filled in. */
function settingsOf(
  config: Omit<ConfigSpec, 'deploymentConfigName'> | DeploymentConfigInfo
): Map<string, string> {
  const lines = new Map<string, string>()
  const walk = (value: unknown, at: string): void => {
    if (value === undefined || value === null) return
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      lines.set(at, String(value))
    else if (typeof value === 'object' && !(value instanceof Date))
      for (const [key, inner] of Object.entries(value)) walk(inner, at ? `${at}.${key}` : key)
  }
  const platform = config.computePlatform ?? 'Server'
  walk({ computePlatform: platform }, '')
  if (platform === 'Server') {
    walk({ minimumHealthyHosts: config.minimumHealthyHosts }, '')
    walk({ zonalConfig: config.zonalConfig }, '')
  } else walk({ trafficRoutingConfig: config.trafficRoutingConfig ?? { type: 'AllAtOnce' } }, '')
  return lines
}

/**
 * How the config AWS holds differs from the spec, one `field: AWS value → file value` each;
 * empty when they agree.
 */
export function specDifferences(spec: ConfigSpec, existing: DeploymentConfigInfo): string[] {
  const wanted = settingsOf(spec)
  const held = settingsOf(existing)
  const fields = [...new Set([...wanted.keys(), ...held.keys()])].sort()
  return fields
    .filter(field => wanted.get(field) !== held.get(field))
    .map(
      field =>
        `${field}: ${held.get(field) ?? '(not set)'} in AWS, ${wanted.get(field) ?? '(not set)'} in the file`
    )
}

/** The message for a spec that differs from the config of the same name. */
export function differsMessage(spec: ConfigSpec, file: string, differences: string[]): string {
  return `Deployment config '${spec.deploymentConfigName}' exists with other settings than ${path.basename(file)} gives (${differences.join('; ')}). A deployment config cannot be changed: give the new settings a new deploymentConfigName, or make the file match.`
}

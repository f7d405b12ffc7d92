/**
 * `deployment-group-config`: a deployment group defined in a file, with CreateDeploymentGroup's
 * own fields (camelCase, as the API and `aws deploy create-deployment-group --cli-input-yaml`
 * take them). The file is checked field by field with the fix before anything is written; the
 * group is compared with it (only the fields the file gives: UpdateDeploymentGroup leaves the
 * others as they are), created when missing and updated when it differs.
 */
import type {
  CreateDeploymentGroupCommandInput,
  DeploymentGroupInfo
} from '@aws-sdk/client-codedeploy'
import { readFile } from 'node:fs/promises'
import { InputError } from '../errors.js'
import { GROUP_FIELDS, shapeProblems } from './group-schema.js'

export type GroupConfig = Omit<
  CreateDeploymentGroupCommandInput,
  'applicationName' | 'deploymentGroupName' | 'serviceRoleArn'
> & { deploymentGroupName: string; serviceRoleArn: string }

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/
const NAME = /^[A-Za-z0-9+=,.@_-]{1,100}$/

/**
 * Reads and checks the file at `file` (absolute; `shown` names it in messages). `name` is the
 * `deployment-group` input and `application` the `application` input: the file's own
 * deploymentGroupName and applicationName, when given, must be the same.
 * Throws one InputError listing every problem.
 */
export async function readGroupConfig(
  file: string,
  shown: string,
  name: string,
  application: string
): Promise<GroupConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    throw new InputError(
      `Invalid deployment-group-config '${shown}': ${file} cannot be read (it does not exist, or is not a file). Give the path of a YAML or JSON file with CreateDeploymentGroup's fields, relative to the workspace.`
    )
  }
  // Loaded here: only runs with a group config parse YAML at this point.
  const { parseDocument } = await import('yaml')
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false })
  const syntax = doc.errors[0]
  if (syntax)
    throw new InputError(
      `Invalid deployment-group-config: ${shown} is not valid YAML or JSON (${syntax.message.split('\n')[0] ?? ''}). Fix the syntax: a mapping of CreateDeploymentGroup's fields.`
    )
  const value: unknown = doc.toJS()
  const problems = shapeProblems(value, { fields: GROUP_FIELDS }, '', shown)
  const fields = (
    typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}
  ) as Record<string, unknown>
  const problem = (at: string, text: string): number => problems.push(`${shown}: ${at} ${text}`)
  const own = fields.deploymentGroupName
  if (typeof own === 'string' && own !== name)
    problem(
      'deploymentGroupName',
      `is '${own}', and input 'deployment-group' is '${name}': give the same name in both, or leave it out of the file.`
    )
  const app = fields.applicationName
  if (typeof app === 'string' && app !== application)
    problem(
      'applicationName',
      `is '${app}', and input 'application' is '${application}': give the same name in both, or leave it out of the file.`
    )
  const role = fields.serviceRoleArn
  if (role === undefined)
    problem(
      'serviceRoleArn',
      "is missing: CreateDeploymentGroup needs the ARN of the role CodeDeploy acts as, e.g. 'arn:aws:iam::123456789012:role/CodeDeployServiceRole'."
    )
  else if (typeof role === 'string' && !ROLE_ARN.test(role))
    problem(
      'serviceRoleArn',
      `is '${role.slice(0, 80)}': give a role's ARN, e.g. 'arn:aws:iam::123456789012:role/CodeDeployServiceRole', not its name.`
    )
  const config = fields.deploymentConfigName
  if (typeof config === 'string' && !NAME.test(config))
    problem(
      'deploymentConfigName',
      `is ${JSON.stringify(config)}: give 1 to 100 of A-Z a-z 0-9 + = , . @ _ -.`
    )
  for (const [filters, set] of [
    ['ec2TagFilters', 'ec2TagSet'],
    ['onPremisesInstanceTagFilters', 'onPremisesTagSet']
  ] as const)
    if (fields[filters] !== undefined && fields[set] !== undefined)
      problem(
        set,
        `and ${filters} cannot both be given (CreateDeploymentGroup refuses it): keep one.`
      )
  if (problems.length === 1) throw new InputError(`Invalid deployment-group-config: ${problems[0]}`)
  if (problems.length > 1)
    throw new InputError(
      `Invalid deployment-group-config, ${problems.length} problems:\n${problems.map(p => `  - ${p}`).join('\n')}`
    )
  const { applicationName: _given, ...given } = fields
  return { ...given, deploymentGroupName: name } as GroupConfig
}

type Json = unknown

/** Arrays in a fixed order (their items' JSON), so that an order AWS changes is no difference. */
function canonical(value: Json): Json {
  if (Array.isArray(value))
    return value.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)])
    )
  return value
}

/**
 * What AWS holds, cut to the shape the file gives: the keys the file sets (AWS adds defaults and
 * ids the file need not repeat), every item of a list (an item AWS has and the file has not is a
 * difference). An unset boolean reads as false and an unset list as empty, as AWS defaults them.
 */
function project(held: Json, wanted: Json): Json {
  if (Array.isArray(wanted)) {
    const list: Json[] = wanted
    const items: Json[] = Array.isArray(held) ? held : []
    const objects = list.filter(
      (w): w is Record<string, Json> => typeof w === 'object' && w !== null && !Array.isArray(w)
    )
    if (!objects.length) return items.map(item => project(item, list[0]))
    // Every key any item of the file sets, with the first value given for it.
    const shape: Record<string, Json> = {}
    for (const item of objects)
      for (const [k, v] of Object.entries(item)) if (!(k in shape)) shape[k] = v
    return items.map(item => project(item, shape))
  }
  if (typeof wanted === 'object' && wanted !== null) {
    const source = (typeof held === 'object' && held !== null ? held : {}) as Record<string, Json>
    return Object.fromEntries(Object.entries(wanted).map(([k, v]) => [k, project(source[k], v)]))
  }
  if (typeof wanted === 'boolean') return held ?? false
  return held
}

/**
 * How the group AWS holds differs from the file, one `field: AWS value in AWS, file value in the
 * file` each (only the fields the file gives); empty when they agree.
 */
export function groupDifferences(config: GroupConfig, group: DeploymentGroupInfo): string[] {
  const held = group as Record<string, Json>
  const out: string[] = []
  for (const [field, wanted] of Object.entries(config)) {
    if (field === 'deploymentGroupName' || wanted === undefined) continue
    let aws = held[field]
    // GetDeploymentGroup answers Auto Scaling groups as {name, hook}; the input names them.
    if (field === 'autoScalingGroups' && Array.isArray(aws))
      aws = aws.map(g => (g as { name?: string }).name)
    const now = JSON.stringify(canonical(project(aws, wanted)))
    const then = JSON.stringify(canonical(wanted))
    if (now !== then) out.push(`${field}: ${now ?? '(not set)'} in AWS, ${then} in the file`)
  }
  return out
}

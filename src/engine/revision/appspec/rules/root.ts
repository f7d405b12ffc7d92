/**
 * The top level of an EC2/on-premises appspec: it must be a mapping of the known keys, with
 * `version: 0.0` and an `os` the agent knows. Hands each section to its own rules and puts the
 * results together.
 */
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml'
import { AppSpecError } from '../../../errors.js'
import type { CheckContext } from '../context.js'
import { didYouMean } from '../../../inputs/suggest.js'
import type { AppSpec } from '../types.js'
import type { Field } from '../yaml.js'
import { checkFileExistsBehavior } from './file-exists-behavior.js'
import { checkFiles } from './files.js'
import { checkHooks } from './hooks.js'
import { checkPermissions } from './permissions.js'

const ROOT_KEYS = ['version', 'os', 'files', 'permissions', 'hooks', 'file_exists_behavior']

/** Checks the whole document as an EC2/on-premises appspec and returns what it says. */
export async function checkRoot(ctx: CheckContext): Promise<AppSpec> {
  const root = ctx.doc.contents
  if (root === null || ctx.isEmpty(root)) {
    throw new AppSpecError(
      `${ctx.fileName}:1:1: the file is empty. Start it with 'version: 0.0' and 'os: linux' (or windows), then add files and hooks.`,
      ctx.file,
      1,
      1
    )
  }
  if (!isMap(root)) {
    throw ctx.fail(
      root,
      `the top level must be a mapping (version:, os:, files:, hooks:), not ${isSeq(root) ? 'a list' : 'a single value'}. Write one 'key: value' per line.`
    )
  }
  const fields = ctx.fields(root, ROOT_KEYS, 'the top level')
  for (const field of fields) {
    if (ROOT_KEYS.includes(field.name)) continue
    if (field.name === 'Resources') {
      throw ctx.fail(
        field.key,
        "'Resources' belongs to a Lambda or ECS appspec, but this action deploys EC2/on-premises revisions. Use an EC2/on-premises appspec: version, os, files, hooks."
      )
    }
    throw ctx.fail(
      field.key,
      `unknown key '${field.name}' at the top level.${didYouMean(field.name, ROOT_KEYS)} An EC2/on-premises appspec has only: ${ROOT_KEYS.join(', ')}.`
    )
  }

  checkVersion(ctx, root, ctx.field(fields, 'version'))
  const os = checkOs(ctx, root, ctx.field(fields, 'os'))
  const spec: AppSpec = { version: '0.0', os, files: [], permissions: [], hooks: {} }
  const behavior = ctx.field(fields, 'file_exists_behavior')
  if (behavior) spec.fileExistsBehavior = checkFileExistsBehavior(ctx, behavior)
  const files = ctx.field(fields, 'files')
  if (files) spec.files = await checkFiles(ctx, files, os)
  const permissions = ctx.field(fields, 'permissions')
  if (permissions) spec.permissions = checkPermissions(ctx, permissions, os)
  const hooks = ctx.field(fields, 'hooks')
  if (hooks) spec.hooks = await checkHooks(ctx, hooks, os)
  return spec
}

function checkVersion(ctx: CheckContext, root: YAMLMap.Parsed, field: Field | undefined): void {
  if (!field) throw ctx.fail(root, "'version' is missing. Add 'version: 0.0' as the first line.")
  const node = field.value
  if (isScalar(node) && node.value === 0 && node.type === 'PLAIN') return
  const written = isScalar(node) ? (node.source ?? String(node.value)) : 'a list or mapping'
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() === '0.0') {
    throw ctx.fail(
      node,
      "version is the string '0.0' (quoted), but the agent compares it with the number 0.0 and fails the deployment. Remove the quotes: version: 0.0"
    )
  }
  throw ctx.fail(
    node ?? field.key,
    `version is '${written}', but CodeDeploy supports only version 0.0 for EC2/on-premises. Set 'version: 0.0'.`
  )
}

function checkOs(
  ctx: CheckContext,
  root: YAMLMap.Parsed,
  field: Field | undefined
): 'linux' | 'windows' {
  if (!field) throw ctx.fail(root, "'os' is missing. Add 'os: linux' or 'os: windows'.")
  const value = ctx.text(field.value)
  if (value === 'linux' || value === 'windows') return value
  const hint =
    value && (value.toLowerCase() === 'linux' || value.toLowerCase() === 'windows')
      ? ` Write it in lower case: os: ${value.toLowerCase()}.`
      : " Use 'linux' (Amazon Linux, Ubuntu, RHEL) or 'windows' (Windows Server)."
  throw ctx.fail(
    field.value ?? field.key,
    `os is '${value ?? ''}', which the agent does not know.${hint}`
  )
}

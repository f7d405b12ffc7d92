/**
 * The Properties of a Lambda AppSpec's function: its name and the alias CodeDeploy shifts, and the
 * versions traffic moves from and to. Either version may be left out for the action to fill in
 * (CurrentVersion from the alias, TargetVersion by publishing one); both given and equal leaves
 * nothing to shift.
 */
import { isScalar, type ParsedNode, type YAMLMap } from 'yaml'
import type { Field } from '../yaml.js'
import type { ContentReader } from './reader.js'
import type { ContentAppSpec } from './types.js'

const LAMBDA_KEYS = ['Name', 'Alias', 'CurrentVersion', 'TargetVersion']

export function checkLambdaProperties(
  ctx: ContentReader,
  props: YAMLMap.Parsed,
  at: ParsedNode
): NonNullable<ContentAppSpec['lambda']> {
  const fields = ctx.fields(props, LAMBDA_KEYS, 'Properties')
  ctx.rejectUnknown(fields, LAMBDA_KEYS, 'the Properties of a Lambda function')
  const name = ctx.need(fields, 'Name', at, "Add 'Name: <function name>', the function to deploy.")
  const alias = ctx.need(
    fields,
    'Alias',
    at,
    "Add 'Alias: <alias>', the alias whose traffic CodeDeploy shifts (e.g. live)."
  )
  const lambda: NonNullable<ContentAppSpec['lambda']> = {
    name: ctx.string(name, 'the name of the function to deploy'),
    alias: ctx.string(alias, 'the name of an alias of the function (e.g. live)')
  }
  const current = ctx.field(fields, 'CurrentVersion')
  if (current) lambda.currentVersion = version(ctx, current)
  const target = ctx.field(fields, 'TargetVersion')
  if (target) lambda.targetVersion = version(ctx, target)
  if (
    target &&
    lambda.currentVersion !== undefined &&
    lambda.currentVersion === lambda.targetVersion
  ) {
    throw ctx.fail(
      target.value ?? target.key,
      `CurrentVersion and TargetVersion are both ${lambda.targetVersion}, so there is no traffic to shift. Set TargetVersion to the version to deploy, or remove it to have the action publish a new version.`
    )
  }
  return lambda
}

/** A published version number, as "3" whether written 3 or "3". */
function version(ctx: ContentReader, field: Field): string {
  const node = field.value
  const written = isScalar(node)
    ? typeof node.value === 'string'
      ? node.value.trim()
      : (node.source ?? String(node.value))
    : undefined
  if (written !== undefined && /^[1-9]\d*$/.test(written)) return written
  const omit =
    field.name === 'CurrentVersion'
      ? 'remove it to have the action read it from the alias'
      : 'remove it to have the action publish a new version'
  if (written?.toUpperCase() === '$LATEST') {
    throw ctx.fail(
      node,
      `${field.name} is $LATEST, but CodeDeploy shifts an alias between published versions. Give a version number, or ${omit}.`
    )
  }
  throw ctx.fail(
    node ?? field.key,
    `${field.name} '${written ?? 'a list or mapping'}' is not a published version number. Give one such as ${field.name}: "3", or ${omit}.`
  )
}

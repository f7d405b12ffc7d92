/**
 * Changes one value of a checked ECS or Lambda AppSpec by editing its text in place: the rest of
 * the file (comments, order, quoting, layout) is left byte for byte, so YAML stays the YAML the
 * user wrote and JSON stays JSON. A value keeps the quoting it was written with; a key the file
 * lacks is added after the last property, indented like the others. The result is checked again.
 */
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml'
import { InputError } from '../../../errors.js'
import { parseContentAppSpec } from './check.js'
import { readContent, type ContentReader } from './reader.js'
import type { ContentAppSpec } from './types.js'

interface Edit {
  at: number
  end: number
  text: string
}

function apply(text: string, edits: Edit[]): string {
  let out = text
  // From the end, so offsets stay right; at one offset, the later edit goes in first.
  for (const edit of [...edits].reverse().sort((a, b) => b.at - a.at)) {
    out = out.slice(0, edit.at) + edit.text + out.slice(edit.end)
  }
  return out
}

type ParsedPair = YAMLMap.Parsed['items'][number]

/** The pair whose key is `name`, in any case (as the check reads keys). */
function pairOf(ctx: ContentReader, map: YAMLMap.Parsed, name: string): ParsedPair | undefined {
  return map.items.find(pair => {
    const key = ctx.deref(pair.key)
    return isScalar(key) && String(key.value).toLowerCase() === name.toLowerCase()
  })
}

/** The Properties mapping of the one resource (the spec was checked, so the path exists). */
function properties(ctx: ContentReader): YAMLMap.Parsed {
  const root = ctx.doc.contents
  const resources = isMap(root) ? ctx.deref(pairOf(ctx, root, 'Resources')?.value) : null
  const item = isSeq(resources) ? ctx.deref(resources.items[0]) : null
  const body = isMap(item) ? ctx.deref(item.items[0]?.value) : null
  const props = isMap(body) ? ctx.deref(pairOf(ctx, body, 'Properties')?.value) : null
  if (!isMap(props)) throw new Error('the AppSpec has no Properties; check it before editing it')
  return props
}

/** `value` written the way `node` was: same quotes, a bare number staying a bare number. */
function render(node: unknown, value: string, ctx: ContentReader): string {
  if (isScalar(node)) {
    if (node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`
    if (node.type === 'PLAIN') {
      if (typeof node.value === 'number' && /^\d+$/.test(value)) return value
      if (ctx.format === 'yaml' && plainReadsAs(value)) return value
    }
  }
  return JSON.stringify(value)
}

function plainReadsAs(value: string): boolean {
  const doc = parseDocument(`k: ${value}\n`)
  return doc.errors.length === 0 && doc.get('k') === value
}

/** Sets `name` in `props`: replaces its value, or adds the pair after the last one. */
function setValue(
  ctx: ContentReader,
  text: string,
  props: YAMLMap.Parsed,
  name: string,
  value: string
): Edit {
  const node = pairOf(ctx, props, name)?.value
  if (node) return { at: node.range[0], end: node.range[1], text: render(node, value, ctx) }
  const last = props.items[props.items.length - 1]
  const lastNode = last?.value ?? last?.key
  const firstKey = props.items[0]?.key
  if (!last || !lastNode || !firstKey) throw new Error(`cannot place ${name} in Properties`)
  // A file that writes its keys in lower case (as the AppSpec reference does) gets one more.
  const firstName = isScalar(firstKey) ? String(firstKey.value) : ''
  if (firstName !== '' && firstName === firstName.toLowerCase()) name = name.toLowerCase()
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const end = lastNode.range[1]
  if (props.flow) {
    const multiline = text.slice(props.range[0], firstKey.range[0]).includes('\n')
    const lead = multiline ? `${eol}${indentOf(text, last.key.range[0])}` : ' '
    return { at: end, end, text: `,${lead}${JSON.stringify(name)}: ${JSON.stringify(value)}` }
  }
  const indent = ' '.repeat(firstKey.range[0] - lineStart(text, firstKey.range[0]))
  const line = `${indent}${name}: ${JSON.stringify(value)}`
  if (text[end - 1] === '\n') return { at: end, end, text: `${line}${eol}` }
  const newline = text.indexOf('\n', end)
  if (newline < 0) return { at: text.length, end: text.length, text: `${eol}${line}` }
  return { at: newline + 1, end: newline + 1, text: `${line}${eol}` }
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1
}

function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset)
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? ''
}

/** The content with the ECS TaskDefinition replaced by `arn`, same format. */
export function withTaskDefinition(spec: ContentAppSpec, arn: string): string {
  if (spec.platform !== 'ECS') {
    throw new InputError(
      `${spec.path} is a ${spec.platform} AppSpec; only an ECS AppSpec has a TaskDefinition to replace.`
    )
  }
  if (arn.trim() === '' || /\s/.test(arn)) {
    throw new InputError(`'${arn}' is not a task definition ARN to put in ${spec.path}.`)
  }
  const ctx = readContent(spec.content, spec.path, spec.platform)
  const edit = setValue(ctx, spec.content, properties(ctx), 'TaskDefinition', arn)
  const text = apply(spec.content, [edit])
  const again = parseContentAppSpec(text, spec.path, spec.platform)
  if (again.ecs?.taskDefinition !== arn) throw new Error(`TaskDefinition was not set to ${arn}`)
  return text
}

/** The content with the Lambda CurrentVersion/TargetVersion set (added when absent), same format. */
export function withLambdaVersions(
  spec: ContentAppSpec,
  versions: { currentVersion: string; targetVersion: string }
): string {
  if (spec.platform !== 'Lambda') {
    throw new InputError(
      `${spec.path} is a ${spec.platform} AppSpec; only a Lambda AppSpec has versions to set.`
    )
  }
  for (const [name, value] of Object.entries(versions)) {
    if (!/^[1-9]\d*$/.test(value)) {
      throw new InputError(
        `Lambda ${name} '${value}' is not a published version number; CodeDeploy shifts an alias between published versions. Publish a version (and point the alias at one) first.`
      )
    }
  }
  const ctx = readContent(spec.content, spec.path, spec.platform)
  const props = properties(ctx)
  const text = apply(spec.content, [
    setValue(ctx, spec.content, props, 'CurrentVersion', versions.currentVersion),
    setValue(ctx, spec.content, props, 'TargetVersion', versions.targetVersion)
  ])
  const again = parseContentAppSpec(text, spec.path, spec.platform)
  if (
    again.lambda?.currentVersion !== versions.currentVersion ||
    again.lambda.targetVersion !== versions.targetVersion
  ) {
    throw new Error('the Lambda versions were not set as asked')
  }
  return text
}

/**
 * The Hooks of an ECS or Lambda AppSpec: a list of `- <LifecycleEvent>: <Lambda function>`, each
 * event at most once and valid for the platform. Explains events that belong to another platform.
 */
import { isMap, isScalar } from 'yaml'
import { HOOK_NAMES } from '../types.js'
import { suggest } from '../../../inputs/suggest.js'
import type { Field } from '../yaml.js'
import type { ContentReader } from './reader.js'
import { HOOK_EVENTS, type ContentAppSpec } from './types.js'

/** The names AWS SAM templates give the Lambda hooks. */
const SAM_HOOKS: Record<string, string> = {
  PreTraffic: 'BeforeAllowTraffic',
  PostTraffic: 'AfterAllowTraffic'
}

export function checkHooks(ctx: ContentReader, field: Field): ContentAppSpec['hooks'] {
  const platform = ctx.platform
  const events = HOOK_EVENTS[platform]
  const example = `'- ${events[0] ?? ''}: <function name or ARN>'`
  if (isMap(field.value)) {
    throw ctx.fail(
      field.value,
      `'Hooks' must be a list, one event per item: write each as ${example}.`
    )
  }
  const seq = ctx.list(field, `of events: ${example}`)
  const hooks: ContentAppSpec['hooks'] = []
  for (const raw of seq?.items ?? []) {
    const item = ctx.deref(raw)
    if (!isMap(item) || item.items.length !== 1) {
      throw ctx.fail(
        item ?? seq,
        `each Hooks item names one lifecycle event and one Lambda function: ${example}.`
      )
    }
    const [hook] = ctx.fields(item, events, 'Hooks', true)
    if (!hook) continue
    checkEvent(ctx, hook, events)
    if (hooks.some(h => h.event === hook.name)) {
      throw ctx.fail(
        hook.key,
        `hook '${hook.name}' is listed twice; CodeDeploy runs one function per lifecycle event. Keep one (call the other from it).`
      )
    }
    hooks.push({ event: hook.name, functionName: functionName(ctx, hook) })
  }
  return hooks
}

function checkEvent(ctx: ContentReader, hook: Field, events: readonly string[]): void {
  if (events.includes(hook.name)) return
  const platform = ctx.platform
  const allowed = `${platform} runs hook functions at: ${events.join(', ')}`
  const ecsOnly = HOOK_EVENTS.ECS.includes(hook.name)
  if (platform === 'Lambda' && ecsOnly) {
    throw ctx.fail(
      hook.key,
      `'${hook.name}' is an ECS lifecycle event; a Lambda deployment has no such step. ${allowed}. Move the check to one of these, or remove it.`
    )
  }
  if ((HOOK_NAMES as readonly string[]).includes(hook.name)) {
    throw ctx.fail(
      hook.key,
      `'${hook.name}' is an EC2/on-premises lifecycle event, run by the agent on instances. ${allowed}.`
    )
  }
  const spelt = events.find(event => event.toLowerCase() === hook.name.toLowerCase())
  if (spelt) {
    throw ctx.fail(
      hook.key,
      `lifecycle event '${hook.name}' is written with other capitals than CodeDeploy's '${spelt}'. Write it as CodeDeploy spells it: - ${spelt}: …`
    )
  }
  const sam = SAM_HOOKS[hook.name]
  if (sam) {
    throw ctx.fail(
      hook.key,
      `'${hook.name}' is the AWS SAM name of this hook; in an AppSpec it is '${sam}'. Rename it: - ${sam}: …`
    )
  }
  const close = suggest(hook.name, events)
  throw ctx.fail(
    hook.key,
    `unknown lifecycle event '${hook.name}'.${close ? ` Did you mean '${close}'?` : ''} ${allowed}.`
  )
}

function functionName(ctx: ContentReader, hook: Field): string {
  const node = hook.value
  const value = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : ''
  if (value === '') {
    throw ctx.fail(
      node ?? hook.key,
      `hook '${hook.name}' must name one Lambda function (its name or ARN) as a string, e.g. '- ${hook.name}: validate-${hook.name.toLowerCase()}'.`
    )
  }
  if (/\s/.test(value)) {
    throw ctx.fail(
      node,
      `hook '${hook.name}' names '${value}', which is not a Lambda function name (no spaces allowed). Give the function's name or ARN.`
    )
  }
  return value
}

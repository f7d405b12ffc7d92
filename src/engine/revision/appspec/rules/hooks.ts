/**
 * The `hooks` section of a server deployment: each lifecycle event maps to a list of scripts with
 * an optional timeout and runas. Explains the events CodeDeploy runs itself and the names of the
 * first agent releases, and keeps the timeouts of one event within what CodeDeploy allows.
 */
import { isMap, isScalar, isSeq } from 'yaml'
import type { CheckContext } from '../context.js'
import { suggest } from '../../../inputs/suggest.js'
import {
  HOOK_NAMES,
  MAX_EVENT_SECONDS,
  type AppSpec,
  type HookName,
  type HookScript
} from '../types.js'
import type { Field } from '../yaml.js'
import { checkScript } from './hook-script.js'

/** Events CodeDeploy runs itself: why no script can go there, and where to put it instead. */
const RESERVED_HOOKS: Record<string, { why: string; use: string }> = {
  Start: { why: 'CodeDeploy runs it itself to begin the deployment', use: 'ApplicationStop' },
  DownloadBundle: {
    why: 'the agent runs it itself to fetch the revision',
    use: 'BeforeInstall'
  },
  Install: {
    why: "the agent runs it itself to copy the 'files' entries into place",
    use: 'BeforeInstall or AfterInstall'
  },
  BlockTraffic: {
    why: 'CodeDeploy runs it itself to take the instance out of its load balancer',
    use: 'BeforeBlockTraffic or AfterBlockTraffic'
  },
  AllowTraffic: {
    why: 'CodeDeploy runs it itself to put the instance back behind its load balancer',
    use: 'BeforeAllowTraffic or AfterAllowTraffic'
  },
  End: { why: 'CodeDeploy runs it itself to finish the deployment', use: 'ValidateService' }
}

/** Names from the first agent releases; CodeDeploy no longer sends these events. */
const RENAMED_HOOKS: Record<string, HookName> = {
  BeforeELBRemove: 'BeforeBlockTraffic',
  AfterELBRemove: 'AfterBlockTraffic',
  BeforeELBAdd: 'BeforeAllowTraffic',
  AfterELBAdd: 'AfterAllowTraffic'
}

/** `sudo` is a leftover the agent still reads; accepted, not documented. */
const SCRIPT_KEYS = ['location', 'timeout', 'runas', 'sudo']

export async function checkHooks(
  ctx: CheckContext,
  field: Field,
  os: 'linux' | 'windows'
): Promise<AppSpec['hooks']> {
  const hooks: AppSpec['hooks'] = {}
  if (ctx.isEmpty(field.value)) return hooks
  if (!isMap(field.value)) {
    const lambdaStyle = isSeq(field.value)
      ? ' (a list of hooks is the Lambda/ECS form; this action deploys EC2/on-premises revisions)'
      : ''
    throw ctx.fail(
      field.value,
      `'hooks' must map event names to lists of scripts${lambdaStyle}. Write e.g. 'AfterInstall:' with '- location: scripts/install.sh' below it.`
    )
  }
  for (const event of ctx.fields(field.value, HOOK_NAMES, 'hooks')) {
    checkHookName(ctx, event)
    const name = event.name as HookName
    hooks[name] = await checkScripts(ctx, event, name, os)
  }
  return hooks
}

function checkHookName(ctx: CheckContext, event: Field): void {
  const name = event.name
  if ((HOOK_NAMES as readonly string[]).includes(name)) return
  const reserved = RESERVED_HOOKS[name]
  if (reserved) {
    throw ctx.fail(
      event.key,
      `hook '${name}' is reserved: ${reserved.why}. Remove it and use ${reserved.use}.`
    )
  }
  const renamed = RENAMED_HOOKS[name]
  if (renamed) {
    throw ctx.fail(
      event.key,
      `hook '${name}' is an old name CodeDeploy no longer runs. Rename it to ${renamed}.`
    )
  }
  const close = suggest(name, [...HOOK_NAMES, ...Object.keys(RESERVED_HOOKS)])
  if (close && RESERVED_HOOKS[close]) {
    const r = RESERVED_HOOKS[close]
    throw ctx.fail(
      event.key,
      `unknown hook '${name}'; '${close}' is reserved: ${r.why}. Remove it and use ${r.use}.`
    )
  }
  throw ctx.fail(
    event.key,
    `unknown hook '${name}'.${close ? ` Did you mean '${close}'?` : ''} Server deployments run: ${HOOK_NAMES.join(', ')}.`
  )
}

async function checkScripts(
  ctx: CheckContext,
  event: Field,
  name: HookName,
  os: 'linux' | 'windows'
): Promise<HookScript[]> {
  if (ctx.isEmpty(event.value)) {
    throw ctx.fail(
      event.key,
      `hook '${name}' has no scripts. Add '- location: <script>' below it, or remove the hook.`
    )
  }
  if (!isSeq(event.value)) {
    throw ctx.fail(
      event.value,
      `hook '${name}' must be a list of scripts: '- location: <script>' (with optional timeout and runas).`
    )
  }
  const scripts: HookScript[] = []
  let total = 0
  for (const raw of event.value.items) {
    const item = ctx.deref(raw)
    if (!isMap(item)) {
      const written = ctx.text(item)
      throw ctx.fail(
        item ?? event.value,
        `each ${name} entry must be a mapping with 'location'.${written ? ` Write '- location: ${written}'.` : " Write '- location: <script>'."}`
      )
    }
    const fields = ctx.fields(item, SCRIPT_KEYS, `a ${name} entry`)
    ctx.rejectUnknown(fields, SCRIPT_KEYS, `a ${name} entry`)
    const locationField = ctx.field(fields, 'location')
    if (!locationField)
      throw ctx.fail(
        item,
        `this ${name} entry has no 'location'. Add 'location: <script path in the bundle>'.`
      )
    const location = ctx.string(locationField, "the script's path inside the bundle")
    const script: HookScript = { location }
    await checkScript(ctx, locationField.value, location, name, os)

    const timeoutField = ctx.field(fields, 'timeout')
    if (timeoutField) {
      script.timeout = timeout(ctx, timeoutField, location)
      total += script.timeout
    }
    const runasField = ctx.field(fields, 'runas')
    if (runasField) {
      if (os === 'windows') {
        throw ctx.fail(
          runasField.key,
          "'runas' works on Linux only; Windows hooks run as the agent's account. Remove it."
        )
      }
      const runas = ctx.text(runasField.value)?.trim()
      if (!runas || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(runas)) {
        throw ctx.fail(
          runasField.value ?? runasField.key,
          `runas '${runas ?? ''}' is not a user name. Give the Linux user the script runs as, e.g. runas: root.`
        )
      }
      script.runas = runas
    }
    scripts.push(script)
  }
  if (total > MAX_EVENT_SECONDS) {
    throw ctx.fail(
      event.key,
      `the timeouts of ${name} add up to ${total} seconds, but one lifecycle event may take at most ${MAX_EVENT_SECONDS}. Lower them so their sum is ${MAX_EVENT_SECONDS} or less.`
    )
  }
  return scripts
}

function timeout(ctx: CheckContext, field: Field, location: string): number {
  const node = field.value
  const value = isScalar(node) ? node.value : undefined
  // The agent converts with to_i, so a quoted number works too.
  const seconds = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  if (
    typeof seconds !== 'number' ||
    !Number.isInteger(seconds) ||
    seconds < 1 ||
    seconds > MAX_EVENT_SECONDS
  ) {
    const written = isScalar(node) ? (node.source ?? String(node.value)) : 'a list or mapping'
    throw ctx.fail(
      node ?? field.key,
      `timeout '${written}' for ${location} is not a whole number of seconds from 1 to ${MAX_EVENT_SECONDS}. Set e.g. 'timeout: 300'.`
    )
  }
  return seconds
}

/**
 * The `permissions` section (Linux only): each entry names an absolute `object` on the instance
 * and the owner, group, mode, ACLs, SELinux context and types the agent applies to it. Catches
 * the values the agent would read differently from what was meant, such as an unquoted `0644`.
 */
import { isMap, isScalar, isSeq } from 'yaml'
import type { CheckContext } from '../context.js'
import type { PermissionSpec } from '../types.js'
import type { Field } from '../yaml.js'

const PERMISSION_KEYS = [
  'object',
  'pattern',
  'except',
  'owner',
  'group',
  'mode',
  'acls',
  'context',
  'type'
]
const CONTEXT_KEYS = ['name', 'user', 'type', 'range']

export function checkPermissions(
  ctx: CheckContext,
  field: Field,
  os: 'linux' | 'windows'
): PermissionSpec[] {
  if (ctx.isEmpty(field.value)) return []
  if (os === 'windows') {
    throw ctx.fail(
      field.key,
      "'permissions' works on Linux instances only; the agent fails a Windows deployment that has it. Remove it, or set the permissions from a hook script."
    )
  }
  const seq = ctx.list(field, "of '- object: /path' entries")
  const permissions: PermissionSpec[] = []
  for (const raw of seq?.items ?? []) {
    const item = ctx.deref(raw)
    if (!isMap(item)) {
      throw ctx.fail(
        item ?? seq,
        "each 'permissions' entry must be a mapping starting with '- object: /path/on/the/instance'."
      )
    }
    const fields = ctx.fields(item, PERMISSION_KEYS, "a 'permissions' entry")
    ctx.rejectUnknown(fields, PERMISSION_KEYS, "a 'permissions' entry")
    const objectField = ctx.field(fields, 'object')
    if (!objectField) {
      throw ctx.fail(
        item,
        "this 'permissions' entry has no 'object'. Add 'object: /path/on/the/instance'."
      )
    }
    const object = ctx.string(objectField, 'an absolute path on the instance')
    if (!object.startsWith('/')) {
      throw ctx.fail(
        objectField.value,
        `object '${object}' is not an absolute path. Give the full path on the instance, e.g. /var/www/app.`
      )
    }
    const permission: PermissionSpec = { object }
    for (const f of fields) {
      switch (f.name) {
        case 'pattern':
          permission.pattern = ctx.string(f, "a glob such as '**' or '*.sh'")
          break
        case 'except':
          permission.except = ctx.stringList(f)
          break
        case 'owner':
        case 'group':
          permission[f.name] = userOrGroup(ctx, f)
          break
        case 'mode':
          permission.mode = mode(ctx, f)
          break
        case 'acls':
          permission.acls = ctx.stringList(f)
          break
        case 'context':
          permission.context = selinuxContext(ctx, f)
          break
        case 'type':
          permission.type = types(ctx, f)
          break
      }
    }
    permissions.push(permission)
  }
  return permissions
}

function userOrGroup(ctx: CheckContext, field: Field): string {
  const node = field.value
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
    throw ctx.fail(
      node ?? field.key,
      `${field.name} must be a ${field.name === 'owner' ? 'user' : 'group'} name (the agent looks it up by name, not by number).`
    )
  }
  return node.value.trim()
}

function mode(ctx: CheckContext, field: Field): string {
  const node = field.value
  if (!isScalar(node) || (typeof node.value !== 'number' && typeof node.value !== 'string')) {
    throw ctx.fail(node ?? field.key, 'mode must be octal digits such as 644 or "0755".')
  }
  const plain = node.type === 'PLAIN'
  const written = plain ? (node.source ?? String(node.value)) : String(node.value)
  if (plain && /^0[0-9]+$/.test(written)) {
    throw ctx.fail(
      node,
      `mode ${written} has a leading zero without quotes, so the agent's YAML reads it as an octal number and applies the wrong mode. Write "${written}" in quotes, or ${written.replace(/^0+(?=\d{3})/, '')}.`
    )
  }
  if (!/^[0-7]{3,4}$/.test(written)) {
    throw ctx.fail(
      node,
      `mode '${written}' is not an octal mode. Use 3 or 4 digits from 0 to 7, e.g. 644 or "0755" (symbols such as u+x are not supported).`
    )
  }
  return written
}

function selinuxContext(ctx: CheckContext, field: Field): PermissionSpec['context'] {
  const node = field.value
  if (!isMap(node)) {
    throw ctx.fail(
      node ?? field.key,
      "context must be a mapping with 'type' (and optionally name and range)."
    )
  }
  const fields = ctx.fields(node, CONTEXT_KEYS, 'context')
  ctx.rejectUnknown(fields, CONTEXT_KEYS, 'context')
  const typeField = ctx.field(fields, 'type')
  if (!typeField)
    throw ctx.fail(node, "context needs 'type' (an SELinux type such as httpd_sys_content_t).")
  const context: NonNullable<PermissionSpec['context']> = {
    type: ctx.string(typeField, 'an SELinux type')
  }
  const user = ctx.field(fields, 'name') ?? ctx.field(fields, 'user')
  if (user) context.user = ctx.string(user, 'an SELinux user')
  const range = ctx.field(fields, 'range')
  if (range) context.range = ctx.string(range, 'an SELinux range such as s0')
  return context
}

function types(ctx: CheckContext, field: Field): ('file' | 'directory')[] {
  if (!isSeq(field.value)) {
    throw ctx.fail(
      field.value ?? field.key,
      'type must be a list: - file, - directory (or [file, directory]).'
    )
  }
  return field.value.items.map(raw => {
    const node = ctx.deref(raw)
    const value = ctx.text(node)
    if (value !== 'file' && value !== 'directory') {
      throw ctx.fail(
        node ?? field.value,
        `type '${value ?? ''}' is not known. Use 'file' and/or 'directory'.`
      )
    }
    return value
  })
}

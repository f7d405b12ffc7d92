/**
 * The appspec `permissions:` section as the Linux agent applies it after Install copied the files.
 *
 * - An `object` that is a file this deployment copied gets the permission itself; a file object
 *   only takes the default pattern (`**`) and no `except`, otherwise the deployment fails.
 * - An `object` that is a directory (made by this deployment or already there) gives the
 *   permission to what this deployment copied or made *below* it, never to itself: with `**` every
 *   descendant, with any other pattern only the direct children whose names match it (`*` is the
 *   only wildcard), minus the `except` names; `type` picks files, directories or both.
 * - One path may get permissions from one entry only.
 *
 * Paths here are the instance's own absolute POSIX paths (`/var/www/app`).
 */
import path from 'node:path'

export type ObjectType = 'file' | 'directory'

export interface Permission {
  object: string
  pattern: string
  except: string[]
  type: ObjectType[]
  mode?: number
  owner?: string
  group?: string
}

export class PermissionError extends Error {}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
}

/** Reads the section leniently (the action checks its shape before upload). */
export function readPermissions(section: unknown): Permission[] {
  if (!Array.isArray(section)) return []
  const out: Permission[] = []
  for (const raw of section as Record<string, unknown>[]) {
    if (!raw || typeof raw !== 'object') continue
    const object = text(raw.object) ?? ''
    if (!object)
      throw new PermissionError(
        'A permission in the permissions section has no object. Give each entry an object path.'
      )
    const mode = text(raw.mode)
    if (mode !== undefined && !/^[0-7]{1,4}$/.test(mode))
      throw new PermissionError(`The mode ${mode} for ${object} is not an octal mode like 0644.`)
    const type = Array.isArray(raw.type)
      ? (raw.type as unknown[]).filter((t): t is ObjectType => t === 'file' || t === 'directory')
      : ['file', 'directory']
    out.push({
      object: path.posix.resolve('/', object),
      pattern: text(raw.pattern) ?? '**',
      except: Array.isArray(raw.except) ? (raw.except as unknown[]).map(e => text(e) ?? '') : [],
      type: type as ObjectType[],
      ...(mode === undefined ? {} : { mode: parseInt(mode, 8) }),
      ...(text(raw.owner) === undefined ? {} : { owner: text(raw.owner) }),
      ...(text(raw.group) === undefined ? {} : { group: text(raw.group) })
    })
  }
  return out
}

/** `*` matches any run of characters; a name with a slash in it never matches. */
export function simpleGlob(name: string, pattern: string): boolean {
  if (name.includes('/')) return false
  const source = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(`^${source}$`, 's').test(name)
}

function below(permission: Permission, target: string): string | undefined {
  const base = permission.object.endsWith('/') ? permission.object : `${permission.object}/`
  return target.startsWith(base) ? target.slice(base.length) : undefined
}

function matches(permission: Permission, target: string): boolean {
  const rel = below(permission, target)
  if (rel === undefined) return false
  if (permission.pattern !== '**' && !simpleGlob(rel, permission.pattern)) return false
  return !permission.except.some(item => simpleGlob(rel, item))
}

/**
 * Works out which path gets which permission. `copied` and `made` are what this deployment
 * installed; `isDirectory` says whether an object is a directory already on the instance.
 * Throws PermissionError the way the agent fails the Install event.
 */
export function planPermissions(
  permissions: Permission[],
  copied: ReadonlySet<string>,
  made: ReadonlySet<string>,
  isDirectory: (object: string) => boolean
): Map<string, Permission> {
  const plan = new Map<string, Permission>()
  const assign = (target: string, permission: Permission): void => {
    if (plan.has(target))
      throw new PermissionError(
        `The permissions for ${target} are given more than once in the permissions section.`
      )
    plan.set(target, permission)
  }
  for (const permission of permissions) {
    if (copied.has(permission.object)) {
      if (!permission.type.includes('file')) continue
      if (permission.pattern !== '**' || permission.except.length > 0)
        throw new PermissionError(
          `The permission for the file ${permission.object} has a pattern or except, which only apply to directories.`
        )
      assign(permission.object, permission)
    } else if (made.has(permission.object) || isDirectory(permission.object)) {
      if (permission.type.includes('file'))
        for (const target of copied) if (matches(permission, target)) assign(target, permission)
      if (permission.type.includes('directory'))
        for (const target of made) if (matches(permission, target)) assign(target, permission)
    }
  }
  return plan
}

/**
 * The parts of a revision's appspec.yml the agent acts on: the `files:` to copy, the
 * `permissions:` to apply and the `hooks:` scripts of each lifecycle event, read from
 * appspec.yml (or appspec.yaml) at the root of the unpacked bundle.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'
import { readPermissions, type Permission } from '../permissions.js'
import { failure } from './context.js'

export interface HookScript {
  location: string
  timeout?: number
}

export interface ParsedAppSpec {
  files: { source: string; destination: string }[]
  permissions: Permission[]
  hooks: Record<string, HookScript[]>
}

export function readAppSpec(text: string): ParsedAppSpec {
  const doc = (parse(text) ?? {}) as { files?: unknown; permissions?: unknown; hooks?: unknown }
  const files = Array.isArray(doc.files)
    ? (doc.files as { source: string; destination: string }[])
    : []
  const hooks =
    doc.hooks && typeof doc.hooks === 'object'
      ? (doc.hooks as Record<string, HookScript[] | null>)
      : {}
  const cleaned: Record<string, HookScript[]> = {}
  for (const [name, list] of Object.entries(hooks)) cleaned[name] = Array.isArray(list) ? list : []
  return { files, permissions: readPermissions(doc.permissions), hooks: cleaned }
}

export async function findAppSpec(bundleDir: string): Promise<string> {
  for (const name of ['appspec.yml', 'appspec.yaml']) {
    try {
      return await readFile(path.join(bundleDir, name), 'utf8')
    } catch {
      // try the next name
    }
  }
  throw failure(
    'The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory at revision-relative path "appspec.yml".'
  )
}

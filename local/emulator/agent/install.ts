/**
 * The Install step as the agent does it: remove what the last deployment installed, copy the
 * AppSpec's `files:` into the instance root (making missing directories, honouring the
 * deployment's fileExistsBehavior), then apply the `permissions:` section, changing owners only
 * when the emulator runs as root.
 */
import {
  chmod,
  copyFile,
  lchown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  rmdir,
  symlink,
  unlink,
  utimes
} from 'node:fs/promises'
import path from 'node:path'
import type { Deployment } from '../model.js'
import { PermissionError, planPermissions } from '../permissions.js'
import type { ParsedAppSpec } from './appspec.js'
import { failure, type AgentContext } from './context.js'

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p)
    return true
  } catch {
    return false
  }
}

/** The numeric id of a user or group on this machine, from /etc/passwd or /etc/group. */
async function idOf(kind: 'user' | 'group', name: string): Promise<number> {
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group'
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n')
  for (const line of lines) {
    const [entry, , id] = line.split(':')
    if (entry === name && id && /^\d+$/.test(id)) return Number(id)
  }
  throw new PermissionError(`The ${kind} ${name} given in the permissions section does not exist.`)
}

/** Removes the files and links the last deployment installed, then its directories when empty. */
async function uninstall(installed: string[]): Promise<void> {
  for (const file of [...installed].reverse()) {
    const info = await lstat(file).catch(() => undefined)
    if (info?.isDirectory()) await rmdir(file).catch(() => undefined)
    else if (info) await unlink(file).catch(() => undefined)
  }
}

/**
 * Removes what the last deployment installed (its files and links, then the directories it made,
 * when empty), copies the `files:` mappings, making missing directories, then applies the
 * `permissions:` section. Returns what it installed, in order.
 */
export async function install(
  appspec: ParsedAppSpec,
  bundleDir: string,
  context: AgentContext,
  behavior: Deployment['fileExistsBehavior']
): Promise<string[]> {
  const root = context.instance.root
  const onInstance = (p: string): string => path.join(root, p)
  await uninstall(context.memory.installed)
  context.memory.installed = []
  const installed: string[] = []
  const copied = new Set<string>()
  const made = new Set<string>()
  const makeDirectory = async (dir: string): Promise<void> => {
    const missing: string[] = []
    for (let d = dir; d !== '/' && !(await exists(onInstance(d))); d = path.posix.dirname(d))
      missing.unshift(d)
    for (const d of missing) {
      await mkdir(onInstance(d))
      made.add(d)
      installed.push(onInstance(d))
    }
  }
  const copy = async (from: string, to: string): Promise<void> => {
    if (await exists(onInstance(to))) {
      if (behavior === 'DISALLOW') {
        throw failure(
          `The deployment failed because a specified file already exists at this location: ${to}`
        )
      }
      if (behavior === 'RETAIN') return
      await rm(onInstance(to), { force: true })
    }
    await makeDirectory(path.posix.dirname(to))
    const fromInfo = await lstat(from)
    if (fromInfo.isSymbolicLink()) await symlink(await readlink(from), onInstance(to))
    else {
      await copyFile(from, onInstance(to))
      await chmod(onInstance(to), fromInfo.mode & 0o7777)
      // The agent copies with `preserve`: the file keeps the time the bundle gave it.
      await utimes(onInstance(to), fromInfo.atime, fromInfo.mtime)
    }
    copied.add(to)
    installed.push(onInstance(to))
  }
  const copyTree = async (from: string, to: string): Promise<void> => {
    await makeDirectory(to)
    for (const name of (await readdir(from)).sort()) {
      const abs = path.join(from, name)
      if ((await lstat(abs)).isDirectory()) await copyTree(abs, path.posix.join(to, name))
      else await copy(abs, path.posix.join(to, name))
    }
  }
  for (const mapping of appspec.files) {
    const source = path.join(bundleDir, mapping.source.replace(/^\/+/, ''))
    const destination = path.posix.resolve('/', mapping.destination)
    if ((await lstat(source)).isDirectory()) await copyTree(source, destination)
    else await copy(source, path.posix.join(destination, path.basename(source)))
  }
  context.memory.installed = installed
  await applyPermissions(appspec, onInstance, copied, made)
  return installed
}

async function applyPermissions(
  appspec: ParsedAppSpec,
  onInstance: (p: string) => string,
  copied: Set<string>,
  made: Set<string>
): Promise<void> {
  const directories = new Set<string>()
  for (const permission of appspec.permissions) {
    const info = await lstat(onInstance(permission.object)).catch(() => undefined)
    if (info?.isDirectory()) directories.add(permission.object)
  }
  const plan = planPermissions(appspec.permissions, copied, made, object => directories.has(object))
  const asRoot = process.getuid?.() === 0
  for (const [target, permission] of plan) {
    if (permission.mode !== undefined) await chmod(onInstance(target), permission.mode)
    const uid = permission.owner === undefined ? -1 : await idOf('user', permission.owner)
    const gid = permission.group === undefined ? -1 : await idOf('group', permission.group)
    // A simulated instance runs as the emulator's user: ownership only changes when that is root.
    if (asRoot && (uid !== -1 || gid !== -1)) await lchown(onInstance(target), uid, gid)
  }
}

/**
 * The file a hook's `location` names: it must be a regular file inside the bundle (links
 * resolved), not left out by the ignore rules, and on Linux free of a CRLF shebang line. Records
 * it for the bundle to mark executable, and warns when it lacks the execute bit here.
 */
import { lstat, open, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import type { ParsedNode } from 'yaml'
import type { CheckContext } from '../context.js'
import {
  bundlePath,
  errnoCode,
  excludedBy,
  excludedFix,
  inside,
  isMissing,
  toPosix
} from '../paths.js'
import type { HookName } from '../types.js'

export async function checkScript(
  ctx: CheckContext,
  node: ParsedNode | null,
  location: string,
  hook: HookName,
  os: 'linux' | 'windows'
): Promise<void> {
  const target = bundlePath(location, os === 'windows')
  if (target.driveLetter) {
    throw ctx.fail(
      node,
      `script '${location}' is a drive path. Give it relative to the bundle root (where appspec.yml is).`
    )
  }
  if (target.escapes) {
    throw ctx.fail(
      node,
      `script '${location}' leaves the bundle with '..'. Keep hook scripts inside ${ctx.label}.`
    )
  }
  if (target.rel === '')
    throw ctx.fail(
      node,
      `location '${location}' is the bundle root, not a script. Give the script's path.`
    )
  const absolute = path.join(ctx.source, target.rel)
  let real: string
  try {
    real = await realpath(absolute)
  } catch (error) {
    if (!isMissing(errnoCode(error))) throw error
    const dangling = await lstat(absolute).then(
      () => true,
      () => false
    )
    throw ctx.fail(
      node,
      dangling
        ? `script '${location}' for ${hook} is a link to a file that does not exist. Fix the link or point location at the script itself.`
        : `script '${location}' for ${hook} does not exist in ${ctx.label}. Fix the path (relative to the bundle root, where appspec.yml is) or add the script.`
    )
  }
  if (!inside(ctx.realSource, real)) {
    throw ctx.fail(
      node,
      `script '${location}' is a link to ${real}, outside the bundle, so the instance would not have it. Copy the script into ${ctx.label}.`
    )
  }
  const info = await stat(real)
  if (!info.isFile()) {
    throw ctx.fail(
      node,
      `script '${location}' for ${hook} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}. Point location at the script file.`
    )
  }
  const realRel = toPosix(path.relative(ctx.realSource, real))
  for (const rel of new Set([target.rel, realRel])) {
    if (ctx.excludeRules.excludes(rel, false)) {
      throw ctx.fail(
        node,
        `script '${location}' is ${excludedBy(rel)}, so the instance would not have it. ${excludedFix(rel)}`
      )
    }
  }
  if (os === 'linux') {
    if (await hasCrlfShebang(real)) {
      throw ctx.fail(
        node,
        `script '${location}' starts with '#!' but has Windows line endings (CRLF), so Linux cannot find its interpreter ('bad interpreter'). Convert it to LF line endings, e.g. with '*.sh text eol=lf' in .gitattributes.`
      )
    }
    if (process.platform !== 'win32' && (info.mode & 0o111) === 0) {
      ctx.warnings.push(
        `${ctx.fileName}: hook script ${location} is not executable here; the bundle marks it executable. To fix it at the source: git update-index --chmod=+x ${realRel}`
      )
    }
  }
  if (!ctx.hookScripts.includes(realRel)) ctx.hookScripts.push(realRel)
}

async function hasCrlfShebang(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(512)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const head = buffer.subarray(0, bytesRead).toString('latin1')
    if (!head.startsWith('#!')) return false
    const end = head.indexOf('\n')
    return end > 0 && head[end - 1] === '\r'
  } finally {
    await handle.close()
  }
}

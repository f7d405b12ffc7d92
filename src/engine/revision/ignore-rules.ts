/**
 * What stays out of a bundle: `.git` (a directory, or the file a worktree or submodule leaves) at
 * any depth, every `.codedeployignore` file itself, and whatever those files exclude. They work
 * as `.gitignore` files do: gitignore syntax, each file applying to its own directory and below,
 * a deeper file's rule (a `!` re-include too) winning over a shallower one, and nothing inside a
 * directory that is left out coming back. Shared by the appspec check, so a hook script that would
 * be left out is reported at its line, and by the bundle, which applies the rules.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import ignore, { type Ignore } from 'ignore'
import { InputError } from '../errors.js'
import { within } from '../inputs/locations.js'

export const IGNORE_FILE = '.codedeployignore'

/** What is always left out, whatever the ignore files say. */
export const ALWAYS_LEFT_OUT = ['.git', IGNORE_FILE] as const

export interface ExcludeRules {
  /**
   * Whether `rel` (posix, relative to the source root, no leading `./`) is left out, directly or
   * because a directory above it is.
   */
  excludes(rel: string, isDirectory: boolean): boolean
  /** Whether the source has a `.codedeployignore` at its root. */
  readonly hasIgnoreFile: boolean
}

function builtIn(rel: string): boolean {
  const parts = rel.split('/')
  return parts.includes('.git') || parts[parts.length - 1] === IGNORE_FILE
}

/**
 * The text of the ignore file `rel` (posix, relative to `root`). One that is a link may point
 * anywhere inside the source; a link out of it is refused, as a packaged link out of it is: the
 * rules would come from a file nobody reviews with the revision.
 */
function readIgnoreFile(root: string, rel: string): string {
  const file = path.join(root, rel)
  if (lstatSync(file).isSymbolicLink()) {
    const real = realpathSync(file)
    const realRoot = realpathSync(root)
    if (real === realRoot || !within(realRoot, real)) {
      throw new InputError(
        `${rel} in ${root} is a link to ${real}, outside the source directory: ignore files are read from the source only. Replace the link with the file itself.`
      )
    }
  }
  return readFileSync(file, 'utf8')
}

/** Reads the `.codedeployignore` files of `root` and its directories (absent is fine). */
export function loadExcludeRules(root: string): ExcludeRules {
  // Read when first asked about, once per directory: a walk asks about every directory anyway.
  const files = new Map<string, Ignore | undefined>()
  const absent = (error: unknown): undefined => {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') throw error
    return undefined
  }
  const rulesOf = (dir: string): Ignore | undefined => {
    if (files.has(dir)) return files.get(dir)
    let rules: Ignore | undefined
    try {
      rules = ignore().add(readIgnoreFile(root, path.posix.join(dir, IGNORE_FILE)))
    } catch (error) {
      rules = absent(error)
    }
    files.set(dir, rules)
    return rules
  }
  /** The deepest ignore file with an opinion on `rel` decides. */
  const decides = (rel: string, isDirectory: boolean): boolean => {
    const parts = rel.split('/')
    for (let depth = parts.length - 1; depth >= 0; depth--) {
      const rules = rulesOf(parts.slice(0, depth).join('/'))
      if (!rules) continue
      const below = parts.slice(depth).join('/')
      const verdict = rules.test(isDirectory ? `${below}/` : below)
      if (verdict.ignored) return true
      if (verdict.unignored) return false
    }
    return false
  }
  const directories = new Map<string, boolean>()
  const directoryLeftOut = (rel: string): boolean => {
    let verdict = directories.get(rel)
    if (verdict === undefined) {
      verdict = decides(rel, true)
      directories.set(rel, verdict)
    }
    return verdict
  }
  const hasIgnoreFile = rulesOf('') !== undefined
  return {
    hasIgnoreFile,
    excludes(rel: string, isDirectory: boolean): boolean {
      if (builtIn(rel)) return true
      const parts = rel.split('/')
      for (let depth = 1; depth < parts.length; depth++)
        if (directoryLeftOut(parts.slice(0, depth).join('/'))) return true
      return decides(rel, isDirectory)
    }
  }
}

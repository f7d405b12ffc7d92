/**
 * What stays out of a bundle: `.git` (a directory, or the file a worktree or submodule leaves) at
 * any depth, the `.codedeployignore` file itself, and whatever `.codedeployignore` at the source
 * root excludes (gitignore syntax). Shared by the appspec check, so a hook script that would be
 * left out is reported at its line, and by the bundle, which applies the rules.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import ignore, { type Ignore } from 'ignore'

export const IGNORE_FILE = '.codedeployignore'

export interface ExcludeRules {
  /**
   * Whether `rel` (posix, relative to the source root, no leading `./`) is left out, directly or
   * because a directory above it is.
   */
  excludes(rel: string, isDirectory: boolean): boolean
  /** Whether the source has a `.codedeployignore`. */
  readonly hasIgnoreFile: boolean
}

function builtIn(rel: string): boolean {
  return rel === IGNORE_FILE || rel.split('/').includes('.git')
}

/** Reads `.codedeployignore` at the root of `root` (absent is fine). */
export async function loadExcludeRules(root: string): Promise<ExcludeRules> {
  let text: string | undefined
  try {
    text = await readFile(path.join(root, IGNORE_FILE), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error
  }
  const rules: Ignore | undefined = text === undefined ? undefined : ignore().add(text)
  return {
    hasIgnoreFile: rules !== undefined,
    excludes(rel: string, isDirectory: boolean): boolean {
      if (builtIn(rel)) return true
      if (!rules) return false
      return rules.ignores(isDirectory ? `${rel}/` : rel)
    }
  }
}

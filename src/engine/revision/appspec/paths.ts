/**
 * Paths as the agent reads them from an appspec (a leading `/` is the bundle root), plus the
 * file-system helpers and exclusion wording shared by locating the appspec and by the rules that
 * check the paths it names.
 */
import path from 'node:path'
import { IGNORE_FILE } from '../ignore-rules.js'

export function isMissing(code: string | undefined): boolean {
  return code === 'ENOENT' || code === 'ENOTDIR'
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

export function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

/** A path inside the bundle as the agent joins it: leading `/` means the bundle root. */
export interface BundlePath {
  /** Relative, posix, normalised; '' is the bundle root. */
  rel: string
  escapes: boolean
  driveLetter: boolean
}

export function bundlePath(given: string, windows: boolean): BundlePath {
  const slashed = windows ? given.replace(/\\/g, '/') : given
  const driveLetter = /^[a-zA-Z]:/.test(slashed)
  const trimmed = slashed.replace(/^\/+/, '')
  const normal = path.posix.normalize(trimmed === '' ? '.' : trimmed).replace(/\/+$/, '')
  const escapes = normal === '..' || normal.startsWith('../')
  return { rel: normal === '.' ? '' : normal, escapes, driveLetter }
}

export function excludedBy(rel: string): string {
  return rel.split('/').includes('.git')
    ? 'inside .git, which is never packaged'
    : `excluded by ${IGNORE_FILE}`
}

export function excludedFix(rel: string): string {
  return rel.split('/').includes('.git')
    ? 'Move it out of .git.'
    : `Remove the ${IGNORE_FILE} rule that matches it, or add '!${rel}' after it.`
}

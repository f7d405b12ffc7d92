/**
 * The command-line tools some tests check bundles with (Info-ZIP `unzip`, `tar`: what the agent
 * unpacks with). Off CI a missing tool skips those checks; on CI (`CI` set; .ci/run installs
 * unzip) they run anyway, so a missing tool fails them instead of leaving them silently unrun.
 */
import { spawnSync } from 'node:child_process'

const POSIX = process.platform !== 'win32'

/** Whether the checks that use `tool` run: it is here, or this is CI, where they must. */
export function checksWith(tool: string): boolean {
  if (!POSIX) return false
  return Boolean(process.env.CI) || spawnSync(tool, ['-v']).error === undefined
}

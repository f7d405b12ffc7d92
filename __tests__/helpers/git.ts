/** A git checkout for tests: commits a directory as it is, at a given time. */
import { execFileSync } from 'node:child_process'

/** Commits everything in `dir` (making it a repository first) at `seconds` since 1970. */
export function commitAt(dir: string, seconds: number): string {
  const date = `@${seconds} +0000`
  const env = { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
  const git = (...args: string[]): string =>
    execFileSync(
      'git',
      ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
      {
        env,
        encoding: 'utf8'
      }
    ).trim()
  git('init', '-q')
  git('add', '-A')
  git('commit', '-q', '--allow-empty', '-m', `at ${seconds}`)
  return git('rev-parse', 'HEAD')
}

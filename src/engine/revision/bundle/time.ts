/**
 * The time every bundle entry carries. The agent keeps archive timestamps when it installs files,
 * and web servers, PHP's opcache and make-style tools decide from them whether a file changed, so
 * the time must move with the content; and the same commit must still give the same bytes. In
 * order: `SOURCE_DATE_EPOCH` (the reproducible-builds convention), the commit time of the source's
 * checkout (HEAD, else `GITHUB_SHA`), else the current time (then bundles are not reproducible).
 */
import { execFile } from 'node:child_process'
import { InputError } from '../../errors.js'

export interface EntryTime {
  time: Date
  /** Where it came from, for the log: `SOURCE_DATE_EPOCH`, `commit 1a2b3c4d5e6f`, `current time`. */
  from: string
  /** The current time: no two runs' bundles are the same. */
  current?: boolean
}

/** Zip cannot store dates before 1980, and its readers misread them: a floor for every format. */
const EARLIEST = Date.UTC(1980, 0, 1, 0, 0, 2)
/** Zip's DOS date ends with 2107. */
const LATEST = Date.UTC(2107, 11, 31, 23, 59, 58)

function clamp(seconds: number): Date {
  return new Date(Math.min(Math.max(seconds * 1000, EARLIEST), LATEST))
}

/** The commit time of `revision` in the git checkout holding `dir`, or undefined. */
function commitTime(dir: string, revision: string): Promise<number | undefined> {
  return new Promise(resolve => {
    execFile(
      'git',
      ['-C', dir, 'log', '-1', '--format=%ct', revision, '--'],
      { timeout: 10_000, windowsHide: true },
      (error, stdout) => {
        const text = String(stdout).trim()
        resolve(!error && /^\d+$/.test(text) ? Number(text) : undefined)
      }
    )
  })
}

export interface EntryTimeSources {
  /** The directory being packaged. */
  source: string
  /** `SOURCE_DATE_EPOCH` as the environment gives it; empty or undefined when unset. */
  sourceDateEpoch?: string
  /** The commit the workflow runs for (`GITHUB_SHA`). */
  sha?: string
  now?: () => number
}

/** The time every entry of this run's bundle gets, and where it came from. */
export async function entryTime(sources: EntryTimeSources): Promise<EntryTime> {
  const epoch = sources.sourceDateEpoch?.trim()
  if (epoch) {
    if (!/^\d+$/.test(epoch)) {
      throw new InputError(
        `SOURCE_DATE_EPOCH '${epoch}' is not a whole number of seconds since 1970-01-01 UTC. Set it to one, e.g. $(git log -1 --format=%ct), or unset it to use the commit time.`
      )
    }
    return { time: clamp(Number(epoch)), from: 'SOURCE_DATE_EPOCH' }
  }
  const sha = sources.sha && /^[0-9a-f]{7,64}$/i.test(sources.sha) ? [sources.sha] : []
  for (const revision of ['HEAD', ...sha]) {
    const seconds = await commitTime(sources.source, revision)
    if (seconds !== undefined) {
      return {
        time: clamp(seconds),
        from: revision === 'HEAD' ? 'the commit time of HEAD' : `the commit time of ${revision}`
      }
    }
  }
  const now = Math.floor((sources.now ?? Date.now)() / 1000)
  return {
    time: clamp(now),
    from: 'the current time (no SOURCE_DATE_EPOCH and no git commit)',
    current: true
  }
}

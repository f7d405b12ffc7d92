/**
 * The run marker: a short tag at the end of every deployment description this action creates,
 * e.g. `[cdb wf=3f9a1c2b run=42.1 id=9b1e4f7a2c3d]`. The `id` finds the deployment again when
 * CreateDeployment's answer is lost (a cancel, a reset connection); `wf` (a hash of the workflow
 * file) and `run` (run number and attempt) tell whether a newer run of the same workflow deployed.
 */
import { createHash, randomBytes } from 'node:crypto'

/** Where the run comes from, as the runner tells it (GITHUB_WORKFLOW_REF, GITHUB_RUN_NUMBER, …). */
export interface RunIdentity {
  /** `owner/repo/.github/workflows/deploy.yml@refs/heads/main`; the part before `@` names the workflow. */
  workflowRef?: string
  runNumber?: number
  runAttempt?: number
}

export interface Marker {
  /** 12 hex digits, new for every run. */
  token: string
  /** 8 hex digits of the workflow file's SHA-256, when run from a workflow. */
  workflow?: string
  run?: number
  attempt?: number
}

const PATTERN = /\[cdb((?: [a-z]+=[^\s\]]+)+)\]\s*$/

export function newMarker(identity: RunIdentity, token = randomBytes(6).toString('hex')): Marker {
  const marker: Marker = { token }
  const workflow = identity.workflowRef?.split('@')[0]
  if (workflow && identity.runNumber !== undefined && Number.isSafeInteger(identity.runNumber)) {
    marker.workflow = createHash('sha256').update(workflow).digest('hex').slice(0, 8)
    marker.run = identity.runNumber
    if (identity.runAttempt !== undefined) marker.attempt = identity.runAttempt
  }
  return marker
}

export function formatMarker(marker: Marker): string {
  const parts = []
  if (marker.workflow && marker.run !== undefined) {
    parts.push(
      `wf=${marker.workflow}`,
      `run=${marker.run}${marker.attempt ? `.${marker.attempt}` : ''}`
    )
  }
  parts.push(`id=${marker.token}`)
  return `[cdb ${parts.join(' ')}]`
}

/** The marker at the end of a description, or undefined when it carries none. */
export function parseMarker(description: string | undefined): Marker | undefined {
  const match = PATTERN.exec(description ?? '')
  if (!match?.[1]) return undefined
  const fields = new Map<string, string>()
  for (const pair of match[1].trim().split(' ')) {
    const at = pair.indexOf('=')
    fields.set(pair.slice(0, at), pair.slice(at + 1))
  }
  const token = fields.get('id')
  if (!token || !/^[0-9a-f]{12}$/.test(token)) return undefined
  const marker: Marker = { token }
  const workflow = fields.get('wf')
  const run = /^(\d+)(?:\.(\d+))?$/.exec(fields.get('run') ?? '')
  if (workflow && /^[0-9a-f]{8}$/.test(workflow) && run?.[1]) {
    marker.workflow = workflow
    marker.run = Number(run[1])
    if (run[2]) marker.attempt = Number(run[2])
  }
  return marker
}

/** The run as people say it: `run 42 (attempt 2)`. */
export function describeRun(marker: Marker): string {
  if (marker.run === undefined) return 'a terminal run'
  return `run ${marker.run}${marker.attempt && marker.attempt > 1 ? ` (attempt ${marker.attempt})` : ''}`
}

/** True when `other` comes from a later run of the same workflow than `mine`. */
export function isNewerRun(other: Marker, mine: Marker): boolean {
  return (
    mine.workflow !== undefined &&
    mine.run !== undefined &&
    other.workflow === mine.workflow &&
    other.run !== undefined &&
    other.run > mine.run
  )
}

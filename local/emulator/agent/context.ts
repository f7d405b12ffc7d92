/**
 * What the agent's steps share for one deployment on one instance: the context they run in, what
 * the instance remembers between deployments, and how a step reports its outcome as the
 * diagnostics a lifecycle event carries (a failing step throws EventFailure with them).
 */
import type { S3Client } from '@aws-sdk/client-s3'
import type { Diagnostics, Instance } from '../model.js'
import type { ParsedAppSpec } from './appspec.js'

/** What an instance remembers between deployments, like the agent's deployment root. */
export interface InstanceMemory {
  lastSuccessful?: { deploymentId: string; bundleDir: string; appspec: ParsedAppSpec }
  /** Files the last deployment installed; the agent removes them before the next Install. */
  installed: string[]
}

export interface AgentContext {
  s3: S3Client
  instance: Instance
  memory: InstanceMemory
  /** Where this deployment's bundle is kept on the instance. */
  workDir: string
  deploymentGroupId: string
  useCli: boolean
  /** Where GitHub revisions come from: `owner/repo` → a local git repository. */
  gitHubRepositories: Readonly<Record<string, string>>
  signal: AbortSignal
  /** Called whenever the run changes, so readers see progress. */
  touch: () => void
}

/** A step failed; its diagnostics say why, as the agent reports it. */
export class EventFailure extends Error {
  constructor(readonly diagnostics: Diagnostics) {
    super(diagnostics.message)
  }
}

/** Diagnostics of a step that failed outside any script. */
export function failure(message: string): EventFailure {
  return new EventFailure({ errorCode: 'UnknownError', scriptName: '', message, logTail: '' })
}

export function ok(logTail = ''): Diagnostics {
  return { errorCode: 'Success', scriptName: '', message: 'Succeeded', logTail }
}

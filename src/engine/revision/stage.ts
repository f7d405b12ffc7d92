/**
 * What the revision stages (package and upload, an existing revision, an inline AppSpec, the
 * revision `rollback` redeploys) are handed: the ports, the record they add to, the settings, and
 * the files of the run. Paths are shown relative to the workspace, as the job log and annotations
 * show them.
 */
import path from 'node:path'
import { AppSpecError } from '../errors.js'
import type { Settings } from '../inputs/settings.js'
import type { Ports } from '../ports.js'
import type { RunRecord } from '../tell/record.js'
import type { BundleResult } from './bundle/index.js'

/** Also publishes the bundle elsewhere (the action: a workflow artifact). */
export interface BundlePublisher {
  name: string
  /** Names the log group. */
  title: string
  /** Returns the artifact id. */
  publish(bundle: BundleResult): Promise<string | undefined>
}

export interface RevisionStage {
  ports: Ports
  record: RunRecord
  settings: Settings
  /** Where relative annotation paths start (the workspace). */
  workspace: string
  /** Scratch space for the bundle; removed when the run ends. */
  tempDir: string
  /** The deployment's description (without the run marker), also the revision's. */
  description: string
  /** `SOURCE_DATE_EPOCH`: the time bundle entries carry, when set. */
  sourceDateEpoch?: string
  /** The commit deployed, whose time bundle entries carry otherwise. */
  sha?: string
  /** The re-run cache's directory (./cache.ts); absent: every run packages. */
  cacheDir?: string
  publishBundle?: BundlePublisher
}

/** A path as the job log and annotations show it: relative to the workspace when inside it. */
export function shown(stage: Pick<RevisionStage, 'workspace'>, file: string): string {
  const rel = path.relative(stage.workspace, file)
  return rel.startsWith('..') ? file : rel.split(path.sep).join('/')
}

/** Points an appspec error's annotation at its file, line and column; returns the error. */
export function pointAt(stage: Pick<RevisionStage, 'workspace'>, error: unknown): unknown {
  if (error instanceof AppSpecError)
    error.annotation = {
      title: 'Invalid appspec',
      file: shown(stage, error.file),
      ...(error.line ? { startLine: error.line } : {}),
      ...(error.column ? { startColumn: error.column } : {})
    }
  return error
}

/**
 * What the step says at its end, each in one place and all from the run record: the outputs (also
 * set while the run goes, as soon as each is known), the job summary, and the failure.
 */
import * as core from '@actions/core'
import { passed, type RunRecord } from '../engine/tell/record.js'
import { renderSummary } from '../engine/tell/summary.js'
import { headline, outputsOf, type OutputName } from '../engine/tell/headline.js'

/** Sets each output when it first appears or changes, so a run killed midway still has them. */
export class OutputWriter {
  private readonly written = new Map<OutputName, string>()

  write(record: RunRecord): void {
    for (const [name, value] of Object.entries(outputsOf(record)) as [OutputName, string][]) {
      if (this.written.get(name) === value) continue
      this.written.set(name, value)
      core.setOutput(name, value)
    }
  }
}

/** Appends the run's summary to the job summary; a failure to write it is only a warning. */
export async function writeSummary(record: RunRecord): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(renderSummary(record), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${String(error)}`)
  } finally {
    core.summary.emptyBuffer()
  }
}

/** Fails the step with the one line that says why, unless the run passed. */
export function exit(record: RunRecord): void {
  if (!passed(record)) core.setFailed(headline(record))
}

/**
 * The engine's table of contents. Get the revision (package and upload it, take the one given, or
 * choose the one to roll back to), create the deployment, follow it. Every stage adds to one run
 * record, which comes back when the run passes and rides on a RunFailedError when it does not.
 * Both entry points (the action and the CLI) call `runEngine` and derive all they say from it.
 */
import { continueDeployment, prepareContinue, readBack } from './end/blue-green.js'
import { fleetWords } from './tell/fleet.js'
import type { RevisionLocation } from '@aws-sdk/client-codedeploy'
import { Run, type EngineDeps } from './context.js'
import { createDeployment } from './deploy/create.js'
import { InputError, errorMessage } from './errors.js'
import { cancelled, follow } from './end/follow.js'
import { consoleUrl } from './tell/links.js'
import { newMarker, formatMarker } from './deploy/marker.js'
import { chooseRevision, contentRevision, existingRevision } from './revision/given.js'
import { RunFailedError, passed, type RunRecord } from './tell/record.js'
import { revisionLocation } from './revision/s3.js'
import type { Settings } from './inputs/settings.js'
import { TERMINAL } from './tell/record.js'

export type { EngineDeps } from './context.js'

/** Runs the whole sequence; resolves with the record, or rejects with a RunFailedError. */
export async function runEngine(settings: Settings, deps: EngineDeps): Promise<RunRecord> {
  const run = new Run(settings, deps)
  try {
    await sequence(run)
  } catch (error) {
    failed(run, error)
  } finally {
    run.close()
  }
  run.changed()
  if (!passed(run.record)) throw new RunFailedError(run.record)
  return run.record
}

async function sequence(run: Run): Promise<void> {
  const { settings, reporter, record } = run
  if (settings.command === 'continue' && settings.deploymentId)
    return continued(run, settings.deploymentId)
  let location: RevisionLocation
  if (settings.command === 'rollback') {
    location = revisionLocation(
      await reporter.group('Choosing the revision to roll back to', () => chooseRevision(run))
    )
  } else if (settings.appspec) {
    location = await reporter.group('Checking the appspec', () => contentRevision(run))
  } else if (settings.revision) {
    const given = settings.revision
    location = revisionLocation(
      await reporter.group('Checking the revision', () => existingRevision(run, given))
    )
  } else {
    // Loaded here: the archive writers and the appspec parser are not needed at start.
    const { packageAndUpload } = await import('./revision/package.js')
    const revision = await packageAndUpload(run)
    if (settings.command === 'package' || !revision) {
      record.outcome = 'packaged'
      return
    }
    location = revisionLocation(revision)
  }
  if (run.clock.now() >= run.deadline) {
    record.outcome = 'timed-out'
    return
  }
  const id = await reporter.group('Creating the deployment', () => create(run, location))
  if (!id) return
  if (run.cancel.requested) return cancelled(run, id)
  if (!settings.wait) {
    reporter.info(
      `Not waiting for ${id} (wait: false). Follow it at ${consoleUrl(run.deps.region, id)}`
    )
    record.waited = false
    record.outcome = 'created'
    return
  }
  record.waited = true
  await follow(run, id)
}

/** Command `continue`: a waiting blue/green deployment moved on, then followed like a deploy. */
async function continued(run: Run, id: string): Promise<void> {
  const { reporter, record, settings } = run
  run.enter('continue')
  const type = await reporter.group(`Checking ${id}`, () => prepareContinue(run, id))
  await continueDeployment(run, id, type)
  if (run.cancel.requested) return cancelled(run, id)
  if (!settings.wait) {
    await readBack(run, id)
    record.waited = false
    record.outcome = 'created'
    return
  }
  record.waited = true
  await follow(
    run,
    id,
    type === 'READY_WAIT'
      ? `Rerouting traffic of ${id}`
      : `Terminating the ${fleetWords(record.platform).original} of ${id}`
  )
}

/** Creates the deployment; its id, or undefined when the run ends here (skipped, cancelled, …). */
async function create(run: Run, location: RevisionLocation): Promise<string | undefined> {
  const { settings, record, reporter } = run
  run.enter('create')
  const marker = newMarker(run.deps.identity ?? {})
  record.marker = formatMarker(marker)
  const result = await createDeployment(
    {
      application: settings.application,
      deploymentGroup: settings.deploymentGroup,
      ...(settings.deploymentConfig ? { deploymentConfig: settings.deploymentConfig } : {}),
      location,
      description: run.description,
      marker,
      autoRollback: settings.autoRollback,
      ...(settings.fileExistsBehavior ? { fileExistsBehavior: settings.fileExistsBehavior } : {}),
      ignoreApplicationStopFailures: settings.ignoreApplicationStopFailures,
      rollbackOnAlarm: (run.groupAlarms ?? []).length > 0,
      skipIfSuperseded: settings.skipIfSuperseded && settings.command === 'deploy'
    },
    {
      codedeploy: run.codedeploy,
      reporter,
      clock: run.clock,
      deadline: run.deadline,
      cancel: run.cancel,
      region: run.deps.region
    }
  )
  switch (result.kind) {
    case 'created':
      record.deployment = { id: result.id, status: 'Created', targets: [] }
      run.changed()
      reporter.info(`Created ${result.id}: ${consoleUrl(run.deps.region, result.id)}`)
      return result.id
    case 'superseded':
      record.supersededBy = { deploymentId: result.by.deploymentId, run: result.by.run }
      record.outcome = 'skipped'
      reporter.notice(
        `Skipped: ${result.by.run} of this workflow already deployed ${result.by.deploymentId} (${result.by.status}) to '${settings.deploymentGroup}', and this run is older. Set skip-if-superseded: false to deploy an older revision on purpose.`
      )
      return undefined
    case 'cancelled':
      record.outcome = 'cancelled'
      return undefined
    case 'unknown':
      record.outcome = 'cancelled'
      record.lostCreate = result.why
      reporter.error(result.why)
      return undefined
    case 'timeout':
      record.outcome = 'timed-out'
      record.error = {
        message: `Deployment ${result.active} still held group '${settings.deploymentGroup}' when the timeout passed; nothing was deployed. Raise 'timeout', or stop ${result.active} first.`
      }
      return undefined
  }
}

/** Records a thrown error: where it happened, and whether it was the cancel. */
function failed(run: Run, error: unknown): void {
  const { record, reporter } = run
  const deployment = record.deployment
  if (run.cancel.requested && !deployment) {
    record.outcome = 'cancelled'
    return
  }
  record.outcome = 'error'
  record.error = {
    message: errorMessage(error),
    ...(error instanceof InputError ? { input: true } : {})
  }
  const annotation = error instanceof InputError ? error.annotation : undefined
  if (annotation) record.error.annotation = annotation
  // An appspec problem points at its file and line; the step's failure line says the rest.
  if (annotation?.file) reporter.error(errorMessage(error), annotation)
  if (deployment && !TERMINAL.has(deployment.status)) {
    reporter.error(
      `${deployment.id} keeps running, no longer followed by this run: ${consoleUrl(record.region, deployment.id)}`
    )
  }
}

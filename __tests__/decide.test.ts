/**
 * How a run ends, as one table (./helpers/decide-cases.ts): each row is a record, what was just
 * seen, and what `decide` must answer. The same table is the README's "What happens when…".
 */
import { describe, expect, it } from '@jest/globals'
import { decide, outcomeAfter, rollbackExpected } from '../src/engine/end/decide.js'
import { CASES } from './helpers/decide-cases.js'

describe('what happens when…', () => {
  it.each(CASES.map(c => [`${c.when}${c.with ? ` (${c.with})` : ''}`, c] as const))(
    '%s',
    (_title, c) => {
      expect(decide(c.record, c.seen)).toEqual(c.then)
    }
  )

  it('covers every value of every input that decides an end', () => {
    const written = CASES.map(c => c.with).join('\n')
    const values: Record<string, string[]> = {
      'on-cancel': ['stop-and-rollback', 'stop', 'detach'],
      'on-ready': ['continue', 'wait', 'exit'],
      'on-termination-wait': ['exit', 'wait', 'continue'],
      'auto-rollback': ['on-failure', 'group', 'off'],
      wait: ['true', 'false']
    }
    const missing = Object.entries(values).flatMap(([input, all]) =>
      all.filter(v => !written.includes(`\`${input}: ${v}\``)).map(v => `${input}: ${v}`)
    )
    expect(missing).toEqual([])
  })

  it('lets no row repeat another with a different answer', () => {
    const seen = new Map<string, string>()
    for (const c of CASES) {
      const key = JSON.stringify([c.record, c.seen])
      const answer = JSON.stringify(c.then)
      expect(seen.get(key) ?? answer).toBe(answer)
      seen.set(key, answer)
    }
  })
})

describe('the facts a decision rests on', () => {
  it('reads the outcome after a stop from what stopped the deployment, not from its status', () => {
    const base = CASES[0]!.record
    expect(
      outcomeAfter({
        ...base,
        deployment: { id: 'd-1', status: 'Stopped', targets: [] },
        stop: { why: 'timeout', rollback: true, accepted: true }
      })
    ).toBe('timed-out')
    expect(
      outcomeAfter({
        ...base,
        deployment: { id: 'd-1', status: 'Stopped', targets: [] },
        stop: { why: 'cancel', rollback: true, accepted: true }
      })
    ).toBe('cancelled')
    expect(
      outcomeAfter({
        ...base,
        deployment: { id: 'd-1', status: 'Failed', targets: [] },
        stop: { why: 'cancel', rollback: true, accepted: true, endedBefore: 'Failed' }
      })
    ).toBe('failed')
  })

  it("expects no rollback on an alarm's stop unless the group has alarms (on-failure)", () => {
    const base = CASES[0]!.record
    expect(rollbackExpected({ ...base, group: { rollbackEvents: [], alarms: [] } }, 'alarm')).toBe(
      false
    )
    expect(
      rollbackExpected({ ...base, group: { rollbackEvents: [], alarms: ['a'] } }, 'alarm')
    ).toBe(true)
    expect(rollbackExpected({ ...base, group: { rollbackEvents: [], alarms: [] } }, 'stop')).toBe(
      true
    )
  })
})

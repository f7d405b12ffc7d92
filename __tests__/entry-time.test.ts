import { describe, expect, it } from '@jest/globals'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { entryTime } from '../src/engine/revision/bundle/time.js'
import { InputError } from '../src/engine/errors.js'
import { commitAt } from './helpers/git.js'

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5)

async function checkout(seconds?: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-time-'))
  await writeFile(path.join(dir, 'appspec.yml'), 'version: 0.0\nos: linux\n')
  if (seconds !== undefined) commitAt(dir, seconds)
  return dir
}

describe('the time bundle entries carry', () => {
  it('is SOURCE_DATE_EPOCH when it is set, before any commit', async () => {
    const source = await checkout(1_600_000_000)
    const time = await entryTime({ source, sourceDateEpoch: '1700000000', now: () => NOW })
    expect(time).toEqual({ time: new Date(1_700_000_000_000), from: 'SOURCE_DATE_EPOCH' })
  })

  it('is the commit time of the checkout holding the source', async () => {
    const source = await checkout(1_600_000_000)
    const time = await entryTime({ source, now: () => NOW })
    expect(time.time).toEqual(new Date(1_600_000_000_000))
    expect(time.from).toMatch(/commit time of HEAD/)
  })

  it('is the current time outside any checkout, and says so', async () => {
    const time = await entryTime({ source: await checkout(), sha: 'abc1234', now: () => NOW })
    expect(time.time).toEqual(new Date(NOW))
    expect(time.from).toMatch(/current time/)
  })

  it('stays within what zip can store', async () => {
    const source = await checkout()
    const early = await entryTime({ source, sourceDateEpoch: '0' })
    expect(early.time.toISOString()).toBe('1980-01-01T00:00:02.000Z')
  })

  it.each(['yesterday', '-5', '1.5e9'])('refuses SOURCE_DATE_EPOCH %s, naming it', async value => {
    const promise = entryTime({ source: await checkout(), sourceDateEpoch: value })
    await expect(promise).rejects.toThrow(InputError)
    await expect(promise).rejects.toThrow(/SOURCE_DATE_EPOCH '.*' is not a whole number of seconds/)
  })
})

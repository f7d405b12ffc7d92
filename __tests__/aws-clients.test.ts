/**
 * The AWS clients keep the SDK's standard settings: AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the
 * profile's retry_mode / max_attempts win over the action's defaults (standard, 5 attempts).
 * Counted against the CodeDeploy emulator answering 503 on purpose.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { ListApplicationsCommand } from '@aws-sdk/client-codedeploy'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClients, DEFAULT_MAX_ATTEMPTS } from '../src/aws.js'
import { useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { web: 1 } })
const saved = { ...process.env }
const SDK_SETTINGS = ['AWS_RETRY_MODE', 'AWS_MAX_ATTEMPTS', 'AWS_PROFILE', 'AWS_CONFIG_FILE']

afterEach(() => {
  t.stack.codedeploy.faults.clear()
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
})

/** Sends one ListApplications with `failures` 503 answers ahead; returns what it took. */
async function attempts(env: Record<string, string>, failures: number) {
  for (const key of SDK_SETTINGS) delete process.env[key]
  Object.assign(process.env, t.env, env)
  const clients = await createClients()
  const before = t.calls('ListApplications').length
  t.stack.codedeploy.faults.set({ serverErrorNext: failures, operations: ['ListApplications'] })
  try {
    const ok = await clients.codedeploy
      .send(new ListApplicationsCommand({}))
      .then(() => true)
      .catch(() => false)
    const strategy = (await clients.codedeploy.config.retryStrategy()) as { mode?: string }
    return { ok, calls: t.calls('ListApplications').length - before, mode: strategy.mode }
  } finally {
    clients.codedeploy.destroy()
    clients.s3.destroy()
  }
}

describe('retries', () => {
  it('default to the standard mode with five attempts when nothing is configured', async () => {
    expect(await attempts({}, DEFAULT_MAX_ATTEMPTS - 1)).toEqual({
      ok: true,
      calls: DEFAULT_MAX_ATTEMPTS,
      mode: 'standard'
    })
  })

  it('follow AWS_MAX_ATTEMPTS and AWS_RETRY_MODE from the environment', async () => {
    expect(await attempts({ AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'adaptive' }, 1)).toEqual({
      ok: false,
      calls: 1,
      mode: 'adaptive'
    })
  })

  it("follow max_attempts and retry_mode from the profile's config file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cdb-aws-config-'))
    const config = path.join(dir, 'config')
    await writeFile(config, '[default]\nmax_attempts = 2\nretry_mode = adaptive\n')
    expect(await attempts({ AWS_CONFIG_FILE: config }, 3)).toEqual({
      ok: false,
      calls: 2,
      mode: 'adaptive'
    })
  })
})

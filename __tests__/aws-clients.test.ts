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

describe('the region and the credentials', () => {
  /** createClients' refusal in `env` (over the stack's), with no profile unless one is given. */
  async function refusal(env: Record<string, string | undefined>): Promise<string> {
    Object.assign(process.env, t.env, {
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_EC2_METADATA_DISABLED: 'true'
    })
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    return createClients().then(
      clients => {
        clients.codedeploy.destroy()
        clients.s3.destroy()
        return ''
      },
      (error: Error) => error.message
    )
  }

  it("names a malformed region in the profile, and the profile's name", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cdb-aws-config-'))
    const config = path.join(dir, 'config')
    await writeFile(config, '[profile deploy]\nregion = Frankfurt\n')
    expect(
      await refusal({ AWS_REGION: undefined, AWS_CONFIG_FILE: config, AWS_PROFILE: 'deploy' })
    ).toMatch(
      /^The AWS region "Frankfurt" \(from the region of profile 'deploy'\) is not a region's name\. Expected the form us-east-1/
    )
  })

  it('says when no region is configured anywhere', async () => {
    expect(await refusal({ AWS_REGION: undefined })).toMatch(
      /^No AWS region is configured\. Set AWS_REGION, or give aws-region to aws-actions\/configure-aws-credentials/
    )
  })

  it('names the half of a key pair that is missing', async () => {
    expect(await refusal({ AWS_SECRET_ACCESS_KEY: undefined })).toMatch(
      /^No AWS credentials found \(.+\)\. AWS_ACCESS_KEY_ID is set, but AWS_SECRET_ACCESS_KEY is not\./
    )
  })

  it('takes a well-formed region and credentials', async () => {
    expect(await refusal({})).toBe('')
  })
})

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

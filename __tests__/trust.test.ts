/**
 * Bundles you can trust, end to end: what is deployed is what this run packaged, even when
 * someone who can write to the bucket plants another object at the bundle's key.
 */
import { describe, expect, it } from '@jest/globals'
import { CreateMultipartUploadCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { runInProcess } from './helpers/action.js'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { commitAt } from './helpers/git.js'
import { appspec, release, s3Client, script, tempTree } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'
import { systemClock } from '../src/engine/clock.js'

const t = useTestStack({
  groups: { web: 1 },
  stepDelayMs: 0,
  env: { SOURCE_DATE_EPOCH: '1700000000' }
})
const target = { application: APPLICATION, 'deployment-group': 'web', bucket: BUCKET }

describe('a bundle key someone else wrote to', () => {
  it('a planted object with matching metadata is replaced, not deployed', async () => {
    const dir = await t.source(release('honest'))
    const packaged = await runInProcess({ ...target, command: 'package', source: dir }, t.env)
    expect(packaged.failed).toBe(false)
    const { key, 'bundle-sha256': sha256 } = packaged.outputs
    // What an attacker who can write to the prefix (and read the repository) would put there.
    const evil = await tempTree({
      'appspec.yml': appspec({ AfterInstall: [{ location: 'scripts/own.sh' }] }),
      'site/version.txt': 'planted',
      'scripts/own.sh': script('echo owned > "$INSTANCE_ROOT/owned"')
    })
    const evilZip = `${evil}.zip`
    await createBundle({ source: evil, type: 'zip', outFile: evilZip })
    const client = s3Client(t.stack.s3.endpoint)
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key!,
        Body: await readFile(evilZip),
        Metadata: { 'bundle-sha256': sha256! }
      })
    )
    client.destroy()

    const result = await runInProcess({ ...target, source: dir }, t.env)
    expect(result.failed).toBe(false)
    expect(result.outputs.key).toBe(key)
    const warnings = result.log.split('\n').filter(l => l.startsWith('::warning'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/is not this bundle \(S3 keeps no SHA-256 checksum for it\)/)
    expect(await t.installed('web', 'srv/app/version.txt')).toBe('honest')
    const root = t.stack.codedeploy.instances(APPLICATION, 'web')[0]!.root
    await expect(readFile(path.join(root, 'owned'), 'utf8')).rejects.toThrow(/ENOENT/)
  })
})

describe('entry times', () => {
  const T1 = Date.UTC(2024, 4, 6, 7, 8, 10) / 1000
  const T2 = Date.UTC(2025, 1, 2, 3, 4, 6) / 1000
  // No SOURCE_DATE_EPOCH: the commit time of the source's checkout decides.
  const env = (): Record<string, string> => ({ ...t.env, SOURCE_DATE_EPOCH: '' })

  it('one commit gives the same bundle twice; a commit at another time, another bundle', async () => {
    const dir = await t.source(release('timed'))
    commitAt(path.join(t.workspace, dir), T1)
    const inputs = { ...target, command: 'package', source: dir }
    const first = await runInProcess(inputs, env())
    const second = await runInProcess(inputs, env())
    expect(first.log).toMatch(/Entries dated 2024-05-06T07:08:10.000Z: the commit time of HEAD/)
    expect(second.outputs['bundle-sha256']).toBe(first.outputs['bundle-sha256'])
    commitAt(path.join(t.workspace, dir), T2)
    const third = await runInProcess(inputs, env())
    expect(third.outputs['bundle-sha256']).not.toBe(first.outputs['bundle-sha256'])
  })

  it.each(['zip', 'tgz'])('deployed files keep the commit time (%s)', async type => {
    const dir = await t.source(release(`timed-${type}`))
    commitAt(path.join(t.workspace, dir), T2)
    const result = await runInProcess({ ...target, source: dir, 'bundle-type': type }, env())
    expect(result.failed).toBe(false)
    const root = t.stack.codedeploy.instances(APPLICATION, 'web')[0]!.root
    const { mtime } = await stat(path.join(root, 'srv/app/version.txt'))
    // A zip holds a DOS time without a zone; unzip reads it as local time (UTC on instances).
    const utc = new Date(T2 * 1000)
    const expected =
      type === 'zip'
        ? new Date(
            utc.getUTCFullYear(),
            utc.getUTCMonth(),
            utc.getUTCDate(),
            utc.getUTCHours(),
            utc.getUTCMinutes(),
            utc.getUTCSeconds()
          )
        : utc
    expect(mtime).toEqual(expected)
  })
})

describe('uploads a killed run left open', () => {
  it('are aborted, under this prefix only, and counted in the log', async () => {
    const client = s3Client(t.stack.s3.endpoint)
    const key = (prefix: string): string => `${prefix}${'cd'.repeat(32)}.zip`
    for (const prefix of ['left/', 'left/', 'other/'])
      await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key(prefix) }))
    client.destroy()
    const later = { ...systemClock, now: () => Date.now() + 2 * 60 * 60 * 1000 }
    const dir = await t.source(release('cleanup'))
    const result = await runInProcess(
      { ...target, command: 'package', source: dir, 'key-prefix': 'left/' },
      t.env,
      { clock: later }
    )
    expect(result.failed).toBe(false)
    expect(result.log).toMatch(
      /Aborted 2 incomplete uploads under s3:\/\/bundles\/left\/ older than an hour/
    )
    expect(t.stack.s3.openUploads().map(u => u.key)).toEqual([key('other/')])
  })
})

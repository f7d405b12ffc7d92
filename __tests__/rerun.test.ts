/**
 * Re-runs of an unchanged tree, end to end against the local stack: the second run skips packaging
 * and upload and gives the same outputs, and nothing that can be planted in the bucket or written
 * into the cache makes it deploy anything but the bundle of the tree it was given.
 */
import { describe, expect, it } from '@jest/globals'
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { SETTLED_MS } from '../src/engine/revision/bundle/digest.js'
import { cacheDirectory } from '../src/engine/revision/cache.js'
import { appspec, release, s3Client, script, tempTree } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { web: 1 }, stepDelayMs: 0 })
const target = { application: APPLICATION, 'deployment-group': 'web', bucket: BUCKET }
const SKIPPED =
  /Packaging and upload skipped: this tree .* is the one recorded when it was uploaded/

/** The run, and the S3 requests that wrote something while it ran. */
async function counted(
  inputs: Record<string, string>,
  env: Record<string, string> = t.env
): Promise<InProcessRun & { writes: string[] }> {
  // Files changed less than SETTLED_MS before a run's listing are not vouched for.
  await new Promise(resolve => setTimeout(resolve, SETTLED_MS + 50))
  const before = t.stack.s3.requests.length
  const result = await runInProcess(inputs, env)
  const writes = t.stack.s3.requests
    .slice(before)
    .filter(r => r.method === 'PUT' || r.method === 'POST')
    .map(r => `${r.method} ${r.path}`)
  return { ...result, writes }
}

/** The outputs a re-run must repeat: the bundle and where it is. */
function bundleOutputs(outputs: Record<string, string>): Record<string, string | undefined> {
  const names = ['revision', 'bucket', 'key', 'etag', 'version-id', 'bundle-sha256']
  return Object.fromEntries(names.map(name => [name, outputs[name]]))
}

/** The cache entry (named by the tree's shape) of the one tree packaged with `env`'s cache. */
async function cacheEntry(cacheDir: string): Promise<string> {
  const [entry, ...more] = await readdir(path.join(cacheDir, 'bundles'))
  expect(more).toEqual([])
  return path.join(cacheDir, 'bundles', entry!)
}

describe('a re-run of an unchanged tree', () => {
  it('skips packaging and upload, says why in one line, and gives the same outputs', async () => {
    const dir = await t.source(release('same'))
    const first = await counted({ ...target, source: dir })
    expect(first.failed).toBe(false)
    expect(first.log).not.toMatch(SKIPPED)
    expect(first.writes.length).toBeGreaterThan(0)
    // A tree not seen before is packaged at once; its contents are read while it uploads.
    expect(first.log.indexOf('Tree digest')).toBeGreaterThan(
      first.log.indexOf('::group::Uploading')
    )

    const second = await counted({ ...target, source: dir })
    expect(second.failed).toBe(false)
    expect(second.log.split('\n').filter(l => SKIPPED.test(l))).toHaveLength(1)
    expect(second.writes).toEqual([])
    expect(bundleOutputs(second.outputs)).toEqual(bundleOutputs(first.outputs))
    expect(second.outputs.status).toBe('Succeeded')
    expect(await t.installed('web', 'srv/app/version.txt')).toBe('same')
  })

  it('skips a bundle uploaded in parts too (the composite checksum)', async () => {
    // 9 MiB that do not compress: the bundle goes up in parts.
    const blob = Buffer.concat(
      Array.from({ length: (9 << 20) / 32 }, (_, i) =>
        createHash('sha256').update(String(i)).digest()
      )
    )
    const dir = await t.source(release('big'))
    await writeFile(path.join(t.workspace, dir, 'site/blob.bin'), blob)
    const inputs = { ...target, command: 'package', source: dir }
    const first = await counted(inputs)
    expect(first.failed).toBe(false)
    expect(first.writes.some(w => w.startsWith('POST'))).toBe(true) // a multipart upload
    const second = await counted(inputs)
    expect(second.log).toMatch(SKIPPED)
    expect(second.writes).toEqual([])
    expect(bundleOutputs(second.outputs)).toEqual(bundleOutputs(first.outputs))
  })

  it('packages again when a file changed', async () => {
    const dir = await t.source(release('one'))
    const inputs = { ...target, source: dir }
    const first = await counted(inputs)
    await writeFile(path.join(t.workspace, dir, 'site/version.txt'), 'two')
    const second = await counted(inputs)
    expect(second.failed).toBe(false)
    expect(second.log).not.toMatch(SKIPPED)
    expect(second.outputs['bundle-sha256']).not.toBe(first.outputs['bundle-sha256'])
    expect(second.writes.length).toBeGreaterThan(0)
    expect(await t.installed('web', 'srv/app/version.txt')).toBe('two')
  })

  it('is not looked for when entries carry the current time (no two bundles are the same)', async () => {
    const cacheDir = path.join(t.workspace, 'undated-cache')
    const env = { ...t.env, SOURCE_DATE_EPOCH: '', CDB_CACHE_DIR: cacheDir }
    const dir = await t.source(release('undated'))
    const result = await counted({ ...target, command: 'package', source: dir }, env)
    expect(result.failed).toBe(false)
    expect(result.log).toMatch(/Entries dated .*: the current time/)
    expect(result.log).not.toMatch(/Tree digest/)
    await expect(readdir(path.join(cacheDir, 'bundles'))).rejects.toThrow(/ENOENT/)
  })
})

/** A bundle an attacker made, with its own true SHA-256 checksum, at `key`. */
async function plant(key: string, metadataSha256?: string): Promise<void> {
  const evil = await tempTree({
    'appspec.yml': appspec({ AfterInstall: [{ location: 'scripts/own.sh' }] }),
    'site/version.txt': 'planted',
    'scripts/own.sh': script('echo owned > "$INSTANCE_ROOT/owned"')
  })
  const bundle = await createBundle({ source: evil, type: 'zip', outFile: `${evil}.zip` })
  const client = s3Client(t.stack.s3.endpoint)
  await client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: await readFile(bundle.path),
      ChecksumSHA256: Buffer.from(bundle.sha256, 'hex').toString('base64'),
      ...(metadataSha256 ? { Metadata: { 'bundle-sha256': metadataSha256 } } : {})
    })
  )
  client.destroy()
}

async function notOwned(): Promise<void> {
  const root = t.stack.codedeploy.instances(APPLICATION, 'web')[0]!.root
  await expect(readFile(path.join(root, 'owned'), 'utf8')).rejects.toThrow(/ENOENT/)
}

describe('the cache directory', () => {
  it('is CDB_CACHE_DIR, else the tool cache, else ~/.cache; none on a GitHub-hosted runner', () => {
    expect(cacheDirectory({ CDB_CACHE_DIR: 'here', RUNNER_ENVIRONMENT: 'github-hosted' })).toBe(
      path.resolve('here')
    )
    expect(cacheDirectory({ RUNNER_TOOL_CACHE: '/opt/tools' })).toBe(
      path.join('/opt/tools', 'codedeploy-bridge')
    )
    expect(cacheDirectory({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'codedeploy-bridge'))
    expect(
      cacheDirectory({ RUNNER_TOOL_CACHE: '/opt/tools', RUNNER_ENVIRONMENT: 'github-hosted' })
    ).toBeUndefined()
  })
})

describe('what cannot make a re-run deploy other bytes', () => {
  it('an object replaced at the key, with matching metadata and its own checksum: rebuilt and uploaded', async () => {
    const dir = await t.source(release('honest'))
    const first = await counted({ ...target, command: 'package', source: dir })
    const { key, 'bundle-sha256': sha256 } = first.outputs
    await plant(key!, sha256)

    const second = await counted({ ...target, source: dir })
    expect(second.failed).toBe(false)
    expect(second.log).not.toMatch(SKIPPED)
    expect(second.writes).toContain(`PUT /${BUCKET}/${key}`)
    expect(second.outputs['bundle-sha256']).toBe(sha256)
    const warnings = second.log.split('\n').filter(l => l.startsWith('::warning'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/is not this bundle \(S3's SHA-256 checksum of it is/)
    expect(await t.installed('web', 'srv/app/version.txt')).toBe('honest')
    await notOwned()
  })

  it('a cache entry pointed at another bundle in the bucket: ignored, the tree is packaged', async () => {
    const cacheDir = path.join(t.workspace, 'tampered-cache')
    const env = { ...t.env, CDB_CACHE_DIR: cacheDir }
    const dir = await t.source(release('mine'))
    const first = await counted({ ...target, command: 'package', source: dir }, env)
    // The attacker's bundle, uploaded with a true checksum, and the entry rewritten to name it.
    const evilKey = `${'e'.repeat(64)}.zip`
    await plant(evilKey)
    const client = s3Client(t.stack.s3.endpoint)
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: evilKey, ChecksumMode: 'ENABLED' })
    )
    client.destroy()
    const file = await cacheEntry(cacheDir)
    const entry = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await writeFile(
      file,
      JSON.stringify({ ...entry, sha256: 'e'.repeat(64), checksum: head.ChecksumSHA256 })
    )

    const second = await counted({ ...target, source: dir }, env)
    expect(second.failed).toBe(false)
    expect(second.log).not.toMatch(SKIPPED)
    expect(second.log).toMatch(/entry for [0-9a-f]{64} is malformed or not signed/)
    expect(second.outputs.key).toBe(first.outputs.key)
    expect(await t.installed('web', 'srv/app/version.txt')).toBe('mine')
    await notOwned()

    // Garbage in the entry costs a rebuild too, and the rebuild writes a good entry again.
    await writeFile(file, '{"digest": 1')
    const third = await counted({ ...target, command: 'package', source: dir }, env)
    expect(third.failed).toBe(false)
    expect(third.log).not.toMatch(SKIPPED)
    const fourth = await counted({ ...target, command: 'package', source: dir }, env)
    expect(fourth.log).toMatch(SKIPPED)
  })

  it('a cache directory that cannot be written: every run packages, and works', async () => {
    const blocker = path.join(t.workspace, 'not-a-directory')
    await writeFile(blocker, '')
    const env = { ...t.env, CDB_CACHE_DIR: path.join(blocker, 'cache') }
    const dir = await t.source(release('nocache'))
    for (let i = 0; i < 2; i++) {
      const result = await counted({ ...target, command: 'package', source: dir }, env)
      expect(result.failed).toBe(false)
      expect(result.log).not.toMatch(SKIPPED)
      expect(result.log).toMatch(/::debug::Re-run cache off: .* cannot be used/)
    }
  })
})

/**
 * `artifact-name`: run() against the local stack and a stand-in Actions results service, through
 * the real @actions/artifact client; the artifact must hold the very bundle that went to S3.
 */
import { describe, expect, it } from '@jest/globals'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import path from 'node:path'
import yauzl from 'yauzl'
import { runInProcess } from './helpers/action.js'
import { startFakeResultsService, type FakeResultsService } from './helpers/results-service.js'
import { appspec, s3Client, script } from './helpers/revisions.js'
import { useTestStack } from './helpers/stack.js'

let results: FakeResultsService
let releases = 0

const t = useTestStack({
  groups: { staging: 1 },
  env: { GITHUB_SHA: 'c'.repeat(40) },
  server: async () => {
    results = await startFakeResultsService()
    return {
      env: { ACTIONS_RUNTIME_TOKEN: results.token, ACTIONS_RESULTS_URL: `${results.url}/` },
      close: () => results.close()
    }
  }
})

function source(): Promise<string> {
  return t.source({
    'appspec.yml': appspec({ ValidateService: [{ location: 'scripts/validate.sh' }] }),
    'site/index.html': `release ${++releases}\n`.repeat(500),
    'scripts/validate.sh': script('exit 0')
  })
}

/** The files inside an artifact's zip. */
async function unzip(body: Buffer): Promise<Map<string, Buffer>> {
  const zip = await yauzl.fromBufferPromise(body, { lazyEntries: true })
  const files = new Map<string, Buffer>()
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', () => resolve())
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error)
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('error', reject)
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks))
          zip.readEntry()
        })
      })
    })
    zip.readEntry()
  })
  return files
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

const inputs = { application: 'shop', 'deployment-group': 'staging', bucket: 'bundles' }

describe('artifact-name', () => {
  it('keeps the bundle that went to S3 as a workflow artifact, before the deployment starts', async () => {
    const created = (): number => t.calls('CreateDeployment').length
    const deploymentsBefore = created()
    let deploymentsAtFinalize: number | undefined
    results.onFinalize = () => (deploymentsAtFinalize = created())
    const result = await runInProcess(
      { ...inputs, source: await source(), 'artifact-name': 'shop-bundle' },
      t.env
    ).finally(() => (results.onFinalize = undefined))
    expect(result.failed).toBe(false)
    expect(deploymentsAtFinalize).toBe(deploymentsBefore)
    expect(created()).toBe(deploymentsBefore + 1)
    const artifact = results.artifacts.at(-1)!
    expect(artifact.name).toBe('shop-bundle')
    expect(artifact.backendIds).toEqual({
      workflowRunBackendId: 'run-backend-1',
      workflowJobRunBackendId: 'job-backend-1'
    })
    expect(result.outputs['artifact-id']).toBe(String(results.artifacts.length))

    const files = await unzip(artifact.body)
    const key = result.outputs.key!
    expect([...files.keys()]).toEqual([path.posix.basename(key)])
    const kept = files.get(path.posix.basename(key))!
    expect(sha256(kept)).toBe(result.outputs['bundle-sha256'])
    const s3 = s3Client(t.stack.s3.endpoint)
    try {
      const stored = await s3.send(new GetObjectCommand({ Bucket: 'bundles', Key: key }))
      expect(sha256(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(sha256(kept))
    } finally {
      s3.destroy()
    }
    expect(result.log).toMatch(/::group::Keeping the bundle as workflow artifact 'shop-bundle'/)
  })

  it('works on a package-only step', async () => {
    const before = results.artifacts.length
    const result = await runInProcess(
      { bucket: 'bundles', command: 'package', source: await source(), 'artifact-name': 'pkg' },
      t.env
    )
    expect(result.failed).toBe(false)
    expect(results.artifacts).toHaveLength(before + 1)
    expect(results.artifacts.at(-1)!.name).toBe('pkg')
  })

  it('is ignored with a warning on a step that deploys a bundle it did not build', async () => {
    const packaged = await runInProcess(
      { bucket: 'bundles', command: 'package', source: await source() },
      t.env
    )
    const before = results.artifacts.length
    const deployed = await runInProcess(
      { ...inputs, bucket: '', revision: packaged.outputs.revision!, 'artifact-name': 'x' },
      t.env
    )
    expect(deployed.failed).toBe(false)
    expect(deployed.outputs.status).toBe('Succeeded')
    expect(deployed.log).toContain(
      "::warning::Input 'artifact-name' is not used: it keeps the bundle a step builds, and this step builds none (it deploys 'revision'). It is ignored"
    )
    expect(results.artifacts).toHaveLength(before)
  })

  it.each([
    ['a name GitHub refuses', { 'artifact-name': 'a/b' }, {}, /character GitHub refuses/],
    [
      'no runner environment',
      { 'artifact-name': 'x' },
      { ACTIONS_RUNTIME_TOKEN: '' },
      /works inside a GitHub Actions job only/
    ]
  ])('refuses %s before any write', async (_what, extra, envChange, message) => {
    const writes = (): number =>
      t.stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST').length +
      t.stack.codedeploy.calls.filter(c =>
        ['RegisterApplicationRevision', 'CreateDeployment'].includes(c.operation)
      ).length
    const before = writes()
    const artifacts = results.artifacts.length
    const result = await runInProcess(
      { ...inputs, source: await source(), ...extra },
      { ...t.env, ...envChange }
    )
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(message)
    expect(writes()).toBe(before)
    expect(results.artifacts).toHaveLength(artifacts)
  })
})

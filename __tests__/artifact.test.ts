/**
 * `artifact-name`: run() against the local stack and a stand-in Actions results service, through
 * the real @actions/artifact client; the artifact must hold the very bundle that went to S3.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import yauzl from 'yauzl'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import { runInProcess } from './helpers/action.js'
import { startFakeResultsService, type FakeResultsService } from './helpers/results-service.js'
import { appspec, s3Client, script, writeTree, type Tree } from './helpers/revisions.js'

let stack: LocalStack
let results: FakeResultsService
let s3: S3Client
let workspace: string
let env: Record<string, string>
let counter = 0

beforeAll(async () => {
  stack = await startLocalStack({
    buckets: ['bundles'],
    stepDelayMs: 5,
    config: {
      applications: [{ name: 'shop', deploymentGroups: [{ name: 'staging', instances: 1 }] }]
    }
  })
  results = await startFakeResultsService()
  s3 = s3Client(stack.s3.endpoint)
  workspace = await mkdtemp(path.join(tmpdir(), 'cdb-workspace-'))
  env = {
    ...stack.env,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: 'c'.repeat(40),
    ACTIONS_RUNTIME_TOKEN: results.token,
    ACTIONS_RESULTS_URL: `${results.url}/`,
    NODE_NO_WARNINGS: '1'
  }
})

afterAll(async () => {
  s3.destroy()
  await results.close()
  await stack.close()
  await rm(workspace, { recursive: true, force: true })
})

async function source(): Promise<string> {
  const name = `src-${++counter}`
  const tree: Tree = {
    'appspec.yml': appspec({ ValidateService: [{ location: 'scripts/validate.sh' }] }),
    'site/index.html': `release ${counter}\n`.repeat(500),
    'scripts/validate.sh': script('exit 0')
  }
  await writeTree(path.join(workspace, name), tree)
  return name
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
    const created = (): number =>
      stack.codedeploy.calls.filter(c => c.operation === 'CreateDeployment').length
    const deploymentsBefore = created()
    let deploymentsAtFinalize: number | undefined
    results.onFinalize = () => (deploymentsAtFinalize = created())
    const result = await runInProcess(
      { ...inputs, source: await source(), 'artifact-name': 'shop-bundle' },
      env
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
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'bundles', Key: key }))
    expect(sha256(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(sha256(kept))
    expect(result.log).toMatch(/::group::Keeping the bundle as workflow artifact 'shop-bundle'/)
  })

  it('works on a package-only step', async () => {
    const before = results.artifacts.length
    const result = await runInProcess(
      { bucket: 'bundles', command: 'package', source: await source(), 'artifact-name': 'pkg' },
      env
    )
    expect(result.failed).toBe(false)
    expect(results.artifacts).toHaveLength(before + 1)
    expect(results.artifacts.at(-1)!.name).toBe('pkg')
  })

  it.each([
    ['a name GitHub refuses', { 'artifact-name': 'a/b' }, {}, /character GitHub refuses/],
    [
      'a step that packages nothing',
      { 'artifact-name': 'x', revision: 's3://bundles/some.zip' },
      {},
      /this step builds none \(it deploys 'revision'\)/
    ],
    [
      'no runner environment',
      { 'artifact-name': 'x' },
      { ACTIONS_RUNTIME_TOKEN: '' },
      /works inside a GitHub Actions job only/
    ]
  ])('refuses %s before any write', async (_what, extra, envChange, message) => {
    const writes = (): number =>
      stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST').length +
      stack.codedeploy.calls.filter(c =>
        ['RegisterApplicationRevision', 'CreateDeployment'].includes(c.operation)
      ).length
    const before = writes()
    const artifacts = results.artifacts.length
    const result = await runInProcess(
      { ...inputs, source: await source(), ...extra },
      { ...env, ...envChange }
    )
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(message)
    expect(writes()).toBe(before)
    expect(results.artifacts).toHaveLength(artifacts)
  })
})

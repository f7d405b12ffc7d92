/**
 * Detection latency and CodeDeploy calls per second: how long after a deployment's terminal status
 * (the emulator's completeTime) each follower knows it, and how many CodeDeploy calls it made per
 * second while following. Three followers watch the same deployment at once: ours (the engine's
 * `deploy` of an existing revision, which creates the deployment and follows it), the SDK waiter
 * (waitUntilDeploymentSuccessful, defaults) and `aws deploy wait deployment-successful` when the
 * AWS CLI is installed. Two rhythms: a quiet deployment (one instance whose hook sleeps, nothing
 * changes meanwhile, 10–25 s) and a busy one (eight instances, one at a time, hooks of
 * 0.2–0.8 s: some 20 s).
 * A deployment much shorter than that cannot be both seen within 1.5 s and followed within 0.5
 * calls/s over its run: the checks and the create before it are 3 calls, its last read 2 more.
 *
 * Each round's hooks sleep for a time drawn from its deployment id, so the rounds' ends fall at
 * different points of each follower's cycle. scripts/detection-figures.ts measures the watch alone
 * over more rounds.
 */
import {
  CodeDeployClient,
  waitUntilDeploymentSuccessful,
  type CodeDeployClientConfig
} from '@aws-sdk/client-codedeploy'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startLocalStack, type LocalStack } from '../local/stack.js'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { runEngine } from '../src/engine/run.js'
import { parseSettings, type InputName } from '../src/engine/inputs/settings.js'
import { available, cliWait, median } from './measure.js'
import type { Row } from './report.js'

interface Rhythm {
  name: 'quiet' | 'busy'
  group: string
  appspec: string
  scripts: Record<string, string>
}

/**
 * A shell expression for a number of seconds drawn from the deployment's id (the agent gives hooks
 * DEPLOYMENT_ID): `base` plus up to `spread`, so each round's deployment has its own length and its
 * end falls anywhere in each follower's cycle (a fixed length would measure one phase only).
 */
function drawnSeconds(base: number, spread: number): string {
  const hundredths = Math.round(spread * 100)
  return `$(printf %s "$DEPLOYMENT_ID" | cksum | awk '{ printf "%.2f", ${base} + ($1 % ${hundredths}) / 100 }')`
}

function rhythms(quick: boolean): Rhythm[] {
  return [
    {
      name: 'quiet',
      group: 'quiet',
      appspec: 'version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: wait.sh\n',
      scripts: {
        'wait.sh': `#!/bin/sh\nsleep ${quick ? drawnSeconds(3, 2) : drawnSeconds(10, 15)}\n`
      }
    },
    {
      name: 'busy',
      group: 'busy',
      appspec:
        'version: 0.0\nos: linux\nhooks:\n' +
        ['BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService']
          .map(event => `  ${event}:\n    - location: step.sh\n`)
          .join(''),
      scripts: { 'step.sh': `#!/bin/sh\nsleep ${drawnSeconds(0.2, 0.6)}\n` }
    }
  ]
}

interface Follower {
  /** ms after completeTime it knew. */
  lagMs: number
  /** CodeDeploy calls per second from the follower's start to its knowing. */
  callsPerSecond: number
}

/** A CodeDeploy client that counts its calls (all operations) and their deployment ids. */
function countingClient(
  config: CodeDeployClientConfig
): CodeDeployClient & { calls: { op: string; id?: string }[] } {
  const client = new CodeDeployClient(config) as CodeDeployClient & {
    calls: { op: string; id?: string }[]
  }
  client.calls = []
  client.middlewareStack.add(
    (next, context) => async args => {
      const input = args.input as { deploymentId?: string }
      client.calls.push({
        op: context.commandName ?? '?',
        ...(input.deploymentId ? { id: input.deploymentId } : {})
      })
      return next(args)
    },
    { step: 'initialize', name: 'benchCount' }
  )
  return client
}

async function uploadRevision(stack: LocalStack, rhythm: Rhythm): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-bench-app-'))
  await writeFile(path.join(dir, 'appspec.yml'), rhythm.appspec)
  for (const [name, body] of Object.entries(rhythm.scripts))
    await writeFile(path.join(dir, name), body, { mode: 0o755 })
  const bundle = await createBundle({ source: dir, type: 'zip', outFile: `${dir}.zip` })
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: stack.s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  const key = `detection/${rhythm.name}.zip`
  await s3.send(
    new PutObjectCommand({ Bucket: 'bench', Key: key, Body: await readFile(bundle.path) })
  )
  s3.destroy()
  await rm(dir, { recursive: true, force: true })
  await rm(`${dir}.zip`, { force: true })
  return `s3://bench/${key}`
}

interface Round {
  ours: Follower
  waiter: Follower
  cli?: Follower
}

async function round(
  stack: LocalStack,
  rhythm: Rhythm,
  revision: string,
  withCli: boolean
): Promise<Round> {
  const config = {
    region: 'us-east-1',
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  }
  const ours = countingClient(config)
  const waiterClient = countingClient(config)
  const inputs: Partial<Record<InputName, string>> = {
    application: 'bench',
    'deployment-group': rhythm.group,
    revision,
    timeout: '10m'
  }
  const workspace = await mkdtemp(path.join(tmpdir(), 'cdb-bench-ws-'))
  const settings = parseSettings(name => inputs[name] ?? '', workspace)
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: stack.s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  let id: string | undefined
  let knewAt: number | undefined
  let peers: Promise<[number, number | undefined]> | undefined
  let peersStartedAt = 0
  const started = Date.now()
  await runEngine(settings, {
    codedeploy: ours,
    s3,
    region: 'us-east-1',
    reporter: new RecordingReporter(),
    workspace,
    tempDir: workspace,
    onRecord: record => {
      const deployment = record.deployment
      if (deployment && !id) {
        id = deployment.id
        peersStartedAt = Date.now()
        const deploymentId = deployment.id
        peers = Promise.all([
          waitUntilDeploymentSuccessful(
            { client: waiterClient, maxWaitTime: 600 },
            { deploymentId }
          ).then(() => Date.now()),
          withCli ? cliWait(stack, deploymentId) : Promise.resolve(undefined)
        ])
      }
      if (
        deployment &&
        knewAt === undefined &&
        ['Succeeded', 'Failed', 'Stopped'].includes(deployment.status)
      )
        knewAt = Date.now()
    }
  })
  const oursDone = Date.now()
  if (!id || !peers) throw new Error('the engine created no deployment')
  const [waiterAt, cliAt] = await peers
  const deployment = stack.codedeploy.deployment(id)
  const completed = deployment?.completeTime?.getTime()
  if (!completed) throw new Error(`deployment ${id} has no completeTime`)
  const oursKnew = knewAt ?? oursDone
  const count = (calls: { op: string; id?: string }[]): number => calls.length
  const serverGets = stack.codedeploy.calls.filter(
    c =>
      c.operation === 'GetDeployment' && (c.input as { deploymentId?: string }).deploymentId === id
  ).length
  const clientGets = [...ours.calls, ...waiterClient.calls].filter(
    c => c.op === 'GetDeploymentCommand' && c.id === id
  ).length
  const result: Round = {
    ours: {
      lagMs: oursKnew - completed,
      callsPerSecond: count(ours.calls) / ((oursKnew - started) / 1000)
    },
    waiter: {
      lagMs: waiterAt - completed,
      callsPerSecond: count(waiterClient.calls) / ((waiterAt - peersStartedAt) / 1000)
    }
  }
  if (cliAt !== undefined)
    result.cli = {
      lagMs: cliAt - completed,
      callsPerSecond: (serverGets - clientGets) / ((cliAt - peersStartedAt) / 1000)
    }
  ours.destroy()
  waiterClient.destroy()
  s3.destroy()
  await stack.codedeploy.idle()
  await rm(workspace, { recursive: true, force: true })
  return result
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

/** The detection rows: latency and calls/s per rhythm, ours against each peer. */
export async function detectionRows(
  rounds: number,
  quick: boolean,
  say: (line: string) => void
): Promise<Row[]> {
  const withCli = available('aws')
  const stack = await startLocalStack({
    buckets: ['bench'],
    config: {
      applications: [
        {
          name: 'bench',
          deploymentGroups: [
            { name: 'quiet', instances: 1 },
            { name: 'busy', instances: 8, deploymentConfig: 'CodeDeployDefault.OneAtATime' }
          ]
        }
      ]
    }
  })
  const rows: Row[] = []
  try {
    for (const rhythm of rhythms(quick)) {
      const revision = await uploadRevision(stack, rhythm)
      const results: Round[] = []
      for (let i = 0; i < rounds; i++) {
        say(`  detection, ${rhythm.name} deployment, round ${i + 1} of ${rounds}…`)
        results.push(await round(stack, rhythm, revision, withCli))
      }
      const lag = (pick: (r: Round) => Follower | undefined): number | undefined => {
        const values = results
          .map(pick)
          .filter((f): f is Follower => !!f)
          .map(f => f.lagMs)
        return values.length ? median(values) : undefined
      }
      const rate = (pick: (r: Round) => Follower | undefined): number | undefined => {
        const values = results
          .map(pick)
          .filter((f): f is Follower => !!f)
          .map(f => f.callsPerSecond)
        return values.length ? median(values) : undefined
      }
      const oursLag = lag(r => r.ours)!
      const oursRate = rate(r => r.ours)!
      const peers: [string, (r: Round) => Follower | undefined][] = [
        ['SDK waiter', r => r.waiter],
        ['aws deploy wait', r => r.cli]
      ]
      for (const [peer, pick] of peers) {
        const peerLag = lag(pick)
        rows.push({
          measure: `detection latency, ${rhythm.name} deployment`,
          ours: seconds(oursLag),
          peer: peerLag === undefined ? `${peer}: peer missing` : `${peer}: ${seconds(peerLag)}`,
          ratio: peerLag === undefined ? undefined : Math.max(oursLag, 1) / Math.max(peerLag, 1),
          goal: 'median ≤ 1.5 s',
          met: oursLag <= 1500
        })
      }
      const waiterRate = rate(r => r.waiter)
      const cliRate = rate(r => r.cli)
      rows.push({
        measure: `CodeDeploy calls/s, ${rhythm.name} deployment`,
        ours: oursRate.toFixed(2),
        peer: `SDK waiter: ${waiterRate?.toFixed(2) ?? '–'}; aws deploy wait: ${cliRate?.toFixed(2) ?? 'peer missing'}`,
        ratio: waiterRate ? oursRate / waiterRate : undefined,
        goal: '≤ 0.5 calls/s (all operations)',
        met: oursRate <= 0.5
      })
    }
  } finally {
    await stack.close()
  }
  return rows
}

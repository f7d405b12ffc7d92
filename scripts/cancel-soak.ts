/**
 * `npx tsx scripts/cancel-soak.ts [trials]`: cancels the built action (dist/index.js, run as a
 * runner runs it) at random moments against the local stack, and counts what each cancel left
 * behind: deployments still running afterwards (only `on-cancel: detach` may leave one, and a
 * stop CodeDeploy refused must be named in the log), and the time from the signal to the exit.
 * Moments: before the upload, during the upload, while CreateDeployment's answer is 3 s late,
 * while the deployment runs, and with StopDeployment throttled.
 */
import { CodeDeployClient, StopDeploymentCommand } from '@aws-sdk/client-codedeploy'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../local/run-action.js'
import { REGION, startLocalStack, type LocalStack } from '../local/stack.js'

type Moment =
  'before-upload' | 'during-upload' | 'during-create' | 'while-watching' | 'stop-throttled'
const MOMENTS: Moment[] = [
  'before-upload',
  'during-upload',
  'during-create',
  'while-watching',
  'stop-throttled'
]
const ON_CANCEL = ['stop-and-rollback', 'stop', 'detach'] as const
const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped'])

interface Trial {
  moment: Moment
  onCancel: (typeof ON_CANCEL)[number]
  code: number | null
  exitMs: number
  created: number
  leftRunning: number
  named: boolean
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))
const jitter = (max: number): number => Math.floor(Math.random() * max)

async function writeSource(dir: string, big: boolean): Promise<void> {
  await mkdir(path.join(dir, 'scripts'), { recursive: true })
  await mkdir(path.join(dir, 'site'), { recursive: true })
  await writeFile(
    path.join(dir, 'appspec.yml'),
    'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/app\nhooks:\n  ValidateService:\n    - location: scripts/validate.sh\n      timeout: 120\n'
  )
  await writeFile(path.join(dir, 'scripts/validate.sh'), '#!/bin/sh\nsleep 20\n', { mode: 0o755 })
  await writeFile(path.join(dir, 'site/index.html'), randomBytes(8).toString('hex'))
  // Incompressible, so the upload takes long enough to be cancelled midway.
  if (big) await writeFile(path.join(dir, 'site/blob.bin'), randomBytes(48 * 1024 * 1024))
}

function groupDeployments(
  stack: LocalStack,
  group: string
): { deploymentId: string; status: string }[] {
  return [...stack.codedeploy.service.deployments.values()].filter(
    d => d.deploymentGroupName === group && d.creator === 'user'
  )
}

async function trial(
  stack: LocalStack,
  workspace: string,
  index: number,
  moment: Moment,
  onCancel: Trial['onCancel']
): Promise<Trial> {
  const group = `g${index}`
  const source = `src-${index}`
  await writeSource(path.join(workspace, source), moment === 'during-upload')
  const faults = stack.codedeploy.faults
  if (moment === 'during-create')
    faults.set({ answerDelayMs: 3000, operations: ['CreateDeployment'] })
  if (moment === 'stop-throttled') faults.set({ throttleRate: 1, operations: ['StopDeployment'] })
  const s3Before = stack.s3.requests.length
  const ready: Record<Moment, () => boolean> = {
    'before-upload': () => true,
    'during-upload': () =>
      stack.s3.requests
        .slice(s3Before)
        .some(r => r.method === 'PUT' && /partNumber=/.test(r.query)),
    'during-create': () => groupDeployments(stack, group).length > 0,
    'while-watching': () => groupDeployments(stack, group).some(d => d.status === 'InProgress'),
    'stop-throttled': () => groupDeployments(stack, group).some(d => d.status === 'InProgress')
  }
  const delay =
    { 'before-upload': jitter(400), 'during-create': jitter(2500), 'while-watching': jitter(3000) }[
      moment as string
    ] ?? 0
  let sentAt = 0
  const run = await runAction({
    inputs: {
      application: 'soak',
      'deployment-group': group,
      bucket: 'bundles',
      source,
      'on-cancel': onCancel
    },
    env: { ...stack.env, GITHUB_WORKSPACE: workspace, NODE_NO_WARNINGS: '1' },
    cwd: workspace,
    onStart: child => {
      const poll = setInterval(() => {
        if (!ready[moment]()) return
        clearInterval(poll)
        setTimeout(() => {
          sentAt = Date.now()
          child.kill('SIGINT')
          // The runner's SIGTERM, 7.5 s after SIGINT, if the process is still there.
          setTimeout(() => child.exitCode === null && child.kill('SIGTERM'), 7500)
          setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000)
        }, delay)
      }, 5)
      child.on('close', () => clearInterval(poll))
    }
  })
  const exitMs = sentAt ? Date.now() - sentAt : -1
  faults.clear()
  await sleep(1500)
  const created = groupDeployments(stack, group)
  const running = created.filter(d => !TERMINAL.has(d.status))
  const named = running.every(
    d =>
      run.log.includes(`${d.deploymentId} is still running`) ||
      (onCancel === 'detach' && run.log.includes(`${d.deploymentId} left running`))
  )
  // Leave nothing behind for the next trial.
  const client = new CodeDeployClient({
    region: REGION,
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  for (const d of running)
    await client
      .send(new StopDeploymentCommand({ deploymentId: d.deploymentId }))
      .catch(() => undefined)
  client.destroy()
  await stack.codedeploy.idle()
  return {
    moment,
    onCancel,
    code: run.code,
    exitMs,
    created: created.length,
    leftRunning: running.length,
    named: running.length > 0 && named
  }
}

async function main(): Promise<void> {
  const trials = Number(process.argv[2] ?? 20)
  const stack = await startLocalStack({
    buckets: ['bundles'],
    stepDelayMs: 20,
    config: {
      applications: [
        {
          name: 'soak',
          deploymentGroups: Array.from({ length: trials }, (_, i) => ({
            name: `g${i}`,
            instances: 1
          }))
        }
      ]
    }
  })
  const workspace = await mkdtemp(path.join(tmpdir(), 'cdb-soak-'))
  const results: Trial[] = []
  try {
    for (let i = 0; i < trials; i++) {
      const moment = MOMENTS[i % MOMENTS.length]!
      const onCancel = ON_CANCEL[Math.floor(i / MOMENTS.length) % ON_CANCEL.length]!
      const result = await trial(stack, workspace, i, moment, onCancel)
      results.push(result)
      console.log(
        `${String(i + 1).padStart(2)} ${moment.padEnd(15)} ${onCancel.padEnd(17)} exit ${result.code} after ${result.exitMs} ms; deployments ${result.created}, left running ${result.leftRunning}${result.leftRunning ? (result.named ? ' (named in the log)' : ' (NOT named)') : ''}`
      )
    }
  } finally {
    await stack.close()
    await rm(workspace, { recursive: true, force: true })
  }
  const orphans = results.filter(r => r.leftRunning > 0 && r.onCancel !== 'detach' && !r.named)
  const exits = results
    .map(r => r.exitMs)
    .filter(ms => ms >= 0)
    .sort((a, b) => a - b)
  console.log(
    `\n${results.length} cancels: ${orphans.length} left a deployment running unnamed (detach excluded); ` +
      `signal to exit: median ${exits[Math.floor(exits.length / 2)]} ms, max ${exits.at(-1)} ms`
  )
  process.exitCode = orphans.length ? 1 : 0
}

await main()

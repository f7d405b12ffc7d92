/**
 * `NODE_NO_WARNINGS=1 npx tsx scripts/platform-figures.ts`: the figures for the closing note of
 * "every kind of CodeDeploy deployment". One local stack, waits compressed (timeScale), and the
 * built action (dist/index.js, run as a runner runs it; `--source` runs src/index.ts through tsx
 * instead, slower to start) against five groups: EC2 in-place, EC2 blue/green, ECS, ECS held at
 * Ready (the action reroutes it) and Lambda. For each, in this order (so the failure has a good
 * revision to roll back to): a deployment that succeeds, one whose hook fails and is rolled back,
 * one cancelled (SIGINT) once the emulator shows it InProgress, or, for ECS and Lambda, once
 * traffic shifts, and one stopped at that same point by the group's CloudWatch alarm (ALARM_ACTIVE)
 * and rolled back.
 *
 * Each row: exit code, outputs status and rollback-status, the deployments left running (not
 * Succeeded, Failed or Stopped) at the action's exit or a second later, and the time the action
 * adds: its wall time (spawn to exit) minus the deployment's own span as the emulator records it
 * (createTime to the last completeTime of the deployment and of its rollback, which the action
 * follows); for a cancel, the time from the signal to the exit. Exits 1 unless every scenario
 * ended as expected: success passes; a failed hook fails with status Failed; a cancel exits 1
 * with status Stopped and nothing left running; an alarm exits 1 with status Stopped, the alarm
 * named and the rollback Succeeded. On a cancel the action (on-cancel's default,
 * stop-and-rollback) stops its deployment and names the rollback CodeDeploy starts, within the
 * runner's 10 s window, without following it: that rollback is listed as left running but
 * counted as expected, unless `--strict` is given.
 */
import { CodeDeployClient, StopDeploymentCommand } from '@aws-sdk/client-codedeploy'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Deployment } from '../local/emulator/model.js'
import { runAction } from '../local/run-action.js'
import { REGION, startLocalStack, type LocalStack } from '../local/stack.js'
import {
  CONFIG,
  SCENARIOS,
  TARGETS,
  TIME_SCALE,
  alarmOf,
  type Scenario,
  type Target
} from './platform-figures-setup.js'

const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped'])
/** --strict: a cancel's rollback still running at the exit counts as left running too. */
const STRICT = process.argv.includes('--strict')
/** --source: run src/index.ts (through tsx) rather than dist/index.js. */
const ENTRY = process.argv.includes('--source') ? path.resolve('src/index.ts') : undefined
const HEADER = ['platform', 'scenario', 'exit', 'status', 'rollback', 'left running']
const TIMES = ['deploy s', 'wall s', 'added s']
/** A table row, and what the summary needs of it. */
interface Row {
  cells: string[]
  ok: boolean
  cancel: boolean
  addedMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))

function groupDeployments(stack: LocalStack, target: Target): Deployment[] {
  return [...stack.codedeploy.service.deployments.values()].filter(
    d => d.applicationName === target.application && d.deploymentGroupName === target.group
  )
}

const running = (stack: LocalStack, target: Target): Deployment[] =>
  groupDeployments(stack, target).filter(d => !TERMINAL.has(d.status))

/** createTime of the deployment to the last completeTime of it and its rollback. */
function span(stack: LocalStack, id: string | undefined): number | undefined {
  const d = id ? stack.codedeploy.deployment(id) : undefined
  const rollbackId = d?.rollbackInfo?.rollbackDeploymentId
  const rollback = rollbackId ? stack.codedeploy.deployment(rollbackId) : undefined
  if (!d?.completeTime || (rollback && !rollback.completeTime)) return undefined
  const end = Math.max(d.completeTime.getTime(), rollback?.completeTime?.getTime() ?? 0)
  return end - d.createTime.getTime()
}

/** Lets a rollback finish, then stops what is still running, so the next run finds the group free. */
async function clearGroup(stack: LocalStack, target: Target): Promise<void> {
  await Promise.race([stack.codedeploy.idle(), sleep(15_000)])
  const client = new CodeDeployClient({
    region: REGION,
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
  for (const d of running(stack, target))
    await client.send(new StopDeploymentCommand({ deploymentId: d.deploymentId })).catch(() => 0)
  client.destroy()
  await Promise.race([stack.codedeploy.idle(), sleep(15_000)])
}

/** SIGINT once `cancelNow` holds for this run's deployment; then the runner's SIGTERM and kill. */
function canceller(stack: LocalStack, target: Target, before: Set<string>, sent: { at: number }) {
  return (child: ChildProcess): void => {
    const poll = setInterval(() => {
      const fresh = groupDeployments(stack, target).filter(d => !before.has(d.deploymentId))
      if (!fresh.some(d => d.creator === 'user' && target.cancelNow(d))) return
      clearInterval(poll)
      sent.at = Date.now()
      child.kill('SIGINT')
      setTimeout(() => child.exitCode === null && child.kill('SIGTERM'), 7500)
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000)
    }, 5)
    child.on('close', () => clearInterval(poll))
  }
}

/** Sets the group's alarm off once `cancelNow` holds for this run's deployment. */
function alarmer(stack: LocalStack, target: Target, before: Set<string>, sent: { at: number }) {
  return (child: ChildProcess): void => {
    const poll = setInterval(() => {
      const fresh = groupDeployments(stack, target).filter(d => !before.has(d.deploymentId))
      if (!fresh.some(d => d.creator === 'user' && target.cancelNow(d))) return
      clearInterval(poll)
      sent.at = Date.now()
      stack.codedeploy.alarms.set(alarmOf(target.group), 'ALARM')
    }, 5)
    child.on('close', () => clearInterval(poll))
  }
}

const secs = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / 1000).toFixed(2))

async function scenario(
  stack: LocalStack,
  workspace: string,
  target: Target,
  which: Scenario,
  dir: string
): Promise<Row> {
  target.prepare?.(stack)
  const inputs = await target.inputs(which, dir, workspace)
  const before = new Set(groupDeployments(stack, target).map(d => d.deploymentId))
  const sent = { at: 0 }
  const started = Date.now()
  const run = await runAction({
    inputs: { application: target.application, 'deployment-group': target.group, ...inputs },
    env: { ...stack.env, GITHUB_WORKSPACE: workspace, NODE_NO_WARNINGS: '1' },
    cwd: workspace,
    ...(ENTRY ? { entry: ENTRY } : {}),
    ...(which === 'cancelled' ? { onStart: canceller(stack, target, before, sent) } : {}),
    ...(which === 'alarm' ? { onStart: alarmer(stack, target, before, sent) } : {})
  })
  const ended = Date.now()
  stack.codedeploy.alarms.set(alarmOf(target.group), 'OK')
  // Each running deployment with its status when seen (at the exit, or a second later), and
  // whether it is a rollback that stop-and-rollback started on the cancel and named in the log.
  const sight = (): [string, string][] =>
    running(stack, target).map(d => {
      const named =
        d.creator === 'codeDeployRollback' && run.log.includes(`${d.deploymentId} started`)
      return [d.deploymentId, `${d.status}${named ? ' (its rollback, named in the log)' : ''}`]
    })
  const atExit = sight()
  await sleep(1000)
  const left = [...new Map([...sight(), ...atExit])]
  const status = run.outputs.status ?? '—'
  const leftOk = left.every(([, seen]) => !STRICT && seen.includes('named'))
  const ok = {
    succeeds: run.code === 0,
    'hook fails': run.code !== 0 && status === 'Failed',
    cancelled: sent.at > 0 && run.code === 1 && status === 'Stopped' && leftOk,
    alarm:
      sent.at > 0 &&
      run.code === 1 &&
      status === 'Stopped' &&
      run.outputs['rollback-status'] === 'Succeeded' &&
      run.log.includes(`'${alarmOf(target.group)}' went into ALARM`)
  }[which]
  if (!ok) console.error(`\n--- ${target.platform} / ${which}: log ---\n${run.log}`)
  await clearGroup(stack, target)
  // Read once the group is idle, so that a cancel's rollback has its completeTime.
  const deploymentMs = span(stack, run.outputs['deployment-id'])
  const wallMs = ended - started
  let addedMs = deploymentMs === undefined ? undefined : wallMs - deploymentMs
  if (which === 'cancelled') addedMs = sent.at ? ended - sent.at : undefined
  const cells = [target.platform, which, String(run.code), status]
  // rollback-status is unset when the run named a rollback but never read its status.
  const rollback = run.outputs['rollback-deployment-id'] ? 'unset, id set' : '—'
  cells.push(
    run.outputs['rollback-status'] ?? rollback,
    left.map(l => l.join(' ')).join(', ') || 'none'
  )
  cells.push(secs(deploymentMs), secs(wallMs), secs(addedMs), ok ? 'yes' : 'NO')
  return { cells, ok, cancel: which === 'cancelled', ...(addedMs === undefined ? {} : { addedMs }) }
}

function printTable(rows: Row[]): void {
  const all = [[...HEADER, ...TIMES, 'as expected'], ...rows.map(r => r.cells)]
  const widths = all[0]!.map((_, i) => Math.max(...all.map(row => row[i]!.length)))
  const numeric = (i: number): boolean => i >= HEADER.length && i < HEADER.length + TIMES.length
  const line = (row: string[]): string =>
    `| ${row.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`
  console.log(line(all[0]!))
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`)
  for (const row of all.slice(1)) console.log(line(row))
}

/** "median m s, max n s" of the rows' added times. */
function spread(rows: Row[]): string {
  const ms = rows.flatMap(r => (r.addedMs === undefined ? [] : [r.addedMs])).sort((a, b) => a - b)
  return `median ${secs(ms[Math.floor(ms.length / 2)])} s, max ${secs(ms.at(-1))} s`
}

async function main(): Promise<number> {
  const began = Date.now()
  const stack = await startLocalStack({ buckets: ['bundles'], stepDelayMs: 20, config: CONFIG })
  const workspace = await mkdtemp(path.join(tmpdir(), 'cdb-figures-'))
  const rows: Row[] = []
  try {
    for (const target of TARGETS)
      for (const which of SCENARIOS) {
        rows.push(await scenario(stack, workspace, target, which, `run-${rows.length + 1}`))
        console.error(`${target.platform} / ${which}: ${rows.at(-1)!.ok ? 'as expected' : 'NOT'}`)
      }
  } finally {
    await stack.close()
    await rm(workspace, { recursive: true, force: true })
  }
  console.log(
    `\ndeploy s: createTime to the last completeTime of the deployment and its rollback; added s: wall − deploy, or signal to exit for a cancel. timeScale 1/${1 / TIME_SCALE}${STRICT ? ', strict' : ''}.\n`
  )
  printTable(rows)
  const failures = rows.filter(r => !r.ok).length
  console.log(
    `\n${rows.length - failures}/${rows.length} scenarios as expected; the action adds ${spread(rows.filter(r => !r.cancel))} beyond a deployment; signal to exit ${spread(rows.filter(r => r.cancel))}; whole run ${secs(Date.now() - began)} s.`
  )
  return failures ? 1 : 0
}

process.exitCode = await main()

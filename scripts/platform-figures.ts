/**
 * `NODE_NO_WARNINGS=1 npx tsx scripts/platform-figures.ts`: the figures for the closing note of
 * "every kind of CodeDeploy deployment". One local stack, waits compressed (timeScale), and the
 * built action (dist/index.js, run as a runner runs it) against four groups: EC2 in-place, EC2
 * blue/green, ECS and Lambda. For each, in this order (so the failure has a good revision to roll
 * back to): a deployment that succeeds, one whose hook fails and is rolled back, and one cancelled
 * (SIGINT) once the emulator shows it InProgress, or, for ECS and Lambda, once traffic shifts.
 *
 * Each row: exit code, outputs status and rollback-status, the deployments left running (not
 * Succeeded, Failed or Stopped) at the action's exit or a second later, and the time the action
 * adds: its wall time (spawn to exit) minus the deployment's own span as the emulator records it
 * (createTime to the last completeTime of the deployment and of its rollback, which the action
 * follows); for a cancel, the time from the signal to the exit. Exits 1 unless every scenario
 * ended as expected: success passes; a failed hook fails with status Failed; a cancel exits 1
 * with status Stopped and nothing left running. On a cancel the action (on-cancel's default,
 * stop-and-rollback) stops its deployment and names the rollback CodeDeploy starts, within the
 * runner's 10 s window, without following it: that rollback is listed as left running but
 * counted as expected, unless `--strict` is given.
 */
import { CodeDeployClient, StopDeploymentCommand } from '@aws-sdk/client-codedeploy'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { EmulatorConfig } from '../local/emulator/index.js'
import type { Deployment } from '../local/emulator/model.js'
import { runAction } from '../local/run-action.js'
import { REGION, startLocalStack, type LocalStack } from '../local/stack.js'

/** An hour is 30 s; ECS's ten one-minute steps take 5 s, Lambda's five-minute canary 2.5 s. */
const TIME_SCALE = 1 / 120
const SCENARIOS = ['succeeds', 'hook fails', 'cancelled'] as const
type Scenario = (typeof SCENARIOS)[number]
const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped'])
/** --strict: a cancel's rollback still running at the exit counts as left running too. */
const STRICT = process.argv.includes('--strict')
const BLUE_GREEN = {
  deploymentType: 'BLUE_GREEN',
  deploymentOption: 'WITH_TRAFFIC_CONTROL'
} as const
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/2'

interface Target {
  platform: string
  application: string
  group: string
  /** The inputs of one run; writes what it needs under `dir` (relative to the workspace). */
  inputs(scenario: Scenario, dir: string, workspace: string): Promise<Record<string, string>>
  /** When a cancel is sent. */
  cancelNow(d: Deployment): boolean
  /** Before each run. */
  prepare?(stack: LocalStack): void
}

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

async function put(workspace: string, dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(workspace, dir, rel)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, text, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 })
  }
}

/** An EC2 revision whose ValidateService hook runs `validate`. */
const bundleSource: Target['inputs'] = async (scenario, dir, workspace) => {
  const validate = {
    succeeds: 'true',
    'hook fails': 'echo unhealthy >&2; exit 1',
    cancelled: 'sleep 3'
  }[scenario]
  await put(workspace, dir, {
    'appspec.yml':
      'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/app\nhooks:\n  ValidateService:\n    - location: scripts/validate.sh\n      timeout: 60\n',
    'site/version.txt': `${dir}\n`,
    'scripts/validate.sh': `#!/bin/sh\n${validate}\n`
  })
  return { bucket: 'bundles', source: dir }
}

const hook = (scenario: Scenario): string =>
  scenario === 'hook fails' ? 'check-fails' : 'check-passes'

const ecsAppSpec = (scenario: Scenario): string =>
  `version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 8080\nHooks:\n  - AfterAllowTestTraffic: ${hook(scenario)}\n`

const lambdaAppSpec = (scenario: Scenario): string =>
  `{"version": 0.0, "Resources": [{"checkout": {"Type": "AWS::Lambda::Function", "Properties": {"Name": "checkout", "Alias": "live"}}}], "Hooks": [{"BeforeAllowTraffic": "${hook(scenario)}"}]}`

const TARGETS: Target[] = [
  {
    platform: 'EC2 in-place',
    application: 'fleet',
    group: 'in-place',
    inputs: bundleSource,
    cancelNow: d => d.status === 'InProgress'
  },
  {
    platform: 'EC2 blue/green',
    application: 'fleet',
    group: 'blue-green',
    // End the originals' termination wait too, so a success is followed to Succeeded.
    inputs: async (scenario, dir, workspace) => ({
      ...(await bundleSource(scenario, dir, workspace)),
      'on-termination-wait': 'continue'
    }),
    cancelNow: d => d.status === 'InProgress'
  },
  {
    platform: 'ECS',
    application: 'containers',
    group: 'web',
    inputs: async (scenario, dir, workspace) => {
      const taskDefinition = `{"family": "web", "containerDefinitions": [{"name": "web", "image": "web:${dir}", "portMappings": [{"containerPort": 8080}]}]}`
      await put(workspace, dir, {
        'appspec.yaml': ecsAppSpec(scenario),
        'task-definition.json': taskDefinition
      })
      return { appspec: `${dir}/appspec.yaml`, 'task-definition': `${dir}/task-definition.json` }
    },
    cancelNow: d =>
      (d.traffic?.taskSetsInfo ?? []).some(t => t.taskSetLabel === 'Green' && t.trafficWeight > 0)
  },
  {
    platform: 'Lambda',
    application: 'functions',
    group: 'checkout',
    inputs: async (scenario, dir, workspace) => {
      await put(workspace, dir, { 'appspec.json': lambdaAppSpec(scenario) })
      return { appspec: `${dir}/appspec.json` }
    },
    cancelNow: d => (d.traffic?.lambdaFunctionInfo?.targetVersionWeight ?? 0) > 0,
    // The build's UpdateFunctionCode: $LATEST changes, so PublishVersion makes a new version.
    prepare: stack => {
      const fn = stack.ecsLambda.world.functions.get('checkout')
      if (fn) fn.unpublished = true
    }
  }
]

const CONFIG: EmulatorConfig = {
  timeScale: TIME_SCALE,
  applications: [
    {
      name: 'fleet',
      deploymentGroups: [
        { name: 'in-place', instances: 2, deploymentConfig: 'CodeDeployDefault.OneAtATime' },
        {
          name: 'blue-green',
          instances: 2,
          deploymentStyle: BLUE_GREEN,
          loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
          blueGreenDeploymentConfiguration: {
            deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
            terminateBlueInstancesOnDeploymentSuccess: {
              action: 'TERMINATE',
              terminationWaitTimeInMinutes: 60
            }
          }
        }
      ]
    },
    {
      name: 'containers',
      computePlatform: 'ECS',
      deploymentGroups: [
        {
          name: 'web',
          deploymentConfig: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
          ecsServices: [{ clusterName: 'prod', serviceName: 'web' }],
          deploymentStyle: BLUE_GREEN,
          loadBalancerInfo: {
            targetGroupPairInfoList: [
              {
                targetGroups: [{ name: 'web-blue' }, { name: 'web-green' }],
                prodTrafficRoute: { listenerArns: [LISTENER] }
              }
            ]
          }
        }
      ]
    },
    {
      name: 'functions',
      computePlatform: 'Lambda',
      deploymentGroups: [
        { name: 'checkout', deploymentConfig: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' }
      ]
    }
  ],
  ecs: {
    taskDefinitions: [{ family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1' }] }]
  },
  lambda: { functions: [{ name: 'checkout', versions: 1, aliases: { live: '1' } }] },
  hookOutcomes: { 'check-fails': 'Failed' }
}

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
    ...(which === 'cancelled' ? { onStart: canceller(stack, target, before, sent) } : {})
  })
  const ended = Date.now()
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
    cancelled: sent.at > 0 && run.code === 1 && status === 'Stopped' && leftOk
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

/**
 * `NODE_NO_WARNINGS=1 npx tsx scripts/detection-figures.ts [--rounds N] [--long] [--no-cli]
 * [--no-peers]`: how
 * soon the end of a deployment is seen, and at what cost in CodeDeploy calls, against the local
 * stack. Each round creates one deployment and follows it with three pollers at once, all started
 * as it is created:
 * - ours: waitForDeployment with its defaults;
 * - the SDK waiter: waitUntilDeploymentSuccessful with its defaults (15 s, then backing off);
 * - the AWS CLI v1: `aws deploy wait deployment-successful` (15 s fixed), when `aws` is on PATH.
 *
 * The detection latency is the time a poller returns minus the deployment's completeTime as the
 * emulator records it. In real life a deployment ends at a random moment of a poller's cycle;
 * here each round draws the deployment's length over more than the peers' 15 s cycle (and so
 * over many of our beats), so the median is not an accident of one fixed length. Calls are
 * counted per request (retries included) on each poller's own client, over its own running time;
 * the CLI's are the emulator's GetDeployment calls for the deployment less the others'.
 *
 * Scenarios: `quiet` (1 instance whose ValidateService sleeps 10–25 s), `busy` (6 instances one
 * at a time, four hooks each, each hook of a round sleeping the same 0.2–0.8 s: the counts change every second
 * or two), and with `--long` `quiet-long` (a 60–75 s hook).
 */
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  waitUntilDeploymentSuccessful
} from '@aws-sdk/client-codedeploy'
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import { REGION, startLocalStack, type LocalStack } from '../local/stack.js'
import { cliWait } from '../bench/measure.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { waitForDeployment } from '../src/engine/follow/watch.js'
import { Gateway } from '../src/engine/aws/gateway.js'
import { systemClock } from '../src/engine/clock.js'
import { putRevision, s3Client } from '../__tests__/helpers/revisions.js'
import {
  APPLICATION,
  CONFIG,
  SCENARIOS,
  type Scenario,
  type ScenarioName
} from './detection-scenarios.js'

export type { ScenarioName } from './detection-scenarios.js'

export interface DetectionOptions {
  /** Deployments per scenario (default 5). */
  rounds?: number
  /** Default: quiet and busy. */
  scenarios?: ScenarioName[]
  /** Follow with the SDK waiter and the AWS CLI v1 too (default true). */
  peers?: boolean
  /** With the peers, the AWS CLI v1 too (default: when `aws` is on PATH). */
  cli?: boolean
  /** Progress lines (default: none). */
  log?: (line: string) => void
}

export interface PollerFigure {
  /** Per round, ms from the deployment's completeTime to the poller's return. */
  latenciesMs: number[]
  medianLatencyMs: number
  /**
   * Ours: per round, ms from completeTime to the read that showed the end (the latency less the
   * last read of the targets that follows it).
   */
  noticedMs?: number[]
  medianNoticedMs?: number
  /** Per round, the poller's calls over its own running time. */
  callsPerSecond: number[]
  medianCallsPerSecond: number
  maxCallsPerSecond: number
  /** All rounds together, per operation. */
  calls: Record<string, number>
}

export interface ScenarioFigure {
  scenario: ScenarioName
  description: string
  rounds: number
  /** Median createTime → completeTime of the deployments. */
  medianDeploySeconds: number
  ours: PollerFigure
  /** Without `peers`, none. */
  waiter?: PollerFigure
  cli?: PollerFigure
}

const BUCKET = 'detection'

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A client of the local emulator that counts each request it sends, per operation. */
function countingClient(stack: LocalStack, counts: Record<string, number>): CodeDeployClient {
  const client = new CodeDeployClient({
    region: REGION,
    endpoint: stack.codedeploy.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' }
  })
  client.middlewareStack.add(
    next => args => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {}
      const op = (headers['x-amz-target'] ?? 'unknown').split('.').pop()!
      counts[op] = (counts[op] ?? 0) + 1
      return next(args)
    },
    // Below the retry middleware: every attempt is a request.
    { step: 'finalizeRequest', priority: 'low', name: 'countRequests' }
  )
  return client
}

interface Round {
  deployMs: number
  latency: { ours: number; waiter?: number; cli?: number }
  noticed: number
  rate: { ours: number; waiter?: number; cli?: number }
}

async function round(
  stack: LocalStack,
  scenario: Scenario,
  key: string,
  peers: { waiter: boolean; cli: boolean },
  totals: { ours: Record<string, number>; waiter: Record<string, number>; cli: number }
): Promise<Round> {
  const s3 = s3Client(stack.s3.endpoint)
  const s3Location = await putRevision(s3, BUCKET, key, scenario.revision())
  s3.destroy()
  const ours: Record<string, number> = {}
  const waiter: Record<string, number> = {}
  const ourClient = countingClient(stack, ours)
  const waiterClient = countingClient(stack, waiter)
  const creator = countingClient(stack, {})
  const { deploymentId } = await creator.send(
    new CreateDeploymentCommand({
      applicationName: APPLICATION,
      deploymentGroupName: scenario.group,
      revision: { revisionType: 'S3', s3Location }
    })
  )
  creator.destroy()
  const id = deploymentId!
  const from = stack.codedeploy.calls.length
  const started = Date.now()
  let noticedAt = NaN
  const ourRun = waitForDeployment(id, {
    gateway: new Gateway({ codedeploy: ourClient, s3: {} as never }, systemClock),
    reporter: new RecordingReporter(),
    clock: systemClock,
    deadline: started + 600_000,
    onUpdate: info => {
      if (['Succeeded', 'Failed', 'Stopped'].includes(info.status ?? '')) noticedAt = Date.now()
    }
  }).then(() => Date.now())
  const waiterRun = peers.waiter
    ? waitUntilDeploymentSuccessful(
        { client: waiterClient, maxWaitTime: 600 },
        { deploymentId: id }
      ).then(() => Date.now())
    : undefined
  const cliRun = peers.cli ? cliWait(stack, id) : undefined
  const [oursAt, waiterAt, cliAt] = await Promise.all([ourRun, waiterRun, cliRun])
  await stack.codedeploy.idle()
  ourClient.destroy()
  waiterClient.destroy()
  const d = stack.codedeploy.deployment(id)!
  const done = d.completeTime!.getTime()
  const sum = (counts: Record<string, number>): number =>
    Object.values(counts).reduce((a, b) => a + b, 0)
  for (const [op, n] of Object.entries(ours)) totals.ours[op] = (totals.ours[op] ?? 0) + n
  for (const [op, n] of Object.entries(waiter)) totals.waiter[op] = (totals.waiter[op] ?? 0) + n
  const reads = stack.codedeploy.calls
    .slice(from)
    .filter(c => c.operation === 'GetDeployment' && c.input.deploymentId === id).length
  const cliCalls = reads - (ours.GetDeployment ?? 0) - (waiter.GetDeployment ?? 0)
  totals.cli += cliCalls
  return {
    deployMs: done - d.createTime.getTime(),
    noticed: noticedAt - done,
    latency: {
      ours: oursAt - done,
      ...(waiterAt !== undefined ? { waiter: waiterAt - done } : {}),
      ...(cliAt !== undefined ? { cli: cliAt - done } : {})
    },
    rate: {
      ours: sum(ours) / ((oursAt - started) / 1000),
      ...(waiterAt !== undefined ? { waiter: sum(waiter) / ((waiterAt - started) / 1000) } : {}),
      ...(cliAt !== undefined ? { cli: cliCalls / ((cliAt - started) / 1000) } : {})
    }
  }
}

function figure(
  rounds: Round[],
  who: 'ours' | 'waiter' | 'cli',
  calls: Record<string, number>
): PollerFigure {
  const latencies = rounds.map(r => r.latency[who] ?? NaN)
  const rates = rounds.map(r => Number((r.rate[who] ?? NaN).toFixed(3)))
  return {
    latenciesMs: latencies,
    medianLatencyMs: median(latencies),
    callsPerSecond: rates,
    medianCallsPerSecond: median(rates),
    maxCallsPerSecond: Math.max(...rates),
    calls,
    ...(who === 'ours'
      ? {
          noticedMs: rounds.map(r => r.noticed),
          medianNoticedMs: median(rounds.map(r => r.noticed))
        }
      : {})
  }
}

/** Measures each scenario; see the file's comment for the method. */
export async function detectionFigures(options: DetectionOptions = {}): Promise<ScenarioFigure[]> {
  const rounds = options.rounds ?? 5
  const names = options.scenarios ?? ['quiet', 'busy']
  const withPeers = options.peers ?? true
  const withCli = withPeers && (options.cli ?? spawnSync('aws', ['--version']).status === 0)
  const log = options.log ?? ((): void => undefined)
  const stack = await startLocalStack({ buckets: [BUCKET], config: CONFIG })
  const figures: ScenarioFigure[] = []
  try {
    for (const name of names) {
      const scenario = SCENARIOS[name]
      const done: Round[] = []
      const totals = { ours: {}, waiter: {}, cli: 0 }
      for (let i = 0; i < rounds; i++) {
        const r = await round(
          stack,
          scenario,
          `${name}-${i}.zip`,
          { waiter: withPeers, cli: withCli },
          totals
        )
        done.push(r)
        log(
          `${name} ${i + 1}/${rounds}: deployment ${(r.deployMs / 1000).toFixed(1)} s; seen after ours ${r.latency.ours} ms (noticed ${r.noticed} ms, ${r.rate.ours.toFixed(2)} calls/s)${r.latency.waiter !== undefined ? `, waiter ${r.latency.waiter} ms` : ''}${r.latency.cli !== undefined ? `, CLI ${r.latency.cli} ms` : ''}`
        )
      }
      figures.push({
        scenario: name,
        description: scenario.description,
        rounds,
        medianDeploySeconds: median(done.map(r => r.deployMs / 1000)),
        ours: figure(done, 'ours', totals.ours),
        ...(withPeers ? { waiter: figure(done, 'waiter', totals.waiter) } : {}),
        ...(withCli ? { cli: figure(done, 'cli', { GetDeployment: totals.cli }) } : {})
      })
    }
  } finally {
    await stack.close()
  }
  return figures
}

/** The figures as a Markdown table. */
export function detectionTable(figures: ScenarioFigure[]): string {
  const rows = [
    '| scenario | deployment (median) | poller | median latency | calls/s (median, max) |',
    '|---|---|---|---|---|'
  ]
  for (const f of figures) {
    const pollers: [string, PollerFigure | undefined][] = [
      ['ours', f.ours],
      ['SDK waiter', f.waiter],
      ['AWS CLI v1 wait', f.cli]
    ]
    for (const [name, p] of pollers) {
      if (!p) continue
      rows.push(
        `| ${f.scenario}: ${f.description} | ${f.medianDeploySeconds.toFixed(1)} s | ${name} | ${(p.medianLatencyMs / 1000).toFixed(2)} s${p.medianNoticedMs !== undefined ? ` (end read after ${(p.medianNoticedMs / 1000).toFixed(2)} s)` : ''} | ${p.medianCallsPerSecond.toFixed(2)}, ${p.maxCallsPerSecond.toFixed(2)} |`
      )
    }
  }
  return rows.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string): string | undefined => {
    const at = process.argv.indexOf(name)
    return at > 0 ? process.argv[at + 1] : undefined
  }
  const figures = await detectionFigures({
    rounds: Number(arg('--rounds') ?? 5),
    ...(process.argv.includes('--long') ? { scenarios: ['quiet', 'busy', 'quiet-long'] } : {}),
    ...(process.argv.includes('--no-cli') ? { cli: false } : {}),
    ...(process.argv.includes('--no-peers') ? { peers: false } : {}),
    log: line => console.log(line)
  })
  console.log(`\n${detectionTable(figures)}\n`)
  console.log(JSON.stringify(figures, null, 2))
}

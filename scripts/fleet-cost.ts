/**
 * `NODE_NO_WARNINGS=1 npx tsx scripts/fleet-cost.ts [--rounds N] [--sizes 10,100,1000]`: what
 * following a fleet costs, against the local stack, on groups of cheap simulated instances
 * (the emulator's `simulated` groups: no bundle, no scripts). Each round runs the CLI
 * (`src/cli.ts` through tsx) as a child process under /usr/bin/time -v, whole: inputs, packaging,
 * upload, the deployment and its watch at the real pace (a 1 s unit), and measures:
 * - CodeDeploy calls: the emulator's call log, from the child's first call to its last;
 * - lag: the deployment's completeTime (as the emulator records it) → the child's exit;
 * - peak RSS of the child (`Maximum resident set size`; tsx's own loader included);
 * - log lines (stdout and stderr, without --verbose) and the summary file's bytes.
 * Configs: 10 and 100 instances OneAtATime (each event `eventMs`, 7 events an instance);
 * 1,000 instances with minimum healthy hosts FLEET_PERCENT 90 (batches of 100), since one at a
 * time would take 1,000 × 7 events. Prints a markdown table.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { startLocalStack } from '../local/stack.js'

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, sizes: { type: 'string' } }
})
const rounds = Number(values.rounds)
const sizes = (values.sizes ?? '10,100,1000').split(',').map(Number)

interface Setup {
  size: number
  config: string
  eventMs: number
}
const SETUPS: Setup[] = [
  { size: 10, config: 'CodeDeployDefault.OneAtATime', eventMs: 100 },
  { size: 100, config: 'CodeDeployDefault.OneAtATime', eventMs: 20 },
  { size: 1000, config: 'Fleet90', eventMs: 300 }
]

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const setups = SETUPS.filter(s => sizes.includes(s.size))
const stack = await startLocalStack({
  buckets: ['fleet'],
  stepDelayMs: 5,
  config: {
    deploymentConfigs: [
      { name: 'Fleet90', minimumHealthyHosts: { type: 'FLEET_PERCENT', value: 90 } }
    ],
    applications: [
      {
        name: 'shop',
        deploymentGroups: setups.map(s => ({
          name: `fleet-${s.size}`,
          instances: s.size,
          deploymentConfig: s.config,
          simulated: { eventMs: s.eventMs }
        }))
      }
    ]
  }
})
const work = await mkdtemp(path.join(tmpdir(), 'cdb-fleet-cost-'))
await mkdir(path.join(work, 'src', 'site'), { recursive: true })
await writeFile(path.join(work, 'src', 'site', 'index.html'), 'hello')
await writeFile(
  path.join(work, 'src', 'appspec.yml'),
  'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/site\n'
)
const rows: string[] = []
try {
  for (const s of setups) {
    const figures: { calls: number; lag: number; rss: number; lines: number; bytes: number }[] = []
    for (let round = 0; round < rounds; round++) {
      const summaryFile = path.join(work, `summary-${s.size}-${round}.md`)
      const from = stack.codedeploy.calls.length
      const args = [
        '-v',
        process.execPath,
        '--import',
        'tsx',
        'src/cli.ts',
        ...['--application', 'shop', '--deployment-group', `fleet-${s.size}`],
        ...['--bucket', 'fleet', '--source', path.join(work, 'src')],
        ...['--summary-file', summaryFile]
      ]
      const child = spawn('/usr/bin/time', args, {
        env: { ...process.env, ...stack.env, NODE_NO_WARNINGS: '1', CDB_CACHE_DIR: work },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (c: Buffer) => (out += c.toString()))
      child.stderr.on('data', (c: Buffer) => (err += c.toString()))
      const code = await new Promise<number | null>(r => child.on('close', r))
      const exitAt = Date.now()
      const calls = stack.codedeploy.calls.slice(from)
      const id = calls.find(c => c.operation === 'GetDeployment')?.input.deploymentId as string
      const d = stack.codedeploy.deployment(id)
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0)
      const log = `${out}${err.split('\tCommand being timed')[0] ?? ''}`
      const bytes = Buffer.byteLength(await readFile(summaryFile, 'utf8'))
      if (code !== 0 || d?.status !== 'Succeeded') throw new Error(`round failed:\n${log}`)
      figures.push({
        calls: calls.length,
        lag: exitAt - (d.completeTime?.getTime() ?? exitAt),
        rss: rss / 1024,
        lines: log.split('\n').filter(Boolean).length,
        bytes
      })
      console.error(`${s.size}: round ${round + 1}`, figures.at(-1))
    }
    const m = (k: keyof (typeof figures)[number]): number => median(figures.map(f => f[k]))
    rows.push(
      `| ${s.size} | ${s.config} (${s.eventMs} ms/event) | ${m('calls')} | ${(m('lag') / 1000).toFixed(1)} s | ${m('rss').toFixed(0)} MiB | ${m('lines')} | ${m('bytes')} |`
    )
  }
} finally {
  await stack.close()
  await rm(work, { recursive: true, force: true })
}
console.log(
  [
    `| instances | config | CodeDeploy calls | lag (end → exit) | peak RSS | log lines | summary bytes |`,
    '|---|---|---|---|---|---|---|',
    ...rows
  ].join('\n')
)

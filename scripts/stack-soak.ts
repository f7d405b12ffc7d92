/**
 * `npx tsx scripts/stack-soak.ts [--minutes 10]`: starts the local stack as `npm run local-stack`
 * does (its own process), then for the given minutes sends it mixed traffic: the AWS CLI
 * (`aws deploy create-deployment`, `stop-deployment`, `batch-get-deployments`,
 * `list-deployment-targets`, `push`, with --endpoint-url; skipped with a message when `aws` is
 * missing) on one group, and the SDK on another, with throttling, 5xx, resets and latency switched
 * on and off over the emulator's fault endpoint. Every loop is bounded. It ends by checking that
 * each server still answers and by printing what the stack logged as failing inside itself.
 */
import { CodeDeployClient, ListApplicationsCommand } from '@aws-sdk/client-codedeploy'
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs'
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda'
import { ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { SoakClient, Tally } from './stack-soak-client.js'

const run = promisify(execFile)
const APP = 'soak-app'
const BUCKET = 'soak-bundles'
const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!

const CONFIG = {
  buckets: [BUCKET],
  applications: [
    {
      name: APP,
      deploymentGroups: [
        { name: 'cli-fleet', instances: 2, deploymentConfig: 'CodeDeployDefault.AllAtOnce' },
        {
          name: 'sdk-fleet',
          instances: 2,
          deploymentConfig: 'CodeDeployDefault.OneAtATime',
          autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] }
        }
      ]
    }
  ]
}

/** The revisions: one that succeeds, one slow enough to be stopped, one whose check fails. */
const REVISIONS: Record<string, string> = { good: 'true', slow: 'sleep 3', broken: 'exit 1' }

async function writeSource(dir: string, validate: string): Promise<void> {
  await mkdir(path.join(dir, 'scripts'), { recursive: true })
  await mkdir(path.join(dir, 'site'), { recursive: true })
  await writeFile(
    path.join(dir, 'appspec.yml'),
    'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/soak\nhooks:\n  ValidateService:\n    - location: scripts/validate.sh\n      timeout: 60\n'
  )
  await writeFile(path.join(dir, 'scripts/validate.sh'), `#!/bin/sh\n${validate}\n`, {
    mode: 0o755
  })
  await writeFile(path.join(dir, 'site/index.html'), `${validate}\n`)
}

interface Stack {
  child: ChildProcess
  env: Record<string, string>
  stderr: () => string
}

/** Starts `local/cli.ts --config` and reads the environment it prints. */
async function startStack(configFile: string): Promise<Stack> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/cli.ts', '--config', configFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' }
    }
  )
  let out = ''
  let err = ''
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.on('exit', code =>
      reject(new Error(`The stack exited (${code}) before it was up: ${err}`))
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (!out.includes('Ctrl-C stops everything')) return
      const pairs = [...out.matchAll(/^export (\w+)=(.*)$/gm)].map(m => [m[1] ?? '', m[2] ?? ''])
      resolve(Object.fromEntries(pairs) as Record<string, string>)
    })
  })
  return { child, env, stderr: () => err }
}

async function putRevisions(s3: S3Client, work: string): Promise<Record<string, string>> {
  const keys: Record<string, string> = {}
  for (const [name, validate] of Object.entries(REVISIONS)) {
    const dir = path.join(work, name)
    await writeSource(dir, validate)
    const file = path.join(work, `${name}.zip`)
    await createBundle({ source: dir, type: 'zip', outFile: file })
    const key = `soak/${name}.zip`
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(file) }))
    keys[name] = key
  }
  return keys
}

/** The AWS CLI's part: create, stop (with or without rollback), batch-get, targets, push. */
async function cliLoop(
  stack: Stack,
  keys: Record<string, string>,
  until: number,
  tally: Tally
): Promise<void> {
  const env = { ...process.env, ...stack.env, AWS_DEFAULT_REGION: stack.env.AWS_REGION ?? '' }
  const endpoint = ['--endpoint-url', stack.env.AWS_ENDPOINT_URL_CODEDEPLOY!]
  const aws = async (args: string[]): Promise<string | undefined> => {
    tally.count(`cli ${args[1]}`)
    try {
      return (await run('aws', [...args, ...endpoint, '--output', 'json'], { env })).stdout
    } catch (error) {
      const text = String((error as { stderr?: string }).stderr ?? error)
      tally.error(`cli ${args[1]}: ${/\((\w+)\)/.exec(text)?.[1] ?? text.trim().slice(0, 80)}`)
      return undefined
    }
  }
  for (let i = 0; i < 10_000 && Date.now() < until; i++) {
    if (i % 5 === 4) {
      await aws([
        'deploy',
        'push',
        '--application-name',
        APP,
        '--s3-location',
        `s3://${BUCKET}/soak/pushed-${i}.zip`,
        '--source',
        path.join(tmpdir(), 'cdb-soak-push')
      ])
      continue
    }
    const created = await aws([
      'deploy',
      'create-deployment',
      '--application-name',
      APP,
      '--deployment-group-name',
      'cli-fleet',
      '--s3-location',
      `bucket=${BUCKET},key=${keys[pick(['slow', 'slow', 'good', 'broken'])]},bundleType=zip`
    ])
    const id = created ? (JSON.parse(created) as { deploymentId: string }).deploymentId : undefined
    if (!id) {
      await sleep(500)
      continue
    }
    await sleep(Math.random() * 1500)
    await aws(['deploy', 'list-deployment-targets', '--deployment-id', id])
    if (Math.random() < 0.7)
      await aws([
        'deploy',
        'stop-deployment',
        '--deployment-id',
        id,
        Math.random() < 0.5 ? '--auto-rollback-enabled' : '--no-auto-rollback-enabled'
      ])
    for (let poll = 0; poll < 60 && Date.now() < until; poll++) {
      const read = await aws(['deploy', 'batch-get-deployments', '--deployment-ids', id])
      const status = read ? /"status": "(\w+)"/.exec(read)?.[1] : undefined
      if (status && ['Succeeded', 'Failed', 'Stopped'].includes(status)) break
      await sleep(500)
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } })
  const minutes = Number(values.minutes)
  if (!(minutes > 0)) throw new Error(`--minutes must be a number above 0, not ${values.minutes}`)
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-soak-'))
  const configFile = path.join(work, 'stack.json')
  await writeFile(configFile, JSON.stringify(CONFIG))
  const pushDir = path.join(tmpdir(), 'cdb-soak-push')
  await writeSource(pushDir, 'true')
  const stack = await startStack(configFile)
  const credentials = {
    accessKeyId: stack.env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY!
  }
  const region = stack.env.AWS_REGION!
  const s3 = new S3Client({
    region,
    credentials,
    endpoint: stack.env.AWS_ENDPOINT_URL_S3!,
    forcePathStyle: true
  })
  const tally = new Tally()
  const started = Date.now()
  const until = started + minutes * 60_000
  try {
    const keys = await putRevisions(s3, work)
    const hasCli = await run('aws', ['--version']).then(
      () => true,
      () => false
    )
    if (!hasCli) console.log('The AWS CLI (`aws`) is not installed: only the SDK part runs.')
    const sdk = new SoakClient(stack.env, keys, tally)
    await Promise.all([
      hasCli ? cliLoop(stack, keys, until, tally) : Promise.resolve(),
      sdk.deployLoop(APP, 'sdk-fleet', until),
      sdk.faultLoop(until)
    ])
    await sdk.clearFaults()
    sdk.destroy()
    const checks = await Promise.allSettled([
      new CodeDeployClient({
        region,
        credentials,
        endpoint: stack.env.AWS_ENDPOINT_URL_CODEDEPLOY!
      }).send(new ListApplicationsCommand({})),
      s3.send(new ListBucketsCommand({})),
      new ECSClient({ region, credentials, endpoint: stack.env.AWS_ENDPOINT_URL_ECS! }).send(
        new ListTaskDefinitionsCommand({})
      ),
      new LambdaClient({ region, credentials, endpoint: stack.env.AWS_ENDPOINT_URL_LAMBDA! }).send(
        new ListFunctionsCommand({})
      )
    ])
    const names = ['CodeDeploy', 'S3', 'ECS', 'Lambda']
    const answered = checks.map(
      (c, i) =>
        `${names[i]}: ${c.status === 'fulfilled' ? 'answers' : `answers with ${String((c.reason as Error).name)}`}`
    )
    const alive = stack.child.exitCode === null
    const failures = stack.stderr().match(/^\[local stack\].*$/gm) ?? []
    console.log(`Soak of ${((Date.now() - started) / 60_000).toFixed(1)} min`)
    console.log(tally.report())
    console.log(`Stack process still running: ${alive ? 'yes' : 'no'}; ${answered.join(', ')}`)
    console.log(`Failures the stack logged inside itself: ${failures.length}`)
    for (const line of failures.slice(0, 10)) console.log(`  ${line}`)
    // Unknown* / connection errors on the final checks mean a server stopped answering.
    if (
      !alive ||
      checks.some(c => c.status === 'rejected' && /ECONN|socket/i.test(String(c.reason)))
    )
      process.exitCode = 1
  } finally {
    s3.destroy()
    if (stack.child.exitCode === null) {
      const exited = new Promise(resolve => stack.child.once('exit', resolve))
      stack.child.kill('SIGTERM')
      await exited
    }
    await rm(work, { recursive: true, force: true })
    await rm(pushDir, { recursive: true, force: true })
  }
}

await main()

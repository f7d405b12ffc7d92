/**
 * The terminal CLI: its flags (node:util parseArgs, strict), its --json result, its exit codes,
 * and what Ctrl-C does — in process against the local stack, and from source in its own process
 * for the signals.
 */
import { describe, expect, it } from '@jest/globals'
import { CodeDeployClient, StopDeploymentCommand } from '@aws-sdk/client-codedeploy'
import path from 'node:path'
import { parseArgs } from '../src/cli/args.js'
import { main, type JsonResult } from '../src/cli/main.js'
import { runCli } from './helpers/cli.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { interrupted: 1, quit: 1 } })

const INPUTS = ['application', 'deployment-group', 'bucket']

/** main() in this process with the stack's environment; its stdout and stderr lines apart. */
async function inProcess(argv: string[]) {
  const saved = { ...process.env }
  Object.assign(process.env, t.env)
  const stdout: string[] = []
  const stderr: string[] = []
  try {
    const code = await main(
      argv,
      line => stdout.push(line),
      line => stderr.push(line)
    )
    return { code, stdout, stderr }
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

describe('CLI flags', () => {
  it('takes the action input names as --name value and --name=value, and its own flags', () => {
    const args = parseArgs(
      ['--application', 'web', '--deployment-group=prod', '--summary-file', 's.md', '--verbose'],
      INPUTS
    )
    expect(Object.fromEntries(args.inputs)).toEqual({
      application: 'web',
      'deployment-group': 'prod'
    })
    expect(args).toMatchObject({ summaryFile: 's.md', verbose: true, json: false, help: false })
    expect(parseArgs(['-h', '--json'], INPUTS)).toMatchObject({ help: true, json: true })
  })

  it.each<[string, string[], RegExp]>([
    [
      'an unknown flag, with the one meant',
      ['--aplication', 'web'],
      /^Unknown flag --aplication\. Did you mean --application\? See --help/
    ],
    ['an unknown flag far from any', ['--colour'], /^Unknown flag --colour\. See --help/],
    ['a flag without its value', ['--bucket'], /^Flag --bucket needs a value, e\.g\. --bucket </],
    ['a flag followed by another', ['--bucket', '--verbose'], /^Flag --bucket needs a value/],
    ['a stray argument', ['web'], /^Unexpected argument 'web': every value follows its flag/],
    ['a value for a switch', ['--verbose=yes'], /^Flag --verbose takes no value/],
    ['a flag given twice', ['--bucket', 'a', '--bucket=b'], /^Flag --bucket is given twice/]
  ])('refuses %s, naming it and pointing at --help', (_, argv, message) => {
    expect(() => parseArgs(argv, INPUTS)).toThrow(message)
    expect(() => parseArgs(argv, INPUTS)).toThrow(/See --help for the flags\.$/)
  })

  it('exits 2 on a bad flag, with the error on stderr and nothing on stdout', async () => {
    const run = await inProcess(['--aplication', 'web'])
    expect(run.code).toBe(2)
    expect(run.stderr).toEqual([expect.stringMatching(/^error: Unknown flag --aplication/)])
    expect(run.stdout).toEqual([])
  })

  it('exits 2 on bad input before touching AWS', async () => {
    const before = t.stack.codedeploy.calls.length
    const run = await inProcess([
      ...['--application', 'web', '--deployment-group', 'prod'],
      ...['--bundle-type', 'rar', '--bucket', 'b-b-b']
    ])
    expect(run.code).toBe(2)
    expect(run.stdout.join('\n')).toMatch(/Invalid bundle-type 'rar'/)
    expect(t.stack.codedeploy.calls.length).toBe(before)
  })

  it('prints usage with --help: the inputs, its own flags and the exit codes', async () => {
    const run = await inProcess(['--help'])
    expect(run.code).toBe(0)
    const usage = run.stdout.join('\n')
    expect(usage).toMatch(/^ {2}--deployment-group\b/m)
    expect(usage).not.toMatch(/--github-token/)
    expect(usage).toMatch(/^ {2}--json\b/m)
    for (const code of ['0', '1', '2', '130'])
      expect(usage).toMatch(new RegExp(`^ {2}${code} +`, 'm'))
  })
})

describe('CLI --json', () => {
  it('prints one JSON object on stdout, and the log on stderr', async () => {
    const dir = path.join(t.workspace, await t.source(release('json')))
    const run = await inProcess([
      '--command',
      'package',
      '--bucket',
      BUCKET,
      '--source',
      dir,
      '--json'
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toHaveLength(1)
    const result = JSON.parse(run.stdout[0]!) as JsonResult
    const key = result.outputs.key!
    expect(result).toEqual({
      headline: expect.stringContaining(`s3://${BUCKET}/${key}`),
      outcome: 'packaged',
      passed: true,
      outputs: expect.objectContaining({
        revision: `s3://${BUCKET}/${key}`,
        bucket: BUCKET,
        'bundle-sha256': expect.stringMatching(/^[0-9a-f]{64}$/)
      })
    })
    expect(run.stderr).toContainEqual(expect.stringMatching(/^Uploaded \d+ bytes to s3:/))
    expect(run.stderr.at(-1)).toBe(result.headline)
  })

  it('says a bad input in the JSON too, with exit code 2', async () => {
    const run = await inProcess(['--json', '--command', 'ship'])
    expect(run.code).toBe(2)
    const result = JSON.parse(run.stdout.join('\n')) as JsonResult
    expect(result).toMatchObject({
      outcome: 'error',
      passed: false,
      outputs: {},
      error: { message: expect.stringMatching(/Invalid command 'ship'/), input: true }
    })
  })
})

describe('Ctrl-C in the CLI', () => {
  /** Deploys a release whose hook sleeps, from source; `onLine` sees each line of its log. */
  async function interrupted(group: string, onLine: Parameters<typeof runCli>[1]['onLine']) {
    const dir = path.join(t.workspace, await t.source(release('1', 'sleep 30')))
    const args = ['--application', APPLICATION, '--deployment-group', group]
    return runCli([...args, '--bucket', BUCKET, '--source', dir], {
      env: t.env,
      cwd: t.workspace,
      ...(onLine ? { onLine } : {})
    })
  }

  async function stopByHand(id: string): Promise<void> {
    const client = new CodeDeployClient({
      region: t.env.AWS_REGION!,
      endpoint: t.env.AWS_ENDPOINT_URL_CODEDEPLOY!,
      credentials: {
        accessKeyId: t.env.AWS_ACCESS_KEY_ID!,
        secretAccessKey: t.env.AWS_SECRET_ACCESS_KEY!
      }
    })
    await client.send(new StopDeploymentCommand({ deploymentId: id })).catch(() => undefined)
    client.destroy()
  }

  it('cancels the deployment as on-cancel says, then exits 130', async () => {
    const run = await interrupted('interrupted', (line, child) => {
      const created = /^Created (d-\w+)/.exec(line)?.[1]
      if (!created) return
      const poll = setInterval(() => {
        if (t.stack.codedeploy.deployment(created)?.status !== 'InProgress') return
        clearInterval(poll)
        child.kill('SIGINT')
      }, 10)
      child.on('close', () => clearInterval(poll))
    })
    expect(run.code).toBe(130)
    expect(run.stdout).toMatch(/^Received SIGINT: cancelling \(press Ctrl-C again/m)
    const id = /^deployment-id=(d-\w+)$/m.exec(run.stdout)?.[1]
    expect(id).toBeDefined()
    expect(t.calls('StopDeployment', id).map(c => c.input.autoRollbackEnabled)).toEqual([true])
    await t.stack.codedeploy.idle()
    expect(t.stack.codedeploy.deployment(id!)?.status).toBe('Stopped')
  })

  it('quits at once on a second Ctrl-C', async () => {
    let id: string | undefined
    let second = false
    const run = await interrupted('quit', (line, child) => {
      const created = /^Created (d-\w+)/.exec(line)?.[1]
      if (created) {
        id = created
        child.kill('SIGINT')
      } else if (line.startsWith('Received SIGINT') && !second) {
        second = true
        child.kill('SIGINT')
      }
    })
    expect(second).toBe(true)
    expect(run.code).toBe(130)
    // Gone before the cancel could stop the deployment and report: no last line, no outputs.
    expect(run.stdout).not.toMatch(/^deployment-id=/m)
    await stopByHand(id!)
    await t.stack.codedeploy.idle()
  })
})

/**
 * `bundle-path`: the bundle written to a file, with or without an upload, from the action and the
 * CLI; a path that would package itself or has no directory refused before anything is written.
 */
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../local/run-action.js'
import { main } from '../src/cli/main.js'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { runCli } from './helpers/cli.js'
import { release } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { web: 1 }, stepDelayMs: 0 })

/** The run, and how many requests the local S3 saw meanwhile. */
async function counted(
  inputs: Record<string, string>
): Promise<InProcessRun & { s3Requests: number }> {
  const before = t.stack.s3.requests.length
  const result = await runInProcess(inputs, t.env)
  return { ...result, s3Requests: t.stack.s3.requests.length - before }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

describe('bundle-path', () => {
  it('with command package and no bucket, writes the file and makes no S3 call', async () => {
    const dir = await t.source(release('file-only'))
    await mkdir(path.join(t.workspace, 'out'))
    const result = await counted({
      command: 'package',
      source: dir,
      'bundle-path': 'out/app.zip',
      'bundle-type': 'zip'
    })
    expect(result.failed).toBe(false)
    const file = path.join(t.workspace, 'out/app.zip')
    expect(result.outputs['bundle-path']).toBe(file)
    expect(result.outputs['bundle-sha256']).toBe(await sha256(file))
    expect(result.outputs.revision).toBeUndefined()
    expect(result.s3Requests).toBe(0)
    expect(result.summary).toContain('## 📦 Packaged a bundle into app.zip')
    expect(result.summary).toContain(`| File | \`${file}\` |`)
  })

  it('with command package and no bucket, needs no region and no credentials at all', async () => {
    const dir = await t.source(release('no-aws'))
    // A home without ~/.aws, and no AWS_* variable: no region, no credentials, no endpoint.
    const home = await mkdtemp(path.join(tmpdir(), 'cdb-home-'))
    const action = await runAction({
      inputs: { command: 'package', source: dir, 'bundle-path': 'no-aws.zip' },
      env: { HOME: home, GITHUB_WORKSPACE: t.workspace },
      cwd: t.workspace,
      entry: path.resolve('src/index.ts')
    })
    expect(action.log).not.toMatch(/::error::/)
    expect(action.code).toBe(0)
    const file = path.join(t.workspace, 'no-aws.zip')
    expect(action.outputs['bundle-sha256']).toBe(await sha256(file))

    const cli = await runCli(
      ['--command', 'package', '--source', dir, '--bundle-path', 'no-aws-cli.zip', '--json'],
      { env: { HOME: home }, cwd: t.workspace }
    )
    expect(cli.stderr).not.toMatch(/^error:/m)
    expect(cli.code).toBe(0)
    expect(JSON.parse(cli.stdout)).toMatchObject({
      outcome: 'packaged',
      outputs: { 'bundle-sha256': await sha256(path.join(t.workspace, 'no-aws-cli.zip')) }
    })
  })

  it('with a bucket, writes the file and uploads the same bytes, then deploys them', async () => {
    const dir = await t.source(release('file-and-s3'))
    const result = await counted({
      application: APPLICATION,
      'deployment-group': 'web',
      bucket: BUCKET,
      source: dir,
      'bundle-path': 'both.zip'
    })
    expect(result.failed).toBe(false)
    const file = path.join(t.workspace, 'both.zip')
    expect(result.outputs['bundle-path']).toBe(file)
    expect(result.outputs.key).toBe(`${await sha256(file)}.zip`)
    expect(await t.installed('web', 'srv/app/version.txt')).toBe('file-and-s3')
  })

  it.each([
    [
      'inside the source',
      (dir: string) => `${dir}/bundle.zip`,
      /Invalid bundle-path '.*': it is inside the source directory .*, so the bundle would package itself. Write it outside the source/
    ],
    [
      'in a directory that does not exist',
      () => 'missing/dir/bundle.zip',
      /Invalid bundle-path 'missing\/dir\/bundle.zip': its directory .*missing\/dir does not exist. Create it in an earlier step/
    ],
    ['a directory', () => '.', /Invalid bundle-path '.': .* is a directory. Give a file name/]
  ])('%s is refused before any write', async (_, bundlePath, message) => {
    const dir = await t.source(release('refused'))
    const result = await counted({
      command: 'package',
      bucket: BUCKET,
      source: dir,
      'bundle-path': bundlePath(dir)
    })
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(message)
    expect(result.s3Requests).toBe(0)
    await expect(stat(path.join(t.workspace, dir, 'bundle.zip'))).rejects.toThrow(/ENOENT/)
  })

  it('is ignored with a warning on a step that packages nothing', async () => {
    const result = await counted({
      application: APPLICATION,
      'deployment-group': 'web',
      revision: `s3://${BUCKET}/${'a'.repeat(64)}.zip`,
      'bundle-path': 'x.zip'
    })
    expect(result.log).toMatch(
      /::warning::Input 'bundle-path' is not used: this step deploys 'revision', a bundle already in S3\. It is ignored/
    )
    // The step goes on to the revision it names (here, one that does not exist).
    expect(result.log).toMatch(/::error::.*does not exist/)
    await expect(stat(path.join(t.workspace, 'x.zip'))).rejects.toThrow(/ENOENT/)
  })

  it('the CLI takes it as --bundle-path and prints the output', async () => {
    const dir = path.join(t.workspace, await t.source(release('cli')))
    const file = path.join(t.workspace, 'cli.tgz')
    const saved = { ...process.env }
    Object.assign(process.env, t.env)
    const lines: string[] = []
    try {
      const code = await main(
        ['--command', 'package', '--source', dir, '--bundle-type', 'tgz', '--bundle-path', file],
        line => lines.push(line)
      )
      expect(code).toBe(0)
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    }
    expect(lines).toContain(`bundle-path=${file}`)
    expect(lines).toContain(`bundle-sha256=${await sha256(file)}`)
  })
})

/**
 * Path inputs stay inside the workspace, links followed (`bundle-path` may also go to the
 * runner's temp directory); one that reaches outside is refused before anything is read from it
 * or written, naming the input, where it resolves and where it may point. The bundle's file
 * replaces nothing but a bundle and is never a half bundle. Ignore files are read from the source.
 */
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createBundle } from '../src/engine/revision/bundle/index.js'
import { runInProcess, type InProcessRun } from './helpers/action.js'
import { release, tempTree } from './helpers/revisions.js'
import { APPLICATION, BUCKET, useTestStack } from './helpers/stack.js'

const t = useTestStack({ groups: { web: 1 }, stepDelayMs: 0 })

/** Every write the local stack saw: S3 PUT/POST/DELETE, CodeDeploy's register/create/stop. */
function writes(): number {
  const s3 = t.stack.s3.requests.filter(r => ['PUT', 'POST', 'DELETE'].includes(r.method)).length
  const codedeploy = t.stack.codedeploy.calls.filter(c =>
    ['RegisterApplicationRevision', 'CreateDeployment', 'StopDeployment'].includes(c.operation)
  ).length
  return s3 + codedeploy
}

async function refused(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<InProcessRun> {
  const before = writes()
  const result = await runInProcess(inputs, { ...t.env, ...env })
  expect(result.failed).toBe(true)
  expect(writes()).toBe(before)
  expect(result.outputs['deployment-id']).toBeUndefined()
  return result
}

const errors = (result: InProcessRun): string =>
  result.log
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .join('\n')

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

/** A directory outside the workspace and the runner's temp directory. */
const outside = (): Promise<string> => mkdtemp(path.join(tmpdir(), 'cdb-outside-'))

describe('bundle-path', () => {
  const pack = (source: string, bundlePath: string): Record<string, string> => ({
    command: 'package',
    bucket: BUCKET,
    source,
    'bundle-path': bundlePath
  })

  it('climbing out of the workspace is refused, naming the path and both roots', async () => {
    const dir = await t.source(release('climb'))
    const runnerTemp = await mkdtemp(path.join(tmpdir(), 'cdb-runner-temp-'))
    const result = await refused(pack(dir, '../../b.zip'), { RUNNER_TEMP: runnerTemp })
    const resolved = path.resolve(t.workspace, '../../b.zip')
    expect(errors(result)).toContain(
      `Invalid bundle-path '../../b.zip': it is ${resolved}, outside the workspace ${t.workspace} and the runner's temp directory ${runnerTemp}. Write the bundle there, e.g. '\${{ runner.temp }}/bundle.zip' (${runnerTemp}/bundle.zip).`
    )
    await expect(stat(resolved)).rejects.toThrow(/ENOENT/)
  })

  it('an existing file outside the workspace is left as it was', async () => {
    const dir = await t.source(release('overwrite'))
    const victim = path.join(await outside(), 'notes.zip')
    await writeFile(victim, 'PK\u0003\u0004 someone else’s file')
    const result = await refused(pack(dir, victim))
    expect(errors(result)).toMatch(/Invalid bundle-path '.*notes.zip': it is .*notes.zip, outside /)
    expect(await readFile(victim, 'utf8')).toBe('PK\u0003\u0004 someone else’s file')
  })

  it('a directory of the workspace that links out of it is refused', async () => {
    const dir = await t.source(release('linked'))
    const target = await outside()
    await symlink(target, path.join(t.workspace, 'linked-out'))
    const result = await refused(pack(dir, 'linked-out/b.zip'))
    expect(errors(result)).toContain(
      `Invalid bundle-path 'linked-out/b.zip': it resolves through a link to ${target}/b.zip, outside the workspace`
    )
    expect(await readdir(target)).toEqual([])
  })

  it("the runner's temp directory is allowed, and the file is a whole bundle", async () => {
    const dir = await t.source(release('in-temp'))
    const runnerTemp = await mkdtemp(path.join(tmpdir(), 'cdb-runner-temp-'))
    const file = path.join(runnerTemp, 'bundle.zip')
    const result = await runInProcess(
      { command: 'package', source: dir, 'bundle-path': file },
      { ...t.env, RUNNER_TEMP: runnerTemp }
    )
    expect(result.failed).toBe(false)
    expect(result.outputs['bundle-path']).toBe(file)
    expect(result.outputs['bundle-sha256']).toBe(await sha256(file))
    expect((await readdir(runnerTemp)).filter(name => name.includes('partial'))).toEqual([])
  })

  it('a file that is not a bundle is not replaced; a bundle is', async () => {
    const dir = await t.source(release('replace'))
    const notes = path.join(t.workspace, 'notes.txt')
    await writeFile(notes, 'keep me')
    const result = await refused(pack(dir, 'notes.txt'))
    expect(errors(result)).toContain(
      `Invalid bundle-path 'notes.txt': ${notes} exists and is not a bundle (zip, tgz or tar), so it is not replaced. Remove it in an earlier step, or choose another file name.`
    )
    expect(await readFile(notes, 'utf8')).toBe('keep me')

    const old = path.join(t.workspace, 'old.zip')
    await writeFile(old, 'PK\u0005\u0006' + '\0'.repeat(18))
    const again = await runInProcess(
      { command: 'package', source: dir, 'bundle-path': 'old.zip' },
      t.env
    )
    expect(again.failed).toBe(false)
    expect(again.outputs['bundle-sha256']).toBe(await sha256(old))
    expect((await readdir(t.workspace)).filter(name => name.includes('partial'))).toEqual([])
  })
})

describe('appspec and task-definition', () => {
  const content = (extra: Record<string, string>): Record<string, string> => ({
    application: APPLICATION,
    'deployment-group': 'web',
    ...extra
  })

  it.each([
    ['an appspec next to the workspace', { appspec: '../outside-appspec.yml' }, 'appspec'],
    ['a system file', { appspec: '../../../etc/hostname' }, 'appspec'],
    ['an absolute path', { appspec: '/etc/hostname' }, 'appspec'],
    [
      'a task definition outside',
      { appspec: 'appspec.yaml', 'task-definition': '../task.json' },
      'task-definition'
    ]
  ])('%s is refused before it is read', async (_, inputs, name) => {
    await writeFile(path.join(t.workspace, 'appspec.yaml'), 'version: 0.0\nResources: []\n')
    const result = await refused(content(inputs))
    const raw = (inputs as Record<string, string>)[name]!
    expect(errors(result)).toContain(
      `Invalid ${name} '${raw}': it is ${path.resolve(t.workspace, raw)}, outside the workspace ${t.workspace}. Keep the`
    )
    expect(errors(result)).toMatch(/give its path relative to the workspace, e.g. 'deploy\//)
    expect(errors(result)).not.toMatch(/does not exist/)
  })

  it('a link inside the workspace to an appspec outside it is refused', async () => {
    const elsewhere = path.join(await outside(), 'appspec.yaml')
    await writeFile(elsewhere, 'version: 0.0\nResources: []\n')
    await symlink(elsewhere, path.join(t.workspace, 'linked-appspec.yaml'))
    const result = await refused(content({ appspec: 'linked-appspec.yaml' }))
    expect(errors(result)).toContain(
      `Invalid appspec 'linked-appspec.yaml': it resolves through a link to ${elsewhere}, outside the workspace ${t.workspace}.`
    )
  })

  it('outside a runner (the CLI, no GITHUB_WORKSPACE) paths are the user’s to choose', async () => {
    const { parseSettings } = await import('../src/engine/inputs/settings.js')
    const given: Record<string, string> = {
      application: 'a',
      'deployment-group': 'g',
      appspec: '../x/appspec.yaml'
    }
    const settings = parseSettings(name => given[name] ?? '', '/home/me/repo')
    expect(settings.appspec).toBe('/home/me/x/appspec.yaml')
    expect(() =>
      parseSettings(name => given[name] ?? '', '/home/me/repo', { confine: true })
    ).toThrow(/Invalid appspec '..\/x\/appspec.yaml': it is \/home\/me\/x\/appspec.yaml, outside/)
  })
})

describe('ignore files', () => {
  it('one that links out of the source is refused, naming the link and the fix', async () => {
    const secret = path.join(await outside(), 'rules')
    await writeFile(secret, '*.log\n')
    const dir = await t.source({ ...release('ignore-link'), '.codedeployignore': { link: secret } })
    const result = await refused({
      application: APPLICATION,
      'deployment-group': 'web',
      bucket: BUCKET,
      source: dir
    })
    expect(errors(result)).toContain(
      `.codedeployignore in ${path.join(t.workspace, dir)} is a link to ${secret}, outside the source directory: ignore files are read from the source only. Replace the link with the file itself.`
    )
  })

  it('one that links to a file inside the source is read', async () => {
    const dir = await tempTree({
      ...release('ignore-inside'),
      'shared/rules': 'site/debug.log\n',
      'site/debug.log': 'x',
      '.codedeployignore': { link: 'shared/rules' }
    })
    const out = path.join(await outside(), 'b.tar')
    const bundle = await createBundle({ source: dir, type: 'tar', outFile: out })
    expect(bundle.files).toBe(4) // appspec, version, validate.sh, shared/rules: not debug.log
  })
})

describe('the bundle file', () => {
  it('an aborted packaging leaves the old bundle in place and no partial file', async () => {
    const dir = await tempTree({
      'appspec.yml': 'version: 0.0\nos: linux\n',
      ...Object.fromEntries(
        Array.from({ length: 400 }, (_, i) => [`f/${i}.txt`, 'x'.repeat(20_000 + i)])
      )
    })
    const folder = await outside()
    const out = path.join(folder, 'app.tgz')
    const first = await createBundle({ source: dir, type: 'tgz', outFile: out })
    const before = await sha256(out)
    await mkdir(path.join(folder, 'unrelated'))
    const controller = new AbortController()
    const second = createBundle({
      source: dir,
      type: 'tgz',
      outFile: out,
      mtime: new Date(Date.UTC(2020, 0, 1)),
      signal: controller.signal
    })
    // Cancelled while the bundle is being written: once its partial file is there.
    let sawPartial = false
    const watching = setInterval(() => {
      void readdir(folder).then(names => {
        if (!names.some(name => name.endsWith('.partial')) || controller.signal.aborted) return
        sawPartial = true
        controller.abort(new Error('cancelled'))
      })
    }, 1)
    await expect(second)
      .rejects.toThrow(/cancelled/)
      .finally(() => clearInterval(watching))
    expect(sawPartial).toBe(true)
    expect(await sha256(out)).toBe(before)
    expect(first.sha256).toBe(before)
    expect((await readdir(folder)).sort()).toEqual(['app.tgz', 'unrelated'])
  })
})

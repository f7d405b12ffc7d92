/**
 * The action end to end: run() (and the built dist/index.js) against the local stack, through the
 * real SDK clients, with hook scripts running on simulated instances.
 */
import { describe, expect, it } from '@jest/globals'
import { lstat, readFile, readlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { runAction } from '../local/run-action.js'
import { runInProcess } from './helpers/action.js'
import { appspec, script, type Tree } from './helpers/revisions.js'
import { APPLICATION, useTestStack } from './helpers/stack.js'

const oneAtATime = 'CodeDeployDefault.OneAtATime'
const t = useTestStack({
  groups: {
    staging: { instances: 2, deploymentConfig: oneAtATime },
    prod: { instances: 3, deploymentConfig: oneAtATime },
    dist: 1
  },
  env: { GITHUB_SHA: 'a'.repeat(40), GITHUB_REF_NAME: 'main' }
})

function release(version: string, validate = 'echo "healthy"'): Tree {
  return {
    'appspec.yml': appspec({
      BeforeInstall: [{ location: 'scripts/clean.sh' }],
      ValidateService: [{ location: 'scripts/validate.sh', timeout: 30 }]
    }),
    'site/version.txt': version,
    'scripts/clean.sh': script('rm -rf "$INSTANCE_ROOT/srv/app"'),
    'scripts/validate.sh': script(validate)
  }
}

function roots(group: string): string[] {
  return t.stack.codedeploy.instances(APPLICATION, group).map(i => i.root)
}

const target = { application: 'shop', bucket: 'bundles', 'key-prefix': 'shop/' }

describe('the action against the local stack', () => {
  it('deploys, sets every output and writes a summary with a row per instance', async () => {
    const dir = await t.source(release('1.0.0'))
    const result = await runInProcess(
      { ...target, 'deployment-group': 'staging', source: dir },
      t.env
    )
    expect(result.failed).toBe(false)
    expect(result.outputs.status).toBe('Succeeded')
    expect(result.outputs['deployment-id']).toMatch(/^d-[A-Z0-9]{9}$/)
    expect(result.outputs.revision).toBe(`s3://bundles/${result.outputs.key}`)
    expect(result.outputs.key).toBe(`shop/${result.outputs['bundle-sha256']}.zip`)
    expect(result.outputs['console-url']).toContain(result.outputs['deployment-id'])
    for (const root of roots('staging'))
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('1.0.0')
    expect(result.summary).toMatch(/CodeDeploy d-[A-Z0-9]{9} Succeeded/)
    for (const instance of t.stack.codedeploy.instances(APPLICATION, 'staging'))
      expect(result.summary).toContain(`| ${instance.instanceId} | ✅ Succeeded |`)
    expect(result.log).toMatch(/::group::Deploying d-/)
    // One line per instance; each event only at debug (the runner shows it with RUNNER_DEBUG=1).
    for (const { instanceId } of t.stack.codedeploy.instances(APPLICATION, 'staging')) {
      expect(result.log).toMatch(
        new RegExp(
          `^  ${instanceId}: ✓ 7 events succeeded in [\\d.]+s \\(ApplicationStop … ValidateService\\)$`,
          'm'
        )
      )
      expect(result.log).toMatch(
        new RegExp(`^::debug::  ${instanceId}: BeforeInstall Succeeded in [\\d.]+s$`, 'm')
      )
    }
    expect(result.log).not.toMatch(/^ {2}i-\w+: \w+ Succeeded/m)
    const registered = t.calls('RegisterApplicationRevision')
    expect(registered.at(-1)?.input).toMatchObject({
      revision: {
        s3Location: { key: result.outputs.key, bundleType: 'zip', eTag: result.outputs.etag }
      }
    })
    const created = t.calls('CreateDeployment').at(-1)!
    expect(created.input).toMatchObject({
      autoRollbackConfiguration: {
        enabled: true,
        events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']
      }
    })
    expect(String(created.input.description)).toContain('commit aaaaaaaaaaaa')
  })

  it('uploads nothing the second time the same tree is deployed, even from another runner', async () => {
    const dir = await t.source(release('1.1.0'))
    const first = await runInProcess(
      { ...target, 'deployment-group': 'staging', source: dir },
      t.env
    )
    expect(first.failed).toBe(false)
    const putsBefore = t.stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST')
    // Another runner: its re-run cache does not know the tree, so it packages; S3 proves the rest.
    const second = await runInProcess(
      { ...target, 'deployment-group': 'staging', source: dir },
      { ...t.env, CDB_CACHE_DIR: path.join(t.workspace, 'other-runner-cache') }
    )
    expect(second.failed).toBe(false)
    expect(second.outputs.key).toBe(first.outputs.key)
    expect(second.outputs.etag).toBe(first.outputs.etag)
    const putsAfter = t.stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST')
    expect(putsAfter.length).toBe(putsBefore.length)
    expect(second.log).toMatch(
      /already holds this bundle \(S3.s SHA-256 checksum matches\): nothing uploaded/
    )
  })

  it('fails on a hook error with the log tail in the message, and follows the rollback', async () => {
    const good = await runInProcess(
      { ...target, 'deployment-group': 'prod', source: await t.source(release('2.0.0')) },
      t.env
    )
    expect(good.failed).toBe(false)
    const bad = await runInProcess(
      {
        ...target,
        'deployment-group': 'prod',
        source: await t.source(
          release('2.1.0', 'echo "checking /health"\necho "HTTP 503 from /health" >&2\nexit 3')
        )
      },
      t.env
    )
    expect(bad.failed).toBe(true)
    expect(bad.outputs.status).toBe('Failed')
    // Two error annotations: the failure in detail (title, log tail) as soon as it is known, and
    // the step's one-line failure with the rollback's outcome.
    const lines = bad.log.split('\n')
    const annotations = lines.filter(l => l.startsWith('::error'))
    // The failed hook stands out in the log as soon as it is seen, before the diagnosis.
    const failedAt = lines.findIndex(l =>
      /^ {2}i-[0-9a-f]+: ✗ ValidateService Failed \(ScriptFailed\) in [\d.]+s, after 6 events succeeded$/.test(
        l
      )
    )
    expect(failedAt).toBeGreaterThanOrEqual(0)
    expect(failedAt).toBeLessThan(lines.findIndex(l => l.startsWith('::error')))
    expect(annotations).toHaveLength(2)
    const [detail = '', failure = ''] = annotations
    expect(detail).toMatch(/^::error title=ValidateService failed on i-[0-9a-f]+::/)
    expect(detail).toMatch(
      /ValidateService failed on i-[0-9a-f]+ with ScriptFailed running scripts\/validate.sh/
    )
    expect(detail).toContain('HTTP 503 from /health')
    expect(detail).toContain('exit code 3')
    expect(bad.outputs['rollback-deployment-id']).toMatch(/^d-/)
    expect(bad.outputs['rollback-status']).toBe('Succeeded')
    expect(failure).toBe(
      `::error::${bad.outputs['deployment-id']} Failed: ValidateService failed on ${/on (i-[0-9a-f]+)/.exec(detail)?.[1]} with ScriptFailed running scripts/validate.sh. Rolled back by ${bad.outputs['rollback-deployment-id']} (Succeeded): the previous revision is back in place.`
    )
    for (const root of roots('prod'))
      expect(await readFile(path.join(root, 'srv/app/version.txt'), 'utf8')).toBe('2.0.0')
    expect(bad.summary).toMatch(/### Why it failed/)
    expect(bad.summary).toContain('HTTP 503 from /health')
    expect(bad.summary).toMatch(/### Rollback/)
  })

  it('keeps modes and symlinks, and honours .codedeployignore, all the way onto an instance', async () => {
    const dir = await t.source({
      ...release('3.0.0'),
      'site/bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o750 },
      'site/bin/latest': { link: 'tool' },
      'site/secret.env': 'TOKEN=do-not-ship',
      'site/cache/big.tmp': 'cache',
      '.codedeployignore': 'secret.env\ncache/\n',
      '.git/config': '[core]\n'
    })
    const result = await runInProcess(
      { ...target, 'deployment-group': 'staging', source: dir },
      t.env
    )
    expect(result.failed).toBe(false)
    for (const root of roots('staging')) {
      const app = path.join(root, 'srv/app')
      expect((await lstat(path.join(app, 'bin/tool'))).mode & 0o777).toBe(0o750)
      expect(await readlink(path.join(app, 'bin/latest'))).toBe('tool')
      expect(existsSync(path.join(app, 'secret.env'))).toBe(false)
      expect(existsSync(path.join(app, 'cache'))).toBe(false)
    }
  })

  it('is shown its debug lines, like on a runner, only with RUNNER_DEBUG=1', async () => {
    const entry = path.join(t.workspace, 'debug-entry.ts')
    await writeFile(entry, "console.log('::debug::every event')\nconsole.log('a summary')\n")
    const quiet = await runAction({ inputs: {}, env: {}, cwd: t.workspace, entry })
    expect(quiet.log).toBe('a summary\n')
    const debug = await runAction({
      inputs: {},
      env: { RUNNER_DEBUG: '1' },
      cwd: t.workspace,
      entry
    })
    expect(debug.log).toBe('::debug::every event\na summary\n')
  })

  it('runs as the built dist/index.js the way the runner does', async () => {
    if (!existsSync('dist/index.js'))
      throw new Error('dist/index.js is missing: run npm run package')
    const dir = await t.source(release('4.0.0'))
    const result = await runAction({
      inputs: { ...target, 'deployment-group': 'dist', source: dir },
      env: t.env,
      cwd: t.workspace
    })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('Succeeded')
    expect(result.log).toMatch(/d-[A-Z0-9]{9} Succeeded on 1 instance/)
    expect(result.summary).toMatch(/Succeeded/)
    expect(await t.installed('dist', 'srv/app/version.txt')).toBe('4.0.0')
  })
})

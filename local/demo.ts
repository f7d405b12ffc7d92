/**
 * `npm run demo`: starts the local stack and runs the built action (dist/index.js) the way a
 * runner does, three times: v1 of examples/app (succeeds on three instances), then a broken v2
 * whose ValidateService hook fails, so CodeDeploy rolls the fleet back to v1. Each version is a
 * commit of its own, and the fleet printout shows the installed index.html dated with its commit
 * time. Then a Lambda canary: 10% of the alias's traffic on the new version, the rest five
 * (compressed) minutes later.
 */
import { execFileSync } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from './run-action.js'
import type { EmulatorConfig } from './emulator/index.js'
import { DEMO_CONFIG, startLocalStack } from './stack.js'

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

async function fleetVersions(stack: Awaited<ReturnType<typeof startLocalStack>>): Promise<string> {
  const versions: string[] = []
  for (const instance of stack.codedeploy.instances('demo-app', 'demo-fleet')) {
    const running = await readFile(path.join(instance.root, 'var/run/demo.running'), 'utf8').catch(
      () => 'not running\n'
    )
    const page = await stat(path.join(instance.root, 'var/www/demo/index.html')).catch(
      () => undefined
    )
    const dated = page ? `, index.html dated ${page.mtime.toISOString()}` : ''
    versions.push(`${instance.instanceId}: ${running.trim()}${dated}`)
  }
  return versions.join('\n')
}

/** DEMO_CONFIG and a Lambda function behind a canary group; a minute of waiting is a second. */
const CONFIG: EmulatorConfig = {
  ...DEMO_CONFIG,
  timeScale: 1 / 60,
  applications: [
    ...(DEMO_CONFIG.applications ?? []),
    {
      name: 'demo-functions',
      computePlatform: 'Lambda',
      deploymentGroups: [
        { name: 'demo-canary', deploymentConfig: 'CodeDeployDefault.LambdaCanary10Percent5Minutes' }
      ]
    }
  ],
  lambda: { functions: [{ name: 'demo-api', versions: 1, aliases: { live: '1' } }] }
}

const LAMBDA_APPSPEC = `version: 0.0
Resources:
  - api:
      Type: AWS::Lambda::Function
      Properties:
        Name: demo-api
        Alias: live
Hooks:
  - BeforeAllowTraffic: demo-smoke-test
`

/** Commits the demo app as it is, at `iso`: the bundle's entries carry this time. */
function commit(dir: string, iso: string): void {
  const env = { ...process.env, GIT_AUTHOR_DATE: iso, GIT_COMMITTER_DATE: iso }
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['commit', '-q', '-m', iso]
  ])
    execFileSync(
      'git',
      ['-C', dir, '-c', 'user.name=demo', '-c', 'user.email=demo@example.com', ...args],
      { env }
    )
}

async function main(): Promise<number> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'cdb-demo-'))
  const stack = await startLocalStack({
    config: CONFIG,
    buckets: ['demo-bundles'],
    stepDelayMs: 300
  })
  try {
    await cp('examples/app', path.join(workspace, 'app'), { recursive: true })
    commit(path.join(workspace, 'app'), '2026-01-05T09:00:00Z')
    const inputs = {
      application: 'demo-app',
      'deployment-group': 'demo-fleet',
      bucket: 'demo-bundles',
      'key-prefix': 'demo-app/',
      source: 'app'
    }
    const env = {
      ...stack.env,
      NODE_NO_WARNINGS: '1',
      GITHUB_WORKSPACE: workspace,
      GITHUB_SHA: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      GITHUB_REF_NAME: 'main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'example/demo-app',
      GITHUB_RUN_ID: '1'
    }
    const show = (line: string): void => console.log(`  │ ${line}`)

    console.log(bold('\n▶ Deploying v1 (examples/app) to 3 instances, OneAtATime\n'))
    const first = await runAction({
      inputs,
      env,
      cwd: workspace,
      entry: path.resolve('dist/index.js'),
      onLine: show
    })
    console.log(
      `\n  exit code ${first.code}; outputs: ${JSON.stringify(first.outputs, null, 2).replace(/\n/g, '\n  ')}`
    )
    console.log(
      bold('\n  Fleet after v1:'),
      `\n${(await fleetVersions(stack)).replace(/^/gm, '    ')}`
    )

    const app = path.join(workspace, 'app')
    const index = await readFile(path.join(app, 'site/index.html'), 'utf8')
    await writeFile(path.join(app, 'site/index.html'), index.replace('1.0.0', '2.0.0'))
    await writeFile(path.join(app, 'site/health.conf'), 'healthy=false\n')
    commit(app, '2026-01-06T17:30:00Z')

    console.log(bold('\n▶ Deploying a broken v2: its ValidateService health check fails\n'))
    const second = await runAction({
      inputs,
      env,
      cwd: workspace,
      entry: path.resolve('dist/index.js'),
      onLine: show
    })
    console.log(
      `\n  exit code ${second.code}; outputs: ${JSON.stringify(second.outputs, null, 2).replace(/\n/g, '\n  ')}`
    )
    console.log(
      bold('\n  Fleet after the rollback:'),
      `\n${(await fleetVersions(stack)).replace(/^/gm, '    ')}`
    )

    console.log(bold('\n▶ A Lambda canary: 10% of alias live on the new version, then all of it\n'))
    await writeFile(path.join(workspace, 'appspec-lambda.yml'), LAMBDA_APPSPEC)
    const third = await runAction({
      inputs: {
        application: 'demo-functions',
        'deployment-group': 'demo-canary',
        appspec: 'appspec-lambda.yml'
      },
      env,
      cwd: workspace,
      entry: path.resolve('dist/index.js'),
      onLine: show
    })
    console.log(
      `\n  exit code ${third.code}; outputs: ${JSON.stringify(third.outputs, null, 2).replace(/\n/g, '\n  ')}`
    )

    const summaryFile = path.resolve('demo-summary.md')
    await writeFile(summaryFile, [first.summary, second.summary, third.summary].join('\n---\n\n'))
    console.log(`\nThe job summaries (what GITHUB_STEP_SUMMARY received) are in ${summaryFile}`)
    const ok =
      first.code === 0 &&
      second.code !== 0 &&
      second.outputs['rollback-status'] === 'Succeeded' &&
      third.code === 0 &&
      third.outputs.status === 'Succeeded'
    console.log(
      ok
        ? '\nDemo finished as expected: v1 deployed, v2 failed and was rolled back to v1, and the Lambda canary shifted all traffic to version 2.'
        : '\nDemo did not go as expected.'
    )
    return ok ? 0 : 1
  } finally {
    await stack.close()
    await rm(workspace, { recursive: true, force: true })
  }
}

process.exitCode = await main()

/**
 * `github-deployment`: run() against the local stack and a stand-in GitHub API, checking what the
 * action told GitHub about each outcome.
 */
import { describe, expect, it } from '@jest/globals'
import { runInProcess } from './helpers/action.js'
import { startFakeGitHubApi, type FakeGitHubApi } from './helpers/github-api.js'
import { appspec, script } from './helpers/revisions.js'
import { useTestStack } from './helpers/stack.js'

const TOKEN = 'ghs_fakeTokenThatMustNeverBePrinted'
let github: FakeGitHubApi
let releases = 0

const t = useTestStack({
  timeScale: 0.001,
  groups: {
    staging: 2,
    green: {
      instances: 1,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] },
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 600 },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: 5
        }
      }
    }
  },
  env: {
    GITHUB_SHA: 'b'.repeat(40),
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '77'
  },
  server: async () => {
    github = await startFakeGitHubApi()
    return { env: { GITHUB_API_URL: github.url }, close: () => github.close() }
  }
})

function source(validate: string): Promise<string> {
  return t.source({
    'appspec.yml': appspec({ ValidateService: [{ location: 'scripts/validate.sh' }] }),
    'site/index.html': `release ${++releases}`,
    'scripts/validate.sh': script(validate)
  })
}

const inputs = {
  application: 'shop',
  'deployment-group': 'staging',
  bucket: 'bundles',
  'github-deployment': 'staging',
  'github-token': TOKEN
}

function since(index: number) {
  return github.requests.slice(index)
}

describe('github-deployment', () => {
  it('creates a deployment for the commit and marks it in progress, then success with the console link', async () => {
    const before = github.requests.length
    const result = await runInProcess({ ...inputs, source: await source('exit 0') }, t.env)
    expect(result.failed).toBe(false)
    const [create, ...statuses] = since(before)
    expect(create).toMatchObject({
      method: 'POST',
      path: '/repos/octo/shop/deployments',
      authorization: `token ${TOKEN}`,
      body: {
        ref: 'b'.repeat(40),
        environment: 'staging',
        auto_merge: false,
        required_contexts: []
      }
    })
    expect(statuses.map(s => [s.path, s.body.state])).toEqual([
      ['/repos/octo/shop/deployments/1001/statuses', 'in_progress'],
      ['/repos/octo/shop/deployments/1001/statuses', 'success']
    ])
    const done = statuses[1]!.body
    expect(done.environment_url).toBe(result.outputs['console-url'])
    expect(done.log_url).toBe('https://github.example/octo/shop/actions/runs/77')
    expect(done.description).toContain(`${result.outputs['deployment-id']} Succeeded`)
    expect(done.auto_inactive).toBe(true)
    // Masked for the runner, and printed nowhere else.
    const lines = result.log.split('\n')
    expect(lines).toContain(`::add-mask::${TOKEN}`)
    expect(lines.filter(l => !l.startsWith('::add-mask::')).join('\n')).not.toContain(TOKEN)
  })

  it('marks a failed deployment failure, without making earlier successes inactive', async () => {
    const before = github.requests.length
    const result = await runInProcess({ ...inputs, source: await source('exit 1') }, t.env)
    expect(result.failed).toBe(true)
    const last = since(before).at(-1)!
    expect(last.body).toMatchObject({ state: 'failure', auto_inactive: false })
    expect(String(last.body.description)).toContain(`${result.outputs['deployment-id']} Failed`)
    expect(String(last.body.description).length).toBeLessThanOrEqual(140)
  })

  it('marks an input error after the deployment was recorded as error', async () => {
    const before = github.requests.length
    const result = await runInProcess(
      { ...inputs, source: await source('exit 0'), 'deployment-config': 'Custom.Nope' },
      t.env
    )
    expect(result.failed).toBe(true)
    expect(since(before).map(r => r.body.state ?? 'create')).toEqual([
      'create',
      'in_progress',
      'error'
    ])
    expect(result.outputs['deployment-id']).toBeUndefined()
  })

  it('leaves a deployment stopped at Ready pending, and names it in the one that continues it', async () => {
    const before = github.requests.length
    const staged = await runInProcess(
      {
        ...inputs,
        'deployment-group': 'green',
        source: await source('exit 0'),
        'on-ready': 'exit'
      },
      t.env
    )
    expect(staged.failed).toBe(false)
    const id = staged.outputs['deployment-id']!
    expect(staged.outputs.status).toBe('Ready')
    const [, ...statuses] = since(before)
    expect(statuses.map(s => s.body.state)).toEqual(['in_progress', 'pending'])
    const ready = statuses[1]!.body
    expect(ready).toMatchObject({
      description: `${id} Ready: replacement deployed, traffic not yet shifted. Shift it with command: continue, deployment-id: ${id}`,
      environment_url: staged.outputs['console-url'],
      auto_inactive: false
    })
    expect(String(ready.description).length).toBeLessThanOrEqual(140)

    const next = github.requests.length
    const released = await runInProcess(
      {
        command: 'continue',
        'deployment-id': id,
        'github-deployment': 'production',
        'github-token': TOKEN
      },
      t.env
    )
    expect(released.failed).toBe(false)
    const [create, ...after] = since(next)
    expect(create!.body).toMatchObject({
      environment: 'production',
      description: `CodeDeploy: continues ${id}`,
      payload: { deploymentId: id }
    })
    expect(after.map(s => [s.body.state, s.body.description])).toEqual([
      ['in_progress', `Continuing ${id} (traffic reroute or end of the termination wait)`],
      ['success', expect.stringContaining(`Traffic of ${id} is on the replacement instances.`)]
    ])
  })

  it('stops before any AWS write when GitHub refuses the deployment, and says which permission to grant', async () => {
    const writes = (): number =>
      t.stack.s3.requests.filter(r => r.method === 'PUT' || r.method === 'POST').length +
      t.stack.codedeploy.calls.filter(c =>
        ['RegisterApplicationRevision', 'CreateDeployment'].includes(c.operation)
      ).length
    const before = writes()
    github.refuseCreate = 403
    try {
      const result = await runInProcess({ ...inputs, source: await source('exit 0') }, t.env)
      expect(result.failed).toBe(true)
      expect(result.log).toMatch(/HTTP 403.*permissions: deployments: write/)
      expect(writes()).toBe(before)
    } finally {
      github.refuseCreate = undefined
    }
  })

  it('ignores github-deployment on a step that only packages, with a warning, and refuses it without a token', async () => {
    const dir = await source('exit 0')
    const before = github.requests.length
    const packaging = await runInProcess({ ...inputs, source: dir, command: 'package' }, t.env)
    expect(packaging.failed).toBe(false)
    expect(packaging.log).toMatch(
      /::warning::Input 'github-deployment' is not used: it follows a CodeDeploy deployment, and command 'package' creates none\. It is ignored/
    )
    expect(since(before)).toEqual([])
    const noToken = await runInProcess({ ...inputs, source: dir, 'github-token': '' }, t.env)
    expect(noToken.failed).toBe(true)
    expect(noToken.log).toMatch(/permissions: deployments: write/)
  })
})

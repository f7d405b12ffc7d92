/**
 * GitHub revisions (`revision: github`, `revision: github:owner/repo@sha`) against the local
 * stack: the emulator serves the commit from a local git repository made here, an instance gets
 * its tree, nothing goes to S3; malformed names, a missing job context and a group that takes no
 * GitHub revision are refused before anything is written.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runInProcess } from './helpers/action.js'
import { GOOD_APPSPEC, badInputCases, tree, withInputs, writes } from './helpers/bad-input.js'
import { commitAt } from './helpers/git.js'
import { script, writeTree } from './helpers/revisions.js'
import { useTestStack } from './helpers/stack.js'

const REPO = 'octo-org/web'
/** Filled as the repositories are made; the emulator reads it at each deployment. */
const repositories: Record<string, string> = {}

const t = useTestStack({
  groups: { staging: 1, prod: 1 },
  stepDelayMs: 0,
  config: {
    gitHub: { repositories },
    applications: [
      {
        name: 'functions',
        computePlatform: 'Lambda',
        deploymentGroups: [
          { name: 'checkout', deploymentConfig: 'CodeDeployDefault.LambdaAllAtOnce' }
        ]
      }
    ],
    lambda: { functions: [{ name: 'checkout', versions: 1, aliases: { live: '1' } }] }
  }
})

const made: string[] = []
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true })
})

/** A repository outside the workspace holding `version` of the site; returns its commit. */
async function commitSite(version: string, seconds: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-gh-'))
  made.push(dir)
  await writeTree(dir, tree(GOOD_APPSPEC, { 'site/index.html': version }))
  repositories[REPO] = dir
  return commitAt(dir, seconds)
}

const base = { application: 'shop', 'deployment-group': 'staging' }
const SHA = 'a'.repeat(40)

describe('revision github:owner/repo@sha', () => {
  it('deploys the commit from GitHub: the instance has its files, nothing goes to S3', async () => {
    const sha = await commitSite('v1 from git', 1700000000)
    const s3Before = t.stack.s3.requests.length
    const result = await runInProcess(
      { ...base, revision: `github:${REPO}@${sha}`, bucket: 'bundles', 'key-prefix': 'app/' },
      t.env
    )
    expect(result.log).not.toMatch(/::error/)
    expect(result.failed).toBe(false)
    expect(result.outputs.status).toBe('Succeeded')
    expect(result.outputs.revision).toBe(`github:${REPO}@${sha}`)
    for (const name of ['bucket', 'key', 'etag', 'version-id', 'bundle-sha256'])
      expect(result.outputs[name] ?? '').toBe('')
    expect(await t.installed('staging', 'srv/app/index.html')).toBe('v1 from git')
    const [create] = t.calls('CreateDeployment').slice(-1)
    expect(create?.input.revision).toEqual({
      revisionType: 'GitHub',
      gitHubLocation: { repository: REPO, commitId: sha }
    })
    expect(t.stack.s3.requests.length).toBe(s3Before)
    // Bucket and key prefix have nothing to do: warned, ignored.
    expect(result.log).toMatch(/::warning::Input 'bucket' is not used/)
    expect(result.log).toMatch(/::warning::Input 'key-prefix' is not used/)
    expect(result.summary).toContain(`github:${REPO}@${sha}`)
  })

  it('rolls a failed commit back to the last good one, fetched again from GitHub', async () => {
    const good = await commitSite('v-good', 1700000010)
    const ok = await runInProcess(
      { ...base, 'deployment-group': 'prod', revision: `github:${REPO}@${good}` },
      t.env
    )
    expect(ok.outputs.status).toBe('Succeeded')
    // The next commit of the same repository: its check script fails.
    const dir = repositories[REPO]!
    await writeTree(dir, { 'site/index.html': 'v-bad', 'scripts/check.sh': script('exit 3') })
    const broken = commitAt(dir, 1700000030)
    const result = await runInProcess(
      { ...base, 'deployment-group': 'prod', revision: `github:${REPO}@${broken}` },
      t.env
    )
    expect(result.failed).toBe(true)
    expect(result.outputs.status).toBe('Failed')
    expect(result.outputs['rollback-status']).toBe('Succeeded')
    expect(await t.installed('prod', 'srv/app/index.html')).toBe('v-good')
  })

  it('fails the deployment, as CodeDeploy does, when the commit cannot be fetched', async () => {
    await commitSite('v2', 1700000100)
    const result = await runInProcess({ ...base, revision: `github:${REPO}@${SHA}` }, t.env)
    expect(result.failed).toBe(true)
    expect(result.outputs.status).toBe('Failed')
    expect(result.log).toMatch(/DownloadBundle/)
    expect(result.log).toMatch(/commit was not found/)
  })

  it('fails the deployment when the repository is not one CodeDeploy can read', async () => {
    const result = await runInProcess({ ...base, revision: `github:octo-org/other@${SHA}` }, t.env)
    expect(result.failed).toBe(true)
    expect(result.outputs.status).toBe('Failed')
    expect(result.log).toMatch(/repository was not found/)
  })
})

describe('revision github (this repository at this commit)', () => {
  /** The job's checkout: a source directory in the workspace, committed; returns dir and sha. */
  async function checkout(appspec: string, version: string): Promise<[string, string]> {
    const dir = await t.source(tree(appspec, { 'site/index.html': version }))
    const sha = commitAt(path.join(t.workspace, dir), 1700000200)
    repositories[REPO] = path.join(t.workspace, dir)
    return [dir, sha]
  }

  it('deploys GITHUB_REPOSITORY at GITHUB_SHA, its checkout checked first', async () => {
    const [dir, sha] = await checkout(GOOD_APPSPEC, 'v3 checkout')
    const result = await runInProcess(
      { ...base, revision: 'github', source: dir },
      { ...t.env, GITHUB_REPOSITORY: REPO, GITHUB_SHA: sha }
    )
    expect(result.log).not.toMatch(/::error/)
    expect(result.outputs.status).toBe('Succeeded')
    expect(result.outputs.revision).toBe(`github:${REPO}@${sha}`)
    expect(result.log).toMatch(/appspec\.yml \(the checkout of octo-org\/web@/)
    expect(await t.installed('staging', 'srv/app/index.html')).toBe('v3 checkout')
  })

  it("refuses the checkout's broken appspec before any write", async () => {
    const [dir, sha] = await checkout(GOOD_APPSPEC.replace('os: linux', 'os: plan9'), 'v4')
    const before = writes(t)
    const result = await runInProcess(
      { ...base, revision: 'github', source: dir },
      { ...t.env, GITHUB_REPOSITORY: REPO, GITHUB_SHA: sha }
    )
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(/::error.*plan9/)
    expect(writes(t)).toBe(before)
  })
})

describe('malformed GitHub revisions', () => {
  const noJob = { GITHUB_REPOSITORY: '', GITHUB_SHA: '' }
  badInputCases(
    t,
    {
      'a short sha': withInputs(
        { revision: `github:${REPO}@abc1234` },
        /short SHA.*full 40-character commit SHA, e\.g\. \$\{\{ github\.sha \}\}/
      ),
      'a branch name': withInputs(
        { revision: `github:${REPO}@main` },
        /'main' is not a commit SHA.*full 40-character commit SHA/
      ),
      'no owner': withInputs({ revision: `github:web@${SHA}` }, /it must be 'owner\/repo'/),
      'no commit': withInputs({ revision: `github:${REPO}` }, /Expected github:owner\/repo@/),
      'a bad owner': withInputs(
        { revision: `github:-octo/web@${SHA}` },
        /owner '-octo' is not a GitHub account name/
      ),
      'revision github outside a job': {
        inputs: { revision: 'github' },
        env: noJob,
        message: /GITHUB_REPOSITORY and GITHUB_SHA.*not set here.*github:owner\/repo@/
      },
      'a pin on a GitHub revision': withInputs(
        { revision: `github:${REPO}@${SHA}`, 'revision-etag': 'abc' },
        /'revision-etag' pins an S3 object/
      ),
      'a Lambda group': withInputs(
        {
          revision: `github:${REPO}@${SHA}`,
          application: 'functions',
          'deployment-group': 'checkout'
        },
        /deploys to AWS Lambda.*GitHub revision deploys to EC2\/on-premises instances only/
      )
    },
    base
  )
})

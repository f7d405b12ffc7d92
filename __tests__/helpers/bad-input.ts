/**
 * The bad-input tables (bad-input.test.ts, bad-input-more.test.ts): one case is one in-process
 * run against the local stack that must fail with an ::error line naming the problem and the fix,
 * and write nothing: no S3 write, no CodeDeploy call other than a read, no ECS task definition
 * registered, no Lambda version published and no alias moved.
 */
import { expect, it } from '@jest/globals'
import { runInProcess } from './action.js'
import { script, type Tree } from './revisions.js'
import type { TestStack } from './stack.js'

export const GOOD_APPSPEC =
  'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/app\nhooks:\n  ValidateService:\n    - location: scripts/check.sh\n      timeout: 60\n'

export function tree(appspecText: string | undefined, extra: Tree = {}): Tree {
  return {
    ...(appspecText === undefined ? {} : { 'appspec.yml': appspecText }),
    'site/index.html': 'hello',
    'scripts/check.sh': script('true'),
    ...extra
  }
}

export interface Case {
  tree?: Tree
  /** Create the source as an empty directory. */
  empty?: boolean
  /**
   * `source: 'LINK'` stands for `<the tree's directory>/elsewhere`; in every value, `{dir}`
   * stands for the tree's directory (relative to the workspace), e.g. `appspec: '{dir}/a.yaml'`.
   */
  inputs?: Record<string, string>
  env?: Record<string, string>
  message: RegExp
}

/** Credentials that a workflow's undefined secrets give, and nowhere else to find any. */
export const NO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_EC2_METADATA_DISABLED: 'true'
}

export const withAppspec = (text: string, message: RegExp): Case => ({ tree: tree(text), message })
export const base = { application: 'shop', 'deployment-group': 'staging', bucket: 'bundles' }

/** CodeDeploy operations that only read. */
const READS = /^(Get|List|BatchGet)/

/**
 * Everything the stack keeps that a write changes: S3 writes and CodeDeploy calls other than
 * reads counted, and the ECS and Lambda state (task definition revisions, function versions,
 * alias targets and weights) as text.
 */
export function writes(t: TestStack): string {
  const s3 = t.stack.s3.requests.filter(
    r => r.method === 'PUT' || r.method === 'POST' || r.method === 'DELETE'
  ).length
  const codedeploy = t.stack.codedeploy.calls.filter(c => !READS.test(c.operation)).length
  const world = t.stack.ecsLambda.world
  const ecs = [...world.taskDefinitions].map(
    ([family, revisions]) => `${family}:${revisions.length}`
  )
  const lambda = [...world.functions.values()].map(fn => ({
    name: fn.name,
    versions: fn.versions.length,
    aliases: [...fn.aliases.values()].map(a => [a.name, a.functionVersion, a.weights ?? {}])
  }))
  return JSON.stringify({ s3, codedeploy, ecs, lambda })
}

/** One test per case: it fails, its ::error lines match the case's message, nothing is written. */
export function badInputCases(
  t: TestStack,
  cases: Record<string, Case>,
  defaults: Record<string, string> = base
): void {
  it.each(Object.keys(cases))('%s fails with a fix and writes nothing', async name => {
    const c = cases[name]!
    const dir = await t.source(c.empty ? {} : (c.tree ?? tree(GOOD_APPSPEC)))
    const before = writes(t)
    const inputs: Record<string, string> = { ...defaults, source: dir, ...c.inputs }
    for (const [key, value] of Object.entries(inputs))
      inputs[key] = value === 'LINK' ? `${dir}/elsewhere` : value.replaceAll('{dir}', dir)
    const result = await runInProcess(inputs, { ...t.env, ...c.env })
    expect(result.failed).toBe(true)
    const failure = result.log
      .split('\n')
      .filter(l => l.startsWith('::error'))
      .join('\n')
    expect(failure).toMatch(c.message)
    expect(writes(t)).toBe(before)
    expect(result.outputs['deployment-id']).toBeUndefined()
  })
}

export const withInputs = (inputs: Record<string, string>, message: RegExp): Case => ({
  inputs,
  message
})

import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { DeploymentStatus } from '@aws-sdk/client-codedeploy'
import { parse } from 'yaml'
import { DECLARED_FILE, renderDeclared, updatedReadme } from '../scripts/readme.js'
import { readWorkflowInputs } from '../src/action/inputs.js'
import { usage } from '../src/cli/usage.js'
import { COMMANDS } from '../src/engine/inputs/names.js'
import { INPUT_NAMES, WORKFLOW_INPUTS, parseSettings } from '../src/engine/inputs/settings.js'
import { OUTPUT_NAMES } from '../src/engine/tell/headline.js'

const actionYml = readFileSync('action.yml', 'utf8')
const action = parse(actionYml) as {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
  runs: { using: string; main: string }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ts'))
    .map(e => `${e.parentPath}/${e.name}`)
}

describe('the public contract', () => {
  it('README tables match action.yml (run `npm run docs` to fix)', () => {
    const readme = readFileSync('README.md', 'utf8')
    expect(readme).toBe(updatedReadme(readme, actionYml))
  })

  it('the inputs the code knows are generated from action.yml (run `npm run docs` to fix)', async () => {
    expect(readFileSync(DECLARED_FILE, 'utf8')).toBe(await renderDeclared(actionYml))
    expect([...INPUT_NAMES, ...WORKFLOW_INPUTS].sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it('every declared input is read, and every input read is declared', () => {
    const read = new Set<string>()
    const from =
      (inputs: Record<string, string>) =>
      (name: string): string => {
        read.add(name)
        return inputs[name] ?? ''
      }
    const attempt = (fn: () => unknown): unknown => {
      try {
        return fn()
      } catch {
        return undefined
      }
    }
    for (const command of COMMANDS) attempt(() => parseSettings(from({ command }), '/w'))
    const settings = parseSettings(from({ command: 'package', bucket: 'b-b-b' }), '/w')
    const workflow = from({ 'artifact-name': 'a', 'github-deployment': 'e' })
    const runner = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'http://results' }
    attempt(() => readWorkflowInputs({ ...settings, command: 'deploy' }, runner, workflow))
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it("reads an input left out as action.yml's default, as a runner passes it", () => {
    const required = { application: 'web', 'deployment-group': 'prod', bucket: 'b-b-b' }
    const defaults = Object.fromEntries(
      INPUT_NAMES.flatMap(name => {
        const value = action.inputs[name]?.default
        return value === undefined ? [] : [[name, value]]
      })
    )
    expect(Object.keys(defaults)).toEqual(expect.arrayContaining(['timeout', 'wait', 'command']))
    const parsed = (inputs: Record<string, string>) =>
      parseSettings(name => inputs[name] ?? '', '/w')
    expect(parsed(required)).toEqual(parsed({ ...defaults, ...required }))
  })

  it("lists every input of the CLI's --help with action.yml's default", () => {
    const help = usage()
    for (const name of INPUT_NAMES) {
      const value = action.inputs[name]?.default
      expect(help).toContain(`  --${name} <value>${value ? `   (default: ${value})` : ''}\n`)
    }
    for (const name of WORKFLOW_INPUTS) expect(help).not.toContain(`--${name}`)
  })

  it('the outputs derived from the run record are exactly those action.yml declares', () => {
    expect([...OUTPUT_NAMES].sort()).toEqual(Object.keys(action.outputs).sort())
  })

  it.each([
    ['status', [...Object.values(DeploymentStatus), 'Skipped']],
    ['rollback-status', Object.values(DeploymentStatus)]
  ])("documents every value output '%s' can take", (name, values) => {
    const description = (action.outputs[name] as { description: string }).description
    for (const value of values) expect(description).toMatch(new RegExp(`\\b${value}\\b`))
  })

  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('the README IAM policy grants every AWS call the action makes, and nothing else', () => {
    const readme = readFileSync('README.md', 'utf8')
    const block = /## IAM policy[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBeDefined()
    const policy = JSON.parse(block!) as { Statement: { Action: string[] }[] }
    const granted = new Set(policy.Statement.flatMap(s => s.Action))

    const source = sourceFiles('src')
      .map(f => readFileSync(f, 'utf8'))
      .join('\n')
    const needed = new Set<string>()
    // An operation is named by its command (FooCommand) or its paginator (paginateFoo), imported
    // statically or with import() where it is used.
    const operations = (names: string): string[] => [
      ...[...names.matchAll(/\b(\w+)Command\b/g)].map(m => m[1]!),
      ...[...names.matchAll(/\bpaginate(\w+)\b/g)].map(m => m[1]!)
    ]
    const importsOf = (client: string): RegExp =>
      new RegExp(
        `(?:import\\s*{([^}]*)}\\s*from|const\\s*{([^}]*)}\\s*=\\s*await import\\()\\s*'@aws-sdk\\/${client}'`,
        'g'
      )
    for (const [, a, b] of source.matchAll(importsOf('client-codedeploy')))
      for (const op of operations(a ?? b ?? '')) needed.add(`codedeploy:${op}`)
    // S3 calls map to the actions that authorise them.
    const s3: Record<string, string[]> = {
      HeadObject: ['s3:GetObject', 's3:GetObjectVersion'],
      HeadBucket: ['s3:ListBucket'],
      PutObject: ['s3:PutObject'],
      ListMultipartUploads: ['s3:ListBucketMultipartUploads'],
      AbortMultipartUpload: ['s3:AbortMultipartUpload']
    }
    for (const [, a, b] of source.matchAll(importsOf('client-s3')))
      for (const op of operations(a ?? b ?? '')) {
        expect(s3).toHaveProperty(op)
        for (const action of s3[op]!) needed.add(action)
      }
    // ECS and Lambda calls map one to one; a registered task definition passes its roles.
    for (const [client, prefix] of [
      ['client-ecs', 'ecs'],
      ['client-lambda', 'lambda']
    ] as const) {
      for (const [, a, b] of source.matchAll(importsOf(client)))
        for (const op of operations(a ?? b ?? '')) needed.add(`${prefix}:${op}`)
    }
    if (needed.has('ecs:RegisterTaskDefinition')) needed.add('iam:PassRole')
    // A group created or updated with its service role passes that role; tags given to
    // CreateDeploymentGroup are authorised by TagResource.
    if (needed.has('codedeploy:CreateDeploymentGroup')) needed.add('iam:PassRole')
    if (/CreateDeploymentGroup[\s\S]*\btags:/.test(source)) needed.add('codedeploy:TagResource')
    // @aws-sdk/lib-storage: PutObject or multipart (authorised by s3:PutObject), aborted on failure.
    if (source.includes('new Upload(')) needed.add('s3:PutObject').add('s3:AbortMultipartUpload')
    // Tags sent with the object (Tagging on PutObject / CreateMultipartUpload) need their own grant.
    if (/\bTagging:/.test(source)) needed.add('s3:PutObjectTagging')
    // sse aws:kms with a customer managed key: S3 asks KMS for a data key to write and to read.
    if (source.includes('SSEKMSKeyId')) needed.add('kms:GenerateDataKey').add('kms:Decrypt')

    expect([...needed].filter(a => !granted.has(a))).toEqual([])
    expect([...granted].filter(a => !needed.has(a))).toEqual([])
  })
})

import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { parse } from 'yaml'
import { updatedReadme } from '../scripts/readme.js'
import { ActionInput } from '../src/action/inputs.js'
import { Input } from '../src/engine/inputs/settings.js'
import { OUTPUT_NAMES } from '../src/engine/tell/headline.js'

const actionYml = readFileSync('action.yml', 'utf8')
const action = parse(actionYml) as {
  inputs: Record<string, unknown>
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

  it('every declared input is read by the settings parser, and every input read is declared', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      [...Object.values(Input), ...Object.values(ActionInput)].sort()
    )
  })

  it('the outputs derived from the run record are exactly those action.yml declares', () => {
    expect([...OUTPUT_NAMES].sort()).toEqual(Object.keys(action.outputs).sort())
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
    // @aws-sdk/lib-storage: PutObject or multipart (authorised by s3:PutObject), aborted on failure.
    if (source.includes('new Upload(')) needed.add('s3:PutObject').add('s3:AbortMultipartUpload')
    // sse aws:kms with a customer managed key: S3 asks KMS for a data key to write and to read.
    if (source.includes('SSEKMSKeyId')) needed.add('kms:GenerateDataKey').add('kms:Decrypt')

    expect([...needed].filter(a => !granted.has(a))).toEqual([])
    expect([...granted].filter(a => !needed.has(a))).toEqual([])
  })
})

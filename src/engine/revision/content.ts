/**
 * ECS and Lambda deployments take their AppSpec inline, as an AppSpecContent revision: no bundle,
 * no S3. This readies it: checks the file for the group's platform, registers the ECS task
 * definition given in `task-definition` and puts its ARN in, or fills the Lambda versions left
 * out (CurrentVersion from the alias, TargetVersion by publishing one), then hashes the text that
 * is sent.
 */
import {
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { GetAliasCommand, PublishVersionCommand } from '@aws-sdk/client-lambda'
import type { RevisionLocation } from '@aws-sdk/client-codedeploy'
import { readFile } from 'node:fs/promises'
import {
  checkContentAppSpec,
  contentSha256,
  parseContentAppSpec,
  withLambdaVersions,
  withTaskDefinition,
  type ContentAppSpec,
  type ContentPlatform
} from './appspec/index.js'
import { errorName } from '../aws/errors.js'
import type { Run } from '../context.js'
import { InputError, errorMessage } from '../errors.js'

/** What an AppSpecContent revision was made of, for the record and the outputs. */
export interface ContentFacts {
  platform: ContentPlatform
  /** The AppSpec file, relative to the workspace. */
  file: string
  sha256: string
  taskDefinitionArn?: string
  lambda?: { name: string; alias: string; currentVersion: string; targetVersion: string }
}

/** Read-only fields of a described task definition that RegisterTaskDefinition refuses. */
const DESCRIBED_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt'
]

async function registerTaskDefinition(run: Run, file: string): Promise<string> {
  const ecs = run.deps.ecs
  if (!ecs) throw new Error('No ECS client to register the task definition with')
  let input: Record<string, unknown>
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'))
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('it is not a JSON object')
    input = { ...(parsed as Record<string, unknown>) }
    // `aws ecs describe-task-definition` output is accepted as it is.
    if (input.taskDefinition && typeof input.taskDefinition === 'object')
      input = { ...(input.taskDefinition as Record<string, unknown>) }
  } catch (error) {
    throw new InputError(
      `Cannot read task-definition ${run.relative(file)}: ${errorMessage(error)}. Give a task definition as JSON, e.g. the output of 'aws ecs describe-task-definition' or the file you register by hand.`
    )
  }
  for (const field of DESCRIBED_ONLY) delete input[field]
  if (typeof input.family !== 'string' || !Array.isArray(input.containerDefinitions))
    throw new InputError(
      `task-definition ${run.relative(file)} has no 'family' or no 'containerDefinitions'; both are required to register it.`
    )
  try {
    const out = await ecs.send(
      new RegisterTaskDefinitionCommand(input as unknown as RegisterTaskDefinitionCommandInput),
      run.signal ? { abortSignal: run.signal } : {}
    )
    const arn = out.taskDefinition?.taskDefinitionArn
    if (!arn) throw new Error('RegisterTaskDefinition returned no ARN')
    run.reporter.info(`Registered task definition ${arn}.`)
    return arn
  } catch (error) {
    if (errorName(error) === 'ClientException' || errorName(error) === 'InvalidParameterException')
      throw new InputError(
        `ECS refused task-definition ${run.relative(file)}: ${errorMessage(error)}`
      )
    throw error
  }
}

async function lambdaVersions(
  run: Run,
  spec: NonNullable<ContentAppSpec['lambda']>
): Promise<{ currentVersion: string; targetVersion: string }> {
  const lambda = run.deps.lambda
  const options = run.signal ? { abortSignal: run.signal } : {}
  let currentVersion = spec.currentVersion
  if (!currentVersion) {
    if (!lambda) throw new Error('No Lambda client to read the alias with')
    const alias = await lambda
      .send(new GetAliasCommand({ FunctionName: spec.name, Name: spec.alias }), options)
      .catch((error: unknown) => {
        if (errorName(error) === 'ResourceNotFoundException')
          throw new InputError(
            `Lambda has no alias '${spec.alias}' of function '${spec.name}' (${errorMessage(error)}). Check Name and Alias in the appspec, and the region.`
          )
        throw error
      })
    if (!alias.FunctionVersion) throw new Error(`Alias ${spec.alias} names no version`)
    currentVersion = alias.FunctionVersion
    run.reporter.info(`Alias ${spec.name}:${spec.alias} points at version ${currentVersion}.`)
  }
  let targetVersion = spec.targetVersion
  if (!targetVersion) {
    const published = await publishVersion(run, spec.name)
    if (!published.Version) throw new Error(`PublishVersion returned no version for ${spec.name}`)
    targetVersion = published.Version
    run.reporter.info(`Published version ${targetVersion} of ${spec.name}.`)
  }
  if (targetVersion === currentVersion)
    throw new InputError(
      `Version ${targetVersion} of ${spec.name} is already what alias ${spec.alias} points at: nothing to shift. Update the function's code or configuration first (a new version is published only when $LATEST changed), or set TargetVersion in the appspec.`
    )
  return { currentVersion, targetVersion }
}

/** How long a function still updating (right after update-function-code) is waited for. */
const UPDATE_WAIT_MS = 60_000

/**
 * PublishVersion, waiting while the function's last update is still in progress (Lambda answers
 * ResourceConflictException then; it is the usual case right after update-function-code).
 */
async function publishVersion(run: Run, name: string): Promise<{ Version?: string }> {
  const lambda = run.deps.lambda
  if (!lambda) throw new Error('No Lambda client to publish the version with')
  const until = run.clock.now() + UPDATE_WAIT_MS
  for (;;) {
    try {
      return await lambda.send(
        new PublishVersionCommand({ FunctionName: name }),
        run.signal ? { abortSignal: run.signal } : {}
      )
    } catch (error) {
      const type = errorName(error)
      if (type === 'ResourceNotFoundException')
        throw new InputError(
          `Lambda has no function '${name}' to publish a version of (${errorMessage(error)}). Check Name in the appspec, and the region.`
        )
      if (type !== 'ResourceConflictException' || run.clock.now() >= until) throw error
      run.reporter.info(`${name} is still being updated; publishing its version once it is done.`)
      await run.clock.sleep(2000, run.signal)
    }
  }
}

/** Checks, completes and hashes the AppSpec; the revision to deploy and what it was made of. */
export async function prepareContent(
  run: Run,
  platform: ContentPlatform
): Promise<{ location: RevisionLocation; facts: ContentFacts }> {
  const { settings, reporter } = run
  const file = settings.appspec
  if (!file) throw new Error('prepareContent without an appspec')
  run.enter('appspec')
  let spec: ContentAppSpec
  try {
    spec = await checkContentAppSpec(file, platform)
  } catch (error) {
    throw run.pointAt(error)
  }
  for (const warning of spec.warnings)
    reporter.warning(warning, { file: run.relative(file), title: 'appspec' })
  const facts: ContentFacts = { platform, file: run.relative(file), sha256: '' }
  let content = spec.content
  if (
    platform === 'ECS' &&
    !settings.taskDefinition &&
    /^<.*>$/.test(spec.ecs?.taskDefinition ?? '')
  )
    throw new InputError(
      `${run.relative(file)} leaves TaskDefinition as the placeholder ${spec.ecs?.taskDefinition ?? ''}, and no 'task-definition' is given to fill it. Give the task definition JSON in 'task-definition', or write its ARN in the appspec.`
    )
  if (platform === 'ECS' && settings.taskDefinition) {
    run.enter('register')
    facts.taskDefinitionArn = await registerTaskDefinition(run, settings.taskDefinition)
    content = withTaskDefinition(spec, facts.taskDefinitionArn)
  }
  if (platform === 'Lambda' && spec.lambda) {
    run.enter('register')
    const versions = await lambdaVersions(run, spec.lambda)
    facts.lambda = { name: spec.lambda.name, alias: spec.lambda.alias, ...versions }
    content = withLambdaVersions(spec, versions)
  }
  // What is sent is checked as what was read was.
  if (content !== spec.content) parseContentAppSpec(content, file, platform)
  facts.sha256 = contentSha256(content)
  reporter.info(
    `${facts.file}: ${platform} AppSpec, ${spec.hooks.length} hook(s), sha256 ${facts.sha256}`
  )
  return {
    location: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: facts.sha256 } },
    facts
  }
}

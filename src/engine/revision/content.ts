/**
 * ECS and Lambda deployments take their AppSpec inline, as an AppSpecContent revision: no bundle,
 * no S3. This readies it: checks the file for the group's platform, registers the ECS task
 * definition given in `task-definition` and puts its ARN in, or fills the Lambda versions left
 * out (CurrentVersion from the alias, TargetVersion by publishing one), then hashes the text that
 * is sent.
 */
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
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
import { FAMILY_REVISION, PLACEHOLDER, TASK_DEFINITION_ARN } from './appspec/content/ecs.js'
import type { ContentFacts } from '../tell/record.js'
import { pointAt, shown, type RevisionStage } from './stage.js'
import { InputError, errorMessage } from '../errors.js'

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

/** ECS's rule for a task definition's family. */
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/

/**
 * What ECS or CodeDeploy would refuse in a task definition, found before it is registered: a
 * family and containers with a name and an image each, one of them the appspec's ContainerName
 * (with its ContainerPort, when the container maps ports).
 */
function taskDefinitionProblem(
  input: Record<string, unknown>,
  ecs: ContentAppSpec['ecs']
): string | undefined {
  const { family, containerDefinitions: containers } = input
  if (typeof family !== 'string' || family === '')
    return `has no 'family'. Add "family": "<name>", the task definition family to register a revision of`
  if (!FAMILY.test(family))
    return `has family '${family.slice(0, 60)}', which ECS refuses. Use up to 255 letters, digits, hyphens and underscores, e.g. "family": "web"`
  if (!Array.isArray(containers) || containers.length === 0)
    return `has no 'containerDefinitions'. Add "containerDefinitions": [{"name": "web", "image": "…"}], the containers of the task`
  const names: string[] = []
  for (const [index, raw] of containers.entries()) {
    const container = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
    const name = typeof container.name === 'string' && container.name ? container.name : ''
    const missing = ['name', 'image'].filter(
      key => typeof container[key] !== 'string' || container[key] === ''
    )
    if (missing.length)
      return `has a container (${name ? `'${name}'` : `containerDefinitions[${index}]`}) without ${missing.map(m => `'${m}'`).join(' and ')}. Give each container a name and an image`
    names.push(name)
  }
  if (!ecs) return undefined
  const target = containers.find(c => (c as Record<string, unknown>).name === ecs.containerName) as
    Record<string, unknown> | undefined
  if (!target)
    return `has no container '${ecs.containerName}', the appspec's ContainerName (it has: ${names.join(', ')}). Set ContainerName to one of them, or add the container to the task definition`
  const mappings = Array.isArray(target.portMappings)
    ? (target.portMappings as Record<string, unknown>[])
    : []
  const ports = mappings.map(m => m?.containerPort).filter(p => typeof p === 'number')
  if (ports.length > 0 && !ports.includes(ecs.containerPort))
    return `maps no port ${ecs.containerPort} (the appspec's ContainerPort) in container '${ecs.containerName}' (it maps: ${ports.join(', ')}). Set ContainerPort to one of them, or add the port mapping`
  return undefined
}

async function registerTaskDefinition(
  stage: RevisionStage,
  file: string,
  spec: ContentAppSpec
): Promise<string> {
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
      `Cannot read task-definition ${shown(stage, file)}: ${errorMessage(error)}. Give a task definition as JSON, e.g. the output of 'aws ecs describe-task-definition' or the file you register by hand.`
    )
  }
  for (const field of DESCRIBED_ONLY) delete input[field]
  const problem = taskDefinitionProblem(input, spec.ecs)
  if (problem) throw new InputError(`task-definition ${shown(stage, file)} ${problem}.`)
  try {
    const arn = await stage.ports.gateway.registerTaskDefinition(
      input as unknown as RegisterTaskDefinitionCommandInput
    )
    stage.ports.reporter.info(`Registered task definition ${arn}.`)
    return arn
  } catch (error) {
    if (errorName(error) === 'ClientException' || errorName(error) === 'InvalidParameterException')
      throw new InputError(
        `ECS refused task-definition ${shown(stage, file)}: ${errorMessage(error)}`
      )
    throw error
  }
}

async function lambdaVersions(
  stage: RevisionStage,
  spec: NonNullable<ContentAppSpec['lambda']>
): Promise<{ currentVersion: string; targetVersion: string }> {
  const { gateway, reporter } = stage.ports
  let currentVersion = spec.currentVersion
  if (!currentVersion) {
    const version = await gateway.aliasVersion(spec.name, spec.alias).catch((error: unknown) => {
      if (errorName(error) === 'ResourceNotFoundException')
        throw new InputError(
          `Lambda has no alias '${spec.alias}' of function '${spec.name}' (${errorMessage(error)}). Check Name and Alias in the appspec, and the region.`
        )
      throw error
    })
    if (!version) throw new Error(`Alias ${spec.alias} names no version`)
    currentVersion = version
    reporter.info(`Alias ${spec.name}:${spec.alias} points at version ${currentVersion}.`)
  }
  let targetVersion = spec.targetVersion
  if (!targetVersion) {
    const published = await publishVersion(stage, spec.name)
    if (!published) throw new Error(`PublishVersion returned no version for ${spec.name}`)
    targetVersion = published
    reporter.info(`Published version ${targetVersion} of ${spec.name}.`)
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
async function publishVersion(stage: RevisionStage, name: string): Promise<string | undefined> {
  const { gateway, clock, reporter, cancel } = stage.ports
  const until = clock.now() + UPDATE_WAIT_MS
  for (;;) {
    try {
      return await gateway.publishVersion(name)
    } catch (error) {
      const type = errorName(error)
      if (type === 'ResourceNotFoundException')
        throw new InputError(
          `Lambda has no function '${name}' to publish a version of (${errorMessage(error)}). Check Name in the appspec, and the region.`
        )
      if (type !== 'ResourceConflictException' || clock.now() >= until) throw error
      reporter.info(`${name} is still being updated; publishing its version once it is done.`)
      await clock.sleep(2000, cancel.signal)
    }
  }
}

/** Checks, completes and hashes the AppSpec; the revision to deploy and what it was made of. */
export async function prepareContent(
  stage: RevisionStage,
  platform: ContentPlatform
): Promise<{ location: RevisionLocation; facts: ContentFacts }> {
  const { settings, record } = stage
  const { reporter } = stage.ports
  const file = settings.appspec
  if (!file) throw new Error('prepareContent without an appspec')
  record.stage = 'appspec'
  let spec: ContentAppSpec
  try {
    spec = await checkContentAppSpec(file, platform)
  } catch (error) {
    throw pointAt(stage, error)
  }
  for (const warning of spec.warnings)
    reporter.warning(warning, { file: shown(stage, file), title: 'appspec' })
  const facts: ContentFacts = { platform, file: shown(stage, file), sha256: '' }
  let content = spec.content
  const taskDefinition = spec.ecs?.taskDefinition ?? ''
  if (platform === 'ECS' && !settings.taskDefinition && PLACEHOLDER.test(taskDefinition))
    throw new InputError(
      `${shown(stage, file)} leaves TaskDefinition as the placeholder ${taskDefinition}, and no 'task-definition' is given to fill it. Give the task definition JSON in 'task-definition', or write its ARN in the appspec.`
    )
  if (
    platform === 'ECS' &&
    !settings.taskDefinition &&
    !TASK_DEFINITION_ARN.test(taskDefinition) &&
    !FAMILY_REVISION.test(taskDefinition)
  )
    throw new InputError(
      `${shown(stage, file)}: TaskDefinition '${taskDefinition.slice(0, 80)}' names no task definition: give its ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or family:revision, or a placeholder such as <TASK_DEFINITION> with the task definition JSON in 'task-definition'.`
    )
  if (platform === 'ECS' && settings.taskDefinition) {
    record.stage = 'register'
    facts.taskDefinitionArn = await registerTaskDefinition(stage, settings.taskDefinition, spec)
    content = withTaskDefinition(spec, facts.taskDefinitionArn)
  }
  if (platform === 'Lambda' && spec.lambda) {
    record.stage = 'register'
    const versions = await lambdaVersions(stage, spec.lambda)
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

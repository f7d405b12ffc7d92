/**
 * The run's settings: every input read once, checked, and turned into a typed object. Both
 * entry points (the action and the CLI) hand their raw strings to `parseInputs`, which also
 * returns the warnings about inputs the step does not use (uses.ts).
 */
import path from 'node:path'
import { InputError } from '../errors.js'
import { reader, type Reader } from './values.js'
import { contradictions, stepKind, unusedInputs, uses, type StepKind } from './uses.js'
import { COMMANDS, type Command, type InputName, type InputSource } from './names.js'
import {
  bucketNameProblem,
  bundlePathProblem,
  keyPrefixProblem,
  outsideRoots,
  parseRevision,
  within
} from './locations.js'
import { BUNDLE_TYPES, type BundleType, type S3Revision } from './s3-location.js'
import {
  isThisCommit,
  parseGitHubRevision,
  type GitHubContext,
  type GitHubRevision
} from './github-revision.js'
import type { TargetInstances } from '@aws-sdk/client-codedeploy'
import {
  parseOverrideAlarms,
  parseS3Tags,
  parseTargetInstances,
  type StructuredParser,
  type Tag
} from './options.js'

export { parseDuration } from './values.js'
export { bucketNameProblem } from './locations.js'
export {
  INPUT_NAMES,
  WORKFLOW_INPUTS,
  commandOf,
  type Command,
  type InputName,
  type InputSource
} from './names.js'

/** A blue/green deployment at Ready: reroute now, leave it to the group's timer or a person, or end the step. */
export type OnReady = 'continue' | 'wait' | 'exit'
/** Traffic is on the replacement and the originals wait to be terminated: end the step, follow the wait, or end the wait now. */
export type OnTerminationWait = 'exit' | 'wait' | 'continue'
export type AutoRollback = 'on-failure' | 'group' | 'off'
export type OnCancel = 'stop-and-rollback' | 'stop' | 'detach'
export type FileExistsBehavior = 'DISALLOW' | 'OVERWRITE' | 'RETAIN'
export type ServerSideEncryption = 'AES256' | 'aws:kms' | 'aws:kms:dsse'

export interface Settings {
  /** What to do: package+upload+deploy+wait, package+upload only, or redeploy the last good revision. */
  command: Command
  application: string
  deploymentGroup: string
  /** Empty: the deployment group's own configuration. */
  deploymentConfig?: string
  /** A file defining the deployment config to use, created when missing (absolute). */
  deploymentConfigSpec?: string
  /** A file of CreateDeploymentGroup's fields: the group is created or updated to it (absolute). */
  deploymentGroupConfig?: string
  /** Directory to package (absolute). */
  source: string
  /**
   * The AppSpec file (absolute): ECS or Lambda, sent inline as an AppSpecContent revision;
   * EC2/on-premises, packaged with `source` as the bundle's appspec.yml.
   */
  appspec?: string
  /** ECS: a task definition JSON file to register; its ARN goes into the appspec (absolute). */
  taskDefinition?: string
  bucket?: string
  /** Also write the bundle to this file (absolute); with command `package` and no bucket, only. */
  bundlePath?: string
  /** Normalised: empty, or ending in `/`; no `.`/`..` segment, no control character. */
  keyPrefix: string
  bundleType: BundleType
  /** Deploy this revision instead of packaging. */
  revision?: S3Revision
  /** Deploy this GitHub commit, which CodeDeploy fetches (nothing packaged, nothing uploaded). */
  gitHubRevision?: GitHubRevision
  /** The GitHub revision is the job's own commit: `source`, when checked out, is what deploys. */
  gitHubCheckout?: boolean
  /** Empty: built from the commit, ref and run URL. Cut to the API's 512 characters. */
  description?: string
  fileExistsBehavior?: FileExistsBehavior
  ignoreApplicationStopFailures: boolean
  autoRollback: AutoRollback
  wait: boolean
  /**
   * From the step's start until the deployment must have ended: packaging, upload, a busy group
   * and the deployment itself. When it passes, the deployment is stopped.
   */
  timeoutSeconds: number
  /** After a failure or a timeout, how long the rollback deployment is followed. */
  rollbackTimeoutSeconds: number
  onCancel: OnCancel
  /** Skip when a newer run of the same workflow deployed, or is deploying, to the group. */
  skipIfSuperseded: boolean
  onReady: OnReady
  onTerminationWait: OnTerminationWait
  /** With command `continue`, `wait` or `stop`: the deployment to act on. */
  deploymentId?: string
  /** With command `stop`: StopDeployment's autoRollbackEnabled. */
  stopRollback: boolean
  sse?: ServerSideEncryption
  sseKmsKeyId?: string
  /** Tags for the bundle's S3 object. */
  s3Tags?: Tag[]
  /** Blue/green EC2: CreateDeployment's targetInstances (the replacement environment). */
  targetInstances?: TargetInstances
  /** The group's alarms this deployment ignores: all, or those named. */
  overrideAlarms?: 'all' | string[]
  /** In-place EC2: deploy only to instances that do not run this revision yet. */
  outdatedInstancesOnly: boolean
}

export interface ParseOptions {
  /**
   * Refuse a path input outside the workspace, links followed (the action, where
   * GITHUB_WORKSPACE is set); `bundle-path` may also be inside `tempRoot`.
   */
  confine?: boolean
  /** The runner's temp directory (RUNNER_TEMP), where `bundle-path` may point too. */
  tempRoot?: string
  /** Parses the YAML of `target-instances` and `s3-tags` (loadStructuredParser); JSON when absent. */
  parse?: StructuredParser
  /** GITHUB_REPOSITORY and GITHUB_SHA, for `revision: github`. */
  gitHub?: GitHubContext
}

/**
 * Whether a run with these settings calls AWS at all: every run but `package` that only writes the
 * bundle to `bundle-path` (no bucket) and has no application to check (revision/package.ts).
 * One that does not needs neither a region nor credentials.
 */
export function callsAws(settings: Settings): boolean {
  return !(settings.command === 'package' && !settings.bucket && !settings.application)
}

/** Whether the step packages (or, with an EC2 appspec, may package) a bundle of its own. */
export function buildsBundle(settings: Settings): boolean {
  if (settings.command === 'package') return true
  // With `appspec` the group's platform decides: an EC2/on-premises group gets a bundle with it
  // as its appspec.yml, an ECS or Lambda group none (the bundle's publisher is then not called).
  return settings.command === 'deploy' && !settings.revision && !settings.gitHubRevision
}

/**
 * The YAML parser the structured inputs need, loaded only when one of them is given (`yaml` stays
 * out of the action's start for every other run).
 */
export async function loadStructuredParser(
  get: InputSource
): Promise<StructuredParser | undefined> {
  if (!get('target-instances').trim() && !get('s3-tags').trim()) return undefined
  const { parse } = await import('yaml')
  return text => parse(text) as unknown
}

/** The settings, and the warnings about inputs given that the step does not use. */
export interface ParsedInputs {
  settings: Settings
  warnings: string[]
}

/**
 * Reads and checks every input the step uses; an input it does not use is ignored with a warning.
 * Throws one InputError listing every problem found, each with the expected form, so a user fixes
 * them all in one go.
 */
export function parseInputs(
  get: InputSource,
  workspace: string,
  options: ParseOptions = {}
): ParsedInputs {
  const problems: string[] = []
  const all = reader(get, problems)
  const given = all.given
  const command = all.choice<Command>('command', COMMANDS)
  const kind = stepKind(command, given('revision'), given('appspec'))
  const contradicting = contradictions(kind, given)
  problems.push(...contradicting.values())
  const warnings = unusedInputs(kind, given, contradicting)
  // From here on an input the step does not use reads as not given.
  const input = reader(name => (uses(kind, name) ? get(name) : ''), problems)
  const settings = readSettings(command, kind, input, workspace, options, problems)
  if (problems.length === 1) throw new InputError(problems[0])
  if (problems.length > 1) {
    throw new InputError(
      `${problems.length} inputs need fixing:\n${problems.map(p => `  - ${p}`).join('\n')}`
    )
  }
  return { settings, warnings }
}

/** The settings alone, for callers with nowhere to show warnings (the bench, tests). */
export function parseSettings(
  get: InputSource,
  workspace: string,
  options: ParseOptions = {}
): Settings {
  return parseInputs(get, workspace, options).settings
}

function readSettings(
  command: Command,
  kind: StepKind,
  input: Reader,
  workspace: string,
  options: ParseOptions,
  problems: string[]
): Settings {
  const read = input.given
  const application = read('application')
  const deploymentGroup = read('deployment-group')
  const deploymentConfig = read('deployment-config')
  const bucket = read('bucket')
  const deploymentId = read('deployment-id')
  const byId = kind === 'continue' || kind === 'wait' || kind === 'stop'
  if (byId) {
    const what = {
      continue: `the blue/green deployment to continue, e.g. the 'deployment-id' output of the step that left it Ready`,
      wait: `the deployment to wait for, e.g. the 'deployment-id' output of a step with wait: false`,
      stop: `the deployment to stop, e.g. the 'deployment-id' output of a step with wait: false`
    }[kind]
    if (!deploymentId)
      problems.push(
        `Input 'deployment-id' is required for command '${kind}': the id (d-XXXXXXXXX) of ${what}.`
      )
    else if (!/^d-[A-Z0-9]{9}$/.test(deploymentId))
      problems.push(
        `Invalid deployment-id '${deploymentId.slice(0, 40)}'. Expected a CodeDeploy deployment id such as d-A1B2C3D4E.`
      )
  }
  if (kind !== 'package' && !byId) {
    if (!application)
      problems.push(
        `Input 'application' is required for command '${command}': set it to the CodeDeploy application name.`
      )
    if (!deploymentGroup)
      problems.push(
        `Input 'deployment-group' is required for command '${command}': set it to the deployment group name (in application '${application || '…'}').`
      )
  }
  const nameProblem = (name: InputName, value: string): void => {
    const control = [...value].some(c => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)
    if (value && (value.length > 100 || control)) {
      // A line break or tab is shown escaped: printed as it is, it would hide in the log.
      const shown = JSON.stringify(value.slice(0, 40)).slice(1, -1)
      const why = control
        ? 'it holds a control character (a line break or tab)'
        : `it is ${value.length} characters long`
      problems.push(
        `Invalid ${name} '${shown}': ${why}. Give the name as CodeDeploy shows it: at most 100 printable characters.`
      )
    }
  }
  nameProblem('application', application)
  nameProblem('deployment-group', deploymentGroup)
  nameProblem('deployment-config', deploymentConfig)

  const revisionRaw = read('revision')
  const gitHubRevision =
    kind === 'github' ? parseGitHubRevision(revisionRaw, options.gitHub ?? {}, problems) : undefined
  const revision =
    revisionRaw && kind !== 'github'
      ? parseRevision(revisionRaw, read('revision-etag'), read('revision-version'), problems)
      : undefined

  const packaging = kind === 'bundle' || kind === 'package'
  const bundlePathRaw = read('bundle-path')
  const bundlePath = bundlePathRaw ? path.resolve(workspace, bundlePathRaw) : undefined
  if (packaging && !bucket && !(command === 'package' && bundlePath)) {
    problems.push(
      `Input 'bucket' is required to upload the bundle: the S3 bucket that CodeDeploy reads revisions from${command === 'package' ? ` (or, to write the bundle to a file without uploading it, set 'bundle-path')` : `. An ECS or Lambda deployment group takes no bundle: give its AppSpec file in 'appspec' instead`}.`
    )
  }
  if (bucket) {
    const problem = bucketNameProblem(bucket)
    if (problem)
      problems.push(
        `Invalid bucket '${bucket}': ${problem}. Give the bucket's name only, not an s3:// URL or ARN.`
      )
  }

  const keyPrefixRaw = read('key-prefix')
  const keyPrefix =
    keyPrefixRaw === '' || keyPrefixRaw.endsWith('/') ? keyPrefixRaw : `${keyPrefixRaw}/`
  const prefixProblem = keyPrefixProblem(keyPrefix)
  if (prefixProblem) {
    problems.push(
      `Invalid key-prefix ${JSON.stringify(keyPrefixRaw)}: ${prefixProblem}. Expected folder names joined by '/', e.g. 'my-app/' or 'teams/web/my-app/'.`
    )
  }

  const sse = input.optionalChoice<ServerSideEncryption>('sse', [
    'AES256',
    'aws:kms',
    'aws:kms:dsse'
  ])
  const sseKmsKeyId = read('sse-kms-key-id')
  if (sseKmsKeyId && sse !== 'aws:kms' && sse !== 'aws:kms:dsse') {
    problems.push(
      `Input 'sse-kms-key-id' needs sse: aws:kms (or aws:kms:dsse)${sse ? `, not ${sse}` : ''}. Set sse to aws:kms to encrypt the bundle with that key, or remove sse-kms-key-id.`
    )
  }

  const source = path.resolve(workspace, input.value('source'))
  const confined = (name: InputName, resolved: string, fix: string, roots = [workspace]): void => {
    const problem = options.confine && outsideRoots(resolved, roots)
    if (!problem) return
    const where =
      roots.length > 1
        ? `the workspace ${workspace} and the runner's temp directory ${roots[1]}`
        : `the workspace ${workspace}`
    problems.push(`Invalid ${name} '${read(name)}': ${problem}, outside ${where}. ${fix}`)
  }
  confined(
    'source',
    source,
    "Set it to a directory inside the workspace, relative to it, e.g. './deploy'."
  )
  if (bundlePath) {
    const temp = options.tempRoot
    const roots = temp && !within(workspace, temp) ? [workspace, temp] : [workspace]
    const before = problems.length
    confined(
      'bundle-path',
      bundlePath,
      `Write the bundle there, e.g. '\${{ runner.temp }}/bundle.zip'${temp ? ` (${path.join(temp, 'bundle.zip')})` : ''}.`,
      roots
    )
    const issue = problems.length === before && bundlePathProblem(source, bundlePath)
    if (issue) problems.push(`Invalid bundle-path '${bundlePathRaw}': ${issue}.`)
  }
  /** A file input: resolved against the workspace, and confined to it. */
  const workspaceFile = (name: InputName, example: string): string | undefined => {
    if (!read(name)) return undefined
    const file = path.resolve(workspace, read(name))
    confined(
      name,
      file,
      `Keep the file in the repository, or write it in an earlier step, and give its path relative to the workspace, e.g. '${example}'.`
    )
    return file
  }
  const appspec = workspaceFile('appspec', 'deploy/appspec.yaml')
  const configSpec = workspaceFile('deployment-config-spec', 'deploy/deployment-config.yml')
  const groupConfig = workspaceFile('deployment-group-config', 'deploy/deployment-group.yml')
  const taskDefinition = workspaceFile('task-definition', 'deploy/task-definition.json')

  const settings: Settings = {
    command,
    application,
    deploymentGroup,
    source,
    keyPrefix,
    bundleType: input.choice<BundleType>('bundle-type', BUNDLE_TYPES, v =>
      v.toLowerCase().replace(/^tar\.gz$/, 'tgz')
    ),
    ignoreApplicationStopFailures: input.boolean('ignore-application-stop-failures'),
    autoRollback: input.choice<AutoRollback>('auto-rollback', ['on-failure', 'group', 'off']),
    wait: input.boolean('wait'),
    timeoutSeconds: input.duration('timeout'),
    rollbackTimeoutSeconds: input.duration('rollback-timeout'),
    // Not given: the default for the kind of step. A wait step did not make its deployment, so
    // it leaves it as it is and follows it to its end. (No default in action.yml: a runner sets
    // every declared default as if given, and a wait step could not tell it from a choice.)
    onCancel:
      input.optionalChoice<OnCancel>('on-cancel', ['stop-and-rollback', 'stop', 'detach']) ??
      (kind === 'wait' ? 'detach' : 'stop-and-rollback'),
    onReady:
      input.optionalChoice<OnReady>('on-ready', ['continue', 'wait', 'exit']) ??
      (kind === 'wait' ? 'wait' : 'continue'),
    onTerminationWait:
      input.optionalChoice<OnTerminationWait>('on-termination-wait', [
        'exit',
        'wait',
        'continue'
      ]) ?? (kind === 'wait' ? 'wait' : 'exit'),
    skipIfSuperseded: input.boolean('skip-if-superseded'),
    stopRollback: input.boolean('rollback'),
    outdatedInstancesOnly: input.boolean('outdated-instances-only')
  }
  const s3Tags = parseS3Tags(read('s3-tags'), problems, options.parse)
  if (s3Tags) settings.s3Tags = s3Tags
  const targetInstances = parseTargetInstances(read('target-instances'), problems, options.parse)
  if (targetInstances) settings.targetInstances = targetInstances
  const overrideAlarms = parseOverrideAlarms(read('override-alarms'), problems)
  if (overrideAlarms) settings.overrideAlarms = overrideAlarms
  const fileExistsBehavior = input.optionalChoice<FileExistsBehavior>(
    'file-exists-behavior',
    ['DISALLOW', 'OVERWRITE', 'RETAIN'],
    v => v.toUpperCase()
  )
  if (fileExistsBehavior) settings.fileExistsBehavior = fileExistsBehavior
  if (deploymentConfig) settings.deploymentConfig = deploymentConfig
  if (bucket) settings.bucket = bucket
  if (bundlePath) settings.bundlePath = bundlePath
  if (revision) settings.revision = revision
  if (gitHubRevision) {
    settings.gitHubRevision = gitHubRevision
    if (isThisCommit(gitHubRevision, options.gitHub ?? {})) settings.gitHubCheckout = true
  }
  const description = read('description')
  if (description) settings.description = description
  if (sse) settings.sse = sse
  if (deploymentId) settings.deploymentId = deploymentId
  if (appspec) settings.appspec = appspec
  if (taskDefinition) settings.taskDefinition = taskDefinition
  if (configSpec) settings.deploymentConfigSpec = configSpec
  if (groupConfig) settings.deploymentGroupConfig = groupConfig
  if (sseKmsKeyId) settings.sseKmsKeyId = sseKmsKeyId
  return settings
}

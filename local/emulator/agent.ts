/**
 * A simulated instance's CodeDeploy agent: for one deployment it downloads the bundle from S3,
 * checks its eTag, unpacks it, copies the `files:` into the instance root and runs the hook
 * scripts for real, recording each lifecycle event with the agent's diagnostics.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { spawn } from 'node:child_process'
import { constants, createWriteStream } from 'node:fs'
import {
  access,
  chmod,
  copyFile,
  lchown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  rmdir,
  stat,
  symlink,
  unlink
} from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parse } from 'yaml'
import type { Deployment, Diagnostics, Instance, InstanceRun, LifecycleEvent } from './model.js'
import {
  PermissionError,
  planPermissions,
  readPermissions,
  type Permission
} from './permissions.js'
import { unpack } from './unpack.js'

export const EVENTS = [
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'ApplicationStop',
  'DownloadBundle',
  'BeforeInstall',
  'Install',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
] as const
const TRAFFIC = new Set([
  'BeforeBlockTraffic',
  'BlockTraffic',
  'AfterBlockTraffic',
  'BeforeAllowTraffic',
  'AllowTraffic',
  'AfterAllowTraffic'
])
const LOG_TAIL = 2048
const DEFAULT_TIMEOUT = 3600

interface HookScript {
  location: string
  timeout?: number
}
interface ParsedAppSpec {
  files: { source: string; destination: string }[]
  permissions: Permission[]
  hooks: Record<string, HookScript[]>
}

/** What an instance remembers between deployments, like the agent's deployment root. */
export interface InstanceMemory {
  lastSuccessful?: { deploymentId: string; bundleDir: string; appspec: ParsedAppSpec }
  /** Files the last deployment installed; the agent removes them before the next Install. */
  installed: string[]
}

export interface AgentContext {
  s3: S3Client
  instance: Instance
  memory: InstanceMemory
  /** Where this deployment's bundle is kept on the instance. */
  workDir: string
  deploymentGroupId: string
  useCli: boolean
  signal: AbortSignal
  /** Called whenever the run changes, so readers see progress. */
  touch: () => void
}

class EventFailure extends Error {
  constructor(readonly diagnostics: Diagnostics) {
    super(diagnostics.message)
  }
}

function ok(logTail = ''): Diagnostics {
  return { errorCode: 'Success', scriptName: '', message: 'Succeeded', logTail }
}

function readAppSpec(text: string): ParsedAppSpec {
  const doc = (parse(text) ?? {}) as { files?: unknown; permissions?: unknown; hooks?: unknown }
  const files = Array.isArray(doc.files)
    ? (doc.files as { source: string; destination: string }[])
    : []
  const hooks =
    doc.hooks && typeof doc.hooks === 'object'
      ? (doc.hooks as Record<string, HookScript[] | null>)
      : {}
  const cleaned: Record<string, HookScript[]> = {}
  for (const [name, list] of Object.entries(hooks)) cleaned[name] = Array.isArray(list) ? list : []
  return { files, permissions: readPermissions(doc.permissions), hooks: cleaned }
}

async function findAppSpec(bundleDir: string): Promise<string> {
  for (const name of ['appspec.yml', 'appspec.yaml']) {
    try {
      return await readFile(path.join(bundleDir, name), 'utf8')
    } catch {
      // try the next name
    }
  }
  throw new EventFailure({
    errorCode: 'UnknownError',
    scriptName: '',
    message:
      'The CodeDeploy agent did not find an AppSpec file within the unpacked revision directory at revision-relative path "appspec.yml".',
    logTail: ''
  })
}

/** Runs one hook script as the agent does and returns its diagnostics. */
export async function runScript(
  script: HookScript,
  bundleDir: string,
  env: Record<string, string>,
  signal: AbortSignal
): Promise<Diagnostics> {
  const location = script.location.replace(/^\/+/, '')
  const file = path.join(bundleDir, location)
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new Error('not a file')
  } catch {
    return {
      errorCode: 'ScriptMissing',
      scriptName: location,
      message: `Script does not exist at specified location: ${file}`,
      logTail: ''
    }
  }
  try {
    await access(file, constants.X_OK)
  } catch {
    // The agent makes a script executable before running it.
    try {
      await chmod(file, 0o755)
    } catch {
      return {
        errorCode: 'ScriptNotExecutable',
        scriptName: location,
        message: `Script at specified location: ${location} is not executable`,
        logTail: ''
      }
    }
  }
  const timeout = script.timeout ?? DEFAULT_TIMEOUT
  let tail = ''
  const keep = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    const lines = chunk.toString().split('\n')
    if (lines[lines.length - 1] === '') lines.pop()
    tail += lines.map(line => `[${stream}]${line}\n`).join('')
    if (tail.length > LOG_TAIL * 4) tail = tail.slice(-LOG_TAIL * 2)
  }
  const result = await new Promise<{
    code: number | null
    timedOut: boolean
    stopped: boolean
    error?: Error
  }>(resolve => {
    const child = spawn(file, [], {
      cwd: bundleDir,
      env: { ...env, PATH: process.env.PATH ?? '/usr/bin:/bin' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let timedOut = false
    let stopped = false
    const kill = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, timeout * 1000)
    const onAbort = (): void => {
      stopped = true
      kill()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    child.stdout.on('data', (chunk: Buffer) => keep('stdout', chunk))
    child.stderr.on('data', (chunk: Buffer) => keep('stderr', chunk))
    child.on('error', error => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      resolve({ code: null, timedOut, stopped, error })
    })
    child.on('close', code => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      resolve({ code, timedOut, stopped })
    })
  })
  const logTail = tail.slice(-LOG_TAIL)
  if (result.timedOut) {
    return {
      errorCode: 'ScriptTimedOut',
      scriptName: location,
      message: `Script at specified location: ${location} failed to complete in ${timeout} seconds`,
      logTail
    }
  }
  if (result.stopped)
    return {
      errorCode: 'UnknownError',
      scriptName: location,
      message: 'The deployment was stopped while the script ran',
      logTail
    }
  if (result.error)
    return {
      errorCode: 'ScriptFailed',
      scriptName: location,
      message: `Script at specified location: ${location} could not be run: ${result.error.message}`,
      logTail
    }
  if (result.code !== 0) {
    return {
      errorCode: 'ScriptFailed',
      scriptName: location,
      message: `Script at specified location: ${location} run as user ${process.env.USER ?? 'root'} failed with exit code ${result.code ?? 'null'}`,
      logTail
    }
  }
  return { errorCode: 'Success', scriptName: location, message: 'Succeeded', logTail }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p)
    return true
  } catch {
    return false
  }
}

/** The numeric id of a user or group on this machine, from /etc/passwd or /etc/group. */
async function idOf(kind: 'user' | 'group', name: string): Promise<number> {
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group'
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n')
  for (const line of lines) {
    const [entry, , id] = line.split(':')
    if (entry === name && id && /^\d+$/.test(id)) return Number(id)
  }
  throw new PermissionError(`The ${kind} ${name} given in the permissions section does not exist.`)
}

/**
 * The Install step as the agent does it: remove what the last deployment installed (its files and
 * links, then the directories it made, when empty), copy the `files:` mappings, making missing
 * directories, then apply the `permissions:` section. Returns what it installed, in order.
 */
async function install(
  appspec: ParsedAppSpec,
  bundleDir: string,
  context: AgentContext,
  behavior: Deployment['fileExistsBehavior']
): Promise<string[]> {
  const root = context.instance.root
  const onInstance = (p: string): string => path.join(root, p)
  for (const file of [...context.memory.installed].reverse()) {
    const info = await lstat(file).catch(() => undefined)
    if (info?.isDirectory()) await rmdir(file).catch(() => undefined)
    else if (info) await unlink(file).catch(() => undefined)
  }
  context.memory.installed = []
  const installed: string[] = []
  const copied = new Set<string>()
  const made = new Set<string>()
  const makeDirectory = async (dir: string): Promise<void> => {
    const missing: string[] = []
    for (let d = dir; d !== '/' && !(await exists(onInstance(d))); d = path.posix.dirname(d))
      missing.unshift(d)
    for (const d of missing) {
      await mkdir(onInstance(d))
      made.add(d)
      installed.push(onInstance(d))
    }
  }
  const copy = async (from: string, to: string): Promise<void> => {
    if (await exists(onInstance(to))) {
      if (behavior === 'DISALLOW') {
        throw new EventFailure({
          errorCode: 'UnknownError',
          scriptName: '',
          message: `The deployment failed because a specified file already exists at this location: ${to}`,
          logTail: ''
        })
      }
      if (behavior === 'RETAIN') return
      await rm(onInstance(to), { force: true })
    }
    await makeDirectory(path.posix.dirname(to))
    const fromInfo = await lstat(from)
    if (fromInfo.isSymbolicLink()) await symlink(await readlink(from), onInstance(to))
    else {
      await copyFile(from, onInstance(to))
      await chmod(onInstance(to), fromInfo.mode & 0o7777)
    }
    copied.add(to)
    installed.push(onInstance(to))
  }
  const copyTree = async (from: string, to: string): Promise<void> => {
    await makeDirectory(to)
    for (const name of (await readdir(from)).sort()) {
      const abs = path.join(from, name)
      if ((await lstat(abs)).isDirectory()) await copyTree(abs, path.posix.join(to, name))
      else await copy(abs, path.posix.join(to, name))
    }
  }
  for (const mapping of appspec.files) {
    const source = path.join(bundleDir, mapping.source.replace(/^\/+/, ''))
    const destination = path.posix.resolve('/', mapping.destination)
    if ((await lstat(source)).isDirectory()) await copyTree(source, destination)
    else await copy(source, path.posix.join(destination, path.basename(source)))
  }
  context.memory.installed = installed

  const directories = new Set<string>()
  for (const permission of appspec.permissions) {
    const info = await lstat(onInstance(permission.object)).catch(() => undefined)
    if (info?.isDirectory()) directories.add(permission.object)
  }
  const plan = planPermissions(appspec.permissions, copied, made, object => directories.has(object))
  const asRoot = process.getuid?.() === 0
  for (const [target, permission] of plan) {
    if (permission.mode !== undefined) await chmod(onInstance(target), permission.mode)
    const uid = permission.owner === undefined ? -1 : await idOf('user', permission.owner)
    const gid = permission.group === undefined ? -1 : await idOf('group', permission.group)
    // A simulated instance runs as the emulator's user: ownership only changes when that is root.
    if (asRoot && (uid !== -1 || gid !== -1)) await lchown(onInstance(target), uid, gid)
  }
  return installed
}

async function download(
  context: AgentContext,
  deployment: Deployment,
  archive: string
): Promise<void> {
  const location = deployment.revision.s3Location
  let response
  try {
    response = await context.s3.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(location.version ? { VersionId: location.version } : {})
      }),
      { abortSignal: context.signal }
    )
  } catch (error) {
    const name = (error as Error).name
    throw new EventFailure({
      errorCode: 'UnknownError',
      scriptName: '',
      message: `Failed to download the revision s3://${location.bucket}/${location.key}: ${name}`,
      logTail: ''
    })
  }
  const eTag = (response.ETag ?? '').replace(/"/g, '')
  if (location.eTag && location.eTag.replace(/"/g, '') !== eTag) {
    ;(response.Body as Readable | undefined)?.destroy()
    throw new EventFailure({
      errorCode: 'UnknownError',
      scriptName: '',
      message: `The eTag ${location.eTag} of the revision does not match the object's eTag ${eTag}: the bundle was changed after it was registered.`,
      logTail: ''
    })
  }
  await pipeline(response.Body as Readable, createWriteStream(archive))
}

/**
 * Deploys to one instance, updating `run` as each event starts and ends. Returns true when every
 * event succeeded.
 */
export async function deployToInstance(
  deployment: Deployment,
  run: InstanceRun,
  context: AgentContext
): Promise<boolean> {
  const events: LifecycleEvent[] = EVENTS.map(name => ({
    lifecycleEventName: name,
    status: 'Pending'
  }))
  run.lifecycleEvents = events
  run.status = 'InProgress'
  run.lastUpdatedAt = new Date()
  context.touch()
  const bundleDir = path.join(context.workDir, 'deployment-archive')
  const archive = path.join(context.workDir, `bundle.${deployment.revision.s3Location.bundleType}`)
  const env = {
    LIFECYCLE_EVENT: '',
    DEPLOYMENT_ID: deployment.deploymentId,
    APPLICATION_NAME: deployment.applicationName,
    DEPLOYMENT_GROUP_NAME: deployment.deploymentGroupName,
    DEPLOYMENT_GROUP_ID: context.deploymentGroupId,
    INSTANCE_ROOT: context.instance.root
  }
  let appspec: ParsedAppSpec | undefined

  const hooks = async (
    name: string,
    spec: ParsedAppSpec | undefined,
    dir: string
  ): Promise<Diagnostics> => {
    const scripts = spec?.hooks[name] ?? []
    let last = ok()
    for (const script of scripts) {
      last = await runScript(script, dir, { ...env, LIFECYCLE_EVENT: name }, context.signal)
      if (last.errorCode !== 'Success') return last
    }
    return last
  }

  for (const event of events) {
    const name = event.lifecycleEventName
    if (TRAFFIC.has(name)) {
      event.status = 'Skipped'
      continue
    }
    if (context.signal.aborted) {
      event.status = 'Skipped'
      continue
    }
    event.status = 'InProgress'
    event.startTime = new Date()
    run.lastUpdatedAt = event.startTime
    context.touch()
    let diagnostics: Diagnostics
    try {
      if (name === 'ApplicationStop') {
        const previous = context.memory.lastSuccessful
        diagnostics = previous ? await hooks(name, previous.appspec, previous.bundleDir) : ok()
        if (
          diagnostics.errorCode !== 'Success' &&
          deployment.ignoreApplicationStopFailures &&
          !context.signal.aborted
        ) {
          diagnostics = {
            ...diagnostics,
            errorCode: 'Success',
            message: `${diagnostics.message} (ignored: ignoreApplicationStopFailures)`
          }
        }
      } else if (name === 'DownloadBundle') {
        await rm(context.workDir, { recursive: true, force: true })
        await mkdir(context.workDir, { recursive: true })
        await download(context, deployment, archive)
        try {
          await unpack(archive, deployment.revision.s3Location.bundleType, bundleDir, {
            useCli: context.useCli
          })
        } catch (error) {
          throw new EventFailure({
            errorCode: 'UnknownError',
            scriptName: '',
            message: `The bundle could not be unpacked as ${deployment.revision.s3Location.bundleType}: ${(error as Error).message}`,
            logTail: ''
          })
        }
        await rm(archive, { force: true })
        appspec = readAppSpec(await findAppSpec(bundleDir))
        diagnostics = ok()
      } else if (name === 'Install') {
        if (!appspec)
          throw new EventFailure({
            errorCode: 'UnknownError',
            scriptName: '',
            message: 'No bundle was downloaded',
            logTail: ''
          })
        context.memory.installed = await install(
          appspec,
          bundleDir,
          context,
          deployment.fileExistsBehavior
        )
        diagnostics = ok()
      } else {
        diagnostics = await hooks(name, appspec, bundleDir)
      }
    } catch (error) {
      diagnostics =
        error instanceof EventFailure
          ? error.diagnostics
          : {
              errorCode: 'UnknownError',
              scriptName: '',
              message: (error as Error).message,
              logTail: ''
            }
    }
    event.endTime = new Date()
    event.diagnostics = diagnostics
    run.lastUpdatedAt = event.endTime
    if (diagnostics.errorCode !== 'Success') {
      event.status = context.signal.aborted ? 'Unknown' : 'Failed'
      for (const rest of events) if (rest.status === 'Pending') rest.status = 'Skipped'
      run.status = context.signal.aborted ? 'Unknown' : 'Failed'
      context.touch()
      return false
    }
    event.status = 'Succeeded'
    context.touch()
  }
  if (context.signal.aborted) {
    run.status = 'Unknown'
    return false
  }
  run.status = 'Succeeded'
  run.lastUpdatedAt = new Date()
  if (appspec)
    context.memory.lastSuccessful = { deploymentId: deployment.deploymentId, bundleDir, appspec }
  context.touch()
  return true
}

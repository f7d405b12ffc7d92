/**
 * Hook scripts, run for real as the agent runs them: from the bundle directory, made executable
 * when they are not, in their own process group so a timeout or a stopped deployment kills all
 * they started, with the last lines of their output kept as the event's log tail.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:fs'
import { access, chmod, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Diagnostics } from '../model.js'
import type { HookScript, ParsedAppSpec } from './appspec.js'
import { ok } from './context.js'

const LOG_TAIL = 2048
const DEFAULT_TIMEOUT = 3600

interface ScriptResult {
  code: number | null
  timedOut: boolean
  stopped: boolean
  error?: Error
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
  const result = await spawnScript(file, bundleDir, env, timeout, signal, keep)
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

/** Runs the script until it exits, its timeout (seconds) passes or the signal aborts. */
function spawnScript(
  file: string,
  cwd: string,
  env: Record<string, string>,
  timeout: number,
  signal: AbortSignal,
  keep: (stream: 'stdout' | 'stderr', chunk: Buffer) => void
): Promise<ScriptResult> {
  return new Promise<ScriptResult>(resolve => {
    const child = spawn(file, [], {
      cwd,
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
}

/**
 * Runs an event's scripts from `spec` in order, stopping at the first that fails; the last
 * script's diagnostics (or plain success when the event has none).
 */
export async function runHooks(
  name: string,
  spec: ParsedAppSpec | undefined,
  bundleDir: string,
  env: Record<string, string>,
  signal: AbortSignal
): Promise<Diagnostics> {
  let last = ok()
  for (const script of spec?.hooks[name] ?? []) {
    last = await runScript(script, bundleDir, { ...env, LIFECYCLE_EVENT: name }, signal)
    if (last.errorCode !== 'Success') return last
  }
  return last
}

/**
 * Runs the built action (`dist/index.js`) the way a runner does: inputs as INPUT_* variables,
 * outputs and the job summary in files named by GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, and the
 * log as a runner shows it: `::debug::` lines only with RUNNER_DEBUG=1 in `env`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  log: string
  outputs: Record<string, string>
  summary: string
}

export interface RunActionOptions {
  /** Inputs by their action.yml names. */
  inputs: Record<string, string>
  /** Extra environment (AWS endpoints, credentials, GITHUB_*). */
  env?: Record<string, string>
  cwd?: string
  /** The script to run: dist/index.js by default. A `.ts` entry runs from source through tsx. */
  entry?: string
  /** Each log line as it is printed. */
  onLine?: (line: string) => void
  /** Called once the process has started, e.g. to send it SIGINT later. */
  onStart?: (child: ChildProcess) => void
}

/** Reads a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc?.[1] && heredoc[2]) {
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i] ?? '')
      outputs[heredoc[1]] = value.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      outputs[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return outputs
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-runner-'))
  const outputFile = path.join(dir, 'output')
  const summaryFile = path.join(dir, 'summary.md')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const entry = options.entry ?? path.resolve('dist/index.js')
  try {
    // tsx is found from this repository, whatever the child's working directory.
    const tsx = pathToFileURL(createRequire(path.resolve('package.json')).resolve('tsx')).href
    const args = entry.endsWith('.ts') ? ['--import', tsx, entry] : [entry]
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    options.onStart?.(child)
    // A runner shows debug lines only when step debugging is on (RUNNER_DEBUG=1).
    const debug = env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true'
    let log = ''
    let partial = ''
    const take = (chunk: Buffer): void => {
      const text = partial + chunk.toString()
      const lines = text.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        if (!debug && line.startsWith('::debug::')) continue
        log += `${line}\n`
        options.onLine?.(line)
      }
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve =>
      child.on('close', (c, s) => resolve([c, s]))
    )
    if (partial && (debug || !partial.startsWith('::debug::'))) {
      log += partial
      options.onLine?.(partial)
    }
    return {
      code,
      signal,
      log,
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8')
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

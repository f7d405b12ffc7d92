/**
 * Runs the CLI from source (src/cli.ts, through tsx) in its own process, as a user's terminal or
 * script would: its stdout and stderr apart, its exit code, and a hook to send it signals.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** The whole environment of the process (nothing is inherited but PATH). */
  env: Record<string, string>
  cwd: string
  /** Each line of stdout or stderr as it comes, with the child to signal. */
  onLine?: (line: string, child: ChildProcess) => void
}

export async function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const tsx = pathToFileURL(createRequire(path.resolve('package.json')).resolve('tsx')).href
  const child = spawn(process.execPath, ['--import', tsx, path.resolve('src/cli.ts'), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const out = { stdout: '', stderr: '' }
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = ''
    child[stream].on('data', (chunk: Buffer) => {
      out[stream] += chunk.toString()
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) options.onLine?.(line, child)
    })
  }
  const code = await new Promise<number | null>(resolve => child.on('close', c => resolve(c)))
  return { code, ...out }
}

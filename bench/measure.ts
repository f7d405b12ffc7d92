/**
 * Runs one command as a child process and measures it: wall time (from here), CPU time (user +
 * sys) and the child's own peak RSS. With GNU `/usr/bin/time` when present; otherwise a tiny
 * python launcher reads the same figures from wait4(); without either, RSS and CPU are unknown.
 * Asynchronous, so the local stack in this process keeps serving while the child runs.
 */
import { execFile, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { LocalStack } from '../local/stack.js'

export interface Measured {
  ms: number
  /** User + system CPU time of the child and what it waited for, ms. */
  cpuMs?: number
  /** Peak resident set of the child, MiB. */
  rssMb?: number
  stdout: string
}

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
}

const GNU_TIME = '/usr/bin/time'

/** Reports `elapsed user sys maxrss_kb` of a command on stderr's last line, via wait4(). */
const PY_LAUNCHER = `
import os, sys, time
t = time.time()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
sys.stderr.write("%f %f %f %d\\n" % (time.time() - t, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else 0)
`

export type Meter = 'gnu-time' | 'python' | 'none'

export function meter(): Meter {
  if (existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true']).status === 0)
    return 'gnu-time'
  if (spawnSync('python3', ['-c', 'import os; os.wait4'], { stdio: 'ignore' }).status === 0)
    return 'python'
  return 'none'
}

const METER = meter()

/** Whether `command` can be run at all (a peer that is missing is skipped, not failed). */
export function available(command: string, args: string[] = ['--version']): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' })
  return !result.error
}

export async function measure(
  command: string,
  args: string[],
  options: RunOptions = {}
): Promise<Measured> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-bench-time-'))
  const report = path.join(dir, 'time')
  let file = command
  let argv = args
  if (METER === 'gnu-time') {
    file = GNU_TIME
    argv = ['-f', '%e %U %S %M', '-o', report, command, ...args]
  } else if (METER === 'python') {
    file = 'python3'
    argv = ['-c', PY_LAUNCHER, command, ...args]
  }
  const started = performance.now()
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>(
      (resolve, reject) => {
        execFile(
          file,
          argv,
          {
            cwd: options.cwd,
            env: options.env ?? process.env,
            encoding: 'utf8',
            maxBuffer: 16 * 1024 * 1024
          },
          (error, out, err) =>
            error
              ? reject(new Error(`${command} ${args.join(' ')} failed: ${err || error.message}`))
              : resolve({ stdout: out, stderr: err })
        )
      }
    )
    const ms = performance.now() - started
    const line =
      METER === 'gnu-time'
        ? (await readFile(report, 'utf8')).trim().split('\n').at(-1)
        : METER === 'python'
          ? stderr.trim().split('\n').at(-1)
          : undefined
    const fields = line?.split(/\s+/).map(Number)
    if (!fields || fields.length < 4 || fields.some(n => Number.isNaN(n))) return { ms, stdout }
    const [, user, sys, maxRssKb] = fields as [number, number, number, number]
    return { ms, cpuMs: (user + sys) * 1000, rssMb: maxRssKb / 1024, stdout }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Runs `aws deploy wait deployment-successful`; resolves with the time it exits. */
export function cliWait(stack: LocalStack, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'aws',
      [
        'deploy',
        'wait',
        'deployment-successful',
        '--deployment-id',
        id,
        '--endpoint-url',
        stack.codedeploy.endpoint
      ],
      { env: { ...process.env, ...stack.env }, stdio: ['ignore', 'ignore', 'pipe'] }
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('exit', code => {
      const at = Date.now()
      if (code === 0) resolve(at)
      else reject(new Error(`aws deploy wait exited ${code}: ${stderr.trim()}`))
    })
  })
}

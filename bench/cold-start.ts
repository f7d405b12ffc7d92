/**
 * Cold start: from spawning `node dist/index.js` to its first line on stdout, with the
 * environment a runner gives (INPUT_* variables, GITHUB_* variables, the GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files), for a deploy. The first line is the action's first log group; the
 * process is ended there. Against node running an empty script (the floor), interleaved.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { LocalStack } from '../local/stack.js'
import { median } from './measure.js'
import type { Row } from './report.js'

function firstLine(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [script], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'ignore']
    })
    let seen = false
    child.stdout.once('data', () => {
      seen = true
      resolve(performance.now() - started)
      child.kill('SIGKILL')
    })
    child.on('exit', () => {
      if (!seen) reject(new Error(`${script} printed nothing`))
    })
  })
}

/** Median ms to the first line of each entry (dist/index.js builds), and of an empty script. */
export async function coldStartRows(
  stack: LocalStack,
  entries: { label: string; file: string }[],
  runs: number
): Promise<Row[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-bench-cold-'))
  try {
    const source = path.join(dir, 'workspace', 'app')
    await mkdir(source, { recursive: true })
    await writeFile(path.join(source, 'appspec.yml'), 'version: 0.0\nos: linux\n')
    await writeFile(path.join(dir, 'output'), '')
    await writeFile(path.join(dir, 'summary.md'), '')
    const empty = path.join(dir, 'empty.mjs')
    await writeFile(empty, "console.log('')\n")
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...stack.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
      GITHUB_WORKSPACE: path.join(dir, 'workspace'),
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '1',
      GITHUB_RUN_NUMBER: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: dir,
      INPUT_COMMAND: 'deploy',
      INPUT_APPLICATION: 'bench',
      'INPUT_DEPLOYMENT-GROUP': 'quiet',
      INPUT_SOURCE: 'app',
      INPUT_BUCKET: 'bench',
      INPUT_WAIT: 'true',
      INPUT_TIMEOUT: '60m',
      'INPUT_GITHUB-TOKEN': 'unused'
    }
    const times = new Map<string, number[]>([['empty', []]])
    for (const entry of entries) times.set(entry.file, [])
    for (let i = 0; i < runs; i++) {
      for (const entry of entries)
        times.get(entry.file)!.push(await firstLine(entry.file, env, dir))
      times.get('empty')!.push(await firstLine(empty, env, dir))
    }
    const floor = median(times.get('empty')!)
    return entries.map(entry => {
      const ms = median(times.get(entry.file)!)
      return {
        measure: `cold start to the first log line, ${entry.label}`,
        ours: `${ms.toFixed(0)} ms`,
        peer: `node, empty script: ${floor.toFixed(0)} ms`,
        ratio: ms / floor,
        goal: '≤ 150 ms',
        met: ms <= 150
      }
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

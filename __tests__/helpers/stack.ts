/**
 * One local stack per test file: S3 and the CodeDeploy emulator started before the file's tests
 * and closed after them, a workspace directory, the environment a run needs, and small helpers to
 * write a source tree, read what an instance has installed, and count the emulator's calls.
 */
import { afterAll, beforeAll } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { EmulatorConfig } from '../../local/emulator/index.js'
import { startLocalStack, type LocalStack } from '../../local/stack.js'
import { writeTree, type Tree } from './revisions.js'

export interface TestStackOptions {
  /**
   * Deployment groups of the application 'shop', by name: how many instances each has, or the
   * group as the emulator's config takes it (blue/green options, …).
   */
  groups: Record<string, number | Omit<GroupConfig, 'name'>>
  /** The emulator's time factor: 0.001 turns an hour's wait into 3.6 s. */
  timeScale?: number
  /** More of the emulator's config: other applications (ECS, Lambda), ECS and Lambda resources. */
  config?: Omit<EmulatorConfig, 'timeScale'>
  /** Pause between the emulator's lifecycle steps (ms). */
  stepDelayMs?: number
  /** Extra environment for every run (GITHUB_*, …). */
  env?: Record<string, string>
  /**
   * Another stand-in server the file needs (the GitHub API, the results service, …): started
   * after the stack, its environment added to every run's, closed before the stack.
   */
  server?: () => Promise<StandIn>
}

export interface StandIn {
  /** Environment that points a run at it (GITHUB_API_URL, …). */
  env: Record<string, string>
  close(): Promise<void>
}

export interface TestStack {
  readonly stack: LocalStack
  readonly workspace: string
  /** Endpoints, credentials, region, GITHUB_WORKSPACE, the extra and the stand-in's environment. */
  readonly env: Record<string, string>
  /**
   * Writes `tree` under the workspace (an empty tree makes an empty directory); returns its
   * directory relative to the workspace.
   */
  source(tree: Tree): Promise<string>
  /** What the first instance of `group` has at `file` (relative to its root). */
  installed(group: string, file: string): Promise<string>
  /** The emulator's calls of `operation`, optionally only those about deployment `id`. */
  calls(operation: string, id?: string): { input: Record<string, unknown>; errorType?: string }[]
}

type GroupConfig = NonNullable<
  NonNullable<EmulatorConfig['applications']>[number]['deploymentGroups']
>[number]

export const APPLICATION = 'shop'
export const BUCKET = 'bundles'

/** Starts the stack before the file's tests and closes it after them. */
export function useTestStack(options: TestStackOptions): TestStack {
  let stack: LocalStack | undefined
  let server: StandIn | undefined
  let workspace = ''
  let cache = ''
  let env: Record<string, string> = {}
  let counter = 0
  const started = (): LocalStack => {
    if (!stack) throw new Error('The local stack is used outside the tests (before beforeAll).')
    return stack
  }

  beforeAll(async () => {
    stack = await startLocalStack({
      buckets: [BUCKET],
      stepDelayMs: options.stepDelayMs ?? 5,
      config: {
        ...options.config,
        ...(options.timeScale ? { timeScale: options.timeScale } : {}),
        applications: [
          ...(options.config?.applications ?? []),
          {
            name: APPLICATION,
            deploymentGroups: Object.entries(options.groups).map(([name, group]) =>
              typeof group === 'number' ? { name, instances: group } : { name, ...group }
            )
          }
        ]
      }
    })
    server = await options.server?.()
    workspace = await mkdtemp(path.join(tmpdir(), 'cdb-workspace-'))
    cache = await mkdtemp(path.join(tmpdir(), 'cdb-cache-'))
    env = {
      // The re-run cache of this file's runs, apart from the user's own.
      CDB_CACHE_DIR: cache,
      ...stack.env,
      GITHUB_WORKSPACE: workspace,
      NODE_NO_WARNINGS: '1',
      // Bundles dated by a fixed time, so that the same tree gives the same bundle in every run.
      SOURCE_DATE_EPOCH: '1700000000',
      ...options.env,
      ...server?.env
    }
  })

  afterAll(async () => {
    await server?.close()
    await stack?.close()
    if (workspace) await rm(workspace, { recursive: true, force: true })
    if (cache) await rm(cache, { recursive: true, force: true })
  })

  return {
    get stack() {
      return started()
    },
    get workspace() {
      return workspace
    },
    get env() {
      return env
    },
    async source(tree) {
      const name = `src-${++counter}`
      await mkdir(path.join(workspace, name))
      await writeTree(path.join(workspace, name), tree)
      return name
    },
    installed(group, file) {
      const instance = started().codedeploy.instances(APPLICATION, group)[0]
      if (!instance) throw new Error(`Group '${group}' has no instance`)
      return readFile(path.join(instance.root, file), 'utf8')
    },
    calls(operation, id) {
      return started().codedeploy.calls.filter(
        c => c.operation === operation && (id === undefined || c.input.deploymentId === id)
      )
    }
  }
}

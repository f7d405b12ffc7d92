/**
 * What a checked EC2/on-premises appspec reads as: the lifecycle events a server deployment runs,
 * the shapes of its sections, and the result `checkAppSpec` returns.
 */

/** Lifecycle events a server (in-place or blue/green) deployment runs scripts for. */
export const HOOK_NAMES = [
  'ApplicationStop',
  'BeforeInstall',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeBlockTraffic',
  'AfterBlockTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic'
] as const
export type HookName = (typeof HOOK_NAMES)[number]

export type FileExistsBehavior = 'DISALLOW' | 'OVERWRITE' | 'RETAIN'

export interface HookScript {
  /** As written in the appspec (relative to the bundle root). */
  location: string
  /** Seconds, 1..3600. The agent's default is 3600. */
  timeout?: number
  /** Linux user the script runs as. */
  runas?: string
}

export interface FileMapping {
  /** Path inside the bundle as written; `/` is the whole bundle. */
  source: string
  /** Absolute path on the instance. */
  destination: string
}

export interface PermissionSpec {
  object: string
  pattern?: string
  except?: string[]
  owner?: string
  group?: string
  /** Octal digits, as text (`"0644"`, `"755"`). */
  mode?: string
  acls?: string[]
  /** SELinux context. The agent reads the user from `name`; `user` is accepted too. */
  context?: { user?: string; type: string; range?: string }
  type?: ('file' | 'directory')[]
}

export interface AppSpec {
  version: '0.0'
  os: 'linux' | 'windows'
  files: FileMapping[]
  permissions: PermissionSpec[]
  /** Only the events present in the file. */
  hooks: Partial<Record<HookName, HookScript[]>>
  fileExistsBehavior?: FileExistsBehavior
}

export type AppSpecFileName = 'appspec.yml' | 'appspec.yaml'

export interface CheckedAppSpec {
  /** Absolute path of the appspec file. */
  path: string
  fileName: AppSpecFileName
  spec: AppSpec
  /**
   * The files the hooks run, relative to the source with `/`, links resolved (so the bundle can
   * mark the real file executable). In order of appearance, without repeats.
   */
  hookScripts: string[]
  /** Things that will work but deserve a look (e.g. a hook script without its execute bit). */
  warnings: string[]
  /**
   * `path` is the file of the `appspec` input, which the bundle holds at its root as appspec.yml
   * (the source has none of its own).
   */
  injected?: boolean
}

/** The most seconds CodeDeploy gives one lifecycle event (and so one script). */
export const MAX_EVENT_SECONDS = 3600

/**
 * What an ECS or Lambda AppSpec reads as once checked, and the names CodeDeploy gives their parts:
 * the resource type per platform and the lifecycle events each platform runs hook functions at.
 */

export type ContentPlatform = 'ECS' | 'Lambda'

export interface ContentAppSpec {
  platform: ContentPlatform
  /** The file checked, absolute. */
  path: string
  format: 'yaml' | 'json'
  /** The file's text as read: what is sent as the `AppSpecContent` revision. */
  content: string
  ecs?: {
    /** An ARN, or a placeholder such as `<TASK_DEFINITION>` when the action registers one. */
    taskDefinition: string
    containerName: string
    containerPort: number
    platformVersion?: string
  }
  lambda?: {
    name: string
    alias: string
    /** Digits ("3"); absent when the caller reads it from the alias. */
    currentVersion?: string
    /** Digits ("4"); absent when the caller publishes a version. */
    targetVersion?: string
  }
  /** In file order. */
  hooks: { event: string; functionName: string }[]
  /** Things that will work but deserve a look. */
  warnings: string[]
}

/** The one resource type each platform deploys. */
export const RESOURCE_TYPES: Record<ContentPlatform, string> = {
  ECS: 'AWS::ECS::Service',
  Lambda: 'AWS::Lambda::Function'
}

/** Lifecycle events an ECS deployment runs a hook function at, in the order they run. */
export const ECS_HOOK_EVENTS = [
  'BeforeInstall',
  'AfterInstall',
  'AfterAllowTestTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic'
] as const

/** Lifecycle events a Lambda deployment runs a hook function at, in the order they run. */
export const LAMBDA_HOOK_EVENTS = ['BeforeAllowTraffic', 'AfterAllowTraffic'] as const

export const HOOK_EVENTS: Record<ContentPlatform, readonly string[]> = {
  ECS: ECS_HOOK_EVENTS,
  Lambda: LAMBDA_HOOK_EVENTS
}

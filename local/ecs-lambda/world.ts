/**
 * The ECS and Lambda resources the local stack simulates, shared by the ECS and Lambda stand-ins
 * (which serve them over HTTP) and the CodeDeploy emulator (which shifts their traffic): task
 * definitions and services, functions with their published versions and aliases, and the outcome
 * each simulated hook function reports.
 */
import { createHash, randomUUID } from 'node:crypto'

export const ACCOUNT = '000000000000'
export const REGION = 'us-east-1'

/** What a simulated hook function reports: a status, or nothing at all (`Silent`). */
export type HookOutcome = 'Succeeded' | 'Failed' | 'Silent'

export interface ContainerDefinition {
  name: string
  image?: string
  portMappings?: { containerPort?: number }[]
  [member: string]: unknown
}

/** The ECS and Lambda part of the stack's config. */
export interface EcsLambdaConfig {
  ecs?: {
    /** Registered before the stack starts, each as revision 1 of its family. */
    taskDefinitions?: { family: string; containerDefinitions?: ContainerDefinition[] }[]
    /** Services known before any deployment group names them. */
    services?: { clusterName: string; serviceName: string; taskDefinition?: string }[]
  }
  lambda?: {
    functions?: {
      name: string
      /** Published versions 1..N (default 1). */
      versions?: number
      /** Alias name → the version it points to. */
      aliases?: Record<string, string>
      /** $LATEST differs from the newest version, so PublishVersion makes one (default true). */
      unpublishedChanges?: boolean
    }[]
  }
  /** Hook function name → what it reports; functions not listed report Succeeded. */
  hookOutcomes?: Record<string, HookOutcome>
}

export interface TaskDefinition {
  taskDefinitionArn: string
  family: string
  revision: number
  /** Every member as DescribeTaskDefinition answers it. */
  body: Record<string, unknown>
}

export interface EcsService {
  clusterName: string
  serviceName: string
  serviceArn: string
  taskDefinition?: string
  desiredCount: number
  /** Which of the group's two target groups serves production (0 or 1). */
  liveTargetGroup: number
}

export interface Alias {
  name: string
  functionVersion: string
  weights?: Record<string, number>
  revisionId: string
}

export interface LambdaFunction {
  name: string
  arn: string
  versions: string[]
  unpublished: boolean
  codeSha256: string
  revisionId: string
  aliases: Map<string, Alias>
}

export interface Invocation {
  functionName: string
  payload: { DeploymentId: string; LifecycleEventHookExecutionId: string }
  time: Date
}

export class World {
  readonly taskDefinitions = new Map<string, TaskDefinition[]>()
  readonly services = new Map<string, EcsService>()
  readonly functions = new Map<string, LambdaFunction>()
  /** Every hook function the emulator invoked, in order. */
  readonly invocations: Invocation[] = []
  readonly hookOutcomes: Record<string, HookOutcome>

  constructor(config: EcsLambdaConfig = {}) {
    this.hookOutcomes = { ...config.hookOutcomes }
    for (const td of config.ecs?.taskDefinitions ?? [])
      this.registerTaskDefinition({
        family: td.family,
        containerDefinitions: td.containerDefinitions ?? [{ name: td.family }]
      })
    for (const s of config.ecs?.services ?? []) {
      const service = this.service(s.clusterName, s.serviceName)
      if (s.taskDefinition) service.taskDefinition = s.taskDefinition
    }
    for (const f of config.lambda?.functions ?? []) {
      const fn = this.addFunction(f.name, f.versions ?? 1, f.unpublishedChanges ?? true)
      for (const [alias, version] of Object.entries(f.aliases ?? {}))
        fn.aliases.set(alias, { name: alias, functionVersion: version, revisionId: randomUUID() })
    }
  }

  registerTaskDefinition(input: Record<string, unknown> & { family: string }): TaskDefinition {
    const revisions = this.taskDefinitions.get(input.family) ?? []
    const revision = revisions.length + 1
    const taskDefinitionArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${input.family}:${revision}`
    const compatibilities = Array.isArray(input.requiresCompatibilities)
      ? ['EC2', ...(input.requiresCompatibilities as string[]).filter(c => c !== 'EC2')]
      : ['EC2']
    const { tags: _tags, ...members } = input
    const td: TaskDefinition = {
      taskDefinitionArn,
      family: input.family,
      revision,
      body: {
        ...members,
        taskDefinitionArn,
        revision,
        status: 'ACTIVE',
        compatibilities,
        registeredAt: new Date(),
        registeredBy: `arn:aws:iam::${ACCOUNT}:root`
      }
    }
    revisions.push(td)
    this.taskDefinitions.set(input.family, revisions)
    return td
  }

  /** A task definition by family (newest ACTIVE revision), family:revision or ARN. */
  taskDefinition(ref: string): TaskDefinition | undefined {
    const name = ref.startsWith('arn:') ? ref.slice(ref.indexOf('/') + 1) : ref
    const [family, revision] = name.split(':')
    const revisions = this.taskDefinitions.get(family ?? '')
    if (!revisions) return undefined
    if (revision === undefined) return revisions.at(-1)
    return revisions.find(td => String(td.revision) === revision)
  }

  /** The service, made on first mention: CodeDeploy groups name services the stack has not listed. */
  service(clusterName: string, serviceName: string): EcsService {
    const key = `${clusterName}/${serviceName}`
    let service = this.services.get(key)
    if (!service) {
      service = {
        clusterName,
        serviceName,
        serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${clusterName}/${serviceName}`,
        desiredCount: 2,
        liveTargetGroup: 0
      }
      this.services.set(key, service)
    }
    return service
  }

  addFunction(name: string, versions: number, unpublished: boolean): LambdaFunction {
    const fn: LambdaFunction = {
      name,
      arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
      versions: Array.from({ length: versions }, (_, i) => String(i + 1)),
      unpublished,
      codeSha256: createHash('sha256').update(`${name}#${versions}`).digest('base64'),
      revisionId: randomUUID(),
      aliases: new Map()
    }
    this.functions.set(name, fn)
    return fn
  }

  /** Publishes $LATEST, or answers the newest version when nothing changed since it. */
  publishVersion(fn: LambdaFunction): string {
    if (fn.unpublished || fn.versions.length === 0) {
      fn.versions.push(String(fn.versions.length + 1))
      fn.unpublished = false
      fn.revisionId = randomUUID()
    }
    return fn.versions.at(-1)!
  }

  /** Points an alias at `base` with `weight` (0..1) of its traffic on `target`. */
  routeAlias(fn: LambdaFunction, alias: Alias, base: string, target: string, weight: number): void {
    alias.revisionId = randomUUID()
    if (weight >= 1) {
      alias.functionVersion = target
      delete alias.weights
    } else if (weight <= 0) {
      alias.functionVersion = base
      delete alias.weights
    } else {
      alias.functionVersion = base
      alias.weights = { [target]: Math.round(weight * 1000) / 1000 }
    }
    fn.aliases.set(alias.name, alias)
  }

  hookOutcome(functionName: string): HookOutcome {
    return this.hookOutcomes[functionName] ?? 'Succeeded'
  }
}

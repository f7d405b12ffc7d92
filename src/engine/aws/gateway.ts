/**
 * The one way the engine reaches AWS. Every call a stage makes to CodeDeploy, S3, ECS or Lambda
 * goes through a method here, which decides, in one place for all of them:
 *
 * - how long the call may take: `until` (a time on the run's clock) cuts it, and the run's cancel
 *   cuts it too unless the call is part of what a cancel does (`afterCancel`);
 * - how it is retried: the SDK's own retries by default; `once` sends a single attempt, for the
 *   calls the engine retries itself (CreateDeployment, which is not idempotent; a cancel's
 *   StopDeployment, which must fit the runner's few seconds); `patient` calls, every call before
 *   the deployment exists (its reads, and its writes that may be sent twice: registering the
 *   revision, the bundle's upload, an abort), also ride out sustained throttling and transient
 *   faults with backoff, as the watch does (CreateDeployment rides out throttling itself);
 * - pagination: the SDK's paginators, for every `nextToken` list;
 * - S3 (./s3.ts, `gateway.s3`): the bucket check, object heads, the bundle's upload and the
 *   abort of multipart uploads, with the same patience (S3 throttles with 503 SlowDown);
 * - what was sent: every CodeDeploy request is counted, SDK retries included, for the watch's
 *   budget of calls.
 * Errors keep their AWS type (`name`) for the caller to classify (./errors.ts).
 */
import {
  BatchGetDeploymentTargetsCommand,
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  CreateDeploymentConfigCommand,
  CreateDeploymentGroupCommand,
  GetApplicationCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  RegisterApplicationRevisionCommand,
  StopDeploymentCommand,
  UpdateDeploymentGroupCommand,
  paginateListApplications,
  paginateListDeploymentConfigs,
  paginateListDeploymentGroups,
  paginateListDeployments,
  type CreateDeploymentCommandInput,
  type ApplicationInfo,
  type CreateDeploymentConfigCommandInput,
  type CreateDeploymentGroupCommandInput,
  type DeploymentConfigInfo,
  type DeploymentGroupInfo,
  type DeploymentInfo,
  type DeploymentTarget,
  type DeploymentWaitType,
  type ListDeploymentsCommandInput,
  type RevisionLocation,
  type StopDeploymentCommandOutput,
  type UpdateDeploymentGroupCommandInput
} from '@aws-sdk/client-codedeploy'
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import type { S3Client } from '@aws-sdk/client-s3'
import type { Clock } from '../clock.js'
import { countCalls, type CallCount } from './call-count.js'
import { errorName, isTransient } from './errors.js'
import { S3Calls } from './s3.js'

export interface AwsClients {
  codedeploy: CodeDeployClient
  s3: S3Client
  /** ECS deployments that register a task definition. */
  ecs?: import('@aws-sdk/client-ecs').ECSClient
  /** Lambda deployments whose appspec leaves a version out. */
  lambda?: import('@aws-sdk/client-lambda').LambdaClient
}

export interface Call {
  /** Cut the call at this time on the run's clock. */
  until?: number
  /** Another signal that cuts it (a cancel's budget, a watch's beat). */
  signal?: AbortSignal
  /** A single attempt, without the SDK's retries: the caller retries, or cannot wait. */
  once?: boolean
  /** Part of what a cancel does: the cancel itself does not cut it. */
  afterCancel?: boolean
  /**
   * Rides out throttling and transient faults beyond the SDK's attempts, backing off with jitter
   * for up to PATIENCE_MS (a check before the deployment exists must not end the run on them).
   */
  patient?: boolean
}

/** How long a patient call keeps trying through throttling and transient faults. */
export const PATIENCE_MS = 120_000
const FIRST_BACKOFF_MS = 1000
const LONGEST_BACKOFF_MS = 15_000

/**
 * The pause before the next try after `failures` throttled or transient ones (1 s, doubling up
 * to 15 s), with jitter so that runs sharing an account do not retry in step.
 */
export function patientPause(failures: number, random: () => number = Math.random): number {
  const delay = Math.min(LONGEST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1))
  return delay / 2 + (random() * delay) / 2
}
/** Deployments or targets per BatchGet request: the API's limit. */
export const BATCH = 25

/** The client's retry step, replaced for one command by one that passes straight through. */
const NO_RETRY = {
  step: 'finalizeRequest' as const,
  name: 'retryMiddleware',
  priority: 'high' as const,
  override: true,
  tags: ['RETRY']
}

interface Sendable {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

interface WithStack {
  middlewareStack?: { add(middleware: unknown, options: typeof NO_RETRY): void }
}

function withoutRetries<C>(command: C): C {
  ;(command as WithStack).middlewareStack?.add(
    (next: (args: unknown) => unknown) => (args: unknown) => next(args),
    NO_RETRY
  )
  return command
}

export class Gateway {
  private readonly counted: CallCount | undefined
  private sent = 0
  /** Buckets and objects, with this gateway's cut, cancel and patience (./s3.ts). */
  readonly s3: S3Calls

  constructor(
    readonly clients: AwsClients,
    private readonly clock: Clock,
    /** The run's cancel: it cuts every call that is not part of what a cancel does. */
    private readonly cancel?: AbortSignal
  ) {
    this.counted = countCalls(clients.codedeploy)
    this.s3 = new S3Calls(clients.s3, {
      send: (command, call) => this.send(clients.s3, command, call),
      patiently: (call, attempt) => this.patiently(call, attempt),
      signalFor: call => this.signalFor(call),
      now: () => clock.now()
    })
  }

  /** CodeDeploy requests sent so far, every attempt counted. */
  get calls(): number {
    return this.counted ? this.counted.total : this.sent
  }

  /** Stops counting (takes the counter off the client); the run has ended. */
  close(): void {
    this.counted?.stop()
  }

  /** The signal that cuts a call made with `call`, if any. */
  private signalFor(call: Call): AbortSignal | undefined {
    const signals: AbortSignal[] = []
    if (this.cancel && !call.afterCancel) signals.push(this.cancel)
    if (call.signal) signals.push(call.signal)
    if (call.until !== undefined)
      signals.push(this.clock.after(Math.max(100, call.until - this.clock.now())))
    if (signals.length === 0) return undefined
    return signals.length === 1 ? signals[0] : AbortSignal.any(signals)
  }

  private async send<T>(client: unknown, command: unknown, call: Call): Promise<T> {
    const sendable = client as Sendable
    if (client === this.clients.codedeploy && !this.counted) this.sent++
    if (call.once) withoutRetries(command)
    const signal = this.signalFor(call)
    return (await sendable.send(command, signal ? { abortSignal: signal } : {})) as T
  }

  /** `attempt`, again and again while AWS throttles or fails transiently (patient calls). */
  private async patiently<T>(call: Call, attempt: () => Promise<T>): Promise<T> {
    if (!call.patient) return attempt()
    const giveUp = this.clock.now() + PATIENCE_MS
    for (let failures = 1; ; failures++) {
      try {
        return await attempt()
      } catch (error) {
        const cut =
          (this.cancel?.aborted && !call.afterCancel) ||
          call.signal?.aborted ||
          errorName(error) === 'AbortError'
        const until = Math.min(giveUp, call.until ?? Infinity)
        const pause = patientPause(failures)
        if (cut || !isTransient(error) || this.clock.now() + pause >= until) throw error
        await this.clock.sleep(pause, call.afterCancel ? call.signal : this.cancel)
        if (this.cancel?.aborted && !call.afterCancel) throw error
      }
    }
  }

  private codedeploy<T>(command: unknown, call: Call): Promise<T> {
    return this.patiently(call, () => this.send<T>(this.clients.codedeploy, command, call))
  }

  // --- CodeDeploy: deployments -------------------------------------------------------------

  async deployment(deploymentId: string, call: Call = {}): Promise<DeploymentInfo> {
    const out = await this.codedeploy<{ deploymentInfo?: DeploymentInfo }>(
      new GetDeploymentCommand({ deploymentId }),
      call
    )
    if (!out.deploymentInfo) throw new Error(`GetDeployment returned nothing for ${deploymentId}`)
    return out.deploymentInfo
  }

  /** One read of a deployment within `until`, for a run that must go on without it: undefined when it fails. */
  async deploymentIfAnswered(
    deploymentId: string,
    until: number,
    call: Omit<Call, 'until'> = {}
  ): Promise<DeploymentInfo | undefined> {
    try {
      return await this.deployment(deploymentId, { ...call, until })
    } catch {
      return undefined
    }
  }

  /** BatchGetDeployments, 25 ids a request. */
  async deployments(ids: string[], call: Call = {}): Promise<DeploymentInfo[]> {
    const infos: DeploymentInfo[] = []
    for (let i = 0; i < ids.length; i += BATCH) {
      const out = await this.codedeploy<{ deploymentsInfo?: DeploymentInfo[] }>(
        new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(i, i + BATCH) }),
        call
      )
      infos.push(...(out.deploymentsInfo ?? []))
    }
    return infos
  }

  /** A group's deployment ids matching `filter`, page by page, up to `limit`. */
  async deploymentIds(
    filter: Omit<ListDeploymentsCommandInput, 'nextToken'>,
    limit: number,
    call: Call = {}
  ): Promise<string[]> {
    return this.pages(
      call,
      signal =>
        paginateListDeployments(
          {
            client: this.clients.codedeploy,
            ...(call.once ? { withCommand: withoutRetries } : {})
          },
          { ...filter },
          ...(signal ? [{ abortSignal: signal }] : [])
        ),
      page => page.deployments ?? [],
      limit
    )
  }

  /** CreateDeployment, once: it is not idempotent. */
  async createDeployment(
    input: CreateDeploymentCommandInput,
    signal: AbortSignal
  ): Promise<string> {
    const out = await this.send<{ deploymentId?: string }>(
      this.clients.codedeploy,
      new CreateDeploymentCommand(input),
      { once: true, signal, afterCancel: true }
    )
    if (!out.deploymentId) throw new Error('CreateDeployment returned no deployment id')
    return out.deploymentId
  }

  /** StopDeployment, once (the caller retries within its bound). */
  stopDeployment(
    deploymentId: string,
    autoRollbackEnabled: boolean,
    call: Call
  ): Promise<StopDeploymentCommandOutput> {
    return this.send(
      this.clients.codedeploy,
      new StopDeploymentCommand({ deploymentId, autoRollbackEnabled }),
      { ...call, once: true, afterCancel: true }
    )
  }

  async continueDeployment(
    deploymentId: string,
    deploymentWaitType: DeploymentWaitType
  ): Promise<void> {
    await this.send(
      this.clients.codedeploy,
      new ContinueDeploymentCommand({ deploymentId, deploymentWaitType }),
      {}
    )
  }

  async registerRevision(
    applicationName: string,
    revision: RevisionLocation,
    description: string
  ): Promise<void> {
    await this.codedeploy(
      new RegisterApplicationRevisionCommand({ applicationName, revision, description }),
      { patient: true }
    )
  }

  // --- CodeDeploy: targets -----------------------------------------------------------------

  /** Every target id of a deployment, page by page (the SDK has no paginator for this one). */
  async targetIds(deploymentId: string, call: Call = {}): Promise<string[]> {
    const ids: string[] = []
    let nextToken: string | undefined
    do {
      const page = await this.codedeploy<{ targetIds?: string[]; nextToken?: string }>(
        new ListDeploymentTargetsCommand({ deploymentId, ...(nextToken ? { nextToken } : {}) }),
        call
      )
      ids.push(...(page.targetIds ?? []))
      nextToken = page.nextToken
    } while (nextToken)
    return ids
  }

  /** The targets `ids` (25 a request), as CodeDeploy describes them. */
  async targets(deploymentId: string, ids: string[], call: Call = {}): Promise<DeploymentTarget[]> {
    const out: DeploymentTarget[] = []
    for (let i = 0; i < ids.length; i += BATCH) {
      const page = await this.codedeploy<{ deploymentTargets?: DeploymentTarget[] }>(
        new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: ids.slice(i, i + BATCH) }),
        call
      )
      out.push(...(page.deploymentTargets ?? []))
    }
    return out
  }

  // --- CodeDeploy: applications, groups, configs (checked before anything is written) --------

  async application(applicationName: string): Promise<ApplicationInfo> {
    const out = await this.codedeploy<{ application?: ApplicationInfo }>(
      new GetApplicationCommand({ applicationName }),
      { patient: true }
    )
    return out.application ?? {}
  }

  async deploymentGroup(
    applicationName: string,
    deploymentGroupName: string,
    call: Call = { patient: true }
  ): Promise<DeploymentGroupInfo> {
    const out = await this.codedeploy<{ deploymentGroupInfo?: DeploymentGroupInfo }>(
      new GetDeploymentGroupCommand({ applicationName, deploymentGroupName }),
      call
    )
    if (!out.deploymentGroupInfo)
      throw new Error(`GetDeploymentGroup returned no group for '${deploymentGroupName}'`)
    return out.deploymentGroupInfo
  }

  async deploymentConfig(deploymentConfigName: string): Promise<DeploymentConfigInfo> {
    const out = await this.codedeploy<{ deploymentConfigInfo?: DeploymentConfigInfo }>(
      new GetDeploymentConfigCommand({ deploymentConfigName }),
      { patient: true }
    )
    return out.deploymentConfigInfo ?? {}
  }

  /**
   * Creates a deployment configuration (`deployment-config-spec`). Patient: a create that
   * reached AWS and is retried answers DeploymentConfigAlreadyExistsException, which the caller
   * takes as "it is there" once it has read it back.
   */
  async createDeploymentConfig(input: CreateDeploymentConfigCommandInput): Promise<void> {
    await this.codedeploy(new CreateDeploymentConfigCommand(input), { patient: true })
  }

  /**
   * Creates a deployment group (`deployment-group-config`), with its tags. Patient: a create
   * that reached AWS and is retried answers DeploymentGroupAlreadyExistsException, which the
   * caller takes as "it is there" once it has read it back and compared it.
   */
  async createDeploymentGroup(input: CreateDeploymentGroupCommandInput): Promise<void> {
    await this.codedeploy(new CreateDeploymentGroupCommand(input), { patient: true })
  }

  /** Updates a deployment group to the file's fields; patient: sending it twice is harmless. */
  async updateDeploymentGroup(input: UpdateDeploymentGroupCommandInput): Promise<void> {
    await this.codedeploy(new UpdateDeploymentGroupCommand(input), { patient: true })
  }

  applicationNames(limit = 1000): Promise<string[]> {
    return this.pages(
      { patient: true },
      signal =>
        paginateListApplications(
          { client: this.clients.codedeploy },
          {},
          ...(signal ? [{ abortSignal: signal }] : [])
        ),
      page => page.applications ?? [],
      limit
    )
  }

  deploymentGroupNames(applicationName: string, limit = 1000): Promise<string[]> {
    return this.pages(
      { patient: true },
      signal =>
        paginateListDeploymentGroups(
          { client: this.clients.codedeploy },
          { applicationName },
          ...(signal ? [{ abortSignal: signal }] : [])
        ),
      page => page.deploymentGroups ?? [],
      limit
    )
  }

  deploymentConfigNames(limit = 1000): Promise<string[]> {
    return this.pages(
      { patient: true },
      signal =>
        paginateListDeploymentConfigs(
          { client: this.clients.codedeploy },
          {},
          ...(signal ? [{ abortSignal: signal }] : [])
        ),
      page => page.deploymentConfigsList ?? [],
      limit
    )
  }

  /**
   * Collects items from a paginator up to `limit`. A patient list starts over when a page fails
   * transiently (a token is not kept across a backoff).
   */
  private pages<P>(
    call: Call,
    paginate: (signal: AbortSignal | undefined) => AsyncIterable<P>,
    items: (page: P) => string[],
    limit: number
  ): Promise<string[]> {
    return this.patiently(call, async () => {
      const out: string[] = []
      for await (const page of paginate(this.signalFor(call))) {
        if (!this.counted) this.sent++
        out.push(...items(page))
        if (out.length >= limit) break
      }
      return out
    })
  }

  // --- ECS, Lambda (S3: ./s3.ts) -----------------------------------------------------------

  /** RegisterTaskDefinition; its ARN. */
  async registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<string> {
    const ecs = this.clients.ecs
    if (!ecs) throw new Error('No ECS client to register the task definition with')
    const { RegisterTaskDefinitionCommand } = await import('@aws-sdk/client-ecs')
    const out = await this.patiently({ patient: true }, () =>
      this.send<{ taskDefinition?: { taskDefinitionArn?: string } }>(
        ecs,
        new RegisterTaskDefinitionCommand(input),
        {}
      )
    )
    const arn = out.taskDefinition?.taskDefinitionArn
    if (!arn) throw new Error('RegisterTaskDefinition returned no ARN')
    return arn
  }

  /** The version a Lambda alias points at. */
  async aliasVersion(functionName: string, alias: string): Promise<string | undefined> {
    const lambda = this.clients.lambda
    if (!lambda) throw new Error('No Lambda client to read the alias with')
    const { GetAliasCommand } = await import('@aws-sdk/client-lambda')
    const out = await this.patiently({ patient: true }, () =>
      this.send<{ FunctionVersion?: string }>(
        lambda,
        new GetAliasCommand({ FunctionName: functionName, Name: alias }),
        {}
      )
    )
    return out.FunctionVersion
  }

  /**
   * PublishVersion, patient: publishing again when $LATEST has not changed gives the same version.
   * The caller waits while the function still updates.
   */
  async publishVersion(functionName: string): Promise<string | undefined> {
    const lambda = this.clients.lambda
    if (!lambda) throw new Error('No Lambda client to publish the version with')
    const { PublishVersionCommand } = await import('@aws-sdk/client-lambda')
    const out = await this.patiently({ patient: true }, () =>
      this.send<{ Version?: string }>(
        lambda,
        new PublishVersionCommand({ FunctionName: functionName }),
        {}
      )
    )
    return out.Version
  }
}

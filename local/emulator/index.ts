/**
 * The local CodeDeploy emulator: an AWS JSON 1.1 server on 127.0.0.1 whose deployments run on
 * simulated instances (directories) with the hook scripts executed for real. See README.md.
 */
import { S3Client } from '@aws-sdk/client-s3'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { World, type EcsLambdaConfig } from '../ecs-lambda/world.js'
import { AlarmWatch, Alarms, type AlarmSetup } from './alarms.js'
import { stderrLog, type StackLog } from '../guard.js'
import { Faults } from './faults.js'
import { LifecycleEngine } from './lifecycle.js'
import type {
  AutoRollbackConfiguration,
  BlueGreenConfiguration,
  ComputePlatform,
  Deployment,
  DeploymentStyle,
  Instance,
  LoadBalancerInfo,
  MinimumHealthyHosts,
  TrafficRoutingConfig
} from './model.js'
import { readGroupStyle } from './ops/blue-green-config.js'
import { alarmConfig } from './ops/groups.js'
import { readTrafficRoutingConfig } from './platforms/configs.js'
import { readPlatformGroup } from './platforms/groups.js'
import { PlatformRouter } from './platforms/router.js'
import type { PlatformGroup } from './platforms/state.js'
import { TrafficEngine } from './platforms/traffic.js'
import { countCalls, createServer, type CallRecord } from './server.js'
import { CodeDeployService } from './service.js'
import { checkSimulated, type SimulatedInstances } from './simulated.js'

export { Alarms, type AlarmSetup, type AlarmState } from './alarms.js'
export { Faults, type FaultSettings } from './faults.js'
export type { CallRecord } from './server.js'
export { INSTANCES_TAG } from './service.js'
export type { SimulatedInstances } from './simulated.js'

/** The emulator's starting state; `ecs`, `lambda` and `hookOutcomes` are the simulated resources. */
export interface EmulatorConfig extends EcsLambdaConfig {
  applications?: {
    name: string
    /** Server (default), ECS or Lambda. */
    computePlatform?: ComputePlatform
    deploymentGroups?: {
      name: string
      /** How many simulated instances the group has (Server groups). */
      instances?: number
      /**
       * Cheap instances for scale runs: no bundle, no scripts; each event takes `eventMs` and
       * succeeds, or fails on the instances `fail` names (./simulated.ts).
       */
      simulated?: SimulatedInstances
      deploymentConfig?: string
      autoRollback?: AutoRollbackConfiguration
      /** CloudWatch alarms that stop its deployments, in the API's shape (see `alarms`). */
      alarmConfiguration?: {
        enabled?: boolean
        ignorePollAlarmFailure?: boolean
        alarms: { name: string }[]
      }
      /**
       * Blue/green, in the API's shapes: `{deploymentType: BLUE_GREEN, deploymentOption:
       * WITH_TRAFFIC_CONTROL}` with a loadBalancerInfo; omitted options take the service's
       * defaults. Checked as CreateDeploymentGroup checks them.
       */
      deploymentStyle?: DeploymentStyle
      blueGreenDeploymentConfiguration?: {
        terminateBlueInstancesOnDeploymentSuccess?: Partial<
          BlueGreenConfiguration['terminateBlueInstancesOnDeploymentSuccess']
        >
        deploymentReadyOption?: Partial<BlueGreenConfiguration['deploymentReadyOption']>
        greenFleetProvisioningOption?: BlueGreenConfiguration['greenFleetProvisioningOption']
      }
      /** Server groups: a classic ELB or target groups; ECS groups: a target group pair. */
      loadBalancerInfo?: LoadBalancerInfo | PlatformGroup['loadBalancerInfo']
      /** ECS groups: as CreateDeploymentGroup takes them. */
      ecsServices?: NonNullable<PlatformGroup['ecsServices']>
    }[]
  }[]
  deploymentConfigs?: {
    name: string
    /** Server configs. */
    minimumHealthyHosts?: MinimumHealthyHosts
    /** ECS or Lambda configs take a trafficRoutingConfig (AllAtOnce when absent). */
    computePlatform?: ComputePlatform
    trafficRoutingConfig?: TrafficRoutingConfig
  }[]
  /** The CloudWatch alarms groups can watch: their state, and when one fires by itself. */
  alarms?: AlarmSetup[]
  /**
   * Factor applied to every wait the service counts in minutes (the blue/green Ready and
   * termination waits, ECS and Lambda traffic steps, the hour a hook has to report): 1 (the
   * default) is real time; 0.001 turns a 60-minute wait into 3.6 s.
   */
  timeScale?: number
  /**
   * GitHub revisions, served from local git repositories: `{ repositories: { 'owner/repo':
   * '/path/to/repo' } }`. An instance gets the tree at the deployment's commit (`git archive`); a
   * repository not named here, or a commit it lacks, fails the DownloadBundle event.
   */
  gitHub?: { repositories: Record<string, string> }
}

export interface EmulatorOptions {
  config?: EmulatorConfig
  /** The S3 endpoint instances download bundles from; defaults to AWS_ENDPOINT_URL_S3. */
  s3Endpoint?: string
  s3Credentials?: { accessKeyId: string; secretAccessKey: string }
  /** Where instance roots and agent state live; a temp directory (removed on close) by default. */
  directory?: string
  /** Pause between lifecycle steps, in ms (default 20). */
  stepDelayMs?: number
  /** Use `unzip`/`tar` when present (default true); false forces the JavaScript unpacker. */
  useCli?: boolean
  /** Instances for groups created over the API without an emulator:instances tag (default 1). */
  defaultInstances?: number
  /** Page size of the List* operations (default 100). */
  pageSize?: number
  /** The ECS and Lambda resources, shared with their stand-ins; made from `config` by default. */
  world?: World
  /** Where a failure inside the emulator is written, with its stack (default: stderr). */
  log?: StackLog
}

export interface CodeDeployEmulator {
  endpoint: string
  directory: string
  service: CodeDeployService
  /** The simulated ECS services, task definitions, Lambda functions and hook invocations. */
  world: World
  faults: Faults
  /** The CloudWatch alarms deployment groups watch; `alarms.set(name, 'ALARM')` fires one. */
  alarms: Alarms
  /** Every request answered, in order. */
  calls: CallRecord[]
  /** Requests per operation since index `from` of `calls` (all by default). */
  callCounts(from?: number): Record<string, number>
  /** The simulated instances of a group. */
  instances(application: string, group: string): Instance[]
  deployment(id: string): Deployment | undefined
  /** Resolves when no deployment is running. */
  idle(): Promise<void>
  close(): Promise<void>
}

export async function startCodeDeployEmulator(
  options: EmulatorOptions = {}
): Promise<CodeDeployEmulator> {
  const timeScale = options.config?.timeScale ?? 1
  if (typeof timeScale !== 'number' || !(timeScale > 0))
    throw new Error(`timeScale must be a number above 0, not ${String(timeScale)}`)
  const ownsDirectory = options.directory === undefined
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'cdb-codedeploy-')))
  let counter = 0
  const createInstances = async (
    application: string,
    group: string,
    count: number,
    cheap = false
  ): Promise<Instance[]> => {
    const instances: Instance[] = []
    for (let i = 0; i < count; i++) {
      const instanceId = `i-${(++counter).toString(16).padStart(17, '0')}`
      const root = path.join(directory, 'instances', application, group, instanceId)
      if (!cheap) await mkdir(root, { recursive: true })
      instances.push({ instanceId, root })
    }
    return instances
  }
  const service = new CodeDeployService(createInstances, options.defaultInstances ?? 1)
  if (options.pageSize) service.pageSize = options.pageSize
  const world = options.world ?? new World(options.config)
  for (const config of options.config?.deploymentConfigs ?? []) {
    const platform = config.computePlatform ?? 'Server'
    if (platform === 'Server') service.addConfig(config.name, config.minimumHealthyHosts)
    else
      service.addConfig(config.name, undefined, {
        computePlatform: platform,
        trafficRoutingConfig: readTrafficRoutingConfig({ ...config })
      })
  }
  for (const appConfig of options.config?.applications ?? []) {
    const app = service.addApplication(appConfig.name, appConfig.computePlatform)
    for (const group of appConfig.deploymentGroups ?? []) {
      if (group.deploymentConfig) service.config(group.deploymentConfig)
      const platform = readPlatformGroup(app, { ...group })
      await service.addGroup(app, group.name, {
        // ECS groups carry their own blue/green style, checked with their platform.
        ...(platform ? {} : readGroupStyle(group)),
        instances: group.instances ?? 1,
        ...(platform ? { platform } : {}),
        ...(group.deploymentConfig ? { deploymentConfigName: group.deploymentConfig } : {}),
        ...(group.simulated ? { simulated: checkSimulated(group.simulated, group.name) } : {}),
        ...(group.autoRollback ? { autoRollback: group.autoRollback } : {}),
        ...(group.alarmConfiguration
          ? { alarmConfiguration: alarmConfig({ ...group.alarmConfiguration })! }
          : {})
      })
    }
  }

  const s3Endpoint = options.s3Endpoint ?? process.env.AWS_ENDPOINT_URL_S3
  const s3 = new S3Client({
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: options.s3Credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    ...(s3Endpoint ? { endpoint: s3Endpoint } : {})
  })
  const alarms = new Alarms(options.config?.alarms)
  const faults = new Faults()
  const log = options.log ?? stderrLog
  const runs = { log, beforeRun: (id: string) => faults.breakRun(id) }
  const router = new PlatformRouter(
    new LifecycleEngine(service, {
      s3,
      stateDir: path.join(directory, 'agent'),
      stepDelayMs: options.stepDelayMs ?? 20,
      useCli: options.useCli ?? true,
      timeScale,
      runs,
      gitHubRepositories: options.config?.gitHub?.repositories ?? {}
    }),
    new TrafficEngine(service, {
      world,
      stepDelayMs: options.stepDelayMs ?? 20,
      timeCompression: 1 / timeScale,
      runs
    })
  )
  const lifecycle = new AlarmWatch(router, service, alarms, {
    pollMs: Math.max(5, options.stepDelayMs ?? 20),
    log
  })
  service.lifecycle = lifecycle
  const calls: CallRecord[] = []
  const server = createServer(service, faults, calls, log)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    service,
    world,
    faults,
    alarms,
    calls,
    callCounts: from => countCalls(calls, from),
    instances: (application, group) =>
      service.applications.get(application)?.groups.get(group)?.instances ?? [],
    deployment: id => service.deployments.get(id),
    idle: () => lifecycle.idle(),
    async close(): Promise<void> {
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await lifecycle.close()
      s3.destroy()
      if (ownsDirectory) await rm(directory, { recursive: true, force: true })
    }
  }
}

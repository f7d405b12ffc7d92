/**
 * Reading a group's deployments by their run markers: finding the deployment this run created
 * when CreateDeployment's answer was lost, and the guard that keeps an older run from deploying
 * over a newer one (two runs queued on a busy group would otherwise deploy in arrival order).
 */
import {
  BatchGetDeploymentsCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentStatus
} from '@aws-sdk/client-codedeploy'
import { describeRun, isNewerRun, parseMarker, type Marker } from './marker.js'
import { sendOnce } from '../aws/send-once.js'

export interface Group {
  application: string
  deploymentGroup: string
}

export interface NewerRun {
  deploymentId: string
  /** e.g. `run 43`. */
  run: string
  status: string
}

/** Deployments still holding the group or about to. */
const ACTIVE: DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready']
const BATCH = 25
/** Margin for clock skew between this machine and CodeDeploy. */
const SKEW_MS = 5 * 60_000

async function listIds(
  codedeploy: CodeDeployClient,
  group: Group,
  filter: {
    includeOnlyStatuses?: DeploymentStatus[]
    createTimeRange?: { start: Date; end: Date }
  },
  signal?: AbortSignal,
  once = false
): Promise<string[]> {
  const ids: string[] = []
  let nextToken: string | undefined
  do {
    const command = new ListDeploymentsCommand({
      applicationName: group.application,
      deploymentGroupName: group.deploymentGroup,
      ...filter,
      ...(nextToken ? { nextToken } : {})
    })
    const page = once
      ? await sendOnce(codedeploy, command, signal)
      : await codedeploy.send(command, signal ? { abortSignal: signal } : {})
    ids.push(...(page.deployments ?? []))
    nextToken = page.nextToken
  } while (nextToken && ids.length < 1000)
  return ids
}

export async function batchGet(
  codedeploy: CodeDeployClient,
  ids: string[],
  signal?: AbortSignal,
  once = false
): Promise<DeploymentInfo[]> {
  const infos: DeploymentInfo[] = []
  for (let i = 0; i < ids.length; i += BATCH) {
    const command = new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(i, i + BATCH) })
    const out = once
      ? await sendOnce(codedeploy, command, signal)
      : await codedeploy.send(command, signal ? { abortSignal: signal } : {})
    infos.push(...(out.deploymentsInfo ?? []))
  }
  return infos
}

/** The group's deployment whose marker carries `token`, created between `sentAt` and `now`. */
export async function findByToken(
  codedeploy: CodeDeployClient,
  group: Group,
  token: string,
  times: { sentAt: number; now: number },
  signal?: AbortSignal
): Promise<string | undefined> {
  const createTimeRange = {
    start: new Date(times.sentAt - SKEW_MS),
    end: new Date(times.now + SKEW_MS)
  }
  // Without SDK retries: the caller retries, and a cancel must not leave one backing off.
  const ids = await listIds(codedeploy, group, { createTimeRange }, signal, true)
  const infos = await batchGet(codedeploy, ids, signal, true)
  return infos.find(info => parseMarker(info.description)?.token === token)?.deploymentId
}

/**
 * A deployment of a newer run of the same workflow that is active in the group or was its last
 * success. CodeDeploy's own rollbacks are left out: they restore an older revision on purpose.
 */
export async function findNewerRun(
  codedeploy: CodeDeployClient,
  group: Group,
  mine: Marker,
  signal?: AbortSignal
): Promise<NewerRun | undefined> {
  if (mine.workflow === undefined || mine.run === undefined) return undefined
  const options = signal ? { abortSignal: signal } : {}
  const [active, info] = await Promise.all([
    listIds(codedeploy, group, { includeOnlyStatuses: ACTIVE }, signal),
    codedeploy.send(
      new GetDeploymentGroupCommand({
        applicationName: group.application,
        deploymentGroupName: group.deploymentGroup
      }),
      options
    )
  ])
  const ids = new Set(active)
  const lastSuccess = info.deploymentGroupInfo?.lastSuccessfulDeployment?.deploymentId
  if (lastSuccess) ids.add(lastSuccess)
  const infos = await batchGet(codedeploy, [...ids], signal)
  const newer = infos
    .filter(d => d.creator !== 'codeDeployRollback')
    .map(d => ({ info: d, marker: parseMarker(d.description) }))
    .filter(d => d.marker !== undefined && isNewerRun(d.marker, mine))
    .sort((a, b) => (b.marker?.run ?? 0) - (a.marker?.run ?? 0))[0]
  if (!newer?.marker || !newer.info.deploymentId) return undefined
  return {
    deploymentId: newer.info.deploymentId,
    run: describeRun(newer.marker),
    status: newer.info.status ?? 'unknown'
  }
}

/**
 * Reading a group's deployments by their run markers: finding the deployment this run created
 * when CreateDeployment's answer was lost, and the guard that keeps an older run from deploying
 * over a newer one (two runs queued on a busy group would otherwise deploy in arrival order).
 */
import type { DeploymentInfo, DeploymentStatus } from '@aws-sdk/client-codedeploy'
import type { Call, Gateway } from '../aws/gateway.js'
import { describeRun, isNewerRun, parseMarker, type Marker } from './marker.js'

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
/** Margin for clock skew between this machine and CodeDeploy. */
const SKEW_MS = 5 * 60_000
/** Deployments of a group looked at, at most. */
const LIMIT = 1000

function ids(
  gateway: Gateway,
  group: Group,
  filter: {
    includeOnlyStatuses?: DeploymentStatus[]
    createTimeRange?: { start: Date; end: Date }
  },
  call: Call
): Promise<string[]> {
  return gateway.deploymentIds(
    { applicationName: group.application, deploymentGroupName: group.deploymentGroup, ...filter },
    LIMIT,
    call
  )
}

/** The group's deployment whose marker carries `token`, created between `sentAt` and `now`. */
export async function findByToken(
  gateway: Gateway,
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
  const call: Call = { once: true, afterCancel: true, ...(signal ? { signal } : {}) }
  const infos = await gateway.deployments(
    await ids(gateway, group, { createTimeRange }, call),
    call
  )
  return infos.find(info => parseMarker(info.description)?.token === token)?.deploymentId
}

/**
 * A deployment of a newer run of the same workflow that is active in the group or was its last
 * success. CodeDeploy's own rollbacks are left out: they restore an older revision on purpose.
 */
export async function findNewerRun(
  gateway: Gateway,
  group: Group,
  mine: Marker
): Promise<NewerRun | undefined> {
  if (mine.workflow === undefined || mine.run === undefined) return undefined
  const call: Call = { patient: true }
  const [active, info] = await Promise.all([
    ids(gateway, group, { includeOnlyStatuses: ACTIVE }, call),
    gateway.deploymentGroup(group.application, group.deploymentGroup, call)
  ])
  const wanted = new Set(active)
  const lastSuccess = info.lastSuccessfulDeployment?.deploymentId
  if (lastSuccess) wanted.add(lastSuccess)
  const infos: DeploymentInfo[] = await gateway.deployments([...wanted], call)
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

/**
 * Which of a deployment's targets the watch reads again, and when, so that following a fleet
 * costs a few calls rather than two per poll:
 * - the targets are read again only when what GetDeployment says changed since the last read (its
 *   status or the overview's counts: Pending, InProgress, Succeeded, Failed, Skipped, Ready);
 * - ECS and Lambda deployments have one target whose traffic moves without any count changing:
 *   it is read again every few beats while traffic shifts;
 * - the ids are listed once (an in-place deployment keeps its targets), and again only when the
 *   overview counts more targets than are known (a blue/green deployment's replacement instances);
 * - only targets that may have changed are read again: not those done (Succeeded, Failed and
 *   Skipped are final), nor those seen Pending while the overview counts as many Pending; when
 *   some left Pending, those seen Pending are read 25 at a time, in the listing's order, until as
 *   many are found as left (when CodeDeploy takes them in that order, as the emulator does, one
 *   call per change however large the fleet; otherwise a few more); at the end all that are not
 *   done are read once more for the outcome and the diagnosis (a fleet of 1,000 read as it went
 *   costs a few calls there, not 40);
 * - a large fleet's targets that succeeded are kept without their events' diagnostics (what an
 *   agent says of a success, its log tail included, is never told), so that following 1,000
 *   instances holds little more than their ids and statuses.
 */
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'
import { BATCH, type Call, type Gateway } from '../aws/gateway.js'
import { folds } from './fold.js'
import { batches, listTargetIds, readTargets } from './targets.js'

/** A target in one of these states does not change any more. */
const FINAL = new Set(['Succeeded', 'Failed', 'Skipped'])

/**
 * ECS and Lambda: long-run beats between two reads of the target while traffic shifts (~17 s; see
 * pace.ts). Traffic moves in steps of a minute or more.
 */
export const TRAFFIC_BEATS = 6

/** The most targets read whole when never read yet: what the pace's window holds (10 calls). */
const WHOLE_READ = 10 * BATCH

/** A target that succeeded, as a large fleet keeps it: its events without their diagnostics. */
function compact(row: InstanceTarget): InstanceTarget {
  if (row.status !== 'Succeeded') return row
  return {
    ...row,
    lifecycleEvents: (row.lifecycleEvents ?? []).map(e => ({
      ...(e.lifecycleEventName ? { lifecycleEventName: e.lifecycleEventName } : {}),
      ...(e.status ? { status: e.status } : {}),
      ...(e.startTime ? { startTime: e.startTime } : {}),
      ...(e.endTime ? { endTime: e.endTime } : {})
    }))
  }
}

/** The overview's counts added up: the number of targets CodeDeploy knows of. */
function total(info: DeploymentInfo): number {
  const o = info.deploymentOverview
  if (!o) return 0
  return (
    (o.Pending ?? 0) +
    (o.InProgress ?? 0) +
    (o.Succeeded ?? 0) +
    (o.Failed ?? 0) +
    (o.Skipped ?? 0) +
    (o.Ready ?? 0)
  )
}

/** What a change of the deployment looks like: its status and the overview's counts. */
function signature(info: DeploymentInfo): string {
  const o = info.deploymentOverview ?? {}
  return [info.status, o.Pending, o.InProgress, o.Succeeded, o.Failed, o.Skipped, o.Ready].join('/')
}

/** Traffic-shifting platforms, whose progress is the traffic share rather than the counts. */
function shifts(info: DeploymentInfo): boolean {
  return info.computePlatform === 'ECS' || info.computePlatform === 'Lambda'
}

export class TargetReads {
  private ids: string[] = []
  private listed = false
  /** The overview's count of targets when they were listed. */
  private listedTotal = 0
  private readonly rows = new Map<string, InstanceTarget>()
  /** The deployment as it was when the targets were last read. */
  private seen: string | undefined
  private failedSeen = 0
  private readAt = -Infinity

  constructor(
    private readonly gateway: Gateway,
    private readonly deploymentId: string
  ) {}

  /** The targets as last read, by id. */
  get targets(): InstanceTarget[] {
    return [...this.rows.values()].sort((a, b) =>
      (a.targetId ?? '').localeCompare(b.targetId ?? '')
    )
  }

  /** Whether the targets may have changed since they were last read (`beat`: beats gone by). */
  due(info: DeploymentInfo, beat: number): boolean {
    if (info.status === 'Created' || info.status === 'Queued') return false
    if (signature(info) !== this.seen) return true
    return shifts(info) && info.status === 'InProgress' && beat - this.readAt >= TRAFFIC_BEATS
  }

  /** A target failed that the log has not shown yet: worth reading now, whatever it costs. */
  urgent(info: DeploymentInfo): boolean {
    return (info.deploymentOverview?.Failed ?? 0) > this.failedSeen
  }

  private mustList(info: DeploymentInfo): boolean {
    if (!this.listed || this.ids.length === 0) return true
    // More targets than when they were listed: a blue/green deployment's replacements.
    return total(info) > Math.max(this.ids.length, this.listedTotal)
  }

  /**
   * The targets not done yet: those seen running (or never read), and those seen Pending, which
   * change only by leaving Pending; how many have left it, the overview's Pending count says.
   */
  private open(info: DeploymentInfo): { running: string[]; pending: string[]; started: number } {
    const open = this.ids.filter(id => !FINAL.has(this.rows.get(id)?.status ?? ''))
    // In a fleet too large to read whole within the pace's window (10 calls), never read yet
    // counts as Pending: those just listed are found in the listing's order, as many as the
    // overview says left Pending. A smaller fleet is read whole at once, which sees it sooner.
    const unread = this.ids.length > WHOLE_READ ? 'Pending' : ''
    const waiting = (id: string): boolean => (this.rows.get(id)?.status ?? unread) === 'Pending'
    const pending = open.filter(waiting)
    const running = open.filter(id => !waiting(id))
    const started = Math.max(0, pending.length - (info.deploymentOverview?.Pending ?? 0))
    return { running, pending, started }
  }

  /**
   * The targets the next read takes first: all of them (`all`), or those seen running, and when
   * some left Pending, as many seen Pending as fill the batch (more follow until they are found).
   */
  private toRead(info: DeploymentInfo, all: boolean): string[] {
    if (all) return this.notDone()
    const { running, pending, started } = this.open(info)
    if (!started) return running
    return [...running, ...pending.slice(0, BATCH - (running.length % BATCH))]
  }

  /** Every target not seen done yet (never read, Pending, running): what the last read takes. */
  private notDone(): string[] {
    return this.ids.filter(id => !FINAL.has(this.rows.get(id)?.status ?? ''))
  }

  /** The calls the next read takes (`all`: every target not done, not only those due). */
  cost(info: DeploymentInfo, all: boolean): number {
    const left = Math.max(1, total(info) - (info.deploymentOverview?.Pending ?? 0))
    if (this.mustList(info)) return 1 + batches(all ? Math.max(1, total(info)) : left)
    if (all || this.ids.length <= WHOLE_READ) return batches(this.toRead(info, all).length)
    // A large fleet: those running, and those that left Pending, found in the listing's order.
    const { running, pending, started } = this.open(info)
    return batches(running.length + Math.min(started, pending.length))
  }

  /**
   * The calls the last read takes (every target, once the deployment ended or paused), with the
   * listing when it is still to come (`listing`), or as if it were done.
   */
  lastCost(info: DeploymentInfo | undefined, listing = true): number {
    const must = !info || this.mustList(info)
    const known = must
      ? Math.max(1, info ? total(info) : 0, this.ids.length)
      : this.notDone().length
    const list = listing && must ? 1 : 0
    if (!info) return list + batches(known)
    // Planned for those running now and as many as may start before the end (a batch of the
    // fleet): a fleet of 1,000 kept in reserve whole would hold the allowance for minutes. Should
    // the end skip many more at once, the last read borrows for them, as it may.
    const running = must ? 0 : this.open(info).running.length
    const likely = running + Math.max(BATCH, info.deploymentOverview?.InProgress ?? 0)
    return list + batches(Math.min(known, likely))
  }

  /**
   * Whether the ids are still to be listed while the deployment runs. Listing them early costs no
   * more than listing them at the end, and leaves one call after the end is seen.
   */
  unlisted(info: DeploymentInfo): boolean {
    return info.status !== 'Created' && info.status !== 'Queued' && this.mustList(info)
  }

  /** Lists the target ids. */
  async list(info: DeploymentInfo, call: Call): Promise<void> {
    this.ids = await listTargetIds(this.gateway, this.deploymentId, call)
    this.listed = true
    this.listedTotal = total(info)
  }

  /**
   * Reads the targets that may have changed (`all`: every one) and keeps them; returns where
   * traffic stands (ECS, Lambda) when the answer says.
   */
  async read(
    info: DeploymentInfo,
    beat: number,
    all: boolean,
    call: Call
  ): Promise<string | undefined> {
    if (this.mustList(info)) await this.list(info, call)
    const { pending, started } = this.open(info)
    let ids = this.toRead(info, all)
    const traffic: string[] = []
    let found = 0
    const big = folds(Math.max(total(info), this.ids.length))
    for (let from = 0; ids.length;) {
      const read = await readTargets(this.gateway, this.deploymentId, ids, call)
      for (const row of read.targets) {
        if (!row.targetId) continue
        const was =
          this.rows.get(row.targetId)?.status ?? (this.ids.length > WHOLE_READ ? 'Pending' : '')
        if (was === 'Pending' && row.status !== 'Pending') found++
        this.rows.set(row.targetId, big ? compact(row) : row)
      }
      if (read.traffic) traffic.push(read.traffic)
      // The ones that left Pending are not all found yet: the next 25 seen Pending.
      from += ids.filter(id => pending.includes(id)).length
      ids = all || found >= started ? [] : pending.slice(from, from + BATCH)
    }
    this.seen = signature(info)
    this.failedSeen = info.deploymentOverview?.Failed ?? 0
    this.readAt = beat
    return traffic.length ? traffic.join('; ') : undefined
  }
}

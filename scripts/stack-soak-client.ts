/**
 * The SDK's part of scripts/stack-soak.ts: deployments created, read, listed and stopped through
 * @aws-sdk/client-codedeploy (with its retries), and the emulator's faults switched on and off
 * over its fault endpoint; plus the tally of calls and errors both parts keep.
 */
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand
} from '@aws-sdk/client-codedeploy'

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms))
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!
const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped'])

/** Calls and errors by kind. */
export class Tally {
  private readonly calls = new Map<string, number>()
  private readonly errors = new Map<string, number>()

  count(kind: string): void {
    this.calls.set(kind, (this.calls.get(kind) ?? 0) + 1)
  }

  error(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1)
  }

  report(): string {
    const list = (m: Map<string, number>): string =>
      [...m.entries()]
        .sort()
        .map(([k, n]) => `  ${k}: ${n}`)
        .join('\n') || '  none'
    return `Calls:\n${list(this.calls)}\nErrors answered (expected under faults):\n${list(this.errors)}`
  }
}

const FAULTS = [
  { throttleRate: 0.3 },
  { serverErrorRate: 0.2 },
  { resetRate: 0.1 },
  { latencyMs: 150 },
  { throttleRate: 0.2, latencyMs: 50 },
  { answerDelayMs: 300, operations: ['GetDeployment'] }
]

export class SoakClient {
  private readonly codedeploy: CodeDeployClient
  private readonly faultsUrl: string

  constructor(
    env: Record<string, string>,
    private readonly keys: Record<string, string>,
    private readonly tally: Tally
  ) {
    this.codedeploy = new CodeDeployClient({
      region: env.AWS_REGION!,
      endpoint: env.AWS_ENDPOINT_URL_CODEDEPLOY!,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID!,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY!
      },
      maxAttempts: 6
    })
    this.faultsUrl = `${env.AWS_ENDPOINT_URL_CODEDEPLOY!}/_emulator/faults`
  }

  private async call<T>(kind: string, send: () => Promise<T>): Promise<T | undefined> {
    this.tally.count(`sdk ${kind}`)
    try {
      return await send()
    } catch (error) {
      this.tally.error(`sdk ${kind}: ${(error as Error).name}`)
      return undefined
    }
  }

  /** Create, follow (reading targets), sometimes stop, until `until`; bounded. */
  async deployLoop(application: string, group: string, until: number): Promise<void> {
    const cd = this.codedeploy
    for (let i = 0; i < 10_000 && Date.now() < until; i++) {
      const key = this.keys[pick(['good', 'slow', 'slow', 'broken'])]!
      const created = await this.call('CreateDeployment', () =>
        cd.send(
          new CreateDeploymentCommand({
            applicationName: application,
            deploymentGroupName: group,
            revision: {
              revisionType: 'S3',
              s3Location: { bucket: 'soak-bundles', key, bundleType: 'zip' }
            }
          })
        )
      )
      const id = created?.deploymentId
      if (!id) {
        await sleep(500)
        continue
      }
      const stopAt = Math.random() < 0.5 ? Math.floor(Math.random() * 4) : -1
      for (let poll = 0; poll < 120 && Date.now() < until; poll++) {
        const read = await this.call('GetDeployment', () =>
          cd.send(new GetDeploymentCommand({ deploymentId: id }))
        )
        await this.call('ListDeploymentTargets', () =>
          cd.send(new ListDeploymentTargetsCommand({ deploymentId: id }))
        )
        if (poll === stopAt)
          await this.call('StopDeployment', () =>
            cd.send(
              new StopDeploymentCommand({
                deploymentId: id,
                autoRollbackEnabled: Math.random() < 0.5
              })
            )
          )
        const status = read?.deploymentInfo?.status
        if (status && TERMINAL.has(status)) {
          const rollback = read.deploymentInfo?.rollbackInfo?.rollbackDeploymentId
          if (rollback)
            await this.call('BatchGetDeployments', () =>
              cd.send(new BatchGetDeploymentsCommand({ deploymentIds: [id, rollback] }))
            )
          break
        }
        await sleep(300)
      }
    }
  }

  /** Faults on for a few seconds, then off for a few, until `until`; bounded. */
  async faultLoop(until: number): Promise<void> {
    for (let i = 0; i < 10_000 && Date.now() < until; i++) {
      const put = (body: object): Promise<unknown> =>
        fetch(this.faultsUrl, { method: 'PUT', body: JSON.stringify(body) }).then(
          r => r.text(),
          () => this.tally.error('fault control unreachable')
        )
      await put(pick(FAULTS))
      this.tally.count('fault switch')
      await sleep(2000 + Math.random() * 3000)
      await this.clearFaults()
      await sleep(3000 + Math.random() * 3000)
    }
  }

  async clearFaults(): Promise<void> {
    await fetch(this.faultsUrl, { method: 'DELETE' }).then(
      r => r.text(),
      () => this.tally.error('fault control unreachable')
    )
  }

  destroy(): void {
    this.codedeploy.destroy()
  }
}

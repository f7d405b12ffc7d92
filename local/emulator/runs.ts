/**
 * The deployments a lifecycle engine is running: each with the controller that stops it and the
 * promise of its end, so the engine can stop one, wait until none runs, or close. A run that
 * throws (an emulator bug) is logged with its stack and handed to `onError`, which records it as
 * the deployment's failure; nothing a run does can end the process.
 */
import { failureEntry, type StackLog } from '../guard.js'

export interface RunsOptions {
  log: StackLog
  /** Called as each run begins; throws to make that run fail as a bug would (a test's fault). */
  beforeRun?: (id: string) => void
}

export class Runs {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>()
  /** Set once closing: a run about to finish on its own leaves the state as it is. */
  closed = false

  constructor(private readonly options: RunsOptions) {}

  /** Runs `run` for deployment `id`; `onError` records an unexpected failure as the deployment's. */
  start(
    id: string,
    run: (signal: AbortSignal) => Promise<void>,
    onError: (error: unknown) => void
  ): void {
    const controller = new AbortController()
    const done = (async (): Promise<void> => {
      try {
        this.options.beforeRun?.(id)
        await run(controller.signal)
      } catch (error) {
        this.options.log(failureEntry(`the run of deployment ${id}`, error))
        try {
          onError(error)
        } catch (recording) {
          this.options.log(failureEntry(`recording the failure of deployment ${id}`, recording))
        }
      }
    })().finally(() => this.running.delete(id))
    this.running.set(id, { controller, done })
  }

  stop(id: string): void {
    this.running.get(id)?.controller.abort()
  }

  /** Resolves when every run (and any run started meanwhile, such as a rollback) has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map(r => r.done))
  }

  async close(): Promise<void> {
    this.closed = true
    for (const { controller } of this.running.values()) controller.abort()
    await this.idle()
  }
}

/**
 * Sends each deployment to the engine of its compute platform: Server deployments to the
 * instance lifecycle, ECS and Lambda deployments to the traffic engine.
 */
import type { Deployment } from '../model.js'
import type { Lifecycle } from '../service.js'

export interface Engine extends Lifecycle {
  idle(): Promise<void>
  close(): Promise<void>
}

export class PlatformRouter implements Engine {
  constructor(
    private readonly server: Engine,
    private readonly traffic: Engine
  ) {}

  private engine(d: Deployment): Engine {
    return d.computePlatform ? this.traffic : this.server
  }

  start(d: Deployment): void {
    this.engine(d).start(d)
  }

  stop(d: Deployment): void {
    this.engine(d).stop(d)
  }

  /** Both idle at once: a rollback started by one engine's deployment runs on the same one. */
  async idle(): Promise<void> {
    await Promise.all([this.server.idle(), this.traffic.idle()])
  }

  async close(): Promise<void> {
    await Promise.all([this.server.close(), this.traffic.close()])
  }
}

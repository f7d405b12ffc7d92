/**
 * What every stage of a run acts and speaks through. It holds no state of the run: what the run
 * knows is in its record (./tell/record.ts), which each stage is handed beside these.
 */
import type { Gateway } from './aws/gateway.js'
import type { Cancellation } from './cancellation.js'
import type { Clock } from './clock.js'
import type { Reporter } from './reporter.js'

export interface Ports {
  /** Every AWS call. */
  gateway: Gateway
  reporter: Reporter
  clock: Clock
  /** The job's cancel, and the time it leaves. */
  cancel: Cancellation
  /** Tells the adapter that the record gained something (outputs are set as soon as known). */
  changed(): void
}

/**
 * Errors the engine raises on purpose. Each one names the problem and how to fix it, so the
 * action can print `error.message` as-is, as the run's one error annotation.
 */
import type { Annotation } from './reporter.js'

/** A value given by the user (input, appspec, source tree) is not usable. Raised before any AWS write. */
export class InputError extends Error {
  override name = 'InputError'
  /** Where the failure annotation points (title, file, line), when the engine knows. */
  annotation?: Annotation
}

/** A problem in appspec.yml; carries the place so it can become a file annotation. */
export class AppSpecError extends InputError {
  override name = 'AppSpecError'
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number
  ) {
    super(message)
  }
}

/** The deployment ended in a state other than Succeeded. */
export class DeploymentFailedError extends Error {
  override name = 'DeploymentFailedError'
  constructor(
    message: string,
    /** Title of the failure annotation, e.g. "ValidateService failed on i-0abc". */
    readonly annotation?: Annotation
  ) {
    super(message)
  }
}

/** The annotation an engine error carries for the final failure message, if any. */
export function failureAnnotation(error: unknown): Annotation | undefined {
  if (error instanceof InputError || error instanceof DeploymentFailedError) return error.annotation
  return undefined
}

/** Message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/**
 * Errors the engine raises on purpose. Each one names the problem and how to fix it, so the
 * action can print `error.message` as-is.
 */

/** A value given by the user (input, appspec, source tree) is not usable. Raised before any AWS write. */
export class InputError extends Error {
  override name = 'InputError'
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
}

/** Message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

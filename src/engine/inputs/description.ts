/**
 * The deployment's description: what is deployed and from where, cut to the API's limit instead
 * of failing on it.
 */

/** The API's limit for a deployment description. */
export const DESCRIPTION_LIMIT = 512

/** Where the run comes from, for the default description. */
export interface RunContext {
  sha?: string
  ref?: string
  runUrl?: string
  actor?: string
}

/** Cuts a description so that it and `reserve` more characters fit the API's limit. */
export function cutDescription(text: string, reserve = 0): string {
  const limit = DESCRIPTION_LIMIT - reserve
  const chars = [...text]
  if (chars.length <= limit) return text
  return `${chars.slice(0, limit - 1).join('')}…`
}

/** Default description: what is deployed and from where. */
export function defaultDescription(context: RunContext): string {
  const parts: string[] = []
  if (context.sha) parts.push(`commit ${context.sha.slice(0, 12)}`)
  if (context.ref) parts.push(context.ref)
  if (context.actor) parts.push(`by ${context.actor}`)
  const head = parts.length ? `Deployed ${parts.join(', ')}` : 'Deployed by CodeDeploy Bridge'
  return context.runUrl ? `${head} (${context.runUrl})` : head
}

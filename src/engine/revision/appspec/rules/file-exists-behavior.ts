/**
 * `file_exists_behavior` at the top level: what the agent does with a file that is already at a
 * destination it did not put there. Only the three upper-case values are accepted.
 */
import type { CheckContext } from '../context.js'
import type { FileExistsBehavior } from '../types.js'
import type { Field } from '../yaml.js'

const FILE_EXISTS_BEHAVIORS: readonly FileExistsBehavior[] = ['DISALLOW', 'OVERWRITE', 'RETAIN']

export function checkFileExistsBehavior(ctx: CheckContext, field: Field): FileExistsBehavior {
  const value = ctx.text(field.value)
  const found = FILE_EXISTS_BEHAVIORS.find(b => b === value)
  if (found) return found
  throw ctx.fail(
    field.value ?? field.key,
    `file_exists_behavior is '${value ?? ''}'. Use DISALLOW, OVERWRITE or RETAIN (upper case).`
  )
}

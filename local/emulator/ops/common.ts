/**
 * What the operation handlers share: the handler type, the table that finds a handler by
 * operation name, the service's batch and description limits, and List* paging with the
 * emulator's `page-N` next tokens.
 */
import { ServiceError } from '../errors.js'
import type { CodeDeployService } from '../service.js'
import { optionalString, type Input, type Json } from '../wire.js'

/** Answers one operation: validates the input, changes the service's state, returns the output. */
export type Handler = (service: CodeDeployService, input: Input) => Json | Promise<Json>
export type Handlers = Readonly<Record<string, Handler>>

export const BATCH_LIMIT = 25
export const MAX_DESCRIPTION = 512

/** One table of every operation; an operation claimed by two resources is a programming error. */
export function handlerTable(...groups: Handlers[]): ReadonlyMap<string, Handler> {
  const table = new Map<string, Handler>()
  for (const handlers of groups) {
    for (const [operation, handler] of Object.entries(handlers)) {
      if (table.has(operation)) throw new Error(`Two handlers for ${operation}`)
      table.set(operation, handler)
    }
  }
  return table
}

export function page<T>(
  service: CodeDeployService,
  items: T[],
  input: Input
): { items: T[]; nextToken?: string } {
  const token = optionalString(input, 'nextToken')
  let start = 0
  if (token) {
    const match = /^page-(\d+)$/.exec(token)
    if (!match)
      throw new ServiceError(
        'InvalidNextTokenException',
        'The next token was specified in an invalid format.'
      )
    start = Number(match[1])
  }
  const end = start + service.pageSize
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: `page-${end}` } : {})
  }
}

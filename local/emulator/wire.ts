/**
 * Request checks and response encoding in the service's terms: missing members and bad values
 * become the service's named exceptions; Dates become epoch seconds.
 */
import { ServiceError } from './errors.js'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type Input = Record<string, unknown>

/** Converts Dates to epoch seconds and drops undefined members, recursively. */
export function toWire(value: unknown): Json {
  if (value instanceof Date) return value.getTime() / 1000
  if (Array.isArray(value)) return value.map(toWire)
  if (value instanceof Map) return [...value.values()].map(toWire)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {}
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toWire(member)
    }
    return out
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value
  return null
}

export function optionalString(
  input: Input,
  name: string,
  invalid = 'InvalidInputException'
): string | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new ServiceError(invalid, `${name} must be a string.`)
  return value
}

export function requiredString(
  input: Input,
  name: string,
  missing: string,
  message: string,
  invalid?: string
): string {
  const value = optionalString(input, name, invalid)
  if (!value) throw new ServiceError(missing, message)
  return value
}

export function optionalBoolean(input: Input, name: string): boolean | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean')
    throw new ServiceError('SerializationException', `${name} must be a boolean.`)
  return value
}

export function optionalObject(input: Input, name: string): Input | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ServiceError('SerializationException', `${name} must be a structure.`)
  return value as Input
}

export function optionalStringList(
  input: Input,
  name: string,
  invalid = 'SerializationException'
): string[] | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string'))
    throw new ServiceError(invalid, `${name} must be a list of strings.`)
  return value as string[]
}

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  exception: string,
  what: string
): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ServiceError(
      exception,
      `${what} '${value}' is not valid. Valid values: ${allowed.join(', ')}`
    )
  }
  return value as T
}

export function epochSeconds(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ServiceError('InvalidTimeRangeException', `${name} must be a timestamp.`)
  return new Date(value * 1000)
}

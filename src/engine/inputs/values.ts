/**
 * Reading one input's value: the text given, or action.yml's default when it is left out; one of
 * a list, a boolean, a duration (bucket, key prefix, source and revision are checked in
 * locations.ts). Each reader pushes a message that shows the expected form onto `problems`, so
 * that the settings parser reports every bad input at once.
 */
import { defaultOf, type DefaultedInput, type InputName, type InputSource } from './names.js'

export function oneOf<T extends string>(
  name: string,
  raw: string,
  allowed: readonly T[],
  problems: string[],
  normalise: (value: string) => string = v => v
): T | undefined {
  if (raw === '') return undefined
  const value = normalise(raw)
  if ((allowed as readonly string[]).includes(value)) return value as T
  problems.push(`Invalid ${name} '${raw}'. Expected one of: ${allowed.join(', ')}.`)
  return undefined
}

/** The words a boolean input takes: exactly those core.getBooleanInput accepts (YAML 1.2's). */
export const BOOLEAN_WORDS = {
  true: ['true', 'True', 'TRUE'],
  false: ['false', 'False', 'FALSE']
} as const

/** A boolean input, read as core.getBooleanInput reads it: anything else is refused. */
export function parseBoolean(name: InputName, raw: string, problems: string[]): boolean {
  const value = raw.trim()
  if ((BOOLEAN_WORDS.true as readonly string[]).includes(value)) return true
  if ((BOOLEAN_WORDS.false as readonly string[]).includes(value)) return false
  problems.push(
    `Invalid ${name} '${raw}'. Expected true or false (one of: ${[...BOOLEAN_WORDS.true, ...BOOLEAN_WORDS.false].join(', ')}).`
  )
  return false
}

/**
 * A duration: plain seconds (`900`), or a number with a unit (`45m`, `2h`, `90s`, `1h30m`).
 * Returns seconds, or undefined when the text is not a duration.
 */
export function parseDuration(raw: string): number | undefined {
  const text = raw.trim().toLowerCase()
  if (/^\d+$/.test(text)) return Number(text)
  if (!/^(\d+(\.\d+)?[hms])+$/.test(text)) return undefined
  let seconds = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)([hms])/g)) {
    const factor = unit === 'h' ? 3600 : unit === 'm' ? 60 : 1
    seconds += Number(amount) * factor
  }
  return Math.round(seconds)
}

/** The shortest and longest `timeout` and `rollback-timeout`, in seconds. */
export const DURATION_BOUNDS = { min: 60, max: 6 * 3600 } as const

/** The readers of one parse, sharing its `problems`. */
export interface Reader {
  /** The text given, trimmed; '' when not given. */
  given: (name: InputName) => string
  /** The text given, or action.yml's default ('' when it has none). */
  value: (name: InputName) => string
  /** One of `allowed` (compared after `normalise`, lower case by default); the default when not given. */
  choice: <T extends string>(
    name: InputName & DefaultedInput,
    allowed: readonly T[],
    normalise?: (value: string) => string
  ) => T
  /** One of `allowed`, or undefined when not given (an input without a default). */
  optionalChoice: <T extends string>(
    name: InputName,
    allowed: readonly T[],
    normalise?: (value: string) => string
  ) => T | undefined
  boolean: (name: InputName & DefaultedInput) => boolean
  /** A duration within DURATION_BOUNDS, in seconds. */
  duration: (name: InputName & DefaultedInput) => number
}

export function reader(get: InputSource, problems: string[]): Reader {
  const given = (name: InputName): string => get(name).trim()
  const value = (name: InputName): string => given(name) || defaultOf(name) || ''
  const lower = (v: string): string => v.toLowerCase()
  return {
    given,
    value,
    choice: (name, allowed, normalise = lower) =>
      oneOf(name, value(name), allowed, problems, normalise) ?? allowed[0]!,
    optionalChoice: (name, allowed, normalise = v => v) =>
      oneOf(name, given(name), allowed, problems, normalise),
    boolean: name => parseBoolean(name, value(name), problems),
    duration: name => {
      const raw = value(name)
      const parsed = parseDuration(raw)
      if (parsed === undefined || parsed < DURATION_BOUNDS.min || parsed > DURATION_BOUNDS.max) {
        problems.push(
          `Invalid ${name} '${raw}'. Expected a duration from 1m to 6h, such as 45m, 2h or 900 (seconds).`
        )
        return DURATION_BOUNDS.max
      }
      return parsed
    }
  }
}

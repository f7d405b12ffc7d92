/**
 * Readers for one input's value: one of a list, a boolean, a duration (bucket, key prefix,
 * source and revision are checked in locations.ts). Each pushes a message that shows the expected form onto `problems`, so that
 * the settings parser reports every bad input at once.
 */
import type { Command, InputName } from './settings.js'

export function oneOf<T extends string>(
  name: InputName,
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

export function parseBoolean(
  name: InputName,
  raw: string,
  fallback: boolean,
  problems: string[]
): boolean {
  if (raw === '') return fallback
  const value = raw.trim().toLowerCase()
  if (['true', 'yes', 'on', '1'].includes(value)) return true
  if (['false', 'no', 'off', '0'].includes(value)) return false
  problems.push(`Invalid ${name} '${raw}'. Expected true or false.`)
  return fallback
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

/** What does not fit about `appspec` and `task-definition` (ECS and Lambda) with the rest. */
export function contentInputProblems(
  command: string,
  appspec: string,
  taskDefinition: string,
  revision: string
): string[] {
  const problems: string[] = []
  if (appspec && command !== 'deploy')
    problems.push(
      `Input 'appspec' deploys to an ECS or Lambda group with command 'deploy'; command '${command}' does not use it. Remove it, or set command: deploy.`
    )
  if (appspec && revision)
    problems.push(
      `Inputs 'appspec' (an ECS or Lambda AppSpec sent inline) and 'revision' (a bundle in S3) are two kinds of revision: give one.`
    )
  if (taskDefinition && !appspec)
    problems.push(
      `Input 'task-definition' is registered and put into an ECS AppSpec: give that AppSpec in 'appspec' too.`
    )
  return problems
}

/**
 * The command a run asked for, read leniently: what a run that fails before its settings could be
 * read is recorded as (anything unknown is the default, deploy).
 */
export function commandOf(raw: string): Command {
  const value = raw.trim().toLowerCase()
  return value === 'package' || value === 'rollback' || value === 'continue' ? value : 'deploy'
}

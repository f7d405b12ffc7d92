/**
 * Not part of the AWS protocol: `GET /_emulator/faults` shows the fault settings and counts,
 * `PUT` with a JSON object of FaultSettings changes some of them, `DELETE` clears them. Lets a
 * person (curl) or another process switch faults while `npm run local-stack` runs.
 */
import type { Faults, FaultSettings } from './faults.js'

export const FAULTS_PATH = '/_emulator/faults'

const FAULT_NUMBERS = [
  'throttleRate',
  'serverErrorRate',
  'resetRate',
  'latencyMs',
  'throttleNext',
  'serverErrorNext',
  'resetNext',
  'answerDelayMs',
  'lostAnswerNext',
  'handlerErrorNext',
  'lifecycleErrorNext'
] as const

export interface ControlAnswer {
  status: number
  body: unknown
}

function invalid(message: string): ControlAnswer {
  return { status: 400, body: { __type: 'InvalidFaults', message } }
}

/** Answers a request to FAULTS_PATH, changing `faults` as it asks. */
export function controlFaults(
  method: string | undefined,
  body: string,
  faults: Faults
): ControlAnswer {
  const show = (): ControlAnswer => ({
    status: 200,
    body: { settings: faults.settings, counts: faults.counts }
  })
  if (method === 'GET') return show()
  if (method === 'DELETE') {
    faults.clear()
    return show()
  }
  if (method !== 'PUT')
    return { status: 405, body: { __type: 'MethodNotAllowed', message: 'Use GET, PUT or DELETE.' } }
  let input: unknown
  try {
    input = JSON.parse(body)
  } catch {
    input = undefined
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return invalid('Send a JSON object.')
  const changes: Partial<FaultSettings> = {}
  for (const [key, value] of Object.entries(input)) {
    if ((FAULT_NUMBERS as readonly string[]).includes(key)) {
      const isRate = key.endsWith('Rate')
      if (typeof value !== 'number' || value < 0 || (isRate && value > 1))
        return invalid(`${key} must be a number ${isRate ? 'from 0 to 1' : 'of 0 or more'}.`)
      changes[key as (typeof FAULT_NUMBERS)[number]] = value
    } else if (
      key === 'operations' &&
      Array.isArray(value) &&
      value.every(v => typeof v === 'string')
    ) {
      changes.operations = value
    } else {
      return invalid(
        `Unknown fault setting '${key}'. Known: ${[...FAULT_NUMBERS, 'operations'].join(', ')}.`
      )
    }
  }
  faults.set(changes)
  return show()
}

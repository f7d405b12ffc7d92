/**
 * Creating the deployment, alone: the run marker in the description, and the decisions made on
 * CodeDeploy's answers (a busy group that turns out to be this run's own deployment, a newer run
 * that deployed while this one waited), with a scripted client so each answer is chosen.
 */
import { gatewayOver } from './helpers/gateway.js'
import { describe, expect, it } from '@jest/globals'
import type { CodeDeployClient, DeploymentInfo } from '@aws-sdk/client-codedeploy'
import { Cancellation } from '../src/engine/cancellation.js'
import {
  createDeployment,
  createDeploymentInput,
  type CreateRequest
} from '../src/engine/deploy/create.js'
import { DESCRIPTION_LIMIT } from '../src/engine/inputs/description.js'
import { formatMarker, newMarker, parseMarker } from '../src/engine/deploy/marker.js'
import { RecordingReporter } from '../src/engine/reporter.js'
import { revisionLocation } from '../src/engine/inputs/s3-location.js'
import type { Clock } from '../src/engine/clock.js'

const WORKFLOW = 'octo/shop/.github/workflows/deploy.yml@refs/heads/main'

function fakeClock(): Clock {
  let now = 1_000_000
  return {
    now: () => now,
    after: (ms: number) => AbortSignal.timeout(Math.max(0, ms)),
    sleep: ms => {
      now += ms
      return Promise.resolve()
    }
  }
}

function request(marker = newMarker({ workflowRef: WORKFLOW, runNumber: 20 })): CreateRequest {
  return {
    application: 'shop',
    deploymentGroup: 'prod',
    location: revisionLocation({ bucket: 'b', key: 'k.zip', bundleType: 'zip' }),
    description: 'Deployed commit abc',
    marker,
    autoRollback: 'on-failure',
    ignoreApplicationStopFailures: false,
    skipIfSuperseded: true
  }
}

function limitExceeded(active: string): Error {
  return Object.assign(new Error(`The deployment group prod has an active deployment: ${active}`), {
    name: 'DeploymentLimitExceededException',
    $metadata: { httpStatusCode: 400 }
  })
}

/** A client answering each operation from a queue (the last answer repeats). */
function scripted(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const calls: string[] = []
  const client = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = command.constructor.name.replace(/Command$/, '')
      calls.push(op)
      const answer = answers[op]
      if (!answer) return Promise.reject(new Error(`unexpected ${op}`))
      return new Promise(resolve => resolve(answer(command.input)))
    }
  } as unknown as CodeDeployClient
  return { client, calls }
}

describe('the run marker', () => {
  it('reads back what it wrote, with the workflow hashed and the run and attempt', () => {
    const marker = newMarker({ workflowRef: WORKFLOW, runNumber: 42, runAttempt: 2 })
    const text = formatMarker(marker)
    expect(text).toMatch(/^\[cdb wf=[0-9a-f]{8} run=42\.2 id=[0-9a-f]{12}\]$/)
    expect(parseMarker(`Deployed commit abc ${text}`)).toEqual(marker)
  })

  it('names the same workflow on every branch, and another workflow differently', () => {
    const main = newMarker({ workflowRef: WORKFLOW, runNumber: 1 })
    const branch = newMarker({ workflowRef: WORKFLOW.replace('main', 'feature'), runNumber: 1 })
    const other = newMarker({ workflowRef: WORKFLOW.replace('deploy', 'hotfix'), runNumber: 1 })
    expect(branch.workflow).toBe(main.workflow)
    expect(other.workflow).not.toBe(main.workflow)
  })

  it('is only a marker at the end of the description, in its exact form', () => {
    expect(parseMarker('[cdb id=0123456789ab] was deployed by hand')).toBeUndefined()
    expect(parseMarker('Deployed [cdb id=xyz]')).toBeUndefined()
    expect(parseMarker(undefined)).toBeUndefined()
    expect(parseMarker('x [cdb id=0123456789ab]')).toEqual({ token: '0123456789ab' })
  })

  it('survives a description cut to the API limit', () => {
    const marker = newMarker({ workflowRef: WORKFLOW, runNumber: 3 })
    const input = createDeploymentInput({ ...request(marker), description: 'é'.repeat(600) })
    expect([...input.description!].length).toBe(DESCRIPTION_LIMIT)
    expect(parseMarker(input.description)).toEqual(marker)
  })
})

describe('createDeployment on a busy group', () => {
  it('takes the active deployment as created when it carries this run’s marker', async () => {
    const req = request()
    const { client, calls } = scripted({
      ListDeployments: () => ({ deployments: [] }),
      GetDeploymentGroup: () => ({ deploymentGroupInfo: {} }),
      BatchGetDeployments: () => ({ deploymentsInfo: [] }),
      CreateDeployment: () => {
        throw limitExceeded('d-OURS00001')
      },
      GetDeployment: () => ({
        deploymentInfo: {
          deploymentId: 'd-OURS00001',
          description: `x ${formatMarker(req.marker)}`
        }
      })
    })
    const clock = fakeClock()
    const result = await createDeployment(req, {
      gateway: gatewayOver(client, clock),
      reporter: new RecordingReporter(),
      clock,
      deadline: clock.now() + 60_000,
      cancel: new Cancellation(undefined, clock)
    })
    expect(result).toEqual({ kind: 'created', id: 'd-OURS00001' })
    expect(calls.filter(c => c === 'CreateDeployment')).toHaveLength(1)
  })

  it('checks again after the wait, and skips when a newer run deployed meanwhile', async () => {
    const req = request()
    const newer = newMarker({ workflowRef: WORKFLOW, runNumber: 21 })
    let waited = false
    const { client, calls } = scripted({
      ListDeployments: () => ({ deployments: [] }),
      GetDeploymentGroup: () => ({
        deploymentGroupInfo: waited
          ? { lastSuccessfulDeployment: { deploymentId: 'd-NEWER0001' } }
          : {}
      }),
      BatchGetDeployments: (input: Record<string, unknown>) => ({
        deploymentsInfo: (input.deploymentIds as string[]).map((id): DeploymentInfo => ({
          deploymentId: id,
          status: 'Succeeded',
          creator: 'user',
          description: `Deployed ${formatMarker(newer)}`
        }))
      }),
      CreateDeployment: () => {
        throw limitExceeded('d-HOLDER001')
      },
      GetDeployment: (input: Record<string, unknown>) => {
        waited = true
        return { deploymentInfo: { deploymentId: input.deploymentId, status: 'Succeeded' } }
      }
    })
    const clock = fakeClock()
    const reporter = new RecordingReporter()
    const result = await createDeployment(req, {
      gateway: gatewayOver(client, clock),
      reporter,
      clock,
      deadline: clock.now() + 60_000,
      cancel: new Cancellation(undefined, clock)
    })
    expect(result).toEqual({
      kind: 'superseded',
      by: { deploymentId: 'd-NEWER0001', run: 'run 21', status: 'Succeeded' }
    })
    expect(reporter.lines.join('\n')).toMatch(/busy with d-HOLDER001; waiting/)
    expect(calls.filter(c => c === 'CreateDeployment')).toHaveLength(1)
    expect(calls.filter(c => c === 'GetDeploymentGroup')).toHaveLength(2)
  })
})

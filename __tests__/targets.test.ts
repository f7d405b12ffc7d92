/**
 * Where traffic stands, read from BatchGetDeploymentTargets: CodeDeploy gives both weights as a
 * percentage (TrafficWeight, a double from 0 to 100). The ECS answer below is the shape of the
 * get-deployment-target output in the Amazon ECS developer guide's blue/green tutorial
 * (`"trafficWeight": 100.0` once all traffic is on the replacement); the Lambda target's
 * `targetVersionWeight` is the same TrafficWeight shape, "the percentage of production traffic
 * that the target version of a Lambda function receives".
 */
import { gatewayOver } from './helpers/gateway.js'
import { describe, expect, it } from '@jest/globals'
import type { CodeDeployClient, DeploymentTarget } from '@aws-sdk/client-codedeploy'
import { readTargets } from '../src/engine/follow/targets.js'

function clientAnswering(target: DeploymentTarget): CodeDeployClient {
  return {
    send: (command: { constructor: { name: string } }) =>
      command.constructor.name === 'BatchGetDeploymentTargetsCommand'
        ? Promise.resolve({ deploymentTargets: [target] })
        : Promise.reject(new Error(`unexpected ${command.constructor.name}`))
  } as unknown as CodeDeployClient
}

/** The one target's id, as ListDeploymentTargets would have given it. */
const idOf = (target: DeploymentTarget): string[] => [
  target.ecsTarget?.targetId ?? target.lambdaTarget?.targetId ?? ''
]

describe('the traffic line', () => {
  it('reads an ECS task set weight as a percentage', async () => {
    const target: DeploymentTarget = {
      deploymentTargetType: 'ECSTarget',
      ecsTarget: {
        targetId: 'tutorial-bluegreen-cluster:service-bluegreen',
        status: 'InProgress',
        taskSetsInfo: [
          { identifer: 'ecs-svc/9223370493425779968', trafficWeight: 90.0, taskSetLabel: 'Blue' },
          { identifer: 'ecs-svc/9223370493423413672', trafficWeight: 10.0, taskSetLabel: 'Green' }
        ]
      }
    }
    const { traffic } = await readTargets(
      gatewayOver(clientAnswering(target)),
      'd-RPCR1U3TW',
      idOf(target)
    )
    expect(traffic).toBe('10% on the replacement task set ecs-svc/9223370493423413672')
  })

  it('reads a Lambda target version weight as a percentage, not a fraction', async () => {
    const target: DeploymentTarget = {
      deploymentTargetType: 'LambdaTarget',
      lambdaTarget: {
        targetId: 'checkout:live',
        status: 'InProgress',
        lambdaFunctionInfo: {
          functionName: 'checkout',
          functionAlias: 'live',
          currentVersion: '1',
          targetVersion: '2',
          targetVersionWeight: 10.0
        }
      }
    }
    const { traffic, targets } = await readTargets(
      gatewayOver(clientAnswering(target)),
      'd-1',
      idOf(target)
    )
    expect(traffic).toBe('10% on version 2 of checkout (alias live)')
    expect(targets).toEqual([{ targetId: 'checkout:live', status: 'InProgress' }])
  })

  it('keeps one decimal of a weight that is not whole', async () => {
    const target: DeploymentTarget = {
      lambdaTarget: {
        targetId: 'f:live',
        lambdaFunctionInfo: { functionName: 'f', targetVersion: '4', targetVersionWeight: 33.333 }
      }
    }
    const { traffic } = await readTargets(gatewayOver(clientAnswering(target)), 'd-2', idOf(target))
    expect(traffic).toBe('33.3% on version 4 of f')
  })
})

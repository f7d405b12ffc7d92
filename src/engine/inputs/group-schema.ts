/**
 * The shape of CreateDeploymentGroup's input, as `deployment-group-config` takes it (the API's
 * own camelCase), and the checker that holds a file to it: every field known (or the closest
 * name), every value of its type. What the API checks beyond the shape (that an ARN names a role
 * that exists, that a load balancer is there) stays with the API.
 */
import { didYouMean } from './suggest.js'

export type Shape =
  | 'string'
  | 'boolean'
  | 'whole'
  | { readonly oneOf: readonly string[] }
  | { readonly list: Shape }
  | { readonly fields: Readonly<Record<string, Shape>> }

const TAG_FILTER: Shape = {
  fields: {
    Key: 'string',
    Value: 'string',
    Type: { oneOf: ['KEY_ONLY', 'VALUE_ONLY', 'KEY_AND_VALUE'] }
  }
}
const TAG_SET = (list: string): Shape => ({ fields: { [list]: { list: { list: TAG_FILTER } } } })
const TARGET_GROUP: Shape = { list: { fields: { name: 'string' } } }
const TRAFFIC_ROUTE: Shape = { fields: { listenerArns: { list: 'string' } } }
const TRIGGER_EVENTS = [
  'DeploymentStart',
  'DeploymentSuccess',
  'DeploymentFailure',
  'DeploymentStop',
  'DeploymentRollback',
  'DeploymentReady',
  'InstanceStart',
  'InstanceSuccess',
  'InstanceFailure',
  'InstanceReady'
]

/** CreateDeploymentGroup's fields, but tags (this action's own). */
export const GROUP_FIELDS: Readonly<Record<string, Shape>> = {
  applicationName: 'string',
  deploymentGroupName: 'string',
  deploymentConfigName: 'string',
  serviceRoleArn: 'string',
  ec2TagFilters: { list: TAG_FILTER },
  ec2TagSet: TAG_SET('ec2TagSetList'),
  onPremisesInstanceTagFilters: { list: TAG_FILTER },
  onPremisesTagSet: TAG_SET('onPremisesTagSetList'),
  autoScalingGroups: { list: 'string' },
  triggerConfigurations: {
    list: {
      fields: {
        triggerName: 'string',
        triggerTargetArn: 'string',
        triggerEvents: { list: { oneOf: TRIGGER_EVENTS } }
      }
    }
  },
  alarmConfiguration: {
    fields: {
      enabled: 'boolean',
      ignorePollAlarmFailure: 'boolean',
      alarms: { list: { fields: { name: 'string' } } }
    }
  },
  autoRollbackConfiguration: {
    fields: {
      enabled: 'boolean',
      events: {
        list: {
          oneOf: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']
        }
      }
    }
  },
  outdatedInstancesStrategy: { oneOf: ['UPDATE', 'IGNORE'] },
  deploymentStyle: {
    fields: {
      deploymentType: { oneOf: ['IN_PLACE', 'BLUE_GREEN'] },
      deploymentOption: { oneOf: ['WITH_TRAFFIC_CONTROL', 'WITHOUT_TRAFFIC_CONTROL'] }
    }
  },
  blueGreenDeploymentConfiguration: {
    fields: {
      terminateBlueInstancesOnDeploymentSuccess: {
        fields: {
          action: { oneOf: ['TERMINATE', 'KEEP_ALIVE'] },
          terminationWaitTimeInMinutes: 'whole'
        }
      },
      deploymentReadyOption: {
        fields: {
          actionOnTimeout: { oneOf: ['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT'] },
          waitTimeInMinutes: 'whole'
        }
      },
      greenFleetProvisioningOption: {
        fields: { action: { oneOf: ['DISCOVER_EXISTING', 'COPY_AUTO_SCALING_GROUP'] } }
      }
    }
  },
  loadBalancerInfo: {
    fields: {
      elbInfoList: { list: { fields: { name: 'string' } } },
      targetGroupInfoList: TARGET_GROUP,
      targetGroupPairInfoList: {
        list: {
          fields: {
            targetGroups: TARGET_GROUP,
            prodTrafficRoute: TRAFFIC_ROUTE,
            testTrafficRoute: TRAFFIC_ROUTE
          }
        }
      }
    }
  },
  ecsServices: { list: { fields: { serviceName: 'string', clusterName: 'string' } } },
  terminationHookEnabled: 'boolean'
}

function expected(shape: Shape): string {
  if (shape === 'string') return 'a string'
  if (shape === 'boolean') return 'true or false'
  if (shape === 'whole') return 'a whole number'
  if ('oneOf' in shape) return `one of ${shape.oneOf.join(', ')}`
  if ('list' in shape) return `a list of ${expected(shape.list).replace(/^an? /, '')}`
  return `a mapping of ${Object.keys(shape.fields).join(', ')}`
}

/**
 * Every problem of `value` against `shape`, each `file: at is …: expected …`, the closest field
 * name for an unknown one.
 */
export function shapeProblems(value: unknown, shape: Shape, at: string, file: string): string[] {
  const wrong = (): string[] => [
    `${file}: ${at} is ${JSON.stringify(value)}: expected ${expected(shape)}.`
  ]
  if (shape === 'string') return typeof value === 'string' ? [] : wrong()
  if (shape === 'boolean') return typeof value === 'boolean' ? [] : wrong()
  if (shape === 'whole')
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? [] : wrong()
  if ('oneOf' in shape)
    return typeof value === 'string' && shape.oneOf.includes(value) ? [] : wrong()
  if ('list' in shape)
    return Array.isArray(value)
      ? value.flatMap((item, i) => shapeProblems(item, shape.list, `${at}[${i}]`, file))
      : wrong()
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong()
  const known = Object.keys(shape.fields)
  return Object.entries(value).flatMap(([key, inner]) => {
    const where = at ? `${at}.${key}` : key
    const field = shape.fields[key]
    if (field) return shapeProblems(inner, field, where, file)
    if (where === 'tags')
      return [
        `${file}: tags are not taken here: GetDeploymentGroup does not answer them, so they could not be kept in step; the action tags a group it creates itself (codedeploy-bridge:created-by). Remove 'tags', and tag the group with aws deploy tag-resource if you need more.`
      ]
    return [
      `${file}: ${where} is not a field of CreateDeploymentGroup here.${didYouMean(key, known)} Known: ${known.join(', ')}.`
    ]
  })
}

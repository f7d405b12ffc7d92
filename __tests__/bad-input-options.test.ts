/**
 * The bad-input table for s3-tags, target-instances, override-alarms, outdated-instances-only and
 * an EC2 appspec given in 'appspec': malformed values, and values that do not fit the group's
 * platform, each refused with the fix before anything is written.
 */
import { describe } from '@jest/globals'
import { GOOD_APPSPEC, badInputCases, tree, withInputs, type Case } from './helpers/bad-input.js'
import { useTestStack } from './helpers/stack.js'

const t = useTestStack({
  groups: {
    staging: 1,
    watched: { instances: 1, alarmConfiguration: { enabled: true, alarms: [{ name: 'web-5xx' }] } },
    green: {
      instances: 1,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'web' }] }
    }
  },
  stepDelayMs: 0,
  config: {
    applications: [
      {
        name: 'functions',
        computePlatform: 'Lambda',
        deploymentGroups: [
          { name: 'checkout', deploymentConfig: 'CodeDeployDefault.LambdaAllAtOnce' }
        ]
      }
    ],
    lambda: { functions: [{ name: 'checkout', versions: 1, aliases: { live: '1' } }] }
  }
})

const LAMBDA_SPEC =
  'version: 0.0\nResources:\n  - checkout:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: checkout\n        Alias: live\n'
const LAMBDA = { application: 'functions', 'deployment-group': 'checkout', bucket: '' }
const ASG = '{"autoScalingGroups":["web-green"]}'
const OTHER_APPSPEC = GOOD_APPSPEC.replace('/srv/app', '/srv/other')

const cases: Record<string, Case> = {
  's3-tags without =': withInputs(
    { 's3-tags': 'team' },
    /Invalid s3-tags item "team": it has no '='/
  ),
  's3-tags, 11 tags': withInputs(
    { 's3-tags': Array.from({ length: 11 }, (_, i) => `k${i}=v`).join(',') },
    /Invalid s3-tags: 11 tags, and S3 keeps at most 10 on an object/
  ),
  's3-tags, a key of 129 characters': withInputs(
    { 's3-tags': `${'k'.repeat(129)}=v` },
    /Invalid s3-tags key .*: it is 129 characters long\. Tag keys are 1 to 128/
  ),
  's3-tags, a value of 257 characters': withInputs(
    { 's3-tags': `k=${'v'.repeat(257)}` },
    /Invalid s3-tags value of "k": it is 257 characters long/
  ),
  's3-tags, a character S3 refuses': withInputs(
    { 's3-tags': 'team=web;prod' },
    /Invalid s3-tags value of "team": it holds a character S3 refuses/
  ),
  's3-tags, an aws: key': withInputs(
    { 's3-tags': 'aws:owner=me' },
    /keys starting with aws: are AWS's own/
  ),
  's3-tags, a key twice': withInputs({ 's3-tags': 'a=1,a=2' }, /key "a" is given twice/),
  's3-tags, a YAML list': withInputs({ 's3-tags': '{a: [1]}' }, /the value of "a" is not text/),
  'target-instances, not YAML': withInputs(
    { 'deployment-group': 'green', 'target-instances': '{"tagFilters": [' },
    /Invalid target-instances: it is not valid YAML or JSON/
  ),
  'target-instances, an unknown field': withInputs(
    { 'deployment-group': 'green', 'target-instances': '{"tags":[]}' },
    /'tags' is not one of tagFilters, ec2TagSet, autoScalingGroups/
  ),
  'target-instances, tagFilters and ec2TagSet': withInputs(
    {
      'deployment-group': 'green',
      'target-instances':
        '{"tagFilters":[{"Key":"a"}],"ec2TagSet":{"ec2TagSetList":[[{"Key":"b"}]]}}'
    },
    /tagFilters and ec2TagSet cannot be used together/
  ),
  'target-instances, a wrong Type': withInputs(
    {
      'deployment-group': 'green',
      'target-instances': 'tagFilters:\n  - {Key: a, Value: b, Type: BOTH}'
    },
    /tagFilters\[0\]: Type "BOTH" is not one of KEY_ONLY, VALUE_ONLY, KEY_AND_VALUE/
  ),
  'target-instances, KEY_ONLY with a Value': withInputs(
    {
      'deployment-group': 'green',
      'target-instances': 'tagFilters: [{Key: a, Value: b, Type: KEY_ONLY}]'
    },
    /Type KEY_ONLY takes no Value/
  ),
  'target-instances, lower-case key': withInputs(
    { 'deployment-group': 'green', 'target-instances': 'tagFilters: [{key: a}]' },
    /'key' is not one of Key, Value, Type/
  ),
  'target-instances, an empty list of groups': withInputs(
    { 'deployment-group': 'green', 'target-instances': '{"autoScalingGroups":[]}' },
    /autoScalingGroups must be a list of Auto Scaling group names/
  ),
  'target-instances on an in-place group': withInputs(
    { 'target-instances': ASG },
    /Input 'target-instances' picks the replacement instances of a blue\/green deployment, and deployment group 'staging' deploys in place .* Remove 'target-instances'/
  ),
  'target-instances on a Lambda group': {
    tree: tree(GOOD_APPSPEC, { 'lambda.yaml': LAMBDA_SPEC }),
    inputs: { ...LAMBDA, appspec: '{dir}/lambda.yaml', 'target-instances': ASG },
    message: /deployment group 'checkout' deploys to AWS Lambda, which has no instances to pick/
  },
  'outdated-instances-only not a boolean': withInputs(
    { 'outdated-instances-only': 'yes' },
    /Invalid outdated-instances-only 'yes'\. Expected true or false/
  ),
  'outdated-instances-only on a Lambda group': {
    tree: tree(GOOD_APPSPEC, { 'lambda.yaml': LAMBDA_SPEC }),
    inputs: { ...LAMBDA, appspec: '{dir}/lambda.yaml', 'outdated-instances-only': 'true' },
    message:
      /Input 'outdated-instances-only' skips EC2\/on-premises instances .* deploys to AWS Lambda\. Remove it/
  },
  'outdated-instances-only on a blue/green group': withInputs(
    { 'deployment-group': 'green', 'outdated-instances-only': 'true' },
    /deploys blue\/green, whose replacement instances are all new/
  ),
  'override-alarms, all mixed with names': withInputs(
    { 'deployment-group': 'watched', 'override-alarms': 'all, web-5xx' },
    /'all' cannot be mixed with alarm names/
  ),
  'override-alarms, an alarm the group does not watch': withInputs(
    { 'deployment-group': 'watched', 'override-alarms': 'web-500' },
    /names 'web-500', which Deployment group 'watched' does not watch\. It watches: web-5xx/
  ),
  'override-alarms on a group without alarms': withInputs(
    { 'override-alarms': 'web-5xx' },
    /Deployment group 'staging' watches no CloudWatch alarms\. Remove 'override-alarms'/
  ),
  "appspec that differs from source's appspec.yml": {
    tree: tree(GOOD_APPSPEC, { 'other.yml': OTHER_APPSPEC }),
    inputs: { appspec: '{dir}/other.yml' },
    message:
      /Input 'appspec' .*other\.yml\) and .*appspec\.yml, already at the root of source, differ/
  },
  'appspec for an EC2 group, without a bucket': {
    tree: tree(undefined, { 'a.yml': GOOD_APPSPEC }),
    inputs: { appspec: '{dir}/a.yml', bucket: '' },
    message:
      /'appspec' goes into it as appspec\.yml, with 'source', and the bundle is uploaded to S3\. Set 'bucket'/
  },
  'appspec for an EC2 group, with a broken hook': {
    tree: tree(undefined, { 'a.yml': GOOD_APPSPEC.replace('scripts/check.sh', 'scripts/gone.sh') }),
    inputs: { appspec: '{dir}/a.yml' },
    message: /scripts\/gone\.sh/
  }
}

describe('bad options are refused before any write', () => {
  badInputCases(t, cases)
})

/**
 * Console links in every partition: China and GovCloud have consoles of their own, so a link
 * built for the standard partition would not open there.
 */
import { describe, expect, it } from '@jest/globals'
import { consoleUrl, partitionOf } from '../src/engine/tell/links.js'

describe('the console link of a deployment', () => {
  it('points at the region of the standard partition', () => {
    expect(partitionOf('us-east-1')).toBe('aws')
    expect(consoleUrl('us-east-1', 'd-ABCDEFGHI')).toBe(
      'https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ABCDEFGHI?region=us-east-1'
    )
  })

  it('points at the China console for cn-north-1', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn')
    expect(consoleUrl('cn-north-1', 'd-ABCDEFGHI')).toBe(
      'https://console.amazonaws.cn/codesuite/codedeploy/deployments/d-ABCDEFGHI?region=cn-north-1'
    )
  })

  it('points at the GovCloud console for us-gov-west-1', () => {
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov')
    expect(consoleUrl('us-gov-west-1', 'd-ABCDEFGHI')).toBe(
      'https://console.amazonaws-us-gov.com/codesuite/codedeploy/deployments/d-ABCDEFGHI?region=us-gov-west-1'
    )
  })

  it('knows a region the partition data names only by its pattern', () => {
    expect(partitionOf('cn-southwest-9')).toBe('aws-cn')
    expect(consoleUrl('cn-southwest-9', 'd-ABCDEFGHI')).toMatch(
      /^https:\/\/console\.amazonaws\.cn\//
    )
  })
})

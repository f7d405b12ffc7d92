import { describe, expect, it } from '@jest/globals'
import type { DeploymentInfo, InstanceTarget } from '@aws-sdk/client-codedeploy'
import { diagnose, failureMessage, tailLines } from '../src/engine/tell/diagnose.js'
import { renderSummary } from '../src/engine/tell/summary.js'

const failed: DeploymentInfo = {
  deploymentId: 'd-FAILED123',
  status: 'Failed',
  errorInformation: {
    code: 'HEALTH_CONSTRAINTS',
    message: 'The overall deployment failed because too many individual instances failed deployment'
  }
}

const log =
  Array.from({ length: 30 }, (_, i) => `[stdout]line ${i + 1}`).join('\n') +
  '\n[stderr]health check failed: healthy=false\n'

const targets: InstanceTarget[] = [
  {
    targetId: 'i-0aaa',
    status: 'Succeeded',
    lifecycleEvents: [{ lifecycleEventName: 'ValidateService', status: 'Succeeded' }]
  },
  {
    targetId: 'i-0bbb',
    status: 'Failed',
    lifecycleEvents: [
      { lifecycleEventName: 'AfterInstall', status: 'Succeeded' },
      {
        lifecycleEventName: 'ValidateService',
        status: 'Failed',
        diagnostics: {
          errorCode: 'ScriptFailed',
          scriptName: 'scripts/validate_service.sh',
          message:
            'Script at specified location: scripts/validate_service.sh run as user root failed with exit code 1',
          logTail: log
        }
      }
    ]
  },
  {
    targetId: 'i-0ccc',
    status: 'Failed',
    lifecycleEvents: [{ lifecycleEventName: 'ApplicationStop', status: 'Pending' }]
  }
]

describe('diagnose', () => {
  it('names the instance, hook, error code and script', () => {
    const d = diagnose(failed, targets)
    expect(d.headline).toBe(
      'd-FAILED123 Failed: ValidateService failed on i-0bbb with ScriptFailed running scripts/validate_service.sh.'
    )
    expect(d.failedWithoutEvent).toEqual(['i-0ccc'])
  })

  it('puts the end of the script log in the failure message', () => {
    const message = failureMessage(failed, diagnose(failed, targets))
    expect(message).toMatch(/health check failed: healthy=false/)
    expect(message).toMatch(/HEALTH_CONSTRAINTS/)
    expect(message).toMatch(/line 30/)
    expect(message).not.toMatch(/line 5\n/)
    expect(message).toMatch(/i-0ccc \(check that the CodeDeploy agent is running there\)/)
  })

  it('falls back to the service error when no hook failed', () => {
    const d = diagnose(
      {
        deploymentId: 'd-X',
        status: 'Stopped',
        errorInformation: { code: 'MANUAL_STOP', message: 'stopped by user' }
      },
      []
    )
    expect(d.headline).toBe('d-X Stopped: MANUAL_STOP: stopped by user')
  })

  it('keeps only the last lines of a long log', () => {
    expect(tailLines('a\nb\nc\nd\n', 2)).toBe('c\nd')
  })
})

describe('renderSummary', () => {
  it('has a row per instance and the failing log tail', () => {
    const md = renderSummary({
      command: 'deploy',
      region: 'eu-west-1',
      application: 'web',
      deploymentGroup: 'prod',
      stage: 'rollback',
      outcome: 'failed',
      notes: [],
      revision: { bucket: 'b', key: 'k.zip', bundleType: 'zip' },
      deployment: {
        id: 'd-FAILED123',
        status: 'Failed',
        info: failed,
        targets,
        diagnosis: diagnose(failed, targets)
      },
      rollback: { id: 'd-ROLLBACK1', status: 'Succeeded', followed: true }
    })
    expect(md).toMatch(/\| i-0aaa \| ✅ Succeeded \|/)
    expect(md).toMatch(/\| i-0bbb \| ❌ Failed \| ✅ AfterInstall ❌ ValidateService \|/)
    expect(md).toMatch(/healthy=false/)
    expect(md).toMatch(/\[d-ROLLBACK1\]\([^)]+\) Succeeded/)
    expect(md).toMatch(
      /\[d-FAILED123\]\(https:\/\/eu-west-1\.console\.aws\.amazon\.com\/codesuite\/codedeploy\/deployments\/d-FAILED123\?region=eu-west-1\)/
    )
  })
})

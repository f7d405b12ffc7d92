/**
 * The deployments scripts/detection-figures.ts follows: a quiet one, a busy one and a long quiet
 * one, each drawn anew per round so that its end falls anywhere in a poller's cycle.
 */
import type { EmulatorConfig } from '../local/emulator/index.js'
import { appspec, script, type Tree } from '../__tests__/helpers/revisions.js'

export type ScenarioName = 'quiet' | 'busy' | 'quiet-long'

export const APPLICATION = 'detection'

export interface Scenario {
  description: string
  group: string
  /** The revision of one round. */
  revision(): Tree
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  quiet: {
    description: '1 instance, ValidateService sleeps 10–25 s',
    group: 'quiet',
    revision: () => oneHook(10 + Math.random() * 15)
  },
  'quiet-long': {
    description: '1 instance, ValidateService sleeps 60–75 s',
    group: 'quiet',
    revision: () => oneHook(60 + Math.random() * 15)
  },
  busy: {
    description: '6 instances one at a time, 4 hooks of 0.2–0.8 s each',
    group: 'busy',
    revision: () => {
      // 24 hooks: a base per round stretches the deployment by up to ~14 s.
      const base = 0.2 + Math.random() * 0.6
      const hook = [{ location: 'hook.sh', timeout: 30 }]
      return {
        'appspec.yml': appspec({
          BeforeInstall: hook,
          AfterInstall: hook,
          ApplicationStart: hook,
          ValidateService: hook
        }),
        'site/index.html': 'busy',
        'hook.sh': script(`sleep ${base.toFixed(2)}`)
      }
    }
  }
}

function oneHook(seconds: number): Tree {
  return {
    'appspec.yml': appspec({ ValidateService: [{ location: 'wait.sh', timeout: 120 }] }),
    'site/index.html': 'quiet',
    'wait.sh': script(`sleep ${seconds.toFixed(2)}`)
  }
}

export const CONFIG: EmulatorConfig = {
  applications: [
    {
      name: APPLICATION,
      deploymentGroups: [
        { name: 'quiet', instances: 1 },
        { name: 'busy', instances: 6, deploymentConfig: 'CodeDeployDefault.OneAtATime' }
      ]
    }
  ]
}

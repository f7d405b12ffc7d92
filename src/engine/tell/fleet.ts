/**
 * How a blue/green deployment's two sides are named: instances on EC2/on-premises, task sets on
 * ECS (where the replacement task set waits at Ready and the original one is terminated).
 */

export interface FleetWords {
  /** "replacement instances" / "replacement task set" */
  replacement: string
  /** "original instances" / "original task set" */
  original: string
  /** "the replacement instances passed their hooks" / "… task set passed its hooks" */
  passed: string
}

export function fleetWords(platform: string | undefined): FleetWords {
  return platform === 'ECS'
    ? {
        replacement: 'replacement task set',
        original: 'original task set',
        passed: 'the replacement task set passed its hooks'
      }
    : {
        replacement: 'replacement instances',
        original: 'original instances',
        passed: 'the replacement instances passed their hooks'
      }
}

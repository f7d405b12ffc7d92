/**
 * Which inputs each kind of step uses, and which contradict it. An input a step does not use is
 * ignored with a warning that names it: the step does exactly what it would do without it, so
 * failing there would only cost a re-run (often a new approval, for a `continue` step behind an
 * environment's reviewers). Only an input that contradicts the step fails it: one that gives a
 * second answer to what the step deploys (another revision, another deployment), or a pin or an
 * ECS detail that has nothing to apply to.
 */
import type { Command, InputName } from './names.js'
import { defaultOf } from './names.js'
import { isGitHubInput } from './github-revision.js'

/** What a step does, as far as its inputs are concerned. */
export type StepKind =
  /** command deploy: package `source`, upload it, deploy it */
  | 'bundle'
  /** command deploy with `revision`: deploy a bundle already in S3 */
  | 'revision'
  /** command deploy with `revision: github…`: a commit CodeDeploy fetches from GitHub */
  | 'github'
  /**
   * command deploy with `appspec`: an ECS or Lambda AppSpec sent inline, or for an EC2/on-premises
   * group (known once the group is read) the appspec.yml of the bundle packaged from `source`
   */
  | 'appspec'
  | 'package'
  | 'rollback'
  | 'continue'
  /** command wait: follow an existing deployment, created by anyone, to its end */
  | 'wait'
  /** command stop: stop an existing deployment, then follow the stop (and its rollback) */
  | 'stop'

export function stepKind(command: Command, revision: string, appspec: string): StepKind {
  if (command !== 'deploy') return command
  if (appspec) return 'appspec'
  if (!revision) return 'bundle'
  return isGitHubInput(revision) ? 'github' : 'revision'
}

const DEPLOYS: readonly StepKind[] = ['bundle', 'revision', 'github', 'appspec', 'rollback']
const FOLLOWS: readonly StepKind[] = [...DEPLOYS, 'continue']
/** The steps that follow a deployment until it ends, whoever made it. */
const WATCHES: readonly StepKind[] = [...FOLLOWS, 'wait']
/** The steps that name their deployment in `deployment-id`. */
const BY_ID: readonly StepKind[] = ['continue', 'wait', 'stop']
const BUILDS: readonly StepKind[] = ['bundle', 'package']
/** What packages a bundle, or may (an `appspec` for a group whose platform is not known yet). */
const MAY_BUILD: readonly StepKind[] = [...BUILDS, 'appspec']
const ALL: readonly StepKind[] = [...WATCHES, 'stop', 'package']

/** The steps that use each input (a new input does not compile until it is placed here). */
const USED_BY: Record<InputName, readonly StepKind[]> = {
  command: ALL,
  application: ALL,
  'deployment-group': [...FOLLOWS, 'wait', 'stop'],
  'deployment-config': DEPLOYS,
  'deployment-config-spec': DEPLOYS,
  // A rollback redeploys to a group that has deployed before: it does not define the group.
  'deployment-group-config': ['bundle', 'revision', 'appspec', 'github'],
  // A GitHub revision's checkout, when it is there, has its appspec checked.
  source: [...MAY_BUILD, 'github'],
  bucket: MAY_BUILD,
  'bundle-path': MAY_BUILD,
  'key-prefix': MAY_BUILD,
  'bundle-type': MAY_BUILD,
  sse: MAY_BUILD,
  'sse-kms-key-id': MAY_BUILD,
  's3-tags': MAY_BUILD,
  // Checked against the group's platform once it is read (deploy/target.ts).
  'target-instances': ['bundle', 'revision', 'github', 'appspec'],
  'override-alarms': DEPLOYS,
  'outdated-instances-only': ['bundle', 'revision', 'github', 'appspec'],
  revision: ['revision', 'github'],
  'revision-etag': ['revision'],
  'revision-version': ['revision'],
  // The registered revision's description too, for package with an application.
  description: [...DEPLOYS, 'package'],
  'file-exists-behavior': DEPLOYS,
  'ignore-application-stop-failures': DEPLOYS,
  // A continued deployment keeps the rollback settings it was created with.
  'auto-rollback': DEPLOYS,
  // A wait step always waits; a stop step always follows its stop.
  wait: FOLLOWS,
  // A stop is followed for a short settle, then its rollback for rollback-timeout.
  timeout: WATCHES,
  'rollback-timeout': [...WATCHES, 'stop'],
  // A cancelled stop step has sent its stop already.
  'on-cancel': WATCHES,
  // A continued deployment is past Ready.
  'on-ready': [...DEPLOYS, 'wait'],
  'on-termination-wait': WATCHES,
  'deployment-id': BY_ID,
  rollback: ['stop'],
  // A rollback redeploys an older revision on purpose.
  'skip-if-superseded': ['bundle', 'revision', 'github', 'appspec'],
  appspec: ['appspec'],
  'task-definition': ['appspec']
}

export function uses(kind: StepKind, name: InputName): boolean {
  return USED_BY[name].includes(kind)
}

/** What the step does, for the warning about an input it does not use. */
const DOING: Record<StepKind, string> = {
  bundle: "this step packages 'source' and deploys it",
  revision: "this step deploys 'revision', a bundle already in S3",
  github:
    "this step deploys 'revision', a commit CodeDeploy fetches from GitHub (no bundle, no S3)",
  appspec:
    "this step deploys 'appspec' (inline to an ECS or Lambda group, in a bundle to an EC2/on-premises group)",
  package: "command 'package' packages and uploads, and creates no deployment",
  rollback: "command 'rollback' redeploys the group's last successful revision",
  continue: "command 'continue' moves an existing deployment on",
  wait: "command 'wait' follows an existing deployment, and changes nothing about it",
  stop: "command 'stop' stops an existing deployment and follows the stop"
}

/** The inputs that contradict the step, each with the message that says why and the fix. */
export function contradictions(
  kind: StepKind,
  given: (name: InputName) => string
): Map<InputName, string> {
  const found = new Map<InputName, string>()
  if (kind === 'continue') return found
  if (kind === 'wait' || kind === 'stop') {
    // What would deploy something else: these steps deploy nothing.
    const doing = kind === 'wait' ? 'waits for' : 'stops'
    for (const name of ['revision', 'appspec', 'task-definition'] as const)
      if (given(name))
        found.set(
          name,
          `Input '${name}' gives a revision to deploy, and command '${kind}' deploys nothing: it ${doing} the deployment named in 'deployment-id'. Remove '${name}', or set command: deploy.`
        )
    for (const pin of ['revision-etag', 'revision-version'] as const)
      if (given(pin) && !given('revision'))
        found.set(
          pin,
          `Input '${pin}' pins a 'revision', and command '${kind}' deploys none. Remove '${pin}'.`
        )
    return found
  }
  const command = kind === 'package' || kind === 'rollback' ? kind : 'deploy'
  if (given('deployment-id'))
    found.set(
      'deployment-id',
      `Input 'deployment-id' is for command 'continue', 'wait' or 'stop' (act on an existing deployment), and command '${command}' creates a deployment of its own. Remove it, or set command: continue, wait or stop.`
    )
  if (given('revision') && kind === 'package')
    found.set(
      'revision',
      `Input 'revision' deploys an existing bundle; command 'package' builds a new one. Use one or the other.`
    )
  if (given('revision') && kind === 'rollback')
    found.set(
      'revision',
      `Command 'rollback' redeploys the group's last successful revision; remove input 'revision'.`
    )
  if (kind === 'github')
    for (const pin of ['revision-etag', 'revision-version'] as const)
      if (given(pin))
        found.set(
          pin,
          `Input '${pin}' pins an S3 object, and 'revision' is a GitHub commit, which its SHA pins already. Remove '${pin}'.`
        )
  if (!given('revision'))
    for (const pin of ['revision-etag', 'revision-version'] as const)
      if (given(pin))
        found.set(
          pin,
          `Input '${pin}' pins a 'revision', and this step names none: set 'revision' too, or remove '${pin}'.`
        )
  if (given('appspec') && kind !== 'appspec')
    found.set(
      'appspec',
      `Input 'appspec' is the AppSpec of a deployment with command 'deploy', and command '${command}' deploys another. Remove it, or set command: deploy.`
    )
  if (given('appspec') && given('revision') && kind === 'appspec')
    found.set(
      'revision',
      `Inputs 'appspec' (an AppSpec to deploy) and 'revision' (a bundle already in S3, with its own appspec.yml) are two kinds of revision: give one.`
    )
  if (given('task-definition') && !given('appspec'))
    found.set(
      'task-definition',
      `Input 'task-definition' is registered and put into an ECS AppSpec: give that AppSpec in 'appspec' too.`
    )
  return found
}

/**
 * The warnings for inputs given (other than their default) that the step does not use and that
 * do not contradict it: each is named, and ignored.
 */
export function unusedInputs(
  kind: StepKind,
  given: (name: InputName) => string,
  contradicting: ReadonlyMap<InputName, string>
): string[] {
  const names = (Object.keys(USED_BY) as InputName[]).filter(name => {
    const value = given(name)
    return value && value !== defaultOf(name) && !uses(kind, name) && !contradicting.has(name)
  })
  return names.map(
    name =>
      `Input '${name}' is not used: ${DOING[kind]}. It is ignored; remove it from this step to silence this warning.`
  )
}

/**
 * Input `revision: github…`: a commit CodeDeploy fetches from GitHub itself, through the
 * account's GitHub connection. Nothing is packaged or uploaded. When the commit is the job's own
 * and its checkout is at `source`, that checkout's appspec is checked first: it is the appspec the
 * instances will get, and a mistake in it is cheaper to find here than in a failed deployment.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { gitHubRef, type GitHubRevision } from '../inputs/github-revision.js'
import { checkAppSpec } from './appspec/index.js'
import { pointAt, shown, type RevisionStage } from './stage.js'

/** Whether `source` holds a checkout: a git work tree, or an appspec at its root. */
function checkedOut(source: string): boolean {
  return ['.git', 'appspec.yml', 'appspec.yaml'].some(name => existsSync(path.join(source, name)))
}

/** Records the GitHub revision, after checking the checkout's appspec when it is the one deployed. */
export async function gitHubRevision(
  stage: RevisionStage,
  revision: GitHubRevision
): Promise<GitHubRevision> {
  const { ports, record, settings } = stage
  const { reporter } = ports
  const ref = gitHubRef(revision)
  if (settings.gitHubCheckout && checkedOut(settings.source)) {
    record.stage = 'appspec'
    try {
      const result = await checkAppSpec(settings.source)
      for (const warning of result.warnings)
        reporter.warning(warning, { file: shown(stage, result.path), title: 'appspec' })
      reporter.info(
        `${shown(stage, result.path)} (the checkout of ${revision.repository}@${revision.commitId.slice(0, 12)}): ${result.spec.os}, ${Object.keys(result.spec.hooks).length} hook(s), ${result.spec.files.length} file mapping(s)`
      )
    } catch (error) {
      throw pointAt(stage, error)
    }
  } else {
    reporter.info(
      settings.gitHubCheckout
        ? `No checkout at ${shown(stage, settings.source) || '.'}: the appspec of ${ref} is not checked here (check it by running actions/checkout first).`
        : `${ref} is not this job's commit: its appspec is not checked here.`
    )
  }
  record.stage = 'revision'
  record.gitHub = revision
  ports.changed()
  reporter.info(
    `Deploying ${ref}: CodeDeploy fetches it from GitHub through the account's GitHub connection (nothing is packaged or uploaded).`
  )
  return revision
}

/**
 * A revision in GitHub as the inputs name it (`github`, or `github:owner/repo@sha`) and as
 * CodeDeploy takes it (revisionType GitHub: a repository and a full commit SHA). CodeDeploy
 * fetches the commit's archive itself, through the account's GitHub connection: nothing is
 * packaged or uploaded.
 */
import type { DeploymentInfo, RevisionLocation } from '@aws-sdk/client-codedeploy'

export interface GitHubRevision {
  /** `owner/repo`. */
  repository: string
  /** The full 40-hex commit SHA, lower case. */
  commitId: string
}

/** Where the run is, as a GitHub Actions job says it (GITHUB_REPOSITORY, GITHUB_SHA). */
export interface GitHubContext {
  repository?: string
  sha?: string
}

/** Whether the `revision` input names a GitHub revision rather than an S3 bundle. */
export function isGitHubInput(raw: string): boolean {
  const text = raw.trim().toLowerCase()
  return text === 'github' || text.startsWith('github:')
}

/** `github:owner/repo@sha`, as the `revision` output and the summary show it. */
export function gitHubRef(revision: GitHubRevision): string {
  return `github:${revision.repository}@${revision.commitId}`
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/
const REPO = /^[A-Za-z0-9._-]{1,100}$/
const FIX = 'the full 40-character commit SHA, e.g. ${{ github.sha }}'

/** Why `repository` is not `owner/repo`, or undefined. */
function repositoryProblem(repository: string): string | undefined {
  const [owner, repo, ...rest] = repository.split('/')
  if (!owner || !repo || rest.length > 0) return "it must be 'owner/repo'"
  if (!OWNER.test(owner))
    return `the owner '${owner}' is not a GitHub account name (letters, digits and single hyphens, at most 39)`
  if (!REPO.test(repo) || repo === '.' || repo === '..')
    return `the repository name '${repo}' is not one GitHub allows (letters, digits, '.', '-', '_')`
  return undefined
}

/** Why `sha` is not a full commit SHA, with the fix, or undefined. */
function shaProblem(sha: string): string | undefined {
  if (/^[0-9a-f]{40}$/i.test(sha)) return undefined
  if (/^[0-9a-f]{4,39}$/i.test(sha)) return `'${sha}' is a short SHA, and CodeDeploy takes ${FIX}`
  return `'${sha.slice(0, 60)}' is not a commit SHA (a branch or tag name moves; CodeDeploy takes ${FIX})`
}

/**
 * Parses `github` (this repository at this commit, from `context`) or `github:owner/repo@sha`;
 * pushes what is wrong to `problems`.
 */
export function parseGitHubRevision(
  raw: string,
  context: GitHubContext,
  problems: string[]
): GitHubRevision | undefined {
  const text = raw.trim()
  if (text.toLowerCase() === 'github') {
    const { repository, sha } = context
    if (!repository || !sha) {
      problems.push(
        `Input 'revision' is 'github': this repository at this commit, which GITHUB_REPOSITORY and GITHUB_SHA name in a GitHub Actions job, and they are not set here. Outside a job, name the commit: revision: github:owner/repo@<the full 40-character commit SHA>.`
      )
      return undefined
    }
    return checked(repository, sha, `GITHUB_REPOSITORY/GITHUB_SHA (${repository}@${sha})`, problems)
  }
  const match = /^github:([^@]*)@(.*)$/i.exec(text)
  if (!match) {
    problems.push(
      `Invalid revision '${text.slice(0, 120)}'. Expected github:owner/repo@<commit SHA>, e.g. github:octo-org/web@\${{ github.sha }}, or 'github' for this repository at this commit.`
    )
    return undefined
  }
  return checked(match[1] ?? '', match[2] ?? '', `revision '${text.slice(0, 120)}'`, problems)
}

function checked(
  repository: string,
  sha: string,
  where: string,
  problems: string[]
): GitHubRevision | undefined {
  const before = problems.length
  const repoIssue = repositoryProblem(repository)
  if (repoIssue)
    problems.push(
      `Invalid repository '${repository.slice(0, 120)}' in ${where}: ${repoIssue}. Expected github:owner/repo@<commit SHA>, e.g. github:octo-org/web@\${{ github.sha }}.`
    )
  const shaIssue = shaProblem(sha)
  if (shaIssue) problems.push(`Invalid commit in ${where}: ${shaIssue}.`)
  if (problems.length > before) return undefined
  return { repository, commitId: sha.toLowerCase() }
}

/** Whether `revision` is the commit the job runs for (so its checkout is what is deployed). */
export function isThisCommit(revision: GitHubRevision, context: GitHubContext): boolean {
  return (
    !!context.repository &&
    !!context.sha &&
    context.repository.toLowerCase() === revision.repository.toLowerCase() &&
    context.sha.toLowerCase() === revision.commitId
  )
}

/** The revision as CreateDeployment takes it. */
export function gitHubLocation(revision: GitHubRevision): RevisionLocation {
  return {
    revisionType: 'GitHub',
    gitHubLocation: { repository: revision.repository, commitId: revision.commitId }
  }
}

/** The GitHub revision an earlier deployment deployed, when it was one. */
export function gitHubRevisionOfDeployment(info: DeploymentInfo): GitHubRevision | undefined {
  const location = info.revision?.gitHubLocation
  if (info.revision?.revisionType !== 'GitHub' || !location?.repository || !location.commitId)
    return undefined
  return { repository: location.repository, commitId: location.commitId }
}

/**
 * A GitHub revision as an instance gets it: CodeDeploy fetches the commit's archive from GitHub;
 * here the tree at that commit comes from a local git repository the emulator is pointed at
 * (`gitHub.repositories` in its config), written as a tar with `git archive`. A repository not
 * known, or a commit it does not have, fails the DownloadBundle event as a fetch that failed.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { GitHubRevisionLocation } from '../model.js'
import { failure, type AgentContext } from './context.js'

const run = promisify(execFile)

/** The repository's directory; GitHub names are case-insensitive. */
function repositoryDir(context: AgentContext, repository: string): string | undefined {
  const wanted = repository.toLowerCase()
  const found = Object.entries(context.gitHubRepositories).find(
    ([name]) => name.toLowerCase() === wanted
  )
  return found?.[1]
}

/** Writes the tree at the revision's commit to `archive` (a tar). */
export async function archiveCommit(
  context: AgentContext,
  revision: GitHubRevisionLocation,
  archive: string
): Promise<void> {
  const { repository, commitId } = revision.gitHubLocation
  const what = `the revision ${repository}@${commitId} from GitHub`
  const dir = repositoryDir(context, repository)
  if (!dir)
    throw failure(
      `Failed to download ${what}: the repository was not found, or the GitHub connection cannot read it.`
    )
  try {
    await run('git', ['-C', dir, 'cat-file', '-e', `${commitId}^{commit}`], {
      signal: context.signal
    })
  } catch {
    throw failure(`Failed to download ${what}: the commit was not found in the repository.`)
  }
  try {
    await run('git', ['-C', dir, 'archive', '--format=tar', '-o', archive, commitId], {
      signal: context.signal
    })
  } catch (error) {
    throw failure(`Failed to download ${what}: ${(error as Error).message}`)
  }
}

/**
 * Checks the AppSpec of an ECS or Lambda deployment, which CodeDeploy takes inline as an
 * `AppSpecContent` revision (the text and its sha256) rather than inside a bundle, and edits the
 * values the action fills in (the registered task definition, the Lambda versions) in place.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../../../errors.js'
import { errnoCode, isMissing } from '../paths.js'
import { parseContentAppSpec } from './check.js'
import type { ContentAppSpec, ContentPlatform } from './types.js'

export { contentSha256, parseContentAppSpec } from './check.js'
export { withLambdaVersions, withTaskDefinition } from './edit.js'
export {
  ECS_HOOK_EVENTS,
  LAMBDA_HOOK_EVENTS,
  RESOURCE_TYPES,
  type ContentAppSpec,
  type ContentPlatform
} from './types.js'

/**
 * Reads and checks an ECS or Lambda AppSpec (YAML or JSON) for `platform`; throws AppSpecError
 * with line/column, or InputError when the file is missing.
 */
export async function checkContentAppSpec(
  file: string,
  platform: ContentPlatform
): Promise<ContentAppSpec> {
  const absolute = path.resolve(file)
  const fix = `Set 'appspec' to the path of the ${platform} AppSpec file (YAML or JSON), relative to the workspace.`
  let info
  try {
    info = await stat(absolute)
  } catch (error) {
    if (!isMissing(errnoCode(error))) throw error
    throw new InputError(
      `AppSpec file '${file}' does not exist. ${fix} Make sure the checkout or build step that writes it ran first.`
    )
  }
  if (!info.isFile()) {
    throw new InputError(`AppSpec '${file}' is a directory, not a file. ${fix}`)
  }
  const text = await readFile(absolute, 'utf8')
  return parseContentAppSpec(text, absolute, platform)
}

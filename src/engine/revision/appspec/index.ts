/**
 * Checks appspec.yml for an EC2/on-premises deployment before anything is packaged or uploaded,
 * so a mistake fails in seconds, pointing at its line, instead of minutes later on an instance.
 *
 * The rules follow what the CodeDeploy agent accepts. Where the agent reads YAML 1.1 and this
 * parser YAML 1.2, the check rejects values the two read differently (`mode: 0644`).
 *
 * ECS and Lambda AppSpecs, sent inline rather than in a bundle, are checked by ./content.
 */
import { readFile, realpath } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../../errors.js'
import { IGNORE_FILE, loadExcludeRules } from '../ignore-rules.js'
import { CheckContext } from './context.js'
import { locate, locateGiven } from './locate.js'
import { checkRoot } from './rules/root.js'
import type { CheckedAppSpec } from './types.js'
import { parseYaml } from './yaml.js'

export {
  checkContentAppSpec,
  contentSha256,
  parseContentAppSpec,
  withLambdaVersions,
  withTaskDefinition,
  type ContentAppSpec,
  type ContentPlatform
} from './content/index.js'
export { suggest } from '../../inputs/suggest.js'
export {
  HOOK_NAMES,
  MAX_EVENT_SECONDS,
  type AppSpec,
  type AppSpecFileName,
  type CheckedAppSpec,
  type FileExistsBehavior,
  type FileMapping,
  type HookName,
  type HookScript,
  type PermissionSpec
} from './types.js'

/**
 * Finds and checks the appspec of `sourceDir` for an EC2/on-premises deployment (`given`: the
 * `appspec` input's file, which goes into the bundle as appspec.yml, see locateGiven). Throws
 * InputError when the source or the appspec cannot be found, AppSpecError (with line and column
 * where there is one) when the appspec is wrong.
 */
export async function checkAppSpec(sourceDir: string, given?: string): Promise<CheckedAppSpec> {
  const source = path.resolve(sourceDir)
  const { file, fileName, injected } = given
    ? await locateGiven(source, sourceDir, given)
    : { ...(await locate(source, sourceDir)), injected: false }
  const rules = loadExcludeRules(source)
  if (!injected && rules.excludes(fileName, false)) {
    throw new InputError(
      `${IGNORE_FILE} excludes ${fileName}, but the bundle must contain it. Remove the rule that matches it, or add '!${fileName}' at the end of ${IGNORE_FILE}.`
    )
  }
  const text = await readFile(file, 'utf8')
  const { doc, lines } = parseYaml(text, file, fileName)
  const realSource = await realpath(source)
  const ctx = new CheckContext(doc, lines, file, fileName, source, realSource, sourceDir, rules)
  const spec = await checkRoot(ctx)
  return {
    path: file,
    fileName,
    spec,
    hookScripts: ctx.hookScripts,
    warnings: ctx.warnings,
    ...(injected ? { injected } : {})
  }
}

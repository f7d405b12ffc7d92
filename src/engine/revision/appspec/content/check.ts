/**
 * Checks the text of an ECS or Lambda AppSpec for a platform, and hashes it as CodeDeploy sees it.
 * Kept apart from reading the file so the action can re-check the text it is about to send.
 */
import { createHash } from 'node:crypto'
import { readContent } from './reader.js'
import { checkContentRoot } from './root.js'
import type { ContentAppSpec, ContentPlatform } from './types.js'

/**
 * Checks `text` as an ECS or Lambda AppSpec for `platform`; `file` is where it came from (for
 * messages and annotations, and its extension tells JSON from YAML). Throws AppSpecError with line
 * and column when it is wrong.
 */
export function parseContentAppSpec(
  text: string,
  file: string,
  platform: ContentPlatform
): ContentAppSpec {
  const ctx = readContent(text, file, platform)
  const checked = checkContentRoot(ctx)
  const spec: ContentAppSpec = {
    platform,
    path: file,
    format: ctx.format,
    content: text,
    hooks: checked.hooks,
    warnings: ctx.warnings
  }
  if (checked.ecs) spec.ecs = checked.ecs
  if (checked.lambda) spec.lambda = checked.lambda
  return spec
}

/** SHA-256 (hex) of the content exactly as it will be sent (UTF-8). */
export function contentSha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex')
}

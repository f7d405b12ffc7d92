/**
 * The `files` section: each entry copies a `source` inside the bundle to an absolute
 * `destination` on the instance. The source must exist in the source directory and not be left
 * out of the bundle.
 */
import { lstat } from 'node:fs/promises'
import path from 'node:path'
import { isMap, type ParsedNode } from 'yaml'
import type { CheckContext } from '../context.js'
import { bundlePath, errnoCode, excludedBy, excludedFix, isMissing } from '../paths.js'
import type { FileMapping } from '../types.js'
import type { Field } from '../yaml.js'

const FILE_KEYS = ['source', 'destination']

export async function checkFiles(
  ctx: CheckContext,
  field: Field,
  os: 'linux' | 'windows'
): Promise<FileMapping[]> {
  const seq = ctx.list(field, "of '- source: …' / '  destination: …' entries")
  const mappings: FileMapping[] = []
  for (const raw of seq?.items ?? []) {
    const item = ctx.deref(raw)
    if (!isMap(item)) {
      throw ctx.fail(
        item ?? seq,
        "each 'files' entry must be a mapping: '- source: <path in the bundle>' with 'destination: <path on the instance>' below it."
      )
    }
    const fields = ctx.fields(item, FILE_KEYS, "a 'files' entry")
    for (const f of fields) {
      if (f.name === 'file_exists_behavior') {
        throw ctx.fail(
          f.key,
          "'file_exists_behavior' goes at the top level of the appspec, not inside a 'files' entry. Move it out (no indentation)."
        )
      }
    }
    ctx.rejectUnknown(fields, FILE_KEYS, "a 'files' entry")
    const sourceField = ctx.field(fields, 'source')
    const destinationField = ctx.field(fields, 'destination')
    if (!sourceField) {
      throw ctx.fail(
        item,
        "this 'files' entry has no 'source'. Give a path inside the bundle ('/' for all of it)."
      )
    }
    if (!destinationField) {
      throw ctx.fail(
        item,
        "this 'files' entry has no 'destination'. Give an absolute path on the instance."
      )
    }
    const source = ctx.string(sourceField, "a path inside the bundle ('/' for all of it)")
    const destination = ctx.string(destinationField, 'an absolute path on the instance')
    const absolute =
      os === 'linux' ? destination.startsWith('/') : /^[a-zA-Z]:[\\/]|^\\\\/.test(destination)
    if (!absolute) {
      throw ctx.fail(
        destinationField.value,
        `destination '${destination}' is not an absolute ${os} path. Give the full path on the instance, e.g. ${os === 'linux' ? '/var/www/app' : 'C:\\inetpub\\app'}.`
      )
    }
    await checkInBundle(ctx, sourceField.value, source, os, 'source')
    mappings.push({ source, destination })
  }
  return mappings
}

/** Checks that a files source is a path inside the bundle that exists and is not excluded. */
async function checkInBundle(
  ctx: CheckContext,
  node: ParsedNode | null,
  given: string,
  os: 'linux' | 'windows',
  what: string
): Promise<void> {
  const target = bundlePath(given, os === 'windows')
  if (target.driveLetter) {
    throw ctx.fail(
      node,
      `${what} '${given}' is a drive path. Give it relative to the bundle root (where appspec.yml is).`
    )
  }
  if (target.escapes) {
    throw ctx.fail(
      node,
      `${what} '${given}' leaves the bundle with '..'. Use a path inside ${ctx.label}.`
    )
  }
  if (target.rel === '') return
  let info
  try {
    info = await lstat(path.join(ctx.source, target.rel))
  } catch (error) {
    if (!isMissing(errnoCode(error))) throw error
    throw ctx.fail(
      node,
      `${what} '${given}' does not exist in ${ctx.label}. Fix the path (it is relative to the bundle root, where appspec.yml is) or add it to the source.`
    )
  }
  if (ctx.excludeRules.excludes(target.rel, info.isDirectory())) {
    throw ctx.fail(
      node,
      `${what} '${given}' is ${excludedBy(target.rel)}, so it would not be in the bundle. ${excludedFix(target.rel)}`
    )
  }
}

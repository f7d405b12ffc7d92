/**
 * Finds appspec.yml (or .yaml) at the root of the source directory. When it is not there, says
 * why: no source, a file instead of a directory, an empty one, both names, the wrong case, or an
 * appspec a few levels down (with the `source` that would reach it).
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../../errors.js'
import { errnoCode, isMissing, toPosix } from './paths.js'
import type { AppSpecFileName } from './types.js'

/** Looks a little way down the tree for an appspec, to tell the user where it is. */
async function findNested(source: string): Promise<string | undefined> {
  const maxDepth = 3
  let budget = 500
  let level: string[] = ['']
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = []
    for (const rel of level) {
      if (budget-- <= 0) return undefined
      let entries
      try {
        entries = await readdir(path.join(source, rel), { withFileTypes: true })
      } catch {
        continue
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      for (const entry of entries) {
        const child = rel ? `${rel}/${entry.name}` : entry.name
        if (depth > 1 && entry.isFile() && /^appspec\.ya?ml$/i.test(entry.name)) return child
        if (entry.isDirectory() && entry.name !== '.git' && entry.name !== 'node_modules') {
          next.push(child)
        }
      }
    }
    level = next
  }
  return undefined
}

/** Finds appspec.yml/.yaml at the root of the source, or explains where it is instead. */
export async function locate(
  source: string,
  label: string
): Promise<{ file: string; fileName: AppSpecFileName }> {
  const where = label === source ? `'${label}'` : `'${label}' (${source})`
  let info
  try {
    info = await stat(source)
  } catch (error) {
    if (!isMissing(errnoCode(error))) throw error
    throw new InputError(
      `Source directory ${where} does not exist. Set 'source' to the directory that holds appspec.yml, relative to the workspace, and make sure the checkout or build step that fills it ran first.`
    )
  }
  if (!info.isDirectory()) {
    throw new InputError(
      `Source ${where} is a file, not a directory. Set 'source' to the directory that holds appspec.yml.`
    )
  }
  const names = (await readdir(source)).sort()
  if (names.length === 0) {
    throw new InputError(
      `Source directory ${where} is empty. Check out or build the revision into it first, or set 'source' to the directory that holds appspec.yml.`
    )
  }
  const yml = names.includes('appspec.yml')
  const yaml = names.includes('appspec.yaml')
  if (yml && yaml) {
    throw new InputError(
      `Source ${where} has both appspec.yml and appspec.yaml; the agent reads only one of them. Delete the other.`
    )
  }
  if (yml || yaml) {
    const fileName: AppSpecFileName = yml ? 'appspec.yml' : 'appspec.yaml'
    const file = path.join(source, fileName)
    if (!(await stat(file)).isFile()) {
      throw new InputError(
        `${toPosix(path.join(label, fileName))} is not a file. Replace it with the appspec file.`
      )
    }
    return { file, fileName }
  }
  const wrongCase = names.find(name => /^appspec\.ya?ml$/i.test(name))
  if (wrongCase) {
    const right = wrongCase.toLowerCase()
    throw new InputError(
      `Found '${wrongCase}' in ${where}, but the agent looks for '${right}' in lower case (instance file systems are case-sensitive). Rename it: git mv ${wrongCase} ${right}.`
    )
  }
  const nested = await findNested(source)
  if (nested) {
    const dir = path.posix.dirname(nested)
    const suggested = path.posix.join(label.split(path.sep).join('/'), dir)
    throw new InputError(
      `No appspec.yml at the root of ${where}, but found ${nested}: set source to '${suggested}'. The appspec must be at the root of the bundle.`
    )
  }
  throw new InputError(
    `No appspec.yml at the root of ${where}. Add one there (version: 0.0, os, files, hooks), or set 'source' to the directory that holds it.`
  )
}

/**
 * With the `appspec` input, for an EC2/on-premises group: the file that goes into the bundle as
 * appspec.yml. The source's own appspec.yml (or .yaml) is taken when it is that very file or the
 * same bytes; one that differs is refused, so that nobody deploys the wrong one unknowingly.
 */
export async function locateGiven(
  source: string,
  label: string,
  given: string
): Promise<{ file: string; fileName: AppSpecFileName; injected: boolean }> {
  const where = label === source ? `'${label}'` : `'${label}' (${source})`
  const info = await stat(source).catch((error: unknown) => {
    if (!isMissing(errnoCode(error))) throw error
    throw new InputError(
      `Source directory ${where} does not exist. Set 'source' to the directory whose files the appspec deploys, relative to the workspace, and make sure the checkout or build step that fills it ran first.`
    )
  })
  if (!info.isDirectory())
    throw new InputError(`Source ${where} is a file, not a directory. Set 'source' to a directory.`)
  const givenInfo = await stat(given).catch(() => undefined)
  if (!givenInfo?.isFile())
    throw new InputError(
      `Input 'appspec' ${given} ${givenInfo ? 'is not a file' : 'does not exist'}. Set it to the appspec file, relative to the workspace, e.g. 'deploy/appspec-prod.yml'.`
    )
  const names = (await readdir(source)).filter(n => n === 'appspec.yml' || n === 'appspec.yaml')
  if (names.length === 2)
    throw new InputError(
      `Source ${where} has both appspec.yml and appspec.yaml; the agent reads only one of them. Delete both to deploy 'appspec' instead.`
    )
  const own = names[0]
  if (!own) return { file: given, fileName: 'appspec.yml', injected: true }
  const ownFile = path.join(source, own)
  const same =
    (await realpath(ownFile)) === (await realpath(given)) ||
    (await readFile(ownFile)).equals(await readFile(given))
  if (!same)
    throw new InputError(
      `Input 'appspec' (${given}) and ${toPosix(path.join(label, own))}, already at the root of source, differ; the bundle holds one appspec, and the agent reads the one at its root. Remove 'appspec' to deploy ${own}, or delete ${own} from source (or make the two the same) to deploy 'appspec'.`
    )
  return { file: ownFile, fileName: own, injected: false }
}

/**
 * Checks appspec.yml for an EC2/on-premises deployment before anything is packaged or uploaded,
 * so a mistake fails in seconds, pointing at its line, instead of minutes later on an instance.
 */
import { constants } from 'node:fs'
import { access, lstat, readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml'
import { AppSpecError, InputError } from './errors.js'

export const HOOKS = [
  'ApplicationStop',
  'BeforeInstall',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeBlockTraffic',
  'AfterBlockTraffic',
  'BeforeAllowTraffic',
  'AfterAllowTraffic'
] as const
export type HookName = (typeof HOOKS)[number]

/** Events CodeDeploy runs itself; scripts cannot be attached to them. */
const RESERVED: Record<string, string> = {
  Start: 'it is where the deployment begins',
  DownloadBundle: 'the agent downloads the bundle itself',
  Install: 'the agent copies the files: mappings itself',
  BlockTraffic: 'the load balancer step is run by CodeDeploy',
  AllowTraffic: 'the load balancer step is run by CodeDeploy',
  End: 'it is where the deployment ends'
}

export interface HookScript {
  location: string
  timeout?: number
  runas?: string
}

export interface FileMapping {
  source: string
  destination: string
}

export interface AppSpec {
  version: string
  os: 'linux' | 'windows'
  files: FileMapping[]
  permissions: Record<string, unknown>[]
  hooks: Partial<Record<HookName, HookScript[]>>
}

export interface CheckedAppSpec {
  /** Absolute path of the appspec file. */
  path: string
  fileName: 'appspec.yml' | 'appspec.yaml'
  spec: AppSpec
  /** Hook script paths relative to the source, with `/`. */
  hookScripts: string[]
  warnings: string[]
}

const MAX_EVENT_SECONDS = 3600
const ROOT_KEYS = new Set(['version', 'os', 'files', 'permissions', 'hooks', 'file_exists_behavior'])

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = current
    }
  }
  return row[b.length]!
}

/** The closest known name, when it is close enough to be a typo. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of known) {
    const score = distance(name.toLowerCase(), candidate.toLowerCase())
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p, constants.F_OK)
    return true
  } catch {
    return false
  }
}

/** Finds appspec.yml/.yaml at the root, or explains where it is instead. */
async function locate(source: string): Promise<{ file: string; fileName: 'appspec.yml' | 'appspec.yaml' }> {
  let info
  try {
    info = await stat(source)
  } catch {
    throw new InputError(`Source directory ${source} does not exist. Set 'source' to the directory that holds appspec.yml (relative to the workspace).`)
  }
  if (!info.isDirectory()) {
    throw new InputError(`Source ${source} is a file, not a directory. Set 'source' to the directory that holds appspec.yml.`)
  }
  const names = await readdir(source)
  if (names.length === 0) {
    throw new InputError(`Source directory ${source} is empty. Build or check out the revision first, or point 'source' at the directory that holds appspec.yml.`)
  }
  const yml = names.includes('appspec.yml')
  const yaml = names.includes('appspec.yaml')
  if (yml && yaml) {
    throw new InputError(`Source ${source} has both appspec.yml and appspec.yaml; CodeDeploy would read only one. Delete one of them.`)
  }
  if (yml || yaml) {
    const fileName = yml ? 'appspec.yml' : 'appspec.yaml'
    return { file: path.join(source, fileName), fileName }
  }
  const wrongCase = names.find(n => /^appspec\.ya?ml$/i.test(n))
  if (wrongCase) {
    throw new InputError(`Found ${wrongCase} in ${source}, but the agent looks for exactly 'appspec.yml' (lower case). Rename it.`)
  }
  for (const name of names.sort()) {
    const sub = path.join(source, name)
    if ((await exists(path.join(sub, 'appspec.yml'))) || (await exists(path.join(sub, 'appspec.yaml')))) {
      throw new InputError(`No appspec.yml at the root of ${source}, but found one in ${name}/. Set 'source' to '${path.relative(process.cwd(), sub) || name}'.`)
    }
  }
  throw new InputError(`No appspec.yml at the root of ${source}. Add one (see the README's example), or set 'source' to the directory that holds it.`)
}

/** Position-aware errors for one appspec file. */
class Problems {
  constructor(
    readonly file: string,
    private readonly fileName: string,
    private readonly lines: LineCounter
  ) {}

  at(node: Node | Pair | null | undefined, message: string): AppSpecError {
    const range = node && 'range' in node ? node.range : node && 'key' in node && node.key && typeof node.key === 'object' && 'range' in (node.key as object) ? (node.key as Node).range : undefined
    if (!range) return new AppSpecError(`${this.fileName}: ${message}`, this.file)
    const pos = this.lines.linePos(range[0])
    return new AppSpecError(`${this.fileName}:${pos.line}:${pos.col}: ${message}`, this.file, pos.line, pos.col)
  }
}

function scalarText(node: unknown): string | undefined {
  if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value)
  return undefined
}

/** Resolves a path given in the appspec (relative to the bundle root, `/` allowed) inside the source. */
function insideSource(source: string, given: string): string | undefined {
  const relative = given.replace(/^[/\\]+/, '')
  const resolved = path.resolve(source, relative)
  return resolved === source || resolved.startsWith(source + path.sep) ? resolved : undefined
}

export async function checkAppSpec(sourceDir: string): Promise<CheckedAppSpec> {
  const source = path.resolve(sourceDir)
  const { file, fileName } = await locate(source)
  const text = await readFile(file, 'utf8')
  const lines = new LineCounter()
  const doc: Document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  const problems = new Problems(file, fileName, lines)
  const syntax = doc.errors[0]
  if (syntax) {
    const pos = syntax.linePos?.[0]
    const what = syntax.code === 'DUPLICATE_KEY' ? 'a key appears twice in the same mapping; keep one' : syntax.message.split('\n')[0]
    throw new AppSpecError(
      `${fileName}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${what}. Fix the syntax (spaces, not tabs, for indentation).`,
      file,
      pos?.line,
      pos?.col
    )
  }
  const root = doc.contents
  if (!isMap(root)) throw problems.at(root, 'the file must be a mapping with version, os, files and hooks. See the README for an example.')

  for (const pair of root.items) {
    const key = scalarText(pair.key) ?? ''
    if (ROOT_KEYS.has(key)) continue
    if (key === 'Resources') {
      throw problems.at(pair.key as Node, "'Resources' belongs to Lambda and ECS appspecs; this action deploys EC2/on-premises revisions. Use version, os, files and hooks.")
    }
    const close = suggest(key, [...ROOT_KEYS])
    throw problems.at(pair.key as Node, `unknown key '${key}'.${close ? ` Did you mean '${close}'?` : ''} Allowed: ${[...ROOT_KEYS].join(', ')}.`)
  }

  const versionNode = root.get('version', true)
  const version = scalarText(versionNode)
  if (version === undefined) throw problems.at(root, "missing 'version: 0.0'. Add it at the top.")
  if (!(isScalar(versionNode) && (versionNode.value === 0 || versionNode.value === '0.0'))) {
    throw problems.at(versionNode, `version is '${(isScalar(versionNode) && versionNode.source) || version}', but CodeDeploy supports only 'version: 0.0'. Set it to 0.0.`)
  }

  const osNode = root.get('os', true)
  const os = scalarText(osNode)
  if (os === undefined) throw problems.at(root, "missing 'os'. Add 'os: linux' or 'os: windows'.")
  if (os !== 'linux' && os !== 'windows') {
    throw problems.at(osNode, `os is '${os}'; it must be 'linux' or 'windows' (lower case).`)
  }

  const spec: AppSpec = { version: '0.0', os, files: [], permissions: [], hooks: {} }
  const warnings: string[] = []

  const filesNode = root.get('files', true)
  if (filesNode !== undefined && filesNode !== null && !(isScalar(filesNode) && filesNode.value === null)) {
    if (!isSeq(filesNode)) throw problems.at(filesNode, "'files' must be a list of '- source: …' / 'destination: …' entries.")
    for (const item of filesNode.items) {
      if (!isMap(item)) throw problems.at(item as Node, "each 'files' entry needs 'source' and 'destination'.")
      for (const pair of item.items) {
        const key = scalarText(pair.key) ?? ''
        if (key !== 'source' && key !== 'destination') {
          throw problems.at(pair.key as Node, `unknown key '${key}' in a files entry. Only 'source' and 'destination' are allowed.`)
        }
      }
      const src = scalarText(item.get('source', true))
      const dest = scalarText(item.get('destination', true))
      if (src === undefined) throw problems.at(item, "this files entry has no 'source'. Give a path inside the bundle ('/' for all of it).")
      if (dest === undefined) throw problems.at(item, "this files entry has no 'destination'. Give an absolute path on the instance.")
      const absolute = os === 'linux' ? dest.startsWith('/') : /^[a-zA-Z]:[\\/]/.test(dest)
      if (!absolute) {
        throw problems.at(
          item.get('destination', true) as Node,
          `destination '${dest}' is not absolute. Use a full path on the instance, e.g. ${os === 'linux' ? '/var/www/app' : 'C:\\inetpub\\app'}.`
        )
      }
      const resolved = insideSource(source, src)
      if (!resolved) throw problems.at(item.get('source', true) as Node, `source '${src}' leaves the bundle. Use a path inside ${sourceDir}.`)
      if (!(await exists(resolved))) {
        throw problems.at(item.get('source', true) as Node, `source '${src}' does not exist in ${sourceDir}. Fix the path or add the files to the bundle.`)
      }
      spec.files.push({ source: src, destination: dest })
    }
  }

  const permissionsNode = root.get('permissions', true)
  if (permissionsNode !== undefined && permissionsNode !== null && !(isScalar(permissionsNode) && permissionsNode.value === null)) {
    if (os === 'windows') throw problems.at(permissionsNode, "'permissions' applies to Linux instances only. Remove it for os: windows.")
    if (!isSeq(permissionsNode)) throw problems.at(permissionsNode, "'permissions' must be a list of '- object: …' entries.")
    const allowed = new Set(['object', 'pattern', 'except', 'owner', 'group', 'mode', 'acls', 'context', 'type'])
    for (const item of permissionsNode.items) {
      if (!isMap(item)) throw problems.at(item as Node, "each 'permissions' entry needs at least 'object'.")
      for (const pair of item.items) {
        const key = scalarText(pair.key) ?? ''
        if (!allowed.has(key)) {
          const close = suggest(key, [...allowed])
          throw problems.at(pair.key as Node, `unknown key '${key}' in permissions.${close ? ` Did you mean '${close}'?` : ''}`)
        }
      }
      const object = scalarText(item.get('object', true))
      if (!object?.startsWith('/')) throw problems.at(item, "each permissions entry needs an absolute 'object' path on the instance.")
      const modeNode = item.get('mode', true)
      const mode = scalarText(modeNode)
      if (modeNode !== undefined && (mode === undefined || !/^[0-7]{3,4}$/.test(mode))) {
        throw problems.at(modeNode as Node, `mode '${mode ?? ''}' is not an octal mode. Write it like '755' or '0644'.`)
      }
      const typeNode = item.get('type', true)
      if (typeNode !== undefined) {
        const types = isSeq(typeNode) ? typeNode.items.map(scalarText) : [scalarText(typeNode)]
        if (types.some(t => t !== 'file' && t !== 'directory')) throw problems.at(typeNode as Node, "type must list 'file' and/or 'directory'.")
      }
      spec.permissions.push(item.toJSON() as Record<string, unknown>)
    }
  }

  const hookScripts: string[] = []
  const hooksNode = root.get('hooks', true)
  if (hooksNode !== undefined && hooksNode !== null && !(isScalar(hooksNode) && hooksNode.value === null)) {
    if (!isMap(hooksNode)) throw problems.at(hooksNode, `'hooks' must map event names (${HOOKS.join(', ')}) to lists of scripts.`)
    for (const pair of (hooksNode as YAMLMap).items) {
      const name = scalarText(pair.key) ?? ''
      if (RESERVED[name]) {
        const fix = name === 'Install' || name === 'DownloadBundle' ? 'Use BeforeInstall or AfterInstall instead.' : `Use one of ${HOOKS.join(', ')}.`
        throw problems.at(pair.key as Node, `hook '${name}' is reserved: ${RESERVED[name]}, so no script can run there. ${fix}`)
      }
      if (!(HOOKS as readonly string[]).includes(name)) {
        const close = suggest(name, HOOKS)
        throw problems.at(pair.key as Node, `unknown hook '${name}'.${close ? ` Did you mean '${close}'?` : ''} Hooks are: ${HOOKS.join(', ')}.`)
      }
      const list = pair.value
      if (list === null || (isScalar(list) && list.value === null)) continue
      if (!isSeq(list)) throw problems.at(list as Node, `hook '${name}' must be a list of '- location: script' entries.`)
      const scripts: HookScript[] = []
      let total = 0
      for (const item of list.items) {
        if (!isMap(item)) throw problems.at(item as Node, `each ${name} entry needs 'location' (and optionally timeout, runas).`)
        for (const p of item.items) {
          const key = scalarText(p.key) ?? ''
          if (!['location', 'timeout', 'runas'].includes(key)) {
            const close = suggest(key, ['location', 'timeout', 'runas'])
            throw problems.at(p.key as Node, `unknown key '${key}' in ${name}.${close ? ` Did you mean '${close}'?` : ''} Allowed: location, timeout, runas.`)
          }
        }
        const locationNode = item.get('location', true)
        const location = scalarText(locationNode)
        if (!location) throw problems.at(item, `a ${name} entry has no 'location'. Give the script's path inside the bundle.`)
        const resolved = insideSource(source, location)
        if (!resolved) throw problems.at(locationNode as Node, `script '${location}' leaves the bundle. Keep hook scripts inside ${sourceDir}.`)
        let info
        try {
          info = await lstat(resolved)
          if (info.isSymbolicLink()) {
            const real = await realpath(resolved)
            if (!insideSource(await realpath(source), path.relative(await realpath(source), real))) throw new Error('outside')
            info = await stat(resolved)
          }
        } catch {
          throw problems.at(locationNode as Node, `script '${location}' for ${name} does not exist in ${sourceDir}. Fix the path (relative to the appspec) or add the script.`)
        }
        if (!info.isFile()) throw problems.at(locationNode as Node, `script '${location}' for ${name} is not a file.`)
        const script: HookScript = { location }
        const timeoutNode = item.get('timeout', true)
        if (timeoutNode !== undefined) {
          const value = isScalar(timeoutNode) ? timeoutNode.value : undefined
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_EVENT_SECONDS) {
            throw problems.at(timeoutNode as Node, `timeout ${String(value)} for ${location} is out of range. Use whole seconds from 1 to ${MAX_EVENT_SECONDS}.`)
          }
          script.timeout = value
          total += value
        }
        const runasNode = item.get('runas', true)
        if (runasNode !== undefined) {
          if (os === 'windows') throw problems.at(runasNode as Node, "'runas' works on Linux only; Windows hooks run as the agent's user. Remove it.")
          const runas = scalarText(runasNode)
          if (!runas || !/^[a-z_][a-z0-9_-]*\$?$/i.test(runas)) throw problems.at(runasNode as Node, `runas '${runas ?? ''}' is not a user name.`)
          script.runas = runas
        }
        if (os === 'linux' && process.platform !== 'win32' && (info.mode & 0o111) === 0) {
          warnings.push(`${location} is not executable; the bundle marks it executable.`)
        }
        const rel = path.relative(source, resolved).split(path.sep).join('/')
        if (!hookScripts.includes(rel)) hookScripts.push(rel)
        scripts.push(script)
      }
      if (total > MAX_EVENT_SECONDS) {
        throw problems.at(pair.key as Node, `the timeouts of ${name} add up to ${total} seconds; one event may take at most ${MAX_EVENT_SECONDS}. Lower them.`)
      }
      spec.hooks[name as HookName] = scripts
    }
  }
  return { path: file, fileName, spec, hookScripts, warnings }
}

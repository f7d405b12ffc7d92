/**
 * Checks appspec.yml for an EC2/on-premises deployment before anything is packaged or uploaded,
 * so a mistake fails in seconds, pointing at its line, instead of minutes later on an instance.
 *
 * The rules follow what the CodeDeploy agent accepts. Where the agent reads YAML 1.1 and this
 * parser YAML 1.2, the check rejects values the two read differently (`mode: 0644`).
 */
import { lstat, open, readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type ParsedNode,
  type YAMLMap,
  type YAMLSeq
} from 'yaml'
import { AppSpecError, InputError } from './errors.js'
import { IGNORE_FILE, loadExcludeRules, type ExcludeRules } from './ignore-rules.js'

/** Lifecycle events a server (in-place or blue/green) deployment runs scripts for. */
export const HOOK_NAMES = [
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
export type HookName = (typeof HOOK_NAMES)[number]

/** Events CodeDeploy runs itself: why no script can go there, and where to put it instead. */
const RESERVED_HOOKS: Record<string, { why: string; use: string }> = {
  Start: { why: 'CodeDeploy runs it itself to begin the deployment', use: 'ApplicationStop' },
  DownloadBundle: {
    why: 'the agent runs it itself to fetch the revision',
    use: 'BeforeInstall'
  },
  Install: {
    why: "the agent runs it itself to copy the 'files' entries into place",
    use: 'BeforeInstall or AfterInstall'
  },
  BlockTraffic: {
    why: 'CodeDeploy runs it itself to take the instance out of its load balancer',
    use: 'BeforeBlockTraffic or AfterBlockTraffic'
  },
  AllowTraffic: {
    why: 'CodeDeploy runs it itself to put the instance back behind its load balancer',
    use: 'BeforeAllowTraffic or AfterAllowTraffic'
  },
  End: { why: 'CodeDeploy runs it itself to finish the deployment', use: 'ValidateService' }
}

/** Names from the first agent releases; CodeDeploy no longer sends these events. */
const RENAMED_HOOKS: Record<string, HookName> = {
  BeforeELBRemove: 'BeforeBlockTraffic',
  AfterELBRemove: 'AfterBlockTraffic',
  BeforeELBAdd: 'BeforeAllowTraffic',
  AfterELBAdd: 'AfterAllowTraffic'
}

export type FileExistsBehavior = 'DISALLOW' | 'OVERWRITE' | 'RETAIN'
const FILE_EXISTS_BEHAVIORS: readonly FileExistsBehavior[] = ['DISALLOW', 'OVERWRITE', 'RETAIN']

export interface HookScript {
  /** As written in the appspec (relative to the bundle root). */
  location: string
  /** Seconds, 1..3600. The agent's default is 3600. */
  timeout?: number
  /** Linux user the script runs as. */
  runas?: string
}

export interface FileMapping {
  /** Path inside the bundle as written; `/` is the whole bundle. */
  source: string
  /** Absolute path on the instance. */
  destination: string
}

export interface PermissionSpec {
  object: string
  pattern?: string
  except?: string[]
  owner?: string
  group?: string
  /** Octal digits, as text (`"0644"`, `"755"`). */
  mode?: string
  acls?: string[]
  /** SELinux context. The agent reads the user from `name`; `user` is accepted too. */
  context?: { user?: string; type: string; range?: string }
  type?: ('file' | 'directory')[]
}

export interface AppSpec {
  version: '0.0'
  os: 'linux' | 'windows'
  files: FileMapping[]
  permissions: PermissionSpec[]
  /** Only the events present in the file. */
  hooks: Partial<Record<HookName, HookScript[]>>
  fileExistsBehavior?: FileExistsBehavior
}

export type AppSpecFileName = 'appspec.yml' | 'appspec.yaml'

export interface CheckedAppSpec {
  /** Absolute path of the appspec file. */
  path: string
  fileName: AppSpecFileName
  spec: AppSpec
  /**
   * The files the hooks run, relative to the source with `/`, links resolved (so the bundle can
   * mark the real file executable). In order of appearance, without repeats.
   */
  hookScripts: string[]
  /** Things that will work but deserve a look (e.g. a hook script without its execute bit). */
  warnings: string[]
}

/** The most seconds CodeDeploy gives one lifecycle event (and so one script). */
export const MAX_EVENT_SECONDS = 3600

const ROOT_KEYS = ['version', 'os', 'files', 'permissions', 'hooks', 'file_exists_behavior']
const FILE_KEYS = ['source', 'destination']
const PERMISSION_KEYS = [
  'object',
  'pattern',
  'except',
  'owner',
  'group',
  'mode',
  'acls',
  'context',
  'type'
]
const CONTEXT_KEYS = ['name', 'user', 'type', 'range']
/** `sudo` is a leftover the agent still reads; accepted, not documented. */
const SCRIPT_KEYS = ['location', 'timeout', 'runas', 'sudo']

/** Edit distance (insert, delete, substitute), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1)
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute))
    }
    previous = current
  }
  return previous[y.length] ?? 0
}

/** The closest of `known` to `name`, when it is close enough to be a typo of it. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of known) {
    const score = distance(name, candidate)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  // One edit for short names (so 'foo' is not taken for 'os'), more for longer ones.
  const allowed = name.length < 5 ? 1 : Math.max(2, Math.floor(name.length / 4))
  return bestScore <= allowed ? best : undefined
}

function didYouMean(name: string, known: readonly string[]): string {
  const close = suggest(name, known)
  return close ? ` Did you mean '${close}'?` : ''
}

function isMissing(code: string | undefined): boolean {
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

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
async function locate(
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

interface Field {
  name: string
  key: ParsedNode
  value: ParsedNode | null
}

/** A path inside the bundle as the agent joins it: leading `/` means the bundle root. */
interface BundlePath {
  /** Relative, posix, normalised; '' is the bundle root. */
  rel: string
  escapes: boolean
  driveLetter: boolean
}

function bundlePath(given: string, windows: boolean): BundlePath {
  const slashed = windows ? given.replace(/\\/g, '/') : given
  const driveLetter = /^[a-zA-Z]:/.test(slashed)
  const trimmed = slashed.replace(/^\/+/, '')
  const normal = path.posix.normalize(trimmed === '' ? '.' : trimmed).replace(/\/+$/, '')
  const escapes = normal === '..' || normal.startsWith('../')
  return { rel: normal === '.' ? '' : normal, escapes, driveLetter }
}

/** Reads the YAML and applies the rules; holds the positions for the messages. */
class Checker {
  readonly warnings: string[] = []
  readonly hookScripts: string[] = []
  private realSource = ''

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly file: string,
    private readonly fileName: AppSpecFileName,
    private readonly source: string,
    private readonly label: string,
    private readonly rules: ExcludeRules
  ) {}

  fail(node: ParsedNode | null | undefined, message: string): AppSpecError {
    const offset = node?.range[0]
    if (offset === undefined) return new AppSpecError(`${this.fileName}: ${message}`, this.file)
    const { line, col } = this.lines.linePos(offset)
    return new AppSpecError(`${this.fileName}:${line}:${col}: ${message}`, this.file, line, col)
  }

  private deref(node: unknown): ParsedNode | null {
    if (isAlias(node)) return (node.resolve(this.doc) as ParsedNode | undefined) ?? null
    return (node as ParsedNode | null | undefined) ?? null
  }

  private isEmpty(node: ParsedNode | null): boolean {
    return node === null || (isScalar(node) && node.value === null)
  }

  /** Text of a string or number scalar. */
  private text(node: ParsedNode | null): string | undefined {
    if (!isScalar(node)) return undefined
    if (typeof node.value === 'string') return node.value
    if (typeof node.value === 'number') return String(node.value)
    return undefined
  }

  private fields(map: YAMLMap.Parsed, known: readonly string[], where: string): Field[] {
    const fields: Field[] = []
    for (const pair of map.items) {
      const key = this.deref(pair.key)
      const name = isScalar(key) ? String(key.value) : undefined
      if (key === null || name === undefined) {
        throw this.fail(
          key ?? map,
          `a key in ${where} is not a plain name. Use one of: ${known.join(', ')}.`
        )
      }
      fields.push({ name, key, value: this.deref(pair.value) })
    }
    return fields
  }

  private rejectUnknown(fields: Field[], known: readonly string[], where: string): void {
    for (const field of fields) {
      if (known.includes(field.name)) continue
      throw this.fail(
        field.key,
        `unknown key '${field.name}' in ${where}.${didYouMean(field.name, known)} Allowed keys: ${known.join(', ')}.`
      )
    }
  }

  private field(fields: Field[], name: string): Field | undefined {
    return fields.find(f => f.name === name)
  }

  private list(field: Field, what: string): YAMLSeq.Parsed | undefined {
    if (this.isEmpty(field.value)) return undefined
    if (!isSeq(field.value)) {
      throw this.fail(field.value ?? field.key, `'${field.name}' must be a list ${what}.`)
    }
    return field.value
  }

  private stringList(field: Field): string[] {
    const seq = this.list(field, 'of strings (- item, or [a, b])')
    return (seq?.items ?? []).map(item => {
      const node = this.deref(item)
      const value = this.text(node)
      if (value === undefined)
        throw this.fail(node ?? field.value, `each '${field.name}' item must be a string.`)
      return value
    })
  }

  private string(field: Field, what: string): string {
    const value = this.text(field.value)
    if (value === undefined || value.trim() === '') {
      throw this.fail(field.value ?? field.key, `'${field.name}' needs ${what}.`)
    }
    return value.trim()
  }

  async check(): Promise<AppSpec> {
    this.realSource = await realpath(this.source)
    const root = this.doc.contents
    if (root === null || this.isEmpty(root)) {
      throw new AppSpecError(
        `${this.fileName}:1:1: the file is empty. Start it with 'version: 0.0' and 'os: linux' (or windows), then add files and hooks.`,
        this.file,
        1,
        1
      )
    }
    if (!isMap(root)) {
      throw this.fail(
        root,
        `the top level must be a mapping (version:, os:, files:, hooks:), not ${isSeq(root) ? 'a list' : 'a single value'}. Write one 'key: value' per line.`
      )
    }
    const fields = this.fields(root, ROOT_KEYS, 'the top level')
    for (const field of fields) {
      if (ROOT_KEYS.includes(field.name)) continue
      if (field.name === 'Resources') {
        throw this.fail(
          field.key,
          "'Resources' belongs to a Lambda or ECS appspec, but this action deploys EC2/on-premises revisions. Use an EC2/on-premises appspec: version, os, files, hooks."
        )
      }
      throw this.fail(
        field.key,
        `unknown key '${field.name}' at the top level.${didYouMean(field.name, ROOT_KEYS)} An EC2/on-premises appspec has only: ${ROOT_KEYS.join(', ')}.`
      )
    }

    this.checkVersion(root, this.field(fields, 'version'))
    const os = this.checkOs(root, this.field(fields, 'os'))
    const spec: AppSpec = { version: '0.0', os, files: [], permissions: [], hooks: {} }
    const behavior = this.field(fields, 'file_exists_behavior')
    if (behavior) spec.fileExistsBehavior = this.checkFileExistsBehavior(behavior)
    const files = this.field(fields, 'files')
    if (files) spec.files = await this.checkFiles(files, os)
    const permissions = this.field(fields, 'permissions')
    if (permissions) spec.permissions = this.checkPermissions(permissions, os)
    const hooks = this.field(fields, 'hooks')
    if (hooks) spec.hooks = await this.checkHooks(hooks, os)
    return spec
  }

  private checkVersion(root: YAMLMap.Parsed, field: Field | undefined): void {
    if (!field) throw this.fail(root, "'version' is missing. Add 'version: 0.0' as the first line.")
    const node = field.value
    if (isScalar(node) && node.value === 0 && node.type === 'PLAIN') return
    const written = isScalar(node) ? (node.source ?? String(node.value)) : 'a list or mapping'
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim() === '0.0') {
      throw this.fail(
        node,
        "version is the string '0.0' (quoted), but the agent compares it with the number 0.0 and fails the deployment. Remove the quotes: version: 0.0"
      )
    }
    throw this.fail(
      node ?? field.key,
      `version is '${written}', but CodeDeploy supports only version 0.0 for EC2/on-premises. Set 'version: 0.0'.`
    )
  }

  private checkOs(root: YAMLMap.Parsed, field: Field | undefined): 'linux' | 'windows' {
    if (!field) throw this.fail(root, "'os' is missing. Add 'os: linux' or 'os: windows'.")
    const value = this.text(field.value)
    if (value === 'linux' || value === 'windows') return value
    const hint =
      value && (value.toLowerCase() === 'linux' || value.toLowerCase() === 'windows')
        ? ` Write it in lower case: os: ${value.toLowerCase()}.`
        : " Use 'linux' (Amazon Linux, Ubuntu, RHEL) or 'windows' (Windows Server)."
    throw this.fail(
      field.value ?? field.key,
      `os is '${value ?? ''}', which the agent does not know.${hint}`
    )
  }

  private checkFileExistsBehavior(field: Field): FileExistsBehavior {
    const value = this.text(field.value)
    const found = FILE_EXISTS_BEHAVIORS.find(b => b === value)
    if (found) return found
    throw this.fail(
      field.value ?? field.key,
      `file_exists_behavior is '${value ?? ''}'. Use DISALLOW, OVERWRITE or RETAIN (upper case).`
    )
  }

  private async checkFiles(field: Field, os: 'linux' | 'windows'): Promise<FileMapping[]> {
    const seq = this.list(field, "of '- source: …' / '  destination: …' entries")
    const mappings: FileMapping[] = []
    for (const raw of seq?.items ?? []) {
      const item = this.deref(raw)
      if (!isMap(item)) {
        throw this.fail(
          item ?? seq,
          "each 'files' entry must be a mapping: '- source: <path in the bundle>' with 'destination: <path on the instance>' below it."
        )
      }
      const fields = this.fields(item, FILE_KEYS, "a 'files' entry")
      for (const f of fields) {
        if (f.name === 'file_exists_behavior') {
          throw this.fail(
            f.key,
            "'file_exists_behavior' goes at the top level of the appspec, not inside a 'files' entry. Move it out (no indentation)."
          )
        }
      }
      this.rejectUnknown(fields, FILE_KEYS, "a 'files' entry")
      const sourceField = this.field(fields, 'source')
      const destinationField = this.field(fields, 'destination')
      if (!sourceField) {
        throw this.fail(
          item,
          "this 'files' entry has no 'source'. Give a path inside the bundle ('/' for all of it)."
        )
      }
      if (!destinationField) {
        throw this.fail(
          item,
          "this 'files' entry has no 'destination'. Give an absolute path on the instance."
        )
      }
      const source = this.string(sourceField, "a path inside the bundle ('/' for all of it)")
      const destination = this.string(destinationField, 'an absolute path on the instance')
      const absolute =
        os === 'linux' ? destination.startsWith('/') : /^[a-zA-Z]:[\\/]|^\\\\/.test(destination)
      if (!absolute) {
        throw this.fail(
          destinationField.value,
          `destination '${destination}' is not an absolute ${os} path. Give the full path on the instance, e.g. ${os === 'linux' ? '/var/www/app' : 'C:\\inetpub\\app'}.`
        )
      }
      await this.checkInBundle(sourceField.value, source, os, 'source')
      mappings.push({ source, destination })
    }
    return mappings
  }

  /** Checks that a files source is a path inside the bundle that exists and is not excluded. */
  private async checkInBundle(
    node: ParsedNode | null,
    given: string,
    os: 'linux' | 'windows',
    what: string
  ): Promise<void> {
    const target = bundlePath(given, os === 'windows')
    if (target.driveLetter) {
      throw this.fail(
        node,
        `${what} '${given}' is a drive path. Give it relative to the bundle root (where appspec.yml is).`
      )
    }
    if (target.escapes) {
      throw this.fail(
        node,
        `${what} '${given}' leaves the bundle with '..'. Use a path inside ${this.label}.`
      )
    }
    if (target.rel === '') return
    let info
    try {
      info = await lstat(path.join(this.source, target.rel))
    } catch (error) {
      if (!isMissing(errnoCode(error))) throw error
      throw this.fail(
        node,
        `${what} '${given}' does not exist in ${this.label}. Fix the path (it is relative to the bundle root, where appspec.yml is) or add it to the source.`
      )
    }
    if (this.rules.excludes(target.rel, info.isDirectory())) {
      throw this.fail(
        node,
        `${what} '${given}' is ${this.excludedBy(target.rel)}, so it would not be in the bundle. ${this.excludedFix(target.rel)}`
      )
    }
  }

  private excludedBy(rel: string): string {
    return rel.split('/').includes('.git')
      ? 'inside .git, which is never packaged'
      : `excluded by ${IGNORE_FILE}`
  }

  private excludedFix(rel: string): string {
    return rel.split('/').includes('.git')
      ? 'Move it out of .git.'
      : `Remove the ${IGNORE_FILE} rule that matches it, or add '!${rel}' after it.`
  }

  private checkPermissions(field: Field, os: 'linux' | 'windows'): PermissionSpec[] {
    if (this.isEmpty(field.value)) return []
    if (os === 'windows') {
      throw this.fail(
        field.key,
        "'permissions' works on Linux instances only; the agent fails a Windows deployment that has it. Remove it, or set the permissions from a hook script."
      )
    }
    const seq = this.list(field, "of '- object: /path' entries")
    const permissions: PermissionSpec[] = []
    for (const raw of seq?.items ?? []) {
      const item = this.deref(raw)
      if (!isMap(item)) {
        throw this.fail(
          item ?? seq,
          "each 'permissions' entry must be a mapping starting with '- object: /path/on/the/instance'."
        )
      }
      const fields = this.fields(item, PERMISSION_KEYS, "a 'permissions' entry")
      this.rejectUnknown(fields, PERMISSION_KEYS, "a 'permissions' entry")
      const objectField = this.field(fields, 'object')
      if (!objectField) {
        throw this.fail(
          item,
          "this 'permissions' entry has no 'object'. Add 'object: /path/on/the/instance'."
        )
      }
      const object = this.string(objectField, 'an absolute path on the instance')
      if (!object.startsWith('/')) {
        throw this.fail(
          objectField.value,
          `object '${object}' is not an absolute path. Give the full path on the instance, e.g. /var/www/app.`
        )
      }
      const permission: PermissionSpec = { object }
      for (const f of fields) {
        switch (f.name) {
          case 'pattern':
            permission.pattern = this.string(f, "a glob such as '**' or '*.sh'")
            break
          case 'except':
            permission.except = this.stringList(f)
            break
          case 'owner':
          case 'group':
            permission[f.name] = this.name(f)
            break
          case 'mode':
            permission.mode = this.mode(f)
            break
          case 'acls':
            permission.acls = this.stringList(f)
            break
          case 'context':
            permission.context = this.context(f)
            break
          case 'type':
            permission.type = this.types(f)
            break
        }
      }
      permissions.push(permission)
    }
    return permissions
  }

  private name(field: Field): string {
    const node = field.value
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      throw this.fail(
        node ?? field.key,
        `${field.name} must be a ${field.name === 'owner' ? 'user' : 'group'} name (the agent looks it up by name, not by number).`
      )
    }
    return node.value.trim()
  }

  private mode(field: Field): string {
    const node = field.value
    if (!isScalar(node) || (typeof node.value !== 'number' && typeof node.value !== 'string')) {
      throw this.fail(node ?? field.key, 'mode must be octal digits such as 644 or "0755".')
    }
    const plain = node.type === 'PLAIN'
    const written = plain ? (node.source ?? String(node.value)) : String(node.value)
    if (plain && /^0[0-9]+$/.test(written)) {
      throw this.fail(
        node,
        `mode ${written} has a leading zero without quotes, so the agent's YAML reads it as an octal number and applies the wrong mode. Write "${written}" in quotes, or ${written.replace(/^0+(?=\d{3})/, '')}.`
      )
    }
    if (!/^[0-7]{3,4}$/.test(written)) {
      throw this.fail(
        node,
        `mode '${written}' is not an octal mode. Use 3 or 4 digits from 0 to 7, e.g. 644 or "0755" (symbols such as u+x are not supported).`
      )
    }
    return written
  }

  private context(field: Field): PermissionSpec['context'] {
    const node = field.value
    if (!isMap(node)) {
      throw this.fail(
        node ?? field.key,
        "context must be a mapping with 'type' (and optionally name and range)."
      )
    }
    const fields = this.fields(node, CONTEXT_KEYS, 'context')
    this.rejectUnknown(fields, CONTEXT_KEYS, 'context')
    const typeField = this.field(fields, 'type')
    if (!typeField)
      throw this.fail(node, "context needs 'type' (an SELinux type such as httpd_sys_content_t).")
    const context: NonNullable<PermissionSpec['context']> = {
      type: this.string(typeField, 'an SELinux type')
    }
    const user = this.field(fields, 'name') ?? this.field(fields, 'user')
    if (user) context.user = this.string(user, 'an SELinux user')
    const range = this.field(fields, 'range')
    if (range) context.range = this.string(range, 'an SELinux range such as s0')
    return context
  }

  private types(field: Field): ('file' | 'directory')[] {
    if (!isSeq(field.value)) {
      throw this.fail(
        field.value ?? field.key,
        'type must be a list: - file, - directory (or [file, directory]).'
      )
    }
    return field.value.items.map(raw => {
      const node = this.deref(raw)
      const value = this.text(node)
      if (value !== 'file' && value !== 'directory') {
        throw this.fail(
          node ?? field.value,
          `type '${value ?? ''}' is not known. Use 'file' and/or 'directory'.`
        )
      }
      return value
    })
  }

  private async checkHooks(field: Field, os: 'linux' | 'windows'): Promise<AppSpec['hooks']> {
    const hooks: AppSpec['hooks'] = {}
    if (this.isEmpty(field.value)) return hooks
    if (!isMap(field.value)) {
      const lambdaStyle = isSeq(field.value)
        ? ' (a list of hooks is the Lambda/ECS form; this action deploys EC2/on-premises revisions)'
        : ''
      throw this.fail(
        field.value,
        `'hooks' must map event names to lists of scripts${lambdaStyle}. Write e.g. 'AfterInstall:' with '- location: scripts/install.sh' below it.`
      )
    }
    for (const event of this.fields(field.value, HOOK_NAMES, 'hooks')) {
      this.checkHookName(event)
      const name = event.name as HookName
      hooks[name] = await this.checkScripts(event, name, os)
    }
    return hooks
  }

  private checkHookName(event: Field): void {
    const name = event.name
    if ((HOOK_NAMES as readonly string[]).includes(name)) return
    const reserved = RESERVED_HOOKS[name]
    if (reserved) {
      throw this.fail(
        event.key,
        `hook '${name}' is reserved: ${reserved.why}. Remove it and use ${reserved.use}.`
      )
    }
    const renamed = RENAMED_HOOKS[name]
    if (renamed) {
      throw this.fail(
        event.key,
        `hook '${name}' is an old name CodeDeploy no longer runs. Rename it to ${renamed}.`
      )
    }
    const close = suggest(name, [...HOOK_NAMES, ...Object.keys(RESERVED_HOOKS)])
    if (close && RESERVED_HOOKS[close]) {
      const r = RESERVED_HOOKS[close]
      throw this.fail(
        event.key,
        `unknown hook '${name}'; '${close}' is reserved: ${r.why}. Remove it and use ${r.use}.`
      )
    }
    throw this.fail(
      event.key,
      `unknown hook '${name}'.${close ? ` Did you mean '${close}'?` : ''} Server deployments run: ${HOOK_NAMES.join(', ')}.`
    )
  }

  private async checkScripts(
    event: Field,
    name: HookName,
    os: 'linux' | 'windows'
  ): Promise<HookScript[]> {
    if (this.isEmpty(event.value)) {
      throw this.fail(
        event.key,
        `hook '${name}' has no scripts. Add '- location: <script>' below it, or remove the hook.`
      )
    }
    if (!isSeq(event.value)) {
      throw this.fail(
        event.value,
        `hook '${name}' must be a list of scripts: '- location: <script>' (with optional timeout and runas).`
      )
    }
    const scripts: HookScript[] = []
    let total = 0
    for (const raw of event.value.items) {
      const item = this.deref(raw)
      if (!isMap(item)) {
        const written = this.text(item)
        throw this.fail(
          item ?? event.value,
          `each ${name} entry must be a mapping with 'location'.${written ? ` Write '- location: ${written}'.` : " Write '- location: <script>'."}`
        )
      }
      const fields = this.fields(item, SCRIPT_KEYS, `a ${name} entry`)
      this.rejectUnknown(fields, SCRIPT_KEYS, `a ${name} entry`)
      const locationField = this.field(fields, 'location')
      if (!locationField)
        throw this.fail(
          item,
          `this ${name} entry has no 'location'. Add 'location: <script path in the bundle>'.`
        )
      const location = this.string(locationField, "the script's path inside the bundle")
      const script: HookScript = { location }
      await this.checkScript(locationField.value, location, name, os)

      const timeoutField = this.field(fields, 'timeout')
      if (timeoutField) {
        script.timeout = this.timeout(timeoutField, location)
        total += script.timeout
      }
      const runasField = this.field(fields, 'runas')
      if (runasField) {
        if (os === 'windows') {
          throw this.fail(
            runasField.key,
            "'runas' works on Linux only; Windows hooks run as the agent's account. Remove it."
          )
        }
        const runas = this.text(runasField.value)?.trim()
        if (!runas || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(runas)) {
          throw this.fail(
            runasField.value ?? runasField.key,
            `runas '${runas ?? ''}' is not a user name. Give the Linux user the script runs as, e.g. runas: root.`
          )
        }
        script.runas = runas
      }
      scripts.push(script)
    }
    if (total > MAX_EVENT_SECONDS) {
      throw this.fail(
        event.key,
        `the timeouts of ${name} add up to ${total} seconds, but one lifecycle event may take at most ${MAX_EVENT_SECONDS}. Lower them so their sum is ${MAX_EVENT_SECONDS} or less.`
      )
    }
    return scripts
  }

  private timeout(field: Field, location: string): number {
    const node = field.value
    const value = isScalar(node) ? node.value : undefined
    // The agent converts with to_i, so a quoted number works too.
    const seconds = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
    if (
      typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < 1 ||
      seconds > MAX_EVENT_SECONDS
    ) {
      const written = isScalar(node) ? (node.source ?? String(node.value)) : 'a list or mapping'
      throw this.fail(
        node ?? field.key,
        `timeout '${written}' for ${location} is not a whole number of seconds from 1 to ${MAX_EVENT_SECONDS}. Set e.g. 'timeout: 300'.`
      )
    }
    return seconds
  }

  private async checkScript(
    node: ParsedNode | null,
    location: string,
    hook: HookName,
    os: 'linux' | 'windows'
  ): Promise<void> {
    const target = bundlePath(location, os === 'windows')
    if (target.driveLetter) {
      throw this.fail(
        node,
        `script '${location}' is a drive path. Give it relative to the bundle root (where appspec.yml is).`
      )
    }
    if (target.escapes) {
      throw this.fail(
        node,
        `script '${location}' leaves the bundle with '..'. Keep hook scripts inside ${this.label}.`
      )
    }
    if (target.rel === '')
      throw this.fail(
        node,
        `location '${location}' is the bundle root, not a script. Give the script's path.`
      )
    const absolute = path.join(this.source, target.rel)
    let real: string
    try {
      real = await realpath(absolute)
    } catch (error) {
      if (!isMissing(errnoCode(error))) throw error
      const dangling = await lstat(absolute).then(
        () => true,
        () => false
      )
      throw this.fail(
        node,
        dangling
          ? `script '${location}' for ${hook} is a link to a file that does not exist. Fix the link or point location at the script itself.`
          : `script '${location}' for ${hook} does not exist in ${this.label}. Fix the path (relative to the bundle root, where appspec.yml is) or add the script.`
      )
    }
    if (!inside(this.realSource, real)) {
      throw this.fail(
        node,
        `script '${location}' is a link to ${real}, outside the bundle, so the instance would not have it. Copy the script into ${this.label}.`
      )
    }
    const info = await stat(real)
    if (!info.isFile()) {
      throw this.fail(
        node,
        `script '${location}' for ${hook} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}. Point location at the script file.`
      )
    }
    const realRel = toPosix(path.relative(this.realSource, real))
    for (const rel of new Set([target.rel, realRel])) {
      if (this.rules.excludes(rel, false)) {
        throw this.fail(
          node,
          `script '${location}' is ${this.excludedBy(rel)}, so the instance would not have it. ${this.excludedFix(rel)}`
        )
      }
    }
    if (os === 'linux') {
      if (await this.hasCrlfShebang(real)) {
        throw this.fail(
          node,
          `script '${location}' starts with '#!' but has Windows line endings (CRLF), so Linux cannot find its interpreter ('bad interpreter'). Convert it to LF line endings, e.g. with '*.sh text eol=lf' in .gitattributes.`
        )
      }
      if (process.platform !== 'win32' && (info.mode & 0o111) === 0) {
        this.warnings.push(
          `${this.fileName}: hook script ${location} is not executable here; the bundle marks it executable. To fix it at the source: git update-index --chmod=+x ${realRel}`
        )
      }
    }
    if (!this.hookScripts.includes(realRel)) this.hookScripts.push(realRel)
  }

  private async hasCrlfShebang(file: string): Promise<boolean> {
    const handle = await open(file, 'r')
    try {
      const buffer = Buffer.alloc(512)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      const head = buffer.subarray(0, bytesRead).toString('latin1')
      if (!head.startsWith('#!')) return false
      const end = head.indexOf('\n')
      return end > 0 && head[end - 1] === '\r'
    } finally {
      await handle.close()
    }
  }
}

function syntaxError(
  error: Document.Parsed['errors'][number],
  text: string,
  lines: LineCounter,
  file: string,
  fileName: AppSpecFileName
): AppSpecError {
  const { line, col } = lines.linePos(error.pos[0])
  let problem: string
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const rest = text.slice(error.pos[0])
      const key = /^\s*["']?([^"':\n]+)/.exec(rest)?.[1]?.trim() ?? ''
      problem = `key '${key}' appears twice in the same mapping. Keep one of them (merge their contents).`
      break
    }
    case 'TAB_AS_INDENT':
      problem = 'a tab is used for indentation, which YAML does not allow. Indent with spaces.'
      break
    case 'MULTIPLE_DOCS':
      problem = "the file holds more than one YAML document ('---'). Keep a single document."
      break
    default:
      problem = `invalid YAML: ${error.message.split('\n')[0] ?? ''}. Fix the syntax here (indent with spaces, quote values that contain ': ' or start with a special character).`
  }
  return new AppSpecError(`${fileName}:${line}:${col}: ${problem}`, file, line, col)
}

/**
 * Finds and checks the appspec of `sourceDir` for an EC2/on-premises deployment. Throws
 * InputError when the source or the appspec cannot be found, AppSpecError (with line and column
 * where there is one) when the appspec is wrong.
 */
export async function checkAppSpec(sourceDir: string): Promise<CheckedAppSpec> {
  const source = path.resolve(sourceDir)
  const { file, fileName } = await locate(source, sourceDir)
  const rules = await loadExcludeRules(source)
  if (rules.excludes(fileName, false)) {
    throw new InputError(
      `${IGNORE_FILE} excludes ${fileName}, but the bundle must contain it. Remove the rule that matches it, or add '!${fileName}' at the end of ${IGNORE_FILE}.`
    )
  }
  const text = await readFile(file, 'utf8')
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const first = doc.errors[0]
  if (first) throw syntaxError(first, text, lines, file, fileName)
  const checker = new Checker(doc, lines, file, fileName, source, sourceDir, rules)
  const spec = await checker.check()
  return {
    path: file,
    fileName,
    spec,
    hookScripts: checker.hookScripts,
    warnings: checker.warnings
  }
}

/**
 * Reads appspec YAML for the rules: parses it with positions, turns a parse error or a node into
 * an AppSpecError at its line and column, and gives typed access to mappings, lists and scalars
 * (aliases resolved) with the wording the rules share.
 */
import {
  isAlias,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type ParsedNode,
  type YAMLMap,
  type YAMLSeq
} from 'yaml'
import { AppSpecError } from '../../errors.js'
import { didYouMean } from '../../inputs/suggest.js'

/** One `key: value` of a mapping, with both nodes for their positions. */
export interface Field {
  name: string
  key: ParsedNode
  value: ParsedNode | null
}

function syntaxError(
  error: Document.Parsed['errors'][number],
  text: string,
  lines: LineCounter,
  file: string,
  fileName: string
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
 * Parses the appspec text (YAML, or JSON, which YAML 1.2 reads too); throws an AppSpecError at the
 * first syntax error. `fileName` is the name messages start with.
 */
export function parseYaml(
  text: string,
  file: string,
  fileName: string
): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const first = doc.errors[0]
  if (first) throw syntaxError(first, text, lines, file, fileName)
  return { doc, lines }
}

/** Typed access to the nodes of a parsed appspec, failing at the node that is wrong. */
export class YamlReader {
  constructor(
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly file: string,
    /** The name messages start with: appspec.yml, or an ECS/Lambda AppSpec's path as given. */
    readonly fileName: string
  ) {}

  fail(node: ParsedNode | null | undefined, message: string): AppSpecError {
    const offset = node?.range[0]
    if (offset === undefined) return new AppSpecError(`${this.fileName}: ${message}`, this.file)
    const { line, col } = this.lines.linePos(offset)
    return new AppSpecError(`${this.fileName}:${line}:${col}: ${message}`, this.file, line, col)
  }

  deref(node: unknown): ParsedNode | null {
    if (isAlias(node)) return (node.resolve(this.doc) as ParsedNode | undefined) ?? null
    return (node as ParsedNode | null | undefined) ?? null
  }

  isEmpty(node: ParsedNode | null): boolean {
    return node === null || (isScalar(node) && node.value === null)
  }

  /** Text of a string or number scalar. */
  text(node: ParsedNode | null): string | undefined {
    if (!isScalar(node)) return undefined
    if (typeof node.value === 'string') return node.value
    if (typeof node.value === 'number') return String(node.value)
    return undefined
  }

  fields(map: YAMLMap.Parsed, known: readonly string[], where: string): Field[] {
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

  rejectUnknown(fields: Field[], known: readonly string[], where: string): void {
    for (const field of fields) {
      if (known.includes(field.name)) continue
      throw this.fail(
        field.key,
        `unknown key '${field.name}' in ${where}.${didYouMean(field.name, known)} Allowed keys: ${known.join(', ')}.`
      )
    }
  }

  field(fields: Field[], name: string): Field | undefined {
    return fields.find(f => f.name === name)
  }

  list(field: Field, what: string): YAMLSeq.Parsed | undefined {
    if (this.isEmpty(field.value)) return undefined
    if (!isSeq(field.value)) {
      throw this.fail(field.value ?? field.key, `'${field.name}' must be a list ${what}.`)
    }
    return field.value
  }

  stringList(field: Field): string[] {
    const seq = this.list(field, 'of strings (- item, or [a, b])')
    return (seq?.items ?? []).map(item => {
      const node = this.deref(item)
      const value = this.text(node)
      if (value === undefined)
        throw this.fail(node ?? field.value, `each '${field.name}' item must be a string.`)
      return value
    })
  }

  string(field: Field, what: string): string {
    const value = this.text(field.value)
    if (value === undefined || value.trim() === '') {
      throw this.fail(field.value ?? field.key, `'${field.name}' needs ${what}.`)
    }
    return value.trim()
  }
}

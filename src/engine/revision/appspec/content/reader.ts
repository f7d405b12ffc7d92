/**
 * Reads an ECS or Lambda AppSpec, YAML or JSON, into positioned nodes: JSON goes through the same
 * YAML 1.2 parser (so its errors and nodes have lines and columns too, and a repeated key is
 * caught), after JSON.parse, so a `.json` file is something a JSON reader accepts.
 */
import path from 'node:path'
import { isMap, isScalar, LineCounter, parseDocument, type ParsedNode, type YAMLMap } from 'yaml'
import { AppSpecError } from '../../../errors.js'
import { inside, toPosix } from '../paths.js'
import { parseYaml, YamlReader, type Field } from '../yaml.js'
import type { ContentAppSpec, ContentPlatform } from './types.js'

/** The YAML reader plus what one check of an ECS or Lambda AppSpec collects. */
export class ContentReader extends YamlReader {
  readonly warnings: string[] = []

  constructor(
    parsed: ReturnType<typeof parseYaml>,
    file: string,
    label: string,
    readonly platform: ContentPlatform,
    readonly format: ContentAppSpec['format']
  ) {
    super(parsed.doc, parsed.lines, file, label)
  }

  /**
   * The mapping's fields, each named in the spelling of `known` that it matches regardless of case:
   * CodeDeploy's AppSpec reference writes these keys in lower case (`resources`, `properties`,
   * `currentversion`) and its examples capitalised, and the AWS CLI's `ecs deploy` matches them
   * case-insensitively. Two keys that differ only by case are one key written twice. With
   * `exactCase` (lifecycle event names, which the reference only ever capitalises) names are kept
   * as written.
   */
  override fields(
    map: YAMLMap.Parsed,
    known: readonly string[],
    where: string,
    exactCase = false
  ): Field[] {
    const fields = super.fields(map, known, where)
    if (exactCase) return fields
    const seen = new Map<string, string>()
    return fields.map(field => {
      const lower = field.name.toLowerCase()
      const earlier = seen.get(lower)
      if (earlier !== undefined) {
        throw this.fail(
          field.key,
          `'${field.name}' and '${earlier}' in ${where} are the same key to CodeDeploy, which reads AppSpec keys regardless of case. Keep one of them (merge their contents).`
        )
      }
      seen.set(lower, field.name)
      const canonical = known.find(name => name.toLowerCase() === lower)
      return canonical === undefined ? field : { ...field, name: canonical }
    })
  }

  /** The field's value as a mapping, or an error saying what it should hold. */
  map(field: Field, what: string): YAMLMap.Parsed {
    if (!isMap(field.value)) {
      throw this.fail(field.value ?? field.key, `'${field.name}' must be a mapping ${what}.`)
    }
    return field.value
  }

  /** The named field, or an error at `at` saying how to add it. */
  need(fields: Field[], name: string, at: ParsedNode, fix: string): Field {
    const field = this.field(fields, name)
    if (!field) throw this.fail(at, `'${name}' is missing. ${fix}`)
    return field
  }

  /** A whole number written as a number (not quoted), from `min` to `max`. */
  integer(field: Field, min: number, max: number, example: string): number {
    const node = field.value
    if (isScalar(node) && typeof node.value === 'number') {
      const written = node.source ?? String(node.value)
      if (/^\d+$/.test(written) && node.value >= min && node.value <= max) return node.value
    }
    if (isScalar(node) && typeof node.value === 'string' && /^\s*\d+\s*$/.test(node.value)) {
      throw this.fail(
        node,
        `${field.name} is the string '${node.value}', but it must be a number. Remove the quotes: ${field.name}: ${node.value.trim()}.`
      )
    }
    const written = isScalar(node) ? (node.source ?? String(node.value)) : 'a list or mapping'
    throw this.fail(
      node ?? field.key,
      `${field.name} '${written}' is not a whole number from ${min} to ${max}. Set e.g. '${field.name}: ${example}'.`
    )
  }
}

function fileFormat(file: string, text: string): ContentAppSpec['format'] {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.json') return 'json'
  if (ext === '.yml' || ext === '.yaml') return 'yaml'
  return text.trimStart().startsWith('{') ? 'json' : 'yaml'
}

/** How messages name the file: relative to the working directory (the workspace) when inside it. */
export function labelOf(file: string): string {
  const cwd = process.cwd()
  const rel = path.relative(cwd, file)
  return rel && inside(cwd, file) ? toPosix(rel) : file
}

/** Parses the text as YAML or JSON; throws an AppSpecError at the first syntax error. */
export function readContent(text: string, file: string, platform: ContentPlatform): ContentReader {
  const label = labelOf(file)
  const format = fileFormat(file, text)
  if (format === 'json') strictJson(text, file, label)
  const parsed = parseYaml(text, file, label)
  return new ContentReader(parsed, file, label, platform, format)
}

/**
 * JSON.parse's verdict, placed where it stopped (or where the YAML parser stops, when its message
 * has no position): a JSON file gets JSON advice, and nothing a JSON reader would refuse passes.
 */
function strictJson(text: string, file: string, label: string): void {
  try {
    JSON.parse(text)
    return
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const what = message
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')
    const fix = `the file is not valid JSON (${what}). Quote every key and string with double quotes, separate items with commas, and remove comments and trailing commas; or write the AppSpec as YAML in a .yaml file.`
    const position = /at position (\d+)/.exec(message)?.[1]
    const offset =
      position !== undefined
        ? Number(position)
        : parseDocument(text, { prettyErrors: false }).errors[0]?.pos[0]
    if (offset === undefined) throw new AppSpecError(`${label}: ${fix}`, file)
    const lines = new LineCounter()
    parseDocument(text, { lineCounter: lines })
    const { line, col } = lines.linePos(offset)
    throw new AppSpecError(`${label}:${line}:${col}: ${fix}`, file, line, col)
  }
}

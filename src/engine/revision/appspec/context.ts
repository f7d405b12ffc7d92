/**
 * What the rules share while one appspec is checked: the YAML reader (for nodes and positioned
 * errors), where the source is and what the bundle leaves out, and the warnings and hook scripts
 * collected on the way.
 */
import type { Document, LineCounter } from 'yaml'
import type { ExcludeRules } from '../ignore-rules.js'
import type { AppSpecFileName } from './types.js'
import { YamlReader } from './yaml.js'

export class CheckContext extends YamlReader {
  readonly warnings: string[] = []
  readonly hookScripts: string[] = []

  constructor(
    doc: Document.Parsed,
    lines: LineCounter,
    file: string,
    fileName: AppSpecFileName,
    /** The source directory, absolute. */
    readonly source: string,
    /** `source` with links resolved, to tell whether a script's link leaves it. */
    readonly realSource: string,
    /** The source as the user gave it, for messages. */
    readonly label: string,
    readonly excludeRules: ExcludeRules
  ) {
    super(doc, lines, file, fileName)
  }
}

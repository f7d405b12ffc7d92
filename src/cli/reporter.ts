/**
 * The engine's Reporter for a terminal: plain lines, groups as headings, outputs collected for the
 * end of the run. Writes the summary to a file when asked.
 */
import { appendFile } from 'node:fs/promises'
import type { Annotation, OutputName, Reporter } from '../engine/reporter.js'

function where(annotation?: Annotation): string {
  if (!annotation?.file) return ''
  const line = annotation.startLine
    ? `:${annotation.startLine}${annotation.startColumn ? `:${annotation.startColumn}` : ''}`
    : ''
  return `${annotation.file}${line}: `
}

export class TerminalReporter implements Reporter {
  readonly outputs: Partial<Record<OutputName, string>> = {}

  constructor(
    private readonly write: (line: string) => void,
    private readonly options: { verbose?: boolean; summaryFile?: string } = {}
  ) {}

  info(message: string): void {
    this.write(message)
  }
  debug(message: string): void {
    if (this.options.verbose) this.write(`debug: ${message}`)
  }
  warning(message: string, annotation?: Annotation): void {
    this.write(`warning: ${where(annotation)}${message}`)
  }
  error(message: string, annotation?: Annotation): void {
    this.write(`error: ${where(annotation)}${message}`)
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.write(`== ${title}`)
    return fn()
  }
  output(name: OutputName, value: string): void {
    this.outputs[name] = value
  }
  async summary(markdown: string): Promise<void> {
    if (this.options.summaryFile) await appendFile(this.options.summaryFile, `${markdown}\n`)
  }
}

/**
 * The engine's Reporter for a terminal: plain lines, groups as headings, annotations as
 * `warning: file:line: message`.
 */
import type { Annotation, Reporter } from '../engine/reporter.js'

function where(annotation?: Annotation): string {
  if (!annotation?.file) return ''
  const line = annotation.startLine
    ? `:${annotation.startLine}${annotation.startColumn ? `:${annotation.startColumn}` : ''}`
    : ''
  return `${annotation.file}${line}: `
}

export class TerminalReporter implements Reporter {
  constructor(
    private readonly write: (line: string) => void,
    private readonly options: { verbose?: boolean } = {}
  ) {}

  info(message: string): void {
    this.write(message)
  }
  debug(message: string): void {
    if (this.options.verbose) this.write(`debug: ${message}`)
  }
  notice(message: string, annotation?: Annotation): void {
    this.write(`notice: ${where(annotation)}${message}`)
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
}

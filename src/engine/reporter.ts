/**
 * How the engine speaks while a run goes: log lines, foldable groups and annotations. The action
 * adapts it to @actions/core, the CLI to a terminal, tests record it. It stores nothing that is
 * read back: what the run produced is in its record (record.ts).
 */

/** Where a message points, for a file annotation. Paths are relative to the workspace. */
export interface Annotation {
  title?: string
  file?: string
  startLine?: number
  startColumn?: number
}

export interface Reporter {
  info(message: string): void
  debug(message: string): void
  /** Worth noticing, but nothing went wrong (e.g. a run skipped on purpose). */
  notice(message: string, annotation?: Annotation): void
  warning(message: string, annotation?: Annotation): void
  error(message: string, annotation?: Annotation): void
  /** Runs `fn` inside a foldable log section. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>
}

/** A reporter that keeps what it is told, for tests and the bench. */
export class RecordingReporter implements Reporter {
  readonly lines: string[] = []
  readonly annotations: {
    level: 'notice' | 'warning' | 'error'
    message: string
    annotation?: Annotation
  }[] = []

  info(message: string): void {
    this.lines.push(message)
  }
  debug(message: string): void {
    this.lines.push(`::debug::${message}`)
  }
  notice(message: string, annotation?: Annotation): void {
    this.annotate('notice', message, annotation)
  }
  warning(message: string, annotation?: Annotation): void {
    this.annotate('warning', message, annotation)
  }
  error(message: string, annotation?: Annotation): void {
    this.annotate('error', message, annotation)
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`▸ ${title}`)
    return fn()
  }
  private annotate(
    level: 'notice' | 'warning' | 'error',
    message: string,
    annotation?: Annotation
  ): void {
    this.annotations.push(annotation ? { level, message, annotation } : { level, message })
    this.lines.push(`${level}: ${message}`)
  }
}

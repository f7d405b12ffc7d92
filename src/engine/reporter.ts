/**
 * How the engine speaks. The action adapts it to @actions/core (log groups, annotations, outputs,
 * job summary); the CLI adapts it to a terminal; tests record it.
 */

/** Where a message points, for a file annotation. Paths are relative to the workspace. */
export interface Annotation {
  title?: string
  file?: string
  startLine?: number
  startColumn?: number
}

/** Names of the action's outputs (action.yml). */
export type OutputName =
  | 'deployment-id'
  | 'status'
  | 'revision'
  | 'bucket'
  | 'key'
  | 'etag'
  | 'version-id'
  | 'bundle-sha256'
  | 'rollback-deployment-id'
  | 'rollback-status'
  | 'console-url'
  | 'artifact-id'

export interface Reporter {
  info(message: string): void
  debug(message: string): void
  warning(message: string, annotation?: Annotation): void
  error(message: string, annotation?: Annotation): void
  /** Runs `fn` inside a foldable log section. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>
  /** Sets an output as soon as its value is known, so a failed run still has it. */
  output(name: OutputName, value: string): void
  /** Appends Markdown to the run's summary. */
  summary(markdown: string): Promise<void>
}

/** A reporter that keeps everything it is told; used by tests and by callers that want a record. */
export class RecordingReporter implements Reporter {
  readonly lines: string[] = []
  readonly outputs: Partial<Record<OutputName, string>> = {}
  readonly warnings: { message: string; annotation?: Annotation }[] = []
  readonly errors: { message: string; annotation?: Annotation }[] = []
  readonly summaries: string[] = []

  info(message: string): void {
    this.lines.push(message)
  }
  debug(message: string): void {
    this.lines.push(`::debug::${message}`)
  }
  warning(message: string, annotation?: Annotation): void {
    this.warnings.push(annotation ? { message, annotation } : { message })
    this.lines.push(`warning: ${message}`)
  }
  error(message: string, annotation?: Annotation): void {
    this.errors.push(annotation ? { message, annotation } : { message })
    this.lines.push(`error: ${message}`)
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`▸ ${title}`)
    return fn()
  }
  output(name: OutputName, value: string): void {
    this.outputs[name] = value
  }
  summary(markdown: string): Promise<void> {
    this.summaries.push(markdown)
    return Promise.resolve()
  }
}

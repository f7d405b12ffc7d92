/**
 * The engine's Reporter on top of @actions/core: log groups, annotations, step outputs and the
 * job summary.
 */
import * as core from '@actions/core'
import { appendFile } from 'node:fs/promises'
import type { Annotation, OutputName, Reporter } from '../engine/reporter.js'

export function annotationProperties(annotation?: Annotation): core.AnnotationProperties {
  if (!annotation) return {}
  const props: core.AnnotationProperties = {}
  if (annotation.title) props.title = annotation.title
  if (annotation.file) props.file = annotation.file
  if (annotation.startLine) props.startLine = annotation.startLine
  if (annotation.startColumn) props.startColumn = annotation.startColumn
  return props
}

export class ActionReporter implements Reporter {
  info(message: string): void {
    core.info(message)
  }
  debug(message: string): void {
    core.debug(message)
  }
  warning(message: string, annotation?: Annotation): void {
    core.warning(message, annotationProperties(annotation))
  }
  error(message: string, annotation?: Annotation): void {
    core.error(message, annotationProperties(annotation))
  }
  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(title, fn)
  }
  /** Every output set so far, for what runs after the engine (the GitHub deployment status). */
  readonly outputs: Partial<Record<OutputName, string>> = {}

  output(name: OutputName, value: string): void {
    this.outputs[name] = value
    core.setOutput(name, value)
  }
  /** Appends to the file the runner names in GITHUB_STEP_SUMMARY (read per call, not cached). */
  async summary(markdown: string): Promise<void> {
    const file = process.env.GITHUB_STEP_SUMMARY
    if (!file) return
    await appendFile(file, `${markdown}\n`, { encoding: 'utf8' })
  }
}

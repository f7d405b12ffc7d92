/**
 * The engine's Reporter on top of @actions/core: log lines, foldable groups and annotations.
 */
import * as core from '@actions/core'
import type { Annotation, Reporter } from '../engine/reporter.js'

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
  notice(message: string, annotation?: Annotation): void {
    core.notice(message, annotationProperties(annotation))
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
}

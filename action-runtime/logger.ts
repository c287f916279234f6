/**
 * core's Logger over the workflow commands of action-runtime/toolkit.ts, shared by both actions (core itself never
 * imports @actions/*).
 */

import type { Annotation, Logger } from '../core/logger.js';
import * as core from './toolkit.js';

function properties(annotation?: Annotation): core.AnnotationProperties | undefined {
  if (!annotation) return undefined;
  return {
    title: annotation.title,
    file: annotation.file,
    startLine: annotation.line,
    startColumn: annotation.column,
  };
}

export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  notice: (message, annotation) => core.notice(message, properties(annotation)),
  warning: (message, annotation) => core.warning(message, properties(annotation)),
  error: (message, annotation) => core.error(message, properties(annotation)),
  group: (name, fn) => core.group(name, fn),
};

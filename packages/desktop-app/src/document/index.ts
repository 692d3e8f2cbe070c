/**
 * The document log: the desktop app's replicated state machine (DocumentLog), its commands and
 * results, operational transformation for rebasing, and the editing-trace helpers. Exported as
 * `@synod/desktop-app/document` for benchmarks and apps.
 */
export {
  DocumentLog,
  type DocumentStats,
  type HistoryQuery,
  type ListOptions,
} from './document-log.js';
export {
  CommandFormatError,
  decodeCommand,
  decodeResult,
  encodeCommand,
  encodeResult,
} from './codec.js';
export type * from './types.js';
export * from './limits.js';
export { TextOperation } from './text-operation.js';
export { diffPatches } from './diff.js';
export { TextBuffer } from './text-buffer.js';
export { isWellFormed, strictUtf8 } from './text.js';
export * from './trace.js';

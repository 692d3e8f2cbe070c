/** Errors of the power-cut filesystem, each with a `code`. */

/** FUSE or the tools to build the filesystem are missing here (the message says what to install). */
export class PowerCutFsUnavailableError extends Error {
  readonly code = 'power-cut-fs-unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'PowerCutFsUnavailableError';
  }
}

/** The filesystem refused a command (e.g. a cut while files are still open) or went away. */
export class PowerCutFsError extends Error {
  readonly code = 'power-cut-fs-failed';
  constructor(message: string) {
    super(message);
    this.name = 'PowerCutFsError';
  }
}

/**
 * Errors raised when a database cannot be opened. Each is a `SynodError` with a stable `code`,
 * so an app branches on `err.code`, never on message text. Every refusal happens before
 * anything is written: a refused file is left exactly as it was (never a silent reset).
 *
 * A write that fails after a successful open is reported with core's `StorageFailedError`
 * (code `storage-failed`): the node fails closed on it.
 */
import { SynodError } from '@synod/core';

/** Base class of every refusal to open a file; `instanceof StorageOpenError` catches them all. */
export class StorageOpenError extends SynodError {
  /** The database file concerned. */
  readonly path: string;
  constructor(code: string, path: string, message: string, options?: { cause?: unknown }) {
    super(code, `${message} (${path})`, options);
    this.path = path;
  }
}

/** The file is not a Synod database: another SQLite database, or not SQLite at all. */
export class NotSynodDatabaseError extends StorageOpenError {
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('storage-not-synod', path, `not a Synod database: ${reason}`, options);
  }
}

/** The file was written by a newer version of this library, whose schema this one cannot read. */
export class NewerSchemaError extends StorageOpenError {
  constructor(
    path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      'storage-newer-schema',
      path,
      `the database has schema version ${found}; this version of @synod/storage-sqlite reads up to ${supported}: upgrade the library`,
    );
  }
}

/** The file belongs to another log (its log id differs from the one asked for). */
export class LogIdMismatchError extends StorageOpenError {
  constructor(
    path: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      'storage-log-mismatch',
      path,
      `the database belongs to log ${JSON.stringify(found)}, not ${JSON.stringify(expected)}`,
    );
  }
}

/** The file fails SQLite's integrity check (`PRAGMA quick_check`) or holds inconsistent rows. */
export class CorruptDatabaseError extends StorageOpenError {
  constructor(
    path: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      'storage-corrupt',
      path,
      `the database is corrupt: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; ...' : ''}`,
      options,
    );
  }
}

/** Another connection (this process or another) holds the database: one opener at a time. */
export class StorageLockedError extends StorageOpenError {
  constructor(path: string, options?: { cause?: unknown }) {
    super(
      'storage-locked',
      path,
      'the database is in use by another process or connection (one peer per file)',
      options,
    );
  }
}

/** A schema migration failed; it was rolled back and the file is unchanged. */
export class MigrationFailedError extends StorageOpenError {
  constructor(path: string, from: number, to: number, options?: { cause?: unknown }) {
    super(
      'storage-migration-failed',
      path,
      `migrating the schema from version ${from} to ${to} failed; nothing was changed`,
      options,
    );
  }
}

/** The file could not be opened at all (no such directory, no permission...). */
export class OpenFailedError extends StorageOpenError {
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('storage-open-failed', path, `cannot open the database: ${reason}`, options);
  }
}

/** The options passed to open the store are invalid. */
export class InvalidStorageOptionsError extends StorageOpenError {
  constructor(path: string, message: string) {
    super('storage-invalid-options', path, message);
  }
}

/**
 * A call on an open store was given arguments it cannot take (a meta key that is no string, a
 * value that is no Uint8Array, a read range that is no range). Refused before the request is
 * queued: the store does not fail closed on it and nothing is written.
 */
export class InvalidStorageArgumentError extends SynodError {
  constructor(message: string) {
    super('storage-invalid-argument', message);
  }
}

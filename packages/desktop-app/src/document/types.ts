/**
 * The document log's data: entries, operations (commands), results and history records.
 * Positions and lengths are UTF-16 code units.
 */

/** A text patch: at `pos`, delete `del` code units, then insert `ins`. */
export type Patch = readonly [pos: number, del: number, ins: string];

export type OperationType = 'append' | 'edit' | 'delete' | 'restore' | 'rename-log' | 'set-name';

interface CommandBase {
  /** The proposer's clock, ms since the epoch: informational only (never used to decide). */
  readonly time: number;
  /** The proposing peer's display name. */
  readonly author: string;
}

export interface AppendCommand extends CommandBase {
  readonly type: 'append';
  readonly title: string;
  readonly body: string;
}

export interface EditCommand extends CommandBase {
  readonly type: 'edit';
  readonly id: number;
  /** The version the patches were made against. */
  readonly version: number;
  /** Applied one after the other, each to the text the previous one produced. */
  readonly patches: readonly Patch[];
  /** A new title, if it changes. */
  readonly title?: string;
  /**
   * If `version` is stale, transform the patches over the edits decided since (when they are
   * still kept) instead of refusing with `conflict`.
   */
  readonly rebase?: boolean;
}

export interface DeleteCommand extends CommandBase {
  readonly type: 'delete' | 'restore';
  readonly id: number;
  /** Refuse with `conflict` unless the entry is at this version; 0: whatever the version. */
  readonly version: number;
}

export interface RenameLogCommand extends CommandBase {
  readonly type: 'rename-log';
  readonly title: string;
}

/** Record the proposing peer's display name (`author`). */
export interface SetNameCommand extends CommandBase {
  readonly type: 'set-name';
}

export type DocumentCommand =
  AppendCommand | EditCommand | DeleteCommand | RenameLogCommand | SetNameCommand;

/** Why a command was refused. A refused command changed nothing, on any replica. */
export type DocumentErrorCode =
  /** The bytes are not a command of a format this version reads. */
  | 'bad-command'
  /** No entry has this id. */
  | 'unknown-entry'
  /** The edit was made against another version (and was not, or could not be, rebased). */
  | 'conflict'
  /** The entry is deleted (restore it first). */
  | 'deleted'
  /** Restore of an entry that is not deleted. */
  | 'not-deleted'
  /** A patch reaches outside the text it applies to. */
  | 'out-of-range'
  /** A body, title, name or patch list over its limit. */
  | 'too-large'
  /** Invalid UTF-8 in the command, or a patch that would leave a lone surrogate. */
  | 'bad-text';

export type DocumentResult =
  | {
      readonly ok: true;
      /** The entry concerned (0 for log-wide operations). */
      readonly id: number;
      /** Its version now (0 for log-wide operations). */
      readonly version: number;
      /** An edit that was transformed over newer edits. */
      readonly rebased: boolean;
    }
  | {
      readonly ok: false;
      readonly code: DocumentErrorCode;
      readonly message: string;
      /** The entry's current version, when there is one (0 otherwise). */
      readonly version: number;
    };

/** An entry as readers see it. */
export interface EntryView {
  readonly id: number;
  readonly title: string;
  readonly body: string;
  /** 1 when appended; +1 at every edit, delete and restore. */
  readonly version: number;
  readonly deleted: boolean;
  /** The name of the peer that appended it, and its peer id. */
  readonly author: string;
  readonly authorId: string;
  /** The appending proposer's clock (informational), and the slot it was decided in. */
  readonly created: number;
  readonly createdSlot: number;
  /** The same for the last change. */
  readonly updated: number;
  readonly updatedSlot: number;
  readonly updatedBy: string;
}

/** One applied operation, as the replicated history keeps it. */
export interface HistoryRecord {
  /** 1, 2, 3…: the operation's place in the log (several may share a slot). */
  readonly n: number;
  readonly slot: number;
  /** The proposing peer's id, and its name at the time. */
  readonly client: string;
  readonly author: string;
  /** The proposer's clock, ms since the epoch (informational). */
  readonly time: number;
  readonly type: OperationType;
  /** The entry concerned, and its version after the operation (0 for log-wide operations). */
  readonly entry: number;
  readonly version: number;
  /** Code units inserted and deleted by an edit (the whole body for an append). */
  readonly inserted: number;
  readonly deleted: number;
  /** The title (append, rename-log, an edit that renames), or the name (set-name); else ''. */
  readonly text: string;
  /** An edit that was rebased over newer edits. */
  readonly rebased: boolean;
}

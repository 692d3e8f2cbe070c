/**
 * The app's file policy: every file and directory this process creates is its user's only.
 *
 * A peer's database holds the log and the peer's private key (docs/security.md, "Data at rest").
 * @synod/peer makes a new data directory 0700, but a directory that exists already
 * (`--data ~/notes`, often 0755) keeps its mode, and SQLite creates its files (the database, its
 * WAL and shared-memory files, every log's file under logs/) with mode 0644 less the umask: with
 * the usual umask 022, any user of the machine could read the log and copy the key. A umask of
 * 077 makes them 0600 (SQLite gives the WAL the database file's mode), whatever the directory.
 *
 * Process-wide, so it is the app's choice (`synod`, the Electron main process), never the
 * libraries': a program embedding @synod/peer keeps its own umask. Main thread only (workers
 * cannot set it).
 */
export function ownerOnlyFiles(): void {
  process.umask(0o077);
}

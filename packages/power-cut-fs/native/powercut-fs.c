/*
 * powercut-fs: a test-only FUSE filesystem that forgets, on command, what a power cut may
 * forget (packages/power-cut-fs/README.md).
 *
 * The "disk" lives in this process's memory and has two states:
 *
 *   - the durable state: what a disk that honours flushes holds after a power cut;
 *   - the current state: what processes see (the kernel's page cache and dentry cache on a
 *     real machine): every write, creation, rename and unlink, at once.
 *
 * What makes the current state durable is exactly what POSIX (and SQLite, and every careful
 * database) relies on:
 *
 *   - fsync/fdatasync of a file: its contents, size and mode;
 *   - fsync of a directory: its entries (names -> inodes): creations, renames and unlinks in it.
 *     A new file whose directory was not synced is gone after a cut, even if the file itself was
 *     synced; a renamed or unlinked file comes back under its old name.
 *
 * Commands, one line each on stdin; one answer line on stdout ("ok {json}" or "error reason"):
 *
 *   cut            power cut: the current state becomes the durable state (unsynced data,
 *                  and unsynced creations/renames/unlinks are forgotten). Waits until no file
 *                  is open (a power cut also kills every process) and refuses after 10 s.
 *   cut torn SEED  a harsher cut: each unsynced 512-byte sector of a file is kept or lost at
 *                  random (torn and reordered writes), a file's size is the old or the new one,
 *                  and each directory keeps its unsynced entries or loses them, at random.
 *   sync           make everything durable (as sync(2) would).
 *   fail-syncs N   the next N fsyncs or fdatasyncs of a file fail with EIO, as Linux's do when
 *                  the disk fails a write-back: the unsynced blocks stay as processes see them
 *                  but are never made durable by a later sync unless written again (Linux marks
 *                  the pages clean and reports the error once: PostgreSQL's "fsyncgate"); a cut
 *                  forgets them.
 *   stats          counters.
 *   quit (or EOF)  unmount and exit.
 *
 * "ready" is printed once mounted. Everything runs under one lock: the FUSE loop is
 * single-threaded and the command thread takes the same lock.
 *
 * Not modelled (not needed by Synod): hard links, symlinks, xattrs, renaming a directory into
 * another directory (EXDEV). File locks are the kernel's (POSIX locks are local to a FUSE mount
 * whose filesystem does not implement them), which is what SQLite uses.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define BS 4096 /* block size: the unit of copy-on-write between the two states */
#define SECTOR 512 /* the unit a torn cut keeps or loses */
#define CUT_WAIT_MS 10000

/* ------------------------------------------------------------------ blocks (copy on write) */

typedef struct blk {
  int ref;
  unsigned char d[BS];
} blk;

static uint64_t g_blocks; /* allocated blocks */

static blk *blk_new(const blk *from) {
  blk *b = malloc(sizeof *b);
  if (b == NULL) abort();
  b->ref = 1;
  if (from != NULL) memcpy(b->d, from->d, BS);
  else memset(b->d, 0, BS);
  g_blocks++;
  return b;
}

static blk *blk_ref(blk *b) {
  if (b != NULL) b->ref++;
  return b;
}

static void blk_unref(blk *b) {
  if (b != NULL && --b->ref == 0) {
    free(b);
    g_blocks--;
  }
}

/* A file's bytes: a size and an array of blocks (NULL: a hole, reads as zeros). */
typedef struct content {
  blk **b;
  size_t n; /* allocated slots in b */
  off_t size;
} content;

static size_t blocks_for(off_t size) { return (size_t)((size + BS - 1) / BS); }

static void content_reserve(content *c, size_t n) {
  if (n <= c->n) return;
  size_t m = c->n == 0 ? 4 : c->n;
  while (m < n) m *= 2;
  c->b = realloc(c->b, m * sizeof *c->b);
  if (c->b == NULL) abort();
  memset(c->b + c->n, 0, (m - c->n) * sizeof *c->b);
  c->n = m;
}

static void content_free(content *c) {
  for (size_t i = 0; i < c->n; i++) blk_unref(c->b[i]);
  free(c->b);
  c->b = NULL;
  c->n = 0;
  c->size = 0;
}

/* dst := src, sharing blocks. */
static void content_copy(content *dst, const content *src) {
  content_reserve(dst, src->n);
  for (size_t i = 0; i < dst->n; i++) {
    blk *nb = i < src->n ? src->b[i] : NULL;
    if (dst->b[i] != nb) {
      blk_unref(dst->b[i]);
      dst->b[i] = blk_ref(nb);
    }
  }
  dst->size = src->size;
}

/* Do the two differ? (Only block identity is compared: a block written since is different.) */
static int content_differs(const content *a, const content *b) {
  if (a->size != b->size) return 1;
  size_t n = blocks_for(a->size);
  for (size_t i = 0; i < n; i++) {
    blk *x = i < a->n ? a->b[i] : NULL;
    blk *y = i < b->n ? b->b[i] : NULL;
    if (x != y) return 1;
  }
  return 0;
}

/* A block of c, private to it (copied if shared), allocated if a hole. */
static blk *content_writable(content *c, size_t i) {
  content_reserve(c, i + 1);
  blk *b = c->b[i];
  if (b == NULL) c->b[i] = b = blk_new(NULL);
  else if (b->ref > 1) {
    c->b[i] = blk_new(b);
    blk_unref(b);
    b = c->b[i];
  }
  return b;
}

static void content_truncate(content *c, off_t size) {
  if (size < c->size) {
    size_t keep = blocks_for(size);
    for (size_t i = keep; i < c->n; i++) {
      blk_unref(c->b[i]);
      c->b[i] = NULL;
    }
    if (size % BS != 0 && keep > 0 && c->b[keep - 1] != NULL) {
      blk *b = content_writable(c, keep - 1);
      memset(b->d + size % BS, 0, BS - size % BS);
    }
  }
  c->size = size;
}

static void content_write(content *c, const char *buf, size_t len, off_t off) {
  size_t done = 0;
  while (done < len) {
    off_t pos = off + (off_t)done;
    size_t i = (size_t)(pos / BS), at = (size_t)(pos % BS);
    size_t k = BS - at;
    if (k > len - done) k = len - done;
    memcpy(content_writable(c, i)->d + at, buf + done, k);
    done += k;
  }
  if (off + (off_t)len > c->size) c->size = off + (off_t)len;
}

static size_t content_read(const content *c, char *buf, size_t len, off_t off) {
  if (off >= c->size) return 0;
  if ((off_t)len > c->size - off) len = (size_t)(c->size - off);
  size_t done = 0;
  while (done < len) {
    off_t pos = off + (off_t)done;
    size_t i = (size_t)(pos / BS), at = (size_t)(pos % BS);
    size_t k = BS - at;
    if (k > len - done) k = len - done;
    blk *b = i < c->n ? c->b[i] : NULL;
    if (b == NULL) memset(buf + done, 0, k);
    else memcpy(buf + done, b->d + at, k);
    done += k;
  }
  return len;
}

/* ------------------------------------------------------------------ inodes and directories */

struct inode;
typedef struct entry {
  char *name;
  struct inode *ino;
} entry;

typedef struct entries {
  entry *e;
  size_t n, cap;
} entries;

typedef struct inode {
  uint64_t ino;
  mode_t mode, dmode; /* current and durable (permission bits may change; the type never) */
  uid_t uid;
  gid_t gid;
  struct timespec atime, mtime, ctime;
  int refs; /* entries (current and durable) naming it, open handles, the root's own */
  int open;
  int nlink; /* current entries naming it */
  int dirty; /* on the dirty list */
  struct inode *dirty_next;
  content cur, dur;       /* a file's bytes */
  content lost;           /* blocks of cur a failed sync left clean but not durable (fail-syncs) */
  entries dcur, ddur;     /* a directory's entries */
} inode;

static inode *g_root;
static uint64_t g_next_ino = 1, g_inodes;
static inode *g_dirty; /* inodes whose current state may differ from their durable one */
static int g_open;
static uint64_t g_fsyncs, g_dirsyncs, g_cuts;
static int g_fail_syncs; /* file syncs still to fail with EIO (fail-syncs) */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static void inode_unref(inode *n);

static void now(struct timespec *t) { clock_gettime(CLOCK_REALTIME, t); }

static void mark_dirty(inode *n) {
  if (!n->dirty) {
    n->dirty = 1;
    n->dirty_next = g_dirty;
    g_dirty = n;
  }
}

static inode *inode_new(mode_t mode) {
  inode *n = calloc(1, sizeof *n);
  if (n == NULL) abort();
  n->ino = g_next_ino++;
  n->mode = n->dmode = mode;
  struct fuse_context *ctx = g_root != NULL ? fuse_get_context() : NULL;
  n->uid = ctx != NULL ? ctx->uid : getuid();
  n->gid = ctx != NULL ? ctx->gid : getgid();
  now(&n->atime);
  n->mtime = n->ctime = n->atime;
  g_inodes++;
  return n;
}

static void entries_free(entries *es) {
  for (size_t i = 0; i < es->n; i++) {
    free(es->e[i].name);
    inode_unref(es->e[i].ino);
  }
  free(es->e);
  es->e = NULL;
  es->n = es->cap = 0;
}

static void inode_unref(inode *n) {
  if (--n->refs > 0) return;
  /* Unreachable from both states and not open: gone. It may still be on the dirty list. */
  if (n->dirty) {
    inode **p = &g_dirty;
    while (*p != n) p = &(*p)->dirty_next;
    *p = n->dirty_next;
  }
  content_free(&n->cur);
  content_free(&n->dur);
  content_free(&n->lost);
  entries_free(&n->dcur);
  entries_free(&n->ddur);
  free(n);
  g_inodes--;
}

static entry *entries_find(const entries *es, const char *name) {
  for (size_t i = 0; i < es->n; i++)
    if (strcmp(es->e[i].name, name) == 0) return &es->e[i];
  return NULL;
}

static void entries_add(entries *es, const char *name, inode *n) {
  if (es->n == es->cap) {
    es->cap = es->cap == 0 ? 8 : es->cap * 2;
    es->e = realloc(es->e, es->cap * sizeof *es->e);
    if (es->e == NULL) abort();
  }
  es->e[es->n].name = strdup(name);
  es->e[es->n].ino = n;
  es->n++;
  n->refs++;
}

/* Remove `name`; the caller has the inode (its reference is dropped here). */
static void entries_remove(entries *es, const char *name) {
  for (size_t i = 0; i < es->n; i++) {
    if (strcmp(es->e[i].name, name) == 0) {
      inode *n = es->e[i].ino;
      free(es->e[i].name);
      es->e[i] = es->e[es->n - 1];
      es->n--;
      inode_unref(n);
      return;
    }
  }
}

/* dst := src (a directory's durable entries from its current ones, or back). */
static void entries_copy(entries *dst, const entries *src) {
  entries tmp = {0};
  for (size_t i = 0; i < src->n; i++) entries_add(&tmp, src->e[i].name, src->e[i].ino);
  entries_free(dst);
  *dst = tmp;
}

static int entries_differ(const entries *a, const entries *b) {
  if (a->n != b->n) return 1;
  for (size_t i = 0; i < a->n; i++) {
    entry *e = entries_find(b, a->e[i].name);
    if (e == NULL || e->ino != a->e[i].ino) return 1;
  }
  return 0;
}

/*
 * The current links of every inode, recounted after a cut (nlink counts current entries; a file
 * renamed across directories may be named in both after a cut). A directory has one parent.
 */
static void zero_links(inode *dir) {
  for (size_t i = 0; i < dir->dcur.n; i++) {
    inode *c = dir->dcur.e[i].ino;
    c->nlink = 0;
    if (S_ISDIR(c->mode)) zero_links(c);
  }
}
static void count_links(inode *dir) {
  for (size_t i = 0; i < dir->dcur.n; i++) {
    inode *c = dir->dcur.e[i].ino;
    c->nlink++;
    if (S_ISDIR(c->mode)) count_links(c);
  }
}

/* ------------------------------------------------------------------ paths */

/* The inode at `path` in the current state, or NULL. */
static inode *resolve(const char *path) {
  inode *n = g_root;
  char buf[4096];
  if (strlen(path) >= sizeof buf) return NULL;
  strcpy(buf, path);
  char *save = NULL;
  for (char *part = strtok_r(buf, "/", &save); part != NULL; part = strtok_r(NULL, "/", &save)) {
    if (!S_ISDIR(n->mode)) return NULL;
    entry *e = entries_find(&n->dcur, part);
    if (e == NULL) return NULL;
    n = e->ino;
  }
  return n;
}

/* The parent directory of `path` and the last component (into name, sized 256+). */
static inode *resolve_parent(const char *path, char *name) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL || strlen(slash + 1) == 0 || strlen(slash + 1) > 255) return NULL;
  strcpy(name, slash + 1);
  char dir[4096];
  size_t len = (size_t)(slash - path);
  if (len >= sizeof dir) return NULL;
  memcpy(dir, path, len);
  dir[len] = 0;
  inode *p = resolve(len == 0 ? "/" : dir);
  return p != NULL && S_ISDIR(p->mode) ? p : NULL;
}

static inode *of(const char *path, struct fuse_file_info *fi) {
  if (fi != NULL && fi->fh != 0) return (inode *)(uintptr_t)fi->fh;
  return path != NULL ? resolve(path) : NULL;
}

/* ------------------------------------------------------------------ durability */

/* dur := cur, but for the blocks a failed sync left clean (`lost`) and not written since. */
static void sync_file(inode *n) {
  content *c = &n->cur, *d = &n->dur, *l = &n->lost;
  content_reserve(d, c->n);
  for (size_t i = 0; i < d->n; i++) {
    blk *nb = i < c->n ? c->b[i] : NULL;
    blk *lb = i < l->n ? l->b[i] : NULL;
    if (lb != NULL && nb == lb) continue; /* clean for the kernel, not on the disk */
    if (lb != NULL) {
      blk_unref(lb); /* written again since: a sync makes it durable as any other */
      l->b[i] = NULL;
    }
    if (d->b[i] != nb) {
      blk_unref(d->b[i]);
      d->b[i] = blk_ref(nb);
    }
  }
  d->size = c->size;
}

static void sync_inode(inode *n) {
  if (S_ISDIR(n->mode)) entries_copy(&n->ddur, &n->dcur);
  else sync_file(n);
  n->dmode = n->mode;
}

/* Before a cut: the blocks a failed sync left clean never reached the disk, torn cut or not. */
static void forget_lost(inode *n) {
  content *c = &n->cur, *d = &n->dur, *l = &n->lost;
  for (size_t i = 0; i < l->n && i < c->n; i++) {
    if (l->b[i] != NULL && c->b[i] == l->b[i]) {
      blk_unref(c->b[i]);
      c->b[i] = blk_ref(i < d->n ? d->b[i] : NULL);
    }
  }
}

/* A sync that fails (fail-syncs): what it would have made durable is left clean, not durable. */
static void fail_sync(inode *n) {
  content *c = &n->cur, *d = &n->dur, *l = &n->lost;
  content_reserve(l, c->n);
  for (size_t i = 0; i < blocks_for(c->size); i++) {
    blk *nb = i < c->n ? c->b[i] : NULL;
    blk *db = i < d->n ? d->b[i] : NULL;
    if (nb != NULL && nb != db && l->b[i] != nb) {
      blk_unref(l->b[i]);
      l->b[i] = blk_ref(nb);
    }
  }
}

/* Is anything of n not yet durable? (Otherwise it leaves the dirty list.) */
static int inode_differs(const inode *n) {
  if (n->dmode != n->mode) return 1;
  return S_ISDIR(n->mode) ? entries_differ(&n->dcur, &n->ddur) : content_differs(&n->cur, &n->dur);
}

static uint64_t g_rng;
static uint64_t rnd(void) {
  /* xorshift64*: the torn cut's draws, replayable from its seed */
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return g_rng * 2685821657736338717ULL;
}

/* A torn file: every unsynced sector is the old or the new one; the size is old or new. */
static void tear(inode *n) {
  content *c = &n->cur, *d = &n->dur;
  off_t size = (rnd() & 1) ? c->size : d->size;
  size_t nb = blocks_for(size);
  content out = {0};
  content_reserve(&out, nb);
  for (size_t i = 0; i < nb; i++) {
    blk *nw = i < c->n ? c->b[i] : NULL, *old = i < d->n ? d->b[i] : NULL;
    if (nw == old) {
      out.b[i] = blk_ref(old);
      continue;
    }
    blk *b = blk_new(old);
    for (int s = 0; s < BS / SECTOR; s++) {
      if (rnd() & 1) {
        if (nw != NULL) memcpy(b->d + s * SECTOR, nw->d + s * SECTOR, SECTOR);
        else memset(b->d + s * SECTOR, 0, SECTOR);
      }
    }
    out.b[i] = b;
  }
  out.size = (off_t)nb * BS;
  content_truncate(&out, size); /* zero past the end (a grown file reads zeros there) */
  content_free(c);
  content_free(d);
  *c = out;
  content_copy(d, c);
}

typedef struct cut_report {
  uint64_t files, dirs, bytes;
} cut_report;

/*
 * Take the dirty list, each inode held (reverting or syncing a directory can free other inodes,
 * which must not happen under our feet); release_all() lets go.
 */
static inode **take_dirty(size_t *count) {
  size_t k = 0;
  for (inode *n = g_dirty; n != NULL; n = n->dirty_next) k++;
  inode **list = malloc((k + 1) * sizeof *list);
  if (list == NULL) abort();
  k = 0;
  for (inode *n = g_dirty, *next; n != NULL; n = next) {
    next = n->dirty_next;
    list[k++] = n;
    n->refs++;
    n->dirty = 0;
    n->dirty_next = NULL;
  }
  g_dirty = NULL;
  *count = k;
  return list;
}

static void release_all(inode **list, size_t k) {
  for (size_t i = 0; i < k; i++) inode_unref(list[i]);
  free(list);
}

/* The power cut: every dirty inode goes back to its durable state (or a torn mix of both). */
static cut_report power_cut(int torn) {
  cut_report r = {0};
  size_t k;
  inode **list = take_dirty(&k);
  for (size_t i = 0; i < k; i++) {
    inode *n = list[i];
    if (S_ISDIR(n->mode)) {
      if (entries_differ(&n->dcur, &n->ddur)) {
        r.dirs++;
        if (torn && (rnd() & 1)) entries_copy(&n->ddur, &n->dcur);
        else entries_copy(&n->dcur, &n->ddur);
      }
    } else if (content_differs(&n->cur, &n->dur)) {
      r.files++;
      forget_lost(n);
      size_t nb = blocks_for(n->cur.size);
      for (size_t j = 0; j < nb; j++) {
        blk *x = j < n->cur.n ? n->cur.b[j] : NULL, *y = j < n->dur.n ? n->dur.b[j] : NULL;
        if (x != y) r.bytes += BS;
      }
      if (torn) tear(n);
      else content_copy(&n->cur, &n->dur);
    }
    if (!S_ISDIR(n->mode)) content_free(&n->lost);
    n->mode = n->dmode;
  }
  release_all(list, k);
  zero_links(g_root);
  count_links(g_root);
  g_cuts++;
  return r;
}

/* ------------------------------------------------------------------ FUSE operations */

#define LOCKED(expr)                   \
  do {                                 \
    pthread_mutex_lock(&g_lock);       \
    int rc_ = (expr);                  \
    pthread_mutex_unlock(&g_lock);     \
    return rc_;                        \
  } while (0)

static void fill_stat(const inode *n, struct stat *st) {
  memset(st, 0, sizeof *st);
  st->st_ino = n->ino;
  st->st_mode = n->mode;
  st->st_uid = n->uid;
  st->st_gid = n->gid;
  st->st_blksize = BS;
  st->st_atim = n->atime;
  st->st_mtim = n->mtime;
  st->st_ctim = n->ctime;
  if (S_ISDIR(n->mode)) {
    nlink_t links = 2;
    for (size_t i = 0; i < n->dcur.n; i++)
      if (S_ISDIR(n->dcur.e[i].ino->mode)) links++;
    st->st_nlink = links;
    st->st_size = BS;
  } else {
    st->st_nlink = (nlink_t)n->nlink;
    st->st_size = n->cur.size;
    blkcnt_t used = 0;
    for (size_t i = 0; i < n->cur.n; i++)
      if (n->cur.b[i] != NULL) used++;
    st->st_blocks = used * (BS / 512);
  }
}

static int do_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  fill_stat(n, st);
  return 0;
}
static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
  LOCKED(do_getattr(path, st, fi));
}

static int do_access(const char *path) { return resolve(path) != NULL ? 0 : -ENOENT; }
static int op_access(const char *path, int mask) {
  (void)mask;
  LOCKED(do_access(path));
}

/* Link a new inode into its parent's current entries. */
static int make(const char *path, mode_t mode, inode **out) {
  char name[256];
  inode *p = resolve_parent(path, name);
  if (p == NULL) return -ENOENT;
  if (entries_find(&p->dcur, name) != NULL) return -EEXIST;
  inode *n = inode_new(mode);
  entries_add(&p->dcur, name, n);
  n->nlink = 1;
  now(&p->mtime);
  p->ctime = p->mtime;
  mark_dirty(p);
  mark_dirty(n);
  *out = n;
  return 0;
}

static int do_mkdir(const char *path, mode_t mode) {
  inode *n;
  return make(path, (mode & 07777) | S_IFDIR, &n);
}
static int op_mkdir(const char *path, mode_t mode) { LOCKED(do_mkdir(path, mode)); }

static int do_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  inode *n;
  int rc = make(path, (mode & 07777) | S_IFREG, &n);
  if (rc != 0) return rc;
  n->refs++;
  n->open++;
  g_open++;
  fi->fh = (uint64_t)(uintptr_t)n;
  return 0;
}
static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
  LOCKED(do_create(path, mode, fi));
}

static int do_open(const char *path, struct fuse_file_info *fi, int dir) {
  inode *n = resolve(path);
  if (n == NULL) return -ENOENT;
  if (dir && !S_ISDIR(n->mode)) return -ENOTDIR;
  if (!dir && S_ISDIR(n->mode)) return -EISDIR;
  if (!dir && (fi->flags & O_TRUNC) && n->cur.size != 0) {
    content_truncate(&n->cur, 0);
    now(&n->mtime);
    mark_dirty(n);
  }
  n->refs++;
  n->open++;
  g_open++;
  fi->fh = (uint64_t)(uintptr_t)n;
  return 0;
}
static int op_open(const char *path, struct fuse_file_info *fi) { LOCKED(do_open(path, fi, 0)); }
static int op_opendir(const char *path, struct fuse_file_info *fi) {
  LOCKED(do_open(path, fi, 1));
}

static int do_release(struct fuse_file_info *fi) {
  inode *n = (inode *)(uintptr_t)fi->fh;
  if (n == NULL) return 0;
  n->open--;
  g_open--;
  inode_unref(n);
  return 0;
}
static int op_release(const char *path, struct fuse_file_info *fi) {
  (void)path;
  LOCKED(do_release(fi));
}

static int do_read(char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  inode *n = (inode *)(uintptr_t)fi->fh;
  return (int)content_read(&n->cur, buf, size, off);
}
static int op_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi) {
  (void)path;
  LOCKED(do_read(buf, size, off, fi));
}

static int do_write(const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  inode *n = (inode *)(uintptr_t)fi->fh;
  if (fi->flags & O_APPEND) off = n->cur.size;
  content_write(&n->cur, buf, size, off);
  now(&n->mtime);
  n->ctime = n->mtime;
  mark_dirty(n);
  return (int)size;
}
static int op_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi) {
  (void)path;
  LOCKED(do_write(buf, size, off, fi));
}

static int do_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  if (S_ISDIR(n->mode)) return -EISDIR;
  content_truncate(&n->cur, size);
  now(&n->mtime);
  n->ctime = n->mtime;
  mark_dirty(n);
  return 0;
}
static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
  LOCKED(do_truncate(path, size, fi));
}

static int do_fsync(const char *path, struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  if (!S_ISDIR(n->mode) && g_fail_syncs > 0) {
    g_fail_syncs--;
    fail_sync(n);
    return -EIO;
  }
  sync_inode(n);
  if (S_ISDIR(n->mode)) g_dirsyncs++;
  else g_fsyncs++;
  return 0;
}
static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)datasync; /* fdatasync makes the size durable too, as it must for appends */
  LOCKED(do_fsync(path, fi));
}
static int op_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
  (void)datasync;
  LOCKED(do_fsync(path, fi));
}

static int op_flush(const char *path, struct fuse_file_info *fi) {
  (void)path;
  (void)fi;
  return 0;
}

static int do_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
                      struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  if (!S_ISDIR(n->mode)) return -ENOTDIR;
  filler(buf, ".", NULL, 0, 0);
  filler(buf, "..", NULL, 0, 0);
  for (size_t i = 0; i < n->dcur.n; i++) {
    struct stat st;
    fill_stat(n->dcur.e[i].ino, &st);
    filler(buf, n->dcur.e[i].name, &st, 0, 0);
  }
  return 0;
}
static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
  (void)off;
  (void)flags;
  LOCKED(do_readdir(path, buf, filler, fi));
}

static int do_unlink(const char *path, int dir) {
  char name[256];
  inode *p = resolve_parent(path, name);
  if (p == NULL) return -ENOENT;
  entry *e = entries_find(&p->dcur, name);
  if (e == NULL) return -ENOENT;
  inode *n = e->ino;
  if (dir && !S_ISDIR(n->mode)) return -ENOTDIR;
  if (!dir && S_ISDIR(n->mode)) return -EISDIR;
  if (dir && n->dcur.n > 0) return -ENOTEMPTY;
  n->nlink--;
  now(&p->mtime);
  p->ctime = n->ctime = p->mtime;
  mark_dirty(p);
  entries_remove(&p->dcur, name);
  return 0;
}
static int op_unlink(const char *path) { LOCKED(do_unlink(path, 0)); }
static int op_rmdir(const char *path) { LOCKED(do_unlink(path, 1)); }

static int do_rename(const char *from, const char *to, unsigned int flags) {
  if (flags & ~RENAME_NOREPLACE) return -EINVAL;
  char fname[256], tname[256];
  inode *fp = resolve_parent(from, fname), *tp = resolve_parent(to, tname);
  if (fp == NULL || tp == NULL) return -ENOENT;
  entry *fe = entries_find(&fp->dcur, fname);
  if (fe == NULL) return -ENOENT;
  inode *n = fe->ino;
  /* A directory keeps its parent: its durable entries then always form a tree. */
  if (S_ISDIR(n->mode) && fp != tp) return -EXDEV;
  entry *te = entries_find(&tp->dcur, tname);
  if (te != NULL) {
    if (te->ino == n) return 0;
    if (flags & RENAME_NOREPLACE) return -EEXIST;
    if (S_ISDIR(te->ino->mode) && !S_ISDIR(n->mode)) return -EISDIR;
    if (!S_ISDIR(te->ino->mode) && S_ISDIR(n->mode)) return -ENOTDIR;
    if (S_ISDIR(te->ino->mode) && te->ino->dcur.n > 0) return -ENOTEMPTY;
    te->ino->nlink--;
    entries_remove(&tp->dcur, tname);
  }
  n->refs++; /* between the two entries */
  entries_remove(&fp->dcur, fname);
  entries_add(&tp->dcur, tname, n);
  n->refs--;
  now(&fp->mtime);
  fp->ctime = tp->mtime = tp->ctime = n->ctime = fp->mtime;
  mark_dirty(fp);
  mark_dirty(tp);
  return 0;
}
static int op_rename(const char *from, const char *to, unsigned int flags) {
  LOCKED(do_rename(from, to, flags));
}

static int do_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  n->mode = (n->mode & S_IFMT) | (mode & 07777);
  now(&n->ctime);
  mark_dirty(n);
  return 0;
}
static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
  LOCKED(do_chmod(path, mode, fi));
}

static int do_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  if (uid != (uid_t)-1) n->uid = uid;
  if (gid != (gid_t)-1) n->gid = gid;
  return 0;
}
static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
  LOCKED(do_chown(path, uid, gid, fi));
}

static int do_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  inode *n = of(path, fi);
  if (n == NULL) return -ENOENT;
  struct timespec t;
  now(&t);
  n->atime = tv[0].tv_nsec == UTIME_NOW ? t : tv[0].tv_nsec == UTIME_OMIT ? n->atime : tv[0];
  n->mtime = tv[1].tv_nsec == UTIME_NOW ? t : tv[1].tv_nsec == UTIME_OMIT ? n->mtime : tv[1];
  return 0;
}
static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
  LOCKED(do_utimens(path, tv, fi));
}

static int op_statfs(const char *path, struct statvfs *st) {
  (void)path;
  memset(st, 0, sizeof *st);
  st->f_bsize = st->f_frsize = BS;
  st->f_blocks = 1u << 22; /* 16 GiB, of which the RAM holds what is used */
  pthread_mutex_lock(&g_lock);
  st->f_bfree = st->f_bavail = st->f_blocks - (g_blocks < st->f_blocks ? g_blocks : 0);
  st->f_files = 1u << 20;
  st->f_ffree = st->f_favail = st->f_files - g_inodes;
  pthread_mutex_unlock(&g_lock);
  st->f_namemax = 255;
  return 0;
}

static int op_link(const char *from, const char *to) {
  (void)from;
  (void)to;
  return -EPERM;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  (void)conn;
  cfg->use_ino = 1;       /* st_ino is ours: SQLite and the store compare inode numbers */
  cfg->hard_remove = 1;   /* an unlinked open file stays usable through its handle */
  cfg->nullpath_ok = 1;
  /* No kernel caching of names or attributes: after a cut, what was forgotten is gone at once. */
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  cfg->kernel_cache = 0; /* file pages are dropped at every open */
  return NULL;
}

static const struct fuse_operations ops = {
    .init = op_init,
    .getattr = op_getattr,
    .access = op_access,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .rename = op_rename,
    .link = op_link,
    .chmod = op_chmod,
    .chown = op_chown,
    .truncate = op_truncate,
    .open = op_open,
    .read = op_read,
    .write = op_write,
    .statfs = op_statfs,
    .flush = op_flush,
    .release = op_release,
    .fsync = op_fsync,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .releasedir = op_release,
    .fsyncdir = op_fsyncdir,
    .create = op_create,
    .utimens = op_utimens,
};

/* ------------------------------------------------------------------ commands */

static pthread_t g_main;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static void cmd_stats(void) {
  size_t dirty = 0;
  for (inode *n = g_dirty; n != NULL; n = n->dirty_next)
    if (inode_differs(n)) dirty++;
  say("ok {\"open\":%d,\"inodes\":%llu,\"blocks\":%llu,\"dirty\":%zu,\"fsyncs\":%llu,"
      "\"dirsyncs\":%llu,\"cuts\":%llu}",
      g_open, (unsigned long long)g_inodes, (unsigned long long)g_blocks, dirty,
      (unsigned long long)g_fsyncs, (unsigned long long)g_dirsyncs, (unsigned long long)g_cuts);
}

static void cmd_sync(void) {
  size_t k;
  inode **list = take_dirty(&k);
  for (size_t i = 0; i < k; i++) sync_inode(list[i]);
  release_all(list, k);
  say("ok {}");
}

static void cmd_cut(int torn, uint64_t seed) {
  /* A power cut kills every process: wait until the kernel has released their files. */
  for (int waited = 0;; waited++) {
    pthread_mutex_lock(&g_lock);
    if (g_open == 0) break;
    int open = g_open;
    pthread_mutex_unlock(&g_lock);
    if (waited * 2 >= CUT_WAIT_MS) {
      say("error busy: %d files are still open (kill the processes using the mount first)", open);
      return;
    }
    usleep(2000);
  }
  g_rng = seed * 0x9E3779B97F4A7C15ULL + 1;
  cut_report r = power_cut(torn);
  pthread_mutex_unlock(&g_lock);
  say("ok {\"files\":%llu,\"dirs\":%llu,\"bytes\":%llu,\"torn\":%s}",
      (unsigned long long)r.files, (unsigned long long)r.dirs, (unsigned long long)r.bytes,
      torn ? "true" : "false");
}

static void *commands(void *arg) {
  (void)arg;
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\r\n")] = 0;
    unsigned long long seed = 0;
    int failing = -1;
    if (strcmp(line, "cut") == 0) cmd_cut(0, 0);
    else if (sscanf(line, "cut torn %llu", &seed) == 1) cmd_cut(1, seed);
    else if (strcmp(line, "stats") == 0) {
      pthread_mutex_lock(&g_lock);
      cmd_stats();
      pthread_mutex_unlock(&g_lock);
    } else if (strcmp(line, "sync") == 0) {
      pthread_mutex_lock(&g_lock);
      cmd_sync();
      pthread_mutex_unlock(&g_lock);
    } else if (sscanf(line, "fail-syncs %d", &failing) == 1 && failing >= 0) {
      pthread_mutex_lock(&g_lock);
      g_fail_syncs = failing;
      say("ok {}");
      pthread_mutex_unlock(&g_lock);
    } else if (strcmp(line, "quit") == 0) break;
    else say("error unknown command: %s", line);
  }
  /* EOF or quit: end the FUSE loop (its read of /dev/fuse returns EINTR), which unmounts. */
  pthread_kill(g_main, SIGTERM);
  return NULL;
}

int main(int argc, char *argv[]) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MOUNTPOINT (commands on stdin, see the source)\n", argv[0]);
    return 2;
  }
  g_root = inode_new(S_IFDIR | 0755);
  g_root->refs = 1;
  g_root->nlink = 1;

  char *fargv[] = {argv[0], "-o", "fsname=powercut,subtype=powercut,auto_unmount", NULL};
  struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
  struct fuse *f = fuse_new(&args, &ops, sizeof ops, NULL);
  if (f == NULL) return 1;
  if (fuse_mount(f, argv[1]) != 0) {
    fprintf(stderr, "powercut-fs: cannot mount on %s\n", argv[1]);
    return 1;
  }
  struct fuse_session *se = fuse_get_session(f);
  if (fuse_set_signal_handlers(se) != 0) return 1;
  g_main = pthread_self();
  /* Signals go to the FUSE loop's thread only: the command thread blocks them. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  pthread_t t;
  pthread_create(&t, NULL, commands, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  say("ready");
  int rc = fuse_loop(f);
  fuse_remove_signal_handlers(se);
  fuse_unmount(f);
  fuse_destroy(f);
  return rc == 0 ? 0 : 1;
}

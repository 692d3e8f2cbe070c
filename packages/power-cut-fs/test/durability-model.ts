/**
 * The rule the filesystem implements, written as a model: what a disk holds after a power cut.
 * A file's bytes are durable as of its last fsync; a directory's entries (which names lead to
 * which files) as of its last fsync. Nothing else survives, and nothing synced is lost.
 */
export type Dir = 'root' | 'sub';

interface FileNode {
  cur: Buffer;
  dur: Buffer;
}

export class DurabilityModel {
  private readonly cur = new Map<Dir, Map<string, FileNode>>([
    ['root', new Map()],
    ['sub', new Map()],
  ]);
  private readonly dur = new Map<Dir, Map<string, FileNode>>([
    ['root', new Map()],
    ['sub', new Map()],
  ]);

  has(dir: Dir, name: string): boolean {
    return this.cur.get(dir)!.has(name);
  }

  create(dir: Dir, name: string): void {
    if (!this.has(dir, name))
      this.cur.get(dir)!.set(name, { cur: Buffer.alloc(0), dur: Buffer.alloc(0) });
  }

  write(dir: Dir, name: string, offset: number, data: Buffer): void {
    const f = this.cur.get(dir)!.get(name)!;
    const size = Math.max(f.cur.length, offset + data.length);
    const next = Buffer.alloc(size);
    f.cur.copy(next);
    data.copy(next, offset);
    f.cur = next;
  }

  truncate(dir: Dir, name: string, size: number): void {
    const f = this.cur.get(dir)!.get(name)!;
    const next = Buffer.alloc(size);
    f.cur.copy(next, 0, 0, Math.min(size, f.cur.length));
    f.cur = next;
  }

  fsync(dir: Dir, name: string): void {
    const f = this.cur.get(dir)!.get(name)!;
    f.dur = Buffer.from(f.cur);
  }

  fsyncDir(dir: Dir): void {
    this.dur.set(dir, new Map(this.cur.get(dir)));
  }

  rename(fromDir: Dir, from: string, toDir: Dir, to: string): void {
    const f = this.cur.get(fromDir)!.get(from)!;
    if (this.cur.get(toDir)!.get(to) === f) return;
    this.cur.get(toDir)!.set(to, f);
    this.cur.get(fromDir)!.delete(from);
  }

  unlink(dir: Dir, name: string): void {
    this.cur.get(dir)!.delete(name);
  }

  /** What processes see now: name -> contents. */
  current(dir: Dir): Map<string, Buffer> {
    return new Map([...this.cur.get(dir)!].map(([n, f]) => [n, f.cur]));
  }

  /** What the disk holds after a power cut: name -> contents. */
  afterCut(dir: Dir): Map<string, Buffer> {
    return new Map([...this.dur.get(dir)!].map(([n, f]) => [n, f.dur]));
  }

  /** The cut: the durable state becomes the state. */
  cut(): void {
    for (const d of ['root', 'sub'] as const) {
      for (const f of this.dur.get(d)!.values()) f.cur = Buffer.from(f.dur);
      this.cur.set(d, new Map(this.dur.get(d)));
    }
  }
}

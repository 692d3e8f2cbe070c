/**
 * A LAN of two network namespaces this test creates, joined by a veth pair (multicast routed
 * over it), so that mDNS runs between them and never in the machine's own namespace. Programs
 * run inside with `ip netns exec`. Deleting the namespaces removes the link.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export class VethLan {
  /** The namespaces' names, and each one's address on the link. */
  readonly namespaces: readonly [string, string];
  readonly addresses: readonly [string, string];

  private constructor(tag: string, subnet: number) {
    this.namespaces = [`${tag}-a`, `${tag}-b`];
    this.addresses = [`10.231.${subnet}.1`, `10.231.${subnet}.2`];
  }

  /** Make the LAN, or say why it cannot be made here (no root, no `ip`). */
  static create(tag: string, subnet: number): VethLan | string {
    const lan = new VethLan(tag, subnet);
    const [a, b] = lan.namespaces;
    try {
      ip('netns', 'add', a);
    } catch (err) {
      return `cannot create a network namespace (${String((err as Error).message).split('\n')[0]})`;
    }
    try {
      ip('netns', 'add', b);
      // Both ends are created inside the namespaces: nothing appears in the default one.
      ip('-n', a, 'link', 'add', `${tag}a`, 'type', 'veth', 'peer', 'name', `${tag}b`, 'netns', b);
      for (const [i, ns] of lan.namespaces.entries()) {
        const dev = `${tag}${i === 0 ? 'a' : 'b'}`;
        ip('-n', ns, 'addr', 'add', `${lan.addresses[i]}/24`, 'dev', dev);
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        ip('-n', ns, 'link', 'set', dev, 'up');
        ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
      }
    } catch (err) {
      lan.destroy();
      return `cannot set up the namespaces' link (${String((err as Error).message).split('\n')[0]})`;
    }
    return lan;
  }

  /** The command and arguments that run `command args…` inside namespace `i`. */
  exec(i: 0 | 1, command: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.namespaces[i], command, ...args]];
  }

  /**
   * A script in `dir` that runs `program` inside namespace `i` with the arguments it is given
   * (for a launcher that takes one executable path, as playwright does for Chromium).
   */
  wrapper(i: 0 | 1, program: string, dir: string): string {
    const path = join(dir, `in-${this.namespaces[i]}`);
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${this.namespaces[i]} ${program} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  destroy(): void {
    for (const ns of this.namespaces) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Not created.
      }
    }
  }
}

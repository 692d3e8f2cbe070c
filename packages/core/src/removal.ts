/**
 * Whether this peer was removed from the log (`status().removed`): then it routes and assigns no
 * commands and its linearizable reads fail. A peer is removed once it has been a member and a
 * configuration without it governs. This is not final: a removed peer still learns (it may be
 * behind, replaying its own history, or be added again), and it is no longer removed when it
 * learns of a configuration with it. A removed peer takes no part in new configurations, since
 * none names it.
 */
import { membersOf, type ConfigHistory, type Configuration } from './configuration.js';
import type { NodeContext } from './context.js';
import type { Slot } from './types.js';

export class Removal {
  /** This peer has been a member (of a configuration that governed, or that it learned of). */
  private wasMember = false;
  removed = false;

  constructor(private readonly ctx: NodeContext) {}

  /** The replica learned of configuration `c`. */
  configAdded(c: Configuration): void {
    if (membersOf(c).includes(this.ctx.id)) this.wasMember = true;
  }

  /**
   * Judge again, with the replica at `slotOut` (after it moved, or at load). True when this
   * peer has just been removed.
   */
  update(configs: ConfigHistory, slotOut: Slot): boolean {
    const latest = configs.latest();
    if (latest === undefined) return false;
    // A member of the configuration governing slotOut, or of any later one, takes part: it may
    // have left in one configuration and come back in the next, learning both at once.
    const from = configs.at(slotOut)?.id ?? latest.id;
    const member = configs.all().some((c) => c.id >= from && membersOf(c).includes(this.ctx.id));
    // A joining peer replays configurations from before it was added: it is not "removed"
    // until it has been a member and then a configuration without it governs.
    if (member) {
      this.wasMember = true;
      if (this.removed)
        this.ctx.trace(`${this.ctx.id} is a member again (configuration ${latest.id})`);
      this.removed = false;
    } else if (this.wasMember && !this.removed) {
      this.removed = true;
      this.ctx.trace(`${this.ctx.id} was removed (configuration ${latest.id})`);
      return true;
    }
    return false;
  }
}

/**
 * The main process's side of the bridge, without Electron (main.ts wires it to ipcMain): every
 * IPC message is checked here before anything happens, and a refused one changes nothing.
 *
 * 1. The sender: the main frame of one of our windows, showing the app's own page
 *    (synod-app://ui/…). Subframes, other pages and destroyed frames are refused (Electron's
 *    checklist: "validate the sender of all IPC messages").
 * 2. The channel: only BRIDGE_INVOKE_CHANNEL (requests) and BRIDGE_SUBSCRIBE_CHANNEL (events on
 *    or off) are handled; main.ts registers no other.
 * 3. The message: exactly `(method, request)`, the method an operation of the table and the
 *    request what its schema accepts (operations/validate.ts: a fresh object of checked fields
 *    is what reaches the peer); `(on: boolean)` for subscriptions.
 *
 * Answers are BridgeResult data, failures included (an Error thrown across IPC loses its code).
 */
import {
  BRIDGE_INVOKE_CHANNEL,
  BRIDGE_SUBSCRIBE_CHANNEL,
  toBridgeErrorData,
  type BridgeEvent,
  type BridgeResult,
} from '../desktop/bridge-api.js';
import type { OperationHandlers } from '../operations/table.js';
import { isOperationName } from '../operations/table.js';
import { dispatch } from '../operations/validate.js';
import { isAppUrl } from './policy.js';

/** What main.ts knows of an IPC message's sender (from event.senderFrame). */
export interface IpcSender {
  /** webContents id: subscriptions are kept per window. */
  readonly id: number;
  /** The sending frame's URL ('' when the frame is gone). */
  readonly url: string;
  /** The frame is its window's main frame (not an iframe). */
  readonly mainFrame: boolean;
  /** The window is one this process created for the app. */
  readonly ours: boolean;
}

export const IPC_CHANNELS = [BRIDGE_INVOKE_CHANNEL, BRIDGE_SUBSCRIBE_CHANNEL] as const;

function refused(code: string, message: string): BridgeResult<never> {
  return { ok: false, error: { code, message } };
}

/** Why a sender may not use the bridge, or undefined when it may. */
export function senderProblem(sender: IpcSender): string | undefined {
  if (!sender.ours) return 'the sender is not a window of this app';
  if (!sender.mainFrame) return 'the sender is not the main frame';
  if (!isAppUrl(sender.url)) return 'the sender is not showing the app';
  return undefined;
}

/** What the main process serves: the peer service (one method per operation) and its events. */
export type IpcPeer = OperationHandlers & {
  subscribe(
    listener: (event: BridgeEvent) => void,
    options: { readonly answersInviteRequests: boolean },
  ): () => void;
};

export interface IpcDispatcherOptions {
  readonly peer: IpcPeer;
  /** Send an event to one window (webContents.send on BRIDGE_EVENT_CHANNEL). */
  readonly send: (id: number, event: BridgeEvent) => void;
  /** Told of every refused message (to log it), never of its content. */
  readonly onRefused?: (channel: string, sender: IpcSender, reason: string) => void;
}

export class IpcDispatcher {
  private readonly subscribers = new Set<number>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: IpcDispatcherOptions) {}

  /** ipcMain.handle(BRIDGE_INVOKE_CHANNEL): `args` are the message's arguments after the event. */
  async invoke(sender: IpcSender, args: readonly unknown[]): Promise<BridgeResult> {
    const problem = senderProblem(sender);
    if (problem !== undefined) {
      this.o.onRefused?.(BRIDGE_INVOKE_CHANNEL, sender, problem);
      return refused('forbidden', problem);
    }
    if (args.length < 1 || args.length > 2) {
      this.o.onRefused?.(BRIDGE_INVOKE_CHANNEL, sender, 'bad arity');
      return refused('invalid-argument', 'a call is (method, request)');
    }
    if (!isOperationName(args[0])) {
      const what = typeof args[0] === 'string' ? args[0].slice(0, 40) : '?';
      this.o.onRefused?.(BRIDGE_INVOKE_CHANNEL, sender, `unknown method ${what}`);
      return refused('invalid-argument', `unknown method ${what}`);
    }
    try {
      const value = await dispatch(this.o.peer, args[0], args[1]);
      // undefined does not survive every transport: answer null for "nothing".
      return { ok: true, value: value ?? null };
    } catch (err) {
      const data = toBridgeErrorData(err);
      if (
        data.code === 'invalid-argument' ||
        data.code === 'too-large' ||
        data.code === 'bad-text'
      ) {
        this.o.onRefused?.(BRIDGE_INVOKE_CHANNEL, sender, data.message);
      }
      return { ok: false, error: data };
    }
  }

  /** ipcMain.on(BRIDGE_SUBSCRIBE_CHANNEL): `(on: boolean)`. Returns whether it was accepted. */
  subscribe(sender: IpcSender, args: readonly unknown[]): boolean {
    const problem =
      senderProblem(sender) ??
      (args.length !== 1 || typeof args[0] !== 'boolean' ? 'expected (on: boolean)' : undefined);
    if (problem !== undefined) {
      this.o.onRefused?.(BRIDGE_SUBSCRIBE_CHANNEL, sender, problem);
      return false;
    }
    if (args[0] === true) this.subscribers.add(sender.id);
    else this.subscribers.delete(sender.id);
    this.sync();
    return true;
  }

  /** A window closed or navigated away: it gets no more events. */
  forget(id: number): void {
    this.subscribers.delete(id);
    this.sync();
  }

  /** The windows events go to now. */
  subscribed(): readonly number[] {
    return [...this.subscribers];
  }

  close(): void {
    this.subscribers.clear();
    this.sync();
  }

  /** Listen to the peer only while some window wants its events. */
  private sync(): void {
    if (this.subscribers.size > 0 && this.unsubscribe === undefined) {
      // The app's windows show invite requests to the user.
      this.unsubscribe = this.o.peer.subscribe(
        (event) => {
          for (const id of this.subscribers) this.o.send(id, event);
        },
        { answersInviteRequests: true },
      );
    } else if (this.subscribers.size === 0 && this.unsubscribe !== undefined) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }
}

/**
 * Options of a host (createTransportHost), of each log's transport on it (openLog), and of
 * createLibp2pTransport (both at once): every field documented, defaulted and checked in one
 * place.
 */
import type { ComponentLogger, PrivateKey } from '@libp2p/interface';
import type { PeerId } from '@synod/core';
import { TransportConfigError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-codec.js';
import type { MetaStore } from './identity.js';
import { NEXT_RELEASE_WIRE } from './next-release.js';
import { WIRE_VERSIONS, type WireVersion } from './protocols.js';

export interface MdnsOptions {
  /** How often to announce ourselves / query, ms (default 10 s). */
  intervalMs?: number;
  /** The DNS-SD service name; only peers using the same one see each other. */
  serviceTag?: string;
}

/** The options of a host (createTransportHost): the libp2p node's, and defaults for its logs. */
export interface TransportHostOptions extends LinkDefaults {
  /**
   * The peer's Ed25519 identity key. Give this or `storage`; with `storage` alone the key is
   * created once and kept there, so the peer keeps its id across restarts.
   */
  identity?: PrivateKey | undefined;
  /** Where the identity key is kept (only getMeta/setMeta are used). */
  storage?: MetaStore | undefined;
  /**
   * Multiaddrs to listen on. Default ['/ip4/0.0.0.0/tcp/0']: every interface, a free port. With
   * `storage`, a port 0 is last run's port while that one is free (members keep this peer's
   * address and redial it there after a restart; listen-ports.ts).
   */
  listen?: string[];
  /**
   * LAN discovery with mDNS, dialling members as they are found. Off by default: multicast
   * leaves the machine, which tests and servers should not do unasked.
   */
  mdns?: boolean | MdnsOptions;
  /**
   * A pre-shared network key (@libp2p/pnet): peers without the same key cannot even complete a
   * handshake. 32 random bytes (see generatePsk), or a libp2p v1 swarm.key file's contents.
   */
  psk?: Uint8Array;
  /** Addresses to advertise in invites and join answers (default: what libp2p listens on). */
  announce?: string[];
  /** The largest frame body accepted or sent, bytes (default 16 MiB). Both ends must agree. */
  maxFrameBytes?: number;
  /**
   * How long a stranger (no member) may stay connected to present an invite, ms (default
   * 30 000). Strangers may connect at all only while a log here has unused, unexpired invites.
   */
  strangerGraceMs?: number;
  /** The most strangers connected at once (default 8). */
  maxStrangers?: number;
  /**
   * A peer whose frames are dropped as bad (malformed, oversized, unknown version, invalid, or a
   * broken frame header) more than this many times within `badFrameWindowMs` is disconnected and
   * its connections refused for `offenderBanMs` (defaults 100, 10 000 ms, 60 000 ms), from every
   * log.
   */
  maxBadFrames?: number;
  badFrameWindowMs?: number;
  offenderBanMs?: number;
  /**
   * The wire versions to speak (protocols.ts; default: every version this build knows). A peer
   * pinned to older versions behaves on the wire as the release that had only those: for staged
   * rollouts and for tests.
   */
  wireVersions?: readonly number[];
  /** libp2p's logger; default: the `debug` logger (DEBUG=synod:* shows this package's logs). */
  logger?: ComponentLogger;
  /**
   * For upgrade tests only: `nextRelease` makes this peer behave on the wire as a simulated next
   * release (next-release.ts): a wire version 3 offered first, and fields and a message type
   * this release does not know in every frame it sends.
   */
  testing?: { nextRelease?: boolean } | undefined;
}

/** What a host's logs share by default and each may set for itself: links and invites. */
export interface LinkDefaults {
  /** The most bytes queued for one peer of one log before send() refuses (default 8 MiB). */
  maxSendBufferBytes?: number;
  /** How often each link is pinged (RTT, liveness), ms (default: a third of silenceTimeoutMs). */
  pingIntervalMs?: number;
  /** A link that hears nothing for this long is closed and redialled, ms (default 10 000). */
  silenceTimeoutMs?: number;
  /** A dial that takes longer is abandoned, ms (default 10 000). */
  dialTimeoutMs?: number;
  /** The first reconnect delay, ms (default 100); it doubles per failure up to backoffMaxMs. */
  backoffInitialMs?: number;
  /** The cap on reconnect delays, ms (default 10 000). */
  backoffMaxMs?: number;
  /** How long an invite stays valid by default, ms (default 24 h). */
  inviteTtlMs?: number;
  /** How long join() waits for the whole exchange, ms (default 60 000). */
  joinTimeoutMs?: number;
}

/** The options of one log's transport on a host (TransportHost.openLog). */
export interface LogTransportOptions extends LinkDefaults {
  /**
   * The log's id: invites name it, and its streams name it in their header. Undefined: a log
   * without a name (no invites), for peers that share one log and never invite.
   */
  logId?: string | undefined;
  /**
   * The log's Storage (only getMeta/setMeta are used): the invites issued for it (single use
   * across restarts), a join's result, and its members' addresses live there.
   */
  storage?: MetaStore | undefined;
  /**
   * Peers to reach by address, as multiaddrs ending in /p2p/<peer id>. Before the log names
   * its members, these peers count as members (members.ts).
   */
  bootstrap?: string[] | undefined;
  /** Peers that count as members until the runtime first calls setMembers. */
  initialMembers?: PeerId[] | undefined;
}

/**
 * The options of createLibp2pTransport: a host of one log, both made at once (the host's
 * options and the log's).
 */
export interface Libp2pTransportOptions extends TransportHostOptions, LogTransportOptions {
  /**
   * The peer's Storage (only getMeta/setMeta are used): the identity key, the invites this peer
   * issued (single use across restarts), a join's result, and members' addresses live there.
   */
  storage?: MetaStore | undefined;
}

export interface ResolvedLinkOptions {
  maxSendBufferBytes: number;
  pingIntervalMs: number;
  silenceTimeoutMs: number;
  dialTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  inviteTtlMs: number;
  joinTimeoutMs: number;
}

export interface ResolvedHostOptions extends ResolvedLinkOptions {
  listen: string[];
  mdns: Required<MdnsOptions> | undefined;
  psk: Uint8Array | undefined;
  announce: string[] | undefined;
  maxFrameBytes: number;
  strangerGraceMs: number;
  maxStrangers: number;
  maxBadFrames: number;
  badFrameWindowMs: number;
  offenderBanMs: number;
  wireVersions: readonly WireVersion[];
  /** Behave as the simulated next release (tests only). */
  nextRelease: boolean;
  /** The link defaults as given, for the logs to start from. */
  linkDefaults: LinkDefaults;
}

export interface ResolvedLogOptions extends ResolvedLinkOptions {
  /** '' for a log without a name. */
  logId: string;
  named: boolean;
  bootstrap: string[];
  initialMembers: PeerId[];
}

export const DEFAULT_MDNS_SERVICE_TAG = '_synod._udp.local';

function positive(name: string, v: number | undefined, dflt: number, min = 1): number {
  const n = v ?? dflt;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min) {
    throw new TransportConfigError(`${name} must be a number >= ${min}, got ${String(v)}`);
  }
  return n;
}

function resolveLinkOptions(o: LinkDefaults): ResolvedLinkOptions {
  const silenceTimeoutMs = positive('silenceTimeoutMs', o.silenceTimeoutMs, 10_000, 10);
  // Three pings per silence timeout: a lost pong or two does not cut a link. Once a second (the
  // default before) made link pings a quarter of an idle cluster's frames, and each frame costs
  // about as much as a heartbeat (issue 13: idle CPU).
  const pingIntervalMs = positive(
    'pingIntervalMs',
    o.pingIntervalMs,
    Math.max(10, Math.floor(silenceTimeoutMs / 3)),
    10,
  );
  if (silenceTimeoutMs <= pingIntervalMs) {
    throw new TransportConfigError('silenceTimeoutMs must exceed pingIntervalMs');
  }
  const backoffInitialMs = positive('backoffInitialMs', o.backoffInitialMs, 100);
  const backoffMaxMs = positive('backoffMaxMs', o.backoffMaxMs, 10_000);
  if (backoffMaxMs < backoffInitialMs) {
    throw new TransportConfigError('backoffMaxMs must be at least backoffInitialMs');
  }
  return {
    maxSendBufferBytes: positive('maxSendBufferBytes', o.maxSendBufferBytes, 8 * 1024 * 1024, 1024),
    pingIntervalMs,
    silenceTimeoutMs,
    dialTimeoutMs: positive('dialTimeoutMs', o.dialTimeoutMs, 10_000),
    backoffInitialMs,
    backoffMaxMs,
    inviteTtlMs: positive('inviteTtlMs', o.inviteTtlMs, 24 * 60 * 60 * 1000),
    joinTimeoutMs: positive('joinTimeoutMs', o.joinTimeoutMs, 60_000),
  };
}

const LINK_KEYS: readonly (keyof LinkDefaults)[] = [
  'maxSendBufferBytes',
  'pingIntervalMs',
  'silenceTimeoutMs',
  'dialTimeoutMs',
  'backoffInitialMs',
  'backoffMaxMs',
  'inviteTtlMs',
  'joinTimeoutMs',
];

function linkDefaultsOf(o: LinkDefaults): LinkDefaults {
  const out: LinkDefaults = {};
  for (const k of LINK_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function resolveHostOptions(o: TransportHostOptions): ResolvedHostOptions {
  if (o.identity !== undefined && o.identity.type !== 'Ed25519') {
    throw new TransportConfigError(`the identity must be an Ed25519 key, not ${o.identity.type}`);
  }
  const mdns =
    o.mdns === undefined || o.mdns === false
      ? undefined
      : {
          intervalMs: positive(
            'mdns.intervalMs',
            o.mdns === true ? undefined : o.mdns.intervalMs,
            10_000,
          ),
          serviceTag: (o.mdns === true ? undefined : o.mdns.serviceTag) ?? DEFAULT_MDNS_SERVICE_TAG,
        };
  const linkDefaults = linkDefaultsOf(o);
  return {
    ...resolveLinkOptions(linkDefaults),
    listen: o.listen ?? ['/ip4/0.0.0.0/tcp/0'],
    mdns,
    psk: o.psk,
    announce: o.announce,
    maxFrameBytes: positive('maxFrameBytes', o.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES, 1024),
    strangerGraceMs: positive('strangerGraceMs', o.strangerGraceMs, 30_000),
    maxStrangers: positive('maxStrangers', o.maxStrangers, 8, 0),
    maxBadFrames: positive('maxBadFrames', o.maxBadFrames, 100, 0),
    badFrameWindowMs: positive('badFrameWindowMs', o.badFrameWindowMs, 10_000),
    offenderBanMs: positive('offenderBanMs', o.offenderBanMs, 60_000),
    wireVersions:
      o.testing?.nextRelease === true
        ? [NEXT_RELEASE_WIRE, ...resolveWireVersions(o.wireVersions)]
        : resolveWireVersions(o.wireVersions),
    nextRelease: o.testing?.nextRelease === true,
    linkDefaults,
  };
}

function resolveWireVersions(wanted: readonly number[] | undefined): readonly WireVersion[] {
  if (wanted === undefined) return WIRE_VERSIONS;
  const out = WIRE_VERSIONS.filter((w) => wanted.includes(w.version));
  const unknown = wanted.filter((v) => !WIRE_VERSIONS.some((w) => w.version === v));
  if (unknown.length > 0 || out.length === 0) {
    throw new TransportConfigError(
      `wireVersions must name versions this build speaks (${WIRE_VERSIONS.map((w) => w.version).join(', ')}), got ${wanted.join(', ')}`,
    );
  }
  return out;
}

/** Every option of createLibp2pTransport: the host's, its links' and its log's. */
const TRANSPORT_KEYS: ReadonlySet<string> = new Set([
  ...LINK_KEYS,
  'identity',
  'storage',
  'listen',
  'mdns',
  'psk',
  'announce',
  'maxFrameBytes',
  'strangerGraceMs',
  'maxStrangers',
  'maxBadFrames',
  'badFrameWindowMs',
  'offenderBanMs',
  'wireVersions',
  'logger',
  'testing',
  'logId',
  'bootstrap',
  'initialMembers',
]);

/** An option name this package does not know is a typo that would silently change nothing. */
export function checkTransportKeys(o: object): void {
  for (const key of Object.keys(o)) {
    if (!TRANSPORT_KEYS.has(key)) throw new TransportConfigError(`unknown option ${key}`);
  }
}

/** A log's options over its host's defaults. */
export function resolveLogOptions(
  host: ResolvedHostOptions,
  o: LogTransportOptions,
): ResolvedLogOptions {
  if (
    o.logId !== undefined &&
    (typeof o.logId !== 'string' || o.logId.length === 0 || o.logId.length > 256)
  ) {
    throw new TransportConfigError('logId must be 1 to 256 characters');
  }
  return {
    ...resolveLinkOptions({ ...host.linkDefaults, ...linkDefaultsOf(o) }),
    logId: o.logId ?? '',
    named: o.logId !== undefined,
    bootstrap: o.bootstrap ?? [],
    initialMembers: o.initialMembers ?? [],
  };
}

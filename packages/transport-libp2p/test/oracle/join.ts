import {
  decodeMessage,
  encodeMessage,
  MaxLengthError,
  message,
  streamMessage,
} from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';

export interface Invite {
  version: number;
  logId: string;
  inviter: Uint8Array<ArrayBuffer>;
  addrs: Uint8Array<ArrayBuffer>[];
  expires: number;
  secret: Uint8Array<ArrayBuffer>;
}

export namespace Invite {
  let _codec: Codec<Invite>;

  export const codec = (): Codec<Invite> => {
    if (_codec == null) {
      _codec = message<Invite>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.version != null && obj.version !== 0) {
            w.uint32(8);
            w.uint32(obj.version);
          }

          if (obj.logId != null && obj.logId !== '') {
            w.uint32(18);
            w.string(obj.logId);
          }

          if (obj.inviter != null && obj.inviter.byteLength > 0) {
            w.uint32(26);
            w.bytes(obj.inviter);
          }

          if (obj.addrs != null && obj.addrs.length > 0) {
            for (const value of obj.addrs) {
              w.uint32(34);
              w.bytes(value);
            }
          }

          if (obj.expires != null && obj.expires !== 0) {
            w.uint32(40);
            w.uint64Number(obj.expires);
          }

          if (obj.secret != null && obj.secret.byteLength > 0) {
            w.uint32(50);
            w.bytes(obj.secret);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            version: 0,
            logId: '',
            inviter: uint8ArrayAlloc(0),
            addrs: [],
            expires: 0,
            secret: uint8ArrayAlloc(0),
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.version = reader.uint32();
                break;
              }
              case 2: {
                obj.logId = reader.string();
                break;
              }
              case 3: {
                obj.inviter = reader.bytes();
                break;
              }
              case 4: {
                if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "addrs" had too many elements',
                  );
                }

                obj.addrs.push(reader.bytes());
                break;
              }
              case 5: {
                obj.expires = reader.uint64Number();
                break;
              }
              case 6: {
                obj.secret = reader.bytes();
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }

          return obj;
        },
        function* (reader, length, prefix, opts = {}) {
          const obj = {
            addrs: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.version`,
                  value: reader.uint32(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.logId`,
                  value: reader.string(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.inviter`,
                  value: reader.bytes(),
                };
                break;
              }
              case 4: {
                if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "addrs" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.addrs[]`,
                  index: obj.addrs,
                  value: reader.bytes(),
                };

                obj.addrs++;

                break;
              }
              case 5: {
                yield {
                  field: `${prefix}.expires`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 6: {
                yield {
                  field: `${prefix}.secret`,
                  value: reader.bytes(),
                };
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }
        },
      );
    }

    return _codec;
  };

  export interface InviteVersionFieldEvent {
    field: '$.version';
    value: number;
  }

  export interface InviteLogIdFieldEvent {
    field: '$.logId';
    value: string;
  }

  export interface InviteInviterFieldEvent {
    field: '$.inviter';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface InviteAddrsFieldEvent {
    field: '$.addrs[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export interface InviteExpiresFieldEvent {
    field: '$.expires';
    value: number;
  }

  export interface InviteSecretFieldEvent {
    field: '$.secret';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<Invite>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Invite.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Invite {
    return decodeMessage(buf, Invite.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Invite>,
  ): Generator<
    | InviteVersionFieldEvent
    | InviteLogIdFieldEvent
    | InviteInviterFieldEvent
    | InviteAddrsFieldEvent
    | InviteExpiresFieldEvent
    | InviteSecretFieldEvent
  > {
    return streamMessage(buf, Invite.codec(), opts);
  }
}

export interface JoinRequest {
  invite?: Invite;
}

export namespace JoinRequest {
  let _codec: Codec<JoinRequest>;

  export const codec = (): Codec<JoinRequest> => {
    if (_codec == null) {
      _codec = message<JoinRequest>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.invite != null) {
            w.uint32(10);
            Invite.codec().encode(obj.invite, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {};

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.invite = Invite.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.invite,
                });
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }

          return obj;
        },
        function* (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield* Invite.codec().stream(reader, reader.uint32(), `${prefix}.invite`, {
                  limits: opts.limits?.invite,
                });

                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }
        },
      );
    }

    return _codec;
  };

  export interface JoinRequestInviteVersionFieldEvent {
    field: '$.invite.version';
    value: number;
  }

  export interface JoinRequestInviteLogIdFieldEvent {
    field: '$.invite.logId';
    value: string;
  }

  export interface JoinRequestInviteInviterFieldEvent {
    field: '$.invite.inviter';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface JoinRequestInviteAddrsFieldEvent {
    field: '$.invite.addrs[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export interface JoinRequestInviteExpiresFieldEvent {
    field: '$.invite.expires';
    value: number;
  }

  export interface JoinRequestInviteSecretFieldEvent {
    field: '$.invite.secret';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<JoinRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinRequest.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<JoinRequest>,
  ): JoinRequest {
    return decodeMessage(buf, JoinRequest.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<JoinRequest>,
  ): Generator<
    | JoinRequestInviteVersionFieldEvent
    | JoinRequestInviteLogIdFieldEvent
    | JoinRequestInviteInviterFieldEvent
    | JoinRequestInviteAddrsFieldEvent
    | JoinRequestInviteExpiresFieldEvent
    | JoinRequestInviteSecretFieldEvent
  > {
    return streamMessage(buf, JoinRequest.codec(), opts);
  }
}

export interface PeerAddrs {
  peer: string;
  addrs: Uint8Array<ArrayBuffer>[];
}

export namespace PeerAddrs {
  let _codec: Codec<PeerAddrs>;

  export const codec = (): Codec<PeerAddrs> => {
    if (_codec == null) {
      _codec = message<PeerAddrs>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.peer != null && obj.peer !== '') {
            w.uint32(10);
            w.string(obj.peer);
          }

          if (obj.addrs != null && obj.addrs.length > 0) {
            for (const value of obj.addrs) {
              w.uint32(18);
              w.bytes(value);
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            peer: '',
            addrs: [],
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.peer = reader.string();
                break;
              }
              case 2: {
                if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "addrs" had too many elements',
                  );
                }

                obj.addrs.push(reader.bytes());
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }

          return obj;
        },
        function* (reader, length, prefix, opts = {}) {
          const obj = {
            addrs: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.peer`,
                  value: reader.string(),
                };
                break;
              }
              case 2: {
                if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "addrs" had too many elements',
                  );
                }

                yield {
                  field: `${prefix}.addrs[]`,
                  index: obj.addrs,
                  value: reader.bytes(),
                };

                obj.addrs++;

                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }
        },
      );
    }

    return _codec;
  };

  export interface PeerAddrsPeerFieldEvent {
    field: '$.peer';
    value: string;
  }

  export interface PeerAddrsAddrsFieldEvent {
    field: '$.addrs[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<PeerAddrs>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerAddrs.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<PeerAddrs>,
  ): PeerAddrs {
    return decodeMessage(buf, PeerAddrs.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<PeerAddrs>,
  ): Generator<PeerAddrsPeerFieldEvent | PeerAddrsAddrsFieldEvent> {
    return streamMessage(buf, PeerAddrs.codec(), opts);
  }
}

export interface JoinResponse {
  ok: boolean;
  code: string;
  message: string;
  logId: string;
  members: PeerAddrs[];
}

export namespace JoinResponse {
  let _codec: Codec<JoinResponse>;

  export const codec = (): Codec<JoinResponse> => {
    if (_codec == null) {
      _codec = message<JoinResponse>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.ok != null && obj.ok !== false) {
            w.uint32(8);
            w.bool(obj.ok);
          }

          if (obj.code != null && obj.code !== '') {
            w.uint32(18);
            w.string(obj.code);
          }

          if (obj.message != null && obj.message !== '') {
            w.uint32(26);
            w.string(obj.message);
          }

          if (obj.logId != null && obj.logId !== '') {
            w.uint32(34);
            w.string(obj.logId);
          }

          if (obj.members != null && obj.members.length > 0) {
            for (const value of obj.members) {
              w.uint32(42);
              PeerAddrs.codec().encode(value, w);
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            ok: false,
            code: '',
            message: '',
            logId: '',
            members: [],
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.ok = reader.bool();
                break;
              }
              case 2: {
                obj.code = reader.string();
                break;
              }
              case 3: {
                obj.message = reader.string();
                break;
              }
              case 4: {
                obj.logId = reader.string();
                break;
              }
              case 5: {
                if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "members" had too many elements',
                  );
                }

                obj.members.push(
                  PeerAddrs.codec().decode(reader, reader.uint32(), {
                    limits: opts.limits?.members$,
                  }),
                );
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }

          return obj;
        },
        function* (reader, length, prefix, opts = {}) {
          const obj = {
            members: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.ok`,
                  value: reader.bool(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.code`,
                  value: reader.string(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.message`,
                  value: reader.string(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.logId`,
                  value: reader.string(),
                };
                break;
              }
              case 5: {
                if (opts.limits?.members != null && obj.members === opts.limits.members) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "members" had too many elements',
                  );
                }

                for (const evt of PeerAddrs.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.members[]`,
                  {
                    limits: opts.limits?.members$,
                  },
                )) {
                  yield {
                    ...evt,
                    index: obj.members,
                  };
                }

                obj.members++;

                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }
        },
      );
    }

    return _codec;
  };

  export interface JoinResponseOkFieldEvent {
    field: '$.ok';
    value: boolean;
  }

  export interface JoinResponseCodeFieldEvent {
    field: '$.code';
    value: string;
  }

  export interface JoinResponseMessageFieldEvent {
    field: '$.message';
    value: string;
  }

  export interface JoinResponseLogIdFieldEvent {
    field: '$.logId';
    value: string;
  }

  export interface JoinResponseMembersPeerFieldEvent {
    field: '$.members[].peer';
    value: string;
    index: number;
  }

  export interface JoinResponseMembersAddrsFieldEvent {
    field: '$.members[].addrs[]';
    index: number;
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<JoinResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinResponse.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<JoinResponse>,
  ): JoinResponse {
    return decodeMessage(buf, JoinResponse.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<JoinResponse>,
  ): Generator<
    | JoinResponseOkFieldEvent
    | JoinResponseCodeFieldEvent
    | JoinResponseMessageFieldEvent
    | JoinResponseLogIdFieldEvent
    | JoinResponseMembersPeerFieldEvent
    | JoinResponseMembersAddrsFieldEvent
  > {
    return streamMessage(buf, JoinResponse.codec(), opts);
  }
}

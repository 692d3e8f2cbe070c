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

export interface Ballot {
  round: number;
  leader: string;
}

export namespace Ballot {
  let _codec: Codec<Ballot>;

  export const codec = (): Codec<Ballot> => {
    if (_codec == null) {
      _codec = message<Ballot>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.round != null && obj.round !== 0) {
            w.uint32(8);
            w.uint64Number(obj.round);
          }

          if (obj.leader != null && obj.leader !== '') {
            w.uint32(18);
            w.string(obj.leader);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            round: 0,
            leader: '',
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.round = reader.uint64Number();
                break;
              }
              case 2: {
                obj.leader = reader.string();
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
                yield {
                  field: `${prefix}.round`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.leader`,
                  value: reader.string(),
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

  export interface BallotRoundFieldEvent {
    field: '$.round';
    value: number;
  }

  export interface BallotLeaderFieldEvent {
    field: '$.leader';
    value: string;
  }

  export function encode(obj: Partial<Ballot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ballot.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ballot>): Ballot {
    return decodeMessage(buf, Ballot.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Ballot>,
  ): Generator<BallotRoundFieldEvent | BallotLeaderFieldEvent> {
    return streamMessage(buf, Ballot.codec(), opts);
  }
}

export interface PValue {
  config: number;
  ballot?: Ballot;
  slot: number;
  value: Uint8Array<ArrayBuffer>;
}

export namespace PValue {
  let _codec: Codec<PValue>;

  export const codec = (): Codec<PValue> => {
    if (_codec == null) {
      _codec = message<PValue>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.slot != null && obj.slot !== 0) {
            w.uint32(24);
            w.uint64Number(obj.slot);
          }

          if (obj.value != null && obj.value.byteLength > 0) {
            w.uint32(34);
            w.bytes(obj.value);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            slot: 0,
            value: uint8ArrayAlloc(0),
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.slot = reader.uint64Number();
                break;
              }
              case 4: {
                obj.value = reader.bytes();
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
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.slot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.value`,
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

  export interface PValueConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface PValueBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface PValueBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface PValueSlotFieldEvent {
    field: '$.slot';
    value: number;
  }

  export interface PValueValueFieldEvent {
    field: '$.value';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<PValue>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PValue.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PValue>): PValue {
    return decodeMessage(buf, PValue.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<PValue>,
  ): Generator<
    | PValueConfigFieldEvent
    | PValueBallotRoundFieldEvent
    | PValueBallotLeaderFieldEvent
    | PValueSlotFieldEvent
    | PValueValueFieldEvent
  > {
    return streamMessage(buf, PValue.codec(), opts);
  }
}

export interface Decided {
  slot: number;
  value: Uint8Array<ArrayBuffer>;
}

export namespace Decided {
  let _codec: Codec<Decided>;

  export const codec = (): Codec<Decided> => {
    if (_codec == null) {
      _codec = message<Decided>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.slot != null && obj.slot !== 0) {
            w.uint32(8);
            w.uint64Number(obj.slot);
          }

          if (obj.value != null && obj.value.byteLength > 0) {
            w.uint32(18);
            w.bytes(obj.value);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            slot: 0,
            value: uint8ArrayAlloc(0),
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.slot = reader.uint64Number();
                break;
              }
              case 2: {
                obj.value = reader.bytes();
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
                yield {
                  field: `${prefix}.slot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.value`,
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

  export interface DecidedSlotFieldEvent {
    field: '$.slot';
    value: number;
  }

  export interface DecidedValueFieldEvent {
    field: '$.value';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<Decided>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Decided.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Decided>): Decided {
    return decodeMessage(buf, Decided.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Decided>,
  ): Generator<DecidedSlotFieldEvent | DecidedValueFieldEvent> {
    return streamMessage(buf, Decided.codec(), opts);
  }
}

export interface StoreStamp {
  run: number;
  start: number;
  seq: number;
}

export namespace StoreStamp {
  let _codec: Codec<StoreStamp>;

  export const codec = (): Codec<StoreStamp> => {
    if (_codec == null) {
      _codec = message<StoreStamp>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.run != null && obj.run !== 0) {
            w.uint32(8);
            w.uint64Number(obj.run);
          }

          if (obj.start != null && obj.start !== 0) {
            w.uint32(16);
            w.uint64Number(obj.start);
          }

          if (obj.seq != null && obj.seq !== 0) {
            w.uint32(24);
            w.uint64Number(obj.seq);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            run: 0,
            start: 0,
            seq: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.run = reader.uint64Number();
                break;
              }
              case 2: {
                obj.start = reader.uint64Number();
                break;
              }
              case 3: {
                obj.seq = reader.uint64Number();
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
                yield {
                  field: `${prefix}.run`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.start`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.seq`,
                  value: reader.uint64Number(),
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

  export interface StoreStampRunFieldEvent {
    field: '$.run';
    value: number;
  }

  export interface StoreStampStartFieldEvent {
    field: '$.start';
    value: number;
  }

  export interface StoreStampSeqFieldEvent {
    field: '$.seq';
    value: number;
  }

  export function encode(obj: Partial<StoreStamp>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StoreStamp.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<StoreStamp>,
  ): StoreStamp {
    return decodeMessage(buf, StoreStamp.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<StoreStamp>,
  ): Generator<StoreStampRunFieldEvent | StoreStampStartFieldEvent | StoreStampSeqFieldEvent> {
    return streamMessage(buf, StoreStamp.codec(), opts);
  }
}

export interface PeerStamp {
  peer: string;
  run: number;
  start: number;
  seq: number;
}

export namespace PeerStamp {
  let _codec: Codec<PeerStamp>;

  export const codec = (): Codec<PeerStamp> => {
    if (_codec == null) {
      _codec = message<PeerStamp>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.peer != null && obj.peer !== '') {
            w.uint32(10);
            w.string(obj.peer);
          }

          if (obj.run != null && obj.run !== 0) {
            w.uint32(16);
            w.uint64Number(obj.run);
          }

          if (obj.start != null && obj.start !== 0) {
            w.uint32(24);
            w.uint64Number(obj.start);
          }

          if (obj.seq != null && obj.seq !== 0) {
            w.uint32(32);
            w.uint64Number(obj.seq);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            peer: '',
            run: 0,
            start: 0,
            seq: 0,
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
                obj.run = reader.uint64Number();
                break;
              }
              case 3: {
                obj.start = reader.uint64Number();
                break;
              }
              case 4: {
                obj.seq = reader.uint64Number();
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
                yield {
                  field: `${prefix}.peer`,
                  value: reader.string(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.run`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.start`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.seq`,
                  value: reader.uint64Number(),
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

  export interface PeerStampPeerFieldEvent {
    field: '$.peer';
    value: string;
  }

  export interface PeerStampRunFieldEvent {
    field: '$.run';
    value: number;
  }

  export interface PeerStampStartFieldEvent {
    field: '$.start';
    value: number;
  }

  export interface PeerStampSeqFieldEvent {
    field: '$.seq';
    value: number;
  }

  export function encode(obj: Partial<PeerStamp>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerStamp.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<PeerStamp>,
  ): PeerStamp {
    return decodeMessage(buf, PeerStamp.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<PeerStamp>,
  ): Generator<
    | PeerStampPeerFieldEvent
    | PeerStampRunFieldEvent
    | PeerStampStartFieldEvent
    | PeerStampSeqFieldEvent
  > {
    return streamMessage(buf, PeerStamp.codec(), opts);
  }
}

export interface P1a {
  config: number;
  ballot?: Ballot;
  fromSlot: number;
  probe: boolean;
  store?: StoreStamp;
}

export namespace P1a {
  let _codec: Codec<P1a>;

  export const codec = (): Codec<P1a> => {
    if (_codec == null) {
      _codec = message<P1a>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.fromSlot != null && obj.fromSlot !== 0) {
            w.uint32(24);
            w.uint64Number(obj.fromSlot);
          }

          if (obj.probe != null && obj.probe !== false) {
            w.uint32(32);
            w.bool(obj.probe);
          }

          if (obj.store != null) {
            w.uint32(42);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            fromSlot: 0,
            probe: false,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.fromSlot = reader.uint64Number();
                break;
              }
              case 4: {
                obj.probe = reader.bool();
                break;
              }
              case 5: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.fromSlot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.probe`,
                  value: reader.bool(),
                };
                break;
              }
              case 5: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface P1aConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface P1aBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface P1aBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface P1aFromSlotFieldEvent {
    field: '$.fromSlot';
    value: number;
  }

  export interface P1aProbeFieldEvent {
    field: '$.probe';
    value: boolean;
  }

  export interface P1aStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface P1aStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface P1aStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<P1a>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, P1a.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<P1a>): P1a {
    return decodeMessage(buf, P1a.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<P1a>,
  ): Generator<
    | P1aConfigFieldEvent
    | P1aBallotRoundFieldEvent
    | P1aBallotLeaderFieldEvent
    | P1aFromSlotFieldEvent
    | P1aProbeFieldEvent
    | P1aStoreRunFieldEvent
    | P1aStoreStartFieldEvent
    | P1aStoreSeqFieldEvent
  > {
    return streamMessage(buf, P1a.codec(), opts);
  }
}

export interface P1b {
  config: number;
  ballot?: Ballot;
  accepted: PValue[];
  watermark: number;
  probe: boolean;
  store?: StoreStamp;
}

export namespace P1b {
  let _codec: Codec<P1b>;

  export const codec = (): Codec<P1b> => {
    if (_codec == null) {
      _codec = message<P1b>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.accepted != null && obj.accepted.length > 0) {
            for (const value of obj.accepted) {
              w.uint32(26);
              PValue.codec().encode(value, w);
            }
          }

          if (obj.watermark != null && obj.watermark !== 0) {
            w.uint32(32);
            w.uint64Number(obj.watermark);
          }

          if (obj.probe != null && obj.probe !== false) {
            w.uint32(40);
            w.bool(obj.probe);
          }

          if (obj.store != null) {
            w.uint32(50);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            accepted: [],
            watermark: 0,
            probe: false,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                if (opts.limits?.accepted != null && obj.accepted.length === opts.limits.accepted) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "accepted" had too many elements',
                  );
                }

                obj.accepted.push(
                  PValue.codec().decode(reader, reader.uint32(), {
                    limits: opts.limits?.accepted$,
                  }),
                );
                break;
              }
              case 4: {
                obj.watermark = reader.uint64Number();
                break;
              }
              case 5: {
                obj.probe = reader.bool();
                break;
              }
              case 6: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
          const obj = {
            accepted: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                if (opts.limits?.accepted != null && obj.accepted === opts.limits.accepted) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "accepted" had too many elements',
                  );
                }

                for (const evt of PValue.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.accepted[]`,
                  {
                    limits: opts.limits?.accepted$,
                  },
                )) {
                  yield {
                    ...evt,
                    index: obj.accepted,
                  };
                }

                obj.accepted++;

                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.watermark`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 5: {
                yield {
                  field: `${prefix}.probe`,
                  value: reader.bool(),
                };
                break;
              }
              case 6: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface P1bConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface P1bBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface P1bBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface P1bAcceptedConfigFieldEvent {
    field: '$.accepted[].config';
    value: number;
    index: number;
  }

  export interface P1bAcceptedBallotRoundFieldEvent {
    field: '$.accepted[].ballot.round';
    value: number;
    index: number;
  }

  export interface P1bAcceptedBallotLeaderFieldEvent {
    field: '$.accepted[].ballot.leader';
    value: string;
    index: number;
  }

  export interface P1bAcceptedSlotFieldEvent {
    field: '$.accepted[].slot';
    value: number;
    index: number;
  }

  export interface P1bAcceptedValueFieldEvent {
    field: '$.accepted[].value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface P1bWatermarkFieldEvent {
    field: '$.watermark';
    value: number;
  }

  export interface P1bProbeFieldEvent {
    field: '$.probe';
    value: boolean;
  }

  export interface P1bStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface P1bStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface P1bStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<P1b>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, P1b.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<P1b>): P1b {
    return decodeMessage(buf, P1b.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<P1b>,
  ): Generator<
    | P1bConfigFieldEvent
    | P1bBallotRoundFieldEvent
    | P1bBallotLeaderFieldEvent
    | P1bAcceptedConfigFieldEvent
    | P1bAcceptedBallotRoundFieldEvent
    | P1bAcceptedBallotLeaderFieldEvent
    | P1bAcceptedSlotFieldEvent
    | P1bAcceptedValueFieldEvent
    | P1bWatermarkFieldEvent
    | P1bProbeFieldEvent
    | P1bStoreRunFieldEvent
    | P1bStoreStartFieldEvent
    | P1bStoreSeqFieldEvent
  > {
    return streamMessage(buf, P1b.codec(), opts);
  }
}

export interface P2a {
  config: number;
  ballot?: Ballot;
  slot: number;
  value: Uint8Array<ArrayBuffer>;
  store?: StoreStamp;
}

export namespace P2a {
  let _codec: Codec<P2a>;

  export const codec = (): Codec<P2a> => {
    if (_codec == null) {
      _codec = message<P2a>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.slot != null && obj.slot !== 0) {
            w.uint32(24);
            w.uint64Number(obj.slot);
          }

          if (obj.value != null && obj.value.byteLength > 0) {
            w.uint32(34);
            w.bytes(obj.value);
          }

          if (obj.store != null) {
            w.uint32(42);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            slot: 0,
            value: uint8ArrayAlloc(0),
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.slot = reader.uint64Number();
                break;
              }
              case 4: {
                obj.value = reader.bytes();
                break;
              }
              case 5: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.slot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.value`,
                  value: reader.bytes(),
                };
                break;
              }
              case 5: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface P2aConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface P2aBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface P2aBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface P2aSlotFieldEvent {
    field: '$.slot';
    value: number;
  }

  export interface P2aValueFieldEvent {
    field: '$.value';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface P2aStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface P2aStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface P2aStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<P2a>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, P2a.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<P2a>): P2a {
    return decodeMessage(buf, P2a.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<P2a>,
  ): Generator<
    | P2aConfigFieldEvent
    | P2aBallotRoundFieldEvent
    | P2aBallotLeaderFieldEvent
    | P2aSlotFieldEvent
    | P2aValueFieldEvent
    | P2aStoreRunFieldEvent
    | P2aStoreStartFieldEvent
    | P2aStoreSeqFieldEvent
  > {
    return streamMessage(buf, P2a.codec(), opts);
  }
}

export interface P2b {
  config: number;
  ballot?: Ballot;
  slot: number;
  proposal?: Ballot;
  store?: StoreStamp;
}

export namespace P2b {
  let _codec: Codec<P2b>;

  export const codec = (): Codec<P2b> => {
    if (_codec == null) {
      _codec = message<P2b>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.slot != null && obj.slot !== 0) {
            w.uint32(24);
            w.uint64Number(obj.slot);
          }

          if (obj.proposal != null) {
            w.uint32(34);
            Ballot.codec().encode(obj.proposal, w);
          }

          if (obj.store != null) {
            w.uint32(42);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            slot: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.slot = reader.uint64Number();
                break;
              }
              case 4: {
                obj.proposal = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.proposal,
                });
                break;
              }
              case 5: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.slot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.proposal`, {
                  limits: opts.limits?.proposal,
                });

                break;
              }
              case 5: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface P2bConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface P2bBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface P2bBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface P2bSlotFieldEvent {
    field: '$.slot';
    value: number;
  }

  export interface P2bProposalRoundFieldEvent {
    field: '$.proposal.round';
    value: number;
  }

  export interface P2bProposalLeaderFieldEvent {
    field: '$.proposal.leader';
    value: string;
  }

  export interface P2bStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface P2bStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface P2bStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<P2b>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, P2b.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<P2b>): P2b {
    return decodeMessage(buf, P2b.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<P2b>,
  ): Generator<
    | P2bConfigFieldEvent
    | P2bBallotRoundFieldEvent
    | P2bBallotLeaderFieldEvent
    | P2bSlotFieldEvent
    | P2bProposalRoundFieldEvent
    | P2bProposalLeaderFieldEvent
    | P2bStoreRunFieldEvent
    | P2bStoreStartFieldEvent
    | P2bStoreSeqFieldEvent
  > {
    return streamMessage(buf, P2b.codec(), opts);
  }
}

export interface Decision {
  slot: number;
  value?: Uint8Array<ArrayBuffer>;
  ballot?: Ballot;
}

export namespace Decision {
  let _codec: Codec<Decision>;

  export const codec = (): Codec<Decision> => {
    if (_codec == null) {
      _codec = message<Decision>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.slot != null && obj.slot !== 0) {
            w.uint32(8);
            w.uint64Number(obj.slot);
          }

          if (obj.value != null) {
            w.uint32(18);
            w.bytes(obj.value);
          }

          if (obj.ballot != null) {
            w.uint32(26);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            slot: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.slot = reader.uint64Number();
                break;
              }
              case 2: {
                obj.value = reader.bytes();
                break;
              }
              case 3: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
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
                yield {
                  field: `${prefix}.slot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.value`,
                  value: reader.bytes(),
                };
                break;
              }
              case 3: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
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

  export interface DecisionSlotFieldEvent {
    field: '$.slot';
    value: number;
  }

  export interface DecisionValueFieldEvent {
    field: '$.value';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface DecisionBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface DecisionBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export function encode(obj: Partial<Decision>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Decision.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Decision>,
  ): Decision {
    return decodeMessage(buf, Decision.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Decision>,
  ): Generator<
    | DecisionSlotFieldEvent
    | DecisionValueFieldEvent
    | DecisionBallotRoundFieldEvent
    | DecisionBallotLeaderFieldEvent
  > {
    return streamMessage(buf, Decision.codec(), opts);
  }
}

export interface Request {
  commands: Uint8Array<ArrayBuffer>;
  hops: number;
  store?: StoreStamp;
}

export namespace Request {
  let _codec: Codec<Request>;

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.commands != null && obj.commands.byteLength > 0) {
            w.uint32(10);
            w.bytes(obj.commands);
          }

          if (obj.hops != null && obj.hops !== 0) {
            w.uint32(16);
            w.uint64Number(obj.hops);
          }

          if (obj.store != null) {
            w.uint32(26);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            commands: uint8ArrayAlloc(0),
            hops: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.commands = reader.bytes();
                break;
              }
              case 2: {
                obj.hops = reader.uint64Number();
                break;
              }
              case 3: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
                yield {
                  field: `${prefix}.commands`,
                  value: reader.bytes(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.hops`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 3: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface RequestCommandsFieldEvent {
    field: '$.commands';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface RequestHopsFieldEvent {
    field: '$.hops';
    value: number;
  }

  export interface RequestStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface RequestStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface RequestStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Request>,
  ): Generator<
    | RequestCommandsFieldEvent
    | RequestHopsFieldEvent
    | RequestStoreRunFieldEvent
    | RequestStoreStartFieldEvent
    | RequestStoreSeqFieldEvent
  > {
    return streamMessage(buf, Request.codec(), opts);
  }
}

export interface Heartbeat {
  config: number;
  ballot?: Ballot;
  seq: number;
  slotOut: number;
  snapshotSlot: number;
  stores: PeerStamp[];
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>;

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.seq != null && obj.seq !== 0) {
            w.uint32(24);
            w.uint64Number(obj.seq);
          }

          if (obj.slotOut != null && obj.slotOut !== 0) {
            w.uint32(32);
            w.uint64Number(obj.slotOut);
          }

          if (obj.snapshotSlot != null && obj.snapshotSlot !== 0) {
            w.uint32(40);
            w.uint64Number(obj.snapshotSlot);
          }

          if (obj.stores != null && obj.stores.length > 0) {
            for (const value of obj.stores) {
              w.uint32(50);
              PeerStamp.codec().encode(value, w);
            }
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            seq: 0,
            slotOut: 0,
            snapshotSlot: 0,
            stores: [],
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.seq = reader.uint64Number();
                break;
              }
              case 4: {
                obj.slotOut = reader.uint64Number();
                break;
              }
              case 5: {
                obj.snapshotSlot = reader.uint64Number();
                break;
              }
              case 6: {
                if (opts.limits?.stores != null && obj.stores.length === opts.limits.stores) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "stores" had too many elements',
                  );
                }

                obj.stores.push(
                  PeerStamp.codec().decode(reader, reader.uint32(), {
                    limits: opts.limits?.stores$,
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
            stores: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.seq`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.slotOut`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 5: {
                yield {
                  field: `${prefix}.snapshotSlot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 6: {
                if (opts.limits?.stores != null && obj.stores === opts.limits.stores) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "stores" had too many elements',
                  );
                }

                for (const evt of PeerStamp.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.stores[]`,
                  {
                    limits: opts.limits?.stores$,
                  },
                )) {
                  yield {
                    ...evt,
                    index: obj.stores,
                  };
                }

                obj.stores++;

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

  export interface HeartbeatConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface HeartbeatBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface HeartbeatBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface HeartbeatSeqFieldEvent {
    field: '$.seq';
    value: number;
  }

  export interface HeartbeatSlotOutFieldEvent {
    field: '$.slotOut';
    value: number;
  }

  export interface HeartbeatSnapshotSlotFieldEvent {
    field: '$.snapshotSlot';
    value: number;
  }

  export interface HeartbeatStoresPeerFieldEvent {
    field: '$.stores[].peer';
    value: string;
    index: number;
  }

  export interface HeartbeatStoresRunFieldEvent {
    field: '$.stores[].run';
    value: number;
    index: number;
  }

  export interface HeartbeatStoresStartFieldEvent {
    field: '$.stores[].start';
    value: number;
    index: number;
  }

  export interface HeartbeatStoresSeqFieldEvent {
    field: '$.stores[].seq';
    value: number;
    index: number;
  }

  export function encode(obj: Partial<Heartbeat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Heartbeat.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Heartbeat>,
  ): Heartbeat {
    return decodeMessage(buf, Heartbeat.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Heartbeat>,
  ): Generator<
    | HeartbeatConfigFieldEvent
    | HeartbeatBallotRoundFieldEvent
    | HeartbeatBallotLeaderFieldEvent
    | HeartbeatSeqFieldEvent
    | HeartbeatSlotOutFieldEvent
    | HeartbeatSnapshotSlotFieldEvent
    | HeartbeatStoresPeerFieldEvent
    | HeartbeatStoresRunFieldEvent
    | HeartbeatStoresStartFieldEvent
    | HeartbeatStoresSeqFieldEvent
  > {
    return streamMessage(buf, Heartbeat.codec(), opts);
  }
}

export interface HeartbeatAck {
  config: number;
  ballot?: Ballot;
  seq: number;
  slotOut: number;
  store?: StoreStamp;
}

export namespace HeartbeatAck {
  let _codec: Codec<HeartbeatAck>;

  export const codec = (): Codec<HeartbeatAck> => {
    if (_codec == null) {
      _codec = message<HeartbeatAck>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.seq != null && obj.seq !== 0) {
            w.uint32(24);
            w.uint64Number(obj.seq);
          }

          if (obj.slotOut != null && obj.slotOut !== 0) {
            w.uint32(32);
            w.uint64Number(obj.slotOut);
          }

          if (obj.store != null) {
            w.uint32(42);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            seq: 0,
            slotOut: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.seq = reader.uint64Number();
                break;
              }
              case 4: {
                obj.slotOut = reader.uint64Number();
                break;
              }
              case 5: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.seq`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.slotOut`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 5: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface HeartbeatAckConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface HeartbeatAckBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface HeartbeatAckBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface HeartbeatAckSeqFieldEvent {
    field: '$.seq';
    value: number;
  }

  export interface HeartbeatAckSlotOutFieldEvent {
    field: '$.slotOut';
    value: number;
  }

  export interface HeartbeatAckStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface HeartbeatAckStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface HeartbeatAckStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<HeartbeatAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeartbeatAck.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<HeartbeatAck>,
  ): HeartbeatAck {
    return decodeMessage(buf, HeartbeatAck.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<HeartbeatAck>,
  ): Generator<
    | HeartbeatAckConfigFieldEvent
    | HeartbeatAckBallotRoundFieldEvent
    | HeartbeatAckBallotLeaderFieldEvent
    | HeartbeatAckSeqFieldEvent
    | HeartbeatAckSlotOutFieldEvent
    | HeartbeatAckStoreRunFieldEvent
    | HeartbeatAckStoreStartFieldEvent
    | HeartbeatAckStoreSeqFieldEvent
  > {
    return streamMessage(buf, HeartbeatAck.codec(), opts);
  }
}

export interface ReadIndexReq {
  id: number;
}

export namespace ReadIndexReq {
  let _codec: Codec<ReadIndexReq>;

  export const codec = (): Codec<ReadIndexReq> => {
    if (_codec == null) {
      _codec = message<ReadIndexReq>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.id != null && obj.id !== 0) {
            w.uint32(8);
            w.uint64Number(obj.id);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            id: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.id = reader.uint64Number();
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
                yield {
                  field: `${prefix}.id`,
                  value: reader.uint64Number(),
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

  export interface ReadIndexReqIdFieldEvent {
    field: '$.id';
    value: number;
  }

  export function encode(obj: Partial<ReadIndexReq>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadIndexReq.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ReadIndexReq>,
  ): ReadIndexReq {
    return decodeMessage(buf, ReadIndexReq.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ReadIndexReq>,
  ): Generator<ReadIndexReqIdFieldEvent> {
    return streamMessage(buf, ReadIndexReq.codec(), opts);
  }
}

export interface ReadIndexResp {
  id: number;
  index: number;
}

export namespace ReadIndexResp {
  let _codec: Codec<ReadIndexResp>;

  export const codec = (): Codec<ReadIndexResp> => {
    if (_codec == null) {
      _codec = message<ReadIndexResp>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.id != null && obj.id !== 0) {
            w.uint32(8);
            w.uint64Number(obj.id);
          }

          if (obj.index != null && obj.index !== 0) {
            w.uint32(16);
            w.sint64Number(obj.index);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            id: 0,
            index: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.id = reader.uint64Number();
                break;
              }
              case 2: {
                obj.index = reader.sint64Number();
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
                yield {
                  field: `${prefix}.id`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.index`,
                  value: reader.sint64Number(),
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

  export interface ReadIndexRespIdFieldEvent {
    field: '$.id';
    value: number;
  }

  export interface ReadIndexRespIndexFieldEvent {
    field: '$.index';
    value: number;
  }

  export function encode(obj: Partial<ReadIndexResp>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReadIndexResp.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ReadIndexResp>,
  ): ReadIndexResp {
    return decodeMessage(buf, ReadIndexResp.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<ReadIndexResp>,
  ): Generator<ReadIndexRespIdFieldEvent | ReadIndexRespIndexFieldEvent> {
    return streamMessage(buf, ReadIndexResp.codec(), opts);
  }
}

export interface CatchupReq {
  fromSlot: number;
  snapshotSlot: number;
  offset: number;
}

export namespace CatchupReq {
  let _codec: Codec<CatchupReq>;

  export const codec = (): Codec<CatchupReq> => {
    if (_codec == null) {
      _codec = message<CatchupReq>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.fromSlot != null && obj.fromSlot !== 0) {
            w.uint32(8);
            w.uint64Number(obj.fromSlot);
          }

          if (obj.snapshotSlot != null && obj.snapshotSlot !== 0) {
            w.uint32(16);
            w.uint64Number(obj.snapshotSlot);
          }

          if (obj.offset != null && obj.offset !== 0) {
            w.uint32(24);
            w.uint64Number(obj.offset);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            fromSlot: 0,
            snapshotSlot: 0,
            offset: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.fromSlot = reader.uint64Number();
                break;
              }
              case 2: {
                obj.snapshotSlot = reader.uint64Number();
                break;
              }
              case 3: {
                obj.offset = reader.uint64Number();
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
                yield {
                  field: `${prefix}.fromSlot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.snapshotSlot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.offset`,
                  value: reader.uint64Number(),
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

  export interface CatchupReqFromSlotFieldEvent {
    field: '$.fromSlot';
    value: number;
  }

  export interface CatchupReqSnapshotSlotFieldEvent {
    field: '$.snapshotSlot';
    value: number;
  }

  export interface CatchupReqOffsetFieldEvent {
    field: '$.offset';
    value: number;
  }

  export function encode(obj: Partial<CatchupReq>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatchupReq.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<CatchupReq>,
  ): CatchupReq {
    return decodeMessage(buf, CatchupReq.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<CatchupReq>,
  ): Generator<
    CatchupReqFromSlotFieldEvent | CatchupReqSnapshotSlotFieldEvent | CatchupReqOffsetFieldEvent
  > {
    return streamMessage(buf, CatchupReq.codec(), opts);
  }
}

export interface CatchupDecisions {
  decisions: Decided[];
  slotOut?: number;
}

export namespace CatchupDecisions {
  let _codec: Codec<CatchupDecisions>;

  export const codec = (): Codec<CatchupDecisions> => {
    if (_codec == null) {
      _codec = message<CatchupDecisions>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.decisions != null && obj.decisions.length > 0) {
            for (const value of obj.decisions) {
              w.uint32(10);
              Decided.codec().encode(value, w);
            }
          }

          if (obj.slotOut != null) {
            w.uint32(16);
            w.uint64Number(obj.slotOut);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            decisions: [],
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                if (
                  opts.limits?.decisions != null &&
                  obj.decisions.length === opts.limits.decisions
                ) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "decisions" had too many elements',
                  );
                }

                obj.decisions.push(
                  Decided.codec().decode(reader, reader.uint32(), {
                    limits: opts.limits?.decisions$,
                  }),
                );
                break;
              }
              case 2: {
                obj.slotOut = reader.uint64Number();
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
            decisions: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                if (opts.limits?.decisions != null && obj.decisions === opts.limits.decisions) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "decisions" had too many elements',
                  );
                }

                for (const evt of Decided.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.decisions[]`,
                  {
                    limits: opts.limits?.decisions$,
                  },
                )) {
                  yield {
                    ...evt,
                    index: obj.decisions,
                  };
                }

                obj.decisions++;

                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.slotOut`,
                  value: reader.uint64Number(),
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

  export interface CatchupDecisionsDecisionsSlotFieldEvent {
    field: '$.decisions[].slot';
    value: number;
    index: number;
  }

  export interface CatchupDecisionsDecisionsValueFieldEvent {
    field: '$.decisions[].value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface CatchupDecisionsSlotOutFieldEvent {
    field: '$.slotOut';
    value: number;
  }

  export function encode(obj: Partial<CatchupDecisions>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatchupDecisions.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<CatchupDecisions>,
  ): CatchupDecisions {
    return decodeMessage(buf, CatchupDecisions.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<CatchupDecisions>,
  ): Generator<
    | CatchupDecisionsDecisionsSlotFieldEvent
    | CatchupDecisionsDecisionsValueFieldEvent
    | CatchupDecisionsSlotOutFieldEvent
  > {
    return streamMessage(buf, CatchupDecisions.codec(), opts);
  }
}

export interface SnapshotChunk {
  slot: number;
  offset: number;
  total: number;
  data: Uint8Array<ArrayBuffer>;
}

export namespace SnapshotChunk {
  let _codec: Codec<SnapshotChunk>;

  export const codec = (): Codec<SnapshotChunk> => {
    if (_codec == null) {
      _codec = message<SnapshotChunk>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.slot != null && obj.slot !== 0) {
            w.uint32(8);
            w.uint64Number(obj.slot);
          }

          if (obj.offset != null && obj.offset !== 0) {
            w.uint32(16);
            w.uint64Number(obj.offset);
          }

          if (obj.total != null && obj.total !== 0) {
            w.uint32(24);
            w.uint64Number(obj.total);
          }

          if (obj.data != null && obj.data.byteLength > 0) {
            w.uint32(34);
            w.bytes(obj.data);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            slot: 0,
            offset: 0,
            total: 0,
            data: uint8ArrayAlloc(0),
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.slot = reader.uint64Number();
                break;
              }
              case 2: {
                obj.offset = reader.uint64Number();
                break;
              }
              case 3: {
                obj.total = reader.uint64Number();
                break;
              }
              case 4: {
                obj.data = reader.bytes();
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
                yield {
                  field: `${prefix}.slot`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.offset`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.total`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 4: {
                yield {
                  field: `${prefix}.data`,
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

  export interface SnapshotChunkSlotFieldEvent {
    field: '$.slot';
    value: number;
  }

  export interface SnapshotChunkOffsetFieldEvent {
    field: '$.offset';
    value: number;
  }

  export interface SnapshotChunkTotalFieldEvent {
    field: '$.total';
    value: number;
  }

  export interface SnapshotChunkDataFieldEvent {
    field: '$.data';
    value: Uint8Array<ArrayBuffer>;
  }

  export function encode(obj: Partial<SnapshotChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SnapshotChunk.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<SnapshotChunk>,
  ): SnapshotChunk {
    return decodeMessage(buf, SnapshotChunk.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<SnapshotChunk>,
  ): Generator<
    | SnapshotChunkSlotFieldEvent
    | SnapshotChunkOffsetFieldEvent
    | SnapshotChunkTotalFieldEvent
    | SnapshotChunkDataFieldEvent
  > {
    return streamMessage(buf, SnapshotChunk.codec(), opts);
  }
}

export interface RolledBack {
  why: string;
  store?: StoreStamp;
}

export namespace RolledBack {
  let _codec: Codec<RolledBack>;

  export const codec = (): Codec<RolledBack> => {
    if (_codec == null) {
      _codec = message<RolledBack>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.why != null && obj.why !== '') {
            w.uint32(10);
            w.string(obj.why);
          }

          if (obj.store != null) {
            w.uint32(18);
            StoreStamp.codec().encode(obj.store, w);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            why: '',
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.why = reader.string();
                break;
              }
              case 2: {
                obj.store = StoreStamp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.store,
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
                yield {
                  field: `${prefix}.why`,
                  value: reader.string(),
                };
                break;
              }
              case 2: {
                yield* StoreStamp.codec().stream(reader, reader.uint32(), `${prefix}.store`, {
                  limits: opts.limits?.store,
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

  export interface RolledBackWhyFieldEvent {
    field: '$.why';
    value: string;
  }

  export interface RolledBackStoreRunFieldEvent {
    field: '$.store.run';
    value: number;
  }

  export interface RolledBackStoreStartFieldEvent {
    field: '$.store.start';
    value: number;
  }

  export interface RolledBackStoreSeqFieldEvent {
    field: '$.store.seq';
    value: number;
  }

  export function encode(obj: Partial<RolledBack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RolledBack.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<RolledBack>,
  ): RolledBack {
    return decodeMessage(buf, RolledBack.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<RolledBack>,
  ): Generator<
    | RolledBackWhyFieldEvent
    | RolledBackStoreRunFieldEvent
    | RolledBackStoreStartFieldEvent
    | RolledBackStoreSeqFieldEvent
  > {
    return streamMessage(buf, RolledBack.codec(), opts);
  }
}

export interface Transfer {
  config: number;
  ballot?: Ballot;
  to: string;
}

export namespace Transfer {
  let _codec: Codec<Transfer>;

  export const codec = (): Codec<Transfer> => {
    if (_codec == null) {
      _codec = message<Transfer>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.config != null && obj.config !== 0) {
            w.uint32(8);
            w.uint64Number(obj.config);
          }

          if (obj.ballot != null) {
            w.uint32(18);
            Ballot.codec().encode(obj.ballot, w);
          }

          if (obj.to != null && obj.to !== '') {
            w.uint32(26);
            w.string(obj.to);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            config: 0,
            to: '',
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                obj.config = reader.uint64Number();
                break;
              }
              case 2: {
                obj.ballot = Ballot.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.ballot,
                });
                break;
              }
              case 3: {
                obj.to = reader.string();
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
                yield {
                  field: `${prefix}.config`,
                  value: reader.uint64Number(),
                };
                break;
              }
              case 2: {
                yield* Ballot.codec().stream(reader, reader.uint32(), `${prefix}.ballot`, {
                  limits: opts.limits?.ballot,
                });

                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.to`,
                  value: reader.string(),
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

  export interface TransferConfigFieldEvent {
    field: '$.config';
    value: number;
  }

  export interface TransferBallotRoundFieldEvent {
    field: '$.ballot.round';
    value: number;
  }

  export interface TransferBallotLeaderFieldEvent {
    field: '$.ballot.leader';
    value: string;
  }

  export interface TransferToFieldEvent {
    field: '$.to';
    value: string;
  }

  export function encode(obj: Partial<Transfer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Transfer.codec());
  }

  export function decode(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Transfer>,
  ): Transfer {
    return decodeMessage(buf, Transfer.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Transfer>,
  ): Generator<
    | TransferConfigFieldEvent
    | TransferBallotRoundFieldEvent
    | TransferBallotLeaderFieldEvent
    | TransferToFieldEvent
  > {
    return streamMessage(buf, Transfer.codec(), opts);
  }
}

export interface Message {
  p1a?: P1a;
  p1b?: P1b;
  p2a?: P2a;
  p2b?: P2b;
  decision?: Decision;
  request?: Request;
  heartbeat?: Heartbeat;
  heartbeatAck?: HeartbeatAck;
  readIndexReq?: ReadIndexReq;
  readIndexResp?: ReadIndexResp;
  catchupReq?: CatchupReq;
  catchupDecisions?: CatchupDecisions;
  snapshotChunk?: SnapshotChunk;
  rolledBack?: RolledBack;
  transfer?: Transfer;
}

export namespace Message {
  let _codec: Codec<Message>;

  export const codec = (): Codec<Message> => {
    if (_codec == null) {
      _codec = message<Message>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          obj = { ...obj };

          if (obj.transfer != null) {
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.rolledBack != null) {
            obj.transfer = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.snapshotChunk != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.catchupDecisions != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.catchupReq != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.readIndexResp != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.readIndexReq != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.heartbeatAck != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.heartbeat != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.request != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.decision != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.p2b != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.p2a != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p1b = undefined;
            obj.p1a = undefined;
          }

          if (obj.p1b != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1a = undefined;
          }

          if (obj.p1a != null) {
            obj.transfer = undefined;
            obj.rolledBack = undefined;
            obj.snapshotChunk = undefined;
            obj.catchupDecisions = undefined;
            obj.catchupReq = undefined;
            obj.readIndexResp = undefined;
            obj.readIndexReq = undefined;
            obj.heartbeatAck = undefined;
            obj.heartbeat = undefined;
            obj.request = undefined;
            obj.decision = undefined;
            obj.p2b = undefined;
            obj.p2a = undefined;
            obj.p1b = undefined;
          }

          if (obj.p1a != null) {
            w.uint32(10);
            P1a.codec().encode(obj.p1a, w);
          }

          if (obj.p1b != null) {
            w.uint32(18);
            P1b.codec().encode(obj.p1b, w);
          }

          if (obj.p2a != null) {
            w.uint32(26);
            P2a.codec().encode(obj.p2a, w);
          }

          if (obj.p2b != null) {
            w.uint32(34);
            P2b.codec().encode(obj.p2b, w);
          }

          if (obj.decision != null) {
            w.uint32(42);
            Decision.codec().encode(obj.decision, w);
          }

          if (obj.request != null) {
            w.uint32(50);
            Request.codec().encode(obj.request, w);
          }

          if (obj.heartbeat != null) {
            w.uint32(58);
            Heartbeat.codec().encode(obj.heartbeat, w);
          }

          if (obj.heartbeatAck != null) {
            w.uint32(66);
            HeartbeatAck.codec().encode(obj.heartbeatAck, w);
          }

          if (obj.readIndexReq != null) {
            w.uint32(74);
            ReadIndexReq.codec().encode(obj.readIndexReq, w);
          }

          if (obj.readIndexResp != null) {
            w.uint32(82);
            ReadIndexResp.codec().encode(obj.readIndexResp, w);
          }

          if (obj.catchupReq != null) {
            w.uint32(90);
            CatchupReq.codec().encode(obj.catchupReq, w);
          }

          if (obj.catchupDecisions != null) {
            w.uint32(98);
            CatchupDecisions.codec().encode(obj.catchupDecisions, w);
          }

          if (obj.snapshotChunk != null) {
            w.uint32(106);
            SnapshotChunk.codec().encode(obj.snapshotChunk, w);
          }

          if (obj.rolledBack != null) {
            w.uint32(114);
            RolledBack.codec().encode(obj.rolledBack, w);
          }

          if (obj.transfer != null) {
            w.uint32(122);
            Transfer.codec().encode(obj.transfer, w);
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
                obj.p1a = P1a.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.p1a,
                });
                break;
              }
              case 2: {
                obj.p1b = P1b.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.p1b,
                });
                break;
              }
              case 3: {
                obj.p2a = P2a.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.p2a,
                });
                break;
              }
              case 4: {
                obj.p2b = P2b.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.p2b,
                });
                break;
              }
              case 5: {
                obj.decision = Decision.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.decision,
                });
                break;
              }
              case 6: {
                obj.request = Request.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.request,
                });
                break;
              }
              case 7: {
                obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.heartbeat,
                });
                break;
              }
              case 8: {
                obj.heartbeatAck = HeartbeatAck.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.heartbeatAck,
                });
                break;
              }
              case 9: {
                obj.readIndexReq = ReadIndexReq.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.readIndexReq,
                });
                break;
              }
              case 10: {
                obj.readIndexResp = ReadIndexResp.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.readIndexResp,
                });
                break;
              }
              case 11: {
                obj.catchupReq = CatchupReq.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.catchupReq,
                });
                break;
              }
              case 12: {
                obj.catchupDecisions = CatchupDecisions.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.catchupDecisions,
                });
                break;
              }
              case 13: {
                obj.snapshotChunk = SnapshotChunk.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.snapshotChunk,
                });
                break;
              }
              case 14: {
                obj.rolledBack = RolledBack.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.rolledBack,
                });
                break;
              }
              case 15: {
                obj.transfer = Transfer.codec().decode(reader, reader.uint32(), {
                  limits: opts.limits?.transfer,
                });
                break;
              }
              default: {
                reader.skipType(tag & 7);
                break;
              }
            }
          }

          if (obj.transfer != null) {
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.rolledBack != null) {
            delete obj.transfer;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.snapshotChunk != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.catchupDecisions != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.catchupReq != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.readIndexResp != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.readIndexReq != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.heartbeatAck != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.heartbeat != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.request != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.decision != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.p2b != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2a;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.p2a != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p1b;
            delete obj.p1a;
          }

          if (obj.p1b != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1a;
          }

          if (obj.p1a != null) {
            delete obj.transfer;
            delete obj.rolledBack;
            delete obj.snapshotChunk;
            delete obj.catchupDecisions;
            delete obj.catchupReq;
            delete obj.readIndexResp;
            delete obj.readIndexReq;
            delete obj.heartbeatAck;
            delete obj.heartbeat;
            delete obj.request;
            delete obj.decision;
            delete obj.p2b;
            delete obj.p2a;
            delete obj.p1b;
          }

          return obj;
        },
        function* (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                yield* P1a.codec().stream(reader, reader.uint32(), `${prefix}.p1a`, {
                  limits: opts.limits?.p1a,
                });

                break;
              }
              case 2: {
                yield* P1b.codec().stream(reader, reader.uint32(), `${prefix}.p1b`, {
                  limits: opts.limits?.p1b,
                });

                break;
              }
              case 3: {
                yield* P2a.codec().stream(reader, reader.uint32(), `${prefix}.p2a`, {
                  limits: opts.limits?.p2a,
                });

                break;
              }
              case 4: {
                yield* P2b.codec().stream(reader, reader.uint32(), `${prefix}.p2b`, {
                  limits: opts.limits?.p2b,
                });

                break;
              }
              case 5: {
                yield* Decision.codec().stream(reader, reader.uint32(), `${prefix}.decision`, {
                  limits: opts.limits?.decision,
                });

                break;
              }
              case 6: {
                yield* Request.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                  limits: opts.limits?.request,
                });

                break;
              }
              case 7: {
                yield* Heartbeat.codec().stream(reader, reader.uint32(), `${prefix}.heartbeat`, {
                  limits: opts.limits?.heartbeat,
                });

                break;
              }
              case 8: {
                yield* HeartbeatAck.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.heartbeatAck`,
                  {
                    limits: opts.limits?.heartbeatAck,
                  },
                );

                break;
              }
              case 9: {
                yield* ReadIndexReq.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.readIndexReq`,
                  {
                    limits: opts.limits?.readIndexReq,
                  },
                );

                break;
              }
              case 10: {
                yield* ReadIndexResp.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.readIndexResp`,
                  {
                    limits: opts.limits?.readIndexResp,
                  },
                );

                break;
              }
              case 11: {
                yield* CatchupReq.codec().stream(reader, reader.uint32(), `${prefix}.catchupReq`, {
                  limits: opts.limits?.catchupReq,
                });

                break;
              }
              case 12: {
                yield* CatchupDecisions.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.catchupDecisions`,
                  {
                    limits: opts.limits?.catchupDecisions,
                  },
                );

                break;
              }
              case 13: {
                yield* SnapshotChunk.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.snapshotChunk`,
                  {
                    limits: opts.limits?.snapshotChunk,
                  },
                );

                break;
              }
              case 14: {
                yield* RolledBack.codec().stream(reader, reader.uint32(), `${prefix}.rolledBack`, {
                  limits: opts.limits?.rolledBack,
                });

                break;
              }
              case 15: {
                yield* Transfer.codec().stream(reader, reader.uint32(), `${prefix}.transfer`, {
                  limits: opts.limits?.transfer,
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

  export interface MessageP1aConfigFieldEvent {
    field: '$.p1a.config';
    value: number;
  }

  export interface MessageP1aBallotRoundFieldEvent {
    field: '$.p1a.ballot.round';
    value: number;
  }

  export interface MessageP1aBallotLeaderFieldEvent {
    field: '$.p1a.ballot.leader';
    value: string;
  }

  export interface MessageP1aFromSlotFieldEvent {
    field: '$.p1a.fromSlot';
    value: number;
  }

  export interface MessageP1aProbeFieldEvent {
    field: '$.p1a.probe';
    value: boolean;
  }

  export interface MessageP1aStoreRunFieldEvent {
    field: '$.p1a.store.run';
    value: number;
  }

  export interface MessageP1aStoreStartFieldEvent {
    field: '$.p1a.store.start';
    value: number;
  }

  export interface MessageP1aStoreSeqFieldEvent {
    field: '$.p1a.store.seq';
    value: number;
  }

  export interface MessageP1bConfigFieldEvent {
    field: '$.p1b.config';
    value: number;
  }

  export interface MessageP1bBallotRoundFieldEvent {
    field: '$.p1b.ballot.round';
    value: number;
  }

  export interface MessageP1bBallotLeaderFieldEvent {
    field: '$.p1b.ballot.leader';
    value: string;
  }

  export interface MessageP1bAcceptedConfigFieldEvent {
    field: '$.p1b.accepted[].config';
    value: number;
    index: number;
  }

  export interface MessageP1bAcceptedBallotRoundFieldEvent {
    field: '$.p1b.accepted[].ballot.round';
    value: number;
    index: number;
  }

  export interface MessageP1bAcceptedBallotLeaderFieldEvent {
    field: '$.p1b.accepted[].ballot.leader';
    value: string;
    index: number;
  }

  export interface MessageP1bAcceptedSlotFieldEvent {
    field: '$.p1b.accepted[].slot';
    value: number;
    index: number;
  }

  export interface MessageP1bAcceptedValueFieldEvent {
    field: '$.p1b.accepted[].value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface MessageP1bWatermarkFieldEvent {
    field: '$.p1b.watermark';
    value: number;
  }

  export interface MessageP1bProbeFieldEvent {
    field: '$.p1b.probe';
    value: boolean;
  }

  export interface MessageP1bStoreRunFieldEvent {
    field: '$.p1b.store.run';
    value: number;
  }

  export interface MessageP1bStoreStartFieldEvent {
    field: '$.p1b.store.start';
    value: number;
  }

  export interface MessageP1bStoreSeqFieldEvent {
    field: '$.p1b.store.seq';
    value: number;
  }

  export interface MessageP2aConfigFieldEvent {
    field: '$.p2a.config';
    value: number;
  }

  export interface MessageP2aBallotRoundFieldEvent {
    field: '$.p2a.ballot.round';
    value: number;
  }

  export interface MessageP2aBallotLeaderFieldEvent {
    field: '$.p2a.ballot.leader';
    value: string;
  }

  export interface MessageP2aSlotFieldEvent {
    field: '$.p2a.slot';
    value: number;
  }

  export interface MessageP2aValueFieldEvent {
    field: '$.p2a.value';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MessageP2aStoreRunFieldEvent {
    field: '$.p2a.store.run';
    value: number;
  }

  export interface MessageP2aStoreStartFieldEvent {
    field: '$.p2a.store.start';
    value: number;
  }

  export interface MessageP2aStoreSeqFieldEvent {
    field: '$.p2a.store.seq';
    value: number;
  }

  export interface MessageP2bConfigFieldEvent {
    field: '$.p2b.config';
    value: number;
  }

  export interface MessageP2bBallotRoundFieldEvent {
    field: '$.p2b.ballot.round';
    value: number;
  }

  export interface MessageP2bBallotLeaderFieldEvent {
    field: '$.p2b.ballot.leader';
    value: string;
  }

  export interface MessageP2bSlotFieldEvent {
    field: '$.p2b.slot';
    value: number;
  }

  export interface MessageP2bProposalRoundFieldEvent {
    field: '$.p2b.proposal.round';
    value: number;
  }

  export interface MessageP2bProposalLeaderFieldEvent {
    field: '$.p2b.proposal.leader';
    value: string;
  }

  export interface MessageP2bStoreRunFieldEvent {
    field: '$.p2b.store.run';
    value: number;
  }

  export interface MessageP2bStoreStartFieldEvent {
    field: '$.p2b.store.start';
    value: number;
  }

  export interface MessageP2bStoreSeqFieldEvent {
    field: '$.p2b.store.seq';
    value: number;
  }

  export interface MessageDecisionSlotFieldEvent {
    field: '$.decision.slot';
    value: number;
  }

  export interface MessageDecisionValueFieldEvent {
    field: '$.decision.value';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MessageDecisionBallotRoundFieldEvent {
    field: '$.decision.ballot.round';
    value: number;
  }

  export interface MessageDecisionBallotLeaderFieldEvent {
    field: '$.decision.ballot.leader';
    value: string;
  }

  export interface MessageRequestCommandsFieldEvent {
    field: '$.request.commands';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MessageRequestHopsFieldEvent {
    field: '$.request.hops';
    value: number;
  }

  export interface MessageRequestStoreRunFieldEvent {
    field: '$.request.store.run';
    value: number;
  }

  export interface MessageRequestStoreStartFieldEvent {
    field: '$.request.store.start';
    value: number;
  }

  export interface MessageRequestStoreSeqFieldEvent {
    field: '$.request.store.seq';
    value: number;
  }

  export interface MessageHeartbeatConfigFieldEvent {
    field: '$.heartbeat.config';
    value: number;
  }

  export interface MessageHeartbeatBallotRoundFieldEvent {
    field: '$.heartbeat.ballot.round';
    value: number;
  }

  export interface MessageHeartbeatBallotLeaderFieldEvent {
    field: '$.heartbeat.ballot.leader';
    value: string;
  }

  export interface MessageHeartbeatSeqFieldEvent {
    field: '$.heartbeat.seq';
    value: number;
  }

  export interface MessageHeartbeatSlotOutFieldEvent {
    field: '$.heartbeat.slotOut';
    value: number;
  }

  export interface MessageHeartbeatSnapshotSlotFieldEvent {
    field: '$.heartbeat.snapshotSlot';
    value: number;
  }

  export interface MessageHeartbeatStoresPeerFieldEvent {
    field: '$.heartbeat.stores[].peer';
    value: string;
    index: number;
  }

  export interface MessageHeartbeatStoresRunFieldEvent {
    field: '$.heartbeat.stores[].run';
    value: number;
    index: number;
  }

  export interface MessageHeartbeatStoresStartFieldEvent {
    field: '$.heartbeat.stores[].start';
    value: number;
    index: number;
  }

  export interface MessageHeartbeatStoresSeqFieldEvent {
    field: '$.heartbeat.stores[].seq';
    value: number;
    index: number;
  }

  export interface MessageHeartbeatAckConfigFieldEvent {
    field: '$.heartbeatAck.config';
    value: number;
  }

  export interface MessageHeartbeatAckBallotRoundFieldEvent {
    field: '$.heartbeatAck.ballot.round';
    value: number;
  }

  export interface MessageHeartbeatAckBallotLeaderFieldEvent {
    field: '$.heartbeatAck.ballot.leader';
    value: string;
  }

  export interface MessageHeartbeatAckSeqFieldEvent {
    field: '$.heartbeatAck.seq';
    value: number;
  }

  export interface MessageHeartbeatAckSlotOutFieldEvent {
    field: '$.heartbeatAck.slotOut';
    value: number;
  }

  export interface MessageHeartbeatAckStoreRunFieldEvent {
    field: '$.heartbeatAck.store.run';
    value: number;
  }

  export interface MessageHeartbeatAckStoreStartFieldEvent {
    field: '$.heartbeatAck.store.start';
    value: number;
  }

  export interface MessageHeartbeatAckStoreSeqFieldEvent {
    field: '$.heartbeatAck.store.seq';
    value: number;
  }

  export interface MessageReadIndexReqIdFieldEvent {
    field: '$.readIndexReq.id';
    value: number;
  }

  export interface MessageReadIndexRespIdFieldEvent {
    field: '$.readIndexResp.id';
    value: number;
  }

  export interface MessageReadIndexRespIndexFieldEvent {
    field: '$.readIndexResp.index';
    value: number;
  }

  export interface MessageCatchupReqFromSlotFieldEvent {
    field: '$.catchupReq.fromSlot';
    value: number;
  }

  export interface MessageCatchupReqSnapshotSlotFieldEvent {
    field: '$.catchupReq.snapshotSlot';
    value: number;
  }

  export interface MessageCatchupReqOffsetFieldEvent {
    field: '$.catchupReq.offset';
    value: number;
  }

  export interface MessageCatchupDecisionsDecisionsSlotFieldEvent {
    field: '$.catchupDecisions.decisions[].slot';
    value: number;
    index: number;
  }

  export interface MessageCatchupDecisionsDecisionsValueFieldEvent {
    field: '$.catchupDecisions.decisions[].value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface MessageCatchupDecisionsSlotOutFieldEvent {
    field: '$.catchupDecisions.slotOut';
    value: number;
  }

  export interface MessageSnapshotChunkSlotFieldEvent {
    field: '$.snapshotChunk.slot';
    value: number;
  }

  export interface MessageSnapshotChunkOffsetFieldEvent {
    field: '$.snapshotChunk.offset';
    value: number;
  }

  export interface MessageSnapshotChunkTotalFieldEvent {
    field: '$.snapshotChunk.total';
    value: number;
  }

  export interface MessageSnapshotChunkDataFieldEvent {
    field: '$.snapshotChunk.data';
    value: Uint8Array<ArrayBuffer>;
  }

  export interface MessageRolledBackWhyFieldEvent {
    field: '$.rolledBack.why';
    value: string;
  }

  export interface MessageRolledBackStoreRunFieldEvent {
    field: '$.rolledBack.store.run';
    value: number;
  }

  export interface MessageRolledBackStoreStartFieldEvent {
    field: '$.rolledBack.store.start';
    value: number;
  }

  export interface MessageRolledBackStoreSeqFieldEvent {
    field: '$.rolledBack.store.seq';
    value: number;
  }

  export interface MessageTransferConfigFieldEvent {
    field: '$.transfer.config';
    value: number;
  }

  export interface MessageTransferBallotRoundFieldEvent {
    field: '$.transfer.ballot.round';
    value: number;
  }

  export interface MessageTransferBallotLeaderFieldEvent {
    field: '$.transfer.ballot.leader';
    value: string;
  }

  export interface MessageTransferToFieldEvent {
    field: '$.transfer.to';
    value: string;
  }

  export function encode(obj: Partial<Message>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Message.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Message>): Message {
    return decodeMessage(buf, Message.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Message>,
  ): Generator<
    | MessageP1aConfigFieldEvent
    | MessageP1aBallotRoundFieldEvent
    | MessageP1aBallotLeaderFieldEvent
    | MessageP1aFromSlotFieldEvent
    | MessageP1aProbeFieldEvent
    | MessageP1aStoreRunFieldEvent
    | MessageP1aStoreStartFieldEvent
    | MessageP1aStoreSeqFieldEvent
    | MessageP1bConfigFieldEvent
    | MessageP1bBallotRoundFieldEvent
    | MessageP1bBallotLeaderFieldEvent
    | MessageP1bAcceptedConfigFieldEvent
    | MessageP1bAcceptedBallotRoundFieldEvent
    | MessageP1bAcceptedBallotLeaderFieldEvent
    | MessageP1bAcceptedSlotFieldEvent
    | MessageP1bAcceptedValueFieldEvent
    | MessageP1bWatermarkFieldEvent
    | MessageP1bProbeFieldEvent
    | MessageP1bStoreRunFieldEvent
    | MessageP1bStoreStartFieldEvent
    | MessageP1bStoreSeqFieldEvent
    | MessageP2aConfigFieldEvent
    | MessageP2aBallotRoundFieldEvent
    | MessageP2aBallotLeaderFieldEvent
    | MessageP2aSlotFieldEvent
    | MessageP2aValueFieldEvent
    | MessageP2aStoreRunFieldEvent
    | MessageP2aStoreStartFieldEvent
    | MessageP2aStoreSeqFieldEvent
    | MessageP2bConfigFieldEvent
    | MessageP2bBallotRoundFieldEvent
    | MessageP2bBallotLeaderFieldEvent
    | MessageP2bSlotFieldEvent
    | MessageP2bProposalRoundFieldEvent
    | MessageP2bProposalLeaderFieldEvent
    | MessageP2bStoreRunFieldEvent
    | MessageP2bStoreStartFieldEvent
    | MessageP2bStoreSeqFieldEvent
    | MessageDecisionSlotFieldEvent
    | MessageDecisionValueFieldEvent
    | MessageDecisionBallotRoundFieldEvent
    | MessageDecisionBallotLeaderFieldEvent
    | MessageRequestCommandsFieldEvent
    | MessageRequestHopsFieldEvent
    | MessageRequestStoreRunFieldEvent
    | MessageRequestStoreStartFieldEvent
    | MessageRequestStoreSeqFieldEvent
    | MessageHeartbeatConfigFieldEvent
    | MessageHeartbeatBallotRoundFieldEvent
    | MessageHeartbeatBallotLeaderFieldEvent
    | MessageHeartbeatSeqFieldEvent
    | MessageHeartbeatSlotOutFieldEvent
    | MessageHeartbeatSnapshotSlotFieldEvent
    | MessageHeartbeatStoresPeerFieldEvent
    | MessageHeartbeatStoresRunFieldEvent
    | MessageHeartbeatStoresStartFieldEvent
    | MessageHeartbeatStoresSeqFieldEvent
    | MessageHeartbeatAckConfigFieldEvent
    | MessageHeartbeatAckBallotRoundFieldEvent
    | MessageHeartbeatAckBallotLeaderFieldEvent
    | MessageHeartbeatAckSeqFieldEvent
    | MessageHeartbeatAckSlotOutFieldEvent
    | MessageHeartbeatAckStoreRunFieldEvent
    | MessageHeartbeatAckStoreStartFieldEvent
    | MessageHeartbeatAckStoreSeqFieldEvent
    | MessageReadIndexReqIdFieldEvent
    | MessageReadIndexRespIdFieldEvent
    | MessageReadIndexRespIndexFieldEvent
    | MessageCatchupReqFromSlotFieldEvent
    | MessageCatchupReqSnapshotSlotFieldEvent
    | MessageCatchupReqOffsetFieldEvent
    | MessageCatchupDecisionsDecisionsSlotFieldEvent
    | MessageCatchupDecisionsDecisionsValueFieldEvent
    | MessageCatchupDecisionsSlotOutFieldEvent
    | MessageSnapshotChunkSlotFieldEvent
    | MessageSnapshotChunkOffsetFieldEvent
    | MessageSnapshotChunkTotalFieldEvent
    | MessageSnapshotChunkDataFieldEvent
    | MessageRolledBackWhyFieldEvent
    | MessageRolledBackStoreRunFieldEvent
    | MessageRolledBackStoreStartFieldEvent
    | MessageRolledBackStoreSeqFieldEvent
    | MessageTransferConfigFieldEvent
    | MessageTransferBallotRoundFieldEvent
    | MessageTransferBallotLeaderFieldEvent
    | MessageTransferToFieldEvent
  > {
    return streamMessage(buf, Message.codec(), opts);
  }
}

export interface Frame {
  messages: Message[];
  ping?: number;
  pong?: number;
  logId?: string;
}

export namespace Frame {
  let _codec: Codec<Frame>;

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>(
        (obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork();
          }

          if (obj.messages != null && obj.messages.length > 0) {
            for (const value of obj.messages) {
              w.uint32(10);
              Message.codec().encode(value, w);
            }
          }

          if (obj.ping != null) {
            w.uint32(17);
            w.double(obj.ping);
          }

          if (obj.pong != null) {
            w.uint32(25);
            w.double(obj.pong);
          }

          if (obj.logId != null) {
            w.uint32(34);
            w.string(obj.logId);
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim();
          }
        },
        (reader, length, opts = {}) => {
          const obj: any = {
            messages: [],
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                  throw new MaxLengthError(
                    'Decode error - repeated field "messages" had too many elements',
                  );
                }

                obj.messages.push(
                  Message.codec().decode(reader, reader.uint32(), {
                    limits: opts.limits?.messages$,
                  }),
                );
                break;
              }
              case 2: {
                obj.ping = reader.double();
                break;
              }
              case 3: {
                obj.pong = reader.double();
                break;
              }
              case 4: {
                obj.logId = reader.string();
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
            messages: 0,
          };

          const end = length == null ? reader.len : reader.pos + length;

          while (reader.pos < end) {
            const tag = reader.uint32();

            switch (tag >>> 3) {
              case 1: {
                if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                  throw new MaxLengthError(
                    'Streaming decode error - repeated field "messages" had too many elements',
                  );
                }

                for (const evt of Message.codec().stream(
                  reader,
                  reader.uint32(),
                  `${prefix}.messages[]`,
                  {
                    limits: opts.limits?.messages$,
                  },
                )) {
                  yield {
                    ...evt,
                    index: obj.messages,
                  };
                }

                obj.messages++;

                break;
              }
              case 2: {
                yield {
                  field: `${prefix}.ping`,
                  value: reader.double(),
                };
                break;
              }
              case 3: {
                yield {
                  field: `${prefix}.pong`,
                  value: reader.double(),
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

  export interface FrameMessagesP1aConfigFieldEvent {
    field: '$.messages[].p1a.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1aBallotRoundFieldEvent {
    field: '$.messages[].p1a.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1aBallotLeaderFieldEvent {
    field: '$.messages[].p1a.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesP1aFromSlotFieldEvent {
    field: '$.messages[].p1a.fromSlot';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1aProbeFieldEvent {
    field: '$.messages[].p1a.probe';
    value: boolean;
    index: number;
  }

  export interface FrameMessagesP1aStoreRunFieldEvent {
    field: '$.messages[].p1a.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1aStoreStartFieldEvent {
    field: '$.messages[].p1a.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1aStoreSeqFieldEvent {
    field: '$.messages[].p1a.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bConfigFieldEvent {
    field: '$.messages[].p1b.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bBallotRoundFieldEvent {
    field: '$.messages[].p1b.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bBallotLeaderFieldEvent {
    field: '$.messages[].p1b.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesP1bAcceptedConfigFieldEvent {
    field: '$.messages[].p1b.accepted[].config';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bAcceptedBallotRoundFieldEvent {
    field: '$.messages[].p1b.accepted[].ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bAcceptedBallotLeaderFieldEvent {
    field: '$.messages[].p1b.accepted[].ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesP1bAcceptedSlotFieldEvent {
    field: '$.messages[].p1b.accepted[].slot';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bAcceptedValueFieldEvent {
    field: '$.messages[].p1b.accepted[].value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface FrameMessagesP1bWatermarkFieldEvent {
    field: '$.messages[].p1b.watermark';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bProbeFieldEvent {
    field: '$.messages[].p1b.probe';
    value: boolean;
    index: number;
  }

  export interface FrameMessagesP1bStoreRunFieldEvent {
    field: '$.messages[].p1b.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bStoreStartFieldEvent {
    field: '$.messages[].p1b.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesP1bStoreSeqFieldEvent {
    field: '$.messages[].p1b.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2aConfigFieldEvent {
    field: '$.messages[].p2a.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2aBallotRoundFieldEvent {
    field: '$.messages[].p2a.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2aBallotLeaderFieldEvent {
    field: '$.messages[].p2a.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesP2aSlotFieldEvent {
    field: '$.messages[].p2a.slot';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2aValueFieldEvent {
    field: '$.messages[].p2a.value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface FrameMessagesP2aStoreRunFieldEvent {
    field: '$.messages[].p2a.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2aStoreStartFieldEvent {
    field: '$.messages[].p2a.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2aStoreSeqFieldEvent {
    field: '$.messages[].p2a.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bConfigFieldEvent {
    field: '$.messages[].p2b.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bBallotRoundFieldEvent {
    field: '$.messages[].p2b.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bBallotLeaderFieldEvent {
    field: '$.messages[].p2b.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesP2bSlotFieldEvent {
    field: '$.messages[].p2b.slot';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bProposalRoundFieldEvent {
    field: '$.messages[].p2b.proposal.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bProposalLeaderFieldEvent {
    field: '$.messages[].p2b.proposal.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesP2bStoreRunFieldEvent {
    field: '$.messages[].p2b.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bStoreStartFieldEvent {
    field: '$.messages[].p2b.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesP2bStoreSeqFieldEvent {
    field: '$.messages[].p2b.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesDecisionSlotFieldEvent {
    field: '$.messages[].decision.slot';
    value: number;
    index: number;
  }

  export interface FrameMessagesDecisionValueFieldEvent {
    field: '$.messages[].decision.value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface FrameMessagesDecisionBallotRoundFieldEvent {
    field: '$.messages[].decision.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesDecisionBallotLeaderFieldEvent {
    field: '$.messages[].decision.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesRequestCommandsFieldEvent {
    field: '$.messages[].request.commands';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface FrameMessagesRequestHopsFieldEvent {
    field: '$.messages[].request.hops';
    value: number;
    index: number;
  }

  export interface FrameMessagesRequestStoreRunFieldEvent {
    field: '$.messages[].request.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesRequestStoreStartFieldEvent {
    field: '$.messages[].request.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesRequestStoreSeqFieldEvent {
    field: '$.messages[].request.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatConfigFieldEvent {
    field: '$.messages[].heartbeat.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatBallotRoundFieldEvent {
    field: '$.messages[].heartbeat.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatBallotLeaderFieldEvent {
    field: '$.messages[].heartbeat.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesHeartbeatSeqFieldEvent {
    field: '$.messages[].heartbeat.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatSlotOutFieldEvent {
    field: '$.messages[].heartbeat.slotOut';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatSnapshotSlotFieldEvent {
    field: '$.messages[].heartbeat.snapshotSlot';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatStoresPeerFieldEvent {
    field: '$.messages[].heartbeat.stores[].peer';
    value: string;
    index: number;
  }

  export interface FrameMessagesHeartbeatStoresRunFieldEvent {
    field: '$.messages[].heartbeat.stores[].run';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatStoresStartFieldEvent {
    field: '$.messages[].heartbeat.stores[].start';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatStoresSeqFieldEvent {
    field: '$.messages[].heartbeat.stores[].seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckConfigFieldEvent {
    field: '$.messages[].heartbeatAck.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckBallotRoundFieldEvent {
    field: '$.messages[].heartbeatAck.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckBallotLeaderFieldEvent {
    field: '$.messages[].heartbeatAck.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckSeqFieldEvent {
    field: '$.messages[].heartbeatAck.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckSlotOutFieldEvent {
    field: '$.messages[].heartbeatAck.slotOut';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckStoreRunFieldEvent {
    field: '$.messages[].heartbeatAck.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckStoreStartFieldEvent {
    field: '$.messages[].heartbeatAck.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesHeartbeatAckStoreSeqFieldEvent {
    field: '$.messages[].heartbeatAck.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesReadIndexReqIdFieldEvent {
    field: '$.messages[].readIndexReq.id';
    value: number;
    index: number;
  }

  export interface FrameMessagesReadIndexRespIdFieldEvent {
    field: '$.messages[].readIndexResp.id';
    value: number;
    index: number;
  }

  export interface FrameMessagesReadIndexRespIndexFieldEvent {
    field: '$.messages[].readIndexResp.index';
    value: number;
    index: number;
  }

  export interface FrameMessagesCatchupReqFromSlotFieldEvent {
    field: '$.messages[].catchupReq.fromSlot';
    value: number;
    index: number;
  }

  export interface FrameMessagesCatchupReqSnapshotSlotFieldEvent {
    field: '$.messages[].catchupReq.snapshotSlot';
    value: number;
    index: number;
  }

  export interface FrameMessagesCatchupReqOffsetFieldEvent {
    field: '$.messages[].catchupReq.offset';
    value: number;
    index: number;
  }

  export interface FrameMessagesCatchupDecisionsDecisionsSlotFieldEvent {
    field: '$.messages[].catchupDecisions.decisions[].slot';
    value: number;
    index: number;
  }

  export interface FrameMessagesCatchupDecisionsDecisionsValueFieldEvent {
    field: '$.messages[].catchupDecisions.decisions[].value';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface FrameMessagesCatchupDecisionsSlotOutFieldEvent {
    field: '$.messages[].catchupDecisions.slotOut';
    value: number;
    index: number;
  }

  export interface FrameMessagesSnapshotChunkSlotFieldEvent {
    field: '$.messages[].snapshotChunk.slot';
    value: number;
    index: number;
  }

  export interface FrameMessagesSnapshotChunkOffsetFieldEvent {
    field: '$.messages[].snapshotChunk.offset';
    value: number;
    index: number;
  }

  export interface FrameMessagesSnapshotChunkTotalFieldEvent {
    field: '$.messages[].snapshotChunk.total';
    value: number;
    index: number;
  }

  export interface FrameMessagesSnapshotChunkDataFieldEvent {
    field: '$.messages[].snapshotChunk.data';
    value: Uint8Array<ArrayBuffer>;
    index: number;
  }

  export interface FrameMessagesRolledBackWhyFieldEvent {
    field: '$.messages[].rolledBack.why';
    value: string;
    index: number;
  }

  export interface FrameMessagesRolledBackStoreRunFieldEvent {
    field: '$.messages[].rolledBack.store.run';
    value: number;
    index: number;
  }

  export interface FrameMessagesRolledBackStoreStartFieldEvent {
    field: '$.messages[].rolledBack.store.start';
    value: number;
    index: number;
  }

  export interface FrameMessagesRolledBackStoreSeqFieldEvent {
    field: '$.messages[].rolledBack.store.seq';
    value: number;
    index: number;
  }

  export interface FrameMessagesTransferConfigFieldEvent {
    field: '$.messages[].transfer.config';
    value: number;
    index: number;
  }

  export interface FrameMessagesTransferBallotRoundFieldEvent {
    field: '$.messages[].transfer.ballot.round';
    value: number;
    index: number;
  }

  export interface FrameMessagesTransferBallotLeaderFieldEvent {
    field: '$.messages[].transfer.ballot.leader';
    value: string;
    index: number;
  }

  export interface FrameMessagesTransferToFieldEvent {
    field: '$.messages[].transfer.to';
    value: string;
    index: number;
  }

  export interface FramePingFieldEvent {
    field: '$.ping';
    value: number;
  }

  export interface FramePongFieldEvent {
    field: '$.pong';
    value: number;
  }

  export interface FrameLogIdFieldEvent {
    field: '$.logId';
    value: string;
  }

  export function encode(obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec());
  }

  export function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts);
  }

  export function stream(
    buf: Uint8Array | Uint8ArrayList,
    opts?: DecodeOptions<Frame>,
  ): Generator<
    | FrameMessagesP1aConfigFieldEvent
    | FrameMessagesP1aBallotRoundFieldEvent
    | FrameMessagesP1aBallotLeaderFieldEvent
    | FrameMessagesP1aFromSlotFieldEvent
    | FrameMessagesP1aProbeFieldEvent
    | FrameMessagesP1aStoreRunFieldEvent
    | FrameMessagesP1aStoreStartFieldEvent
    | FrameMessagesP1aStoreSeqFieldEvent
    | FrameMessagesP1bConfigFieldEvent
    | FrameMessagesP1bBallotRoundFieldEvent
    | FrameMessagesP1bBallotLeaderFieldEvent
    | FrameMessagesP1bAcceptedConfigFieldEvent
    | FrameMessagesP1bAcceptedBallotRoundFieldEvent
    | FrameMessagesP1bAcceptedBallotLeaderFieldEvent
    | FrameMessagesP1bAcceptedSlotFieldEvent
    | FrameMessagesP1bAcceptedValueFieldEvent
    | FrameMessagesP1bWatermarkFieldEvent
    | FrameMessagesP1bProbeFieldEvent
    | FrameMessagesP1bStoreRunFieldEvent
    | FrameMessagesP1bStoreStartFieldEvent
    | FrameMessagesP1bStoreSeqFieldEvent
    | FrameMessagesP2aConfigFieldEvent
    | FrameMessagesP2aBallotRoundFieldEvent
    | FrameMessagesP2aBallotLeaderFieldEvent
    | FrameMessagesP2aSlotFieldEvent
    | FrameMessagesP2aValueFieldEvent
    | FrameMessagesP2aStoreRunFieldEvent
    | FrameMessagesP2aStoreStartFieldEvent
    | FrameMessagesP2aStoreSeqFieldEvent
    | FrameMessagesP2bConfigFieldEvent
    | FrameMessagesP2bBallotRoundFieldEvent
    | FrameMessagesP2bBallotLeaderFieldEvent
    | FrameMessagesP2bSlotFieldEvent
    | FrameMessagesP2bProposalRoundFieldEvent
    | FrameMessagesP2bProposalLeaderFieldEvent
    | FrameMessagesP2bStoreRunFieldEvent
    | FrameMessagesP2bStoreStartFieldEvent
    | FrameMessagesP2bStoreSeqFieldEvent
    | FrameMessagesDecisionSlotFieldEvent
    | FrameMessagesDecisionValueFieldEvent
    | FrameMessagesDecisionBallotRoundFieldEvent
    | FrameMessagesDecisionBallotLeaderFieldEvent
    | FrameMessagesRequestCommandsFieldEvent
    | FrameMessagesRequestHopsFieldEvent
    | FrameMessagesRequestStoreRunFieldEvent
    | FrameMessagesRequestStoreStartFieldEvent
    | FrameMessagesRequestStoreSeqFieldEvent
    | FrameMessagesHeartbeatConfigFieldEvent
    | FrameMessagesHeartbeatBallotRoundFieldEvent
    | FrameMessagesHeartbeatBallotLeaderFieldEvent
    | FrameMessagesHeartbeatSeqFieldEvent
    | FrameMessagesHeartbeatSlotOutFieldEvent
    | FrameMessagesHeartbeatSnapshotSlotFieldEvent
    | FrameMessagesHeartbeatStoresPeerFieldEvent
    | FrameMessagesHeartbeatStoresRunFieldEvent
    | FrameMessagesHeartbeatStoresStartFieldEvent
    | FrameMessagesHeartbeatStoresSeqFieldEvent
    | FrameMessagesHeartbeatAckConfigFieldEvent
    | FrameMessagesHeartbeatAckBallotRoundFieldEvent
    | FrameMessagesHeartbeatAckBallotLeaderFieldEvent
    | FrameMessagesHeartbeatAckSeqFieldEvent
    | FrameMessagesHeartbeatAckSlotOutFieldEvent
    | FrameMessagesHeartbeatAckStoreRunFieldEvent
    | FrameMessagesHeartbeatAckStoreStartFieldEvent
    | FrameMessagesHeartbeatAckStoreSeqFieldEvent
    | FrameMessagesReadIndexReqIdFieldEvent
    | FrameMessagesReadIndexRespIdFieldEvent
    | FrameMessagesReadIndexRespIndexFieldEvent
    | FrameMessagesCatchupReqFromSlotFieldEvent
    | FrameMessagesCatchupReqSnapshotSlotFieldEvent
    | FrameMessagesCatchupReqOffsetFieldEvent
    | FrameMessagesCatchupDecisionsDecisionsSlotFieldEvent
    | FrameMessagesCatchupDecisionsDecisionsValueFieldEvent
    | FrameMessagesCatchupDecisionsSlotOutFieldEvent
    | FrameMessagesSnapshotChunkSlotFieldEvent
    | FrameMessagesSnapshotChunkOffsetFieldEvent
    | FrameMessagesSnapshotChunkTotalFieldEvent
    | FrameMessagesSnapshotChunkDataFieldEvent
    | FrameMessagesRolledBackWhyFieldEvent
    | FrameMessagesRolledBackStoreRunFieldEvent
    | FrameMessagesRolledBackStoreStartFieldEvent
    | FrameMessagesRolledBackStoreSeqFieldEvent
    | FrameMessagesTransferConfigFieldEvent
    | FrameMessagesTransferBallotRoundFieldEvent
    | FrameMessagesTransferBallotLeaderFieldEvent
    | FrameMessagesTransferToFieldEvent
    | FramePingFieldEvent
    | FramePongFieldEvent
    | FrameLogIdFieldEvent
  > {
    return streamMessage(buf, Frame.codec(), opts);
  }
}

/**
 * The .proto files are generated from the codec's tables (src/codec/*-schema.ts): this test
 * fails when they differ, and `npm run proto -w @synod/transport-libp2p` rewrites them (and the
 * protons reference codec under test/oracle/ that the codec tests compare with).
 */
import { describe, expect, it } from 'vitest';
import { INVITE_REQUEST_PROTO } from '../src/codec/invite-request-schema.js';
import { JOIN_PROTO } from '../src/codec/join-schema.js';
import { PAXOS_PROTO } from '../src/codec/paxos-schema.js';
import { protoText } from '../src/codec/proto-text.js';

describe('schema files', () => {
  it('proto/paxos.proto is what the tables declare', async () => {
    await expect(protoText(PAXOS_PROTO)).toMatchFileSnapshot('../proto/paxos.proto');
  });

  it('proto/join.proto is what the tables declare', async () => {
    await expect(protoText(JOIN_PROTO)).toMatchFileSnapshot('../proto/join.proto');
  });

  it('proto/invite-request.proto is what the tables declare', async () => {
    await expect(protoText(INVITE_REQUEST_PROTO)).toMatchFileSnapshot(
      '../proto/invite-request.proto',
    );
  });
});

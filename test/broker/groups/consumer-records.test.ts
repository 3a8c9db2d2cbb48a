/**
 * ConsumerGroupMemberMetadataValue's tag 0 (ClassicMemberMetadata, KIP-848 online migration): written
 * only for a classic member, as Kafka's generated code writes a nullable struct in a tagged field (a
 * presence byte, the session timeout, the protocols), and read back the same; a consumer-protocol
 * member's value has no tagged field, as before.
 */
import { describe, expect, it } from 'vitest';
import { newMember, type ConsumerGroupMember } from '../../../electron/broker/groups/consumer-group';
import { decodeMemberMetadataValue, encodeMemberMetadataValue } from '../../../electron/broker/groups/consumer-records';

const base: ConsumerGroupMember = {
  ...newMember('m-1'),
  clientId: 'c',
  clientHost: '/127.0.0.1',
  subscribedTopicNames: ['orders'],
  rebalanceTimeoutMs: 30_000,
};

describe('ConsumerGroupMemberMetadataValue', () => {
  it('has no tagged field for a consumer-protocol member', () => {
    const bytes = encodeMemberMetadataValue(base);
    expect(bytes[bytes.length - 1]).toBe(0);
    expect(decodeMemberMetadataValue(bytes).classicMetadata).toBeNull();
  });

  it('writes a classic member metadata as tag 0 (presence byte, session timeout, protocols) and reads it back', () => {
    const classic = {
      sessionTimeoutMs: 10_000,
      supportedProtocols: [
        { name: 'range', metadata: Buffer.from([0, 1, 2, 3]) },
        { name: 'roundrobin', metadata: Buffer.from([9]) },
      ],
    };
    const bytes = encodeMemberMetadataValue({ ...base, classicMetadata: classic });
    const plain = encodeMemberMetadataValue(base);
    // The same fields, then one tagged field instead of none: count 1, tag 0, size, then the struct.
    expect(bytes.subarray(0, plain.length - 1).equals(plain.subarray(0, plain.length - 1))).toBe(true);
    const tagged = bytes.subarray(plain.length - 1);
    expect([tagged[0], tagged[1]]).toEqual([1, 0]);
    const struct = tagged.subarray(3);
    expect(tagged[2]).toBe(struct.length);
    expect(struct[0]).toBe(1);
    expect(struct.readInt32BE(1)).toBe(10_000);
    expect(struct[5]).toBe(3); // compact array of 2
    expect(decodeMemberMetadataValue(bytes).classicMetadata).toEqual(classic);
  });
});

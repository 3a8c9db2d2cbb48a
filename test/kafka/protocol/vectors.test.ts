/**
 * Byte-exact layouts, checked by hand against the protocol guide and the JSON definitions, so the
 * round-trip tests are not only self-consistent.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError, ProtocolEncodeError } from '../../../electron/kafka/protocol/errors';
import {
  ApiVersions,
  createApiVersionsResponse,
  createConsumerProtocolSubscription,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
  createFetchResponse,
  createFetchResponseFetchableTopicResponse,
  createFetchResponsePartitionData,
  createMetadataRequest,
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  decodeFetchResponse,
  decodeMetadataRequest,
  decodeProduceRequest,
  encodeApiVersionsRequest,
  encodeApiVersionsResponse,
  encodeFetchResponse,
  encodeMetadataRequest,
  encodeProduceRequest,
  type ApiVersionsResponse,
  type ProduceRequest,
} from '../../../electron/kafka/protocol/generated/index';
import {
  decodeRequestHeader,
  decodeRequestHeaderVersion,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { ErrorCode, errorInfo, errorName } from '../../../electron/kafka/protocol/error-codes';
import { ApiKey, apiKeyName } from '../../../electron/kafka/protocol/api-keys';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function encode<T>(fn: (w: Writer, version: number, v: T) => void, version: number, value: T): string {
  const w = new Writer();
  fn(w, version, value);
  return w.toBuffer().toString('hex');
}

const apiVersionsValue = (): ApiVersionsResponse => ({
  ...createApiVersionsResponse(),
  apiKeys: [
    { apiKey: 0, minVersion: 0, maxVersion: 11 },
    { apiKey: 18, minVersion: 0, maxVersion: 4 },
  ],
});

describe('ApiVersions response layout', () => {
  it('v0: errorCode INT16, apiKeys ARRAY(INT32 count) of (INT16 key, INT16 min, INT16 max)', () => {
    const bytes = encode(encodeApiVersionsResponse, 0, apiVersionsValue());
    expect(bytes).toBe(
      '0000' + // error code
        '00000002' + // array length
        '0000' +
        '0000' +
        '000b' + // Produce 0-11
        '0012' +
        '0000' +
        '0004', // ApiVersions 0-4
    );
    const decoded = decodeApiVersionsResponse(new Reader(hex(bytes)), 0);
    expect(decoded.apiKeys).toEqual(apiVersionsValue().apiKeys);
    expect(decoded.throttleTimeMs).toBe(0);
    expect(decoded.finalizedFeaturesEpoch).toBe(-1n);
  });

  it('v1 adds throttleTimeMs INT32 after the array', () => {
    const bytes = encode(encodeApiVersionsResponse, 1, { ...apiVersionsValue(), apiKeys: [], throttleTimeMs: 100 });
    expect(bytes).toBe('0000' + '00000000' + '00000064');
  });

  it('v3: compact array, per-element tagged section, tagged fields 0 and 1 in tag order', () => {
    const value: ApiVersionsResponse = {
      ...apiVersionsValue(),
      throttleTimeMs: 100,
      supportedFeatures: [{ name: 'metadata.version', minVersion: 1, maxVersion: 20 }],
      finalizedFeaturesEpoch: 5n,
    };
    const bytes = encode(encodeApiVersionsResponse, 3, value);
    const name = Buffer.from('metadata.version').toString('hex');
    expect(bytes).toBe(
      '0000' + // error code
        '03' + // compact array: 2 elements + 1
        '0000' +
        '0000' +
        '000b' +
        '00' + // Produce 0-11, no tagged fields
        '0012' +
        '0000' +
        '0004' +
        '00' +
        '00000064' + // throttle time
        '02' + // two tagged fields
        '00' +
        '17' + // tag 0 (SupportedFeatures), 23 bytes
        '02' +
        '11' +
        name +
        '0001' +
        '0014' +
        '00' +
        '01' +
        '08' +
        '0000000000000005', // tag 1 (FinalizedFeaturesEpoch), int64
    );
    const decoded = decodeApiVersionsResponse(new Reader(hex(bytes)), 3);
    expect(decoded.supportedFeatures).toEqual([{ name: 'metadata.version', minVersion: 1, maxVersion: 20, unknownTaggedFields: undefined }]);
    expect(decoded.finalizedFeaturesEpoch).toBe(5n);
    expect(decoded.zkMigrationReady).toBe(false);
    expect(decoded.unknownTaggedFields).toBeUndefined();
  });

  it('v3 with every tagged field at its default writes an empty tagged section', () => {
    expect(encode(encodeApiVersionsResponse, 3, { ...apiVersionsValue(), apiKeys: [] })).toBe('0000' + '01' + '00000000' + '00');
  });

  it('the response frame uses header v0 even for flexible versions', () => {
    expect(responseHeaderVersion(ApiVersions.apiKey, 3)).toBe(0);
    const frame = Buffer.concat(encodeResponseFrame(ApiVersions, 3, 7, { ...apiVersionsValue(), apiKeys: [] }));
    expect(frame.toString('hex')).toBe('0000000c' + '00000007' + '0000' + '01' + '00000000' + '00');
  });
});

describe('Metadata request layout', () => {
  const topic = (name: string | null) => ({ topicId: '00000000-0000-0000-0000-000000000000', name });

  it('v0: topics ARRAY of STRING', () => {
    expect(encode(encodeMetadataRequest, 0, { ...createMetadataRequest(), topics: [topic('a')] })).toBe('00000001' + '0001' + '61');
  });

  it('v1+: null topics (all topics) is -1; v0 cannot express it', () => {
    expect(encode(encodeMetadataRequest, 1, { ...createMetadataRequest(), topics: null })).toBe('ffffffff');
    expect(() => encode(encodeMetadataRequest, 0, { ...createMetadataRequest(), topics: null })).toThrow(ProtocolEncodeError);
  });

  it('v4 adds AllowAutoTopicCreation; older versions reject a non-default value (not ignorable)', () => {
    expect(encode(encodeMetadataRequest, 4, { ...createMetadataRequest(), topics: null })).toBe('ffffffff' + '01');
    expect(() => encode(encodeMetadataRequest, 3, { ...createMetadataRequest(), topics: [], allowAutoTopicCreation: false })).toThrow(
      /AllowAutoTopicCreation has a non-default value but does not exist in version 3/,
    );
    // Absent fields decode to their defaults.
    expect(decodeMetadataRequest(new Reader(hex('00000000')), 3).allowAutoTopicCreation).toBe(true);
  });

  it('v9 (flexible): compact array and strings, tagged sections; v10 adds the topic id', () => {
    expect(encode(encodeMetadataRequest, 9, { ...createMetadataRequest(), topics: [topic('ab')] })).toBe(
      '02' + '03' + '6162' + '00' + '01' + '00' + '00' + '00',
    );
    expect(encode(encodeMetadataRequest, 10, { ...createMetadataRequest(), topics: [topic(null)], includeTopicAuthorizedOperations: true })).toBe(
      '02' + '00'.repeat(16) + '00' + '00' + '01' + '00' + '01' + '00',
    );
  });
});

describe('Produce request layout', () => {
  const value = (): ProduceRequest => ({
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ topicId: ZERO_UUID, name: 't', partitionData: [{ index: 0, records: Buffer.from('abc') }] }],
  });

  it('v3: nullable transactional id, INT32 array and bytes lengths', () => {
    const bytes = encode(encodeProduceRequest, 3, value());
    expect(bytes).toBe('ffff' + 'ffff' + '00007530' + '00000001' + '0001' + '74' + '00000001' + '00000000' + '00000003' + '616263');
    const decoded = decodeProduceRequest(new Reader(hex(bytes)), 3);
    expect(decoded.topicData[0]!.partitionData[0]!.records!.toString()).toBe('abc');
  });

  it('v9: compact forms and a tagged section per struct', () => {
    expect(encode(encodeProduceRequest, 9, value())).toBe('00' + 'ffff' + '00007530' + '02' + '0274' + '02' + '00000000' + '04616263' + '00' + '00' + '00');
  });

  it('v0-2 have no transactional id: a non-null one is an error, not silently dropped', () => {
    expect(() => encode(encodeProduceRequest, 2, { ...value(), transactionalId: 'tx' })).toThrow(ProtocolEncodeError);
  });

  it('large records are kept by reference, not copied', () => {
    const records = Buffer.alloc(1 << 16, 7);
    const w = new Writer();
    encodeProduceRequest(w, 9, { ...value(), topicData: [{ topicId: ZERO_UUID, name: 't', partitionData: [{ index: 0, records }] }] });
    expect(w.toBuffers().some((chunk) => chunk === records)).toBe(true);
  });
});

describe('tagged fields', () => {
  it('a tagged struct is written only when it differs from its default', () => {
    const partition = { ...createFetchResponsePartitionData(), partitionIndex: 3, highWatermark: 10n, records: null };
    const response = (p: typeof partition) => ({
      ...createFetchResponse(),
      responses: [{ ...createFetchResponseFetchableTopicResponse(), topic: 't', partitions: [p] }],
    });
    const plain = encode(encodeFetchResponse, 12, response(partition));
    const withLeader = encode(encodeFetchResponse, 12, response({ ...partition, currentLeader: { leaderId: 1, leaderEpoch: 2 } }));
    // ... preferredReadReplica ffffffff, records null (00), then the tagged sections of the partition,
    // the topic and the response.
    expect(plain.endsWith('ffffffff' + '00' + '00' + '00' + '00')).toBe(true);
    // Tag 1 (CurrentLeader), 9 bytes: leaderId, leaderEpoch, the struct's own empty tagged section.
    expect(withLeader).toBe(plain.slice(0, -16) + 'ffffffff' + '00' + '01' + '01' + '09' + '00000001' + '00000002' + '00' + '00' + '00');
    const decoded = decodeFetchResponse(new Reader(hex(withLeader)), 12);
    expect(decoded.responses[0]!.partitions[0]!.currentLeader).toEqual({ leaderId: 1, leaderEpoch: 2, unknownTaggedFields: undefined });
    expect(decoded.responses[0]!.partitions[0]!.divergingEpoch).toEqual({ epoch: -1, endOffset: -1n });
    // Before v12 the field does not exist: response encoders drop it (Kafka would refuse, the field not being
    // ignorable; see the generator's note on responses).
    expect(encode(encodeFetchResponse, 11, response({ ...partition, currentLeader: { leaderId: 1, leaderEpoch: 2 } }))).toBe(
      encode(encodeFetchResponse, 11, response(partition)),
    );
  });

  it('unknown tags are skipped on decode, kept, and written back in order', () => {
    const body = hex('0b' + Buffer.from('kafka-desk').toString('hex') + '06' + Buffer.from('1.2.3').toString('hex'));
    const bytes = Buffer.concat([body, hex('02' + '05' + '02' + 'abcd' + '81 01' + '00')]); // tags 5 and 129
    const decoded = decodeApiVersionsRequest(new Reader(bytes), 3);
    expect(decoded.clientSoftwareName).toBe('kafka-desk');
    expect(decoded.clientSoftwareVersion).toBe('1.2.3');
    expect(decoded.unknownTaggedFields).toEqual([
      { tag: 5, data: hex('abcd') },
      { tag: 129, data: Buffer.alloc(0) },
    ]);
    expect(encode(encodeApiVersionsRequest, 3, decoded)).toBe(bytes.toString('hex'));
  });

  it('rejects out-of-order tags, oversized tags and known tags with trailing bytes', () => {
    const body = '01' + '01';
    expect(() => decodeApiVersionsRequest(new Reader(hex(body + '02' + '07 00' + '05 00')), 3)).toThrow(/out of order/);
    expect(() => decodeApiVersionsRequest(new Reader(hex(body + '01' + '07 05 00')), 3)).toThrow(ProtocolDecodeError);
    // ApiVersionsResponse v3, tag 1 (int64) with 9 bytes.
    expect(() => decodeApiVersionsResponse(new Reader(hex('0000' + '01' + '00000000' + '01' + '01' + '09' + '00'.repeat(9))), 3)).toThrow(/trailing bytes/);
  });
});

describe('headers', () => {
  it('chooses header versions from flexibility, with the ApiVersions and ControlledShutdown exceptions', () => {
    expect(requestHeaderVersion(18, 2)).toBe(1);
    expect(requestHeaderVersion(18, 3)).toBe(2);
    expect(requestHeaderVersion(18, 9)).toBe(2); // newer than we know: still flexible
    expect(requestHeaderVersion(0, 8)).toBe(1);
    expect(requestHeaderVersion(0, 9)).toBe(2);
    expect(requestHeaderVersion(7, 0)).toBe(0);
    expect(requestHeaderVersion(17, 1)).toBe(1); // SaslHandshake is never flexible
    expect(requestHeaderVersion(60, 0)).toBe(2); // DescribeCluster is flexible from v0
    expect(requestHeaderVersion(9999, 1)).toBe(1);
    expect(responseHeaderVersion(18, 4)).toBe(0);
    expect(responseHeaderVersion(3, 8)).toBe(0);
    expect(responseHeaderVersion(3, 9)).toBe(1);
  });

  it('request header v2 keeps a classic INT16-length client id, then tagged fields', () => {
    const frame = Buffer.concat(encodeRequestFrame(ApiVersions, 3, 1, 'test', { clientSoftwareName: 'a', clientSoftwareVersion: 'b' }));
    expect(frame.toString('hex')).toBe('00000014' + '0012' + '0003' + '00000001' + '0004' + '74657374' + '00' + '0261' + '0262' + '00');
    const r = new Reader(frame, 4);
    const result = decodeRequestHeader(r);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'test', unknownTaggedFields: undefined });
    expect(result.headerVersion).toBe(2);
    expect(result.descriptor.decodeRequest(r, 3)).toEqual({ clientSoftwareName: 'a', clientSoftwareVersion: 'b', unknownTaggedFields: undefined });
    expect(r.remaining).toBe(0);
  });

  it('reports unknown APIs and unsupported versions with the correlation id instead of throwing', () => {
    const unknown = decodeRequestHeader(new Reader(hex('2710 0001 0000002a 0003 616263')));
    expect(unknown).toEqual({ kind: 'unknown-api', headerVersion: 1, header: { apiKey: 10000, apiVersion: 1, correlationId: 42, clientId: 'abc' } });
    const tooNew = decodeRequestHeader(new Reader(hex('0012 0063 0000002b 0002 6b64 00 ff')));
    expect(tooNew.kind).toBe('unsupported-version');
    expect(tooNew.header).toEqual({ apiKey: 18, apiVersion: 99, correlationId: 43, clientId: 'kd' });
    const garbledClientId = decodeRequestHeader(new Reader(hex('2710 0001 0000002c 7fff 61')));
    expect(garbledClientId.header.correlationId).toBe(44);
    expect(garbledClientId.header.clientId).toBeNull();
    expect(() => decodeRequestHeader(new Reader(hex('0012 0003 0000')))).toThrow(ProtocolDecodeError);
  });

  it('request headers v0, v1 and v2 round trip, unknown header tags included', () => {
    const cases = [
      { version: 0 as const, header: { apiKey: 7, apiVersion: 0, correlationId: -5, clientId: null }, hex: '0007' + '0000' + 'fffffffb' },
      { version: 1 as const, header: { apiKey: 3, apiVersion: 8, correlationId: 1, clientId: null }, hex: '0003' + '0008' + '00000001' + 'ffff' },
      {
        version: 2 as const,
        header: { apiKey: 3, apiVersion: 9, correlationId: 2, clientId: 'é', unknownTaggedFields: [{ tag: 4, data: hex('01') }] },
        hex: '0003' + '0009' + '00000002' + '0002' + 'c3a9' + '01' + '04' + '01' + '01',
      },
    ];
    for (const { version, header, hex: expected } of cases) {
      const w = new Writer();
      encodeRequestHeader(w, version, header);
      expect(w.toBuffer().toString('hex')).toBe(expected);
      const r = new Reader(hex(expected));
      expect(decodeRequestHeaderVersion(r, version)).toEqual({ unknownTaggedFields: undefined, ...header });
      expect(r.remaining).toBe(0);
    }
    expect(() => encodeRequestHeader(new Writer(), 0, { apiKey: 7, apiVersion: 0, correlationId: 1, clientId: 'x' })).toThrow(ProtocolEncodeError);
    const w = new Writer();
    encodeResponseHeader(w, 1, { correlationId: 9 });
    encodeResponseHeader(w, 0, { correlationId: 10 });
    expect(w.toBuffer().toString('hex')).toBe('00000009' + '00' + '0000000a');
  });

  it('response header v1 has a tagged section', () => {
    expect(decodeResponseHeader(new Reader(hex('00000005 00')), 1)).toEqual({ correlationId: 5, unknownTaggedFields: undefined });
    expect(() => decodeResponseHeader(new Reader(hex('00000005')), 1)).toThrow(ProtocolDecodeError);
  });
});

describe('error codes and API keys', () => {
  it('come from errors.json and the request definitions', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.UNKNOWN_SERVER_ERROR).toBe(-1);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(errorInfo.get(3)).toMatchObject({ name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    expect(errorName(-12345)).toBe('UNKNOWN_ERROR_-12345');
    expect(ApiKey.Produce).toBe(0);
    expect(ApiKey.DescribeCluster).toBe(60);
    expect(apiKeyName(18)).toBe('ApiVersions');
    expect(apiKeyName(32767)).toBe('Unknown(32767)');
  });
});

describe('encoder guards and data structures', () => {
  it('nulls from untyped callers in non-nullable fields are encode errors, not silent nulls or TypeErrors', () => {
    const base = { transactionalId: null, acks: 1, timeoutMs: 0, topicData: [] } as ProduceRequest;
    const untyped = (v: unknown) => v as ProduceRequest;
    expect(() => encode(encodeProduceRequest, 3, untyped({ ...base, topicData: null }))).toThrow(ProtocolEncodeError);
    expect(() => encode(encodeProduceRequest, 9, untyped({ ...base, topicData: [{ name: null, partitionData: [] }] }))).toThrow(ProtocolEncodeError);
    expect(() => encode(encodeProduceRequest, 3, untyped({ ...base, topicData: [{ name: 't', partitionData: undefined }] }))).toThrow(ProtocolEncodeError);
  });

  it('consumer protocol subscription: hand-checked v0 and v3, newer versions read as the newest known', () => {
    const v0 = encode(encodeConsumerProtocolSubscription, 0, { ...createConsumerProtocolSubscription(), topics: ['t'], userData: null });
    expect(v0).toBe('00000001' + '0001' + '74' + 'ffffffff');
    const value = { topics: ['t'], userData: Buffer.from('ud'), ownedPartitions: [{ topic: 't', partitions: [0, 2] }], generationId: 5, rackId: 'r' };
    const v3 = encode(encodeConsumerProtocolSubscription, 3, value);
    expect(v3).toBe(
      '00000001' + '0001' + '74' + '00000002' + '7564' + '00000001' + '0001' + '74' + '00000002' + '00000000' + '00000002' + '00000005' + '0001' + '72',
    );
    // A v7 subscription from a newer client: the fields we know, trailing bytes left for the caller to ignore.
    const r = new Reader(Buffer.concat([hex(v3), hex('deadbeef')]));
    expect(decodeConsumerProtocolSubscription(r, 7)).toEqual(value);
    expect(r.remaining).toBe(4);
    expect(() => encode(encodeConsumerProtocolSubscription, 7, value)).toThrow(ProtocolEncodeError);
  });
});

describe('int64 through DataView', () => {
  it('writes and reads big-endian extremes and rejects out-of-range values', () => {
    const w = new Writer(8); // forces growth between the writes: the view must follow the new scratch buffer
    w.int64(-9223372036854775808n).int64(9223372036854775807n).int64(-2n).int64(0x0102030405060708n);
    const bytes = w.toBuffer();
    expect(bytes.toString('hex')).toBe('8000000000000000' + '7fffffffffffffff' + 'fffffffffffffffe' + '0102030405060708');
    const r = new Reader(bytes, 8);
    expect([r.readInt64(), r.readInt64(), r.readInt64()]).toEqual([9223372036854775807n, -2n, 0x0102030405060708n]);
    expect(new Reader(bytes.subarray(8, 16)).readInt64()).toBe(9223372036854775807n);
    expect(() => new Writer().int64(9223372036854775808n)).toThrow(ProtocolEncodeError);
    expect(() => new Writer().int64(-9223372036854775809n)).toThrow(ProtocolEncodeError);
  });
});

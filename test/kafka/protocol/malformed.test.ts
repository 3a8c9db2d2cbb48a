/**
 * Hostile and broken input: every decoder failure must be a ProtocolDecodeError, raised before any
 * allocation sized from the input and without hanging.
 */
import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../../../electron/kafka/protocol/errors';
import * as generated from '../../../electron/kafka/protocol/generated/index';
import { apiDescriptors, messageSchemas } from '../../../electron/kafka/protocol/generated/index';
import { decodeRequestHeader } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { Rng, ValueFactory } from './values';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function expectDecodeError(fn: () => unknown): ProtocolDecodeError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a ProtocolDecodeError').toBeInstanceOf(ProtocolDecodeError);
  return error as ProtocolDecodeError;
}

describe('malformed input raises ProtocolDecodeError', () => {
  it('every cut point of a Produce v9 and v3 request with records', () => {
    for (const version of [3, 9]) {
      const value: generated.ProduceRequest = {
        transactionalId: 'tx',
        acks: 1,
        timeoutMs: 1000,
        topicData: [
          {
            topicId: ZERO_UUID,
            name: 'orders',
            partitionData: [
              { index: 0, records: Buffer.alloc(40, 1) },
              { index: 1, records: null },
            ],
          },
          { topicId: ZERO_UUID, name: 'ü', partitionData: [] },
        ],
      };
      const w = new Writer();
      generated.encodeProduceRequest(w, version, value);
      const bytes = w.toBuffer();
      for (let cut = 0; cut < bytes.length; cut++) {
        expectDecodeError(() => generated.decodeProduceRequest(new Reader(bytes.subarray(0, cut)), version));
      }
      expect(generated.decodeProduceRequest(new Reader(bytes), version).topicData).toHaveLength(2);
    }
  });

  it('negative lengths', () => {
    // Metadata v1 topic name with length -2 (only -1 means null, and this field is not nullable before v10).
    expect(expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('00000001 fffe')), 1)).message).toMatch(/negative string length/);
    expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('00000001 ffff')), 1)); // null, not nullable in v1
    // Array length -2 (v0: not nullable at all; v1: only -1 is null).
    expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('fffffffe')), 1));
    expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('ffffffff')), 0));
    // Produce v3 records length -7.
    expectDecodeError(() => generated.decodeProduceRequest(new Reader(hex('ffff 0001 00000000 00000001 0001 74 00000001 00000000 fffffff9')), 3));
    // SaslAuthenticate v0 bytes length -1 (not nullable).
    expectDecodeError(() => generated.decodeSaslAuthenticateRequest(new Reader(hex('ffffffff')), 0));
  });

  it('huge array, string and bytes lengths fail without allocating', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('7fffffff 0001 61')), 1)).message).toMatch(/cannot fit/);
    // Compact array length 2^32 - 2.
    expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('ffffffff0f 00')), 9));
    // []int32 of 100M elements with 4 bytes left.
    expectDecodeError(() => generated.decodeConsumerProtocolAssignment(new Reader(hex('00000001 0001 74 05f5e100 00000000')), 0));
    // A struct array whose elements need at least 8 bytes each: 3 elements in 20 bytes cannot fit.
    expectDecodeError(() => generated.decodeDeleteRecordsRequest(new Reader(Buffer.concat([hex('00000001 0001 74 00000003'), Buffer.alloc(20)])), 0));
    expectDecodeError(() => generated.decodeSaslHandshakeRequest(new Reader(hex('7fff 61')), 1));
    expectDecodeError(() => generated.decodeSaslAuthenticateRequest(new Reader(hex('7fffffff 00')), 0));
    expectDecodeError(() => generated.decodeSaslAuthenticateRequest(new Reader(hex('ffffffff0f 00')), 2));
    // Tagged-field count and size beyond the input.
    expectDecodeError(() => generated.decodeApiVersionsRequest(new Reader(hex('01 01 ffffffff0f')), 3));
    expectDecodeError(() => generated.decodeApiVersionsRequest(new Reader(hex('01 01 01 00 ffffff7f')), 3));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('varints longer than 5 bytes (or overflowing 32 bits)', () => {
    // 6-byte unsigned varint as a compact array length, a compact string length and a tag count.
    expect(expectDecodeError(() => generated.decodeMetadataRequest(new Reader(hex('808080808001')), 9)).message).toMatch(/varint/);
    expectDecodeError(() => generated.decodeApiVersionsRequest(new Reader(hex('808080808001')), 3));
    expectDecodeError(() => generated.decodeApiVersionsRequest(new Reader(hex('01 01 808080808001')), 3));
    // 5 bytes whose last carries more than 4 bits.
    expectDecodeError(() => generated.decodeApiVersionsRequest(new Reader(hex('ffffffff7f')), 3));
  });

  it('request headers: truncated and hostile', () => {
    expectDecodeError(() => decodeRequestHeader(new Reader(hex('0012'))));
    expectDecodeError(() => decodeRequestHeader(new Reader(hex('0012 0003 00000001 7fff 61'))));
    expectDecodeError(() => decodeRequestHeader(new Reader(hex('0012 0003 00000001 0000 808080808001'))));
  });

  it('random corruption of valid messages never escapes as another error type', () => {
    const rng = new Rng(12345);
    let decodeErrors = 0;
    for (const api of apiDescriptors.values()) {
      for (const direction of ['Request', 'Response'] as const) {
        const schema = messageSchemas[`${api.name}${direction}`]!;
        for (let version = api.minVersion; version <= api.maxVersion; version++) {
          const value = new ValueFactory(schema, rng, 'random').message(version);
          const w = new Writer();
          if (direction === 'Request') api.encodeRequest(w, version, value);
          else api.encodeResponse(w, version, value);
          const bytes = w.toBuffer();
          const decode = (reader: Reader) => (direction === 'Request' ? api.decodeRequest(reader, version) : api.decodeResponse(reader, version));
          for (let i = 0; i < 20; i++) {
            const corrupted = Buffer.from(bytes);
            const flips = 1 + rng.int(3);
            for (let f = 0; f < flips && corrupted.length > 0; f++) {
              corrupted[rng.int(corrupted.length)] = rng.chance(0.5) ? 0xff : rng.next() & 0xff;
            }
            try {
              decode(new Reader(corrupted));
            } catch (e) {
              if (!(e instanceof ProtocolDecodeError)) {
                throw new Error(`${api.name}${direction} v${version}: ${String(e)} for ${corrupted.toString('hex')}`, { cause: e });
              }
              decodeErrors++;
            }
          }
        }
      }
    }
    expect(decodeErrors).toBeGreaterThan(1000);
  });
});

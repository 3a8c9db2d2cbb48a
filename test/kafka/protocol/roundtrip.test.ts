import { describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../../../electron/kafka/protocol/errors';
import * as generated from '../../../electron/kafka/protocol/generated/index';
import { apiDescriptors, dataVersions, messageSchemas } from '../../../electron/kafka/protocol/generated/index';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { type Mode, Rng, stats, ValueFactory, versionsOf } from './values';

type Encode = (w: Writer, version: number, v: unknown) => void;
type Decode = (r: Reader, version: number) => unknown;

// Buffers compare with Buffer#equals: vitest's structural comparison walks them byte by byte.
expect.addEqualityTesters([(a: unknown, b: unknown) => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : undefined)]);

const codecs = generated as unknown as Record<string, Encode | Decode>;

function codecFor(name: string): { encode: Encode; decode: Decode } {
  const encode = codecs[`encode${name}`] as Encode | undefined;
  const decode = codecs[`decode${name}`] as Decode | undefined;
  if (!encode || !decode) throw new Error(`no codec for ${name}`);
  return { encode, decode };
}

function encodeToBuffer(encode: Encode, version: number, value: unknown): Buffer {
  const w = new Writer(64);
  encode(w, version, value);
  return w.toBuffer();
}

/** Encodes, decodes, compares values and re-encodes; returns the bytes. */
function roundTrip(name: string, version: number, value: unknown): Buffer {
  const { encode, decode } = codecFor(name);
  const bytes = encodeToBuffer(encode, version, value);
  const r = new Reader(bytes);
  const decoded = decode(r, version);
  expect(r.remaining, `${name} v${version}: trailing bytes`).toBe(0);
  expect(decoded, `${name} v${version}`).toEqual(value);
  const again = encodeToBuffer(encode, version, decoded);
  expect(again.equals(bytes), `${name} v${version}: re-encoding differs`).toBe(true);
  return bytes;
}

/** Every prefix must fail with ProtocolDecodeError (a sample of cut points for long messages). */
function checkTruncations(name: string, version: number, bytes: Buffer, rng: Rng): void {
  const { decode } = codecFor(name);
  const cuts: number[] = [];
  if (bytes.length <= 300) for (let i = 0; i < bytes.length; i++) cuts.push(i);
  else for (let i = 0; i < 300; i++) cuts.push(rng.int(bytes.length));
  for (const cut of cuts) {
    let error: unknown;
    try {
      decode(new Reader(bytes.subarray(0, cut)), version);
    } catch (e) {
      error = e;
    }
    if (!(error instanceof ProtocolDecodeError)) {
      throw new Error(`${name} v${version} cut at ${cut}/${bytes.length}: expected ProtocolDecodeError, got ${String(error)}`);
    }
  }
}

const MODES: Mode[] = ['defaults', 'random', 'random', 'random', 'large'];

describe('generated codecs round trip every covered message in every version', () => {
  const apis = [...apiDescriptors.values()];
  it('covers the APIs the broker must serve', () => {
    const keys = apis.map((a) => a.apiKey).sort((a, b) => a - b);
    expect(keys).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
      41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 55, 56, 57, 58, 60, 61, 64, 65, 66, 67, 68, 69, 71, 72, 74, 75, 76, 77, 78, 79, 80, 81, 83, 84, 85, 86, 87,
      90, 91, 92,
    ]);
    const minimum: Record<number, number> = {
      29: 3,
      30: 3,
      31: 3,
      50: 0,
      51: 0,
      0: 9,
      1: 12,
      2: 8,
      3: 12,
      8: 8,
      9: 8,
      10: 4,
      11: 9,
      12: 4,
      13: 5,
      14: 5,
      15: 5,
      16: 5,
      17: 1,
      18: 4,
      19: 7,
      20: 6,
      21: 2,
      22: 5,
      23: 4,
      32: 4,
      33: 2,
      35: 4,
      36: 2,
      37: 3,
      42: 2,
      44: 1,
      47: 0,
      60: 1,
      74: 1,
      76: 1,
      77: 1,
      78: 1,
      79: 1,
    };
    for (const api of apis) {
      expect(api.minVersion).toBe(0);
      if (minimum[api.apiKey] !== undefined) expect(api.maxVersion, api.name).toBeGreaterThanOrEqual(minimum[api.apiKey]!);
    }
  });

  for (const api of apis) {
    for (const direction of ['Request', 'Response'] as const) {
      const name = `${api.name}${direction}`;
      it(`${name} v${api.minVersion}-${api.maxVersion}`, () => {
        const schema = messageSchemas[name]!;
        expect(schema.apiKey).toBe(api.apiKey);
        for (const version of versionsOf(schema.validVersions)) {
          MODES.forEach((mode, i) => {
            const rng = new Rng(api.apiKey * 1000 + version * 10 + i + (direction === 'Response' ? 500 : 0));
            const value = new ValueFactory(schema, rng, mode).message(version);
            const bytes = roundTrip(name, version, value);
            if (mode === 'random' && i === 1) checkTruncations(name, version, bytes, rng);
          });
          // The descriptor's codecs are the same functions.
          const value = new ValueFactory(schema, new Rng(version + 1), 'random').message(version);
          const w = new Writer();
          if (direction === 'Request') api.encodeRequest(w, version, value);
          else api.encodeResponse(w, version, value);
          const reader = new Reader(w.toBuffer());
          const decoded = direction === 'Request' ? api.decodeRequest(reader, version) : api.decodeResponse(reader, version);
          expect(decoded).toEqual(value);
        }
      });
    }
  }

  for (const [name, versions] of Object.entries(dataVersions)) {
    it(`${name} (data) v${versions.minVersion}-${versions.maxVersion}`, () => {
      const schema = messageSchemas[name]!;
      for (let version = versions.minVersion; version <= versions.maxVersion; version++) {
        MODES.forEach((mode, i) => {
          const rng = new Rng(version * 10 + i + 77);
          const bytes = roundTrip(name, version, new ValueFactory(schema, rng, mode).message(version));
          if (i === 1) checkTruncations(name, version, bytes, rng);
        });
      }
    });
  }

  it('rejects versions outside validVersions in both directions', () => {
    expect(() => generated.decodeProduceRequest(new Reader(Buffer.alloc(64)), 14)).toThrow(ProtocolDecodeError);
    expect(() => generated.decodeFetchResponse(new Reader(Buffer.alloc(64)), -1)).toThrow(ProtocolDecodeError);
    expect(() => generated.encodeMetadataRequest(new Writer(), 14, generated.createMetadataRequest())).toThrow(/unsupported MetadataRequest version 14/);
  });

  it('exercised nulls, empty and large arrays, tagged fields and unknown tags (runs last)', () => {
    expect(stats.nulls).toBeGreaterThan(100);
    expect(stats.emptyArrays).toBeGreaterThan(100);
    expect(stats.largeArrays).toBeGreaterThan(100);
    expect(stats.taggedNonDefault).toBeGreaterThan(50);
    expect(stats.unknownTags).toBeGreaterThan(100);
  });
});

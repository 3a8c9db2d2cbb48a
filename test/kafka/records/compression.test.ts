import { gzipSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { compressSync as snappyRaw } from 'snappy';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProtocolDecodeError } from '../../../electron/kafka/protocol/errors';
import { COMPRESSION_NAMES, CompressionType, compress, decompress, initCompression } from '../../../electron/kafka/records/compression';
import { crc32 } from '../../../electron/kafka/records/crc32';
import { lz4DecompressFrame } from '../../../electron/kafka/records/lz4';
import { isXerialFramed } from '../../../electron/kafka/records/snappy';

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;

/** Compressible but not trivial: text-like runs mixed with pseudo-random bytes. */
function sample(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 64 < 40 ? 97 + ((i >> 6) % 26) : x >>> 24;
  }
  return out;
}

function expectDecodeError(fn: () => unknown, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolDecodeError);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

beforeAll(async () => {
  await initCompression();
});

describe('crc32 (IEEE)', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const data = Buffer.from('hello, kafka desk');
    expect(crc32(data, 7, data.length, crc32(data, 0, 7))).toBe(crc32(data));
  });
});

describe.each(CODECS)('codec %s', (codec) => {
  const name = COMPRESSION_NAMES[codec];

  it(`${name}: round-trips empty, small and 1 MiB inputs`, () => {
    for (const input of [Buffer.alloc(0), Buffer.from('x'), sample(1000), sample(1024 * 1024, 7), Buffer.alloc(1024 * 1024, 0)]) {
      const packed = compress(codec, input);
      const unpacked = decompress(codec, packed, input.length);
      expect(unpacked.equals(input)).toBe(true);
    }
  });

  it(`${name}: rejects output beyond the limit (decompression bomb)`, () => {
    const bomb = compress(codec, Buffer.alloc(8 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expectDecodeError(() => decompress(codec, bomb, 1024 * 1024), /limit of 1048576 bytes/);
    expect(decompress(codec, bomb, 8 * 1024 * 1024).length).toBe(8 * 1024 * 1024);
  });

  it(`${name}: rejects garbage and truncated input with ProtocolDecodeError`, () => {
    expectDecodeError(() => decompress(codec, Buffer.from('definitely not compressed data, no codec wrote this'), 1 << 20));
    const packed = compress(codec, sample(100_000));
    expectDecodeError(() => decompress(codec, packed.subarray(0, packed.length >> 1), 1 << 20));
    for (let i = 0; i < 50; i++) {
      // Random corruption must never escape as anything but a decode error (or decode to something).
      const corrupt = Buffer.from(packed);
      const at = (i * 7919) % corrupt.length;
      corrupt[at] = corrupt[at]! ^ 0x5a;
      try {
        decompress(codec, corrupt, 1 << 20);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolDecodeError);
      }
    }
  });
});

describe('snappy framing', () => {
  it('writes xerial framing like the Java client and reads both xerial and raw blocks', () => {
    const input = sample(100_000);
    const framed = compress(CompressionType.Snappy, input);
    expect(isXerialFramed(framed)).toBe(true);
    expect(framed.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
    expect(decompress(CompressionType.Snappy, snappyRaw(input)).equals(input)).toBe(true);
  });

  it('checks a raw block declared length against the limit before decompressing', () => {
    const raw = snappyRaw(Buffer.alloc(100_000, 1));
    expectDecodeError(() => decompress(CompressionType.Snappy, raw, 99_999), /limit/);
  });
});

describe('lz4 frames', () => {
  it('reads frames with content size, checksums and dependent blocks', () => {
    const input = sample(300_000, 3);
    const withChecksums = compressFrameSync(input, { contentChecksum: true, blockChecksums: true });
    expect(lz4DecompressFrame(withChecksums, 1 << 20).equals(input)).toBe(true);
  });

  it('tolerates a wrong header checksum (magic 0 messages, KIP-57)', () => {
    const input = sample(5000);
    const frame = Buffer.from(compress(CompressionType.Lz4, input));
    frame[6] = frame[6]! ^ 0xff; // FLG, BD, then HC at byte 6
    expect(decompress(CompressionType.Lz4, frame).equals(input)).toBe(true);
  });

  it('decodes an uncompressed block and concatenated frames', () => {
    // Hand-built: magic, FLG 0x60, BD 0x40, HC, block with the high bit set (stored), end mark.
    const frame = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0x03, 0x00, 0x00, 0x80, 0x61, 0x62, 0x63, 0, 0, 0, 0]);
    expect(decompress(CompressionType.Lz4, Buffer.concat([frame, frame])).toString()).toBe('abcabc');
  });
});

describe('zstd frames', () => {
  // `zstd -c` reading a pipe: a streaming frame with no content size, as Java's zstd-jni writes.
  const streamed = Buffer.from(
    '28b52ffd0458b5030072050c0fc09b0ed05efecf2bb711993252ad38ffffafaaaa555595244992fcffbfaaaa565565281006826c870020311608c5085ba8507ccf909352e3121841a36fffffff3b1649fbd0bffb39714131585c30068d0bc7c4e30232888c8939bb7ed2e4922447123924487ed4790a06070f26633c012805ea2b0c38',
    'hex',
  );
  const expected = Array.from({ length: 2000 }, (_, i) => `record-${i % 50};`).join('');

  it('reads a frame without content size, bounded by the limit', () => {
    expect(decompress(CompressionType.Zstd, streamed, expected.length).toString()).toBe(expected);
    expectDecodeError(() => decompress(CompressionType.Zstd, streamed, expected.length - 1), /limit/);
  });

  it('bounds RLE blocks without content size (a 12.5 MiB bomb in 400 bytes)', () => {
    const blocks: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // no FCS, 128 KiB window
    for (let i = 0; i < 100; i++) {
      const header = Buffer.alloc(4);
      header.writeUIntLE(((128 * 1024) << 3) | (1 << 1) | (i === 99 ? 1 : 0), 0, 3);
      header[3] = 0x41; // the byte repeated
      blocks.push(header);
    }
    const bomb = Buffer.concat(blocks);
    expectDecodeError(() => decompress(CompressionType.Zstd, bomb, 1024 * 1024), /limit/);
    const out = decompress(CompressionType.Zstd, bomb, 100 * 128 * 1024);
    expect(out.length).toBe(100 * 128 * 1024);
    expect(out.every((b) => b === 0x41)).toBe(true);
  });

  it('reads concatenated and skippable frames', () => {
    const a = compress(CompressionType.Zstd, Buffer.from('first '));
    const b = compress(CompressionType.Zstd, Buffer.from('second'));
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
    expect(decompress(CompressionType.Zstd, Buffer.concat([a, skippable, b])).toString()).toBe('first second');
  });
});

describe('gzip', () => {
  it('reads concatenated gzip members', () => {
    const data = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))]);
    expect(decompress(CompressionType.Gzip, data).toString()).toBe('abcd');
  });

  it('rejects an unknown codec', () => {
    expectDecodeError(() => decompress(5, Buffer.from('x')), /unknown compression type 5/);
  });
});

describe('lz4 header checksum', () => {
  it('computes the same header checksum as lz4-napi and the broken one of magic-0 Kafka', async () => {
    const { lz4CompressFrame, lz4HeaderChecksum, headerChecksumPosition } = await import('../../../electron/kafka/records/lz4');
    const { xxhash32 } = await import('../../../electron/kafka/records/xxhash32');
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxhash32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    const frame = lz4CompressFrame(Buffer.from('hello'));
    expect(frame[headerChecksumPosition(frame)]).toBe(lz4HeaderChecksum(frame));
    const broken = lz4CompressFrame(Buffer.from('hello'), { brokenHeaderChecksum: true });
    expect(broken[6]).toBe((xxhash32(broken, 0, 6) >>> 8) & 0xff);
    expect(broken[6]).not.toBe(frame[6]);
    expect(lz4DecompressFrame(broken, 100).toString()).toBe('hello');
  });
});

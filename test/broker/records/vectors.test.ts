import { beforeAll, describe, expect, it } from 'vitest';
import { CompressionType, decompress, initCompression } from '../../../electron/broker/records/compression';
import { decodeRecordBatch } from '../../../electron/broker/records/record-batch';

/**
 * Bytes written by other implementations, kept as fixtures:
 * - record batches produced by librdkafka 2.0.2 (Debian's kcat, `kcat -P -z <codec>`) of the lines
 *   "<codec>-msg-1" .. "<codec>-msg-50", as stored by our broker (baseOffset and leader epoch stamped
 *   outside the CRC). librdkafka writes snappy as one raw block, not xerial-framed.
 * - a zstd stream from zstd-jni 1.5.7-9's ZstdOutputStreamNoFinalizer behind a 16 KiB
 *   BufferedOutputStream, as Kafka's Java client writes it: no content size in the frame header.
 */

const LIBRDKAFKA_BATCHES: Record<string, { codec: number; hex: string }> = {
  snappy: {
    codec: CompressionType.Snappy,
    hex:
    '0000000000000000000001ce0000000002c43b2f7e000200000031000001a1ff974dcf000001a1ff974dcfffffffffffffffffffffffff' +
    'ffff00000032df0758240000000118736e617070792d6d73672d3100240000023213000032011300043213000033011300063213001434' +
    '002400000832130000350113000a32130000360113000c32130000370113000e3213000038011300103213001c390026000012011a2eab' +
    '0000300114001436140000310114001636140000320114001836140000330114001a36140000340114001c36140000350114001e361400' +
    '00360114002036140000370114002236140000380114002436140005c80026321400003205c8002836140005c8002a36140005c8002c36' +
    '140005c8002e36140005c8003036140005c8003236140005c8003436140005c8003636140005c8003836140005c8003a321400003305c8' +
    '003c36140005c8003e36140005c8004036140005c8004236140005c8004436140005c8004636140005c8004836140005c8004a36140005' +
    'c8004c36140005c8004e321400003405c8005036140005c8005236140005c8005436140005c8005636140005c8005836140005c8005a36' +
    '140005c8005c36140005c8005e36140005c8006036140005c8006232140008353000',
  },
  gzip: {
    codec: CompressionType.Gzip,
    hex:
    '0000000000000000000001280000000002f3325562000100000031000001a1ff974d5d000001a1ff974d5dffffffffffffffffffffffff' +
    'ffff000000321f8b08000000000000034dceef4703011cc7f1ef25932433e724c93999992ef7fbae2449323333939924e9c9e9418c3deb' +
    'afcff7f3a4f7d3d7a3576c6641d8ff7eefd29f7d9fe6169b1d000a874340e93000540e4780dae118d0389c005a875340e73004dc5a6236' +
    '0aa2ff58e6125272978852b89c514a97734ae57241a95d2e298d4b4c695d124ae77245d1790c29749e50749e5274bea6e87c43d139a3e8' +
    '5c5074ae283a37149d3b8ace779052e77b8ace0f149d1f293a3f51747ea6e8fc42d17946d1794ed17941d17909a9745e51745e53747ea5' +
    'e8bca1e8bca5e8fc46d1f99da2f30745e74f8ace5f903ab33fff286ef17b030000',
  },
  zstd: {
    codec: CompressionType.Zstd,
    hex:
    '0000000000000000000000e70000000002591e38bb000400000031000001a1ff974e5a000001a1ff974e5affffffffffffffffffffffff' +
    'ffff0000003228b52ffd00586d050062881f21f08437072caa49e8c051b0716066a4ca6969932449dd50512778b182999102b514df88aa' +
    '276a9a25498aa316c11083de67db533b9433375213338d8117b6bcca424aa554ce961cb72750c29107597e5407cda6938dc8e8055430f6' +
    'ae3ffb3ecc4afcd92b821ea6411622a10750c081dffd69aa6da5a500b680cbfaef025fa811c0afd1de01e0e710803112d403c1a73100bb' +
    '8d717c21f8b5cc65b7318e06d5ff2374f7de8797745215',
  },
};

const JAVA_ZSTD_STREAM =
    '28b52ffd00585c040052071313b0271d000c2d66d5e02d4b29534a29bd32ac68457397abaaaa2a22222222a29999999999ffffffdfb66d' +
    'db6edbb66d499224c96ddbb64d444444448ae62e2701c018140601a118c48128046ca820be7e07c0a3ca3512780516fefaffff6f5228d4' +
    '3a2eaf273eda003632952da04d48ea67368617b15045289c08128688e8903fb98e19b304a0a5010000';

beforeAll(async () => {
  await initCompression();
});

describe('vectors from other implementations', () => {
  it.each(Object.entries(LIBRDKAFKA_BATCHES))('librdkafka %s batch decodes with its CRC checked', (name, { codec, hex }) => {
    const batch = decodeRecordBatch(Buffer.from(hex, 'hex'));
    expect(batch.attributes & 7).toBe(codec);
    expect(batch.records).toHaveLength(50);
    expect(batch.records.map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(batch.records.map((r) => r.value?.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `${name}-msg-${i + 1}`));
    expect(batch.records.every((r) => r.key === null && r.headers.length === 0)).toBe(true);
  });

  it('a Java (zstd-jni) zstd stream without content size decompresses, bounded', () => {
    const expected = Array.from({ length: 3000 }, (_, i) => `java-record-${i % 97};`).join('');
    const stream = Buffer.from(JAVA_ZSTD_STREAM, 'hex');
    expect(decompress(CompressionType.Zstd, stream, expected.length).toString()).toBe(expected);
    expect(() => decompress(CompressionType.Zstd, stream, expected.length - 1)).toThrow(/limit/);
  });
});

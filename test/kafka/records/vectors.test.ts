import { beforeAll, describe, expect, it } from 'vitest';
import { CompressionType, decompress, initCompression } from '../../../electron/kafka/records/compression';
import { decodeRecordBatch } from '../../../electron/kafka/records/record-batch';

/**
 * Bytes written by other implementations, kept as fixtures:
 * - record batches produced by librdkafka 2.0.2 (Debian's kcat, `kcat -P -z <codec>`) of the lines
 *   "<codec>-msg-1" .. "<codec>-msg-50", as stored by our broker (baseOffset and leader epoch stamped
 *   outside the CRC). librdkafka writes snappy as one raw block, not xerial-framed.
 * - a zstd stream from zstd-jni 1.5.7-9's ZstdOutputStreamNoFinalizer behind a 16 KiB
 *   BufferedOutputStream, as Kafka's Java client writes it: no content size in the frame header.
 * - an LZ4 frame from the lz4 1.9 command line tool (`lz4 -B4 -BD -BX --content-size`): 64 KiB blocks
 *   that depend on the previous ones, block and content checksums, and a content size.
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

const LZ4_DEPENDENT_BLOCKS =
  '04224d185c40903a030000000000e1e1060000fa016c7a342d646570656e64656e742d303b10001b3110001b3210001b3310001b341000' +
  '1b3510001b3610001b3710001b3810001b3910001d31a1000ca2001c31a3001c31a4001c31a5001c31a6001c31a7001c31a8001c31a900' +
  '1c31aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c33aa001c33aa001c33aa' +
  '001c33aa001c33aa001c33aa001c33aa001c33aa001c33aa001c33aa001c34aa001c34aa001c34aa001c34aa001c34aa001c34aa001c34' +
  'aa001c34aa001c34aa001c34aa001c35aa001c35aa001c35aa001c35aa001c35aa001c35aa001c35aa001c35aa001c35aa001c35aa001c' +
  '36aa001c36aa001c36aa001c36aa001c36aa001c36aa001c36aa001c36aa001c36aa001c36aa001c37aa001c37aa001c37aa001c37aa00' +
  '1c37aa001c37aa001c37aa001c37aa001c37aa001c37aa001c38aa001c38aa001c38aa001c38aa001c38aa001c38aa001c38aa001c38aa' +
  '001c38aa001c38aa001c39aa001c39aa001c39aa001c39aa001c39aa001c39aa001c39aa001c39aa001c39aa001c39aa002c3130ab002c' +
  '3130ac002c3130ad002c3130ae002c3130af002c3130b0002c3130b1002c3130b2002c3130b3002d3130b4000faf06000db4000eb1060e' +
  'b2060eb3060eb4060eb5060eb6060eb7060db8061d31b9061d31ba061d31bb061d31bc061d31bd061d31be061d31bf061d31c0061d31c1' +
  '061d31c2061d31c3061d31c4061d31c5061d31c6061d31c7061d31c8061d31c9061d31ca061d31cb061d31cc061d31cd061d31ce061d31' +
  'cf061d31d0061d31d1061d31d2061d31d3061d31d4061d31d5061d31d6061d31d7061d31d8061d31d9061d31da061d31db061d31dc061d' +
  '31dd061d31de061d31df061d31e0061d31e1061d31e2061d31e3061d31e4061d31e5061d31e6061d31e7061d31e8061d31e9061d31ea06' +
  '1d31eb061d31ec061d31ed061d31ee062d3137ec040df0061d31f1061d31f2061d31f3061d31f4061d31f5061d31f6061d31f7061d31f8' +
  '061d31f9061d31fa061d31fb061d31fc061d31fd061d31fe061d31ff061d3100071d3101071d3102071d3103071d3104071d3105071d31' +
  '06071d3107071d3108071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208072c3231bc07' +
  '1d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208' +
  '071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d32' +
  '08071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d' +
  '3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d320807' +
  '1d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208' +
  '071d3208071d3208071d3208071d3208071d3208071d3208072c3238a80c1d3208071d3208071d3208071d3208071d3208071d3208071d' +
  '3208071d3208071d3208071d3208071d3208071d3208071d3208070c52060d50060b3a140c080e0c1a090c040e0c5a010c000e0cfe0d0d' +
  'fc0d0da1000ca2000df1060df0060def060dee060ded060dec060deb060eea060caa000fe806000b4d010ee6060c4f010ee4060c51010e' +
  'e2060c53011c3254010ddf060dde060ddd060ddc060ddb060dda060dd9060dd8060dd7060dd6060dd5060dd4060dd3060dd2060dd1060d' +
  'd0060dcf060dce060dcd060dcc060dcb060dca060dc9060dc8060dc7060dc6060dc5060dc4060dc3061c35fe010dc1060dc0060dbf060d' +
  'be060dbd060dbc060dbb060dba060db9060db8060db7060db6060db5060db4060db3060db2060db1060db0060daf060dae060dad060dac' +
  '060dab060daa060da9060da8060da7060da6060da5060da4060da3060da2060da1061c39f4050d9f060d9e060d9d060d9c060d9b060d9a' +
  '060faa14ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffff7b507a342d64652216c6be0d01000004faff0ff8f7ffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffe0506570656e64e87cda8979050000f203656e742d3233343b6c7a342d646570656e6412001d3512' +
  '001d3612001d3712001d3812001c3912002d343012001d3112001d3212001d3312000db4001d34b4001d34b4001d34b4001d34b4001d34' +
  'b4001d35b4001d35b4001d35b4001d35b4001d35b4001d35b4001d35b4001d35b4001d35b4001d35b4001d36b4001d36b4001d36b4001d' +
  '36b4001d36b4001d36b4001d36b4001d36b4001d36b4001d36b4001d37b4001d37b4001d37b4001d37b4001d37b4001d37b4001d37b400' +
  '1d37b4001d37b4001d37b4001d38b4001d38b4001d38b4001d38b4001d38b4001d38b4001d38b4001d38b4001d38b4001d38b4001d39b4' +
  '001d39b4001d39b4001d39b4001d39b4001d39b4001d39b4001d39b4001d39b4002b3939f0030cb2000db0000b30000cac000caa000ca8' +
  '000ca6000ca4000ca2000ca0001d31a1000ca2001c3151011c31a4001c31a5001c31a6001c31a7001c31a8001c31a9001c31aa001c32aa' +
  '001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c32aa001c33aa001c33aa001c33aa001c33aa000ddb' +
  '061c33aa001c33aa001c33aa001c33aa001c33aa000dd5061c34aa001c34aa001c34aa001c3454010dd0060dcf060dce060dcd060dcc06' +
  '0dcb060dca060dc9060dc8060dc7060dc6060dc5060dc4060dc3060dc2060dc1060dc0060dbf060dbe060dbd060dbc060dbb060dba060d' +
  'b9060db8060db7060db6060db5060db4060db3060db2060db1060db0060daf060dae060dad060dac060dab060daa060da9060da8060da7' +
  '060da6060da5060da4060da3060da2060da1061c3952030d9f060d9e060d9d060d9c060d9b060d9a062c3130a7042c3130fe032c3130ff' +
  '032c3130ae002c313001042c3130ac042c3130ad042c3130ae042c3130af042c3130b0041f31af06000db4000eb1060eb2060eb3060eb4' +
  '060eb5060eb6060eb7060db8061d31b9061d31ba061d31bb061d31bc061d31bd061d31be061d31bf061d31c0061d31c1061d31c2061d31' +
  'c3061d31c4061d31c5061d31c6061d31c7061d31c8061d31c9061d31ca061d31cb061d31cc061d31cd061d31ce061d31cf061d31d0061d' +
  '31d1061d31d2061d31d3061d31d4061d31d5061d31d6061d31d7061d31d8061d31d9061d31da061d31db061d31dc061d31dd061d31de06' +
  '1d31df061d31e0061d31e1061d31e2061d31e3061d31e4061d31e5061d31e6061d31e7061d31e8061d31e9061d31ea061d31eb061d31ec' +
  '061d31ed061d31ee062d3137ec040df0061d31f1061d31f2061d31f3061d31f4061d31f5061d31f6061d31f7061d31f8061d31f9061d31' +
  'fa061d31fb061d31fc061d31fd061d31fe061d31ff061d3100071d3101071d3102071d3103071d3104071d3105071d3106071d3107071d' +
  '3108071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208072c3231bc071d3208071d3208' +
  '071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d3208071d32' +
  '08071d3208071d3208071d3208071d3208071d3208071d3208071d3208070faa14ffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff26503b6c7a34' +
  '2d1c426578d500000006f4ff0d1ff10d1ef10d1df10d1cf10d1bf10d1af10d19f10d18f10d17f10d16f10d15f10d14f10d13f10d12f10d' +
  '11f10d10f10d0ff10d0ef10d0df10d0cf10d0bf10d0af10d09f10d08f10d07f10d06f10d05f10d04f10d03f10d02f10d01f10d00f10dff' +
  'f00dfef01c389df60dfcf00dfbf00dfaf00df9f00df8f00df7f00df6f00df5f00df4f00df3f00df2f00df1f00df0f00ff8f7ffffffffff' +
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff75502d3239' +
  '393b00560aa000000000c63ab0c8';

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

  it('an lz4 frame with dependent blocks, checksums and a content size decompresses, bounded', () => {
    const expected = Array.from({ length: 12000 }, (_, i) => `lz4-dependent-${i % 300};`).join('');
    const frame = Buffer.from(LZ4_DEPENDENT_BLOCKS, 'hex');
    expect(decompress(CompressionType.Lz4, frame, expected.length).toString()).toBe(expected);
    // The declared content size alone is enough to refuse it under a smaller limit.
    expect(() => decompress(CompressionType.Lz4, frame, expected.length - 1)).toThrow(/limit/);
  });
});

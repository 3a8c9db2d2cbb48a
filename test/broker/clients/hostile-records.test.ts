/**
 * Hostile records over the wire: Produce requests carrying crafted batches — every codec with garbage
 * behind a valid CRC, a decompression bomb for every codec, record counts that lie, legacy message sets
 * (Produce v0-2) with the same tricks — are refused per partition with CORRUPT_MESSAGE, INVALID_RECORD or
 * MESSAGE_TOO_LARGE and a line in the broker's log; nothing of them is stored, the other partition of
 * the same request is appended, and the valid batches sent afterwards are accepted and read back intact
 * by our Fetch and by kcat (librdkafka).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { Fetch, Produce, createFetchRequest, createFetchRequestFetchPartition } from '../../../electron/kafka/protocol/generated/index';
import { CompressionType, compress, initCompression } from '../../../electron/kafka/records/compression';
import { encodeMessageSet } from '../../../electron/kafka/records/message-set';
import { decodeBatches, encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { createLogger } from '../../../electron/broker/server/logger';
import { RawClient } from '../handlers/raw-client';
import {
  GiB,
  compressedBatch,
  craftBatch,
  gzipBomb,
  gzipMembersBomb,
  legacyEntry,
  lz4Bomb,
  noise,
  snappyXerialLying,
  someRecords,
  zstdBomb,
} from '../../kafka/records/crafted';
import { kcat, lines, topicName } from './helpers';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

let cluster: EmbeddedCluster;
let dataDir: string;
let bootstrap: string;
let client: RawClient;
const logLines: string[] = [];
const topic = topicName('hostile');
/** Values every accepted batch carried, in order, for each partition. */
const expected: string[][] = [[], []];

interface PartitionAnswer {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
}

async function produce(version: number, partitions: Array<{ partition: number; records: Buffer }>): Promise<PartitionAnswer[]> {
  const response = await client.call(Produce, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: partitions.map((p) => ({ index: p.partition, records: p.records })) }],
  });
  const answers = response.responses[0]!.partitionResponses;
  return partitions.map((p) => {
    const answer = answers.find((a) => a.index === p.partition)!;
    return { errorCode: answer.errorCode, errorMessage: answer.errorMessage, baseOffset: answer.baseOffset };
  });
}

function logEnd(partition: number): number {
  return cluster.broker(0).replica(topic, partition)!.log.logEndOffset;
}

/** A good batch for `partition`, remembered as expected in the log. */
function good(partition: number, codec: number, tag: string, count = 3): Buffer {
  const records = someRecords(count, `${tag}-p${partition}`);
  expected[partition]!.push(...records.map((r) => r.value!.toString()));
  return compressedBatch(codec, records);
}

/**
 * Sends `bad` to partition 0 together with a good batch for partition 1 in one request: partition 0 is
 * refused with `code` (its log unchanged, a broker log line naming it), partition 1 appended.
 */
async function expectRefused(bad: Buffer, code: number, reason: RegExp, version = 9): Promise<void> {
  const before = [logEnd(0), logEnd(1)];
  const linesBefore = logLines.length;
  const codec = version >= 3 ? CompressionType.Gzip : CompressionType.None;
  const goodOne = version >= 3 ? good(1, codec, 'beside') : legacyGood(1, version >= 2 ? 1 : 0, 'beside');
  const [refused, accepted] = await produce(version, [
    { partition: 0, records: bad },
    { partition: 1, records: goodOne },
  ]);
  expect(refused!.errorCode).toBe(code);
  // Produce v8+ carries the reason to the client; every version gets it into the broker's log.
  if (version >= 8) expect(refused!.errorMessage ?? '').toMatch(reason);
  expect(accepted!.errorCode).toBe(0);
  expect(logEnd(0)).toBe(before[0]);
  expect(logEnd(1)).toBeGreaterThan(before[1]!);
  const line = logLines.slice(linesBefore).find((l) => l.includes('produce refused'));
  expect(line).toBeDefined();
  expect(line).toContain(`topic=${topic}`);
  expect(line).toContain('partition=0');
  expect(line).toMatch(reason);
}

function legacyGood(partition: number, magic: 0 | 1, tag: string): Buffer {
  const values = [0, 1].map((i) => `${tag}-p${partition}-${i}`);
  expected[partition]!.push(...values);
  return encodeMessageSet({ magic, compression: CompressionType.Gzip, messages: values.map((v) => ({ value: Buffer.from(v), key: Buffer.from('k') })) });
}

/** Every value in a partition, read with Fetch v12 from offset 0 and decoded (CRCs checked). */
async function fetchValues(partition: number): Promise<string[]> {
  const values: string[] = [];
  let offset = 0;
  while (offset < logEnd(partition)) {
    const request = createFetchRequest();
    request.maxWaitMs = 0;
    request.maxBytes = 8 << 20;
    request.topics = [
      {
        topic,
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: [{ ...createFetchRequestFetchPartition(), partition, fetchOffset: BigInt(offset), partitionMaxBytes: 8 << 20 }],
      },
    ];
    const response = await client.call(Fetch, 12, request);
    const data = response.responses[0]!.partitions[0]!;
    expect(data.errorCode).toBe(0);
    const { batches } = decodeBatches(data.records!);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) {
      for (const record of batch.records) if (record.offset >= offset) values.push(record.value!.toString());
      offset = batch.baseOffset + batch.lastOffsetDelta + 1;
    }
  }
  return values;
}

beforeAll(async () => {
  await initCompression();
  dataDir = mkdtempSync(join(tmpdir(), 'kd-hostile-'));
  cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger: createLogger({ level: 'warn', write: (line) => logLines.push(line) }) });
  bootstrap = cluster.bootstrapServers();
  cluster.controller.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
  client = await RawClient.open(bootstrap);
  // Something valid first, so "nothing changed" means something.
  const [first] = await produce(9, [{ partition: 0, records: good(0, CompressionType.None, 'first') }]);
  expect(first!.errorCode).toBe(0);
});

afterAll(async () => {
  client?.close();
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const CODECS = [
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
] as const;

describe('record batches (Produce v9)', () => {
  it.each(CODECS)(
    '%s: garbage compressed data under a valid CRC is CORRUPT_MESSAGE; garbage records inside good compression are INVALID_RECORD',
    async (name, codec) => {
      await expectRefused(
        craftBatch({ codec, payload: noise(codec, 500), recordCount: 4 }),
        ErrorCode.CORRUPT_MESSAGE,
        new RegExp(`${name} data cannot be decompressed`),
      );
      await expectRefused(craftBatch({ codec, payload: compress(codec, noise(40 + codec, 500)), recordCount: 4 }), ErrorCode.INVALID_RECORD, /record 0/);
    },
  );

  it('uncompressed garbage under a valid CRC is INVALID_RECORD', async () => {
    await expectRefused(craftBatch({ codec: 0, payload: noise(9, 200), recordCount: 2 }), ErrorCode.INVALID_RECORD, /record 0/);
  });

  it('a gzip batch claiming 7 records that holds 2 is INVALID_RECORD', async () => {
    await expectRefused(compressedBatch(CompressionType.Gzip, someRecords(2, 'liar'), 7), ErrorCode.INVALID_RECORD, /declares 7 records but it holds 2/);
  });

  // The bombs cost seconds of CPU alone and over a minute on a loaded machine (full run of session 7:
  // the first timed out and the file's later tests failed behind it): the claims are the answers.
  it('decompression bombs are MESSAGE_TOO_LARGE: 1 GiB of zeros in 32 KB of zstd, 512 MiB in 521 KB of gzip, lz4 frames, a snappy block claiming 1 GiB', async () => {
    const limit = /decompress to more than 67109632 bytes/;
    await expectRefused(craftBatch({ codec: CompressionType.Zstd, payload: zstdBomb(GiB), recordCount: 1 }), ErrorCode.MESSAGE_TOO_LARGE, limit);
    await expectRefused(craftBatch({ codec: CompressionType.Gzip, payload: await gzipBomb(512), recordCount: 1 }), ErrorCode.MESSAGE_TOO_LARGE, limit);
    await expectRefused(craftBatch({ codec: CompressionType.Lz4, payload: lz4Bomb(60), recordCount: 1 }), ErrorCode.MESSAGE_TOO_LARGE, limit);
    await expectRefused(craftBatch({ codec: CompressionType.Snappy, payload: snappyXerialLying(GiB), recordCount: 1 }), ErrorCode.MESSAGE_TOO_LARGE, limit);
  }, 180_000);

  it('the partitions of one request share a decompression budget: a request of bombs stops costing work at 256 MiB', async () => {
    const many = topicName('hostile-many');
    cluster.controller.createTopic({ name: many, partitions: 8, replicationFactor: 1 });
    // 60 MiB of zeros each, under the per-batch limit: inflated in full, then refused as not records.
    const bomb = craftBatch({ codec: CompressionType.Zstd, payload: zstdBomb(60 * 1024 * 1024), recordCount: 1 });
    const response = await client.call(Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ topicId: ZERO_UUID, name: many, partitionData: Array.from({ length: 8 }, (_, index) => ({ index, records: bomb })) }],
    });
    const answers = response.responses[0]!.partitionResponses.sort((a, b) => a.index - b.index);
    expect(answers.map((a) => a.errorCode)).toEqual([87, 87, 87, 87, 10, 10, 10, 10]);
    for (const answer of answers.slice(4)) expect(answer.errorMessage).toMatch(/past 268435456 decompressed bytes, the most one produce request may inflate/);
    // The next request has a budget of its own.
    const next = await client.call(Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ topicId: ZERO_UUID, name: many, partitionData: [{ index: 7, records: compressedBatch(CompressionType.Zstd, someRecords(2)) }] }],
    });
    expect(next.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
  }, 180_000);

  it('what the request version forbids: a legacy set in Produce v3+, two batches in one partition, zstd before v7', async () => {
    await expectRefused(legacyEntry({ magic: 1, value: Buffer.from('old') }), ErrorCode.INVALID_RECORD, /magic 2/);
    const two = Buffer.concat([encodeRecordBatch({ records: someRecords(1) }), encodeRecordBatch({ records: someRecords(1) })]);
    await expectRefused(two, ErrorCode.INVALID_RECORD, /exactly one record batch/);
    await expectRefused(compressedBatch(CompressionType.Zstd, someRecords(2)), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, /zstd/, 5);
  });
});

describe('legacy message sets (Produce v0-2)', () => {
  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
  ] as const)('%s wrapper holding garbage under a valid CRC-32 is CORRUPT_MESSAGE (magic 0 and 1)', async (_name, codec) => {
    await expectRefused(legacyEntry({ magic: 1, attributes: codec, value: noise(codec, 300) }), ErrorCode.CORRUPT_MESSAGE, /cannot|invalid|lz4|snappy|gzip/, 2);
    await expectRefused(legacyEntry({ magic: 0, attributes: codec, value: noise(codec + 10, 300) }), ErrorCode.CORRUPT_MESSAGE, /./, 0);
  });

  it('a gzip bomb in a wrapper is MESSAGE_TOO_LARGE; a damaged inner message CORRUPT_MESSAGE; a compressed inner message INVALID_RECORD', async () => {
    await expectRefused(legacyEntry({ magic: 1, attributes: CompressionType.Gzip, value: gzipMembersBomb(512) }), ErrorCode.MESSAGE_TOO_LARGE, /limit/, 2);
    const inner = Buffer.from(legacyEntry({ magic: 1, value: Buffer.from('inner') }));
    inner[inner.length - 1] = 0x21;
    await expectRefused(
      legacyEntry({ magic: 1, attributes: CompressionType.Gzip, value: compress(CompressionType.Gzip, inner) }),
      ErrorCode.CORRUPT_MESSAGE,
      /CRC/,
      2,
    );
    const nested = legacyEntry({
      magic: 1,
      attributes: CompressionType.Snappy,
      value: compress(
        CompressionType.Snappy,
        legacyEntry({ magic: 1, attributes: CompressionType.Gzip, value: compress(CompressionType.Gzip, legacyEntry({ magic: 1, value: Buffer.from('x') })) }),
      ),
    });
    await expectRefused(nested, ErrorCode.INVALID_RECORD, /compressed message inside/, 1);
  }, 180_000);
});

describe('after all that', () => {
  it('accepts valid batches of every codec and legacy sets, and every accepted record reads back intact, in order, by Fetch and by kcat', async () => {
    for (const [, codec] of [['none', CompressionType.None] as const, ...CODECS]) {
      const [answer] = await produce(9, [{ partition: 0, records: good(0, codec, `after-${codec}`) }]);
      expect(answer!.errorCode).toBe(0);
    }
    for (const [version, magic] of [
      [0, 0],
      [2, 1],
    ] as const) {
      const [answer] = await produce(version, [{ partition: 0, records: legacyGood(0, magic, `legacy-v${version}`) }]);
      expect(answer!.errorCode).toBe(0);
    }
    for (const partition of [0, 1]) {
      expect(await fetchValues(partition)).toEqual(expected[partition]);
      const consumed = await kcat(
        bootstrap,
        ['-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-X', 'check.crcs=true', '-f', '%s\\n'],
        { timeoutMs: 30_000 },
      );
      expect(lines(consumed)).toEqual(expected[partition]);
    }
  }, 180_000);
});

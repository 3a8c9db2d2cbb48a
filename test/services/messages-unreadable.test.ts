// The message browser and export go past batches that cannot be read and say which: raw bad batches
// as a real Kafka broker serves them (decoded here, record by record), and the embedded broker's
// stand-ins for bad batches planted on its disk (read and exported through the service).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRequestSchema, readRequestSchema } from '../../shared/model/messages';
import { encodeEmptyBatch } from '../../electron/kafka/records/batch-header';
import { CompressionType, initCompression } from '../../electron/kafka/records/compression';
import { encodeRecordBatch } from '../../electron/kafka/records/record-batch';
import { decodeRecordsField } from '../../electron/services/messages/fetch';
import { MessageService } from '../../electron/services/messages/service';
import { GiB, atOffset, compressedBatch, craftBatch, noise, someRecords, zstdBomb } from '../kafka/records/crafted';
import { startPlantedCluster, type PlantedCluster } from '../broker/clients/planted';
import { topicName } from '../broker/clients/helpers';

beforeAll(async () => {
  await initCompression();
});

describe('decoding a records field with bad batches in it', () => {
  it('decodes the valid batches, and reports each bad one by offsets and reason', () => {
    const broken = Buffer.from(atOffset(compressedBatch(CompressionType.None, someRecords(3, 'crc')), 10, 0));
    broken[broken.length - 1] = broken[broken.length - 1]! ^ 0xff; // damaged after its CRC was computed
    const field = Buffer.concat([
      atOffset(compressedBatch(CompressionType.Gzip, someRecords(3, 'first')), 0, 0),
      atOffset(craftBatch({ codec: CompressionType.Gzip, payload: noise(1, 200), recordCount: 3 }), 3, 0),
      atOffset(craftBatch({ codec: CompressionType.Zstd, payload: zstdBomb(GiB), recordCount: 1 }), 6, 0),
      atOffset(compressedBatch(CompressionType.Lz4, someRecords(2, 'liar'), 3), 7, 0),
      broken,
      atOffset(compressedBatch(CompressionType.Snappy, someRecords(3, 'last')), 13, 0),
      // what the embedded broker serves for a bad batch on its disk
      encodeEmptyBatch({ baseOffset: 16, lastOffsetDelta: 2, partitionLeaderEpoch: 0, baseTimestamp: 0, maxTimestamp: 0 }),
      // an empty batch kept by Kafka's cleaner for its producer's state: nothing to report
      atOffset(encodeRecordBatch({ records: [], producerId: 42, producerEpoch: 0, baseSequence: 5, lastOffsetDelta: 1 }), 19, 0),
      atOffset(compressedBatch(CompressionType.None, someRecords(1, 'end')), 21, 0),
    ]);
    const decoded = decodeRecordsField(4, field, 0);
    expect(decoded.records.map((r) => `${r.offset}:${r.value!.toString()}`)).toEqual([
      '0:first-0',
      '1:first-1',
      '2:first-2',
      '13:last-0',
      '14:last-1',
      '15:last-2',
      '21:end-0',
    ]);
    expect(decoded.nextOffset).toBe(22);
    expect(decoded.unreadable.map(({ partition, baseOffset, lastOffset }) => [partition, baseOffset, lastOffset])).toEqual([
      [4, 3, 5],
      [4, 6, 6],
      [4, 7, 9],
      [4, 10, 12],
      [4, 16, 18],
    ]);
    const reasons = decoded.unreadable.map((batch) => batch.reason);
    expect(reasons[0]).toMatch(/compressed data cannot be decompressed/);
    expect(reasons[1]).toMatch(/would inflate past the browser's limit/);
    expect(reasons[2]).toMatch(/records do not add up \(its header declares 3 records but it holds 2\)/);
    expect(reasons[3]).toMatch(/fails its CRC check/);
    expect(reasons[4]).toMatch(/broker holds a batch here that it cannot read/);
  });
});

describe('the message browser on a cluster with bad batches on disk', () => {
  let planted: PlantedCluster;
  let service: MessageService;
  let dataDir: string;

  beforeAll(async () => {
    planted = await startPlantedCluster(topicName('svc-planted'));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kd-svc-planted-'));
    service = new MessageService({
      dataDir,
      clientOptions: async () => ({ clientId: 'kd-planted-test', bootstrapBrokers: [planted.bootstrap] }),
      emitProgress: () => undefined,
      emitTail: () => undefined,
    });
  }, 60_000);

  afterAll(async () => {
    await service?.resetClients();
    await planted?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const expectedBad = () => [
    { partition: 0, baseOffset: 3, lastOffset: 5, reason: expect.stringMatching(/broker holds a batch here that it cannot read/) },
    { partition: 1, baseOffset: 6, lastOffset: 6, reason: expect.stringMatching(/broker holds a batch here that it cannot read/) },
  ];

  it('a page from the earliest offset holds every valid record and names the batches it went past', async () => {
    const page = await service.read(
      readRequestSchema.parse({ connectionId: 'embedded', topic: planted.topic, seek: { mode: 'earliest' }, limit: { count: 100 } }),
    );
    for (const partition of [0, 1]) {
      expect(page.records.filter((r) => r.partition === partition).map((r) => r.value.text)).toEqual(planted.expected[partition]);
    }
    expect(page.unreadable).toEqual(expectedBad());
  });

  it('paging one partition from offset 0 in pages of 2 goes past the bad batch; a page that does not reach it says nothing', async () => {
    const first = await service.read(
      readRequestSchema.parse({ connectionId: 'embedded', topic: planted.topic, partitions: [0], seek: { mode: 'earliest' }, limit: { count: 2 } }),
    );
    expect(first.records.map((r) => r.offset)).toEqual([0, 1]);
    expect(first.unreadable ?? []).toEqual([]);
    let page = first;
    const offsets = [...first.records.map((r) => r.offset)];
    const reported: number[] = [];
    while (page.hasAfter) {
      page = await service.read(
        readRequestSchema.parse({
          connectionId: 'embedded',
          topic: planted.topic,
          partitions: [0],
          page: { cursor: page.cursor, direction: 'forward' },
          limit: { count: 2 },
        }),
      );
      offsets.push(...page.records.map((r) => r.offset));
      reported.push(...(page.unreadable ?? []).map((b) => b.baseOffset));
    }
    expect(offsets).toEqual([0, 1, 2, 6, 7, 8]);
    expect(reported).toEqual([3]);
  });

  it('the export writes every valid record and reports the batches it went past', async () => {
    const result = await service.export(exportRequestSchema.parse({ connectionId: 'embedded', topic: planted.topic, format: 'jsonl' }));
    expect(result.status).toBe('download');
    expect(result.records).toBe(planted.expected[0]!.length + planted.expected[1]!.length);
    expect(result.unreadable).toEqual(expectedBad());
    const file = service.download(result.url!.split('/').pop()!)!;
    const values = (await readFile(file.path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { partition: number; value: string });
    for (const partition of [0, 1]) expect(values.filter((v) => v.partition === partition).map((v) => v.value)).toEqual(planted.expected[partition]);
  });
});

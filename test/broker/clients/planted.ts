/**
 * An embedded cluster whose log holds bad batches "written by an older version": valid batches are
 * produced, the broker is stopped, and file surgery plants garbage behind valid CRCs — in place in a
 * log without a validated checkpoint (what older versions left), and appended past the checkpoint —
 * then the broker starts again on the same files. Shared by the reader tests (Fetch, kcat, the app).
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { VALIDATED_CHECKPOINT } from '../../../electron/broker/log/read-check';
import { Produce } from '../../../electron/kafka/protocol/generated/index';
import { CompressionType, initCompression } from '../../../electron/kafka/records/compression';
import { createLogger } from '../../../electron/broker/server/logger';
import { RawClient } from '../handlers/raw-client';
import { GiB, appendRaw, atOffset, compressedBatch, craftBatch, plantGarbage, someRecords, zstdBomb } from '../../kafka/records/crafted';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

export interface PlantedCluster {
  cluster: EmbeddedCluster;
  bootstrap: string;
  topic: string;
  /** The values a reader must get, per partition, in order. */
  expected: string[][];
  /** Offsets of the planted batches, per partition. */
  planted: Array<Array<{ baseOffset: number; lastOffset: number }>>;
  logLines: string[];
  close(): Promise<void>;
}

/**
 * Partition 0: gzip batches at 0-2, 3-5 (garbage planted in place, no validated checkpoint), 6-8.
 * Partition 1: lz4 batches at 0-2, 3-5, then appended past the checkpoint a zstd bomb claiming 1 GiB
 * at 6 and a valid snappy batch at 7-9.
 */
export async function startPlantedCluster(topic: string): Promise<PlantedCluster> {
  await initCompression();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kd-planted-'));
  const logLines: string[] = [];
  const logger = createLogger({ level: 'warn', write: (line) => logLines.push(line) });
  const expected: string[][] = [[], []];
  let cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger });
  cluster.controller.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
  const client = await RawClient.open(cluster.bootstrapServers());
  const batches: Array<[number, number, string]> = [
    [0, CompressionType.Gzip, 'p0-a'],
    [0, CompressionType.Gzip, 'p0-planted'],
    [0, CompressionType.Gzip, 'p0-c'],
    [1, CompressionType.Lz4, 'p1-a'],
    [1, CompressionType.Lz4, 'p1-b'],
  ];
  for (const [partition, codec, tag] of batches) {
    const records = someRecords(3, tag);
    const response = await client.call(Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: partition, records: compressedBatch(codec, records) }] }],
    });
    if (response.responses[0]!.partitionResponses[0]!.errorCode !== 0) throw new Error(`produce to ${topic}-${partition} failed`);
    if (tag !== 'p0-planted') expected[partition]!.push(...records.map((r) => r.value!.toString()));
  }
  client.close();
  await cluster.close();

  const dir = (partition: number) => path.join(dataDir, 'broker-0', `${topic}-${partition}`);
  const segment = (partition: number) => path.join(dir(partition), '00000000000000000000.log');
  const planted: PlantedCluster['planted'] = [[], []];
  planted[0]!.push(plantGarbage(segment(0), 1));
  fs.rmSync(path.join(dir(0), VALIDATED_CHECKPOINT), { force: true });
  const epoch = fs.readFileSync(segment(1)).readInt32BE(12);
  const after = someRecords(3, 'p1-after');
  appendRaw(
    segment(1),
    atOffset(craftBatch({ codec: CompressionType.Zstd, payload: zstdBomb(GiB), recordCount: 1 }), 6, epoch),
    atOffset(compressedBatch(CompressionType.Snappy, after), 7, epoch),
  );
  planted[1]!.push({ baseOffset: 6, lastOffset: 6 });
  expected[1]!.push(...after.map((r) => r.value!.toString()));

  cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger });
  const started = cluster;
  // A lone replica leads at once, with everything committed.
  for (let i = 0; i < 100 && [0, 1].some((p) => (started.broker(0).replica(topic, p)?.highWatermark ?? 0) < (p === 0 ? 9 : 10)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    cluster: started,
    bootstrap: started.bootstrapServers(),
    topic,
    expected,
    planted,
    logLines,
    async close() {
      await started.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

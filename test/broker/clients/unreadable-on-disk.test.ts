/**
 * Readers survive bad batches already on disk (planted by file surgery, as an older version that
 * stored whatever producers sent could have left them): old clients' Fetch v0-3 (down-converted) and
 * modern Fetch, kcat (librdkafka) and confluent-kafka read every valid record and go past the bad
 * batches, and the broker logs each bad batch once with its offsets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetch, createFetchRequest, createFetchRequestFetchPartition } from '../../../electron/kafka/protocol/generated/index';
import { isEmptyStandIn } from '../../../electron/kafka/records/batch-header';
import { decodeMessageSet } from '../../../electron/kafka/records/message-set';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { RawClient } from '../handlers/raw-client';
import { PYTHON, kcat, lines, run, topicName } from './helpers';
import { startPlantedCluster, type PlantedCluster } from './planted';

let planted: PlantedCluster;
let client: RawClient;

beforeAll(async () => {
  planted = await startPlantedCluster(topicName('planted'));
  client = await RawClient.open(planted.bootstrap);
}, 60_000);

afterAll(async () => {
  client?.close();
  await planted?.close();
});

async function fetch(version: number, partition: number, offset: number) {
  const request = createFetchRequest();
  request.maxWaitMs = 0;
  request.maxBytes = 1 << 20;
  request.topics = [
    {
      topic: planted.topic,
      topicId: '00000000-0000-0000-0000-000000000000',
      partitions: [{ ...createFetchRequestFetchPartition(), partition, fetchOffset: BigInt(offset), partitionMaxBytes: 1 << 20 }],
    },
  ];
  const response = await client.call(Fetch, version, request);
  const data = response.responses[0]!.partitions[0]!;
  expect(data.errorCode).toBe(0);
  return { records: data.records ?? Buffer.alloc(0), highWatermark: Number(data.highWatermark) };
}

describe('a log with bad batches on disk', () => {
  it.each([0, 1, 2, 3])(
    'Fetch v%i (down-converted to magic 0/1) reads every valid record, one fetch after another, and keeps the connection',
    async (version) => {
      for (const partition of [0, 1]) {
        const values: string[] = [];
        let offset = 0;
        for (let round = 0; round < 20; round++) {
          const { records, highWatermark } = await fetch(version, partition, offset);
          if (offset >= highWatermark) break;
          const { messages } = decodeMessageSet(records);
          expect(messages.length).toBeGreaterThan(0); // never stuck on a batch that converts to nothing
          expect(messages.every((m) => m.magic === (version <= 1 ? 0 : 1))).toBe(true);
          for (const m of messages) if (m.offset >= offset) values.push(m.value!.toString());
          offset = messages[messages.length - 1]!.offset + 1;
        }
        expect(values).toEqual(planted.expected[partition]);
      }
      // Asked for the bad batch itself, an old client gets what follows it.
      const atBad = decodeMessageSet((await fetch(version, 0, 3)).records).messages;
      expect(atBad[0]!.offset).toBe(6);
    },
  );

  it("Fetch v12 serves an empty batch over each bad batch's offsets, the valid batches around it intact", async () => {
    for (const partition of [0, 1]) {
      const { batches } = decodeBatches((await fetch(12, partition, 0)).records, { verifyCrc: true });
      const standIns = batches.filter((b) => isEmptyStandIn(b)).map((b) => ({ baseOffset: b.baseOffset, lastOffset: b.baseOffset + b.lastOffsetDelta }));
      expect(standIns).toEqual(planted.planted[partition]);
      expect(batches.flatMap((b) => b.records.map((r) => r.value!.toString()))).toEqual(planted.expected[partition]);
    }
  });

  it('kcat (librdkafka) consumes every valid record of both partitions and exits', async () => {
    for (const partition of [0, 1]) {
      const out = await kcat(
        planted.bootstrap,
        ['-C', '-t', planted.topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-X', 'check.crcs=true', '-f', '%s\\n'],
        { timeoutMs: 30_000 },
      );
      expect(lines(out)).toEqual(planted.expected[partition]);
    }
  });

  it('confluent-kafka, in a consumer group, consumes every valid record and commits past the bad batches', async () => {
    const script = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'planted-readers', 'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'enable.partition.eof': True, 'check.crcs': True})
c.subscribe([sys.argv[2]])
values, errors, eof = {0: [], 1: []}, [], set()
while len(eof) < 2:
    m = c.poll(10)
    if m is None:
        break
    if m.error():
        if m.error().code() == -191:  # _PARTITION_EOF
            eof.add(m.partition())
        else:
            errors.append(str(m.error()))
        continue
    values[m.partition()].append(m.value().decode())
c.commit(asynchronous=False)
committed = [tp.offset for tp in c.committed([TopicPartition(sys.argv[2], 0), TopicPartition(sys.argv[2], 1)])]
c.close()
print(json.dumps({'values': values, 'errors': errors, 'committed': committed}))
`;
    const result = await run(PYTHON, ['-c', script, planted.bootstrap, planted.topic], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { values: Record<string, string[]>; errors: string[]; committed: number[] };
    expect(out.errors).toEqual([]);
    expect(out.values['0']).toEqual(planted.expected[0]);
    expect(out.values['1']).toEqual(planted.expected[1]);
    expect(out.committed).toEqual([9, 10]);
  });

  it('the broker logged each bad batch once, with its partition and offsets and what is wrong', () => {
    const lines = planted.logLines.filter((line) => line.includes('cannot be read'));
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes(`${planted.topic}-0: the batch at offsets 3-5`))).toMatch(/gzip data cannot be decompressed/);
    expect(lines.find((line) => line.includes(`${planted.topic}-1: the batch at offsets 6-6`))).toMatch(/decompress to more than/);
  });
});

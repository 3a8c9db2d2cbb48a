/**
 * Fetch responses read from disk use pooled buffers that go back to the pool once written: several kcat
 * consumers at once, with different fetch sizes, reading a log far larger than the tail cache, each get
 * every record intact at its own offset (librdkafka checking CRCs) — no response sent from a buffer
 * another fetch had already reused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchRequest, createFetchRequestFetchPartition, Fetch } from '../../../electron/kafka/protocol/generated/index';
import { decodeBatches, encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { RawClient } from '../handlers/raw-client';
import { kcat, lines, startTestCluster, topicName, type TestCluster } from './helpers';
import { sleep } from '../../support/wait';

let t: TestCluster;

beforeAll(async () => {
  t = await startTestCluster();
});

afterAll(async () => {
  await t?.close();
});

describe('fetches served from pooled read buffers', () => {
  it('hands every consumer every record intact, concurrently', async () => {
    const topic = topicName('pooled-fetch');
    const count = 20_000;
    const pad = 'x'.repeat(900);
    const input = Array.from({ length: count }, (_, i) => `${i}:${pad}`).join('\n') + '\n';
    // ~18 MiB: most of it only on disk (the tail cache keeps the newest 4 MiB).
    await kcat(t.bootstrap, ['-P', '-t', topic, '-X', 'linger.ms=20', '-X', 'batch.num.messages=500'], { input, timeoutMs: 60_000 });
    const consume = (fetchBytes: number) =>
      kcat(
        t.bootstrap,
        ['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'check.crcs=true', '-X', `fetch.message.max.bytes=${fetchBytes}`, '-f', '%o %s\\n'],
        { timeoutMs: 60_000 },
      );
    const outputs = await Promise.all([consume(1 << 20), consume(100_000), consume(300_000), consume(1 << 20)]);
    for (const output of outputs) {
      const got = lines(output);
      expect(got.length).toBe(count);
      for (let i = 0; i < count; i++) {
        if (got[i] !== `${i} ${i}:${pad}`) expect.fail(`record at line ${i}: ${got[i]!.slice(0, 40)}...`);
      }
    }
    expect(t.errors).toEqual([]);
  }, 120_000);

  it("keeps a response's buffers out of the pool while a slow client has not taken it", async () => {
    const topic = topicName('pooled-slow');
    t.cluster.controller.createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const broker = t.cluster.broker(0);
    const value = (p: number, i: number) => Buffer.from(`${p}/${i}/`.padEnd(1000, 'v'));
    // 10 MiB per partition in batches of 100 records: the first 6 MiB are on disk only.
    for (const p of [0, 1]) {
      const replica = broker.replica(topic, p)!;
      for (let b = 0; b < 100; b++) {
        const records = Array.from({ length: 100 }, (_, j) => ({ key: null, value: value(p, b * 100 + j), timestamp: Date.now() }));
        const outcome = replica.appendAsLeader(encodeRecordBatch({ records, timestamp: Date.now() }), 1, 1000);
        expect('error' in outcome && outcome.error).toBe(null);
      }
    }
    const fetch = (offset: number) => {
      const request = createFetchRequest();
      request.maxWaitMs = 0;
      request.maxBytes = 16 << 20;
      request.topics = [
        {
          topic,
          topicId: '00000000-0000-0000-0000-000000000000',
          partitions: [0, 1].map((partition) => ({
            ...createFetchRequestFetchPartition(),
            partition,
            fetchOffset: BigInt(offset),
            partitionMaxBytes: 3 << 20,
          })),
        },
      ];
      return request;
    };
    const slow = await RawClient.open(t.bootstrap);
    const fast = await RawClient.open(t.bootstrap);
    try {
      // 6 MiB from offset 0, not read for now: more than the kernel buffers hold, so part of it waits in
      // the server's socket, in the buffers it was read into.
      (slow as unknown as { socket: import('node:net').Socket }).socket.pause();
      const pending = slow.call(Fetch, 11, fetch(0));
      await sleep(300);
      // Other fetches of other offsets meanwhile: had the slow response's buffers gone back to the pool,
      // these reads would overwrite them.
      for (let i = 0; i < 5; i++) {
        const other = await fast.call(Fetch, 11, fetch(3000));
        expect(other.responses[0]!.partitions.every((p) => p.records!.length > 2 << 20)).toBe(true);
      }
      (slow as unknown as { socket: import('node:net').Socket }).socket.resume();
      const response = await pending;
      for (const data of response.responses[0]!.partitions) {
        const batches = decodeBatches(data.records!).batches;
        const records = batches.flatMap((b) => b.records);
        expect(records.length).toBeGreaterThan(2000);
        records.forEach((r, i) => {
          if (r.offset !== i || !r.value!.equals(value(data.partitionIndex, i))) expect.fail(`partition ${data.partitionIndex} record ${i} is wrong`);
        });
      }
    } finally {
      slow.close();
      fast.close();
    }
    expect(t.errors).toEqual([]);
  }, 60_000);
});

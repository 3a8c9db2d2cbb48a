/**
 * acks=all produce requests pipelined on one connection (as librdkafka sends them at linger.ms=0):
 * each is appended as it arrives while the earlier ones wait for their followers, so one replication
 * round covers many, and every answer still goes out in request order. A request of another API waits
 * for the produce before it, as on Kafka (one request at a time per connection otherwise). A consumer's
 * long poll wakes when records become readable (the high watermark), not at their append.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { replicationMetrics } from '../../../electron/broker/cluster/replication-metrics';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  Fetch,
  ListOffsets,
  Produce,
  type ApiDescriptor,
} from '../../../electron/kafka/protocol/generated/index';
import { decodeResponseHeader, encodeRequestFrame, responseHeaderVersion } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { silentLogger } from '../../../electron/broker/server/logger';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

let cluster: EmbeddedCluster;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-pipelined-'));
  cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger });
});

afterAll(async () => {
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function createTopic(name: string): void {
  const topic = cluster.controller.createTopic({ name, partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
  if (isFailure(topic)) throw new Error(topic.message);
}

/** A connection to the partition's leader that writes frames all at once and collects responses in arrival order. */
async function openToLeader(topic: string): Promise<{ socket: Socket; responses: (count: number) => Promise<Buffer[]> }> {
  const leader = cluster.controller.partition(topic, 0)!.leader;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: cluster.broker(leader).boundPort, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  const frames: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      frames.push(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
      buffered = buffered.subarray(4 + buffered.readInt32BE(0));
    }
  });
  const responses = async (count: number) => {
    const deadline = Date.now() + 15_000;
    while (frames.length < count) {
      if (Date.now() > deadline) throw new Error(`${frames.length} of ${count} responses`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return frames.splice(0, count);
  };
  return { socket, responses };
}

function produceFrame(topic: string, correlationId: number, values: string[]): Buffer {
  const records = encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v), headers: [] })) });
  return Buffer.concat(
    encodeRequestFrame(Produce, 9, correlationId, 'pipeliner', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: 0, records }] }],
    }),
  );
}

function decode<Res>(api: ApiDescriptor<unknown, Res>, version: number, frame: Buffer): { correlationId: number; body: Res } {
  const reader = new Reader(frame);
  const { correlationId } = decodeResponseHeader(reader, responseHeaderVersion(api.apiKey, version));
  return { correlationId, body: api.decodeResponse(reader, version) };
}

describe('pipelined acks=all produce', () => {
  it('appends requests while earlier ones wait, replicates them together and answers in order', async () => {
    const topic = 'pipelined';
    createTopic(topic);
    const { socket, responses } = await openToLeader(topic);
    try {
      const count = 100;
      const before = { ...replicationMetrics };
      socket.write(Buffer.concat(Array.from({ length: count }, (_, i) => produceFrame(topic, i, [`v${i}`]))));
      const answers = (await responses(count)).map((frame) => decode(Produce, 9, frame));
      expect(answers.map((a) => a.correlationId)).toEqual(Array.from({ length: count }, (_, i) => i));
      for (const [i, a] of answers.entries()) {
        const partition = a.body.responses[0]!.partitionResponses[0]!;
        expect(partition.errorCode).toBe(ErrorCode.NONE);
        expect(partition.baseOffset).toBe(BigInt(i));
      }
      // Every request waited for the followers (acks=all)...
      expect(replicationMetrics.leaderAppendsWaiting - before.leaderAppendsWaiting).toBe(count);
      // ...but they were not replicated one request at a time, which took each follower a fetch with
      // records per request (2 x 100 here).
      const fetchesWithRecords = replicationMetrics.followerFetchesWithRecords - before.followerFetchesWithRecords;
      expect(fetchesWithRecords).toBeGreaterThanOrEqual(2);
      expect(fetchesWithRecords).toBeLessThan(count / 2);
      const leader = cluster.broker(cluster.controller.partition(topic, 0)!.leader).replica(topic, 0)!;
      expect(leader.highWatermark).toBe(count);
    } finally {
      socket.destroy();
    }
  });

  it('handles a request of another API only once the acks=all produce before it is answered', async () => {
    const topic = 'pipelined-then-list';
    createTopic(topic);
    const { socket, responses } = await openToLeader(topic);
    try {
      const listOffsets = Buffer.concat(
        encodeRequestFrame(ListOffsets, 5, 2, 'pipeliner', {
          replicaId: -1,
          isolationLevel: 0,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
          timeoutMs: 0,
        }),
      );
      // Both in one write: the ListOffsets frame is there while the produce waits for its followers.
      socket.write(Buffer.concat([produceFrame(topic, 1, ['a', 'b', 'c']), listOffsets]));
      const [produce, list] = await responses(2);
      expect(decode(Produce, 9, produce!).correlationId).toBe(1);
      const latest = decode(ListOffsets, 5, list!);
      expect(latest.correlationId).toBe(2);
      // The latest offset a consumer may read (the high watermark) already includes the three records.
      expect(latest.body.topics[0]!.partitions[0]!.offset).toBe(3n);
    } finally {
      socket.destroy();
    }
  });

  it("wakes a consumer's long poll once, when the records become readable, not at their append", async () => {
    const topic = 'pipelined-long-poll';
    createTopic(topic);
    const consumer = await openToLeader(topic);
    const producer = await openToLeader(topic);
    try {
      const fetch = createFetchRequest();
      fetch.maxWaitMs = 10_000;
      fetch.minBytes = 1;
      const topicRequest = createFetchRequestFetchTopic();
      topicRequest.topic = topic;
      topicRequest.partitions = [{ ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }];
      fetch.topics = [topicRequest];
      const before = { ...replicationMetrics };
      consumer.socket.write(Buffer.concat(encodeRequestFrame(Fetch, 11, 1, 'consumer', fetch)));
      // The fetch is waiting (nothing to read yet) before the produce is sent.
      const deadline = Date.now() + 5_000;
      while (replicationMetrics.fetchLongPolls === before.fetchLongPolls && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(replicationMetrics.fetchLongPolls - before.fetchLongPolls).toBe(1);
      producer.socket.write(produceFrame(topic, 1, ['x']));
      const [fetched] = await consumer.responses(1);
      const partition = decode(Fetch, 11, fetched!).body.responses[0]!.partitions[0]!;
      expect(partition.highWatermark).toBe(1n);
      expect(partition.records!.length).toBeGreaterThan(0);
      await producer.responses(1);
      // Woken by the high watermark only: the append itself, which a consumer cannot read yet, did not wake it.
      expect(replicationMetrics.fetchLongPollWakeups - before.fetchLongPollWakeups).toBe(1);
    } finally {
      consumer.socket.destroy();
      producer.socket.destroy();
    }
  });
});

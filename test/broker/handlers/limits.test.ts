/**
 * The broker's ceilings on what one request may ask for: partitions per request, per topic and in the
 * cluster, replication factors, config value sizes, batch sizes. Each refusal carries Kafka's error
 * code and a message naming the limit, is logged by the broker, and changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AlterConfigs,
  CreatePartitions,
  CreateTopics,
  DeleteTopics,
  IncrementalAlterConfigs,
  Metadata,
  Produce,
} from '../../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { createLogger } from '../../../electron/broker/server/logger';
import { run } from '../clients/helpers';
import { RawClient } from './raw-client';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

let dataDir: string;
let cluster: EmbeddedCluster;
let raw: RawClient;
let admin: Admin;
const logLines: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-limits-'));
  cluster = await EmbeddedCluster.start({
    brokers: 3,
    basePort: 0,
    dataDir,
    logger: createLogger({ level: 'info', write: (line) => logLines.push(line) }),
    // The per-request ceiling keeps Kafka's 10,000; the others are lowered so the test stays small.
    config: { 'max.partitions.per.topic': '200', 'max.partitions': '400' },
  });
  raw = await RawClient.open(cluster.bootstrapServers().split(',')[0]!);
  const kafka = new Kafka({ clientId: 'limits-test', brokers: cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  raw?.close();
  await admin?.disconnect();
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Topic = {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
};
const topic = (name: string, numPartitions: number, extra: Partial<Topic> = {}): Topic => ({
  name,
  numPartitions,
  replicationFactor: -1,
  assignments: [],
  configs: [],
  ...extra,
});

async function createTopics(topics: Topic[], options: { validateOnly?: boolean; version?: number } = {}) {
  const response = await raw.call(CreateTopics, options.version ?? 5, { topics, timeoutMs: 5000, validateOnly: options.validateOnly ?? false });
  return response.topics;
}

function refusalLogged(pattern: RegExp): boolean {
  return logLines.some((line) => /refused/.test(line) && pattern.test(line));
}

describe('partition ceilings', () => {
  it('refuses CreateTopics v5 numPartitions=2147483647 validateOnly=true with POLICY_VIOLATION before allocating anything', async () => {
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const [result] = await createTopics([topic('huge', 2147483647)], { validateOnly: true });
    expect(result).toMatchObject({ name: 'huge', errorCode: ErrorCode.POLICY_VIOLATION });
    expect(result!.errorMessage).toBe(
      'Excessively large number of partitions per request: 2147483647 requested, the limit is 10000 (max.partitions.per.request).',
    );
    // Answered at once, without the gigabytes an assignment of 2^31 partitions would take (the memory is
    // the proof; the time bound only catches a loop over them, so it leaves room for a loaded machine).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 << 20);
    expect(refusalLogged(/topic=huge error=POLICY_VIOLATION/)).toBe(true);
    for (const version of [0, 7]) {
      const [again] = await createTopics([topic(`huge-v${version}`, 5_000_000)], { version });
      expect(again!.errorCode, `v${version}`).toBe(ErrorCode.POLICY_VIOLATION);
    }
    expect(cluster.controller.topic('huge-v0')).toBeUndefined();
    expect(cluster.controller.partitionCount()).toBe(0);
  });

  it('counts the whole request, manual assignments included, and refuses every topic of it', async () => {
    const results = await createTopics([topic('half-a', 6000), topic('half-b', 6000)]);
    expect(results.map((r) => [r.name, r.errorCode])).toEqual([
      ['half-a', ErrorCode.POLICY_VIOLATION],
      ['half-b', ErrorCode.POLICY_VIOLATION],
    ]);
    expect(results[0]!.errorMessage).toMatch(/12000 requested, the limit is 10000/);
    const assignments = Array.from({ length: 10_001 }, (_, i) => ({ partitionIndex: i, brokerIds: [0] }));
    const [manual] = await createTopics([topic('manual-huge', -1, { assignments })]);
    expect(manual!.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    expect(cluster.controller.topic('half-a')).toBeUndefined();
    expect(cluster.controller.topic('manual-huge')).toBeUndefined();
  });

  it('applies to topics a Metadata request would auto-create: 10,001 new names create none', async () => {
    const metadata = (names: string[]) =>
      raw.call(Metadata, 9, {
        topics: names.map((name) => ({ name, topicId: '00000000-0000-0000-0000-000000000000' })),
        allowAutoTopicCreation: true,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
    const names = Array.from({ length: 10_001 }, (_, i) => `auto-${i}`);
    const refused = await metadata(names);
    expect(new Set(refused.topics.map((t) => t.errorCode))).toEqual(new Set([ErrorCode.POLICY_VIOLATION]));
    expect(cluster.controller.topic('auto-0')).toBeUndefined();
    expect(refusalLogged(/topic auto-creation refused.*topics=10001/)).toBe(true);
    // A few are created, and answered once their logs exist.
    const few = await metadata(['auto-a', 'auto-b']);
    expect(few.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['auto-a', ErrorCode.NONE, 1],
      ['auto-b', ErrorCode.NONE, 1],
    ]);
    const leader = cluster.controller.partition('auto-a', 0)!.leader;
    expect(
      cluster
        .broker(leader)
        .hostedReplicas()
        .some((r) => r.topic === 'auto-a'),
    ).toBe(true);
    await raw.call(DeleteTopics, 4, { topicNames: ['auto-a', 'auto-b'], topics: [], timeoutMs: 5000 });
  });

  it('is what a real client sees (kafkajs)', async () => {
    const error = (await admin
      .createTopics({ topics: [{ topic: 'kafkajs-huge', numPartitions: 2147483647, replicationFactor: 1 }] })
      .catch((e: unknown) => e)) as {
      errors?: Array<{ type?: string }>;
    };
    expect(error.errors?.map((e) => e.type)).toEqual(['POLICY_VIOLATION']);
  });

  it('caps the partitions of a topic (max.partitions.per.topic), on creation and on CreatePartitions', async () => {
    const [tooMany] = await createTopics([topic('wide', 201)]);
    expect(tooMany).toMatchObject({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: "Topic 'wide' would have 201 partitions; a topic may have at most 200 (max.partitions.per.topic).",
    });
    const [created] = await createTopics([topic('grows', 10)]);
    expect(created!.errorCode).toBe(ErrorCode.NONE);
    const response = await raw.call(CreatePartitions, 3, {
      timeoutMs: 5000,
      validateOnly: false,
      topics: [{ name: 'grows', count: 201, assignments: null }],
    });
    expect(response.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
    expect(response.results[0]!.errorMessage).toMatch(/at most 200 \(max\.partitions\.per\.topic\)/);
    const huge = await raw.call(CreatePartitions, 0, {
      timeoutMs: 5000,
      validateOnly: true,
      topics: [{ name: 'grows', count: 2147483647, assignments: null }],
    });
    expect(huge.results[0]).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
    expect(huge.results[0]!.errorMessage).toMatch(/2147483637 requested, the limit is 10000/);
    expect(cluster.controller.topic('grows')!.partitions).toHaveLength(10);
    expect(refusalLogged(/CreatePartitions refused.*topic=grows error=INVALID_PARTITIONS/)).toBe(true);
  });

  // 570 partition logs made and 190 deleted: about 10 s alone, past the 30 s default on a loaded machine
  // (where its timeout left creations running into the next tests).
  it('caps the partitions of the cluster (max.partitions), and frees room when topics go', { timeout: 120_000 }, async () => {
    expect(cluster.controller.partitionCount()).toBe(10);
    expect((await createTopics([topic('room-a', 190)]))[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await createTopics([topic('room-b', 190)]))[0]!.errorCode).toBe(ErrorCode.NONE);
    const [full] = await createTopics([topic('room-c', 190)]);
    expect(full).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION });
    expect(full!.errorMessage).toBe('Adding 190 partitions would bring the cluster to 580, above its limit of 400 (max.partitions); it has 390.');
    expect(cluster.controller.topic('room-c')).toBeUndefined();
    await raw.call(DeleteTopics, 4, { topicNames: ['room-a'], topics: [], timeoutMs: 5000 });
    expect(cluster.controller.partitionCount()).toBe(200);
    expect((await createTopics([topic('room-c', 190)]))[0]!.errorCode).toBe(ErrorCode.NONE);
  });
});

describe('replication factors and assignments', () => {
  it('refuses a replication factor above the broker count, and a manual assignment listing more replicas than brokers, with short messages', async () => {
    const [rf] = await createTopics([topic('rf-huge', 1, { replicationFactor: 32767 })]);
    expect(rf).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: 'Replication factor 32767 is larger than the number of brokers (3).',
    });
    const brokerIds = Array.from({ length: 100_000 }, (_, i) => i % 3);
    const [wide] = await createTopics([topic('replicas-huge', -1, { assignments: [{ partitionIndex: 0, brokerIds }] })]);
    expect(wide).toMatchObject({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Partition 0 has 100000 replicas; the cluster has 3 broker(s).',
    });
    expect(cluster.controller.topic('rf-huge')).toBeUndefined();
  });
});

describe('config value sizes', () => {
  const long = '0:0,'.repeat(20_000); // 80,000 bytes, a well-formed list of throttled replicas
  it('refuses a value longer than max.config.value.bytes in CreateTopics, AlterConfigs and IncrementalAlterConfigs, without echoing it', async () => {
    const [created] = await createTopics([topic('long-config', 1, { configs: [{ name: 'leader.replication.throttled.replicas', value: long }] })]);
    expect(created).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'The value of leader.replication.throttled.replicas is 80000 bytes; a config value may have at most 65536 (max.config.value.bytes).',
    });
    expect(cluster.controller.topic('long-config')).toBeUndefined();
    // v2: a flexible version, whose strings may be longer than 32 KiB.
    const altered = await raw.call(AlterConfigs, 2, {
      validateOnly: false,
      resources: [
        { resourceType: 2, resourceName: 'grows', configs: [{ name: 'leader.replication.throttled.replicas', value: long }] },
        { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.bytes', value: '9'.repeat(70_000) }] },
      ],
    });
    expect(altered.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG]);
    for (const r of altered.responses) expect(r.errorMessage).toMatch(/at most 65536 \(max\.config\.value\.bytes\)/);
    const incremental = await raw.call(IncrementalAlterConfigs, 1, {
      validateOnly: false,
      resources: [{ resourceType: 2, resourceName: 'grows', configs: [{ name: 'follower.replication.throttled.replicas', configOperation: 0, value: long }] }],
    });
    expect(incremental.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(cluster.controller.topic('grows')!.configs).toEqual({});
    expect(cluster.controller.brokerConfigs('')).toEqual({});
    expect(refusalLogged(/config change refused.*max\.config\.value\.bytes/)).toBe(true);
  });

  it('quotes at most 200 characters of an invalid value back', async () => {
    const [bad] = await createTopics([topic('bad-long-config', 1, { configs: [{ name: 'retention.ms', value: 'x'.repeat(60_000) }] })]);
    expect(bad!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad!.errorMessage!.length).toBeLessThan(400);
  });
});

describe('batch sizes', () => {
  async function produceTo(name: string, valueBytes: number) {
    const records = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.alloc(valueBytes, 0x61), timestamp: Date.now(), headers: [] }] });
    const leader = cluster.controller.partition(name, 0)!.leader;
    const client = await RawClient.open(`127.0.0.1:${cluster.broker(leader).boundPort}`);
    try {
      const response = await client.call(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ topicId: ZERO_UUID, name, partitionData: [{ index: 0, records }] }],
      });
      return response.responses[0]!.partitionResponses[0]!;
    } finally {
      client.close();
    }
  }

  it('refuses a batch over max.message.bytes with MESSAGE_TOO_LARGE (raw and kcat), storing nothing', async () => {
    expect((await createTopics([topic('small-messages', 1, { configs: [{ name: 'max.message.bytes', value: '10000' }] })]))[0]!.errorCode).toBe(ErrorCode.NONE);
    const refused = await produceTo('small-messages', 20_000);
    expect(refused.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(refused.errorMessage).toMatch(/exceeds max\.message\.bytes \(10000\)/);
    // librdkafka checks its own message.max.bytes first: raise it so the broker is the one refusing.
    const kcat = await run(
      '/usr/bin/kcat',
      ['-b', cluster.bootstrapServers(), '-P', '-t', 'small-messages', '-X', 'message.max.bytes=1000000', '-X', 'compression.codec=none'],
      {
        input: `${'b'.repeat(20_000)}\n`,
      },
    );
    expect(kcat.stderr).toMatch(/Message size too large|MSG_SIZE_TOO_LARGE/i);
    expect((await produceTo('small-messages', 100)).errorCode).toBe(ErrorCode.NONE);
    const leader = cluster.controller.partition('small-messages', 0)!.leader;
    expect(cluster.broker(leader).replica('small-messages', 0)!.log.logEndOffset).toBe(1);
  });

  it('refuses batches larger than segment.bytes with RECORD_LIST_TOO_LARGE, as Kafka', async () => {
    expect((await createTopics([topic('small-segments', 1, { configs: [{ name: 'segment.bytes', value: '1024' }] })]))[0]!.errorCode).toBe(ErrorCode.NONE);
    const refused = await produceTo('small-segments', 2000);
    expect(refused.errorCode).toBe(ErrorCode.RECORD_LIST_TOO_LARGE);
    expect(refused.errorMessage).toMatch(/more than segment\.bytes \(1024\)/);
    expect((await produceTo('small-segments', 100)).errorCode).toBe(ErrorCode.NONE);
  });
});

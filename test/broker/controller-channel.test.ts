// The ZooKeeper-mode controller channel (issue #16): brokers playing Kafka 0.11-3.9 list LeaderAndIsr,
// StopReplica, UpdateMetadata, ControlledShutdown, AlterPartition, Envelope and AllocateProducerIds as
// those releases did, and answer a client that sends them as Kafka's brokers and controller answer.
// Topics are made and leaders read with real clients (kafkajs, kcat); the requests themselves have no
// client but a broker, so they go out through the codec.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../electron/broker/cluster/cluster';
import { silentLogger } from '../../electron/broker/server/logger';
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import {
  AllocateProducerIds,
  AlterPartition,
  ApiVersions,
  ControlledShutdown,
  Envelope,
  InitProducerId,
  LeaderAndIsr,
  StopReplica,
  UpdateMetadata,
  createAllocateProducerIdsRequest,
  createAlterPartitionRequest,
  createApiVersionsRequest,
  createControlledShutdownRequest,
  createEnvelopeRequest,
  createInitProducerIdRequest,
  createLeaderAndIsrRequest,
  createStopReplicaRequest,
  createUpdateMetadataRequest,
} from '../../electron/kafka/protocol/generated/index';
import { RawClient } from './handlers/raw-client';

const run = promisify(execFile);
let cluster: EmbeddedCluster;
let dataDir: string;
const clients: RawClient[] = [];

async function connect(brokerId: number): Promise<RawClient> {
  const b = cluster.brokers().find((s) => s.id === brokerId)!;
  const raw = await RawClient.open(`${b.host}:${b.port}`);
  clients.push(raw);
  return raw;
}

/** Leaders by partition, as kcat (librdkafka) reads them from Metadata. */
async function leaders(topic: string): Promise<number[]> {
  const { stdout } = await run('/usr/bin/kcat', ['-b', cluster.bootstrapServers(), '-L', '-J', '-t', topic, '-m', '5'], { timeout: 15_000 });
  const metadata = JSON.parse(stdout) as { topics: Array<{ partitions: Array<{ partition: number; leader: number }> }> };
  return metadata.topics[0]!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.leader);
}

let controllerId: number;
let otherId: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-controller-channel-'));
  cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger, kafkaVersion: '3.9' });
  const ids = cluster.brokers().map((b) => b.id);
  controllerId = Math.min(...ids);
  otherId = Math.max(...ids);
  const admin = new Kafka({ brokers: cluster.bootstrapServers().split(','), clientId: 'controller-channel', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: 'replicated', replicaAssignment: ids.map((_, i) => ({ partition: i, replicas: [ids[i]!, ...ids.filter((_, j) => j !== i)] })) },
      { topic: 'single', replicaAssignment: [{ partition: 0, replicas: [otherId] }] },
    ],
  });
  await admin.disconnect();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the controller channel of a ZooKeeper-mode release (3.9)', () => {
  it("lists the release's ranges of the seven APIs; the default (KRaft) broker lists none and closes on one", async () => {
    const answer = await (await connect(controllerId)).call(ApiVersions, 0, createApiVersionsRequest());
    const ranges = new Map(answer.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect([4, 5, 6, 7, 56, 58, 67].map((key) => ranges.get(key))).toEqual([
      [0, 7],
      [0, 4],
      [0, 8],
      [0, 3],
      [0, 3],
      [0, 0],
      [0, 0],
    ]);

    const kraftDir = mkdtempSync(join(tmpdir(), 'kd-controller-channel-kraft-'));
    const kraft = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir: kraftDir, logger: silentLogger });
    try {
      const raw = await RawClient.open(kraft.bootstrapServers());
      const listed = (await raw.call(ApiVersions, 0, createApiVersionsRequest())).apiKeys.map((k) => k.apiKey);
      expect(listed.filter((key) => [4, 5, 6, 7, 56, 58, 67].includes(key))).toEqual([]);
      await expect(raw.call(LeaderAndIsr, 7, createLeaderAndIsrRequest())).rejects.toThrow(/closed/);
      raw.close();
    } finally {
      await kraft.close();
      rmSync(kraftDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses a controller's orders from a client with STALE_CONTROLLER_EPOCH, per partition as Kafka's error responses, and obeys none", async () => {
    const before = await leaders('replicated');
    const raw = await connect(otherId);
    const replicated = cluster.broker(controllerId).controller.topic('replicated')!;
    const order = {
      ...createLeaderAndIsrRequest(),
      controllerId: controllerId,
      controllerEpoch: 1_000_000,
      brokerEpoch: -1n,
      topicStates: [
        {
          topicName: 'replicated',
          topicId: replicated.topicId,
          partitionStates: [
            {
              ...createLeaderAndIsrRequest().ungroupedPartitionStates[0],
              topicName: 'replicated',
              partitionIndex: 0,
              controllerEpoch: 1_000_000,
              leader: otherId,
              leaderEpoch: 99,
              isr: [otherId],
              partitionEpoch: 99,
              replicas: [otherId],
              addingReplicas: [],
              removingReplicas: [],
              isNew: false,
              leaderRecoveryState: 0,
            },
          ],
        },
      ],
    };
    const v7 = await raw.call(LeaderAndIsr, 7, order);
    expect(v7.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    expect(v7.topics).toEqual([
      expect.objectContaining({
        topicId: replicated.topicId,
        partitionErrors: [expect.objectContaining({ partitionIndex: 0, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })],
      }),
    ]);
    const v4 = await raw.call(LeaderAndIsr, 4, order);
    expect(v4.partitionErrors).toEqual([expect.objectContaining({ topicName: 'replicated', partitionIndex: 0, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })]);

    const stop = await raw.call(StopReplica, 3, {
      ...createStopReplicaRequest(),
      controllerId,
      controllerEpoch: 1_000_000,
      brokerEpoch: -1n,
      topicStates: [{ topicName: 'replicated', partitionStates: [{ partitionIndex: 0, leaderEpoch: 99, deletePartition: true }] }],
    });
    expect(stop).toMatchObject({ errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: [] });
    const update = await raw.call(UpdateMetadata, 8, { ...createUpdateMetadataRequest(), controllerId, controllerEpoch: 1_000_000, brokerEpoch: -1n });
    expect(update.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    expect(await leaders('replicated')).toEqual(before);
  }, 30_000);

  it('ControlledShutdown at the controller moves the leaders of a broker away and lists what it still leads', async () => {
    expect(await (await connect(otherId)).call(ControlledShutdown, 3, { brokerId: otherId, brokerEpoch: -1n })).toMatchObject({
      errorCode: ErrorCode.STALE_CONTROLLER_EPOCH,
      remainingPartitions: [],
    });
    const raw = await connect(controllerId);
    expect((await raw.call(ControlledShutdown, 3, { ...createControlledShutdownRequest(), brokerId: 99, brokerEpoch: -1n })).errorCode).toBe(
      ErrorCode.BROKER_NOT_AVAILABLE,
    );
    const epoch = cluster.broker(controllerId).controller.brokerEpoch(otherId)!;
    expect((await raw.call(ControlledShutdown, 3, { brokerId: otherId, brokerEpoch: epoch - 1n })).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);

    const before = await leaders('replicated');
    const led = before.flatMap((leader, partition) => (leader === otherId ? [partition] : []));
    expect(led.length).toBeGreaterThan(0);
    const answer = await raw.call(ControlledShutdown, 3, { brokerId: otherId, brokerEpoch: -1n });
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    // The single-replica partition cannot move; the replicated ones did.
    expect(answer.remainingPartitions).toEqual([{ topicName: 'single', partitionIndex: 0 }]);
    const after = await leaders('replicated');
    for (const partition of led) expect(after[partition]).not.toBe(otherId);
  }, 30_000);

  it('AllocateProducerIds hands a block of 1,000 ids only to a running broker naming its own epoch, and InitProducerId never reuses them', async () => {
    const controller = cluster.broker(controllerId).controller;
    expect((await (await connect(otherId)).call(AllocateProducerIds, 0, { brokerId: otherId, brokerEpoch: controller.brokerEpoch(otherId)! })).errorCode).toBe(
      ErrorCode.NOT_CONTROLLER,
    );
    const raw = await connect(controllerId);
    expect((await raw.call(AllocateProducerIds, 0, { ...createAllocateProducerIdsRequest(), brokerId: 99, brokerEpoch: 1n })).errorCode).toBe(
      ErrorCode.BROKER_ID_NOT_REGISTERED,
    );
    expect((await raw.call(AllocateProducerIds, 0, { brokerId: otherId, brokerEpoch: -1n })).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const block = await raw.call(AllocateProducerIds, 0, { brokerId: otherId, brokerEpoch: controller.brokerEpoch(otherId)! });
    expect(block).toMatchObject({ errorCode: ErrorCode.NONE, producerIdLen: 1000 });
    const next = await raw.call(InitProducerId, 4, { ...createInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: 60_000 });
    expect(next.errorCode).toBe(ErrorCode.NONE);
    expect(next.producerId).toBeGreaterThanOrEqual(block.producerIdStart + 1000n);
  }, 30_000);

  it('AlterPartition checks the broker epoch, then fences each partition by its epochs, then changes the ISR as its leader would', async () => {
    const controller = cluster.broker(controllerId).controller;
    const topic = controller.topic('replicated')!;
    const live = topic.partitions.find((x) => x.isr.length === 3)!;
    // The controller's partition object changes under the test: its state as the leader knew it.
    const p = { partition: live.partition, leader: live.leader, leaderEpoch: live.leaderEpoch, partitionEpoch: live.partitionEpoch, isr: [...live.isr] };
    const leader = p.leader;
    const raw = await connect(controllerId);
    const request = (leaderEpoch: number, partitionEpoch: number, isr: number[], brokerEpoch = controller.brokerEpoch(leader)!) => ({
      ...createAlterPartitionRequest(),
      brokerId: leader,
      brokerEpoch,
      topics: [
        {
          topicName: '',
          topicId: topic.topicId,
          partitions: [
            {
              partitionIndex: p.partition,
              leaderEpoch,
              newIsr: [],
              newIsrWithEpochs: isr.map((id) => ({ brokerId: id, brokerEpoch: -1n })),
              leaderRecoveryState: 0,
              partitionEpoch,
            },
          ],
        },
      ],
    });
    expect((await (await connect(otherId)).call(AlterPartition, 3, request(p.leaderEpoch, p.partitionEpoch, p.isr))).errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    expect((await raw.call(AlterPartition, 3, request(p.leaderEpoch, p.partitionEpoch, p.isr, 12345n))).errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    const fenced = await raw.call(AlterPartition, 3, request(p.leaderEpoch - 1, p.partitionEpoch, p.isr));
    expect(fenced.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    const newer = await raw.call(AlterPartition, 3, request(p.leaderEpoch + 1, p.partitionEpoch, p.isr));
    expect(newer.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    const ineligible = await raw.call(AlterPartition, 3, request(p.leaderEpoch, p.partitionEpoch, [...p.isr, 99]));
    expect(ineligible.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);
    const unknownId = '11111111-2222-3333-4444-555555555555';
    const unknown = await raw.call(AlterPartition, 3, {
      ...request(p.leaderEpoch, p.partitionEpoch, p.isr),
      topics: [
        {
          topicName: '',
          topicId: unknownId,
          partitions: [{ partitionIndex: 0, leaderEpoch: 0, newIsr: [], newIsrWithEpochs: [], leaderRecoveryState: 0, partitionEpoch: 0 }],
        },
      ],
    });
    expect(unknown.topics[0]).toMatchObject({ topicId: unknownId, partitions: [expect.objectContaining({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID })] });

    const follower = p.isr.find((id) => id !== leader)!;
    const shrink = p.isr.filter((id) => id !== follower);
    const changed = await raw.call(AlterPartition, 3, request(p.leaderEpoch, p.partitionEpoch, shrink));
    expect(changed.errorCode).toBe(ErrorCode.NONE);
    expect(changed.topics[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.NONE,
      leaderId: leader,
      leaderEpoch: p.leaderEpoch,
      isr: shrink,
      partitionEpoch: p.partitionEpoch + 1,
    });
  }, 30_000);

  it('closes a connection that sends an Envelope, as a client listener of Kafka does', async () => {
    const raw = await connect(controllerId);
    await expect(
      raw.call(Envelope, 0, { ...createEnvelopeRequest(), requestData: Buffer.alloc(4), clientHostAddress: Buffer.from([127, 0, 0, 1]) }),
    ).rejects.toThrow(/closed/);
  });
});

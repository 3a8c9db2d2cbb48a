/**
 * Share groups' records (KIP-932) over the wire against the embedded cluster: ShareFetch and
 * ShareAcknowledge v1, the share-state APIs and Describe/Alter/DeleteShareGroupOffsets through the
 * generated codec. No client available here speaks KIP-932 (@platformatic/kafka 2.12.1, kafkajs,
 * librdkafka 2.0.2, kafka-python and sarama lack it), so these wire tests are the only clients; the
 * records themselves are produced with kafkajs. Covered: two members of one share group get distinct
 * records (a queue), redelivery after Release and after an acquisition lock times out, Archived after
 * the delivery limit, share sessions' epochs, share.version gating, and a restart (full, and a kill of
 * the brokers holding the state) that keeps every acknowledged state.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  AlterShareGroupOffsets,
  DeleteShareGroupOffsets,
  DescribeShareGroupOffsets,
  FindCoordinator,
  ReadShareGroupState,
  ShareAcknowledge,
  ShareFetch,
  ShareGroupHeartbeat,
  UpdateFeatures,
  createShareGroupHeartbeatRequest,
  type ShareFetchResponse,
} from '../../../electron/kafka/protocol/generated/index';
import { decodeBatches } from '../../../electron/kafka/records/record-batch';
import { SHARE_STATE_TOPIC } from '../../../electron/broker/share/share-state-records';
import { RawClient } from '../handlers/raw-client';
import { createTopic, startGroupCluster, uniqueName, type GroupTestCluster } from '../groups/helpers';

const ACCEPT = 1;
const RELEASE = 2;
const REJECT = 3;

interface Ack {
  first: number;
  last: number;
  types: number[];
}

interface Fetched {
  response: ShareFetchResponse;
  /** Acquired records: offset, value and delivery count. */
  records: Array<{ offset: number; value: string; deliveryCount: number }>;
}

/** One share-group member's connection to a partition leader, keeping its share session epoch. */
class ShareMember {
  epoch = 0;
  constructor(
    readonly raw: RawClient,
    readonly groupId: string,
    readonly memberId: string,
    readonly topicId: string,
    readonly partition = 0,
  ) {}

  async fetch(options: { acks?: Ack[]; maxRecords?: number; maxWaitMs?: number; epoch?: number } = {}): Promise<Fetched> {
    const epoch = options.epoch ?? this.epoch;
    const response = await this.raw.call(ShareFetch, 1, {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: epoch,
      maxWaitMs: options.maxWaitMs ?? 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      maxRecords: options.maxRecords ?? 500,
      batchSize: 500,
      topics: [
        {
          topicId: this.topicId,
          partitions: [
            {
              partitionIndex: this.partition,
              partitionMaxBytes: 0,
              acknowledgementBatches: (options.acks ?? []).map((a) => ({
                firstOffset: BigInt(a.first),
                lastOffset: BigInt(a.last),
                acknowledgeTypes: a.types,
              })),
            },
          ],
        },
      ],
      forgottenTopicsData: [],
    });
    if (response.errorCode === ErrorCode.NONE && options.epoch === undefined) this.epoch = epoch === -1 ? 0 : epoch + 1;
    return { response, records: acquiredRecords(response) };
  }

  async acknowledge(acks: Ack[], epoch = this.epoch) {
    const response = await this.raw.call(ShareAcknowledge, 1, {
      groupId: this.groupId,
      memberId: this.memberId,
      shareSessionEpoch: epoch,
      topics: [
        {
          topicId: this.topicId,
          partitions: [
            {
              partitionIndex: this.partition,
              acknowledgementBatches: acks.map((a) => ({ firstOffset: BigInt(a.first), lastOffset: BigInt(a.last), acknowledgeTypes: a.types })),
            },
          ],
        },
      ],
    });
    if (response.errorCode === ErrorCode.NONE) this.epoch = epoch === -1 ? 0 : epoch + 1;
    return response;
  }
}

/** The records of a ShareFetch answer that were acquired (the batches may carry others). */
function acquiredRecords(response: ShareFetchResponse): Fetched['records'] {
  const out: Fetched['records'] = [];
  for (const topic of response.responses) {
    for (const p of topic.partitions) {
      if (!p.records) continue;
      for (const batch of decodeBatches(p.records).batches) {
        for (const record of batch.records) {
          const offset = record.offset;
          const range = p.acquiredRecords.find((r) => Number(r.firstOffset) <= offset && offset <= Number(r.lastOffset));
          if (range) out.push({ offset, value: record.value?.toString() ?? '', deliveryCount: range.deliveryCount });
        }
      }
    }
  }
  return out;
}

const partitionCode = (f: Fetched) => f.response.responses[0]?.partitions[0];

let t: GroupTestCluster;
let kafka: Kafka;
let producer: Producer;
const clients: RawClient[] = [];

async function open(address: string): Promise<RawClient> {
  const raw = await RawClient.open(address, 'share-wire-test');
  clients.push(raw);
  return raw;
}

/** The address of the broker with this id. */
function addressOf(id: number): string {
  const broker = t.cluster.brokers().find((b) => b.id === id)!;
  return `${broker.host}:${broker.port}`;
}

/** A topic with one partition and `count` records, and a member talking to its leader. */
async function topicWithRecords(prefix: string, count: number): Promise<{ topic: string; topicId: string; leader: number }> {
  const topic = uniqueName(prefix);
  createTopic(t.cluster, topic, 1, 3);
  await t.cluster.broker(0).clusterReplicasSynced();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ value: `v${i}` })) });
  const meta = t.cluster.controller.topic(topic)!;
  return { topic, topicId: meta.topicId, leader: meta.partitions[0]!.leader };
}

async function member(groupId: string, topicId: string, leader: number, memberId = uniqueName('member')): Promise<ShareMember> {
  return new ShareMember(await open(addressOf(leader)), groupId, memberId, topicId);
}

async function enableShareGroups(): Promise<void> {
  const raw = await open(t.bootstrap().split(',')[0]!);
  const response = await raw.call(UpdateFeatures, 1, {
    timeoutMs: 60000,
    validateOnly: false,
    featureUpdates: [{ feature: 'share.version', maxVersionLevel: 1, upgradeType: 1, allowDowngrade: false }],
  });
  expect(response.errorCode).toBe(ErrorCode.NONE);
}

/** The group's coordinator (FindCoordinator), for the share-offsets admin APIs. */
async function coordinatorClient(groupId: string): Promise<RawClient> {
  const raw = await open(t.bootstrap().split(',')[0]!);
  const found = await raw.call(FindCoordinator, 4, { key: '', keyType: 0, coordinatorKeys: [groupId] });
  const c = found.coordinators[0]!;
  expect(c.errorCode).toBe(ErrorCode.NONE);
  return open(`${c.host}:${c.port}`);
}

async function startOffsetOf(groupId: string, topic: string): Promise<number> {
  const raw = await coordinatorClient(groupId);
  const described = await raw.call(DescribeShareGroupOffsets, 0, { groups: [{ groupId, topics: [{ topicName: topic, partitions: [0] }] }] });
  const group = described.groups[0]!;
  expect(group.errorCode).toBe(ErrorCode.NONE);
  const p = group.topics[0]!.partitions[0]!;
  expect(p.errorCode).toBe(ErrorCode.NONE);
  return Number(p.startOffset);
}

beforeAll(async () => {
  t = await startGroupCluster({
    config: { 'share.coordinator.state.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '2', 'group.share.delivery.count.limit': '3' },
  });
  kafka = new Kafka({ brokers: t.brokers(), clientId: 'share-wire-test', logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
}, 60_000);

afterAll(async () => {
  for (const raw of clients) raw.close();
  await producer?.disconnect();
  await t?.close();
});

describe('share.version', () => {
  it('while 0 (Kafka 4.1’s default) ShareFetch and ShareAcknowledge answer UNSUPPORTED_VERSION', async () => {
    const { topicId, leader } = await topicWithRecords('share-off', 1);
    const m = await member(uniqueName('group'), topicId, leader);
    const fetched = await m.fetch();
    expect(fetched.response.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(fetched.records).toEqual([]);
    expect((await m.acknowledge([{ first: 0, last: 0, types: [ACCEPT] }], 1)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    await enableShareGroups();
  });
});

describe('ShareFetch and ShareAcknowledge', () => {
  it('hand two members of one share group distinct records, like a queue, and move the start offset once all are accepted', async () => {
    const groupId = uniqueName('queue');
    const { topic, topicId, leader } = await topicWithRecords('share-queue', 10);
    const a = await member(groupId, topicId, leader);
    const b = await member(groupId, topicId, leader);
    // share.auto.offset.reset is latest by default: a new share-partition starts at the end.
    const first = await a.fetch();
    expect(partitionCode(first)?.errorCode).toBe(ErrorCode.NONE);
    expect(first.response.acquisitionLockTimeoutMs).toBe(30000);
    expect(first.records).toEqual([]);
    expect(await startOffsetOf(groupId, topic)).toBe(10);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `q${i}` })) });
    const fromA = await a.fetch({ maxRecords: 4 });
    const fromB = await b.fetch({ maxRecords: 100 });
    expect(fromA.records.map((r) => r.offset)).toEqual([10, 11, 12, 13]);
    expect(fromB.records.map((r) => r.offset)).toEqual([14, 15, 16, 17, 18, 19]);
    expect(fromA.records.every((r) => r.deliveryCount === 1)).toBe(true);
    // Nothing is left for a third fetch, nor can b acknowledge a's records.
    expect((await b.fetch()).records).toEqual([]);
    const wrong = await b.acknowledge([{ first: 10, last: 13, types: [ACCEPT] }]);
    expect(wrong.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_RECORD_STATE);
    const acked = await b.acknowledge([{ first: 14, last: 19, types: [ACCEPT] }]);
    expect(acked.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await startOffsetOf(groupId, topic)).toBe(10);
    // a acknowledges with its next fetch (piggy-backed), one Reject among Accepts.
    const next = await a.fetch({ acks: [{ first: 10, last: 13, types: [ACCEPT, REJECT, ACCEPT, ACCEPT] }] });
    expect(partitionCode(next)?.acknowledgeErrorCode).toBe(ErrorCode.NONE);
    expect(await startOffsetOf(groupId, topic)).toBe(20);
  });

  it('redeliver released records to another member with a higher delivery count, and archive them at the delivery limit', async () => {
    const groupId = uniqueName('release');
    const { topic, topicId, leader } = await topicWithRecords('share-release', 0);
    const a = await member(groupId, topicId, leader);
    const b = await member(groupId, topicId, leader);
    await a.fetch();
    await producer.send({ topic, acks: -1, messages: [{ value: 'r0' }, { value: 'r1' }] });
    expect((await a.fetch()).records).toEqual([
      { offset: 0, value: 'r0', deliveryCount: 1 },
      { offset: 1, value: 'r1', deliveryCount: 1 },
    ]);
    const ackOk = (r: Awaited<ReturnType<ShareMember['acknowledge']>>) => r.responses[0]!.partitions[0]!.errorCode;
    expect(ackOk(await a.acknowledge([{ first: 0, last: 1, types: [RELEASE, ACCEPT] }]))).toBe(ErrorCode.NONE);
    // Released: the next member gets offset 0 again, delivered a second time.
    expect((await b.fetch()).records).toEqual([{ offset: 0, value: 'r0', deliveryCount: 2 }]);
    expect(ackOk(await b.acknowledge([{ first: 0, last: 0, types: [RELEASE] }]))).toBe(ErrorCode.NONE);
    // A fetch with piggy-backed acknowledgements acquires after applying them: a gets offset 0 a third time.
    expect((await a.fetch({ acks: [] })).records).toEqual([{ offset: 0, value: 'r0', deliveryCount: 3 }]);
    // The third delivery was the last (group.share.delivery.count.limit=3): released again, it is archived.
    const last = await a.fetch({ acks: [{ first: 0, last: 0, types: [RELEASE] }] });
    expect(partitionCode(last)?.acknowledgeErrorCode).toBe(ErrorCode.NONE);
    expect(last.records).toEqual([]);
    expect((await b.fetch()).records).toEqual([]);
    expect(await startOffsetOf(groupId, topic)).toBe(2);
  });

  it('never deliver a transaction marker: a committed transaction’s records come, its marker is archived', async () => {
    const groupId = uniqueName('txn');
    const { topic, topicId, leader } = await topicWithRecords('share-txn', 0);
    const a = await member(groupId, topicId, leader);
    await a.fetch();
    const transactional = kafka.producer({ transactionalId: uniqueName('share-tx'), maxInFlightRequests: 1, idempotent: true });
    await transactional.connect();
    try {
      const txn = await transactional.transaction();
      await txn.send({ topic, messages: [{ value: 't0' }, { value: 't1' }] });
      await txn.commit();
    } finally {
      await transactional.disconnect();
    }
    expect((await a.fetch()).records.map((r) => r.offset)).toEqual([0, 1]);
    await a.acknowledge([{ first: 0, last: 1, types: [ACCEPT] }]);
    // The commit marker (offset 2) was archived when read: the start offset moves past it.
    expect(await startOffsetOf(groupId, topic)).toBe(3);
  });

  it('wait up to max wait for records produced meanwhile', async () => {
    const groupId = uniqueName('wait');
    const { topic, topicId, leader } = await topicWithRecords('share-wait', 0);
    const a = await member(groupId, topicId, leader);
    await a.fetch();
    const waiting = a.fetch({ maxWaitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await producer.send({ topic, acks: -1, messages: [{ value: 'late' }] });
    expect((await waiting).records).toEqual([{ offset: 0, value: 'late', deliveryCount: 1 }]);
  });

  it('keep KIP-932’s share session epochs', async () => {
    const groupId = uniqueName('sessions');
    const { topic, topicId, leader } = await topicWithRecords('share-sessions', 0);
    const a = await member(groupId, topicId, leader);
    // Acknowledgements cannot open a session.
    expect((await a.fetch({ acks: [{ first: 0, last: 0, types: [ACCEPT] }], epoch: 0 })).response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    // No session yet.
    expect((await a.fetch({ epoch: 1 })).response.errorCode).toBe(ErrorCode.SHARE_SESSION_NOT_FOUND);
    expect((await a.acknowledge([], 0)).errorCode).toBe(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    await a.fetch();
    expect(a.epoch).toBe(1);
    expect((await a.fetch({ epoch: 5 })).response.errorCode).toBe(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    await producer.send({ topic, acks: -1, messages: [{ value: 's0' }, { value: 's1' }] });
    expect((await a.fetch()).records.map((r) => r.offset)).toEqual([0, 1]);
    // Closing the session (epoch -1) acknowledges what it names and releases the rest.
    const closed = await a.acknowledge([{ first: 0, last: 0, types: [ACCEPT] }], -1);
    expect(closed.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect((await a.fetch({ epoch: 3 })).response.errorCode).toBe(ErrorCode.SHARE_SESSION_NOT_FOUND);
    const b = await member(groupId, topicId, leader);
    expect((await b.fetch()).records).toEqual([{ offset: 1, value: 's1', deliveryCount: 2 }]);
    // A new session of the same member replaces the old one, releasing what it held.
    const again = await b.fetch({ epoch: 0 });
    expect(again.records).toEqual([{ offset: 1, value: 's1', deliveryCount: 3 }]);
  });

  it('answer per partition: an unknown topic id, a broker that does not lead the partition', async () => {
    const groupId = uniqueName('errors');
    const { topicId, leader } = await topicWithRecords('share-errors', 1);
    const unknown = await member(groupId, '0f2b3c4d-0000-4000-8000-00000000abcd', leader);
    expect(partitionCode(await unknown.fetch())?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const follower = t.cluster.brokers().find((b) => b.id !== leader)!.id;
    const wrong = await member(groupId, topicId, follower);
    const answer = await wrong.fetch();
    expect(partitionCode(answer)?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(partitionCode(answer)?.currentLeader.leaderId).toBe(leader);
    expect(answer.response.nodeEndpoints.map((n) => n.nodeId)).toEqual([leader]);
  });
});

describe('the share-group state', () => {
  it('survives a full restart and a kill of the brokers holding it: acknowledged records stay done, delivery counts stay', async () => {
    const groupId = uniqueName('durable');
    const { topic, topicId, leader } = await topicWithRecords('share-durable', 0);
    const a = await member(groupId, topicId, leader);
    await a.fetch();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 6 }, (_, i) => ({ value: `d${i}` })) });
    expect((await a.fetch()).records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    // 0-1 accepted, 2 released (delivery count 1 written), 3 rejected, 4-5 still acquired.
    const acked = await a.acknowledge([{ first: 0, last: 3, types: [ACCEPT, ACCEPT, RELEASE, REJECT] }]);
    expect(acked.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    await t.restart();
    clients.splice(0).forEach((c) => c.close());
    // The restarted brokers listen on new ports: a new producer for the tests that follow.
    await producer.disconnect();
    kafka = new Kafka({ brokers: t.brokers(), clientId: 'share-wire-test', logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    const leaderNow = t.cluster.controller.topic(topic)!.partitions[0]!.leader;
    const b = await member(groupId, topicId, leaderNow);
    expect(await startOffsetOf(groupId, topic)).toBe(2);
    // Offset 2 comes back with its written count; 4-5 were acquired (never written): available again.
    expect((await b.fetch()).records).toEqual([
      { offset: 2, value: 'd2', deliveryCount: 2 },
      { offset: 4, value: 'd4', deliveryCount: 1 },
      { offset: 5, value: 'd5', deliveryCount: 1 },
    ]);
    expect((await b.acknowledge([{ first: 2, last: 2, types: [ACCEPT] }])).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);

    // Kill the partition's leader: the new leader loads the written state from the share coordinator.
    await t.cluster.killBroker(leaderNow);
    await waitFor(() => ![-1, leaderNow].includes(t.cluster.controller.topic(topic)!.partitions[0]!.leader));
    const c = await member(groupId, topicId, t.cluster.controller.topic(topic)!.partitions[0]!.leader);
    // 4-5 were acquired by b on the killed leader, never acknowledged: available again; 0-3 stay done.
    expect((await c.fetch()).records.map((r) => r.offset)).toEqual([4, 5]);
    expect((await c.acknowledge([{ first: 4, last: 4, types: [ACCEPT] }])).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    await t.cluster.startBroker(leaderNow);

    // Kill the share coordinator of the state: the new leader of its `__share_group_state` partition
    // replays the ShareSnapshot/ShareUpdate records and answers ReadShareGroupState as Kafka's does.
    const statePartition = t.cluster.broker(0).shareCoordinator.partitionFor(groupId, topicId, 0);
    const stateLeader = t.cluster.controller.topic(SHARE_STATE_TOPIC)!.partitions[statePartition]!.leader;
    await t.cluster.killBroker(stateLeader);
    await waitFor(() => ![-1, stateLeader].includes(t.cluster.controller.topic(SHARE_STATE_TOPIC)!.partitions[statePartition]!.leader));
    const raw = await open(addressOf(t.cluster.controller.topic(SHARE_STATE_TOPIC)!.partitions[statePartition]!.leader));
    const read = await raw.call(ReadShareGroupState, 0, { groupId, topics: [{ topicId, partitions: [{ partition: 0, leaderEpoch: -1 }] }] });
    const state = read.results[0]!.partitions[0]!;
    expect(state.errorCode).toBe(ErrorCode.NONE);
    expect(Number(state.startOffset)).toBe(5);
    await t.cluster.startBroker(stateLeader);
  }, 60_000);
});

describe('Describe, Alter and DeleteShareGroupOffsets', () => {
  it('alter the start offset only while the group is empty, and delete it', async () => {
    const groupId = uniqueName('admin');
    const { topic, topicId, leader } = await topicWithRecords('share-admin', 5);
    const a = await member(groupId, topicId, leader);
    await a.fetch();
    expect(await startOffsetOf(groupId, topic)).toBe(5);
    const raw = await coordinatorClient(groupId);
    const alter = () => raw.call(AlterShareGroupOffsets, 0, { groupId, topics: [{ topicName: topic, partitions: [{ partitionIndex: 0, startOffset: 1n }] }] });
    expect((await alter()).errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
    await a.fetch({ epoch: -1 });
    const altered = await alter();
    expect(altered.errorCode).toBe(ErrorCode.NONE);
    expect(altered.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await startOffsetOf(groupId, topic)).toBe(1);
    const b = await member(groupId, topicId, leader);
    expect((await b.fetch()).records.map((r) => r.offset)).toEqual([1, 2, 3, 4]);
    await b.fetch({ epoch: -1 });
    const deleted = await raw.call(DeleteShareGroupOffsets, 0, { groupId, topics: [{ topicName: topic }] });
    expect(deleted.errorCode).toBe(ErrorCode.NONE);
    expect(deleted.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    // Deleted: the next member starts the share-partition again where share.auto.offset.reset says (latest).
    const c = await member(groupId, topicId, leader);
    expect((await c.fetch()).records).toEqual([]);
    expect(await startOffsetOf(groupId, topic)).toBe(5);
    const all = await raw.call(DescribeShareGroupOffsets, 0, { groups: [{ groupId: uniqueName('nobody'), topics: null }] });
    expect(all.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('members that joined with ShareGroupHeartbeat', () => {
  it('share the queue, and what a leaving member had acquired goes to the one that stays', async () => {
    const groupId = uniqueName('joined');
    const { topic, topicId, leader } = await topicWithRecords('share-joined', 0);
    const coordinator = await coordinatorClient(groupId);
    const heartbeat = (memberId: string, memberEpoch: number, topics: string[] | null) =>
      coordinator.call(ShareGroupHeartbeat, 1, { ...createShareGroupHeartbeatRequest(), groupId, memberId, memberEpoch, subscribedTopicNames: topics });
    const [idA, idB] = [uniqueName('member-a'), uniqueName('member-b')];
    const joinedA = await heartbeat(idA, 0, [topic]);
    expect(joinedA.errorCode).toBe(ErrorCode.NONE);
    const joinedB = await heartbeat(idB, 0, [topic]);
    expect(joinedB.errorCode).toBe(ErrorCode.NONE);
    // Two members, one partition: the simple assignor gives it to both (a share group may share it).
    const again = await heartbeat(idA, joinedA.memberEpoch, null);
    const assigned = (r: typeof again) => r.assignment?.topicPartitions.flatMap((tp) => (tp.topicId === topicId ? tp.partitions : [])) ?? null;
    expect(assigned(again) ?? assigned(joinedA)).toEqual([0]);
    expect(assigned(joinedB)).toEqual([0]);

    const a = await member(groupId, topicId, leader, idA);
    const b = await member(groupId, topicId, leader, idB);
    expect((await a.fetch()).records).toEqual([]); // share.auto.offset.reset=latest: starts at the end
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 6 }, (_, i) => ({ value: `j${i}` })) });
    const fromA = await a.fetch({ maxRecords: 3 });
    const fromB = await b.fetch({ maxRecords: 1 });
    expect(fromA.records.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(fromB.records.map((r) => r.offset)).toEqual([3]);

    // a leaves (member epoch -1): its acquired records are released at once, not after the lock times out.
    const left = await heartbeat(idA, -1, null);
    expect(left).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: -1 });
    const rest = await b.fetch({ acks: [{ first: 3, last: 3, types: [ACCEPT] }], maxRecords: 100 });
    expect(partitionCode(rest)?.acknowledgeErrorCode).toBe(ErrorCode.NONE);
    expect(rest.records.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
      [4, 1],
      [5, 1],
    ]);
  });
});

describe('acquisition locks', () => {
  it('time out after share.record.lock.duration.ms: the records go to the next member, the first one’s acknowledgement is refused', async () => {
    const small = await startGroupCluster({ brokers: 1, config: { 'group.share.record.lock.duration.ms': '1000' } });
    const smallClients: RawClient[] = [];
    const smallProducer = new Kafka({ brokers: small.brokers(), clientId: 'share-lock-test', logLevel: logLevel.NOTHING }).producer();
    try {
      await smallProducer.connect();
      const raw = await RawClient.open(small.bootstrap(), 'share-lock-test');
      smallClients.push(raw);
      expect(
        (
          await raw.call(UpdateFeatures, 1, {
            timeoutMs: 60000,
            validateOnly: false,
            featureUpdates: [{ feature: 'share.version', maxVersionLevel: 1, upgradeType: 1, allowDowngrade: false }],
          })
        ).errorCode,
      ).toBe(ErrorCode.NONE);
      const topic = uniqueName('share-lock');
      createTopic(small.cluster, topic, 1, 1);
      await small.cluster.broker(0).clusterReplicasSynced();
      const topicId = small.cluster.controller.topic(topic)!.topicId;
      const groupId = uniqueName('lock');
      const a = new ShareMember(raw, groupId, uniqueName('member'), topicId);
      const raw2 = await RawClient.open(small.bootstrap(), 'share-lock-test');
      smallClients.push(raw2);
      const b = new ShareMember(raw2, groupId, uniqueName('member'), topicId);
      const opened = await a.fetch();
      expect(opened.response.acquisitionLockTimeoutMs).toBe(1000);
      await smallProducer.send({ topic, acks: -1, messages: [{ value: 'locked' }] });
      expect((await a.fetch()).records).toEqual([{ offset: 0, value: 'locked', deliveryCount: 1 }]);
      await b.fetch();
      // b waits (up to 10 s) and is woken when a's lock expires after 1 s.
      expect((await b.fetch({ maxWaitMs: 10_000 })).records).toEqual([{ offset: 0, value: 'locked', deliveryCount: 2 }]);
      const late = await a.acknowledge([{ first: 0, last: 0, types: [ACCEPT] }]);
      expect(late.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_RECORD_STATE);
      expect(small.errors).toEqual([]);
    } finally {
      for (const c of smallClients) c.close();
      await smallProducer.disconnect();
      await small.close();
    }
  }, 60_000);
});

describe('the brokers', () => {
  it('logged no error while serving share groups', () => {
    expect(t.errors).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

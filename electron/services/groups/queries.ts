// Consumer groups over the Kafka protocol only, so they behave the same on the embedded cluster and on
// any real one: ListGroups, DescribeGroups and FindCoordinator for the groups (ConsumerGroupDescribe for
// those of the KIP-848 consumer protocol, ./consumer-protocol), OffsetFetch for their
// committed offsets, Metadata and ListOffsets for the partitions' start and end, OffsetCommit to reset,
// DeleteGroups and OffsetDelete to delete.
//
// Lag of a partition = end − max(committed, log start) (see shared/model/groups.ts); a partition
// without a committed offset has null lag.
import type { Admin } from '@platformatic/kafka';
import type {
  GroupDetail,
  GroupMember,
  GroupPartitionLag,
  GroupState,
  GroupSummary,
  GroupType,
  ResetPreview,
  ResetStrategy,
} from '../../../shared/model/groups';
import { AppError } from '../../core/errors';
import { appLogger } from '../../core/logger';
import { errorName } from '../../kafka/protocol/error-codes';
import { ListGroups as ListGroupsApi } from '../../kafka/protocol/generated/index';
import { chunks, committedOffsets, eachIfBatchFails, GROUP_BATCH, LATEST_TIMESTAMP, readWatermarks, type Commit, type GroupCommits } from '../cluster/offsets';
import { brokerFailure, listOffsets, readMetadata, type ClusterSnapshot } from '../cluster/read';
import { brokerConnection, negotiateVersion, send } from '../cluster/wire';
import { partitionLag, type GroupSample, type PartitionSample } from '../lag/series';
import { describeConsumerGroups, describeShareGroups, supportsConsumerGroups, type ConsumerGroupRefusal, type ConsumerGroupResult } from './consumer-protocol';
import { coordinators } from './coordinators';

export interface Watermarks {
  start: number | null;
  end: number | null;
}
const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Offsets by topic, then by partition index (no string key per partition: there may be 100,000). */
class PartitionTable<T> {
  readonly #topics = new Map<string, (T | undefined)[]>();
  get(topic: string, partition: number): T | undefined {
    return this.#topics.get(topic)?.[partition];
  }
  set(topic: string, partition: number, value: T): void {
    let list = this.#topics.get(topic);
    if (!list) {
      list = [];
      this.#topics.set(topic, list);
    }
    list[partition] = value;
  }
}
type WatermarkMap = PartitionTable<Watermarks>;

const STATES: Record<string, GroupState> = {
  STABLE: 'STABLE',
  PREPARINGREBALANCE: 'PREPARING_REBALANCE',
  COMPLETINGREBALANCE: 'COMPLETING_REBALANCE',
  EMPTY: 'EMPTY',
  DEAD: 'DEAD',
  ASSIGNING: 'ASSIGNING',
  RECONCILING: 'RECONCILING',
};

/** Kafka names states "PreparingRebalance"; clients upper-case them with or without underscores. */
export function normalizeState(state: string | null | undefined): GroupState {
  return STATES[(state ?? '').toUpperCase().replace(/[^A-Z]/g, '')] ?? 'UNKNOWN';
}

/** Kafka error names anywhere inside an error (MultipleErrors, causes). */
function kafkaErrorIds(error: unknown, depth = 0): string[] {
  if (depth > 8 || !(error instanceof Error)) return [];
  const ids: string[] = [];
  const apiId = (error as { apiId?: unknown }).apiId;
  if (typeof apiId === 'string') ids.push(apiId);
  if (error instanceof AggregateError) for (const inner of error.errors) ids.push(...kafkaErrorIds(inner, depth + 1));
  if (error.cause !== undefined) ids.push(...kafkaErrorIds(error.cause, depth + 1));
  return ids;
}

function mergeMaps<K, V>(maps: Map<K, V>[]): Map<K, V> {
  return new Map(maps.flatMap((map) => [...map]));
}

/** Partition counts of the topics that exist (topics deleted since a commit are left out). One
 * Metadata request, read tolerantly: a topic with an offline partition still counts. */
export async function partitionCounts(admin: Admin, topics: Iterable<string>): Promise<Map<string, number>> {
  const wanted = [...new Set(topics)];
  const counts = new Map<string, number>();
  if (!wanted.length) return counts;
  const snapshot = await readMetadata(admin, wanted);
  for (const name of wanted) {
    const topic = snapshot.topics.get(name);
    if (topic && topic.partitions.length) counts.set(name, topic.partitions.length);
  }
  return counts;
}

/** Offsets at a time (-2 earliest, -1 latest) per leader; partitions that could not be read (no
 * leader, leader unreachable) are left out, the others are read. */
async function offsetsAt(admin: Admin, partitions: Map<string, number[]>, timestamp: bigint, layout?: ClusterSnapshot): Promise<PartitionTable<number>> {
  const offsets = new PartitionTable<number>();
  if (!partitions.size) return offsets;
  const snapshot = layout ?? (await readMetadata(admin, [...partitions.keys()]));
  const results = await listOffsets(admin, snapshot, partitions, timestamp);
  for (const [topic, indexes] of partitions) {
    for (const index of indexes) {
      const offset = results.get(topic, index);
      if (offset !== undefined) offsets.set(topic, index, offset);
    }
  }
  return offsets;
}

/** Log start and end offsets of the given partitions that exist; unknown ones are left out. */
export async function watermarks(admin: Admin, wanted: Map<string, Set<number>>): Promise<WatermarkMap> {
  const result: WatermarkMap = new PartitionTable();
  if (!wanted.size) return result;
  const snapshot = await readMetadata(admin, [...wanted.keys()]);
  const partitions = new Map<string, number[]>();
  for (const [topic, indexes] of wanted) {
    const count = snapshot.topics.get(topic)?.partitions.length;
    if (!count) continue;
    const existing = [...indexes].filter((index) => index < count).sort((a, b) => a - b);
    if (existing.length) partitions.set(topic, existing);
  }
  const marks = await readWatermarks(admin, snapshot, partitions);
  for (const [topic, indexes] of partitions) {
    for (const index of indexes) {
      const mark = marks.get(topic, index);
      result.set(topic, index, { start: mark?.low ?? null, end: mark?.high ?? null });
    }
  }
  return result;
}

/**
 * The last stable offsets (ListOffsets read_committed) of the given partitions; left out where they
 * could not be read (a release before 0.11, no leader). Kafka does not tell which isolation level a
 * group's consumers use, so the group's page shows both lags where they differ.
 */
async function stableOffsets(admin: Admin, wanted: Map<string, Set<number>>): Promise<PartitionTable<number>> {
  const result = new PartitionTable<number>();
  if (!wanted.size) return result;
  try {
    const snapshot = await readMetadata(admin, [...wanted.keys()]);
    const partitions = new Map<string, number[]>();
    for (const [topic, indexes] of wanted) {
      const count = snapshot.topics.get(topic)?.partitions.length ?? 0;
      const existing = [...indexes].filter((index) => index < count);
      if (existing.length) partitions.set(topic, existing);
    }
    const offsets = await listOffsets(admin, snapshot, partitions, LATEST_TIMESTAMP, 1);
    for (const [topic, indexes] of partitions) {
      for (const index of indexes) {
        const offset = offsets.get(topic, index);
        if (offset !== undefined) result.set(topic, index, offset);
      }
    }
  } catch {
    // Without the last stable offsets the page shows the lag to the end alone.
  }
  return result;
}

/** A read_committed consumer's end and lag where an open transaction holds the last stable offset below the end. */
function stableLag(
  committed: number | null,
  start: number | null,
  end: number | null,
  stable: number | undefined,
): { stableEnd: number | null; stableLag: number | null } {
  if (stable === undefined || end === null || stable >= end) return { stableEnd: null, stableLag: null };
  return { stableEnd: stable, stableLag: partitionLag(committed, start, stable) };
}

function addWanted(wanted: Map<string, Set<number>>, topic: string, partition: number): void {
  let set = wanted.get(topic);
  if (!set) {
    set = new Set();
    wanted.set(topic, set);
  }
  set.add(partition);
}

const byTopicAndPartition = (a: { topic: string; partition: number }, b: { topic: string; partition: number }) =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;

function isOrdered(partitions: readonly { topic: string; partition: number }[]): boolean {
  for (let index = 1; index < partitions.length; index += 1) {
    if (byTopicAndPartition(partitions[index - 1] as PartitionSample, partitions[index] as PartitionSample) > 0) return false;
  }
  return true;
}

/** Every group id on the cluster (ListGroups on every broker). */
export async function groupIds(admin: Admin): Promise<string[]> {
  return [...(await listGroupsOnLiveBrokers(admin)).keys()].sort();
}

export interface ListedGroup {
  id: string;
  state: string;
  protocolType: string;
  /** ListGroups v5+ (KIP-848); null from older clusters, where every group is classic. */
  type: GroupType | null;
}

const GROUP_TYPES = new Set<string>(['classic', 'consumer', 'share', 'streams']);
const groupType = (type: string): GroupType => (GROUP_TYPES.has(type.toLowerCase()) ? (type.toLowerCase() as GroupType) : 'unknown');

/**
 * ListGroups on each of the given brokers (each lists the groups it coordinates). A broker that does
 * not answer is left out, and with it its groups, and named in `failed`: the others' groups are listed.
 */
export async function listGroupsOn(
  admin: Admin,
  brokers: ReadonlyMap<number, { host: string; port: number }>,
): Promise<{ groups: Map<string, ListedGroup>; failed: Map<number, string> }> {
  const groups = new Map<string, ListedGroup>();
  const failed = new Map<number, string>();
  const version = await negotiateVersion(admin, ListGroupsApi);
  await Promise.all(
    [...brokers].map(async ([id, address]) => {
      try {
        const response = await send(await brokerConnection(admin, address), ListGroupsApi, version, { statesFilter: [], typesFilter: [] });
        if (response.errorCode) {
          failed.set(id, `ListGroups on broker ${id} (${address.host}:${address.port}) was refused: ${errorName(response.errorCode)}`);
          return;
        }
        for (const group of response.groups) {
          groups.set(group.groupId, {
            id: group.groupId,
            state: group.groupState,
            protocolType: group.protocolType,
            type: version >= 5 ? groupType(group.groupType) : null,
          });
        }
      } catch (error) {
        failed.set(id, brokerFailure(id, address, 'ListGroups', error));
      }
    }),
  );
  if (failed.size === brokers.size && brokers.size) throw new AppError('unavailable', `No broker listed its groups: ${[...failed.values()].join('; ')}.`);
  return { groups, failed };
}

/** ListGroups on every broker Metadata lists now (not the brokers the client cached before one stopped). */
async function listGroupsOnLiveBrokers(admin: Admin): Promise<Map<string, ListedGroup>> {
  const snapshot = await readMetadata(admin, []);
  const { groups, failed } = await listGroupsOn(admin, snapshot.brokers);
  for (const reason of failed.values()) appLogger.warn('The groups list is partial', { reason });
  return groups;
}

/**
 * One lag sample per group: committed, start and end offsets of each partition the group has a
 * committed offset for. `groups` null means every group of the cluster.
 */
export async function readGroupSamples(admin: Admin, groups: readonly string[] | null, now: () => number = Date.now): Promise<GroupSample[]> {
  const ids = groups ?? (await groupIds(admin));
  if (!ids.length) return [];
  const committed = await committedOffsets(admin, ids);
  const wanted = new Map<string, Set<number>>();
  for (const topics of committed.values()) {
    for (const [topic, partitions] of topics) for (const partition of partitions.keys()) addWanted(wanted, topic, partition);
  }
  const marks = await watermarks(admin, wanted);
  const at = now();
  return ids.map((group) => {
    const partitions: PartitionSample[] = [];
    for (const [topic, commits] of committed.get(group) ?? []) {
      for (const [partition, commit] of commits) {
        const mark = marks.get(topic, partition);
        partitions.push({ topic, partition, committed: commit.offset, start: mark?.start ?? null, end: mark?.end ?? null });
      }
    }
    // OffsetFetch answers in order already; sort only when it did not.
    if (!isOrdered(partitions)) partitions.sort(byTopicAndPartition);
    return { group, at, partitions };
  });
}

interface Described {
  state: GroupState;
  groupType: GroupType | null;
  protocolType: string;
  protocol: string;
  epochs: GroupDetail['epochs'];
  members: GroupMember[];
}

async function describe(admin: Admin, groups: readonly string[]): Promise<Map<string, Described>> {
  const result = new Map<string, Described>();
  const batches = await Promise.all(
    chunks(groups, GROUP_BATCH).map((batch) => eachIfBatchFails(batch, (part) => admin.describeGroups({ groups: part }), mergeMaps)),
  );
  for (const described of batches) {
    for (const [id, group] of described) {
      result.set(id, {
        state: normalizeState(group.state),
        groupType: null,
        protocolType: group.protocolType ?? '',
        protocol: group.protocol ?? '',
        epochs: null,
        members: [...group.members.values()].map((member) => ({
          memberId: member.id,
          groupInstanceId: member.groupInstanceId ?? null,
          clientId: member.clientId,
          host: member.clientHost,
          assignments: [...(member.assignments?.values() ?? [])]
            .map((assignment) => ({ topic: assignment.topic, partitions: [...assignment.partitions].sort((a, b) => a - b) }))
            .sort((a, b) => (a.topic < b.topic ? -1 : 1)),
          lag: null,
          consumerProtocol: null,
        })),
      });
    }
  }
  return result;
}

interface DescribedAll {
  described: Map<string, Described>;
  /** Groups ConsumerGroupDescribe refused for another reason than "not a consumer group". */
  refused: Map<string, ConsumerGroupRefusal>;
}

/**
 * Classic and consumer-protocol groups alike. With `listed` (ListGroups v5 types) each group is asked
 * the one way its type needs; without (a single group's page) the consumer protocol is asked too where
 * the cluster has it, and a group it describes is a consumer-protocol group. Clusters without
 * ConsumerGroupDescribe get DescribeGroups alone, as before.
 */
async function describeAll(admin: Admin, groups: readonly string[], listed?: ReadonlyMap<string, ListedGroup>): Promise<DescribedAll> {
  const hasConsumerGroups = await supportsConsumerGroups(admin).catch(() => false);
  const consumerIds = !hasConsumerGroups ? [] : listed ? groups.filter((id) => listed.get(id)?.type === 'consumer') : [...groups];
  // Share groups (KIP-932) are asked with ShareGroupDescribe: those ListGroups typed share, or on a group's page any group.
  const shareIds = listed ? groups.filter((id) => listed.get(id)?.type === 'share') : [...groups];
  const classicIds = listed && hasConsumerGroups ? groups.filter((id) => !['consumer', 'share'].includes(listed.get(id)?.type ?? '')) : groups;
  const [classic, consumer, share] = await Promise.all([
    describe(admin, classicIds),
    describeConsumerGroups(admin, consumerIds),
    describeShareGroups(admin, shareIds).catch(() => new Map<string, ConsumerGroupResult>()),
  ]);
  const refused = new Map<string, ConsumerGroupRefusal>();
  for (const [id, info] of classic) {
    // A cluster with consumer-protocol groups types every group; DescribeGroups answers for classic ones.
    if (hasConsumerGroups && info.state !== 'DEAD') info.groupType = listed?.get(id)?.type ?? 'classic';
  }
  for (const [id, result] of consumer) {
    if ('group' in result) classic.set(id, { ...result.group, groupType: 'consumer' });
    // Not a consumer group (or, on 3.8-3.9 without the new coordinator, no consumer groups at all).
    else if (!['GROUP_ID_NOT_FOUND', 'UNSUPPORTED_VERSION'].includes(result.refused.error)) refused.set(id, result.refused);
  }
  for (const [id, result] of share) if ('group' in result) classic.set(id, { ...result.group, groupType: 'share' });
  return { described: classic, refused };
}

export interface GroupListing {
  groups: GroupSummary[];
  /** The same offsets as samples, for the lag sampler. */
  samples: GroupSample[];
}

/** Every group with its state, members, topics, total lag and coordinator. */
export async function listGroups(admin: Admin, now: () => number = Date.now): Promise<GroupListing> {
  const listed = await listGroupsOnLiveBrokers(admin);
  const ids = [...listed.keys()].sort();
  if (!ids.length) return { groups: [], samples: [] };
  const [{ described }, samples, found] = await Promise.all([
    describeAll(admin, ids, listed),
    readGroupSamples(admin, ids, now),
    coordinators(admin, ids).catch(() => new Map<string, { id: number; host: string; port: number }>()),
  ]);
  const groups = samples.map((sample): GroupSummary => {
    const info = described.get(sample.group);
    const base = listed.get(sample.group);
    const topics = new Set(sample.partitions.map((partition) => partition.topic));
    let partitionsWithoutCommit = 0;
    const members = info?.members ?? [];
    const committed = members.length ? new Set(sample.partitions.map((partition) => key(partition.topic, partition.partition))) : null;
    for (const member of members) {
      for (const assignment of member.assignments) {
        topics.add(assignment.topic);
        for (const partition of assignment.partitions) if (!committed?.has(key(assignment.topic, partition))) partitionsWithoutCommit += 1;
      }
    }
    let totalLag: number | null = null;
    for (const partition of sample.partitions) {
      const lag = partitionLag(partition.committed, partition.start, partition.end);
      if (lag !== null) totalLag = (totalLag ?? 0) + lag;
    }
    return {
      id: sample.group,
      state: info?.state ?? normalizeState(base?.state),
      groupType: base?.type ?? info?.groupType ?? null,
      protocolType: info?.protocolType ?? base?.protocolType ?? '',
      protocol: info?.protocol ?? '',
      members: info?.members.length ?? 0,
      topics: [...topics].sort(),
      totalLag,
      partitions: sample.partitions.length + partitionsWithoutCommit,
      partitionsWithoutCommit,
      coordinator: found.get(sample.group)?.id ?? null,
    };
  });
  return { groups, samples };
}

/** One group: members and what they are assigned, and per partition the committed offset, end and lag. */
export async function describeGroup(admin: Admin, group: string): Promise<GroupDetail> {
  const [{ described, refused }, committed, found] = await Promise.all([
    describeAll(admin, [group]),
    committedOffsets(admin, [group]),
    coordinators(admin, [group]).catch(() => new Map<string, { id: number; host: string; port: number }>()),
  ]);
  const info = described.get(group);
  const commits: GroupCommits = committed.get(group) ?? new Map<string, Map<number, Commit>>();
  const refusal = refused.get(group);
  if ((!info || info.state === 'DEAD') && refusal) {
    // A consumer-protocol group the cluster would not describe: say why rather than "does not exist".
    throw new AppError('kafka', consumerGroupRefusalWords(group, refusal), { kafkaCode: refusal.error });
  }
  if ((!info || info.state === 'DEAD') && commits.size === 0) {
    throw new AppError('not-found', `The group "${group}" does not exist on this cluster.`);
  }
  const owner = new Map<string, GroupMember>();
  // Consumer-protocol groups: where the target assignment moves a partition to another member.
  const targetOwner = new Map<string, GroupMember>();
  const wanted = new Map<string, Set<number>>();
  for (const member of info?.members ?? []) {
    for (const assignment of member.assignments) {
      for (const partition of assignment.partitions) {
        owner.set(key(assignment.topic, partition), member);
        addWanted(wanted, assignment.topic, partition);
      }
    }
    for (const assignment of member.consumerProtocol?.target ?? []) {
      for (const partition of assignment.partitions) {
        targetOwner.set(key(assignment.topic, partition), member);
        addWanted(wanted, assignment.topic, partition);
      }
    }
  }
  for (const [topic, partitions] of commits) for (const partition of partitions.keys()) addWanted(wanted, topic, partition);
  const [marks, stable] = await Promise.all([watermarks(admin, wanted), stableOffsets(admin, wanted)]);
  const partitions: GroupPartitionLag[] = [];
  const memberLag = new Map<string, number | null>();
  let totalLag: number | null = null;
  for (const [topic, indexes] of wanted) {
    for (const partition of indexes) {
      const commit = commits.get(topic)?.get(partition);
      const mark = marks.get(topic, partition);
      const member = owner.get(key(topic, partition));
      const target = targetOwner.get(key(topic, partition));
      const moving = info?.groupType === 'consumer' && target?.memberId !== member?.memberId ? (target ?? null) : null;
      const lag = partitionLag(commit?.offset ?? null, mark?.start ?? null, mark?.end ?? null);
      if (lag !== null) totalLag = (totalLag ?? 0) + lag;
      if (member) {
        const previous = memberLag.get(member.memberId) ?? null;
        memberLag.set(member.memberId, lag === null ? previous : (previous ?? 0) + lag);
      }
      partitions.push({
        topic,
        partition,
        committed: commit?.offset ?? null,
        start: mark?.start ?? null,
        end: mark?.end ?? null,
        lag,
        ...stableLag(commit?.offset ?? null, mark?.start ?? null, mark?.end ?? null, stable.get(topic, partition)),
        memberId: member?.memberId ?? null,
        clientId: member?.clientId ?? null,
        targetMemberId: moving?.memberId ?? null,
        targetClientId: moving?.clientId ?? null,
        metadata: commit?.metadata || null,
      });
    }
  }
  partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  const coordinator = found.get(group) ?? null;
  return {
    id: group,
    state: info?.state ?? 'UNKNOWN',
    groupType: info?.groupType ?? null,
    protocolType: info?.protocolType ?? '',
    protocol: info?.protocol ?? '',
    epochs: info?.epochs ?? null,
    coordinator,
    members: (info?.members ?? [])
      .map((member) => ({ ...member, lag: memberLag.get(member.memberId) ?? null }))
      .sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : a.memberId < b.memberId ? -1 : 1)),
    partitions,
    totalLag,
  };
}

function consumerGroupRefusalWords(group: string, refusal: ConsumerGroupRefusal): string {
  const detail = refusal.message ? ` (${refusal.message})` : '';
  switch (refusal.error) {
    case 'GROUP_AUTHORIZATION_FAILED':
      return `This user may not describe the group "${group}": it needs DESCRIBE on the group.`;
    case 'TOPIC_AUTHORIZATION_FAILED':
      return `The group "${group}" reads topics this user may not describe, so the cluster does not show it${detail}.`;
    default:
      return `The cluster would not describe the group "${group}": ${refusal.error}${detail}.`;
  }
}

function activeMembersMessage(group: string, info: Described | undefined, action: string): string | null {
  if (!info || !info.members.length) return null;
  const clients = [...new Set(info.members.map((member) => member.clientId))].slice(0, 3).join(', ');
  const count = info.members.length;
  return `The group "${group}" has ${count} active member${count === 1 ? '' : 's'} (${clients}). Stop ${
    count === 1 ? 'its consumer' : 'its consumers'
  } before you ${action}: Kafka only changes the offsets of a group nobody consumes with.`;
}

export interface ResetInput {
  group: string;
  topics: string[] | null;
  strategy: ResetStrategy;
}

/** The offsets a reset would commit, with the lag before and after; `blocked` says why it cannot run now. */
export async function previewReset(admin: Admin, input: ResetInput): Promise<ResetPreview> {
  const { group, strategy } = input;
  const [{ described }, committed] = await Promise.all([describeAll(admin, [group]), committedOffsets(admin, [group])]);
  const info = described.get(group);
  const commits = committed.get(group) ?? new Map<string, Map<number, Commit>>();

  // Which partitions: the listed ones for explicit offsets, else every partition of the chosen topics.
  let topics: string[];
  if (strategy.kind === 'offsets') topics = [...new Set(strategy.offsets.map((entry) => entry.topic))];
  else if (input.topics) topics = [...new Set(input.topics)];
  else topics = [...commits.keys()];
  if (!topics.length) {
    throw new AppError('invalid-request', `The group "${group}" has no committed offsets yet; choose the topics to reset.`);
  }
  const counts = await partitionCounts(admin, topics);
  const missing = topics.filter((topic) => !counts.has(topic));
  if (missing.length) throw new AppError('not-found', `The topic "${missing[0]}" does not exist on this cluster.`);
  const wanted = new Map<string, Set<number>>();
  if (strategy.kind === 'offsets') {
    for (const entry of strategy.offsets) {
      const count = counts.get(entry.topic) as number;
      if (entry.partition >= count) {
        throw new AppError('invalid-request', `Partition ${entry.partition} does not exist: "${entry.topic}" has partitions 0 to ${count - 1}.`);
      }
      addWanted(wanted, entry.topic, entry.partition);
    }
  } else {
    for (const topic of topics) for (let partition = 0; partition < (counts.get(topic) as number); partition += 1) addWanted(wanted, topic, partition);
  }
  const marks = await watermarks(admin, wanted);

  let atTimestamp: PartitionTable<number> | null = null;
  if (strategy.kind === 'timestamp') {
    const partitions = new Map([...wanted].map(([topic, set]) => [topic, [...set]]));
    atTimestamp = await offsetsAt(admin, partitions, BigInt(strategy.timestamp));
  }
  const requested = new Map<string, number>();
  if (strategy.kind === 'offsets') for (const entry of strategy.offsets) requested.set(key(entry.topic, entry.partition), entry.offset);

  const partitions: ResetPreview['partitions'] = [];
  let totalLagBefore: number | null = null;
  let totalLagAfter = 0;
  for (const topic of [...wanted.keys()].sort()) {
    for (const partition of [...(wanted.get(topic) as Set<number>)].sort((a, b) => a - b)) {
      const mark = marks.get(topic, partition);
      if (!mark || mark.start === null || mark.end === null) {
        throw new AppError('unavailable', `Partition ${partition} of "${topic}" has no leader right now; try again in a moment.`);
      }
      const { start, end } = mark as { start: number; end: number };
      const current = commits.get(topic)?.get(partition)?.offset ?? null;
      let wantedOffset: number | null;
      switch (strategy.kind) {
        case 'earliest':
          wantedOffset = start;
          break;
        case 'latest':
          wantedOffset = end;
          break;
        case 'timestamp': {
          const found = atTimestamp?.get(topic, partition);
          // -1: no record at or after that time: the consumer would start at the end.
          wantedOffset = found === undefined || found < 0 ? end : found;
          break;
        }
        case 'offsets':
          wantedOffset = requested.get(key(topic, partition)) ?? null;
          break;
        case 'shift':
          wantedOffset = current === null ? null : current + strategy.by;
          break;
      }
      // Nothing to shift from: the partition keeps having no committed offset.
      if (wantedOffset === null) continue;
      const target = Math.min(end, Math.max(start, wantedOffset));
      const lagBefore = partitionLag(current, start, end);
      const lagAfter = end - target;
      if (lagBefore !== null) totalLagBefore = (totalLagBefore ?? 0) + lagBefore;
      totalLagAfter += lagAfter;
      partitions.push({ topic, partition, current, target, start, end, lagBefore, lagAfter, clamped: target !== wantedOffset });
    }
  }
  if (!partitions.length) {
    throw new AppError('invalid-request', 'None of these partitions has a committed offset to shift; choose another kind of reset.');
  }
  return { group, blocked: activeMembersMessage(group, info, 'reset its offsets'), partitions, totalLagBefore, totalLagAfter };
}

/** Commits the previewed offsets; refused while the group has active members. */
export async function resetOffsets(admin: Admin, input: ResetInput): Promise<ResetPreview> {
  const preview = await previewReset(admin, input);
  if (preview.blocked) throw new AppError('conflict', preview.blocked);
  const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
  for (const partition of preview.partitions) {
    const list = byTopic.get(partition.topic) ?? [];
    list.push({ partition: partition.partition, offset: BigInt(partition.target) });
    byTopic.set(partition.topic, list);
  }
  try {
    await admin.alterConsumerGroupOffsets({
      groupId: input.group,
      topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
    });
  } catch (error) {
    const ids = kafkaErrorIds(error);
    if (ids.some((id) => ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID'].includes(id))) {
      throw new AppError('conflict', `The group "${input.group}" has active members again. Stop its consumers before you reset its offsets.`, {
        kafkaCode: ids[0] as string,
      });
    }
    throw error;
  }
  return { ...preview, blocked: null };
}

/** Deletes a group and its committed offsets; refused while it has active members. */
export async function deleteGroup(admin: Admin, group: string): Promise<void> {
  const info = (await describeAll(admin, [group])).described.get(group);
  const blocked = activeMembersMessage(group, info, 'delete it');
  if (blocked) throw new AppError('conflict', blocked);
  try {
    await admin.deleteGroups({ groups: [group] });
  } catch (error) {
    const ids = kafkaErrorIds(error);
    if (ids.includes('NON_EMPTY_GROUP'))
      throw new AppError('conflict', `The group "${group}" has active members; stop its consumers first.`, { kafkaCode: 'NON_EMPTY_GROUP' });
    if (ids.includes('GROUP_ID_NOT_FOUND'))
      throw new AppError('not-found', `The group "${group}" does not exist on this cluster.`, { kafkaCode: 'GROUP_ID_NOT_FOUND' });
    throw error;
  }
}

/** Deletes a group's committed offsets for one topic (OffsetDelete). */
export async function deleteGroupOffsets(admin: Admin, group: string, topic: string): Promise<{ partitions: number }> {
  const commits = (await committedOffsets(admin, [group])).get(group)?.get(topic);
  if (!commits?.size) throw new AppError('not-found', `The group "${group}" has no committed offsets for "${topic}".`);
  const partitionIndexes = [...commits.keys()].sort((a, b) => a - b);
  try {
    await admin.deleteConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionIndexes }] });
  } catch (error) {
    const ids = kafkaErrorIds(error);
    if (ids.includes('GROUP_SUBSCRIBED_TO_TOPIC')) {
      throw new AppError('conflict', `Consumers of "${group}" are subscribed to "${topic}"; stop them before you delete these offsets.`, {
        kafkaCode: 'GROUP_SUBSCRIBED_TO_TOPIC',
      });
    }
    if (ids.includes('GROUP_ID_NOT_FOUND'))
      throw new AppError('not-found', `The group "${group}" does not exist on this cluster.`, { kafkaCode: 'GROUP_ID_NOT_FOUND' });
    throw error;
  }
  return { partitions: partitionIndexes.length };
}

/**
 * Groups reading a topic, for the topic's lag chart: those with committed offsets on it, and those whose
 * members are assigned its partitions but have not committed yet (a consumer that just started, or
 * one that never commits): they read it too.
 */
export async function groupsReadingTopic(admin: Admin, topic: string): Promise<string[]> {
  const listed = await listGroupsOnLiveBrokers(admin);
  const ids = [...listed.keys()].sort();
  if (!ids.length) return [];
  const [committed, { described }] = await Promise.all([committedOffsets(admin, ids), describeAll(admin, ids, listed)]);
  const assigned = (group: string) =>
    described.get(group)?.members.some((member) => member.assignments.some((assignment) => assignment.topic === topic)) ?? false;
  return ids.filter((group) => committed.get(group)?.has(topic) || assigned(group));
}

/**
 * The share-partitions a broker leads and the share sessions of the members fetching from it (KIP-932;
 * Kafka's SharePartitionManager, read, not copied). It serves ShareFetch and ShareAcknowledge: opens,
 * continues and closes share sessions, applies acknowledgements, acquires records from the partition
 * logs for a member, and waits (up to max wait) when nothing can be acquired yet. A share-partition is
 * loaded from the share coordinator (through the persister) the first time it is fetched on its
 * leader, and dropped when this broker stops leading it: the new leader loads what was written.
 *
 * It sees its broker only through SharePartitionHost, and the group coordinator tells it when members
 * leave (ShareGroupListener, as Kafka 4.1's): their sessions end and their records are released.
 */
import type { BrokerConfigView } from '../cluster/broker-config';
import type { Controller } from '../cluster/controller';
import { READ_COMMITTED, type PartitionReplica } from '../cluster/partition-replica';
import type { Logger } from '../server/logger';
import { ErrorCode } from '../../kafka/protocol/error-codes';
import { BatchAttributes, readBatchHeader } from '../../kafka/records/batch-header';
import { scanBatches } from '../../kafka/records/record-batch';
import {
  SharePartition,
  type AcknowledgementBatch,
  type AcquiredRange,
  type BatchInfo,
  type ShareClock,
  type SharePersister,
  type SharePartitionKey,
} from './share-partition';
import { withCoordinatorRetries } from './share-persister';
import { FINAL_SHARE_SESSION_EPOCH, INITIAL_SHARE_SESSION_EPOCH, refKey, ShareSessionCache, type ShareSession, type SharePartitionRef } from './share-sessions';

/** Kafka 4.1's ShareGroupListener: the group coordinator tells share-partition leaders about members. */
export interface ShareGroupListener {
  /** A member left the share group (or was fenced): its sessions end, its acquired records are released. */
  onMemberLeave(groupId: string, memberId: string): void;
  /** The share group has no members any more. */
  onGroupEmpty(groupId: string): void;
}

export interface SharePartitionHost {
  readonly id: number;
  readonly logger: Logger;
  readonly config: Pick<BrokerConfigView, 'int' | 'value'>;
  readonly metadata: Pick<Controller, 'partition' | 'topicById'>;
  /** This broker's replica of a partition, if it has one. */
  replica(topic: string, partition: number): PartitionReplica | undefined;
  readonly persister: SharePersister;
  /** A group config of the share group (share.record.lock.duration.ms...), undefined when not set. */
  groupConfig(groupId: string, name: string): string | undefined;
  isRunning(): boolean;
}

export const systemShareClock: ShareClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ShareFetchPartitionRequest extends SharePartitionRef {
  acknowledgementBatches: AcknowledgementBatch[];
}

export interface ShareFetchRequestData {
  groupId: string;
  memberId: string;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number;
  partitions: ShareFetchPartitionRequest[];
  forgotten: SharePartitionRef[];
}

export interface SharePartitionAnswer extends SharePartitionRef {
  errorCode: number;
  errorMessage: string | null;
  acknowledgeErrorCode: number;
  acknowledgeErrorMessage: string | null;
  currentLeader: { leaderId: number; leaderEpoch: number };
  records: Buffer | null;
  acquiredRecords: AcquiredRange[];
}

export interface ShareFetchAnswer {
  errorCode: number;
  errorMessage: string | null;
  partitions: SharePartitionAnswer[];
  acquisitionLockTimeoutMs: number;
}

function partitionKey(groupId: string, topicId: string, partition: number): string {
  return `${groupId}\u0000${topicId}\u0000${partition}`;
}

/** ISO-8601 duration PnDTnHnMn.nS in ms, or null (share.auto.offset.reset=by_duration:<duration>). */
export function parseIsoDuration(text: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60000 + Math.round(Number(s ?? 0) * 1000);
}

export class SharePartitionManager implements ShareGroupListener {
  readonly sessions = new ShareSessionCache();
  readonly #partitions = new Map<string, SharePartition>();
  readonly #loading = new Map<string, Promise<SharePartition | number>>();
  readonly #availableListeners = new Set<() => void>();

  constructor(
    readonly host: SharePartitionHost,
    readonly clock: ShareClock = systemShareClock,
  ) {}

  #setting(groupId: string, groupName: string, brokerName: string): number {
    const value = Number(this.host.groupConfig(groupId, groupName));
    return Number.isFinite(value) && this.host.groupConfig(groupId, groupName) !== undefined ? value : this.host.config.int(brokerName);
  }

  recordLockDurationMs(groupId: string): number {
    return this.#setting(groupId, 'share.record.lock.duration.ms', 'group.share.record.lock.duration.ms');
  }

  isolationLevel(groupId: string): 0 | 1 {
    return this.host.groupConfig(groupId, 'share.isolation.level') === 'read_committed' ? READ_COMMITTED : 0;
  }

  /** A loaded share-partition, or undefined (tests, the app). */
  loaded(groupId: string, topicId: string, partition: number): SharePartition | undefined {
    return this.#partitions.get(partitionKey(groupId, topicId, partition));
  }

  /** The loaded share-partitions of a group. */
  partitionsOf(groupId: string): SharePartition[] {
    return [...this.#partitions.values()].filter((sp) => sp.key.groupId === groupId);
  }

  /** Called when records may be acquired again (released, lock timed out): waiting fetches retry. */
  onAvailable(listener: () => void): () => void {
    this.#availableListeners.add(listener);
    return () => this.#availableListeners.delete(listener);
  }

  #notifyAvailable(): void {
    for (const listener of [...this.#availableListeners]) listener();
  }

  /**
   * The share-partition of a group on this leader: loaded from the share coordinator the first time
   * (a never-initialized one starts where share.auto.offset.reset says, and that start is written
   * first, so a restart does not move it). An error code when this broker does not lead the partition.
   */
  sharePartition(groupId: string, topicId: string, partition: number): SharePartition | Promise<SharePartition | number> | number {
    const key = partitionKey(groupId, topicId, partition);
    const topic = this.host.metadata.topicById(topicId);
    if (!topic) return ErrorCode.UNKNOWN_TOPIC_ID;
    const meta = topic.partitions[partition];
    if (!meta) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (meta.leader !== this.host.id) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const current = this.#partitions.get(key);
    if (current && current.leaderEpoch === meta.leaderEpoch && !current.closed) return current;
    if (current) this.#drop(key);
    const loading = this.#loading.get(key);
    if (loading) return loading;
    const ref: SharePartitionKey = { groupId, topicId, topic: topic.name, partition };
    const promise = this.#load(ref, meta.leaderEpoch).finally(() => this.#loading.delete(key));
    this.#loading.set(key, promise);
    return promise;
  }

  async #load(key: SharePartitionKey, leaderEpoch: number): Promise<SharePartition | number> {
    const read = await withCoordinatorRetries(() => this.host.persister.read(key, leaderEpoch));
    if (typeof read === 'number') return read;
    const replica = this.host.replica(key.topic, key.partition);
    const meta = this.host.metadata.partition(key.topic, key.partition);
    if (!replica || !replica.isLeader || !meta || meta.leaderEpoch !== leaderEpoch) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    let state = read;
    if (state.startOffset < 0) {
      const startOffset = this.#resetOffset(key.groupId, replica);
      const written = await withCoordinatorRetries(() =>
        this.host.persister
          .write(key, { stateEpoch: state.stateEpoch, leaderEpoch, startOffset, stateBatches: [] })
          .then((code) => (code === ErrorCode.NONE ? true : code)),
      );
      if (written !== true) return written;
      state = { stateEpoch: state.stateEpoch, startOffset, stateBatches: [] };
    }
    const mapKey = partitionKey(key.groupId, key.topicId, key.partition);
    const existing = this.#partitions.get(mapKey);
    if (existing && !existing.closed && existing.leaderEpoch === leaderEpoch) return existing;
    const groupId = key.groupId;
    const sharePartition = new SharePartition(
      key,
      leaderEpoch,
      state,
      {
        recordLockDurationMs: () => this.recordLockDurationMs(groupId),
        deliveryCountLimit: () => this.host.config.int('group.share.delivery.count.limit'),
        maxRecordLocks: () => this.host.config.int('group.share.partition.max.record.locks'),
      },
      this.host.persister,
      this.clock,
      () => this.#notifyAvailable(),
    );
    sharePartition.skipTo(replica.log.logStartOffset);
    this.#partitions.set(mapKey, sharePartition);
    return sharePartition;
  }

  /** Where a share-partition without state starts (share.auto.offset.reset: latest, earliest, by_duration:<ISO-8601>). */
  #resetOffset(groupId: string, replica: PartitionReplica): number {
    const reset = this.host.groupConfig(groupId, 'share.auto.offset.reset') ?? 'latest';
    const visibleEnd = this.isolationLevel(groupId) === READ_COMMITTED ? replica.lastStableOffset : replica.highWatermark;
    if (reset === 'earliest') return replica.log.logStartOffset;
    if (reset.startsWith('by_duration:')) {
      const ms = parseIsoDuration(reset.slice('by_duration:'.length));
      if (ms !== null) {
        const found = replica.log.offsetForTimestamp(this.clock.now() - ms);
        return found && found.offset < visibleEnd ? found.offset : visibleEnd;
      }
    }
    return visibleEnd;
  }

  // ---------------------------------------------------------------------------------------------
  // ShareFetch and ShareAcknowledge

  /**
   * The session a request belongs to, after KIP-932's epoch rules (share-sessions.ts): opened for epoch
   * 0 (releasing what a session it replaces held), continued (partitions added and forgotten, epoch
   * moved on) or closed for -1 (the caller releases what it held once acknowledgements are applied).
   */
  session(
    groupId: string,
    memberId: string,
    epoch: number,
    added: SharePartitionRef[],
    forgotten: SharePartitionRef[],
  ): { session: ShareSession; error?: undefined } | { session?: undefined; error: number } {
    if (epoch === INITIAL_SHARE_SESSION_EPOCH) {
      const { session, replaced } = this.sessions.open(groupId, memberId, this.clock.now());
      if (replaced) void this.#releaseSession(replaced);
      for (const ref of added) session.add(ref);
      return { session };
    }
    const session = this.sessions.continued(groupId, memberId, epoch);
    if (typeof session === 'number') return { error: session };
    session.lastUsed = this.clock.now();
    if (epoch !== FINAL_SHARE_SESSION_EPOCH) {
      for (const ref of added) session.add(ref);
      for (const ref of forgotten) session.forget(ref);
      session.advance();
    }
    return { session };
  }

  /** Ends a session (final epoch): what its member holds in its partitions goes back to Available. */
  closeSession(session: ShareSession): Promise<void> {
    this.sessions.remove(session);
    return this.#releaseSession(session);
  }

  async #releaseSession(session: ShareSession): Promise<void> {
    const releases: Array<Promise<number>> = [];
    for (const ref of session.partitions.values()) {
      const sp = this.#partitions.get(partitionKey(session.groupId, ref.topicId, ref.partition));
      if (sp && !sp.closed) releases.push(sp.releaseMember(session.memberId));
    }
    await Promise.all(releases);
  }

  /** Applies a member's acknowledgements to one share-partition (piggy-backed or ShareAcknowledge). */
  async acknowledge(groupId: string, memberId: string, ref: SharePartitionRef, batches: AcknowledgementBatch[]): Promise<number> {
    if (batches.length === 0) return ErrorCode.NONE;
    const sp = await this.sharePartition(groupId, ref.topicId, ref.partition);
    if (typeof sp === 'number') return sp;
    return sp.acknowledge(memberId, batches);
  }

  /**
   * Acquires records for a member from its session's partitions: each read from its log at the
   * share-partition's next fetch offset (below the high watermark, or the last stable offset under
   * read_committed), within maxBytes (the first partition with data may exceed it, KIP-74) and
   * maxRecords over the whole request. Returns per partition the batches carrying acquired records.
   */
  async acquire(
    groupId: string,
    memberId: string,
    refs: SharePartitionRef[],
    limits: { maxBytes: number; maxRecords: number },
  ): Promise<{ answers: Map<string, Omit<SharePartitionAnswer, 'acknowledgeErrorCode' | 'acknowledgeErrorMessage'>>; bytes: number; records: number }> {
    const answers = new Map<string, Omit<SharePartitionAnswer, 'acknowledgeErrorCode' | 'acknowledgeErrorMessage'>>();
    let bytes = 0;
    let records = 0;
    const isolation = this.isolationLevel(groupId);
    for (const ref of refs) {
      const answer: Omit<SharePartitionAnswer, 'acknowledgeErrorCode' | 'acknowledgeErrorMessage'> = {
        ...ref,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        currentLeader: { leaderId: -1, leaderEpoch: -1 },
        records: null,
        acquiredRecords: [],
      };
      answers.set(refKey(ref), answer);
      const topic = this.host.metadata.topicById(ref.topicId);
      const meta = topic?.partitions[ref.partition];
      if (meta) answer.currentLeader = { leaderId: meta.leader, leaderEpoch: meta.leaderEpoch };
      const sp = await this.sharePartition(groupId, ref.topicId, ref.partition);
      if (typeof sp === 'number') {
        answer.errorCode = sp;
        continue;
      }
      if (records >= limits.maxRecords) continue;
      const replica = this.host.replica(sp.key.topic, sp.key.partition);
      if (!replica || !replica.isLeader) {
        answer.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        continue;
      }
      sp.skipTo(replica.log.logStartOffset);
      const visibleEnd = isolation === READ_COMMITTED ? replica.lastStableOffset : replica.highWatermark;
      if (!sp.canAcquire(visibleEnd)) continue;
      const budget = Math.max(0, limits.maxBytes - bytes);
      if (budget === 0 && bytes > 0) continue;
      const read = replica.readForConsumer(sp.nextFetchOffset(), Math.max(budget, 1), bytes === 0, undefined, isolation);
      if (read.error !== null) {
        answer.errorCode = ErrorCode[read.error];
        continue;
      }
      if (read.records.length === 0) continue;
      const { infos, spans } = batchInfos(read.records, read.abortedTransactions, isolation === READ_COMMITTED);
      const { ranges, batchIndexes } = sp.acquire(memberId, infos, limits.maxRecords - records);
      if (ranges.length === 0) continue;
      const carried = Buffer.concat(batchIndexes.map((i) => read.records.subarray(spans[i]!.offset, spans[i]!.offset + spans[i]!.size)));
      answer.records = carried;
      answer.acquiredRecords = ranges;
      bytes += carried.length;
      for (const r of ranges) records += r.lastOffset - r.firstOffset + 1;
    }
    return { answers, bytes, records };
  }

  // ---------------------------------------------------------------------------------------------
  // Leadership and membership

  /** A partition's leadership changed: share-partitions this broker no longer leads (in that epoch) go. */
  onPartitionChange(topic: string, partition: number): void {
    const meta = this.host.metadata.partition(topic, partition);
    for (const [key, sp] of this.#partitions) {
      if (sp.key.topic !== topic || sp.key.partition !== partition) continue;
      if (!meta || meta.leader !== this.host.id || meta.leaderEpoch !== sp.leaderEpoch) this.#drop(key);
    }
  }

  /** A share-partition's state was rewritten (AlterShareGroupOffsets, DeleteShareGroupOffsets): loaded again on the next fetch. */
  forget(groupId: string, topicId: string, partition: number): void {
    this.#drop(partitionKey(groupId, topicId, partition));
  }

  /** Members with a share session on this broker, by group (the app; a group's members fetch from several brokers). */
  sessionMembers(groupId: string): string[] {
    return this.sessions.of(groupId).map((s) => s.memberId);
  }

  onTopicDeleted(topic: string): void {
    for (const [key, sp] of this.#partitions) if (sp.key.topic === topic) this.#drop(key);
  }

  #drop(key: string): void {
    this.#partitions.get(key)?.close();
    this.#partitions.delete(key);
  }

  onMemberLeave(groupId: string, memberId: string): void {
    for (const session of this.sessions.of(groupId, memberId)) this.sessions.remove(session);
    for (const sp of this.partitionsOf(groupId)) void sp.releaseMember(memberId);
  }

  onGroupEmpty(groupId: string): void {
    for (const session of this.sessions.of(groupId)) this.sessions.remove(session);
  }

  /** The broker stops: locks are dropped, the written state stays for the next leader. */
  shutdown(): void {
    for (const key of [...this.#partitions.keys()]) this.#drop(key);
    this.sessions.clear();
    this.#availableListeners.clear();
  }
}

/**
 * The batches of a read as acquisition sees them: control batches, and under read_committed the
 * batches of aborted transactions (from the read's aborted-transaction list, closed by each producer's
 * next marker), are archived rather than delivered.
 */
function batchInfos(
  records: Buffer,
  abortedTransactions: ReadonlyArray<{ producerId: number; firstOffset: number }>,
  readCommitted: boolean,
): { infos: BatchInfo[]; spans: Array<{ offset: number; size: number }> } {
  const spans = scanBatches(records).spans.filter((s) => s.magic === 2);
  const pending = readCommitted ? [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  const aborting = new Set<number>();
  const infos: BatchInfo[] = [];
  for (const span of spans) {
    const header = readBatchHeader(records, span.offset);
    const lastOffset = header.baseOffset + header.lastOffsetDelta;
    while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset) aborting.add(pending.shift()!.producerId);
    const control = (header.attributes & BatchAttributes.Control) !== 0;
    const transactional = (header.attributes & BatchAttributes.Transactional) !== 0;
    const aborted = !control && transactional && aborting.has(header.producerId);
    if (control) aborting.delete(header.producerId);
    infos.push({ baseOffset: header.baseOffset, lastOffset, control, aborted });
  }
  return { infos, spans };
}

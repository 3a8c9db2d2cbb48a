import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { aclKey, type AclBinding } from '../security/acl';
import type { ScramCredential, ScramMechanism } from '../security/scram';
import { withClientQuota, type ClientQuotaEntry, type QuotaEntityPart } from '../quotas/client-quota-entity';
import type { DelegationToken } from '../security/delegation-token';

export interface PartitionMetadata {
  partition: number;
  /** Assigned replicas, preferred leader first. */
  replicas: number[];
  /** Current leader, -1 while the partition is offline. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** Bumped on every change of leader or ISR (KIP-380's partition epoch). */
  partitionEpoch: number;
  /**
   * Eligible leader replicas (KIP-966, with eligible.leader.replicas.version=1): replicas that left the
   * ISR while it was below min.insync.replicas and hold every committed record, so they may lead when
   * the ISR is empty. Absent when none.
   */
  elr?: number[];
  /** The last known ELR: replicas that were in sync or eligible but no longer are (an unclean shutdown). Absent when none. */
  lastKnownElr?: number[];
  /** The leader epoch begun by the partition's last unclean election, if it had one (see replica-fetcher.ts). */
  uncleanElectionEpoch?: number;
  /**
   * An ongoing reassignment (KIP-455): replicas being added (catching up, not yet in the target's ISR)
   * and replicas to remove once they have. `replicas` then lists the target first and the removing ones
   * after it, as Kafka's PartitionRecord does. Absent (or empty) when none is ongoing.
   */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export interface TopicMetadata {
  name: string;
  topicId: string;
  internal: boolean;
  /** Topic-level configs set explicitly (source TOPIC_CONFIG); everything else comes from the broker. */
  configs: Record<string, string>;
  partitions: PartitionMetadata[];
}

export interface ClusterMetadataState {
  clusterId: string;
  /** The next producer id InitProducerId hands out. */
  nextProducerId: number;
  /** Dynamic broker configs set through AlterConfigs, per broker id ('' for the cluster default). */
  brokerConfigs: Record<string, Record<string, string>>;
  topics: TopicMetadata[];
  /** ACLs (KRaft keeps them as AccessControlEntryRecords); absent in metadata written before they existed. */
  acls?: AclBinding[];
  /** SCRAM credentials by user and mechanism (KRaft's UserScramCredentialRecords): salted keys, no password. */
  scramCredentials?: Record<string, Partial<Record<ScramMechanism, ScramCredential>>>;
  /** Client quotas (KIP-546; KRaft's ClientQuotaRecords): per entity, the quotas set on it. */
  clientQuotas?: ClientQuotaEntry[];
  /** Delegation tokens (KIP-48; KRaft's DelegationTokenRecords): their HMACs are derived again from the secret key. */
  delegationTokens?: DelegationToken[];
  /**
   * The registered brokers, once one was added or removed at run time (KRaft's broker registrations);
   * absent until then, when the cluster's broker count says which.
   */
  brokerIds?: number[];
  /**
   * Finalized feature levels (KIP-584; KRaft's FeatureLevelRecords) and their epoch; absent until an
   * UpdateFeatures changed one, when the release's bootstrap levels apply (broker/cluster/features.ts).
   */
  features?: { epoch: number; levels: Record<string, number> };
  /** Client metrics subscriptions (KIP-714; KRaft's ConfigRecords of CLIENT_METRICS resources): configs by subscription name. */
  clientMetrics?: Record<string, Record<string, string>>;
  /** GROUP config resources (KIP-848/KIP-932 group configs; KRaft's ConfigRecords of GROUP resources): configs by group id. */
  groupConfigs?: Record<string, Record<string, string>>;
}

export const METADATA_FILE = 'cluster-metadata.json';

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters). */
function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** A topic id: a random UUID that is never the all-zero or the "metadata topic" UUID. */
export function newTopicId(): string {
  return randomUUID();
}

/** The metadata could not be written (a full disk, a read-only file system); nothing half-written stays. */
export class MetadataStoreError extends Error {
  override readonly name = 'MetadataStoreError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot write the cluster metadata to ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** One change of the metadata, as the metadata log records it: each sets an entity to its new value. */
export type MetadataRecord =
  | { type: 'topic'; topic: TopicMetadata }
  | { type: 'topic-deleted'; name: string }
  | { type: 'partition'; topic: string; partition: PartitionMetadata }
  | { type: 'broker-configs'; brokerId: string; configs: Record<string, string> }
  | { type: 'producer-ids'; next: number }
  | { type: 'acl'; acl: AclBinding; present: boolean }
  | { type: 'scram-credential'; user: string; mechanism: ScramMechanism; credential: ScramCredential | null }
  | { type: 'brokers'; ids: number[] }
  | { type: 'client-quota'; entity: QuotaEntityPart[]; key: string; value: number | null }
  | { type: 'delegation-token'; tokenId: string; token: DelegationToken | null }
  | { type: 'feature-level'; name: string; level: number; epoch: number }
  | { type: 'client-metrics'; name: string; configs: Record<string, string> | null }
  | { type: 'group-configs'; groupId: string; configs: Record<string, string> | null };

export const METADATA_LOG_FILE = 'cluster-metadata.log';
/** The log is folded into a new snapshot once it is larger than the snapshot and than this. */
const MIN_COMPACTION_BYTES = 1 << 20;

export interface MetadataStoreOptions {
  /** The floor below which the log is never folded (default 1 MiB); tests lower it to fold after a few changes. */
  minCompactionBytes?: number;
}

interface Snapshot extends ClusterMetadataState {
  /** Names the log that continues this snapshot; a log with another id is older than the snapshot. */
  logId?: string;
}

function fsyncDir(dir: string): void {
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  }
}

/** Writes `bytes` to a new (`w`) or the end of (`a`) the file and waits until they are on disk. */
function writeSynced(path: string, flags: 'w' | 'a', bytes: Buffer): void {
  const fd = openSync(path, flags);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The SCRAM credentials with one user's credential for one mechanism set, or removed (null); a user with none left is dropped. */
export function withScramCredential(
  users: Readonly<Record<string, Partial<Record<ScramMechanism, ScramCredential>>>>,
  user: string,
  mechanism: ScramMechanism,
  credential: ScramCredential | null,
): Record<string, Partial<Record<ScramMechanism, ScramCredential>>> {
  const mechanisms = Object.fromEntries(Object.entries(users[user] ?? {}).filter(([m]) => m !== mechanism));
  if (credential) mechanisms[mechanism] = credential;
  const others = Object.entries(users).filter(([name]) => name !== user);
  return Object.fromEntries(Object.keys(mechanisms).length > 0 ? [...others, [user, mechanisms]] : others);
}

function applyRecord(topics: Map<string, TopicMetadata>, state: ClusterMetadataState, record: MetadataRecord): void {
  switch (record.type) {
    case 'topic':
      topics.delete(record.topic.name);
      topics.set(record.topic.name, record.topic);
      break;
    case 'topic-deleted':
      topics.delete(record.name);
      break;
    case 'partition': {
      const topic = topics.get(record.topic);
      if (topic) topic.partitions[record.partition.partition] = record.partition;
      break;
    }
    case 'broker-configs':
      state.brokerConfigs[record.brokerId] = record.configs;
      break;
    case 'producer-ids':
      state.nextProducerId = record.next;
      break;
    case 'acl': {
      const key = aclKey(record.acl);
      const acls = (state.acls ?? []).filter((acl) => aclKey(acl) !== key);
      if (record.present) acls.push(record.acl);
      state.acls = acls;
      break;
    }
    case 'brokers':
      state.brokerIds = record.ids;
      break;
    case 'client-quota':
      state.clientQuotas = withClientQuota(state.clientQuotas ?? [], record.entity, record.key, record.value);
      break;
    case 'delegation-token':
      state.delegationTokens = [...(state.delegationTokens ?? []).filter((t) => t.tokenId !== record.tokenId), ...(record.token ? [record.token] : [])];
      break;
    case 'feature-level':
      state.features = { epoch: record.epoch, levels: { ...state.features?.levels, [record.name]: record.level } };
      break;
    case 'group-configs': {
      const groups = { ...state.groupConfigs };
      if (record.configs) groups[record.groupId] = record.configs;
      else delete groups[record.groupId];
      state.groupConfigs = groups;
      break;
    }
    case 'client-metrics': {
      const subscriptions = { ...state.clientMetrics };
      if (record.configs) subscriptions[record.name] = record.configs;
      else delete subscriptions[record.name];
      state.clientMetrics = subscriptions;
      break;
    }
    case 'scram-credential': {
      state.scramCredentials = withScramCredential(state.scramCredentials ?? {}, record.user, record.mechanism, record.credential);
      break;
    }
  }
}

/**
 * The cluster's metadata on disk, as Kafka's KRaft keeps it: a snapshot (one JSON document, replaced
 * atomically: temporary file, fsync, rename, fsync of the dir) and a log of the changes since, one JSON
 * record per line, appended and fsynced before a change is acknowledged. A change costs a few hundred
 * bytes whatever the cluster's size (rewriting the whole document for every ISR change made a broker
 * restart with thousands of partitions take minutes). When the log outgrows the snapshot it is folded
 * into a new snapshot. A crash leaves the snapshot whole and the log at worst with a torn last line,
 * which is dropped: it was never acknowledged.
 */
export class MetadataStore {
  readonly path: string;
  readonly logPath: string;
  #logId = '';
  #logBytes = 0;
  #snapshotBytes = 0;

  readonly #minCompactionBytes: number;

  constructor(dataDir: string, options: MetadataStoreOptions = {}) {
    this.#minCompactionBytes = options.minCompactionBytes ?? MIN_COMPACTION_BYTES;
    this.path = join(dataDir, METADATA_FILE);
    this.logPath = join(dataDir, METADATA_LOG_FILE);
  }

  load(): ClusterMetadataState {
    if (!existsSync(this.path)) {
      const state: ClusterMetadataState = { clusterId: newClusterId(), nextProducerId: 1000, brokerConfigs: {}, topics: [] };
      // The cluster id is fixed from the first start on.
      this.save(state);
      return state;
    }
    const text = readFileSync(this.path, 'utf8');
    const { logId, ...state } = JSON.parse(text) as Snapshot;
    state.brokerConfigs ??= {};
    this.#snapshotBytes = Buffer.byteLength(text);
    const topics = new Map(state.topics.map((topic) => [topic.name, topic]));
    if (logId !== undefined && existsSync(this.logPath)) this.#replay(logId, topics, state);
    state.topics = [...topics.values()];
    if (this.#logId === '') this.save(state);
    return state;
  }

  /** Applies the log's records that continue the snapshot `logId`, and cuts a torn or corrupt tail. */
  #replay(logId: string, topics: Map<string, TopicMetadata>, state: ClusterMetadataState): void {
    const content = readFileSync(this.logPath);
    let position = 0;
    let lineNumber = 0;
    while (position < content.length) {
      const end = content.indexOf(0x0a, position);
      // A last line without its newline was being written when the process died.
      if (end < 0) break;
      let parsed: unknown;
      try {
        parsed = JSON.parse(content.subarray(position, end).toString('utf8'));
      } catch {
        break;
      }
      if (lineNumber === 0) {
        // A log that names another snapshot was already folded into the current one.
        if ((parsed as { logId?: unknown }).logId !== logId) return;
      } else {
        applyRecord(topics, state, parsed as MetadataRecord);
      }
      lineNumber++;
      position = end + 1;
    }
    if (lineNumber === 0) return;
    if (position < content.length) truncateSync(this.logPath, position);
    this.#logId = logId;
    this.#logBytes = position;
  }

  /**
   * Appends `records` to the log and fsyncs it; `state` (which already holds them) becomes the new
   * snapshot when the log has grown larger than the current one.
   */
  append(records: MetadataRecord[], state: ClusterMetadataState): void {
    if (records.length === 0) return;
    if (this.#logId === '' || this.#logBytes > Math.max(this.#minCompactionBytes, this.#snapshotBytes)) {
      this.save(state);
      return;
    }
    const bytes = Buffer.from(records.map((record) => JSON.stringify(record)).join('\n') + '\n');
    try {
      writeSynced(this.logPath, 'a', bytes);
    } catch (error) {
      // A full disk may leave part of a line: cut it, or the next records would follow garbage and be
      // dropped with it at the next load. If even that fails, the next write is a whole snapshot.
      try {
        truncateSync(this.logPath, this.#logBytes);
      } catch {
        this.#logId = '';
      }
      throw new MetadataStoreError(this.logPath, error);
    }
    this.#logBytes += bytes.length;
  }

  /** Writes `state` as a new snapshot and starts an empty log after it. */
  save(state: ClusterMetadataState): void {
    const logId = randomUUID();
    const text = Buffer.from(JSON.stringify({ ...state, logId } satisfies Snapshot));
    const temporary = `${this.path}.tmp`;
    let path = this.path;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeSynced(temporary, 'w', text);
      renameSync(temporary, this.path);
      fsyncDir(dirname(this.path));
      // A crash from here on leaves the old log, which names the old snapshot: it is ignored at load.
      path = this.logPath;
      const header = Buffer.from(JSON.stringify({ logId }) + '\n');
      writeSynced(this.logPath, 'w', header);
      fsyncDir(dirname(this.logPath));
      this.#logId = logId;
      this.#logBytes = header.length;
      this.#snapshotBytes = text.length;
    } catch (error) {
      rmSync(temporary, { force: true });
      // Whatever the log holds now does not continue the snapshot on disk: the next write is a snapshot.
      this.#logId = '';
      throw new MetadataStoreError(path, error);
    }
  }
}

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';

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

/**
 * The cluster's metadata on disk: one JSON document under the data dir, replaced atomically (write a
 * temporary file, fsync it, rename over the old one, fsync the dir) on every change, so a crash leaves
 * either the old or the new state, never a torn one.
 */
export class MetadataStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, METADATA_FILE);
  }

  load(): ClusterMetadataState {
    if (!existsSync(this.path)) {
      return { clusterId: newClusterId(), nextProducerId: 1000, brokerConfigs: {}, topics: [] };
    }
    const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as ClusterMetadataState;
    parsed.brokerConfigs ??= {};
    return parsed;
  }

  save(state: ClusterMetadataState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    try {
      const dirFd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch {
      // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
    }
  }
}

// The offsets every screen reads, implemented once: each partition's watermarks (ListOffsets
// earliest and latest, through the tolerant reader of ./read) and consumer groups' committed offsets
// (FindCoordinator + OffsetFetch). Topics, groups, the lag sampler and the message browser use these.
import type { Admin } from '@platformatic/kafka';
import { AppError } from '../../core/errors';
import { listOffsets, PartitionResults, type ClusterSnapshot } from './read';

/** ListOffsets timestamps (KIP-79): the log start offset and the log end offset (high watermark). */
export const EARLIEST_TIMESTAMP = -2n;
export const LATEST_TIMESTAMP = -1n;

/** A partition's log start and high watermark; null where that one could not be read. */
export interface PartitionWatermarks {
  low: number | null;
  high: number | null;
}

/**
 * The watermarks of the given partitions, one ListOffsets per leader for each end, all at once. Every
 * partition asked for gets an entry; where either end could not be read (offline, leader unreachable,
 * a partition error), the entry's reason says why and that end is null.
 */
export async function readWatermarks(
  admin: Admin,
  snapshot: ClusterSnapshot,
  wanted: ReadonlyMap<string, readonly number[]>,
  /** read_committed (1): `high` is the last stable offset, what a read_committed consumer reads up to. */
  isolationLevel: 0 | 1 = 0,
): Promise<PartitionResults<PartitionWatermarks>> {
  const result = new PartitionResults<PartitionWatermarks>();
  if (!wanted.size) return result;
  const [earliest, latest] = await Promise.all([
    listOffsets(admin, snapshot, wanted, EARLIEST_TIMESTAMP),
    listOffsets(admin, snapshot, wanted, LATEST_TIMESTAMP, isolationLevel),
  ]);
  for (const [topic, partitions] of wanted) {
    for (const partition of partitions) {
      result.set(topic, partition, { low: earliest.get(topic, partition) ?? null, high: latest.get(topic, partition) ?? null });
      const reason = earliest.error(topic, partition) ?? latest.error(topic, partition);
      if (reason !== undefined) result.fail(topic, partition, reason);
    }
  }
  return result;
}

/** One committed offset and the metadata its consumer stored with it. */
export interface Commit {
  offset: number;
  metadata: string | null;
}

/** A group's committed offsets: topic -> partition -> commit, only partitions that have one. */
export type GroupCommits = Map<string, Map<number, Commit>>;

/** Which offsets of a group to read: every one (no topics), or those of the given partitions. */
export type CommitQuery = string | { groupId: string; topics: { name: string; partitionIndexes: number[] }[] };

/** Groups per OffsetFetch request; batches go out in parallel. Small enough that one answer stays
 * small (and the client's per-group matching, quadratic in the batch, cheap). */
export const GROUP_BATCH = 1_000;

/**
 * The committed offsets of each group asked for (OffsetFetch through each group's coordinator).
 * When a batch fails (one coordinator down fails the client library's whole call) each group of it is
 * asked on its own, so one sick coordinator costs only its own groups.
 */
export async function committedOffsets(admin: Admin, queries: readonly CommitQuery[]): Promise<Map<string, GroupCommits>> {
  const result = new Map<string, GroupCommits>();
  let batches;
  try {
    batches = await Promise.all(
      chunks(queries, GROUP_BATCH).map((batch) =>
        eachIfBatchFails(
          batch,
          (part) => admin.listConsumerGroupOffsets({ groups: part }),
          (answers) => answers.flat(),
        ),
      ),
    );
  } catch (error) {
    const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { errors?: unknown }).errors ?? '')}` : String(error);
    if (/Unsupported API|not supported|UNSUPPORTED_VERSION|api.*(9|10)\b/i.test(text)) {
      throw new AppError('kafka', 'This cluster does not answer consumer group offsets (FindCoordinator / OffsetFetch).', { cause: error });
    }
    throw error;
  }
  for (const answers of batches) {
    for (const answer of answers) {
      const topics: GroupCommits = new Map();
      for (const topic of answer.topics) {
        const partitions = new Map<number, Commit>();
        for (const partition of topic.partitions) {
          if (partition.committedOffset < 0n) continue; // -1: no committed offset
          partitions.set(partition.partitionIndex, { offset: Number(partition.committedOffset), metadata: partition.metadata ?? null });
        }
        if (partitions.size) topics.set(topic.name, partitions);
      }
      result.set(answer.groupId, topics);
    }
  }
  return result;
}

/**
 * Runs a request for a batch of groups; when the batch fails (one group's coordinator is down or
 * does not answer, which fails the client library's whole call), asks for each group on its own
 * and keeps the answers it gets, so one sick coordinator costs only its own groups. A batch of one
 * that fails, or a batch where every group fails, fails as before.
 */
export async function eachIfBatchFails<T, R>(batch: readonly T[], request: (part: T[]) => Promise<R>, merge: (answers: R[]) => R): Promise<R> {
  try {
    return await request([...batch]);
  } catch (error) {
    if (batch.length < 2) throw error;
    const settled = await Promise.allSettled(batch.map((item) => request([item])));
    const answers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (!answers.length) throw error;
    return merge(answers);
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

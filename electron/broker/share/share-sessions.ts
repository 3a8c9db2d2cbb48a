/**
 * Share sessions (KIP-932): a member's ShareFetch requests to one broker form a session, keyed by group
 * and member, holding the share-partitions it fetches and the epoch its next request must carry. As
 * KIP-932's table of ShareSessionEpoch values says (and Kafka's ShareSessionCache does):
 * - 0 opens a session (a full fetch, no acknowledgements allowed: INVALID_REQUEST), replacing one the
 *   member had, whose acquired records are released;
 * - 1..2^31-1 continues it: no session → SHARE_SESSION_NOT_FOUND, another epoch →
 *   INVALID_SHARE_SESSION_EPOCH; the partitions named are added, the forgotten removed, the epoch moves on;
 * - -1 closes it (a final fetch or acknowledgement): its remaining acquired records are released.
 */
import { ErrorCode } from '../../kafka/protocol/error-codes';

export const INITIAL_SHARE_SESSION_EPOCH = 0;
export const FINAL_SHARE_SESSION_EPOCH = -1;

export interface SharePartitionRef {
  topicId: string;
  partition: number;
}

export class ShareSession {
  /** The epoch the member's next request must carry. */
  epoch = 1;
  /** The share-partitions of the session, by "topicId:partition", in the order they were added. */
  readonly partitions = new Map<string, SharePartitionRef>();
  lastUsed: number;

  constructor(
    readonly groupId: string,
    readonly memberId: string,
    now: number,
  ) {
    this.lastUsed = now;
  }

  add(ref: SharePartitionRef): void {
    const key = refKey(ref);
    if (!this.partitions.has(key)) this.partitions.set(key, ref);
  }

  forget(ref: SharePartitionRef): void {
    this.partitions.delete(refKey(ref));
  }

  /** Moves to the next epoch (wrapping past 2^31-1 to 1, as Kafka's ShareRequestMetadata.nextEpoch). */
  advance(): void {
    this.epoch = this.epoch >= 0x7fffffff ? 1 : this.epoch + 1;
  }
}

export function refKey(ref: SharePartitionRef): string {
  return `${ref.topicId}:${ref.partition}`;
}

export class ShareSessionCache {
  readonly #sessions = new Map<string, ShareSession>();

  static key(groupId: string, memberId: string): string {
    return `${groupId}\u0000${memberId}`;
  }

  get(groupId: string, memberId: string): ShareSession | undefined {
    return this.#sessions.get(ShareSessionCache.key(groupId, memberId));
  }

  /** Opens a new session (epoch 0), returning the one it replaces, if any. */
  open(groupId: string, memberId: string, now: number): { session: ShareSession; replaced: ShareSession | undefined } {
    const key = ShareSessionCache.key(groupId, memberId);
    const replaced = this.#sessions.get(key);
    const session = new ShareSession(groupId, memberId, now);
    this.#sessions.set(key, session);
    return { session, replaced };
  }

  /** The session a request with a non-zero epoch continues or closes, or the error code for it. */
  continued(groupId: string, memberId: string, epoch: number): ShareSession | number {
    const session = this.get(groupId, memberId);
    if (!session) return ErrorCode.SHARE_SESSION_NOT_FOUND;
    if (epoch !== FINAL_SHARE_SESSION_EPOCH && epoch !== session.epoch) return ErrorCode.INVALID_SHARE_SESSION_EPOCH;
    return session;
  }

  remove(session: ShareSession): void {
    const key = ShareSessionCache.key(session.groupId, session.memberId);
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
  }

  /** The sessions of a group (a member, when given): they end when the member leaves the group. */
  of(groupId: string, memberId?: string): ShareSession[] {
    return [...this.#sessions.values()].filter((s) => s.groupId === groupId && (memberId === undefined || s.memberId === memberId));
  }

  get size(): number {
    return this.#sessions.size;
  }

  clear(): void {
    this.#sessions.clear();
  }
}

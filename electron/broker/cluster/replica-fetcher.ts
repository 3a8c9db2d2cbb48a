import { KafkaStorageError } from '../log/errors';
import type { Logger } from '../server/logger';
import type { BrokerConfigView } from './broker-config';
import type { Controller } from './controller';
import type { PartitionMetadata } from './metadata-store';
import type { PartitionReplica } from './partition-replica';
import { replicationMetrics as metrics } from './replication-metrics';
import { throttledReplica, type ReplicationQuota } from './replication-quota';

interface Followed {
  replica: PartitionReplica;
  /** The leader epoch this follower last reconciled its log with (truncation by epoch done). */
  reconciledEpoch: number;
  /** A leader epoch whose leader lacks records this follower knows committed: not followed (see refuse()). */
  refusedEpoch: number;
  unsubscribe: (() => void) | null;
  subscribedTo: PartitionReplica | null;
  /** When (in throttled fetches made) this replica last fetched under a replication quota; 0: never. */
  throttledFetch: number;
}

/**
 * Whether a follower may drop records it knows are committed to follow its leader: when the topic allows
 * unclean elections, or when the leader was elected uncleanly (ElectLeaders UNCLEAN, KIP-460) after this
 * follower's latest records were written — the operator accepted losing what that leader lacks.
 */
function acceptsLoss(replica: PartitionReplica, meta: PartitionMetadata): boolean {
  return replica.log.config.uncleanLeaderElectionEnable || (meta.uncleanElectionEpoch ?? -1) > replica.log.latestEpoch();
}

/** What the fetcher uses of the broker it fetches for (the Broker is one). */
export interface FollowerBroker {
  readonly id: number;
  readonly config: Pick<BrokerConfigView, 'int'>;
  /** Who leads a partition, in which epoch. */
  readonly controller: Pick<Controller, 'partition'>;
  /** Its replication quotas (KIP-73); the follower one bounds what this fetcher brings for throttled replicas. */
  readonly quotas: BrokerQuotas;
}

/** A broker's two replication quotas: what it serves as leader, what it fetches as follower. */
export interface BrokerQuotas {
  readonly leader: ReplicationQuota;
  readonly follower: ReplicationQuota;
}

/**
 * What the fetcher uses of the broker leading a partition: its replica, read in process. Kafka's fetcher
 * threads likewise see a leader only through a LeaderEndPoint (LocalLeaderEndPoint when it is in the
 * same process). The Broker is one.
 */
export interface LeaderEndPoint {
  readonly state: 'running' | 'stopped';
  replica(topic: string, partition: number): PartitionReplica | undefined;
  /** The leader's quotas: its leader one bounds what it serves to throttled replicas. */
  readonly quotas: BrokerQuotas;
}

/** Every followed partition is fetched at least this often, with or without news from its leader. */
const SWEEP_INTERVAL_MS = 500;

/**
 * A broker's replica fetcher: for each partition it follows, it fetches from the leader's log with
 * Kafka's follower rules, in process rather than over a socket. On a new leader epoch it first asks the
 * leader for the end offset of its own latest epoch (OffsetForLeaderEpoch) and truncates what diverges;
 * each fetch starts at the follower's log end, which tells the leader how far it has replicated.
 *
 * Work is driven by the leaders: a partition is fetched when its leader announces new records (once
 * the event loop's pending I/O is handled, so a burst of appends is fetched at once), when it is
 * (re)followed, and again right after a fetch that brought something (to fetch more, and to report the
 * new log end so the leader's high watermark moves: in the same turn, see loop()); every partition is
 * also fetched once per sweep interval (leaders that changed or restarted, ISR standing). A follower
 * learns a new high watermark with its next fetch, as in Kafka. A busy partition thus costs one fetch
 * per round however many idle partitions the broker follows.
 */
export class ReplicaFetcher {
  readonly #followed = new Map<PartitionReplica, Followed>();
  /** Partitions to fetch on the next round. */
  readonly #due = new Set<Followed>();
  /** The partition being fetched, and whether its leader announced something meanwhile. */
  #fetching: Followed | null = null;
  #announcedWhileFetching = false;
  #running = true;
  /** Ends the loop's idle wait; set only while it waits. */
  #idle: (() => void) | null = null;
  #resumeScheduled = false;
  /** Set by the sweep timer: the next round fetches every followed partition. */
  #sweepDue = true;
  /** Fetches made under a replication quota, counted: each such fetch's number orders the next sweeps. */
  #throttledFetches = 0;
  /**
   * One timer for the sweeps, for the fetcher's life: arming a timeout per idle wait (a distinct delay
   * each time, which Node files under a timer list of its own) cost more than the fetch it waited for.
   */
  readonly #sweepTimer: NodeJS.Timeout;
  readonly #resume = () => {
    this.#resumeScheduled = false;
    const idle = this.#idle;
    this.#idle = null;
    idle?.();
  };
  readonly #maxBytes: number;
  readonly #broker: FollowerBroker;
  readonly #peer: (id: number) => LeaderEndPoint | undefined;
  readonly #logger: Logger;

  constructor(broker: FollowerBroker, peer: (id: number) => LeaderEndPoint | undefined, logger: Logger) {
    this.#broker = broker;
    this.#peer = peer;
    this.#logger = logger;
    this.#maxBytes = broker.config.int('replica.fetch.max.bytes');
    this.#sweepTimer = setInterval(() => {
      this.#sweepDue = true;
      this.#resume();
    }, SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
    void this.#loop();
  }

  /**
   * A leader's news (or a partition to look at): while the loop waits, it runs once the I/O of this
   * turn has been handled, so that the appends of a burst of requests share one fetch. While a round
   * runs, the partition marked due is fetched by the next one.
   */
  #wake(): void {
    if (this.#idle === null || this.#resumeScheduled) return;
    this.#resumeScheduled = true;
    metrics.fetcherWakeups++;
    setImmediate(this.#resume);
  }

  follow(replica: PartitionReplica): void {
    let entry = this.#followed.get(replica);
    if (!entry) {
      entry = { replica, reconciledEpoch: -2, refusedEpoch: -2, unsubscribe: null, subscribedTo: null, throttledFetch: 0 };
      this.#followed.set(replica, entry);
    }
    // Called again on leader and ISR changes: look at the partition at once.
    this.#due.add(entry);
    this.#wake();
  }

  unfollow(replica: PartitionReplica): void {
    const entry = this.#followed.get(replica);
    entry?.unsubscribe?.();
    this.#followed.delete(replica);
    if (entry) this.#due.delete(entry);
  }

  stop(): void {
    this.#running = false;
    clearInterval(this.#sweepTimer);
    for (const entry of this.#followed.values()) entry.unsubscribe?.();
    this.#followed.clear();
    this.#due.clear();
    this.#resume();
  }

  async #loop(): Promise<void> {
    let afterData = false;
    while (this.#running) {
      let round: Followed[];
      if (this.#sweepDue) {
        this.#sweepDue = false;
        // Under a replication quota the first fetch of a round takes what the quota holds: the throttled
        // replica that fetched longest ago goes first (round robin), so none starves behind another.
        round = [...this.#followed.values()].sort((a, b) => a.throttledFetch - b.throttledFetch);
      } else {
        round = [...this.#due];
      }
      metrics.fetcherRounds++;
      // Leaders announcing data during the round mark their partitions due again for the next one.
      this.#due.clear();
      for (const entry of round) {
        if (!this.#running) return;
        if (!this.#followed.has(entry.replica)) continue;
        this.#fetching = entry;
        this.#announcedWhileFetching = false;
        try {
          if (this.#fetchOnce(entry) || (this.#announcedWhileFetching && this.#behindLeader(entry))) this.#due.add(entry);
        } catch (error) {
          // A full disk is reported once by the replica (and retried with the next fetch), not every round.
          if (!(error instanceof KafkaStorageError))
            this.#logger.error('replica fetch failed', { topic: entry.replica.topic, partition: entry.replica.partition, error });
        } finally {
          this.#fetching = null;
        }
      }
      if (!this.#running) return;
      if (this.#due.size > 0 && !afterData) {
        // A round that brought records is followed at once by one reporting the new log ends, which
        // moves the leaders' high watermarks: the acks=all produces waiting on them complete in this
        // same turn of the event loop. Within one turn nothing new is appended, so this second round
        // brings nothing more unless the first was cut at replica.fetch.max.bytes.
        afterData = true;
        await Promise.resolve();
      } else if (this.#due.size > 0) {
        afterData = false;
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        afterData = false;
        // Until a leader's news (wake) or the next sweep.
        if (!this.#sweepDue) {
          await new Promise<void>((resolve) => {
            this.#idle = resolve;
          });
        }
      }
    }
  }

  /** Whether the leader we follow has records we do not (a high watermark alone waits for the next data). */
  #behindLeader(entry: Followed): boolean {
    const leader = entry.subscribedTo;
    return leader !== null && entry.replica.log.logEndOffset < leader.log.logEndOffset;
  }

  /** One fetch for one partition; true when it replicated something or reported new progress. */
  #fetchOnce(entry: Followed): boolean {
    const { replica } = entry;
    const meta = this.#broker.controller.partition(replica.topic, replica.partition);
    if (!meta || meta.leader === -1 || meta.leader === this.#broker.id || entry.refusedEpoch === meta.leaderEpoch) return false;
    const leaderBroker = this.#peer(meta.leader);
    if (!leaderBroker || leaderBroker.state !== 'running') return false;
    const leader = leaderBroker.replica(replica.topic, replica.partition);
    if (!leader || !leader.isLeader) return false;

    if (entry.subscribedTo !== leader) {
      entry.unsubscribe?.();
      entry.unsubscribe = leader.onData(() => {
        // News during our own fetch (a role change) is looked at after it.
        if (this.#fetching === entry) {
          this.#announcedWhileFetching = true;
          return;
        }
        this.#due.add(entry);
        this.#wake();
      }, 'records');
      entry.subscribedTo = leader;
    }

    if (entry.reconciledEpoch !== meta.leaderEpoch) {
      if (!this.#reconcile(replica, leader, acceptsLoss(replica, meta))) return this.#refuse(entry, meta.leaderEpoch, meta.leader);
      entry.reconciledEpoch = meta.leaderEpoch;
    }

    const quotas = this.#throttles(replica, meta, leaderBroker);
    let maxBytes = this.#maxBytes;
    for (const quota of quotas) maxBytes = Math.min(maxBytes, quota.available());
    if (maxBytes <= 0) {
      // Used up: the next sweep tries again, once the quota has refilled somewhat.
      metrics.throttledFetchesSkipped++;
      return false;
    }
    metrics.followerFetches++;
    const before = replica.log.logEndOffset;
    const result = leader.readForFollower(this.#broker.id, before, maxBytes, meta.leaderEpoch);
    if (result.error !== null) {
      if (result.error === 'OFFSET_OUT_OF_RANGE') {
        if (before < leader.log.logStartOffset) replica.resetTo(leader.log.logStartOffset);
        else if (!replica.truncateTo(leader.log.logEndOffset, acceptsLoss(replica, meta))) return this.#refuse(entry, meta.leaderEpoch, meta.leader);
        return true;
      }
      return false;
    }
    if (result.records.length > 0) metrics.followerFetchesWithRecords++;
    for (const quota of quotas) quota.record(result.records.length);
    if (quotas.length > 0 && result.records.length > 0) entry.throttledFetch = ++this.#throttledFetches;
    replica.appendAsFollower(result.records, result.highWatermark, result.logStartOffset);
    // Progress also counts when nothing new arrived but our log end moved since the leader last heard.
    return replica.log.logEndOffset > before;
  }

  /**
   * The quotas bounding this fetch (KIP-73): only for a replica outside the ISR, the leader's when the
   * topic's leader.replication.throttled.replicas names the partition on the leader, this broker's when
   * follower.replication.throttled.replicas names it here, and only those with a bounded rate.
   */
  #throttles(replica: PartitionReplica, meta: PartitionMetadata, leader: LeaderEndPoint): ReplicationQuota[] {
    if (meta.isr.includes(this.#broker.id)) return [];
    const quotas: ReplicationQuota[] = [];
    const configs = replica.log.config.raw;
    if (leader.quotas.leader.bounded && throttledReplica(configs['leader.replication.throttled.replicas'], replica.partition, meta.leader))
      quotas.push(leader.quotas.leader);
    if (this.#broker.quotas.follower.bounded && throttledReplica(configs['follower.replication.throttled.replicas'], replica.partition, this.#broker.id))
      quotas.push(this.#broker.quotas.follower);
    return quotas;
  }

  /**
   * Stops following a leader that lacks records this follower knows are committed (it would have the
   * follower truncate them, or hand it different records at their offsets) until the next election:
   * the records stay here. The controller elects no such leader; this guards against one anyway.
   */
  #refuse(entry: Followed, leaderEpoch: number, leaderId: number): false {
    const { replica } = entry;
    entry.refusedEpoch = leaderEpoch;
    this.#logger.error('not following a leader that lacks committed records: keeping them, fetching nothing until the next election', {
      topic: replica.topic,
      partition: replica.partition,
      leader: leaderId,
      leaderEpoch,
      leaderLogEnd: this.#peer(leaderId)?.replica(replica.topic, replica.partition)?.log.logEndOffset,
      committedHere: replica.committedOffset,
    });
    return false;
  }

  /**
   * On a new leader epoch, before fetching: checks that the leader holds every record this follower
   * knows committed, then truncates what diverges (truncateDivergent). Below the committed offset only
   * when `acceptLoss` (see acceptsLoss). False when refused.
   */
  #reconcile(replica: PartitionReplica, leader: PartitionReplica, acceptLoss: boolean): boolean {
    if (leader.log.logEndOffset < replica.committedOffset) {
      if (!acceptLoss) return false;
      this.#logger.warn('following an uncleanly elected leader that lacks committed records: they are lost', {
        topic: replica.topic,
        partition: replica.partition,
        leaderLogEnd: leader.log.logEndOffset,
        committedHere: replica.committedOffset,
      });
      replica.log.acceptLostCommitted();
    }
    return this.#truncateDivergent(replica, leader, acceptLoss);
  }

  /**
   * KIP-101/279: ask the leader where our latest epoch ends in its log, and drop what we hold beyond
   * that point (records a former leader appended but never committed). False when that would drop
   * committed records and `acceptLoss` is not set.
   */
  #truncateDivergent(replica: PartitionReplica, leader: PartitionReplica, acceptLoss: boolean): boolean {
    const ourEpoch = replica.log.latestEpoch();
    if (ourEpoch < 0) {
      // No epoch history: keep only what is known committed.
      return replica.log.logEndOffset <= replica.highWatermark || replica.truncateTo(replica.highWatermark, acceptLoss);
    }
    const { epoch, endOffset } = leader.log.endOffsetForEpoch(ourEpoch);
    if (endOffset < 0) return replica.truncateTo(replica.highWatermark, acceptLoss);
    const target = epoch < ourEpoch ? Math.min(endOffset, replica.log.endOffsetForEpoch(epoch).endOffset) : endOffset;
    if (target >= replica.log.logEndOffset) return true;
    const committed = replica.committedOffset;
    if (!replica.truncateTo(target, acceptLoss)) return false;
    if (target < committed) {
      this.#logger.warn('dropped committed records the uncleanly elected leader does not have', {
        topic: replica.topic,
        partition: replica.partition,
        offsets: `${target}..${committed - 1}`,
      });
    }
    this.#logger.info('truncated divergent records', { topic: replica.topic, partition: replica.partition, to: target });
    return true;
  }
}

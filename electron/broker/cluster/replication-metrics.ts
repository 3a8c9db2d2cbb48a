/**
 * Counters of the produce-replicate-fetch path, for the whole process (every broker of the embedded
 * cluster together). `npm run cluster` prints them on its `stats` command and the latency bench
 * reports them per run: on a shared machine timings are noisy, while counts such as follower fetches
 * per acks=all request show the mechanism behind a latency figure. Plain increments, nothing else.
 */
export interface ReplicationMetrics {
  /** Produce requests (partitions) appended by a leader. */
  leaderAppends: number;
  /** Of those, acks=all appends that had to wait for followers. */
  leaderAppendsWaiting: number;
  /** High watermark advances on leaders. */
  highWatermarkAdvances: number;
  /** Rounds of the replica fetchers' loops (each round fetches every partition that is due). */
  fetcherRounds: number;
  /** Fetches of one partition by a follower from its leader. */
  followerFetches: number;
  /** Of those, the fetches that brought records. */
  followerFetchesWithRecords: number;
  /** Times a leader's news woke an idle replica fetcher. */
  fetcherWakeups: number;
  /** Fetch requests (consumers': the embedded followers fetch in process) that waited for data (long poll). */
  fetchLongPolls: number;
  /** Re-reads of waiting fetch requests on a partition's news. */
  fetchLongPollWakeups: number;
  /** Follower fetches skipped because a replication quota was used up (KIP-73 throttles). */
  throttledFetchesSkipped: number;
}

export const replicationMetrics: ReplicationMetrics = {
  leaderAppends: 0,
  leaderAppendsWaiting: 0,
  highWatermarkAdvances: 0,
  fetcherRounds: 0,
  followerFetches: 0,
  followerFetchesWithRecords: 0,
  fetcherWakeups: 0,
  fetchLongPolls: 0,
  fetchLongPollWakeups: 0,
  throttledFetchesSkipped: 0,
};

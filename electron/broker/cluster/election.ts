/**
 * Leader election: Kafka's rules (the first live in-sync replica in assignment order; an out-of-sync
 * one only with unclean.leader.election.enable), plus what the replicas' logs say about themselves, as
 * KIP-966 (eligible leader replicas, unclean recovery) asks each replica for its log end and epoch.
 *
 * A replica whose log ends below the high watermark it had checkpointed lost committed records (a torn
 * or cut segment, a lost file). Kafka would elect it when it is the last in-sync replica standing, and
 * the followers would then truncate the very records it lost: acknowledged records gone everywhere.
 * Here such a replica does not lead while another replica may still hold those records:
 *   1. the first live, intact in-sync replica leads (replicas that lost records leave the ISR);
 *   2. while an in-sync replica is not live yet, the partition waits for it (offline);
 *   3. when every in-sync replica is live and lost records, a replica outside the ISR that holds them
 *      all leads (its own high watermark covers them, or its log reaches past them with the same
 *      leader epoch at the last one, which by the log matching of KIP-101/279 makes them the same
 *      records); until such a replica is found, the partition waits for the others to come up;
 *   4. otherwise only an unclean election is left: refused unless unclean.leader.election.enable,
 *      and then the replica with the longest log (latest epoch, then log end) leads, as KIP-966's
 *      unclean recovery picks.
 * A replica whose whole log directory vanished while its broker was down (`lostLog`) counts as one that
 * lost committed records, how many unknown: it is passed over and leaves the ISR as in 1 and 2, and
 * when every in-sync replica is in that state no other replica can be shown to hold what they lost, so
 * step 3 finds none and only an unclean election remains.
 *
 * Eligible leader replicas (KIP-966 part 1, eligible.leader.replicas.version=1): the controller lets
 * the ISR become empty and keeps the replicas that left it below min.insync.replicas as the ELR. They
 * hold every committed record (the high watermark does not advance under min ISR), so when the ISR is
 * empty the ELR takes its place in the steps above (Kafka's PartitionChangeBuilder.isValidNewLeader: in
 * the ISR, or in the ELR while the ISR is empty), and when both are empty the last known leader does
 * (canElectLastKnownLeader: the last in-sync replica, as before ELR). Such a leader's ISR is itself;
 * an unclean election is tried only after them.
 */

/** What one replica's log says about itself (KIP-966's GetReplicaLogInfo, asked in process). */
export interface ReplicaLogInfo {
  logEndOffset: number;
  /** The highest offset it knows to be committed: its high watermark, or what it lost up to. */
  committedOffset: number;
  /** Committed records its log no longer holds, and the leader epoch of the last one; null when intact. */
  missing: { from: number; to: number; epoch: number } | null;
  /** The latest leader epoch in its log (-1 when empty). */
  latestEpoch: number;
  /** The leader epoch of the record at `offset` in its log, -1 when it does not hold it. */
  epochAt(offset: number): number;
  /** Its log cannot be opened or written (a storage failure); null when fine. */
  storageError: string | null;
  /**
   * Its log directory vanished while its broker was down (LogManager.lostLog): it may have held committed
   * records, how many is unknown, so no replica can be shown to hold all it lost.
   */
  lostLog?: boolean;
}

/** Whose members may lead cleanly: the ISR; with it empty, the ELR; with both empty, the last known leader (KIP-966). */
export type CandidateSource = 'isr' | 'elr' | 'last-known-leader';

export interface ElectionInput {
  /** Assigned replicas, preferred first. */
  replicas: readonly number[];
  isr: readonly number[];
  /** Eligible leader replicas (KIP-966), candidates when the ISR is empty; absent or empty without ELR. */
  elr?: readonly number[];
  /** The last known leader (KIP-966's LastKnownElr), the candidate when the ISR and ELR are empty. */
  lastKnownLeader?: readonly number[];
  isLive: (brokerId: number) => boolean;
  /** The log of a live broker's replica; null when unknown (treated as an empty, intact log). */
  replicaLog: (brokerId: number) => ReplicaLogInfo | null;
  uncleanAllowed: boolean;
}

export type ElectionResult =
  | {
      leader: number;
      isr: number[];
      /** clean: from the ISR; recovered: from outside the ISR, holding every committed record; unclean: records lost. */
      kind: 'clean' | 'recovered' | 'unclean';
      /** In-sync replicas that lost committed records (left out of the new ISR). */
      damaged: DamagedReplica[];
      /** Where a clean leader came from: outside the ISR (which was empty), its new ISR is the leader alone. */
      source?: CandidateSource;
    }
  | {
      kind: 'none';
      leader: -1;
      /** Why no replica may lead, for the log. */
      reason: string;
      /** Replicas whose coming up may change that. */
      waitingFor: number[];
      damaged: DamagedReplica[];
    };

/** An in-sync replica that lost committed records: offsets from..to-1, or its whole log (`lostLog`, extent unknown). */
export interface DamagedReplica {
  brokerId: number;
  from: number;
  to: number;
  lostLog?: boolean;
}

/** Whether the replica's log holds every record below `to`, the last of which has `epoch`. */
function holds(log: ReplicaLogInfo, to: number, epoch: number): boolean {
  if (log.missing !== null || log.storageError !== null || log.lostLog === true) return false;
  if (log.committedOffset >= to) return true;
  return log.logEndOffset >= to && epoch >= 0 && log.epochAt(to - 1) === epoch;
}

export function electLeader(input: ElectionInput): ElectionResult {
  const { replicas, isLive } = input;
  // With the ISR empty, the eligible leader replicas stand in for it, then the last known leader (KIP-966).
  const source: CandidateSource =
    input.isr.length > 0 ? 'isr' : (input.elr?.length ?? 0) > 0 ? 'elr' : (input.lastKnownLeader?.length ?? 0) > 0 ? 'last-known-leader' : 'isr';
  const candidates = source === 'elr' ? input.elr! : source === 'last-known-leader' ? input.lastKnownLeader! : input.isr;
  const inIsr = (id: number) => candidates.includes(id);
  const logs = new Map<number, ReplicaLogInfo | null>();
  const logOf = (id: number) => {
    if (!logs.has(id)) logs.set(id, isLive(id) ? input.replicaLog(id) : null);
    return logs.get(id) ?? null;
  };
  const usable = (id: number) => isLive(id) && logOf(id)?.storageError == null;
  const lost = (id: number) => logOf(id)?.missing != null || logOf(id)?.lostLog === true;
  const damagedIsr = replicas.filter((id) => inIsr(id) && usable(id) && lost(id));
  const damaged = damagedIsr.map((id): DamagedReplica => {
    const missing = logOf(id)!.missing;
    return missing ? { brokerId: id, from: missing.from, to: missing.to } : { brokerId: id, from: 0, to: 0, lostLog: true };
  });

  // 1. Kafka's clean election, skipping replicas that lost committed records.
  const clean = replicas.find((id) => inIsr(id) && usable(id) && !lost(id));
  if (clean !== undefined) {
    if (source !== 'isr') return { leader: clean, isr: [clean], kind: 'clean', damaged, source };
    const isr = replicas.filter((id) => inIsr(id) && !damagedIsr.includes(id));
    return { leader: clean, isr, kind: 'clean', damaged };
  }

  const pendingIsr = replicas.filter((id) => inIsr(id) && !usable(id));
  // (A lost log's extent is unknown: no replica can be shown to hold it.)
  if (damagedIsr.length > 0 && pendingIsr.length === 0 && damaged.every((d) => !d.lostLog)) {
    // 3. Every in-sync replica is here and lost records: one outside the ISR may still hold them all.
    let to = -1;
    let epoch = -1;
    for (const id of damagedIsr) {
      const missing = logOf(id)!.missing!;
      if (missing.to > to) ({ to, epoch } = missing);
    }
    const holder = replicas.find((id) => !inIsr(id) && usable(id) && holds(logOf(id) ?? emptyLog, to, epoch));
    if (holder !== undefined) return { leader: holder, isr: [holder], kind: 'recovered', damaged };
  }

  if (!input.uncleanAllowed) {
    // 2. Wait for in-sync replicas still to come; with none left, for any replica that may hold the records.
    const waitingFor = pendingIsr.length > 0 ? pendingIsr : damagedIsr.length > 0 ? replicas.filter((id) => !usable(id)) : [];
    const reason =
      damagedIsr.length === 0
        ? source === 'elr'
          ? `the ISR is empty and no eligible leader replica is live (eligible: ${candidates.join(', ')})`
          : source === 'last-known-leader'
            ? `the ISR and the eligible leader replicas are empty; waiting for the last known leader ${candidates.join(', ')}`
            : `no in-sync replica is live (in-sync: ${input.isr.join(', ') || 'none'})`
        : pendingIsr.length > 0
          ? `in-sync replica(s) ${damagedIsr.join(', ')} lost committed records; waiting for in-sync replica(s) ${pendingIsr.join(', ')}`
          : waitingFor.length > 0
            ? `every in-sync replica lost committed records and no live replica holds them; waiting for replica(s) ${waitingFor.join(', ')}`
            : 'every in-sync replica lost committed records and no replica holds them; an unclean election (unclean.leader.election.enable=true) would accept losing them';
    return { kind: 'none', leader: -1, reason, waitingFor, damaged };
  }

  // 4. Unclean: the longest log among the live replicas leads.
  let best = -1;
  let bestLog: ReplicaLogInfo = emptyLog;
  for (const id of replicas) {
    if (!usable(id)) continue;
    const log = logOf(id) ?? emptyLog;
    if (best === -1 || log.latestEpoch > bestLog.latestEpoch || (log.latestEpoch === bestLog.latestEpoch && log.logEndOffset > bestLog.logEndOffset)) {
      best = id;
      bestLog = log;
    }
  }
  if (best === -1) return { kind: 'none', leader: -1, reason: 'no replica is live', waitingFor: replicas.filter((id) => !isLive(id)), damaged };
  return { leader: best, isr: [best], kind: 'unclean', damaged };
}

const emptyLog: ReplicaLogInfo = {
  logEndOffset: 0,
  committedOffset: 0,
  missing: null,
  latestEpoch: -1,
  epochAt: () => -1,
  storageError: null,
};

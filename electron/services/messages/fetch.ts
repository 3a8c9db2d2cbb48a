// Low-level reads for the message browser: Fetch v12 sent on the Kafka client's own connections
// (@platformatic/kafka's createAPI and connection pool, so SASL and TLS work as for every other
// request), answering each partition's records as raw bytes. The batches are decoded here, keeping
// what the client's own parser drops or hides: the batch's compression, producer id and epoch, base
// sequence, transactional and control flags, and each record's size. No consumer group is involved.
import type { Admin, Connection } from '@platformatic/kafka';
import type { UnreadableBatch } from '../../../shared/model/messages';
import { ProtocolDecodeError } from '../../kafka/protocol/errors';
import {
  Fetch,
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  type FetchRequest,
} from '../../kafka/protocol/generated/index';
import { Reader } from '../../kafka/protocol/reader';
import { BATCH_HEADER_SIZE, BatchAttributes, LOG_OVERHEAD, MAGIC_OFFSET, isEmptyStandIn, readHeaderFields } from '../../kafka/records/batch-header';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, initCompression } from '../../kafka/records/compression';
import { ChecksumMismatchError, DecompressionError, DecompressionLimitError } from '../../kafka/records/errors';
import { RecordFramingError, readableBatch } from '../../kafka/records/record-walk';
import { AppError } from '../../core/errors';
import { readWatermarks } from '../cluster/offsets';
import { listOffsets, readMetadata, type ClusterSnapshot } from '../cluster/read';
import { negotiateVersion, send, UnsupportedApiError } from '../cluster/wire';

export interface RawHeader {
  key: string;
  value: Buffer | null;
}

/**
 * One record as read, with its batch's metadata. Only positions are decoded up front: the key, value
 * and headers are views into the batch's bytes made when first asked for, so a scan over a million
 * records allocates one small object per record and filters can search the bytes in place.
 */
export class RawRecord {
  #headers: RawHeader[] | null = null;
  /** A transaction marker (control record), when the browser was asked to show them. */
  control: ControlMark | null = null;
  /** For records of transactional batches: how their transaction ended, as far as the browser knows. */
  transaction: TransactionMark | null = null;

  constructor(
    readonly partition: number,
    readonly offset: number,
    readonly timestamp: number,
    readonly logAppendTime: boolean,
    /** Bytes of the record in its batch, its length varint included. */
    readonly size: number,
    readonly batch: RawBatchInfo,
    readonly offsetDelta: number,
    /** The (decompressed) bytes holding the record. */
    readonly body: Buffer,
    readonly keyStart: number,
    /** -1: null. */
    readonly keyLength: number,
    readonly valueStart: number,
    /** -1: null. */
    readonly valueLength: number,
    readonly headersStart: number,
    readonly headerCount: number,
  ) {}

  get key(): Buffer | null {
    return this.keyLength < 0 ? null : this.body.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  get value(): Buffer | null {
    return this.valueLength < 0 ? null : this.body.subarray(this.valueStart, this.valueStart + this.valueLength);
  }

  get headers(): RawHeader[] {
    if (this.#headers) return this.#headers;
    const headers: RawHeader[] = [];
    // The batch was checked whole (readableBatch) before this record was made: its lengths hold.
    const reader = new Reader(this.body, this.headersStart);
    for (let h = 0; h < this.headerCount; h++) {
      const key = reader.readRaw(Math.max(0, reader.readVarInt())).toString('utf8');
      const valueLength = reader.readVarInt();
      headers.push({ key, value: valueLength < 0 ? null : reader.readRaw(valueLength) });
    }
    this.#headers = headers;
    return headers;
  }
}

export interface RawBatchInfo {
  baseOffset: number;
  compression: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

/** What a reader reads (KIP-98): every record, or what a read_committed consumer sees. */
export type Isolation = 'read_uncommitted' | 'read_committed';

/** A transaction marker: the control record a coordinator writes to each partition at commit or abort. */
export interface ControlMark {
  type: 'commit' | 'abort';
  coordinatorEpoch: number;
}

/**
 * The outcome of a transactional record's transaction: committed or aborted (the marker's offset when
 * the browser saw it), open (no marker up to the high watermark), or unknown (its marker lies further
 * than the browser looked ahead).
 */
export interface TransactionMark {
  state: 'committed' | 'aborted' | 'open' | 'unknown';
  markerOffset: number | null;
}

/** A transaction marker as met in a partition's log. */
export interface TxnMarker {
  offset: number;
  producerId: number;
  committed: boolean;
}

/** An aborted transaction a read_committed Fetch answer lists (its producer and first offset). */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface PartitionFetch {
  partition: number;
  offset: number;
  maxBytes: number;
}

export interface PartitionData {
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  /** Records at or after the requested offset, in offset order (control records left out). */
  records: RawRecord[];
  /** Where the next fetch continues: after the last complete batch, or the requested offset. */
  nextOffset: number;
  /** Batches that could not be read, left out (the records around them are in `records`). */
  unreadable: UnreadableBatch[];
  /** The last stable offset the leader answered (the high watermark when no transaction is open). */
  lastStableOffset: number;
  /** Transaction markers in what was read. */
  markers: TxnMarker[];
}

// ---------------------------------------------------------------------------------------------------
// Fetch v4 to v12 with the generated codec: topic names (v13+ use topic ids). The newest version the
// cluster speaks is used; v4 (Kafka 0.11) is the first whose answers carry record batches (magic 2), so
// every cluster from 0.11 on can be browsed. The fields read here exist in every one of them.

/** The newest Fetch version the browser speaks: the last one that names topics (v13 moved to topic ids). */
const FETCH_VERSION = 12;
/** The oldest: record batches (KIP-98), Kafka 0.11. */
const OLDEST_FETCH_VERSION = 4;

function fetchRequest(maxWaitMs: number, minBytes: number, maxBytes: number, topic: string, partitions: PartitionFetch[], isolation: Isolation): FetchRequest {
  return {
    ...createFetchRequest(), // replica -1 (a consumer), no fetch session (id 0, epoch -1: a full, sessionless fetch)
    maxWaitMs,
    minBytes,
    maxBytes,
    // read_uncommitted shows every record, as kcat does; read_committed only up to the last stable
    // offset, with the aborted transactions listed so their records can be left out.
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    topics: [
      {
        ...createFetchRequestFetchTopic(),
        topic,
        partitions: partitions.map((p) => ({
          ...createFetchRequestFetchPartition(), // leader epochs unknown (-1), log start offset -1 (followers only)
          partition: p.partition,
          fetchOffset: BigInt(p.offset),
          partitionMaxBytes: p.maxBytes,
        })),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// Record batches

const compressionReady = initCompression();

export interface DecodeOptions {
  /**
   * read_committed: the aborted transactions the Fetch answer listed. Their batches are left out as
   * Kafka's consumer leaves them out (a producer's batches from an aborted transaction's first offset
   * up to its ABORT marker).
   */
  aborted?: readonly AbortedTransaction[] | undefined;
  /** Keep transaction markers (control records) among the records. */
  keepControl?: boolean | undefined;
}

/**
 * Decodes every complete batch of a Fetch response's records field. Records below `fromOffset`
 * (a batch starts before the offset asked for) are left out, and so are control records unless asked
 * for; the transaction markers met are returned apart. A batch that cannot be read — its CRC, its
 * compressed data, its records not adding up, or the empty stand-in the embedded broker serves for
 * such a batch on its disk — is reported in `unreadable` with its offsets and left out; the batches
 * around it are decoded as usual.
 */
export function decodeRecordsField(
  partition: number,
  data: Buffer,
  fromOffset: number,
  options: DecodeOptions = {},
): { records: RawRecord[]; nextOffset: number; unreadable: UnreadableBatch[]; markers: TxnMarker[] } {
  const records: RawRecord[] = [];
  const unreadable: UnreadableBatch[] = [];
  const markers: TxnMarker[] = [];
  // read_committed: the aborted transactions by first offset, and the producers inside one right now.
  const aborted = options.aborted ? [...options.aborted].sort((a, b) => a.firstOffset - b.firstOffset) : null;
  let nextAborted = 0;
  const abortedProducers = new Set<number>();
  let nextOffset = fromOffset;
  let at = 0;
  while (data.length - at >= BATCH_HEADER_SIZE) {
    const size = data.readInt32BE(at + 8) + LOG_OVERHEAD;
    if (size > data.length - at) break; // a trailing partial batch
    const magic = data.readInt8(at + MAGIC_OFFSET);
    if (magic !== 2)
      throw new AppError('kafka', `Partition ${partition} holds records in the old message format (magic ${magic}), which the browser does not read.`);
    if (size < BATCH_HEADER_SIZE) {
      // A length that cannot be: nothing after it can be found either.
      unreadable.push({
        partition,
        baseOffset: Number(data.readBigInt64BE(at)),
        lastOffset: Number(data.readBigInt64BE(at)),
        reason: `its length field says ${size} bytes, less than a batch header`,
      });
      break;
    }
    const header = readHeaderFields(data, at);
    const batchEnd = header.baseOffset + header.lastOffsetDelta + 1;
    if (batchEnd > nextOffset) nextOffset = batchEnd;
    const attributes = header.attributes;
    const isControl = (attributes & BatchAttributes.Control) !== 0;
    const transactional = (attributes & BatchAttributes.Transactional) !== 0;
    if (batchEnd <= fromOffset) {
      at += size;
      continue;
    }
    if (!isControl && isEmptyStandIn(header)) {
      unreadable.push({
        partition,
        baseOffset: header.baseOffset,
        lastOffset: batchEnd - 1,
        reason: 'the broker holds a batch here that it cannot read (its log says why)',
      });
      at += size;
      continue;
    }
    if (aborted && header.producerId >= 0) {
      // Kafka's consumer (CompletedFetch): transactions that began by this batch's last offset are open
      // for their producer until its ABORT marker; transactional batches inside one are skipped.
      while (nextAborted < aborted.length && aborted[nextAborted]!.firstOffset <= batchEnd - 1) abortedProducers.add(aborted[nextAborted++]!.producerId);
      if (!isControl && transactional && abortedProducers.has(header.producerId)) {
        at += size;
        continue;
      }
    }
    let readable: ReturnType<typeof readableBatch>;
    try {
      // CRC, bounded decompression and every record's framing checked before any length is trusted.
      readable = readableBatch(data, at, DEFAULT_MAX_DECOMPRESSED_BYTES);
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError)) throw error;
      unreadable.push({ partition, baseOffset: header.baseOffset, lastOffset: batchEnd - 1, reason: unreadableReason(error) });
      at += size;
      continue;
    }
    const body = readable.body;
    // readableBatch walked every record's framing: the lengths below hold, so skips need no checks.
    const reader = new Reader(body, readable.start, readable.end);
    const codec = attributes & BatchAttributes.CompressionMask;
    const logAppendTime = (attributes & BatchAttributes.TimestampTypeLogAppend) !== 0;
    const batch: RawBatchInfo = {
      baseOffset: header.baseOffset,
      compression: codec,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      transactional,
    };
    for (let i = 0; i < header.recordCount; i++) {
      const recordStart = reader.offset;
      const length = reader.readVarInt();
      const recordEnd = reader.offset + length;
      reader.offset += 1; // record attributes, unused
      const timestampDelta = reader.readVarLongNumber();
      const offsetDelta = reader.readVarInt();
      const offset = header.baseOffset + offsetDelta;
      if (offset < fromOffset) {
        reader.offset = recordEnd;
        continue;
      }
      const keyLength = reader.readVarInt();
      const keyStart = reader.offset;
      if (keyLength > 0) reader.offset += keyLength;
      const valueLength = reader.readVarInt();
      const valueStart = reader.offset;
      if (valueLength > 0) reader.offset += valueLength;
      const headerCount = reader.readVarInt();
      const record = new RawRecord(
        partition,
        offset,
        logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
        logAppendTime,
        recordEnd - recordStart,
        batch,
        offsetDelta,
        body,
        keyStart,
        keyLength,
        valueStart,
        valueLength,
        reader.offset,
        headerCount,
      );
      reader.offset = recordEnd;
      if (!isControl) {
        records.push(record);
        continue;
      }
      const mark = controlMark(record);
      if (!mark) continue; // a control record that is not a transaction marker (none exists yet)
      markers.push({ offset, producerId: header.producerId, committed: mark.type === 'commit' });
      if (mark.type === 'abort') abortedProducers.delete(header.producerId);
      if (options.keepControl) {
        record.control = mark;
        records.push(record);
      }
    }
    at += size;
  }
  return { records, nextOffset, unreadable, markers };
}

/** A control record's transaction marker: key version INT16 and type INT16 (0 ABORT, 1 COMMIT), value version INT16 and coordinator epoch INT32. */
function controlMark(record: RawRecord): ControlMark | null {
  const key = record.key;
  const value = record.value;
  if (!key || key.length < 4) return null;
  const type = key.readInt16BE(2);
  if (type !== 0 && type !== 1) return null;
  return { type: type === 1 ? 'commit' : 'abort', coordinatorEpoch: value && value.length >= 6 ? value.readInt32BE(2) : -1 };
}

/**
 * Marks each record of a transactional batch with the outcome of its transaction: the first marker of
 * its producer after it. Records and markers are in offset order. Answers the producers whose records
 * found no marker here.
 */
export function markTransactions(records: readonly RawRecord[], markers: readonly TxnMarker[]): Set<number> {
  const byProducer = new Map<number, TxnMarker[]>();
  for (const marker of markers) {
    const list = byProducer.get(marker.producerId);
    if (list) list.push(marker);
    else byProducer.set(marker.producerId, [marker]);
  }
  const cursor = new Map<number, number>();
  const unresolved = new Set<number>();
  for (const record of records) {
    if (!record.batch.transactional || record.control || record.transaction) continue;
    const producerId = record.batch.producerId;
    const list = byProducer.get(producerId) ?? [];
    let index = cursor.get(producerId) ?? 0;
    while (index < list.length && list[index]!.offset < record.offset) index++;
    cursor.set(producerId, index);
    const marker = list[index];
    if (marker) record.transaction = { state: marker.committed ? 'committed' : 'aborted', markerOffset: marker.offset };
    else unresolved.add(producerId);
  }
  return unresolved;
}

/** How far past a chunk the browser reads for the markers of transactions still undecided in it. */
const LOOKAHEAD_ROUNDS = 8;
const LOOKAHEAD_BYTES = 1024 * 1024;

/** Why a batch cannot be read, in words for the page. */
function unreadableReason(error: ProtocolDecodeError): string {
  const what = error.message.replace(/ \(at byte \d+\)$/, '');
  if (error instanceof ChecksumMismatchError) return `it fails its CRC check (${what})`;
  if (error instanceof DecompressionLimitError) return `its compressed data would inflate past the browser's limit (${what})`;
  if (error instanceof DecompressionError) return `its compressed data cannot be decompressed (${what})`;
  if (error instanceof RecordFramingError) return `its records do not add up (${what})`;
  return what;
}

// ---------------------------------------------------------------------------------------------------
// The reader of one topic

export interface Watermarks {
  low: number;
  high: number;
}

interface PartitionLayout {
  /** -1 when the partition is offline (no leader, or a leader the cluster does not list as live). */
  leader: number;
}

/** Unreadable batches a reader remembers at most (a page shows them; a log full of them needs one line). */
const MAX_UNREADABLE = 1000;

const ErrorCodes = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
} as const;

const RETRIABLE = new Set<number>([
  ErrorCodes.LEADER_NOT_AVAILABLE,
  ErrorCodes.NOT_LEADER_OR_FOLLOWER,
  ErrorCodes.FENCED_LEADER_EPOCH,
  ErrorCodes.UNKNOWN_LEADER_EPOCH,
  ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
]);

export interface ReaderOptions {
  /** read_committed reads up to the last stable offset and leaves aborted transactions out. */
  isolation?: Isolation | undefined;
  /** Keep transaction markers (control records) among the records read. */
  showControl?: boolean | undefined;
}

/** Reads one topic's partitions: layout, watermarks, offsets by time, raw fetches. */
export class TopicReader {
  readonly #client: Admin;
  readonly topic: string;
  /** Unreadable batches met by this reader's fetches, by partition and base offset. */
  readonly #unreadable = new Map<string, UnreadableBatch>();
  #layout: PartitionLayout[] = [];
  #snapshot: ClusterSnapshot | null = null;
  #refreshedAt = 0;
  /** The Fetch version negotiated with the cluster, once asked. */
  #version: number | null = null;
  readonly isolation: Isolation;
  readonly #keepControl: boolean;

  private constructor(client: Admin, topic: string, options: ReaderOptions) {
    this.#client = client;
    this.topic = topic;
    this.isolation = options.isolation ?? 'read_uncommitted';
    this.#keepControl = options.showControl ?? false;
  }

  static async open(client: Admin, topic: string, options: ReaderOptions = {}): Promise<TopicReader> {
    const reader = new TopicReader(client, topic, options);
    await Promise.all([reader.refresh(), compressionReady]);
    return reader;
  }

  /**
   * The unreadable batches this reader's fetches went past, by partition and offset; with `within`,
   * only those overlapping the given offset range of their partition.
   */
  unreadable(within?: (partition: number) => { from: number; to: number } | undefined): UnreadableBatch[] {
    const all = [...this.#unreadable.values()].sort((a, b) => a.partition - b.partition || a.baseOffset - b.baseOffset);
    if (!within) return all;
    return all.filter((batch) => {
      const range = within(batch.partition);
      return range !== undefined && batch.lastOffset >= range.from && batch.baseOffset < range.to;
    });
  }

  get partitionCount(): number {
    return this.#layout.length;
  }

  /** Re-reads the topic's layout. Metadata is read tolerantly: offline partitions are layout too. */
  async refresh(): Promise<void> {
    const snapshot = await readMetadata(this.#client, [this.topic]);
    const topic = snapshot.topics.get(this.topic);
    if (!topic || !topic.partitions.length) throw new AppError('not-found', `The topic "${this.topic}" does not exist on this cluster.`);
    if (topic.error === 'TOPIC_AUTHORIZATION_FAILED') throw new AppError('kafka', `This user is not allowed to read the topic "${this.topic}".`);
    const layout: PartitionLayout[] = [];
    for (const partition of topic.partitions) {
      layout[partition.partition] = { leader: partition.leader >= 0 && snapshot.brokers.has(partition.leader) ? partition.leader : -1 };
    }
    for (let index = 0; index < layout.length; index += 1) layout[index] ??= { leader: -1 };
    this.#layout = layout;
    this.#snapshot = snapshot;
    this.#refreshedAt = Date.now();
  }

  /** Refreshes the layout if it is older than `maxAgeMs` (a tail watching offline partitions come back). */
  async refreshIfOlder(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.#refreshedAt >= maxAgeMs) await this.refresh();
  }

  /** The given partitions that have no leader right now. */
  offline(partitions: number[]): number[] {
    return partitions.filter((partition) => (this.#layout[partition]?.leader ?? -1) < 0);
  }

  checkPartitions(partitions: number[] | null): number[] {
    if (partitions === null || partitions.length === 0) return this.#layout.map((_, index) => index);
    const unique = [...new Set(partitions)].sort((a, b) => a - b);
    const missing = unique.filter((partition) => partition >= this.#layout.length);
    if (missing.length) {
      throw new AppError('invalid-request', `Partition ${missing.join(', ')} does not exist: "${this.topic}" has partitions 0 to ${this.#layout.length - 1}.`);
    }
    return unique;
  }

  /** Offsets per partition, one request per leader; partitions that could not be read get a reason. */
  async #listOffsets(partitions: number[], timestamp: bigint): Promise<{ offsets: Map<number, number>; failed: Map<number, string> }> {
    const offsets = new Map<number, number>();
    const failed = new Map<number, string>();
    if (!partitions.length) return { offsets, failed };
    if (!this.#snapshot) await this.refresh();
    const results = await listOffsets(this.#client, this.#snapshot as ClusterSnapshot, new Map([[this.topic, partitions]]), timestamp);
    for (const partition of partitions) {
      const offset = results.get(this.topic, partition);
      if (offset !== undefined) offsets.set(partition, offset);
      else failed.set(partition, results.error(this.topic, partition) ?? 'no answer');
    }
    return { offsets, failed };
  }

  /** Low and high watermarks of the partitions that could be read, and why the others could not. */
  async readableWatermarks(partitions: number[]): Promise<{ watermarks: Map<number, Watermarks>; failed: Map<number, string> }> {
    const watermarks = new Map<number, Watermarks>();
    const failed = new Map<number, string>();
    if (!partitions.length) return { watermarks, failed };
    if (!this.#snapshot) await this.refresh();
    // read_committed: `high` is the last stable offset, where a read_committed consumer stops.
    const results = await readWatermarks(
      this.#client,
      this.#snapshot as ClusterSnapshot,
      new Map([[this.topic, partitions]]),
      this.isolation === 'read_committed' ? 1 : 0,
    );
    for (const partition of partitions) {
      const marks = results.get(this.topic, partition);
      if (marks?.low != null && marks.high != null) watermarks.set(partition, { low: marks.low, high: marks.high });
      else failed.set(partition, results.error(this.topic, partition) ?? 'no answer');
    }
    return { watermarks, failed };
  }

  /** Watermarks of every given partition; fails, naming the partitions and why, if any cannot be read. */
  async watermarks(partitions: number[]): Promise<Map<number, Watermarks>> {
    const { watermarks, failed } = await this.readableWatermarks(partitions);
    if (failed.size) throw unreadable(this.topic, failed);
    return watermarks;
  }

  /** The high watermarks of the partitions that could be read (whatever the isolation: a read_committed reader's `high` is its last stable offset). */
  async highWatermarks(partitions: number[]): Promise<Map<number, number>> {
    return (await this.#listOffsets(partitions, -1n)).offsets;
  }

  /** The first offset whose timestamp is at or after `timestamp`; null where no record is that new. */
  async offsetsForTime(partitions: number[], timestamp: number): Promise<Map<number, number | null>> {
    const { offsets, failed } = await this.#listOffsets(partitions, BigInt(timestamp));
    if (failed.size) throw unreadable(this.topic, failed);
    return new Map(
      partitions.map((partition) => {
        const offset = offsets.get(partition);
        return [partition, offset === undefined || offset < 0 ? null : offset];
      }),
    );
  }

  async #ensureVersion(): Promise<void> {
    if (this.#version !== null) return;
    let version: number;
    try {
      version = await negotiateVersion(this.#client, Fetch, FETCH_VERSION);
    } catch (error) {
      if (!(error instanceof UnsupportedApiError)) throw error;
      version = -1;
    }
    if (version < OLDEST_FETCH_VERSION) {
      throw new AppError('kafka', 'This cluster is too old for the message browser: it needs Fetch v4 (Apache Kafka 0.11 or later).');
    }
    this.#version = version;
  }

  /**
   * Fetches several partitions, one request per leader, and decodes what comes back. Partitions whose
   * leader moved are retried after a metadata refresh; an offset below the log start restarts there.
   */
  async fetch(
    requests: PartitionFetch[],
    options: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; skipUnavailable?: boolean; lookAhead?: boolean } = {},
  ): Promise<PartitionData[]> {
    await this.#ensureVersion();
    const results: PartitionData[] = [];
    let pending = requests;
    for (let attempt = 0; pending.length && attempt < 4; attempt++) {
      if (attempt > 0) {
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        await this.refresh();
      }
      const byLeader = new Map<number, PartitionFetch[]>();
      for (const request of pending) {
        const leader = this.#layout[request.partition]?.leader ?? -1;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), request]);
      }
      const retry: PartitionFetch[] = [];
      await Promise.all(
        [...byLeader].map(async ([leader, group]) => {
          if (leader < 0) {
            // Offline: a caller that reads what it can (the live tail) does not wait for it.
            if (!options.skipUnavailable) retry.push(...group);
            return;
          }
          const maxBytes = options.maxBytes ?? group.reduce((sum, request) => sum + request.maxBytes, 0);
          let response;
          try {
            const connection = await this.#connection(leader);
            const request = fetchRequest(options.maxWaitMs ?? 0, options.minBytes ?? 1, Math.min(0x7fffffff, maxBytes), this.topic, group, this.isolation);
            response = await send(connection, Fetch, this.#version ?? FETCH_VERSION, request);
          } catch (error) {
            // A leader that cannot be reached: the others' partitions are still read.
            if (options.skipUnavailable) return;
            throw error;
          }
          const byPartition = new Map(group.map((request) => [request.partition, request]));
          for (const topic of response.responses) {
            for (const answer of topic.partitions) {
              const partition = {
                partition: answer.partitionIndex,
                errorCode: answer.errorCode,
                highWatermark: Number(answer.highWatermark),
                lastStableOffset: Number(answer.lastStableOffset),
                logStartOffset: Number(answer.logStartOffset),
                records: answer.records,
                aborted: (answer.abortedTransactions ?? []).map((t) => ({ producerId: Number(t.producerId), firstOffset: Number(t.firstOffset) })),
              };
              const request = byPartition.get(partition.partition);
              if (!request) continue;
              if (RETRIABLE.has(partition.errorCode)) {
                retry.push(request);
                continue;
              }
              if (partition.errorCode === ErrorCodes.OFFSET_OUT_OF_RANGE) {
                results.push({
                  partition: partition.partition,
                  errorCode: partition.errorCode,
                  highWatermark: partition.highWatermark,
                  logStartOffset: partition.logStartOffset,
                  records: [],
                  nextOffset: request.offset,
                  unreadable: [],
                  lastStableOffset: partition.lastStableOffset,
                  markers: [],
                });
                continue;
              }
              if (partition.errorCode !== ErrorCodes.NONE) {
                throw new AppError('kafka', `The cluster refused to read partition ${partition.partition} (error ${partition.errorCode}).`);
              }
              const decoded = partition.records
                ? decodeRecordsField(partition.partition, partition.records, request.offset, {
                    aborted: this.isolation === 'read_committed' ? partition.aborted : undefined,
                    keepControl: this.#keepControl,
                  })
                : { records: [], nextOffset: request.offset, unreadable: [], markers: [] };
              for (const batch of decoded.unreadable) {
                if (this.#unreadable.size < MAX_UNREADABLE) this.#unreadable.set(`${batch.partition}:${batch.baseOffset}`, batch);
              }
              results.push({
                partition: partition.partition,
                errorCode: 0,
                highWatermark: partition.highWatermark,
                logStartOffset: partition.logStartOffset,
                records: decoded.records,
                nextOffset: decoded.nextOffset,
                unreadable: decoded.unreadable,
                lastStableOffset: partition.lastStableOffset,
                markers: decoded.markers,
              });
            }
          }
        }),
      );
      pending = retry;
    }
    if (options.lookAhead !== false) await Promise.all(results.map((data) => this.#markTransactions(data)));
    if (pending.length && !options.skipUnavailable) {
      throw new AppError(
        'unavailable',
        `Partition ${pending.map((request) => request.partition).join(', ')} of "${this.topic}" has no reachable leader right now; try again in a moment.`,
      );
    }
    return results;
  }

  /**
   * Marks the transactional records of a fetched chunk with their transaction's outcome. read_committed
   * returns only committed ones (aborted ones are left out, open ones lie past the last stable offset).
   * read_uncommitted: from the markers in the chunk, else from those after it, read ahead a few MiB at
   * most; a transaction with no marker up to the high watermark is open.
   */
  async #markTransactions(data: PartitionData): Promise<void> {
    const unresolved = markTransactions(data.records, data.markers);
    if (!unresolved.size) return;
    if (this.isolation === 'read_committed') {
      for (const record of data.records) if (record.batch.transactional && !record.control) record.transaction ??= { state: 'committed', markerOffset: null };
      return;
    }
    const found: TxnMarker[] = [];
    let at = data.nextOffset;
    let highWatermark = data.highWatermark;
    for (let round = 0; unresolved.size && at < highWatermark && round < LOOKAHEAD_ROUNDS; round++) {
      const [ahead] = await this.fetch([{ partition: data.partition, offset: at, maxBytes: LOOKAHEAD_BYTES }], { lookAhead: false });
      if (!ahead || ahead.errorCode !== 0 || ahead.nextOffset <= at) break;
      for (const marker of ahead.markers) {
        if (!unresolved.has(marker.producerId)) continue;
        found.push(marker);
        unresolved.delete(marker.producerId);
      }
      at = ahead.nextOffset;
      highWatermark = ahead.highWatermark;
    }
    markTransactions(data.records, found);
    const state = at >= highWatermark ? 'open' : 'unknown';
    for (const record of data.records) if (record.batch.transactional && !record.control) record.transaction ??= { state, markerOffset: null };
  }

  async #connection(nodeId: number): Promise<Connection> {
    const connections = await this.#client.connectToBrokers([nodeId]);
    const connection = connections.get(nodeId);
    if (!connection) throw new AppError('unavailable', `Cannot connect to broker ${nodeId}.`);
    return connection;
  }
}

/** An error naming the partitions of a topic that could not be read, and why. */
function unreadable(topic: string, failed: Map<number, string>): AppError {
  const list = [...failed].map(([partition, reason]) => `partition ${partition}: ${reason}`).join('; ');
  return new AppError('unavailable', `Some partitions of "${topic}" cannot be read right now (${list}).`);
}

/**
 * The "sink" of `npm run bench -- broker`: a one-broker embedded cluster whose Produce and Fetch handlers
 * are swapped for ones that skip the storage path, everything else (listener, connection framing,
 * dispatcher, request and response codecs, Metadata, ApiVersions, ListOffsets...) being the real broker's.
 *
 *   node --import tsx bench/_sink-server.ts --data-dir DIR   prints `bootstrap.servers=...` when ready
 *
 * Produce decodes the request exactly as the broker does, walks the batch headers to count records and
 * stamps offsets into the request buffer (no CRC check, no validation, no disk, no tail cache), keeps a
 * reference to each batch and answers success. Fetch serves those batches from memory, so the consume
 * figure against the sink is the ceiling of client, network and codec too. Long polls behave like the
 * broker's (an empty answer waits max.wait.ms, or less if data arrives), so the end-of-data detection of
 * `kcat -e` costs the same on both sides.
 */
import { parseArgs } from 'node:util';
import { EmbeddedCluster } from '../electron/broker/cluster/cluster';
import { defineHandler, type AnyHandler } from '../electron/broker/handlers/handler';
import { handlers } from '../electron/broker/handlers/index';
import { createDispatcher, createRegistry } from '../electron/broker/handlers/registry';
import { ErrorCode } from '../electron/kafka/protocol/error-codes';
import {
  createFetchResponseEpochEndOffset,
  createFetchResponseLeaderIdAndEpoch,
  createFetchResponseSnapshotId,
  createProduceResponseLeaderIdAndEpoch,
  Fetch,
  Produce,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
} from '../electron/kafka/protocol/generated/index';
import { createLogger } from '../electron/broker/server/logger';

const NO_RECORDS = Buffer.alloc(0);
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** What the sink remembers of a partition: the batches it was sent, by reference, with their offsets. */
class SinkPartition {
  next = 0;
  readonly batches: Buffer[] = [];
  readonly bases: number[] = [];
  private readonly waiters = new Set<() => void>();

  /** Counts records and stamps offsets (outside the CRC's range) batch by batch. */
  append(records: Buffer): { baseOffset: number } | null {
    const baseOffset = this.next;
    let pos = 0;
    while (pos + 61 <= records.length) {
      const size = records.readInt32BE(pos + 8) + 12;
      if (size < 61 || pos + size > records.length) return null;
      const count = records.readInt32BE(pos + 57);
      records.writeInt32BE(Math.floor(this.next / 4294967296), pos);
      records.writeUInt32BE(this.next % 4294967296, pos + 4);
      this.batches.push(records.subarray(pos, pos + size));
      this.bases.push(this.next);
      this.next += count;
      pos += size;
    }
    if (pos !== records.length) return null;
    for (const wake of [...this.waiters]) wake();
    return { baseOffset };
  }

  /** Whole batches from the one holding `offset`, up to `maxBytes` (the first one whole). */
  read(offset: number, maxBytes: number): Buffer {
    if (offset >= this.next) return NO_RECORDS;
    let lo = 0;
    let hi = this.bases.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.bases[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const chosen: Buffer[] = [this.batches[lo]!];
    let bytes = chosen[0]!.length;
    for (let i = lo + 1; i < this.batches.length && bytes + this.batches[i]!.length <= maxBytes; i++) {
      chosen.push(this.batches[i]!);
      bytes += this.batches[i]!.length;
    }
    return chosen.length === 1 ? chosen[0]! : Buffer.concat(chosen, bytes);
  }

  onData(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }
}

const partitions = new Map<string, SinkPartition>();
const sinkPartition = (topic: string, index: number): SinkPartition => {
  const key = `${topic}\u0000${index}`;
  let p = partitions.get(key);
  if (!p) partitions.set(key, (p = new SinkPartition()));
  return p;
};

const sinkProduce = defineHandler({
  api: Produce,
  minVersion: 0,
  maxVersion: 11,
  handle: (request, context) => {
    const controller = context.broker.controller;
    const body = {
      responses: request.topicData.map((topic) => ({
        name: topic.name,
        topicId: topic.topicId,
        partitionResponses: topic.partitionData.map((data) => {
          const known = controller.partition(topic.name, data.index) !== undefined;
          const appended = known && data.records ? sinkPartition(topic.name, data.index).append(data.records) : null;
          return {
            index: data.index,
            errorCode: appended ? ErrorCode.NONE : known ? ErrorCode.CORRUPT_MESSAGE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            baseOffset: appended ? BigInt(appended.baseOffset) : -1n,
            logAppendTimeMs: -1n,
            logStartOffset: appended ? 0n : -1n,
            recordErrors: [],
            errorMessage: null,
            currentLeader: createProduceResponseLeaderIdAndEpoch(),
          };
        }),
      })),
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
    return request.acks === 0 ? null : body;
  },
});

function fetchOnce(request: FetchRequest, apiVersion: number, touched: SinkPartition[]): { body: FetchResponse; bytes: number } {
  let bytes = 0;
  const responses = request.topics.map((t) => ({
    topic: t.topic,
    topicId: t.topicId ?? ZERO_UUID,
    partitions: t.partitions.map((p): FetchResponsePartitionData => {
      const sink = sinkPartition(t.topic, p.partition);
      touched.push(sink);
      const records = sink.read(Number(p.fetchOffset), p.partitionMaxBytes);
      bytes += records.length;
      return {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: BigInt(sink.next),
        lastStableOffset: BigInt(sink.next),
        logStartOffset: 0n,
        divergingEpoch: createFetchResponseEpochEndOffset(),
        currentLeader: createFetchResponseLeaderIdAndEpoch(),
        snapshotId: createFetchResponseSnapshotId(),
        abortedTransactions: apiVersion >= 4 ? [] : null,
        preferredReadReplica: -1,
        records,
      };
    }),
  }));
  return { body: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints: [] }, bytes };
}

const sinkFetch = defineHandler({
  api: Fetch,
  // Topic ids (v13+) would need the controller's id mapping; the sink serves names only.
  minVersion: 4,
  maxVersion: 12,
  handle: (request, context) => {
    const touched: SinkPartition[] = [];
    const first = fetchOnce(request, context.apiVersion, touched);
    if (first.bytes > 0 || request.maxWaitMs <= 0) return first.body;
    return new Promise<FetchResponse>((resolve) => {
      const unsubscribes: Array<() => void> = [];
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const u of unsubscribes) u();
        resolve(fetchOnce(request, context.apiVersion, []).body);
      };
      const timer = setTimeout(finish, request.maxWaitMs);
      for (const sink of touched) unsubscribes.push(sink.onData(() => setImmediate(finish)));
    });
  },
});

const swapped: readonly AnyHandler[] = handlers.map((h) =>
  h.api.apiKey === Produce.apiKey ? (sinkProduce as unknown as AnyHandler) : h.api.apiKey === Fetch.apiKey ? (sinkFetch as unknown as AnyHandler) : h,
);

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' } }, strict: true });
if (!values['data-dir']) {
  process.stderr.write('usage: node --import tsx bench/_sink-server.ts --data-dir DIR [--port P]\n');
  process.exit(2);
}
const cluster = await EmbeddedCluster.start({
  brokers: 1,
  basePort: Number(values.port ?? 0),
  dataDir: values['data-dir'],
  logger: createLogger({ level: 'warn' }),
  dispatcher: createDispatcher(createRegistry(swapped)),
});
// A deleted topic's batches are let go, so repeated runs do not pile up in memory.
cluster.onEvent((event) => {
  if (event.type !== 'topic' || event.change !== 'deleted') return;
  for (const key of [...partitions.keys()]) if (key.startsWith(`${event.topic}\u0000`)) partitions.delete(key);
});
process.stdout.write(`bootstrap.servers=${cluster.bootstrapServers()}\n`);
const shutdown = () => void cluster.close().then(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

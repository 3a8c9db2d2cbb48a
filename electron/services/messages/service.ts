// The message browser's service: pages, filters with progress and cancel, whole values in chunks,
// exports, live tails, and the decoders remembered per topic. It owns Kafka clients of its own (one
// per connection for reads, one per tail), made from the connection's options so SASL and TLS apply.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Admin, type BaseOptions } from '@platformatic/kafka';
import { z } from 'zod';
import {
  DEFAULT_DECODERS,
  topicDecodersSchema,
  type DecoderSpec,
  type Filter,
  type ExportFormat,
  type ExportResult,
  type KeySearch,
  type Page,
  type ParsedReadRequest,
  type Progress,
  type RecordView,
  type SavedQuery,
  type TailEvent,
  type TopicDecoders,
  type UnreadableBatch,
  type ValueChunk,
  exportRequestSchema,
  tailStartSchema,
  valueRequestSchema,
} from '../../../shared/model/messages';
import { AtomicFile } from '../../core/atomic-file';
import { AppError } from '../../core/errors';
import { withFinalTimeouts } from '../connections/final-timeouts';
import { cursorOf, keyFallbackPartitions, limitDeadline, merge, openStreams, plan, type Plan } from './browse';
import { decoderFor, type EffectiveDecoders, type EffectiveDecoderSpec, type FullText } from './decoders';
import type { RegistryAccess } from '../schemas/registry-client';
import { ExportWriter } from './export';
import { compileFilter } from './filters';
import { TopicReader, type RawRecord } from './fetch';
import { wireSchemaId } from '../../kafka/schemas/wire';
import { MessageWorkers, RecordFilter, WorkerDecoding, type MessageWorkerOptions } from './message-workers';
import { Tail } from './tail';
import { prepareDecoders, toView } from './views';
import { SavedQueryStore } from './saved-queries';

export interface MessageServiceDeps {
  dataDir: string;
  /** The Kafka client options of a connection (bootstrap servers, SASL, TLS). */
  clientOptions: (connectionId: string) => Promise<BaseOptions>;
  emitProgress: (progress: Progress) => void;
  emitTail: (event: TailEvent) => void;
  /** Desktop: asks where to save an export (null: the user cancelled). Web mode has none: downloads. */
  chooseExportFile?: ((suggestedName: string) => Promise<string | null>) | undefined;
  /** How to reach the connection's schema registry (null: none; throws when it cannot be used now): its decoders read through it. */
  registryAccess?: (connectionId: string) => Promise<RegistryAccess | null>;
  /** The message worker: the built script (Electron bundle) and the time budget of one chunk. */
  messageWorker?: MessageWorkerOptions | undefined;
}

export interface Download {
  path: string;
  fileName: string;
  contentType: string;
}

type ExportInput = z.output<typeof exportRequestSchema>;
type ValueInput = z.output<typeof valueRequestSchema>;
type TailInput = z.output<typeof tailStartSchema>;

interface Operation {
  cancelled: boolean;
  filter: RecordFilter | null;
  decoding: WorkerDecoding | null;
}

const MAX_TAILS = 8;

/** `{ unreadable }` when the reader went past unreadable batches within the ranges read, else nothing. */
function unreadableOf(reader: TopicReader, read: Map<number, { from: number; to: number }>): { unreadable?: UnreadableBatch[] } {
  const unreadable = reader.unreadable((partition) => read.get(partition));
  return unreadable.length ? { unreadable } : {};
}
/** What a find by key reports: where it looked, whether it went on to every partition, where it found. */
function keySearchOf(planned: Plan, fallback: boolean, records: readonly RecordView[]): KeySearch {
  const candidates = planned.keyCandidates ?? [];
  const found = [...new Set(records.map((record) => record.partition))]
    .sort((a, b) => a - b)
    .map((partition) => ({ partition, partitioners: candidates.find((candidate) => candidate.partition === partition)?.partitioners ?? [] }));
  return { candidates, ...(planned.keyChosen ? { chosen: planned.partitions } : {}), fallback, found };
}

const VALUE_CACHE_CHARS = 64 * 1024 * 1024;
const contentTypes: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

export class MessageService {
  readonly #deps: MessageServiceDeps;
  readonly #clients = new Map<string, Promise<Admin>>();
  readonly #operations = new Map<string, Operation>();
  /** Worker threads for filters and schema decoding. */
  readonly #workers: MessageWorkers;
  readonly #tails = new Map<string, Tail>();
  readonly #downloads = new Map<string, Download>();
  readonly #values = new Map<string, { full: FullText; size: number }>();
  /** Changed one save after another: two at once shared the temporary file, and the later one dropped the other's topic. */
  readonly #decodersFile: AtomicFile;
  readonly #savedQueries: SavedQueryStore;
  /** Read once; replaced by each save once written. */
  #remembered: Promise<Record<string, TopicDecoders>> | null = null;

  constructor(deps: MessageServiceDeps) {
    this.#deps = deps;
    this.#workers = new MessageWorkers(deps.messageWorker);
    this.#decodersFile = new AtomicFile(path.join(deps.dataDir, 'message-decoders.json'));
    this.#savedQueries = new SavedQueryStore(deps.dataDir);
  }

  // -------------------------------------------------------------------------------------------------
  // Clients

  async #client(connectionId: string): Promise<Admin> {
    let client = this.#clients.get(connectionId);
    if (!client) {
      client = this.#deps
        .clientOptions(connectionId)
        .then((options) => withFinalTimeouts(new Admin({ ...options, clientId: `${options.clientId ?? 'kafka-desk'}-browser` })));
      this.#clients.set(connectionId, client);
      client.catch(() => this.#clients.delete(connectionId));
    }
    return client;
  }

  /** Forgets the clients (a connection changed, or the embedded cluster restarted). */
  async resetClients(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.then((admin) => admin.close()).catch(() => undefined)));
  }

  // -------------------------------------------------------------------------------------------------
  // Pages and filters

  async read(input: ParsedReadRequest): Promise<Page> {
    const request = { ...input, decoders: await this.#effective(input.connectionId, input.decoders) };
    const started = performance.now();
    const admin = await this.#client(request.connectionId);
    const reader = await TopicReader.open(admin, request.topic, { isolation: request.isolation, showControl: request.showControl });
    // Compiled now, so a decoder that cannot work (a bad schema) fails before any record is read.
    decoderFor(request.decoders.key);
    decoderFor(request.decoders.value);
    const deadline = limitDeadline(request.limit);
    const operation = this.#beginOperation(request.operationId);
    const found: RawRecord[] = [];
    try {
      // Compiled first (in the message worker when it needs one): a bad pattern is refused before reading.
      const filter = await this.#filter(operation, request.filter, request.decoders, deadline);
      const planned = await plan(reader, admin, {
        partitions: request.partitions,
        seek: request.seek,
        page: request.page,
        findKey: request.filter?.kind === 'key' ? request.filter.key : undefined,
      });
      const chunkHook = filter ? (records: RawRecord[]) => filter.prepare(records) : async () => undefined;
      const scan = async (scanned: Plan) => {
        const streams = openStreams(reader, scanned, request.limit.count, chunkHook);
        const result = await merge(streams, {
          direction: scanned.direction,
          count: request.limit.count - found.length,
          maxBytes: request.limit.maxBytes,
          deadline,
          endTimestamp: request.limit.endTimestamp,
          predicate: filter ? (record) => filter.matches(record) : null,
          isCancelled: () => operation.cancelled,
          onProgress: request.operationId ? (progress) => this.#progress(request.operationId!, progress, false) : undefined,
          onRecord: (record) => found.push(record),
        });
        return { ...result, cursor: cursorOf(scanned, streams) };
      };
      let { stoppedBy, stats, note, cursor } = await scan(planned);
      const plans = [planned];
      // Find by key: none of the partitions the common partitioners pick holds the key (a custom or
      // round-robin partitioner wrote it, or the topic grew): every other partition is searched too.
      const others = !request.page && stoppedBy === 'end' && found.length === 0 ? keyFallbackPartitions(reader, planned) : [];
      let fallback =
        planned.keyCandidates !== undefined &&
        !planned.keyChosen &&
        cursor.some((entry) => !planned.keyCandidates!.some((c) => c.partition === entry.partition));
      if (others.length) {
        fallback = true;
        const more = await plan(reader, admin, { partitions: others, seek: request.seek }).catch((error: unknown) => {
          if (error instanceof AppError) planned.notes.push(error.message);
          else throw error;
          return null;
        });
        if (more) {
          const second = await scan(more);
          plans.push(more);
          ({ stoppedBy, note } = second);
          stats = { ...second.stats, scanned: stats.scanned + second.stats.scanned };
          cursor = [...cursor, ...second.cursor];
        }
      }
      if (request.operationId) this.#progress(request.operationId, stats, true);
      if (planned.direction === 'backward') found.reverse();
      const records = await this.#views(operation, found, request.decoders);
      const watermarks = new Map(plans.flatMap((each) => [...each.watermarks]));
      const ranges = plans.flatMap((each) => each.partitions.map((partition) => ({ partition, ...watermarks.get(partition)! })));
      const read = new Map(cursor.map((entry) => [entry.partition, { from: entry.before, to: entry.after }]));
      const notes = [...new Set(plans.flatMap((each) => each.notes))];
      return {
        topic: request.topic,
        records,
        cursor,
        ranges,
        hasBefore: cursor.some((entry) => entry.before > watermarks.get(entry.partition)!.low),
        hasAfter: cursor.some((entry) => entry.after < watermarks.get(entry.partition)!.high),
        stoppedBy,
        scanned: stats.scanned,
        durationMs: Math.round(performance.now() - started),
        ...(planned.keyCandidates ? { keySearch: keySearchOf(planned, fallback, records) } : {}),
        notes: note ? [...notes, note] : notes,
        // Batches within what this page read that could not be read: left out, reported by offsets.
        ...unreadableOf(reader, read),
      };
    } finally {
      this.#endOperation(request.operationId, operation);
    }
  }

  /**
   * The decoders as they run, with the connection's registry (its URL, credentials and CA, the same
   * settings as the Schemas screen and the produce form use): auto reads the wire format through it
   * when there is one; the registry decoder always reads through it, and says why when it cannot.
   */
  async #effective(connectionId: string, decoders: TopicDecoders): Promise<EffectiveDecoders> {
    const kinds = [decoders.key.kind, decoders.value.kind];
    if (!kinds.includes('auto') && !kinds.includes('registry')) return decoders as EffectiveDecoders;
    let registry: RegistryAccess | null = null;
    let problem: Error | null = null;
    try {
      registry = (await this.#deps.registryAccess?.(connectionId)) ?? null;
    } catch (error) {
      problem = error instanceof Error ? error : new AppError('unavailable', String(error));
    }
    const effective = (spec: DecoderSpec): EffectiveDecoderSpec => {
      if (spec.kind === 'auto') return registry ? { kind: 'auto', registry } : { kind: 'auto' };
      if (spec.kind !== 'registry') return spec;
      if (registry) return { kind: 'registry', registry };
      if (problem) throw problem;
      // A URL saved with the decoder before registries were set per connection (#17): used only when the connection has none.
      if (spec.url) return { kind: 'registry', registry: { url: spec.url, headers: {}, rejectUnauthorized: true } };
      throw new AppError('not-found', 'This connection has no schema registry for the Schema registry decoder. Set one on the Schemas screen.');
    };
    return { key: effective(decoders.key), value: effective(decoders.value) };
  }

  /** Records as the page shows them: schema decoders decode in the message worker, others here. */
  async #views(operation: Operation, records: RawRecord[], decoders: EffectiveDecoders): Promise<RecordView[]> {
    const key = decoderFor(decoders.key);
    const value = decoderFor(decoders.value);
    operation.decoding ??= WorkerDecoding.create(decoders, this.#workers);
    if (operation.cancelled) operation.decoding?.cancel();
    if (!operation.decoding) {
      await prepareDecoders(records, key, value);
      return records.map((record) => toView(record, key, value));
    }
    const decoded = await operation.decoding.previews(records);
    return records.map((record, i) => toView(record, key, value, decoded[i]));
  }

  /** The operation's filter; Cancel ends its worker, and the operation's end gives the worker back. */
  async #filter(operation: Operation, filter: Filter | null, decoders: EffectiveDecoders, deadline?: number): Promise<RecordFilter | null> {
    const created = await RecordFilter.create(filter, decoders, this.#workers, { deadline });
    if (!created) return null;
    operation.filter = created;
    if (operation.cancelled) created.cancel();
    return created;
  }

  #beginOperation(id: string | undefined): Operation {
    const operation: Operation = { cancelled: false, filter: null, decoding: null };
    if (id) this.#operations.set(id, operation);
    return operation;
  }

  #endOperation(id: string | undefined, operation: Operation): void {
    operation.filter?.release();
    operation.decoding?.release();
    if (id && this.#operations.get(id) === operation) this.#operations.delete(id);
  }

  #progress(operationId: string, stats: { scanned: number; matched: number; startedAt: number }, done: boolean): void {
    const elapsedMs = performance.now() - stats.startedAt;
    this.#deps.emitProgress({
      operationId,
      scanned: stats.scanned,
      matches: stats.matched,
      ratePerSecond: elapsedMs > 0 ? Math.round((stats.scanned * 1000) / elapsedMs) : 0,
      elapsedMs: Math.round(elapsedMs),
      done,
    });
  }

  cancel(operationId: string): boolean {
    const operation = this.#operations.get(operationId);
    if (!operation) return false;
    operation.cancelled = true;
    // A filter or a decoding in the middle of a chunk is not asked: its worker is ended.
    operation.filter?.cancel();
    operation.decoding?.cancel();
    return true;
  }

  // -------------------------------------------------------------------------------------------------
  // Whole values

  async value(request: ValueInput): Promise<ValueChunk> {
    const cacheKey = JSON.stringify([request.connectionId, request.topic, request.partition, request.offset, request.field, request.decoder]);
    let entry = this.#values.get(cacheKey);
    if (!entry) {
      const admin = await this.#client(request.connectionId);
      const reader = await TopicReader.open(admin, request.topic);
      reader.checkPartitions([request.partition]);
      const record = await this.#readOne(reader, request.partition, request.offset);
      const buffer = request.field === 'key' ? record.key : record.value;
      const decoder = (await this.#effective(request.connectionId, { key: request.decoder, value: request.decoder })).key;
      decoderFor(decoder);
      // The whole value, indented or laid out as a hex dump: hundreds of MB of JSON take seconds, so
      // it is decoded in the message worker, under its budget.
      const decoders = { key: decoder, value: decoder };
      const decoding = WorkerDecoding.create(decoders, this.#workers, { key: request.field === 'key', value: request.field === 'value' })!;
      try {
        const [decoded] = await decoding.fullTexts([record], true);
        entry = { full: decoded![request.field]!, size: buffer?.length ?? 0 };
      } finally {
        decoding.release();
      }
      this.#remember(cacheKey, entry);
    }
    const { full, size } = entry;
    const text = full.text.slice(request.start, request.start + request.length);
    return { format: full.format, text, start: request.start, totalChars: full.text.length, size, ...(full.error ? { error: full.error } : {}) };
  }

  #remember(cacheKey: string, value: { full: FullText; size: number }): void {
    // A few recent values, so the chunks of one value are decoded once.
    let total = value.full.text.length;
    for (const [key, cached] of [...this.#values].reverse()) {
      total += cached.full.text.length;
      if (total > VALUE_CACHE_CHARS || this.#values.size >= 8) this.#values.delete(key);
    }
    this.#values.set(cacheKey, value);
  }

  /**
   * The schema ids (Confluent's wire format) the last `perPartition` records of each partition of a
   * topic name in their keys and values: which subjects a topic uses when they are not named after it
   * (RecordNameStrategy, #17). Offline partitions are skipped.
   */
  async recentSchemaIds(connectionId: string, topic: string, perPartition: number): Promise<{ key: number[]; value: number[]; records: number }> {
    const admin = await this.#client(connectionId);
    const reader = await TopicReader.open(admin, topic);
    const partitions = Array.from({ length: reader.partitionCount }, (_, partition) => partition);
    const { watermarks } = await reader.readableWatermarks(partitions);
    const requests = [...watermarks]
      .filter(([, marks]) => marks.high > marks.low)
      .map(([partition, marks]) => ({ partition, offset: Math.max(marks.low, marks.high - perPartition), maxBytes: 1024 * 1024 }));
    const data = requests.length ? await reader.fetch(requests, { skipUnavailable: true }) : [];
    const key = new Set<number>();
    const value = new Set<number>();
    let records = 0;
    for (const partition of data) {
      for (const record of partition.records) {
        records++;
        const keyId = record.key ? wireSchemaId(record.key) : null;
        const valueId = record.value ? wireSchemaId(record.value) : null;
        if (keyId !== null) key.add(keyId);
        if (valueId !== null) value.add(valueId);
      }
    }
    return { key: [...key], value: [...value], records };
  }

  async #readOne(reader: TopicReader, partition: number, offset: number): Promise<RawRecord> {
    let maxBytes = 1024 * 1024;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [data] = await reader.fetch([{ partition, offset, maxBytes }]);
      const record = data?.records.find((candidate) => candidate.offset === offset);
      if (record) return record;
      if (data && data.errorCode === 0 && data.records.length) break;
      if (data && (data.errorCode !== 0 || offset >= data.highWatermark)) break;
      maxBytes *= 16;
    }
    throw new AppError('not-found', `Partition ${partition} has no record at offset ${offset} any more.`);
  }

  // -------------------------------------------------------------------------------------------------
  // Exports

  async export(input: ExportInput): Promise<ExportResult> {
    const request = { ...input, decoders: await this.#effective(input.connectionId, input.decoders) };
    const started = performance.now();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const fileName = `${request.topic}-${stamp}.${request.format}`;
    let target: string;
    let downloadId: string | null = null;
    if (this.#deps.chooseExportFile) {
      const chosen = await this.#deps.chooseExportFile(fileName);
      if (!chosen) return { status: 'cancelled', fileName, records: 0, bytes: 0, durationMs: 0 };
      target = chosen;
    } else {
      downloadId = randomUUID();
      const dir = path.join(this.#deps.dataDir, 'exports', downloadId);
      await mkdir(dir, { recursive: true });
      target = path.join(dir, fileName);
    }

    const admin = await this.#client(request.connectionId);
    const reader = await TopicReader.open(admin, request.topic, { isolation: request.isolation });
    const key = decoderFor(request.decoders.key);
    const value = decoderFor(request.decoders.value);
    const operation = this.#beginOperation(request.operationId);
    let filter: RecordFilter | null;
    let planned: Awaited<ReturnType<typeof plan>>;
    try {
      filter = await this.#filter(operation, request.filter, request.decoders);
      planned = await plan(reader, admin, {
        partitions: request.partitions,
        seek: request.seek,
        findKey: request.filter?.kind === 'key' ? request.filter.key : undefined,
      });
    } catch (error) {
      this.#endOperation(request.operationId, operation);
      if (downloadId) await rm(path.dirname(target), { recursive: true, force: true });
      throw error;
    }
    const writer = new ExportWriter(target, request.format, request.topic, key, value);
    // Schema decoders decode in the message worker, a batch of matching records at a time.
    const decoding = WorkerDecoding.create(request.decoders, this.#workers);
    operation.decoding = decoding;
    const pending: RawRecord[] = [];
    const flush = async () => {
      const batch = pending.splice(0, 1024);
      const decoded = decoding ? await decoding.fullTexts(batch, false) : null;
      batch.forEach((record, i) => writer.write(record, decoded?.[i]));
      await writer.drain();
    };
    try {
      const chunkHook = async (records: RawRecord[]) => {
        await filter?.prepare(records);
        if (!decoding) await prepareDecoders(records, key, value);
      };
      const backward = planned.direction === 'backward';
      const count = request.maxRecords ?? (backward ? 500 : Number.MAX_SAFE_INTEGER);
      const scan = async (scanned: Plan) => {
        const streams = openStreams(reader, scanned, Math.min(count, 100_000), chunkHook);
        const result = await merge(streams, {
          direction: scanned.direction,
          count,
          endTimestamp: request.endTimestamp,
          predicate: filter ? (record) => filter.matches(record) : null,
          isCancelled: () => operation.cancelled,
          onProgress: request.operationId ? (progress) => this.#progress(request.operationId!, progress, false) : undefined,
          onRecord: (record) => pending.push(record),
          // Forward, records are written as they come (merge drains every 1,024 matches); backward, the
          // newest come first, so they are written once the merge is over, oldest first.
          drain: backward ? undefined : flush,
        });
        return { ...result, cursor: cursorOf(scanned, streams) };
      };
      const first = await scan(planned);
      let { stoppedBy, stats, note, cursor } = first;
      // Find by key, as a page does: every other partition when the partitioners' ones hold none of the key's records.
      const others = stoppedBy === 'end' && stats.matched === 0 ? keyFallbackPartitions(reader, planned) : [];
      if (others.length) {
        const more = await plan(reader, admin, { partitions: others, seek: request.seek });
        const second = await scan(more);
        ({ stoppedBy, note } = second);
        stats = { ...second.stats, scanned: stats.scanned + second.stats.scanned };
        cursor = [...cursor, ...second.cursor];
      }
      if (backward) pending.reverse();
      if (stoppedBy !== 'cancelled' && !note) while (pending.length) await flush();
      if (request.operationId) this.#progress(request.operationId, stats, true);
      // An export is the whole result or nothing: a filter stopped by its budget fails it.
      if (note) throw new AppError('invalid-request', note);
      if (stoppedBy === 'cancelled') {
        writer.abort();
        await rm(target, { force: true });
        if (downloadId) await rm(path.dirname(target), { recursive: true, force: true });
        return { status: 'cancelled', fileName, records: 0, bytes: 0, durationMs: Math.round(performance.now() - started) };
      }
      const bytes = await writer.close();
      const read = new Map(cursor.map((entry) => [entry.partition, { from: entry.before, to: entry.after }]));
      const result = { fileName, records: writer.records, bytes, durationMs: Math.round(performance.now() - started), ...unreadableOf(reader, read) };
      if (downloadId) {
        this.#downloads.set(downloadId, { path: target, fileName, contentType: contentTypes[request.format] });
        return { status: 'download', url: `/downloads/${downloadId}`, ...result };
      }
      return { status: 'file', path: target, ...result };
    } catch (error) {
      writer.abort();
      await rm(target, { force: true }).catch(() => undefined);
      if (downloadId) await rm(path.dirname(target), { recursive: true, force: true }).catch(() => undefined);
      throw error;
    } finally {
      this.#endOperation(request.operationId, operation);
    }
  }

  /** Web mode: the file of a finished export, for the server's download route. */
  download(id: string): Download | null {
    return this.#downloads.get(id) ?? null;
  }

  // -------------------------------------------------------------------------------------------------
  // Live tail

  async startTail(input: TailInput): Promise<{ tailId: string; partitions: number[] }> {
    const request = { ...input, decoders: await this.#effective(input.connectionId, input.decoders) };
    const options = await this.#deps.clientOptions(request.connectionId);
    const client = withFinalTimeouts(new Admin({ ...options, clientId: `${options.clientId ?? 'kafka-desk'}-tail` }));
    let filter: RecordFilter | null = null;
    try {
      filter = await RecordFilter.create(request.filter, request.decoders, this.#workers);
      const reader = await TopicReader.open(client, request.topic, { isolation: request.isolation, showControl: request.showControl });
      // Like a page, a tail follows the partitions that can be read now (offline ones are left out).
      const partitions = plan(reader, client, {
        // Find by key follows every partition (or the one chosen): which partition a new record of the
        // key goes to depends on the client that writes it.
        partitions: request.partitions,
        seek: { mode: 'latest' },
      }).then((p) => p.partitions);
      const id = randomUUID();
      const tail = new Tail({
        id,
        client,
        reader,
        partitions: await partitions,
        filter,
        decoding: WorkerDecoding.create(request.decoders, this.#workers),
        key: decoderFor(request.decoders.key),
        value: decoderFor(request.decoders.value),
        emit: this.#deps.emitTail,
        onEnd: () => this.#tails.delete(id),
      });
      // A window that went away without stopping its tails must not leave them polling forever.
      while (this.#tails.size >= MAX_TAILS) {
        const oldest = this.#tails.values().next().value as Tail;
        this.#tails.delete(oldest.id);
        await oldest.stop();
      }
      this.#tails.set(id, tail);
      await tail.start();
      return { tailId: id, partitions: tail.partitions };
    } catch (error) {
      filter?.release();
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  async controlTail(tailId: string, action: 'pause' | 'resume' | 'stop'): Promise<{ state: TailEvent['state'] }> {
    const tail = this.#tails.get(tailId);
    if (!tail) {
      if (action === 'stop') return { state: 'stopped' };
      throw new AppError('not-found', 'This live tail has stopped.');
    }
    if (action === 'pause') tail.pause();
    else if (action === 'resume') tail.resume();
    else {
      this.#tails.delete(tailId);
      await tail.stop();
    }
    return { state: tail.state };
  }

  // -------------------------------------------------------------------------------------------------
  // Decoders remembered per topic

  #loadRemembered(): Promise<Record<string, TopicDecoders>> {
    // No file yet, or one that does not parse: nothing remembered.
    this.#remembered ??= readFile(this.#decodersFile.path, 'utf8')
      .then((text) => z.record(z.string(), topicDecodersSchema).parse(JSON.parse(text)))
      .catch(() => ({}));
    return this.#remembered;
  }

  async decoders(connectionId: string, topic: string): Promise<TopicDecoders> {
    return (await this.#loadRemembered())[`${connectionId}/${topic}`] ?? DEFAULT_DECODERS;
  }

  async saveDecoders(connectionId: string, topic: string, decoders: TopicDecoders): Promise<TopicDecoders> {
    // Compile first: a schema that does not parse, or a registry decoder on a connection without a
    // registry, is refused here rather than at the next read.
    const effective = await this.#effective(connectionId, decoders);
    decoderFor(effective.key);
    decoderFor(effective.value);
    return this.#decodersFile.change(async (save) => {
      const remembered = { ...(await this.#loadRemembered()), [`${connectionId}/${topic}`]: decoders };
      await save(JSON.stringify(remembered, null, 2));
      // Only once written: a failed write leaves what is remembered as it was.
      this.#remembered = Promise.resolve(remembered);
      return decoders;
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Saved queries per topic

  savedQueries(connectionId: string, topic: string): Promise<SavedQuery[]> {
    return this.#savedQueries.list(connectionId, topic);
  }

  async saveQuery(connectionId: string, topic: string, query: SavedQuery, replace: boolean): Promise<SavedQuery[]> {
    // A query that could not run (a schema that does not parse, a registry decoder without a registry,
    // a pattern RE2 refuses, a bad JSON path) is refused now rather than when it is applied.
    const effective = await this.#effective(connectionId, query.decoders);
    decoderFor(effective.key);
    decoderFor(effective.value);
    if (query.filter) compileFilter(query.filter, effective);
    return await this.#savedQueries.save(connectionId, topic, query, replace);
  }

  renameQuery(connectionId: string, topic: string, name: string, newName: string): Promise<SavedQuery[]> {
    return this.#savedQueries.rename(connectionId, topic, name, newName);
  }

  deleteQuery(connectionId: string, topic: string, name: string): Promise<SavedQuery[]> {
    return this.#savedQueries.delete(connectionId, topic, name);
  }

  async close(): Promise<void> {
    for (const operation of this.#operations.values()) {
      operation.cancelled = true;
      operation.filter?.cancel();
      operation.decoding?.cancel();
    }
    this.#workers.close();
    await Promise.all([...this.#tails.values()].map((tail) => tail.stop()));
    this.#tails.clear();
    await this.resetClients();
    if (this.#downloads.size) await rm(path.join(this.#deps.dataDir, 'exports'), { recursive: true, force: true }).catch(() => undefined);
    await this.#decodersFile.idle();
  }
}

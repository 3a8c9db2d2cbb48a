// Produce from the form: one message, optionally repeated (each copy with its own generated fields when
// it is a template), or one per line of a file. Partitions are chosen here, before sending, so each
// record's partition and offset (or why it failed) can be reported back.
import type { Producer } from '@platformatic/kafka';
import type { z } from 'zod';
import type { ProduceResult, produceRequestSchema } from '../../../shared/model/schemas';
import type { ProduceSchema, produceSchemasSchema } from '../../../shared/model/registry';
import { randomUUID } from 'node:crypto';
import { expandTemplate, hasPlaceholders, parseTemplate, type TemplateGenerators } from '../../../shared/model/record-template';
import { AppError, toIpcError } from '../../core/errors';
import { ChosenFiles } from './chosen-files';
import { partitionForKey } from '../../kafka/partitioners/murmur2';
import { Produce } from '../../kafka/protocol/generated/index';
import { negotiateVersion, UnsupportedApiError, type KafkaClient } from '../cluster/wire';

type ParsedProduceRequest = z.output<typeof produceRequestSchema> & Partial<z.output<typeof produceSchemasSchema>>;
/** Bytes of a key or value text: UTF-8, or JSON serialized with a registry schema (#17). */
type Encode = (text: string) => Buffer;
const utf8: Encode = (text) => Buffer.from(text);
type BufferProducer = Producer;

/**
 * zstd batches need Produce v7 (KIP-110, Kafka 2.1): an older broker refuses them, or in releases
 * before 2.1 cannot read them at all, so the form says which release is needed before sending.
 */
async function requireZstd(producer: KafkaClient): Promise<void> {
  let highest: number;
  try {
    highest = await negotiateVersion(producer, Produce);
  } catch (error) {
    if (error instanceof UnsupportedApiError) return; // the send says what is wrong
    throw error;
  }
  if (highest < 7) {
    throw new AppError(
      'invalid-request',
      `zstd compression needs Kafka 2.1 or later (Produce v7, KIP-110); this cluster speaks Produce up to v${highest}. Choose gzip, snappy or lz4.`,
    );
  }
}

export interface ProduceServiceDeps {
  /** The connection's producer (one per connection, kept by the connections service). */
  producer(connectionId: string): Promise<BufferProducer>;
  /** Brokers the cluster lists that did not answer this app at the connection's last check. */
  unreachableBrokers?(connectionId: string): ReadonlySet<number>;
  /** Serializes JSON with a registry schema in Confluent's wire format; throws, naming the field, when it does not match (#17). */
  serializer?(connectionId: string, schema: ProduceSchema): Promise<(json: string, what: string) => Buffer>;
  /** The system's open dialog (desktop): the path the user chose, null if cancelled. Absent in web mode (files are uploaded). */
  chooseFile?: () => Promise<string | null>;
}

export class ProduceService {
  readonly #deps: ProduceServiceDeps;
  /** Files the user chose for a send, by handle. */
  readonly files: ChosenFiles;

  constructor(deps: ProduceServiceDeps) {
    this.#deps = deps;
    this.files = new ChosenFiles(deps.chooseFile);
  }

  async send(request: ParsedProduceRequest): Promise<ProduceResult> {
    // The schemas first: a subject or version that does not exist is said before anything is read.
    const encode = { key: await this.#encoder(request, 'key'), value: await this.#encoder(request, 'value') };
    // The file next: a file that is gone, too large or not text is said before the cluster is asked anything.
    const fileValues = request.file ? await this.files.values(request.file.handle, request.file.mode) : null;
    return produce(
      await this.#deps.producer(request.connectionId),
      request,
      fileValues,
      encode,
      this.#deps.unreachableBrokers?.(request.connectionId) ?? new Set(),
    );
  }

  async #encoder(request: ParsedProduceRequest, field: 'key' | 'value'): Promise<Encode> {
    const schema = field === 'key' ? request.keySchema : request.valueSchema;
    if (!schema) return utf8;
    if (!this.#deps.serializer) throw new AppError('invalid-request', 'Producing with a schema needs a schema registry.');
    const serialize = await this.#deps.serializer(request.connectionId, schema);
    return (text) => serialize(text, field === 'key' ? 'The key' : 'The value');
  }
}

/** One record of a send, before it is given to the producer. */
interface PlannedRecord {
  index: number;
  partition: number;
  key: Buffer | undefined;
  value: Buffer | undefined;
  headers: Map<Buffer, Buffer> | undefined;
}

/** A template of the request, parsed; a bad placeholder is refused before anything is sent. */
function compile(text: string, what: string, templates: boolean): { at: (index: number, generators: TemplateGenerators) => string; fixed: boolean } {
  if (!templates) return { at: () => text, fixed: true };
  const parsed = parseTemplate(text);
  if (!parsed.ok) throw new AppError('invalid-request', `${what}: ${parsed.error}`);
  if (!hasPlaceholders(parsed.parts)) return { at: () => text, fixed: true };
  return { at: (index, generators) => expandTemplate(parsed.parts, index, generators), fixed: false };
}

async function produce(
  producer: BufferProducer,
  request: ParsedProduceRequest,
  fileValues: string[] | null,
  encode: { key: Encode; value: Encode },
  unreachable: ReadonlySet<number>,
): Promise<ProduceResult> {
  const metadata = await producer.metadata({ topics: [request.topic], forceUpdate: true }).catch((error: unknown) => {
    if (error instanceof Error && /^Unknown topic/.test(error.message)) {
      throw new AppError('not-found', `The topic "${request.topic}" does not exist on this cluster.`);
    }
    throw error;
  });
  const layout = metadata.topics.get(request.topic);
  const partitionCount = layout?.partitionsCount ?? 0;
  if (partitionCount === 0) throw new AppError('not-found', `The topic "${request.topic}" does not exist on this cluster.`);
  if (request.partition !== null && request.partition >= partitionCount) {
    throw new AppError('invalid-request', `Partition ${request.partition} does not exist: "${request.topic}" has partitions 0 to ${partitionCount - 1}.`);
  }
  // Partitions without a leader take no records. The producer's metadata is read tolerantly
  // (TolerantProducer), so they show as leader -1 instead of failing every send to the topic.
  const online = Array.from({ length: partitionCount }, (_, index) => index).filter((index) => (layout?.partitions[index]?.leader ?? -1) >= 0);
  const offline = (partition: number) => !online.includes(partition);
  if (request.partition !== null && offline(request.partition)) {
    throw new AppError('unavailable', `Partition ${request.partition} of "${request.topic}" is offline (it has no leader), so it cannot take records now.`);
  }

  const keyTemplate = request.key === null ? null : compile(request.key, 'The key', request.templates);
  const valueAt =
    fileValues && request.file?.mode === 'lines'
      ? (index: number) => fileValues[index] as string
      : fileValues
        ? () => fileValues[0] as string
        : request.value === null
          ? null
          : compile(request.value, 'The value', request.templates).at;
  const headersAt = request.headers.map((header) => ({
    key: Buffer.from(header.key),
    valueAt: compile(header.value, `Header ${header.key}`, request.templates).at,
  }));
  const count = fileValues && request.file?.mode === 'lines' ? fileValues.length : request.repeat;
  const generators: TemplateGenerators = { uuid: () => randomUUID(), random: () => Math.random(), now: Date.now() };

  if (!online.length) throw new AppError('unavailable', `Every partition of "${request.topic}" is offline (none has a leader).`);
  // Keyless records are spread round-robin over the partitions that have a leader, from a random one,
  // so a repeated send shows up on every partition rather than on one. Leaders the cluster lists but
  // that did not answer this app at its last check (a wrong advertised address, a firewall) are left
  // out while others can take the records: one of them would fail the whole send, after the records
  // for the other partitions may have been written.
  const answering = online.filter((index) => !unreachable.has(layout?.partitions[index]?.leader ?? -1));
  const spread = answering.length > 0 ? answering : online;
  const firstPartition = Math.floor(Math.random() * spread.length);
  const keyOffline = (partition: number) =>
    `This key belongs to partition ${partition} of "${request.topic}", which is offline (it has no leader). Writing it elsewhere would break the order of the key's records; choose a partition or wait until it is back.`;

  const planned: PlannedRecord[] = [];
  const failed: ProduceResult['failed'] = [];
  let keyless = 0;
  for (let index = 0; index < count; index++) {
    const key = keyTemplate ? encode.key(keyTemplate.at(index, generators)) : undefined;
    let partition = request.partition;
    if (partition === null && key) {
      partition = partitionForKey(key, partitionCount);
      if (offline(partition)) {
        // One key for the whole send: the send is refused as before. Keys from a template: only
        // the records whose key falls on an offline partition fail.
        if (keyTemplate?.fixed !== false) throw new AppError('unavailable', keyOffline(partition));
        failed.push({ index, partition, error: keyOffline(partition) });
        continue;
      }
    }
    partition ??= spread[(firstPartition + keyless++) % spread.length] as number;
    const value = valueAt ? encode.value(valueAt(index, generators)) : undefined;
    const headers = headersAt.length ? new Map(headersAt.map((header) => [header.key, Buffer.from(header.valueAt(index, generators))])) : undefined;
    planned.push({ index, partition, key, value, headers });
  }
  if (!planned.length && failed.length) throw new AppError('unavailable', failed[0]?.error ?? 'No record could be sent.');

  if (request.compression === 'zstd') await requireZstd(producer);
  const timestamp = request.timestamp === null ? undefined : BigInt(request.timestamp);
  // One request per partition, so a partition whose leader refuses its batch fails only its records.
  const byPartition = new Map<number, PlannedRecord[]>();
  for (const record of planned) byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), record]);
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    [...byPartition.entries()].map(async ([partition, records]) => {
      const result = await producer.send({
        messages: records.map((record) => ({
          topic: request.topic,
          partition,
          ...(record.key ? { key: record.key } : {}),
          ...(record.value ? { value: record.value } : {}),
          ...(record.headers?.size ? { headers: record.headers } : {}),
          ...(timestamp !== undefined ? { timestamp } : {}),
        })),
        acks: request.acks,
        compression: request.compression,
        autocreateTopics: false,
      });
      return { partition, records, result };
    }),
  );
  const durationMs = Math.round(performance.now() - started);

  const records: ProduceResult['records'] = [];
  const errors: Error[] = [];
  [...byPartition.entries()].forEach(([partition, partitionRecords], at) => {
    const outcome = outcomes[at];
    if (outcome?.status === 'rejected') {
      const message = toIpcError(outcome.reason).message;
      errors.push(outcome.reason instanceof Error ? outcome.reason : new Error(message));
      for (const record of partitionRecords) failed.push({ index: record.index, partition, error: message });
      return;
    }
    if (request.acks === 0 || !outcome) return;
    // The broker answers the base offset of the partition's batch; its records follow in order.
    const base = outcome.value.result.offsets?.find((written) => written.partition === partition)?.offset;
    if (base === undefined) return;
    partitionRecords.forEach((record, position) => records.push({ index: record.index, partition, offset: Number(base) + position }));
  });
  // Nothing taken at all: the send failed, with the words the connection's tracker gives its error.
  if (errors[0] && failed.length === count) throw errors[0];
  records.sort((a, b) => a.index - b.index);
  failed.sort((a, b) => a.index - b.index);
  return { topic: request.topic, records, failed, acknowledged: request.acks !== 0, durationMs };
}

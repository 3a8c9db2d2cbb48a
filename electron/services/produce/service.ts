// Produce from the form: one message, optionally repeated, sent in a single request. Partitions are
// chosen here, before sending, so each record's partition and offset can be reported back.
import type { Producer } from '@platformatic/kafka';
import type { z } from 'zod';
import type { ProduceResult, produceRequestSchema } from '../../../shared/model/schemas';
import { AppError } from '../../core/errors';
import { partitionForKey } from '../../kafka/partitioners/murmur2';
import { Produce } from '../../kafka/protocol/generated/index';
import { negotiateVersion, UnsupportedApiError, type KafkaClient } from '../cluster/wire';

type ParsedProduceRequest = z.output<typeof produceRequestSchema>;
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
}

export class ProduceService {
  readonly #deps: ProduceServiceDeps;

  constructor(deps: ProduceServiceDeps) {
    this.#deps = deps;
  }

  async send(request: ParsedProduceRequest): Promise<ProduceResult> {
    return produce(await this.#deps.producer(request.connectionId), request, this.#deps.unreachableBrokers?.(request.connectionId) ?? new Set());
  }
}

async function produce(producer: BufferProducer, request: ParsedProduceRequest, unreachable: ReadonlySet<number>): Promise<ProduceResult> {
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

  const key = request.key === null ? undefined : Buffer.from(request.key);
  const value = request.value === null ? undefined : Buffer.from(request.value);
  const headers = new Map<Buffer, Buffer>(request.headers.map((header) => [Buffer.from(header.key), Buffer.from(header.value)]));
  if (request.partition !== null && offline(request.partition)) {
    throw new AppError('unavailable', `Partition ${request.partition} of "${request.topic}" is offline (it has no leader), so it cannot take records now.`);
  }
  const keyPartition = key && request.partition === null ? partitionForKey(key, partitionCount) : null;
  if (keyPartition !== null && offline(keyPartition)) {
    throw new AppError(
      'unavailable',
      `This key belongs to partition ${keyPartition} of "${request.topic}", which is offline (it has no leader). Writing it elsewhere would break the order of the key's records; choose a partition or wait until it is back.`,
    );
  }
  if (!online.length) throw new AppError('unavailable', `Every partition of "${request.topic}" is offline (none has a leader).`);
  // Keyless records are spread round-robin over the partitions that have a leader, from a random one,
  // so a repeated send shows up on every partition rather than on one. Leaders the cluster lists but
  // that did not answer this app at its last check (a wrong advertised address, a firewall) are left
  // out while others can take the records: one of them would fail the whole send, after the records
  // for the other partitions may have been written.
  const answering = online.filter((index) => !unreachable.has(layout?.partitions[index]?.leader ?? -1));
  const spread = answering.length > 0 ? answering : online;
  const firstPartition = Math.floor(Math.random() * spread.length);
  const messages = Array.from({ length: request.repeat }, (_, index) => ({
    topic: request.topic,
    partition: request.partition ?? keyPartition ?? (spread[(firstPartition + index) % spread.length] as number),
    ...(key ? { key } : {}),
    ...(value ? { value } : {}),
    ...(headers.size ? { headers } : {}),
  }));

  if (request.compression === 'zstd') await requireZstd(producer);
  const started = performance.now();
  const result = await producer.send({ messages, acks: request.acks, compression: request.compression, autocreateTopics: false });
  const durationMs = Math.round(performance.now() - started);

  const records: ProduceResult['records'] = [];
  if (request.acks !== 0) {
    // The broker answers the base offset of each partition's batch; its records follow in order.
    const nextOffset = new Map<number, number>();
    for (const written of result.offsets ?? []) nextOffset.set(written.partition, Number(written.offset));
    for (const message of messages) {
      const offset = nextOffset.get(message.partition);
      if (offset === undefined) continue;
      records.push({ partition: message.partition, offset });
      nextOffset.set(message.partition, offset + 1);
    }
  }
  return { topic: request.topic, records, acknowledged: request.acks !== 0, durationMs };
}

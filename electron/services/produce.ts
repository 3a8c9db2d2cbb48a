// Produce from the form: one message, optionally repeated, sent in a single request. Partitions are
// chosen here, before sending, so each record's partition and offset can be reported back.
import { murmur2, type Producer } from '@platformatic/kafka';
import type { z } from 'zod';
import type { ProduceResult, produceRequestSchema } from '../../shared/model/schemas';
import { AppError } from '../ipc/errors';

type ParsedProduceRequest = z.output<typeof produceRequestSchema>;

/** The Java client's choice for a keyed record: positive murmur2 of the key modulo the partition count. */
export function partitionForKey(key: Buffer, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

export async function produce(
  producer: Producer<Buffer, Buffer, Buffer, Buffer>,
  request: ParsedProduceRequest,
): Promise<ProduceResult> {
  const metadata = await producer.metadata({ topics: [request.topic], forceUpdate: true }).catch((error: unknown) => {
    if (error instanceof Error && /^Unknown topic/.test(error.message)) {
      throw new AppError('not-found', `The topic "${request.topic}" does not exist on this cluster.`);
    }
    throw error;
  });
  const partitionCount = metadata.topics.get(request.topic)?.partitionsCount ?? 0;
  if (partitionCount === 0) throw new AppError('not-found', `The topic "${request.topic}" does not exist on this cluster.`);
  if (request.partition !== null && request.partition >= partitionCount) {
    throw new AppError(
      'invalid-request',
      `Partition ${request.partition} does not exist: "${request.topic}" has partitions 0 to ${partitionCount - 1}.`,
    );
  }

  const key = request.key === null ? undefined : Buffer.from(request.key);
  const value = request.value === null ? undefined : Buffer.from(request.value);
  const headers = new Map<Buffer, Buffer>(request.headers.map((header) => [Buffer.from(header.key), Buffer.from(header.value)]));
  // Keyless records are spread round-robin from a random partition, so a repeated send shows up on
  // every partition rather than on one.
  const firstPartition = Math.floor(Math.random() * partitionCount);
  const messages = Array.from({ length: request.repeat }, (_, index) => ({
    topic: request.topic,
    partition: request.partition ?? (key ? partitionForKey(key, partitionCount) : (firstPartition + index) % partitionCount),
    ...(key ? { key } : {}),
    ...(value ? { value } : {}),
    ...(headers.size ? { headers } : {}),
  }));

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

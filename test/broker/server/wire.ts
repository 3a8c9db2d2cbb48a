/** Requests the connection tests send by hand, through the generated codecs. */
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import {
  ApiVersions,
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFetchRequestFetchTopic,
  CreateTopics,
  Fetch,
  Metadata,
  Produce,
} from '../../../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { RawClient } from '../handlers/raw-client';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

export async function createTopic(raw: RawClient, name: string, partitions = 1): Promise<void> {
  const response = await raw.call(CreateTopics, 5, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  const code = response.topics[0]!.errorCode;
  if (code !== ErrorCode.NONE) throw new Error(`CreateTopics ${name}: error ${code} ${response.topics[0]!.errorMessage}`);
}

/** Produces `batches` batches of `recordsPerBatch` records of `valueBytes` bytes each; returns the values. */
export async function produce(
  raw: RawClient,
  topic: string,
  options: { batches: number; recordsPerBatch: number; valueBytes: number; tag: string },
): Promise<string[]> {
  const values: string[] = [];
  for (let b = 0; b < options.batches; b++) {
    const records = [];
    for (let r = 0; r < options.recordsPerBatch; r++) {
      const label = `${options.tag}-${b}-${r}-`;
      const value = label + 'x'.repeat(Math.max(0, options.valueBytes - label.length));
      values.push(value);
      records.push({ key: null, value: Buffer.from(value), timestamp: Date.now(), headers: [] });
    }
    const response = await raw.call(Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ baseOffset: 0, records }) }] }],
    });
    const result = response.responses[0]!.partitionResponses[0]!;
    if (result.errorCode !== ErrorCode.NONE) throw new Error(`Produce to ${topic}: error ${result.errorCode} ${result.errorMessage}`);
  }
  return values;
}

/** A Fetch v11 frame for partition 0 of `topic` from `offset`, answering at once with up to `maxBytes`. */
export function fetchFrame(topic: string, correlationId: number, maxBytes: number, offset = 0): Buffer {
  const request = {
    ...createFetchRequest(),
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes,
    topics: [
      {
        ...createFetchRequestFetchTopic(),
        topic,
        partitions: [{ ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: maxBytes }],
      },
    ],
  };
  return Buffer.concat(encodeRequestFrame(Fetch, 11, correlationId, 'non-reader', request));
}

/** A healthy client's round trip: ApiVersions then Metadata on its own connection. */
export async function healthyRoundTrip(bootstrap: string): Promise<number> {
  const started = performance.now();
  const raw = await RawClient.open(bootstrap);
  try {
    const versions = await raw.call(ApiVersions, 3, { clientSoftwareName: 'healthy', clientSoftwareVersion: '1' });
    if (versions.errorCode !== ErrorCode.NONE) throw new Error(`ApiVersions error ${versions.errorCode}`);
    const metadata = await raw.call(Metadata, 9, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    if (metadata.brokers.length !== 1) throw new Error(`Metadata lists ${metadata.brokers.length} brokers`);
  } finally {
    raw.close();
  }
  return performance.now() - started;
}

/** Reads every record value of partition 0 of `topic` with Fetch v11, from the start. */
export async function readValues(raw: RawClient, topic: string): Promise<string[]> {
  const { decodeBatches } = await import('../../../electron/kafka/records/record-batch');
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const request = {
      ...createFetchRequest(),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 8 << 20,
      topics: [
        {
          ...createFetchRequestFetchTopic(),
          topic,
          partitions: [{ ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: BigInt(offset), partitionMaxBytes: 8 << 20 }],
        },
      ],
    };
    const response = await raw.call(Fetch, 11, request);
    const data = response.responses[0]!.partitions[0]!;
    if (data.errorCode !== ErrorCode.NONE) throw new Error(`Fetch ${topic}: error ${data.errorCode}`);
    const records = data.records ?? Buffer.alloc(0);
    if (records.length === 0) return values;
    for (const batch of decodeBatches(records).batches) {
      for (const record of batch.records) {
        if (record.offset < offset) continue;
        values.push(record.value?.toString() ?? '');
        offset = record.offset + 1;
      }
    }
    if (BigInt(offset) >= data.highWatermark) return values;
  }
}

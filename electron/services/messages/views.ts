// Raw records to the plain views the renderer shows: decoded previews of key, value and headers, and
// the batch's metadata.
import type { Decoded, RecordView } from '../../../shared/model/messages';
import { decoderFor, headerDecoder, type FieldDecoder } from './decoders';
import { COMPRESSION_NAMES } from '../../kafka/records/compression';
import type { RawRecord } from './fetch';

const markerDecoder = decoderFor({ kind: 'hex' });

export function compressionName(codec: number): RecordView['batch']['compression'] {
  return COMPRESSION_NAMES[codec] ?? 'none';
}

export function recordSequence(record: RawRecord): number {
  return record.batch.baseSequence >= 0 ? (record.batch.baseSequence + record.offsetDelta) % 0x80000000 : -1;
}

/** `decoded`: previews already made (in the message worker, for schema decoders). */
export function toView(record: RawRecord, key: FieldDecoder, value: FieldDecoder, decoded?: { key?: Decoded; value?: Decoded }): RecordView {
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.logAppendTime ? 'log-append' : 'create',
    // A marker's key and value are Kafka's own bytes, never the topic's format: shown as hex.
    key: record.control ? markerDecoder.preview(record.key) : (decoded?.key ?? key.preview(record.key)),
    value: record.control ? markerDecoder.preview(record.value) : (decoded?.value ?? value.preview(record.value)),
    headers: record.headers.map((header) => ({ key: header.key, value: headerDecoder.preview(header.value) })),
    size: record.size,
    batch: {
      baseOffset: record.batch.baseOffset,
      compression: compressionName(record.batch.compression),
      producerId: record.batch.producerId,
      producerEpoch: record.batch.producerEpoch,
      sequence: recordSequence(record),
      transactional: record.batch.transactional,
    },
    ...(record.transaction ? { transaction: { ...record.transaction } } : {}),
    ...(record.control ? { control: { ...record.control } } : {}),
  };
}

/** Keys and values of records, for decoders that load schemas before decoding. */
export async function prepareDecoders(records: readonly RawRecord[], key: FieldDecoder, value: FieldDecoder): Promise<void> {
  // Plain decoders prepare nothing; auto with a registry loads the schemas the values name.
  await key.prepare(records.map((record) => record.key));
  await value.prepare(records.map((record) => record.value));
}

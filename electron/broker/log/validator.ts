import { ProtocolDecodeError } from '../../kafka/protocol/errors';
import {
  BATCH_HEADER_SIZE,
  BatchAttributes,
  type BatchHeader,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  computeBatchCrc,
  readHeaderFields,
} from '../../kafka/records/batch-header';
import { COMPRESSION_NAMES, type CompressionType, decompress, isCompressionType } from '../../kafka/records/compression';
import { legacyMessagesToBatches } from '../../kafka/records/convert';
import { ChecksumMismatchError, DecompressionError, DecompressionLimitError } from '../../kafka/records/errors';
import { decodeMessageSet } from '../../kafka/records/message-set';
import { RecordFramingError, type RecordWalk, walkRecords } from '../../kafka/records/record-walk';
import { CorruptRecordError, InvalidRecordError, InvalidTimestampError, RecordTooLargeError } from './errors';
import type { LogConfig } from './log-config';

/**
 * What a partition accepts into its log, checked before anything is written (Kafka's LogValidator and
 * the checks of UnifiedLog.analyzeAndValidateRecords). Pure: it reads the records, never changes them,
 * and throws a {@link LogError} carrying the Kafka error code for the partition's response:
 *
 *   CORRUPT_MESSAGE    the bytes are damaged: a length field that runs past the data, a CRC that does not
 *                      match, compressed data its codec cannot decompress
 *   INVALID_RECORD     the bytes arrived as sent but do not make valid records: a record count that does not
 *                      match the records (a gzip batch claiming 7 records holding 2), record lengths or
 *                      varints that do not add up, bytes left over, offset deltas out of sequence, control
 *                      batches from a client, a compressed message inside a compressed legacy wrapper,
 *                      records without a key on a compacted topic
 *   MESSAGE_TOO_LARGE  a batch larger than max.message.bytes, or compressed records that inflate beyond
 *                      {@link decompressedLimit} (decompression bombs: the codecs stop at the limit, so no
 *                      more than that is ever allocated)
 *   INVALID_TIMESTAMP  a CreateTime timestamp outside message.timestamp.before/after.max.ms, or a producer
 *                      setting LogAppendTime on a CreateTime topic
 *
 * Leader appends (`client`) get every check, records included: compressed batches are decompressed
 * (bounded) and every record is walked without copying keys or values (as Kafka's skipKeyValueIterator
 * does). Legacy message sets (magic 0/1, Produce v0-2) are checked the same way and converted into
 * record batches. Follower appends (`replication`) get the envelope checks only (lengths, magic, CRC):
 * their leader validated the records.
 */

/**
 * Who appends: a producer (`client`: every check), a follower (`replication`: the envelope only), or the
 * broker's own coordinators (`coordinator`: transaction markers and transactional offset commits, which
 * the broker built itself; control batches allowed, as Kafka's AppendOrigin.COORDINATOR).
 */
export type AppendOrigin = 'client' | 'replication' | 'coordinator';

/** The topic configs the checks read. */
export type ValidationConfig = Pick<
  LogConfig,
  'maxMessageBytes' | 'cleanupPolicy' | 'messageTimestampType' | 'messageTimestampBeforeMaxMs' | 'messageTimestampAfterMaxMs'
>;

export interface ValidationContext {
  config: ValidationConfig;
  origin: AppendOrigin;
  /** What the whole request may still decompress, shared by its partitions (the produce handler's). */
  budget?: DecompressionBudget;
  /** Broker time, for the timestamp bounds. */
  now: number;
  /** `topic-partition`, for messages (as Kafka's errors name it). */
  partition?: string;
}

export interface ValidatedBatch {
  /** Position of the batch in {@link ValidatedRecords.records}. */
  position: number;
  /** Its size in bytes, log overhead included. */
  size: number;
  header: BatchHeader;
  /**
   * The largest record timestamp, computed from the records (client appends of CreateTime batches), or
   * the header's maxTimestamp where the records were not read.
   */
  maxTimestamp: number;
}

export interface ValidatedRecords {
  /** Record batches (v2): the input itself, or the record batches a legacy message set became. */
  records: Buffer;
  batches: ValidatedBatch[];
  recordCount: number;
  /** The input was a legacy message set (magic 0/1), converted. */
  converted: boolean;
}

/** A compressed batch may inflate to this many times max.message.bytes... */
export const DECOMPRESSION_FACTOR = 64;
/** ...but to no less than this... */
export const MIN_DECOMPRESSED_LIMIT = 1 << 20;
/** ...and no more than this, whatever max.message.bytes is. */
export const MAX_DECOMPRESSED_LIMIT = 256 << 20;

/** What one Produce request may decompress in all, across its partitions. */
export const REQUEST_DECOMPRESSION_BUDGET = 256 << 20;

/**
 * The decompression one request may still do. Each batch is bounded by {@link decompressedLimit}, but a
 * request of 100 partitions could carry 100 bombs, each inflated up to that limit before it is refused:
 * the event loop (every broker, every client of the process) would wait for all of it. So the
 * partitions of a request share this budget; work done on a refused batch counts too. Beyond it,
 * batches are refused with MESSAGE_TOO_LARGE (a Java producer splits its batches and sends them again).
 */
export class DecompressionBudget {
  constructor(public remaining = REQUEST_DECOMPRESSION_BUDGET) {}

  charge(bytes: number): void {
    this.remaining = Math.max(0, this.remaining - bytes);
  }
}

/**
 * How many bytes the records of one compressed batch (or legacy wrapper message) may decompress to:
 * 64 × max.message.bytes, within [1 MiB, 256 MiB] (64 MiB with Kafka's default of about 1 MiB).
 * Real producers rarely exceed 10:1; 1 GiB of zeros compressed by zstd into 32 KB does not pass.
 */
export function decompressedLimit(maxMessageBytes: number): number {
  return Math.min(MAX_DECOMPRESSED_LIMIT, Math.max(MIN_DECOMPRESSED_LIMIT, maxMessageBytes * DECOMPRESSION_FACTOR));
}

/** Smallest legacy message: crc, magic, attributes, key and value lengths. */
const MIN_LEGACY_MESSAGE = 14;

/**
 * Validates the records of one append. Returns the batches to write (the input, or the converted legacy
 * set) with their headers; throws a LogError (CorruptRecordError, InvalidRecordError, RecordTooLargeError,
 * InvalidTimestampError) naming the batch and the problem.
 */
export function validateRecords(records: Buffer, context: ValidationContext): ValidatedRecords {
  if (records.length === 0) {
    if (context.origin === 'client') throw new CorruptRecordError('The request holds no record batch.');
    return { records, batches: [], recordCount: 0, converted: false };
  }
  if (records.length > MAGIC_OFFSET && (records[MAGIC_OFFSET] === 0 || records[MAGIC_OFFSET] === 1)) {
    if (context.origin !== 'client') throw new InvalidRecordError(`legacy message sets (magic ${records[MAGIC_OFFSET]}) cannot be replicated`, 0);
    return validateLegacy(records, context);
  }
  const batches: ValidatedBatch[] = [];
  let recordCount = 0;
  let position = 0;
  while (position < records.length) {
    const index = batches.length;
    const header = checkEnvelope(records, position, index, context);
    const size = header.batchLength + LOG_OVERHEAD;
    let maxTimestamp = header.maxTimestamp;
    if (context.origin === 'client') maxTimestamp = checkClientBatch(records, position, header, index, context);
    batches.push({ position, size, header, maxTimestamp });
    recordCount += header.recordCount;
    position += size;
  }
  return { records, batches, recordCount, converted: false };
}

// ---------------------------------------------------------------------------------------------------
// Record batches (magic 2)

/** Lengths, magic, size and CRC of the batch at `position`: what every append checks. */
function checkEnvelope(records: Buffer, position: number, index: number, context: ValidationContext): BatchHeader {
  const available = records.length - position;
  if (available > MAGIC_OFFSET) {
    const magic = records.readInt8(position + MAGIC_OFFSET);
    if (magic < 0 || magic > 2) throw new CorruptRecordError(`batch ${index}: invalid magic ${magic}`, index);
    if (magic !== 2) {
      throw new InvalidRecordError(`batch ${index}: magic ${magic} after record batches of magic 2 (one append holds one message format)`, index);
    }
  }
  if (available < BATCH_HEADER_SIZE) {
    throw new CorruptRecordError(`batch ${index}: truncated, ${available} bytes left where a ${BATCH_HEADER_SIZE}-byte batch header should be`, index);
  }
  let header: BatchHeader;
  try {
    header = readHeaderFields(records, position);
  } catch (error) {
    if (error instanceof ProtocolDecodeError) throw new CorruptRecordError(`batch ${index}: ${error.message}`, index);
    throw error;
  }
  const size = header.batchLength + LOG_OVERHEAD;
  if (size > available) {
    throw new CorruptRecordError(`batch ${index}: truncated, its length field says ${size} bytes but ${available} are present`, index);
  }
  if (context.origin === 'client' && size > context.config.maxMessageBytes) {
    throw new RecordTooLargeError(`batch ${index} of ${size} bytes exceeds max.message.bytes (${context.config.maxMessageBytes})${where(context)}`);
  }
  const crc = computeBatchCrc(records, position, header.batchLength);
  if (crc !== header.crc) {
    throw new CorruptRecordError(
      `batch ${index} (baseOffset ${header.baseOffset}) failed its CRC-32C check: stored ${hex(header.crc)}, computed ${hex(crc)}`,
      index,
    );
  }
  if (header.lastOffsetDelta < 0 || header.recordCount < 0) {
    throw new InvalidRecordError(`batch ${index}: negative lastOffsetDelta ${header.lastOffsetDelta} or record count ${header.recordCount}`, index);
  }
  return header;
}

/** Everything a producer's batch must satisfy beyond its envelope. Returns its records' largest timestamp. */
function checkClientBatch(records: Buffer, position: number, header: BatchHeader, index: number, context: ValidationContext): number {
  const { config } = context;
  if (header.recordCount === 0 || header.recordCount !== header.lastOffsetDelta + 1) {
    throw new InvalidRecordError(
      `batch ${index}: record count ${header.recordCount} does not match its offset range (lastOffsetDelta ${header.lastOffsetDelta})${where(context)}`,
      index,
    );
  }
  const control = (header.attributes & BatchAttributes.Control) !== 0;
  if (control) throw new InvalidRecordError(`batch ${index}: clients are not allowed to write control records${where(context)}`, index);
  if (header.producerId >= 0 && header.baseSequence < 0) {
    throw new InvalidRecordError(`batch ${index}: invalid sequence number ${header.baseSequence} for producer id ${header.producerId}${where(context)}`, index);
  }
  const createTime = config.messageTimestampType === 'CreateTime';
  if (createTime && (header.attributes & BatchAttributes.TimestampTypeLogAppend) !== 0) {
    throw new InvalidTimestampError(`batch ${index}: producers may not set the timestamp type to LogAppendTime; the topic uses CreateTime${where(context)}`);
  }
  return checkRecords(records, position, header, index, context, {
    offsets: 'sequential',
    requireKey: config.cleanupPolicy.includes('compact'),
    timestamps: createTime
      ? { base: header.baseTimestamp, min: context.now - config.messageTimestampBeforeMaxMs, max: context.now + config.messageTimestampAfterMaxMs }
      : null,
  });
}

/** Decompresses the batch's records if need be and walks them; returns their largest timestamp. */
function checkRecords(records: Buffer, position: number, header: BatchHeader, index: number, context: ValidationContext, walk: RecordWalk): number {
  const codec = header.attributes & BatchAttributes.CompressionMask;
  if (!isCompressionType(codec)) throw new InvalidRecordError(`batch ${index}: unknown compression codec ${codec}`, index);
  const start = position + BATCH_HEADER_SIZE;
  const end = position + header.batchLength + LOG_OVERHEAD;
  let data = records;
  let from = start;
  let to = end;
  if (codec !== 0) {
    data = inflate(codec, records.subarray(start, end), index, context);
    from = 0;
    to = data.length;
  }
  try {
    return walkRecords(data, from, to, header, walk);
  } catch (error) {
    if (error instanceof RecordFramingError) {
      const what = codec === 0 ? '' : ` (${COMPRESSION_NAMES[codec]}-compressed, ${to} bytes decompressed)`;
      const message = `batch ${index}${what}: ${error.message}${where(context)}`;
      if (error.kind === 'timestamp') throw new InvalidTimestampError(message);
      throw new InvalidRecordError(message, index);
    }
    throw error;
  }
}

/**
 * Whether a batch already in the log can be read: what a reader needs, not what a producer must send
 * (the log may hold compacted batches, control batches, old timestamps). Its envelope and CRC, then its
 * records: exactly the declared count, well framed, offset deltas increasing within the batch's range,
 * compressed data decompressing within the topic's limit. Throws a LogError saying what is wrong.
 * For batches written before appends were validated (log/read-check.ts).
 */
export function checkStoredBatch(records: Buffer, position: number, config: Pick<ValidationConfig, 'maxMessageBytes'>): BatchHeader {
  const context: ValidationContext = {
    config: {
      maxMessageBytes: config.maxMessageBytes,
      cleanupPolicy: [],
      messageTimestampType: 'CreateTime',
      messageTimestampBeforeMaxMs: 0,
      messageTimestampAfterMaxMs: 0,
    },
    origin: 'replication',
    now: 0,
  };
  const header = checkEnvelope(records, position, 0, context);
  checkRecords(records, position, header, 0, context, { offsets: 'increasing', requireKey: false, timestamps: null });
  return header;
}

/** Decompresses a batch's records within the topic's limit, answering the Kafka error for each failure. */
function inflate(codec: CompressionType, compressed: Buffer, index: number, context: ValidationContext): Buffer {
  const limit = decompressedLimit(context.config.maxMessageBytes);
  const budget = context.budget;
  const cap = budget ? Math.min(limit, budget.remaining) : limit;
  const name = COMPRESSION_NAMES[codec];
  try {
    const data = decompress(codec, compressed, cap);
    budget?.charge(data.length);
    return data;
  } catch (error) {
    if (error instanceof DecompressionLimitError) {
      budget?.charge(cap); // the codec produced that much before it stopped
      if (cap < limit) throw requestBudgetError(index, compressed.length, name, context);
      throw new RecordTooLargeError(
        `batch ${index}: its ${compressed.length} bytes of ${name} data decompress to more than ${limit} bytes, ` +
          `the limit for this topic (${DECOMPRESSION_FACTOR} × max.message.bytes, at most ${MAX_DECOMPRESSED_LIMIT} bytes)${where(context)}`,
      );
    }
    if (error instanceof ProtocolDecodeError) {
      budget?.charge(compressed.length);
      throw new CorruptRecordError(`batch ${index}: its ${name} data cannot be decompressed: ${stripPosition(error.message)}${where(context)}`, index);
    }
    throw error;
  }
}

function requestBudgetError(index: number, compressedBytes: number, name: string, context: ValidationContext): RecordTooLargeError {
  return new RecordTooLargeError(
    `batch ${index}: its ${compressedBytes} bytes of ${name} data would take the request's batches together past ${REQUEST_DECOMPRESSION_BUDGET} decompressed bytes, ` +
      `the most one produce request may inflate; send fewer batches per request${where(context)}`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Legacy message sets (magic 0/1)

/**
 * A Produce v0-2 message set: each entry within max.message.bytes, one magic throughout, every message's
 * CRC-32 (inner messages of compressed wrappers too), wrappers decompressed within the topic's limit,
 * inner messages well framed and not themselves compressed, keys and timestamps as for batches. Then
 * converted into record batches (the log stores magic 2 only), offsets to be assigned by the append.
 */
function validateLegacy(records: Buffer, context: ValidationContext): ValidatedRecords {
  const { config } = context;
  let magic = -1;
  let at = 0;
  for (let index = 0; at < records.length; index++) {
    const available = records.length - at;
    if (available < LOG_OVERHEAD)
      throw new CorruptRecordError(`message ${index}: truncated, ${available} bytes left where an offset and a size should be`, index);
    const size = records.readInt32BE(at + 8);
    if (size < MIN_LEGACY_MESSAGE) throw new CorruptRecordError(`message ${index}: size ${size} is smaller than any message`, index);
    if (size > available - LOG_OVERHEAD) {
      throw new CorruptRecordError(`message ${index}: truncated, its size field says ${size} bytes but ${available - LOG_OVERHEAD} are present`, index);
    }
    if (LOG_OVERHEAD + size > config.maxMessageBytes) {
      throw new RecordTooLargeError(`message ${index} of ${LOG_OVERHEAD + size} bytes exceeds max.message.bytes (${config.maxMessageBytes})${where(context)}`);
    }
    const entryMagic = records.readInt8(at + MAGIC_OFFSET);
    if (entryMagic > 2 || entryMagic < 0) throw new CorruptRecordError(`message ${index}: invalid magic ${entryMagic}`, index);
    if (entryMagic === 2) throw new InvalidRecordError(`message ${index}: a record batch (magic 2) in a message set of magic 0/1`, index);
    if (magic >= 0 && entryMagic !== magic) throw new InvalidRecordError(`message ${index}: magic ${entryMagic} after messages of magic ${magic}`, index);
    magic = entryMagic;
    at += LOG_OVERHEAD + size;
  }
  let messages;
  const limit = decompressedLimit(config.maxMessageBytes);
  const cap = context.budget ? Math.min(limit, context.budget.remaining) : limit;
  try {
    messages = decodeMessageSet(records, { verifyCrc: true, maxDecompressedBytes: cap }).messages;
    let inflated = 0;
    for (const m of messages) inflated += (m.key?.length ?? 0) + (m.value?.length ?? 0) + MIN_LEGACY_MESSAGE;
    context.budget?.charge(inflated);
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) throw error;
    context.budget?.charge(error instanceof DecompressionLimitError ? cap : records.length);
    const message = `legacy message set (magic ${magic}): ${stripPosition(error.message)}${where(context)}`;
    if (error instanceof DecompressionLimitError && cap < limit) throw requestBudgetError(0, records.length, 'compressed', context);
    if (error instanceof DecompressionLimitError) throw new RecordTooLargeError(message);
    if (error instanceof ChecksumMismatchError || error instanceof DecompressionError) throw new CorruptRecordError(message);
    throw new InvalidRecordError(message);
  }
  const requireKey = config.cleanupPolicy.includes('compact');
  const createTime = config.messageTimestampType === 'CreateTime';
  const min = context.now - config.messageTimestampBeforeMaxMs;
  const max = context.now + config.messageTimestampAfterMaxMs;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (requireKey && m.key === null) {
      throw new InvalidRecordError(`message ${i} has no key: compacted topic cannot accept message without key${where(context)}`);
    }
    if (createTime && m.timestampType === 1) {
      throw new InvalidTimestampError(`message ${i}: producers may not set the timestamp type to LogAppendTime; the topic uses CreateTime${where(context)}`);
    }
    if (createTime && m.timestamp !== -1 && (m.timestamp < min || m.timestamp > max)) {
      throw new InvalidTimestampError(`message ${i}: timestamp ${m.timestamp} is out of range; it should be within [${min}, ${max}]${where(context)}`);
    }
  }
  const converted = legacyMessagesToBatches(messages);
  const batches: ValidatedBatch[] = [];
  for (let position = 0; position < converted.length;) {
    const header = readHeaderFields(converted, position);
    const size = header.batchLength + LOG_OVERHEAD;
    batches.push({ position, size, header, maxTimestamp: header.maxTimestamp });
    position += size;
  }
  return { records: converted, batches, recordCount: messages.length, converted: true };
}

// ---------------------------------------------------------------------------------------------------

function where(context: ValidationContext): string {
  return context.partition ? ` in topic partition ${context.partition}` : '';
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function stripPosition(message: string): string {
  return message.replace(/ \(at byte \d+\)$/, '');
}

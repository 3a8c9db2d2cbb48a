/**
 * Typed errors of the storage layer. Each carries the Kafka error code a handler should put in the
 * per-partition response (`error.code`), so handlers map them with `err instanceof LogError ? err.code : -1`.
 * Anything else thrown from the log is a bug or an I/O failure (map to KAFKA_STORAGE_ERROR / UNKNOWN_SERVER_ERROR).
 */
export class LogError extends Error {
  constructor(
    message: string,
    /** Kafka protocol error code (errors.json). */
    readonly code: number,
    /** Kafka's error name, e.g. CORRUPT_MESSAGE. */
    readonly errorName: string,
  ) {
    super(message);
  }
}

/** A batch failed its CRC, is truncated, or its length fields are inconsistent (CORRUPT_MESSAGE, 2). */
export class CorruptRecordError extends LogError {
  override readonly name = 'CorruptRecordError';
  constructor(
    message: string,
    /** Index of the offending batch in the appended buffer. */
    readonly batchIndex = -1,
  ) {
    super(message, 2, 'CORRUPT_MESSAGE');
  }
}

/** A well-formed batch the broker refuses: wrong magic, bad offset range, inconsistent counts (INVALID_RECORD, 87). */
export class InvalidRecordError extends LogError {
  override readonly name = 'InvalidRecordError';
  constructor(
    message: string,
    readonly batchIndex = -1,
  ) {
    super(message, 87, 'INVALID_RECORD');
  }
}

/** A batch larger than max.message.bytes (MESSAGE_TOO_LARGE, 10). */
export class RecordTooLargeError extends LogError {
  override readonly name = 'RecordTooLargeError';
  constructor(message: string) {
    super(message, 10, 'MESSAGE_TOO_LARGE');
  }
}

/** A CreateTime timestamp outside message.timestamp.before/after.max.ms (INVALID_TIMESTAMP, 32). */
export class InvalidTimestampError extends LogError {
  override readonly name = 'InvalidTimestampError';
  constructor(message: string) {
    super(message, 32, 'INVALID_TIMESTAMP');
  }
}

/** A fetch, DeleteRecords or ListOffsets outside [logStartOffset, logEndOffset] (OFFSET_OUT_OF_RANGE, 1). */
export class OffsetOutOfRangeError extends LogError {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(
    message: string,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(message, 1, 'OFFSET_OUT_OF_RANGE');
  }
}

/**
 * A follower (assignOffsets: false) appended batches whose offsets are not increasing or start below the
 * log end offset. Internal to replication: the fetcher should truncate and refetch (UNKNOWN_SERVER_ERROR, -1).
 */
export class UnexpectedAppendOffsetError extends LogError {
  override readonly name = 'UnexpectedAppendOffsetError';
  constructor(
    message: string,
    readonly firstOffset: number,
    readonly logEndOffset: number,
  ) {
    super(message, -1, 'UNKNOWN_SERVER_ERROR');
  }
}

/** The log was closed or deleted, or the disk failed (KAFKA_STORAGE_ERROR, 56). */
export class KafkaStorageError extends LogError {
  override readonly name = 'KafkaStorageError';
  constructor(message: string) {
    super(message, 56, 'KAFKA_STORAGE_ERROR');
  }
}

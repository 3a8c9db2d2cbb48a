/**
 * Raised when bytes on the wire do not form a valid Kafka message: truncated input, a negative or
 * oversized length, a varint longer than its type allows, an unknown version. Decoders throw only
 * this type for bad input, so the server can tell malformed frames (close the connection, log why)
 * from bugs.
 */
export class ProtocolDecodeError extends Error {
  override readonly name: string = 'ProtocolDecodeError';

  constructor(
    message: string,
    /** Byte offset in the buffer being read where the problem was found. */
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
  }
}

/** Raised when a value cannot be encoded in the requested version (a bug in the caller, not bad input). */
export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';
}

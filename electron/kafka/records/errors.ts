import { ProtocolDecodeError } from '../protocol/errors';

/**
 * Kinds of bad record bytes, so a validator can answer the right Kafka error: damaged bytes
 * (CORRUPT_MESSAGE) are told apart from well-transmitted bytes that do not make valid records
 * (INVALID_RECORD) and from data that inflates beyond a limit (MESSAGE_TOO_LARGE). Every one is a
 * {@link ProtocolDecodeError}, so callers that only care about "bad input" need not change.
 */

/** A batch or legacy message whose stored checksum does not match its bytes. */
export class ChecksumMismatchError extends ProtocolDecodeError {
  override readonly name: string = 'ChecksumMismatchError';
}

/** Compressed data the codec cannot decompress (garbage, truncation, a codec feature not supported). */
export class DecompressionError extends ProtocolDecodeError {
  override readonly name: string = 'DecompressionError';
}

/** Compressed data that would decompress to more than the caller's limit (a decompression bomb). */
export class DecompressionLimitError extends DecompressionError {
  override readonly name: string = 'DecompressionLimitError';

  constructor(
    message: string,
    offset: number,
    /** The limit, in bytes, the output would have exceeded. */
    readonly limit: number,
  ) {
    super(message, offset);
  }
}

/** The same kind of error with a message prefix and a position re-anchored on an enclosing buffer. */
export function withContext(error: ProtocolDecodeError, prefix: string, offset: number): ProtocolDecodeError {
  const message = `${prefix}${error.message.replace(/ \(at byte \d+\)$/, '')}`;
  if (error instanceof DecompressionLimitError) return new DecompressionLimitError(message, offset, error.limit);
  if (error instanceof DecompressionError) return new DecompressionError(message, offset);
  if (error instanceof ChecksumMismatchError) return new ChecksumMismatchError(message, offset);
  return new ProtocolDecodeError(message, offset);
}

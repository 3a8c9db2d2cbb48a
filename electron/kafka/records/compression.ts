import { gunzipSync, gzipSync } from 'node:zlib';
import { ProtocolDecodeError, ProtocolEncodeError } from '../protocol/errors';
import { DecompressionError, DecompressionLimitError, withContext } from './errors';
import { lz4CompressFrame, lz4DecompressFrame } from './lz4';
import { snappyCompressXerial, snappyDecompress } from './snappy';
import { initZstd, zstdCompress, zstdDecompress } from './zstd';

/**
 * The compression codecs of Kafka records, by the number in the low three bits of a batch's (or legacy
 * message's) attributes:
 *
 *   gzip   node:zlib
 *   snappy `snappy` (napi-rs) for raw blocks, xerial framing written and read here
 *   lz4    LZ4 frame: `lz4-napi` compresses, our bounded decoder in lz4.ts decompresses
 *   zstd   `@bokuweb/zstd-wasm`, loaded asynchronously: await {@link initCompression} at startup
 *
 * Decompression never produces more than `maxOutputBytes`: decompression bombs fail with a
 * {@link DecompressionLimitError} before more is allocated, malformed input with a
 * {@link DecompressionError} (both are ProtocolDecodeErrors).
 */
export const CompressionType = {
  None: 0,
  Gzip: 1,
  Snappy: 2,
  Lz4: 3,
  Zstd: 4,
} as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

/** Kafka's names of the codecs (its compression.type values), indexed by {@link CompressionType}. */
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type CompressionName = (typeof COMPRESSION_NAMES)[CompressionType];

/** Default cap on the decompressed size of one batch or wrapper message: 64 MiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export function isCompressionType(value: number): value is CompressionType {
  return Number.isInteger(value) && value >= 0 && value <= 4;
}

/** Resolves when every codec can be used (zstd's WebAssembly is loaded). Call once at startup. */
export function initCompression(): Promise<void> {
  return initZstd();
}

export function compress(codec: CompressionType, data: Buffer): Buffer {
  switch (codec) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipSync(data);
    case CompressionType.Snappy:
      return snappyCompressXerial(data);
    case CompressionType.Lz4:
      return lz4CompressFrame(data);
    case CompressionType.Zstd:
      return zstdCompress(data);
    default:
      throw new ProtocolEncodeError(`unknown compression type ${codec as number}`);
  }
}

/**
 * Decompresses `data` compressed with `codec`, producing at most `maxOutputBytes` bytes. `at` is the
 * offset of `data` in the enclosing buffer, used in error positions. Throws DecompressionLimitError for
 * output beyond the limit, DecompressionError for anything the codec cannot read.
 */
export function decompress(codec: number, data: Buffer, maxOutputBytes = DEFAULT_MAX_DECOMPRESSED_BYTES, at = 0): Buffer {
  try {
    switch (codec) {
      case CompressionType.None:
        if (data.length > maxOutputBytes)
          throw new DecompressionLimitError(`data of ${data.length} bytes exceeds the limit of ${maxOutputBytes} bytes`, 0, maxOutputBytes);
        return data;
      case CompressionType.Gzip:
        return gunzip(data, maxOutputBytes);
      case CompressionType.Snappy:
        return snappyDecompress(data, maxOutputBytes);
      case CompressionType.Lz4:
        return lz4DecompressFrame(data, maxOutputBytes);
      case CompressionType.Zstd:
        return zstdDecompress(data, maxOutputBytes);
      default:
        throw new DecompressionError(`unknown compression type ${codec}`, 0);
    }
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) throw error;
    // Codecs report positions in `data`: re-anchor them on the enclosing buffer, and make every
    // failure of a codec a DecompressionError.
    const kind = error instanceof DecompressionError ? error : new DecompressionError(error.message.replace(/ \(at byte \d+\)$/, ''), error.offset);
    throw at === 0 ? kind : withContext(kind, '', at + kind.offset);
  }
}

function gunzip(data: Buffer, maxOutputBytes: number): Buffer {
  let out: Buffer;
  try {
    out = gunzipSync(data, { maxOutputLength: Math.max(maxOutputBytes, 1) });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new DecompressionLimitError(`gzip data decompresses to more than the limit of ${maxOutputBytes} bytes`, 0, maxOutputBytes);
    }
    throw new DecompressionError(`invalid gzip data: ${e.message}`, 0);
  }
  if (out.length > maxOutputBytes)
    throw new DecompressionLimitError(`gzip data decompresses to more than the limit of ${maxOutputBytes} bytes`, 0, maxOutputBytes);
  return out;
}

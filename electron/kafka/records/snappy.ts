import { compressSync, uncompressSync } from 'snappy';
import { ProtocolDecodeError } from '../protocol/errors';
import { DecompressionLimitError } from './errors';

/**
 * Snappy as Kafka clients write it. The Java client wraps raw snappy blocks in xerial's framing:
 *
 *   0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 | version INT32 (1) | compatible version INT32 (1) |
 *   then chunks of: compressed length INT32 (big-endian) | raw snappy block
 *
 * librdkafka reads that and may itself write one plain raw snappy block. We decode both and encode the
 * xerial framing, like the Java client. Raw blocks go through the `snappy` package (napi-rs, native).
 *
 * Every raw block starts with its uncompressed length (a varint), which is checked against the caller's
 * limit before the block is decompressed, so the output never exceeds the limit.
 */

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** xerial's default block size, what Kafka's Java producer uses. */
const XERIAL_CHUNK_SIZE = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** Compresses into xerial framing: header, then 32 KiB input chunks, each a length-prefixed raw block. */
export function snappyCompressXerial(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  let total = XERIAL_HEADER_SIZE;
  for (let at = 0; at < data.length; at += XERIAL_CHUNK_SIZE) {
    const block = compressSync(data.subarray(at, Math.min(data.length, at + XERIAL_CHUNK_SIZE)));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
    total += 4 + block.length;
  }
  return Buffer.concat(parts, total);
}

/** One plain raw snappy block, as librdkafka may write. */
export function snappyCompressRaw(data: Buffer): Buffer {
  return compressSync(data);
}

/** The uncompressed length a raw snappy block declares in its varint preamble. */
function rawLength(block: Buffer, at: number): number {
  let result = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) break;
    const byte = block[i]!;
    result += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return result;
  }
  throw new ProtocolDecodeError('invalid snappy block: bad uncompressed length preamble', at);
}

function decompressRaw(block: Buffer, at: number, budget: number, max: number): Buffer {
  const length = rawLength(block, at);
  if (length > budget) throw new DecompressionLimitError(`snappy data decompresses to more than the limit of ${max} bytes`, at, max);
  try {
    return uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (error) {
    throw new ProtocolDecodeError(`invalid snappy block: ${(error as Error).message}`, at);
  }
}

/** Decompresses xerial-framed or raw snappy data, producing at most `maxOutputBytes` bytes. */
export function snappyDecompress(data: Buffer, maxOutputBytes: number): Buffer {
  if (!isXerialFramed(data)) return decompressRaw(data, 0, maxOutputBytes, maxOutputBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_SIZE;
  while (at < data.length) {
    if (at + 4 > data.length) throw new ProtocolDecodeError('truncated xerial snappy chunk length', at);
    // Concatenated xerial streams: a second header where a chunk length would be (which cannot start
    // with 0x82, a negative length).
    if (data[at] === XERIAL_MAGIC[0] && data.length - at >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, at, at + 8) === 0) {
      at += XERIAL_HEADER_SIZE;
      continue;
    }
    const size = data.readInt32BE(at);
    at += 4;
    if (size < 0 || size > data.length - at) {
      throw new ProtocolDecodeError(`truncated xerial snappy chunk: ${size} bytes declared, ${data.length - at} present`, at - 4);
    }
    const chunk = decompressRaw(data.subarray(at, at + size), at, maxOutputBytes - total, maxOutputBytes);
    parts.push(chunk);
    total += chunk.length;
    at += size;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

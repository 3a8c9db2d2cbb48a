import { compressFrameSync } from 'lz4-napi';
import { ProtocolDecodeError } from '../protocol/errors';
import { DecompressionLimitError } from './errors';
import { xxhash32 } from './xxhash32';

/**
 * LZ4 in the standard LZ4 frame format, which Kafka uses for record batch v2 and legacy v1 messages
 * (KIP-57). Legacy magic-0 messages written by Kafka < 0.10 carry a wrong header checksum (computed over
 * the magic number too); the decoder does not check the header checksum at all, so it reads both.
 * Integrity is covered by the batch CRC / message CRC around the compressed payload anyway.
 *
 * Compression goes through lz4-napi (lz4_flex, native): independent 4 MiB blocks, no checksums, no
 * content size — a frame Kafka's Java client and librdkafka both read. Decompression is our own: the
 * frame is walked block by block and every block is decoded in JavaScript into an output whose size is
 * capped by the caller's limit, so a hostile frame cannot make us allocate more than that limit.
 */

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MIN_MATCH = 4;

/**
 * Compresses `data` into one LZ4 frame. `brokenHeaderChecksum` writes the header checksum the way Kafka
 * before 0.10 did for magic-0 messages (over the magic number as well), which is what Kafka still writes
 * for magic 0 and what clients of that era check.
 */
export function lz4CompressFrame(data: Buffer, options: { brokenHeaderChecksum?: boolean } = {}): Buffer {
  const frame = compressFrameSync(data);
  if (options.brokenHeaderChecksum) {
    const hc = headerChecksumPosition(frame);
    frame[hc] = (xxhash32(frame, 0, hc) >>> 8) & 0xff;
  }
  return frame;
}

/** Position of the header checksum byte of the frame at the start of `frame`. */
export function headerChecksumPosition(frame: Buffer): number {
  const flg = frame[4]!;
  return 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
}

/** The correct header checksum of the frame at the start of `frame`. */
export function lz4HeaderChecksum(frame: Buffer): number {
  return (xxhash32(frame, 4, headerChecksumPosition(frame)) >>> 8) & 0xff;
}

/** Growable output buffer with a hard limit. */
interface Output {
  buf: Buffer;
  pos: number;
  readonly max: number;
}

function bombError(max: number, at: number): ProtocolDecodeError {
  return new DecompressionLimitError(`lz4 data decompresses to more than the limit of ${max} bytes`, at, max);
}

/** Makes room for `bytes` more bytes, never beyond `out.max`. */
function reserve(out: Output, bytes: number, at: number): void {
  const need = out.pos + bytes;
  if (need <= out.buf.length) return;
  if (need > out.max) throw bombError(out.max, at);
  const grown = Buffer.allocUnsafe(Math.min(out.max, Math.max(need, out.buf.length * 2)));
  out.buf.copy(grown, 0, 0, out.pos);
  out.buf = grown;
}

/**
 * Decodes one LZ4 block (`src[start, end)`) into `out`, producing at most `blockMax` bytes. Matches may
 * reach back to `frameStart` (dependent blocks of the same frame), never before it.
 */
function decodeBlock(src: Buffer, start: number, end: number, out: Output, blockMax: number, frameStart: number): void {
  const limit = out.pos + Math.min(blockMax, out.max - out.pos);
  let dst = out.buf;
  let room = Math.min(limit, dst.length);
  let ip = start;
  let op = out.pos;
  for (;;) {
    if (ip >= end) throw new ProtocolDecodeError('lz4 block ends before its last literals', ip);
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= end) throw new ProtocolDecodeError('lz4 literal length runs past the block', ip);
        b = src[ip++]!;
        literals += b;
      } while (b === 255);
    }
    if (literals > end - ip) throw new ProtocolDecodeError(`lz4 literals (${literals} bytes) run past the block`, ip);
    if (op + literals > room) {
      if (op + literals > limit) throw overrun(out, blockMax, limit, ip);
      out.pos = op;
      reserve(out, literals, ip);
      dst = out.buf;
      room = Math.min(limit, dst.length);
    }
    if (literals < 16) {
      for (let i = 0; i < literals; i++) dst[op + i] = src[ip + i]!;
    } else {
      src.copy(dst, op, ip, ip + literals);
    }
    ip += literals;
    op += literals;
    if (ip === end) break; // the last sequence is literals only
    if (ip + 2 > end) throw new ProtocolDecodeError('lz4 match offset runs past the block', ip);
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op - frameStart) throw new ProtocolDecodeError(`lz4 match offset ${offset} points before the output`, ip - 2);
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (ip >= end) throw new ProtocolDecodeError('lz4 match length runs past the block', ip);
        b = src[ip++]!;
        length += b;
      } while (b === 255);
    }
    length += MIN_MATCH;
    if (op + length > room) {
      if (op + length > limit) throw overrun(out, blockMax, limit, ip);
      out.pos = op;
      reserve(out, length, ip);
      dst = out.buf;
      room = Math.min(limit, dst.length);
    }
    let from = op - offset;
    if (offset >= length) {
      if (length < 32) {
        for (let i = 0; i < length; i++) dst[op + i] = dst[from + i]!;
      } else {
        dst.copyWithin(op, from, from + length);
      }
      op += length;
    } else if (length < 32) {
      // Overlapping match: a repeating pattern, copied byte by byte.
      const stop = op + length;
      while (op < stop) dst[op++] = dst[from++]!;
    } else {
      // A long overlapping match repeats the last `offset` bytes: copy the pattern in spans that double
      // (each a multiple of the period), so a run of zeros costs a few copies, not a loop per byte.
      let span = offset;
      let left = length;
      while (left > 0) {
        const n = Math.min(span, left);
        dst.copyWithin(op, op - span, op - span + n);
        op += n;
        left -= n;
        span *= 2;
      }
    }
  }
  out.pos = op;
}

function overrun(out: Output, blockMax: number, limit: number, at: number): ProtocolDecodeError {
  if (limit === out.max) return bombError(out.max, at);
  return new ProtocolDecodeError(`lz4 block decompresses to more than its maximum block size ${blockMax}`, at);
}

const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

/**
 * Decompresses one or more concatenated LZ4 frames (skippable frames are skipped), producing at most
 * `maxOutputBytes` bytes. Header, block and content checksums are not verified.
 */
export function lz4DecompressFrame(src: Buffer, maxOutputBytes: number): Buffer {
  const out: Output = { buf: Buffer.allocUnsafe(Math.min(maxOutputBytes, Math.max(1024, src.length * 4))), pos: 0, max: maxOutputBytes };
  let ip = 0;
  if (src.length === 0) throw new ProtocolDecodeError('empty lz4 data', 0);
  while (ip < src.length) {
    const frameAt = ip;
    if (ip + 4 > src.length) throw new ProtocolDecodeError('truncated lz4 frame magic', ip);
    const magic = src.readUInt32LE(ip);
    ip += 4;
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (ip + 4 > src.length) throw new ProtocolDecodeError('truncated lz4 skippable frame', ip);
      const size = src.readUInt32LE(ip);
      ip += 4;
      if (size > src.length - ip) throw new ProtocolDecodeError('truncated lz4 skippable frame', ip);
      ip += size;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new ProtocolDecodeError(`not an lz4 frame: magic 0x${magic.toString(16)}`, frameAt);
    if (ip + 3 > src.length) throw new ProtocolDecodeError('truncated lz4 frame descriptor', ip);
    const flg = src[ip++]!;
    const bd = src[ip++]!;
    if (flg >>> 6 !== 1) throw new ProtocolDecodeError(`unsupported lz4 frame version ${flg >>> 6}`, ip - 2);
    if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw new ProtocolDecodeError('lz4 frame descriptor has reserved bits set', ip - 2);
    const blockMax = BLOCK_MAX_SIZES[(bd >>> 4) & 7];
    if (blockMax === undefined) throw new ProtocolDecodeError(`lz4 frame has an invalid block maximum size code ${(bd >>> 4) & 7}`, ip - 1);
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSizeFlag = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    if (dictId) throw new ProtocolDecodeError('lz4 frames with a dictionary are not supported', ip - 2);
    if (contentSizeFlag) {
      if (ip + 8 > src.length) throw new ProtocolDecodeError('truncated lz4 frame content size', ip);
      const contentSize = Number(src.readBigUInt64LE(ip));
      if (contentSize > out.max - out.pos) throw bombError(out.max, ip);
      reserve(out, contentSize, ip);
      ip += 8;
    }
    ip += 1; // header checksum: not verified (magic-0 Kafka messages carry a wrong one)
    if (ip > src.length) throw new ProtocolDecodeError('truncated lz4 frame header', ip);
    const frameStart = out.pos;
    for (;;) {
      if (ip + 4 > src.length) throw new ProtocolDecodeError('truncated lz4 block size', ip);
      const word = src.readUInt32LE(ip);
      ip += 4;
      if (word === 0) break; // end mark
      const size = word & 0x7fffffff;
      if (size > blockMax) throw new ProtocolDecodeError(`lz4 block of ${size} bytes exceeds the frame's maximum block size ${blockMax}`, ip - 4);
      if (size > src.length - ip) throw new ProtocolDecodeError(`truncated lz4 block: ${size} bytes declared, ${src.length - ip} present`, ip);
      if (word & 0x80000000) {
        reserve(out, size, ip);
        src.copy(out.buf, out.pos, ip, ip + size);
        out.pos += size;
      } else {
        decodeBlock(src, ip, ip + size, out, blockMax, frameStart);
      }
      ip += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) ip += 4;
    if (ip > src.length) throw new ProtocolDecodeError('truncated lz4 frame checksum', src.length);
  }
  return out.buf.subarray(0, out.pos);
}

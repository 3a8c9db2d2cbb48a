import { compress as wasmCompress, decompress as wasmDecompress, init as wasmInit } from '@bokuweb/zstd-wasm';
import { ProtocolDecodeError } from '../protocol/errors';
import { DecompressionLimitError } from './errors';

/**
 * Zstandard through @bokuweb/zstd-wasm (the reference C library compiled to WebAssembly, shipped inside
 * the npm package: nothing is built or downloaded at install, and it runs the same under Node and
 * Electron). Node 20's zlib has no zstd.
 *
 * WebAssembly is instantiated asynchronously, so the codec must be loaded before first use: loading
 * starts when this module is imported, and {@link initZstd} returns the promise the broker awaits at
 * startup. Using zstd before it is loaded throws.
 *
 * Decompression is bounded without streaming: every frame is walked in JavaScript first (frame header,
 * then the 3-byte header of each block). A frame's output is its declared content size when present,
 * and otherwise at most the sum of its blocks' maximum sizes; the wasm decoder is handed an output
 * buffer of that size, capped by what is left of the caller's limit, and fails rather than write past
 * it. So hostile input cannot make it allocate more than the limit.
 */

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_SIZE_MAX = 128 * 1024;
/** ZSTD_error_dstSize_tooSmall. */
const ERROR_DST_SIZE_TOO_SMALL = 70;
const COMPRESSION_LEVEL = 3;

let loaded = false;
let loading: Promise<void> | undefined;

/** Loads the zstd WebAssembly module (once); resolves when zstd can be used. */
export function initZstd(): Promise<void> {
  loading ??= wasmInit().then(() => {
    loaded = true;
  });
  return loading;
}

// Start loading right away so zstd is ready by the time a request needs it; failures surface through
// initZstd() and through the error thrown when zstd is used.
initZstd().catch(() => {});

export function isZstdReady(): boolean {
  return loaded;
}

function ensureLoaded(): void {
  if (!loaded) throw new Error('zstd codec not loaded yet: await initZstd() (or initCompression()) before using zstd');
}

export function zstdCompress(data: Buffer): Buffer {
  ensureLoaded();
  const out = wasmCompress(data, COMPRESSION_LEVEL);
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

interface Frame {
  start: number;
  end: number;
  /** Exact size when the frame declares it, else an upper bound from its blocks. */
  size: number;
  exact: boolean;
}

/** Walks the frame starting at `at` (its magic already checked) and returns where it ends and how big its output can be. */
function scanFrame(src: Buffer, start: number): Frame {
  let at = start + 4;
  if (at >= src.length) throw new ProtocolDecodeError('truncated zstd frame header', at);
  const descriptor = src[at++]!;
  const fcsFlag = descriptor >>> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  if ((descriptor & 0x08) !== 0) throw new ProtocolDecodeError('zstd frame header has its reserved bit set', at - 1);
  const checksum = (descriptor & 0x04) !== 0;
  const dictIdSize = [0, 1, 2, 4][descriptor & 0x03]!;
  const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  let windowSize = 0;
  if (!singleSegment) {
    if (at >= src.length) throw new ProtocolDecodeError('truncated zstd frame header', at);
    const wd = src[at++]!;
    const exponent = wd >>> 3;
    // 2^30 is the largest window a 32-bit decoder (the wasm build) accepts.
    if (exponent > 20) throw new ProtocolDecodeError(`zstd frame window too large (2^${10 + exponent} bytes)`, at - 1);
    const base = 2 ** (10 + exponent);
    windowSize = base + (base / 8) * (wd & 7);
  }
  if (at + dictIdSize + fcsSize > src.length) throw new ProtocolDecodeError('truncated zstd frame header', at);
  if (dictIdSize > 0 && src.readUIntLE(at, dictIdSize) !== 0) throw new ProtocolDecodeError('zstd frames with a dictionary are not supported', at);
  at += dictIdSize;
  let contentSize = -1;
  if (fcsSize === 1) contentSize = src[at]!;
  else if (fcsSize === 2) contentSize = src.readUInt16LE(at) + 256;
  else if (fcsSize === 4) contentSize = src.readUInt32LE(at);
  else if (fcsSize === 8) contentSize = Number(src.readBigUInt64LE(at));
  at += fcsSize;
  if (singleSegment) windowSize = contentSize;
  const blockMax = Math.min(windowSize, BLOCK_SIZE_MAX);
  let bound = 0;
  for (;;) {
    if (at + 3 > src.length) throw new ProtocolDecodeError('truncated zstd block header', at);
    const header = src.readUIntLE(at, 3);
    at += 3;
    const last = (header & 1) !== 0;
    const type = (header >>> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new ProtocolDecodeError('zstd block of reserved type', at - 3);
    if (size > BLOCK_SIZE_MAX) throw new ProtocolDecodeError(`zstd block of ${size} bytes exceeds the 128 KiB maximum`, at - 3);
    const stored = type === 1 ? 1 : size; // an RLE block stores one byte repeated `size` times
    if (stored > src.length - at) throw new ProtocolDecodeError(`truncated zstd block: ${stored} bytes declared, ${src.length - at} present`, at);
    at += stored;
    bound += type === 2 ? blockMax : size;
    if (last) break;
  }
  if (checksum) {
    if (at + 4 > src.length) throw new ProtocolDecodeError('truncated zstd frame checksum', at);
    at += 4;
  }
  return contentSize >= 0 ? { start, end: at, size: contentSize, exact: true } : { start, end: at, size: bound, exact: false };
}

function bombError(max: number, at: number): ProtocolDecodeError {
  return new DecompressionLimitError(`zstd data decompresses to more than the limit of ${max} bytes`, at, max);
}

/** zstd error code of a failed wasm call ("... with code N", N a negative or wrapped size_t). */
function errorCode(error: unknown): number {
  const match = /code (-?\d+)/.exec((error as Error)?.message ?? '');
  if (!match) return 0;
  const value = Number(match[1]);
  return value < 0 ? -value : 2 ** 32 - value;
}

/** Decompresses one or more concatenated zstd frames (skippable frames skipped), at most `maxOutputBytes` bytes. */
export function zstdDecompress(src: Buffer, maxOutputBytes: number): Buffer {
  ensureLoaded();
  if (src.length === 0) throw new ProtocolDecodeError('empty zstd data', 0);
  const parts: Buffer[] = [];
  let total = 0;
  let at = 0;
  while (at < src.length) {
    if (at + 4 > src.length) throw new ProtocolDecodeError('truncated zstd frame magic', at);
    const magic = src.readUInt32LE(at);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > src.length) throw new ProtocolDecodeError('truncated zstd skippable frame', at);
      const size = src.readUInt32LE(at + 4);
      if (size > src.length - at - 8) throw new ProtocolDecodeError('truncated zstd skippable frame', at);
      at += 8 + size;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new ProtocolDecodeError(`not a zstd frame: magic 0x${magic.toString(16)}`, at);
    const frame = scanFrame(src, at);
    const budget = maxOutputBytes - total;
    if (frame.exact && frame.size > budget) throw bombError(maxOutputBytes, at);
    const capacity = Math.min(frame.size, budget);
    let out: Uint8Array;
    try {
      // With a declared content size the decoder sizes its output from it (checked above); otherwise
      // it uses this capacity and fails with dstSize_tooSmall rather than exceed it.
      out = wasmDecompress(src.subarray(frame.start, frame.end), { defaultHeapSize: Math.max(capacity, 1) });
    } catch (error) {
      if (errorCode(error) === ERROR_DST_SIZE_TOO_SMALL && !frame.exact && capacity < frame.size) throw bombError(maxOutputBytes, at);
      throw new ProtocolDecodeError(`invalid zstd frame (zstd error ${errorCode(error)})`, at);
    }
    if (out.length > budget) throw bombError(maxOutputBytes, at);
    parts.push(Buffer.from(out.buffer, out.byteOffset, out.length));
    total += out.length;
    at = frame.end;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

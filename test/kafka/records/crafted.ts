/**
 * Hostile record bytes, built the way an attacker or a broken client would: record batches and legacy
 * messages whose checksums are right but whose contents are not (garbage compressed data, lying record
 * counts, records that do not add up) and decompression bombs for every codec, small on the wire and
 * huge once inflated. Shared by the validator, produce, fetch and message-browser tests.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, updateBatchCrc } from '../../../electron/kafka/records/batch-header';
import { CompressionType, compress } from '../../../electron/kafka/records/compression';
import { crc32 } from '../../../electron/kafka/records/crc32';
import { lz4CompressFrame } from '../../../electron/kafka/records/lz4';
import { encodeRecordBatch, type RecordInput } from '../../../electron/kafka/records/record-batch';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Deterministic pseudo-random bytes (xorshift32), so a failing case replays. */
export function noise(seed: number, length: number): Buffer {
  let x = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** `count` small records with values `<prefix>-<i>`. */
export function someRecords(count: number, prefix = 'valid', timestamp = Date.now()): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}-${i}`), timestamp: timestamp + i }));
}

/** The uncompressed records section (what a codec compresses) of a batch holding `records`. */
export function recordsSection(records: readonly RecordInput[]): Buffer {
  return encodeRecordBatch({ records }).subarray(BATCH_HEADER_SIZE);
}

export interface CraftOptions {
  codec: number;
  /** The bytes after the header: compressed data (or plain records for codec 0), taken as they are. */
  payload: Buffer;
  recordCount: number;
  /** Defaults to recordCount - 1, so the header agrees with itself. */
  lastOffsetDelta?: number;
  timestamp?: number;
  producerId?: number;
  baseSequence?: number;
  attributes?: number;
}

/** A RecordBatch v2 around `payload` with a correct CRC-32C, whatever the payload holds. */
export function craftBatch(options: CraftOptions): Buffer {
  const ts = options.timestamp ?? Date.now();
  const batch = Buffer.alloc(BATCH_HEADER_SIZE + options.payload.length);
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8);
  batch.writeInt32BE(-1, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(options.attributes ?? options.codec, 21);
  batch.writeInt32BE(options.lastOffsetDelta ?? options.recordCount - 1, 23);
  batch.writeBigInt64BE(BigInt(ts), 27);
  batch.writeBigInt64BE(BigInt(ts), 35);
  batch.writeBigInt64BE(BigInt(options.producerId ?? -1), 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(options.baseSequence ?? -1, 53);
  batch.writeInt32BE(options.recordCount, 57);
  options.payload.copy(batch, BATCH_HEADER_SIZE);
  updateBatchCrc(batch, 0);
  return batch;
}

/** A batch of `codec` whose records section is `records`, compressed for real. */
export function compressedBatch(codec: number, records: readonly RecordInput[], recordCount = records.length): Buffer {
  const section = recordsSection(records);
  return craftBatch({ codec, payload: codec === 0 ? section : compress(codec as CompressionType, section), recordCount, timestamp: records[0]?.timestamp });
}

// ---------------------------------------------------------------------------------------------------
// Decompression bombs

/**
 * zstd: `bytes` of zeros as RLE blocks of 128 KiB (4 bytes each): 1 GiB fits in 32 KB. With
 * `declareSize` the frame header states the content size, as `zstd` does for a file.
 */
export function zstdBomb(bytes: number, declareSize = false): Buffer {
  const blockSize = 128 * 1024;
  const blocks = Math.ceil(bytes / blockSize);
  // Frame header: magic, descriptor (0xc0: 8-byte content size; 0x00: none), window descriptor 0x38
  // (128 KiB), then the content size when declared.
  const head = Buffer.alloc(declareSize ? 14 : 6);
  head.writeUInt32LE(0xfd2fb528, 0);
  head[4] = declareSize ? 0xc0 : 0x00;
  head[5] = 0x38;
  if (declareSize) head.writeBigUInt64LE(BigInt(bytes), 6);
  const body = Buffer.alloc(blocks * 4);
  for (let i = 0; i < blocks; i++) {
    const size = Math.min(blockSize, bytes - i * blockSize);
    body.writeUIntLE((size << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0), i * 4, 3);
    body[i * 4 + 3] = 0;
  }
  return Buffer.concat([head, body]);
}

/** gzip: `mebibytes` MiB of zeros as that many concatenated gzip members of 1 MiB (about 1 KB each). */
export function gzipMembersBomb(mebibytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: mebibytes }, () => member));
}

/** gzip: one member holding `mebibytes` MiB of zeros (512 MiB compress to about 521 KB), streamed so it never sits in memory. */
export async function gzipBomb(mebibytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < mebibytes; i++) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

/** lz4: `frames` concatenated frames of 4 MiB of zeros (about 16 KB each). */
export function lz4Bomb(frames: number): Buffer {
  const frame = lz4CompressFrame(Buffer.alloc(4 * MiB));
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** lz4: a frame whose header declares `bytes` of content, followed by one tiny block. */
export function lz4DeclaredBomb(bytes: number): Buffer {
  const frame = Buffer.alloc(4 + 2 + 8 + 1 + 4 + 1 + 4);
  frame.writeUInt32LE(0x184d2204, 0);
  frame[4] = 0x68; // version 01, block independence, content size present
  frame[5] = 0x70; // 4 MiB blocks
  frame.writeBigUInt64LE(BigInt(bytes), 6);
  frame[14] = 0; // header checksum (not checked by the broker)
  frame.writeUInt32LE(0x80000001, 15); // one stored byte
  frame[19] = 0;
  frame.writeUInt32LE(0, 20); // end mark
  return frame;
}

/** snappy: a raw block whose length preamble claims `bytes` (a varint), then garbage. */
export function snappyLyingBlock(bytes: number): Buffer {
  const preamble: number[] = [];
  let v = bytes;
  while (v >= 0x80) {
    preamble.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  preamble.push(v);
  return Buffer.concat([Buffer.from(preamble), noise(5, 64)]);
}

/** snappy in xerial framing (as the Java producer writes) whose one chunk claims `bytes`. */
export function snappyXerialLying(bytes: number): Buffer {
  const header = Buffer.from('82534e41505059000000000100000001', 'hex');
  const block = snappyLyingBlock(bytes);
  const length = Buffer.alloc(4);
  length.writeInt32BE(block.length, 0);
  return Buffer.concat([header, length, block]);
}

// ---------------------------------------------------------------------------------------------------
// Legacy messages (magic 0/1)

/** One legacy message entry with any attributes and value, CRC-32 correct. */
export function legacyEntry(options: {
  magic: 0 | 1;
  attributes?: number;
  offset?: number;
  timestamp?: number;
  key?: Buffer | null;
  value: Buffer | null;
}): Buffer {
  const { magic, attributes = 0, key = null, value } = options;
  const body = Buffer.alloc(2 + (magic === 1 ? 8 : 0) + 4 + (key?.length ?? 0) + 4 + (value?.length ?? 0));
  let at = 0;
  body[at++] = magic;
  body[at++] = attributes;
  if (magic === 1) {
    body.writeBigInt64BE(BigInt(options.timestamp ?? Date.now()), at);
    at += 8;
  }
  body.writeInt32BE(key === null ? -1 : key.length, at);
  at += 4;
  if (key) at += key.copy(body, at);
  body.writeInt32BE(value === null ? -1 : value.length, at);
  at += 4;
  if (value) value.copy(body, at);
  const entry = Buffer.alloc(LOG_OVERHEAD + 4 + body.length);
  entry.writeBigInt64BE(BigInt(options.offset ?? 0), 0);
  entry.writeInt32BE(4 + body.length, 8);
  entry.writeUInt32BE(crc32(body), 12);
  body.copy(entry, 16);
  return entry;
}

// ---------------------------------------------------------------------------------------------------
// File surgery: a bad batch on disk, as a version that validated nothing could have written

/**
 * Overwrites the records of the `index`-th batch of a segment file with garbage and recomputes its
 * CRC: the file keeps its size, offsets and indexes, and the batch its header, but what it holds is
 * garbage behind a valid CRC. Returns the batch's offsets.
 */
export function plantGarbage(segmentFile: string, index: number, seed = 99): { baseOffset: number; lastOffset: number } {
  const bytes = readFileSync(segmentFile);
  let position = 0;
  for (let i = 0; i < index; i++) position += bytes.readInt32BE(position + 8) + LOG_OVERHEAD;
  const size = bytes.readInt32BE(position + 8) + LOG_OVERHEAD;
  noise(seed, size - BATCH_HEADER_SIZE).copy(bytes, position + BATCH_HEADER_SIZE);
  updateBatchCrc(bytes, position);
  writeFileSync(segmentFile, bytes);
  const baseOffset = Number(bytes.readBigInt64BE(position));
  return { baseOffset, lastOffset: baseOffset + bytes.readInt32BE(position + 23) };
}

/** Appends `batches` (offsets already right) to the end of a segment file, as a broker that checked nothing would have. */
export function appendRaw(segmentFile: string, ...batches: Buffer[]): void {
  appendFileSync(segmentFile, Buffer.concat(batches));
}

/** A batch stamped with the offsets and epoch the log would have given it. */
export function atOffset(batch: Buffer, baseOffset: number, epoch: number): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(BigInt(baseOffset), 0);
  copy.writeInt32BE(epoch, 12);
  return copy;
}

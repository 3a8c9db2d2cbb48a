import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeRecordBatch, decodeBatches, type RecordInput } from '../../../electron/kafka/records/record-batch';
import type { LogLogger } from '../../../electron/broker/log/segment';

export function tempDir(prefix = 'kd-log-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** An uncompressed batch of `count` records with values `v<i>` (keys `k<i>` unless given), timestamps from `timestamp`. */
export function batch(
  count: number,
  opts: { timestamp?: number; keys?: Array<string | null>; values?: Array<string | null>; baseOffset?: number; epoch?: number; valueSize?: number } = {},
): Buffer {
  const ts = opts.timestamp ?? 1_000;
  const records: RecordInput[] = [];
  for (let i = 0; i < count; i++) {
    const key = opts.keys ? (opts.keys[i] ?? null) : `k${i}`;
    const value = opts.values ? (opts.values[i] ?? null) : opts.valueSize ? 'x'.repeat(opts.valueSize) : `v${i}`;
    records.push({ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: ts + i });
  }
  return encodeRecordBatch({ baseOffset: opts.baseOffset ?? 0, records, timestamp: ts, partitionLeaderEpoch: opts.epoch ?? -1 });
}

export function decodeAll(records: Buffer) {
  return decodeBatches(records).batches;
}

export function offsetsOf(records: Buffer): number[] {
  return decodeAll(records).flatMap((b) => b.records.map((r) => r.offset));
}

export function collectingLogger(): LogLogger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (m: string) => messages.push(m) };
}

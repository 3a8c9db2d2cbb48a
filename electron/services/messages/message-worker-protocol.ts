// What the main process and the message worker say to each other, and how a chunk of records travels:
// the fields a filter or a decoder reads, copied into one transferable buffer with an index of where each one is,
// so a chunk crosses the thread boundary with one copy and no per-record messages.
import type { Decoded, Filter } from '../../../shared/model/messages';
import type { IpcError } from '../../../shared/ipc/contract';
import type { RawRecord } from './fetch';
import type { EffectiveDecoders, FullText } from './decoders';
import type { FilterRecord } from './filters';

export interface PackedChunk {
  bytes: ArrayBuffer;
  /** Per record: key start, key length (-1: null), value start, value length, first header, header count. */
  records: Int32Array;
  /** Per header: value start, value length (-1: null). */
  headers: Int32Array;
  headerKeys: string[];
}

export type WorkerCall =
  | { type: 'compile'; filter: Filter; decoders: EffectiveDecoders }
  | { type: 'match'; chunk: PackedChunk }
  // Decoding in the worker: previews (pages, tails) or whole texts (exports, whole values) of the
  // fields named, with the decoders given.
  | { type: 'previews'; decoders: EffectiveDecoders; fields: PackedFields; chunk: PackedChunk }
  | { type: 'full'; decoders: EffectiveDecoders; fields: PackedFields; chunk: PackedChunk; pretty: boolean };
export type WorkerRequest = WorkerCall & { id: number };

export interface DecodedFields<T> {
  key?: T;
  value?: T;
}

export type WorkerResponse =
  | { type: 'ready'; id: 0 }
  | { type: 'compiled'; id: number }
  | { type: 'matched'; id: number; matches: Uint8Array }
  | { type: 'previews'; id: number; decoded: DecodedFields<Decoded>[] }
  | { type: 'full'; id: number; decoded: DecodedFields<FullText>[] }
  | { type: 'error'; id: number; kind: IpcError['kind']; message: string };

export interface PackedFields {
  key: boolean;
  value: boolean;
  headers: boolean;
}

/** Copies the fields a filter reads out of the records' batches into one buffer. */
export function packRecords(records: readonly RawRecord[], fields: PackedFields): PackedChunk {
  let size = 0;
  let headerCount = 0;
  for (const record of records) {
    if (fields.key) size += Math.max(0, record.keyLength);
    if (fields.value) size += Math.max(0, record.valueLength);
    if (fields.headers) {
      for (const header of record.headers) size += header.value?.length ?? 0;
      headerCount += record.headers.length;
    }
  }
  const bytes = new Uint8Array(size);
  const index = new Int32Array(records.length * 6);
  const headers = new Int32Array(headerCount * 2);
  const headerKeys: string[] = [];
  let at = 0;
  let h = 0;
  const copy = (buffer: Buffer | null, slot: number, into: Int32Array) => {
    if (buffer === null) {
      into[slot] = 0;
      into[slot + 1] = -1;
      return;
    }
    bytes.set(buffer, at);
    into[slot] = at;
    into[slot + 1] = buffer.length;
    at += buffer.length;
  };
  records.forEach((record, i) => {
    const slot = i * 6;
    if (fields.key) copy(record.key, slot, index);
    else index[slot + 1] = -1;
    if (fields.value) copy(record.value, slot + 2, index);
    else index[slot + 3] = -1;
    index[slot + 4] = h;
    if (fields.headers) {
      for (const header of record.headers) {
        headerKeys.push(header.key);
        copy(header.value, h * 2, headers);
        h++;
      }
    }
    index[slot + 5] = h - index[slot + 4]!;
  });
  return { bytes: bytes.buffer, records: index, headers, headerKeys };
}

/** The worker's side: records as views of the transferred buffer (nothing copied again). */
export function unpackRecords(chunk: PackedChunk): FilterRecord[] {
  const bytes = Buffer.from(chunk.bytes);
  const view = (start: number, length: number) => (length < 0 ? null : bytes.subarray(start, start + length));
  const records: FilterRecord[] = [];
  for (let slot = 0; slot < chunk.records.length; slot += 6) {
    const index = chunk.records;
    const first = index[slot + 4]!;
    const headers = [];
    for (let h = first; h < first + index[slot + 5]!; h++) {
      headers.push({ key: chunk.headerKeys[h]!, value: view(chunk.headers[h * 2]!, chunk.headers[h * 2 + 1]!) });
    }
    records.push({ key: view(index[slot]!, index[slot + 1]!), value: view(index[slot + 2]!, index[slot + 3]!), headers });
  }
  return records;
}

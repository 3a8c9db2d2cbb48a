/**
 * Confluent's schema registry wire format, written by the produce form and read by the message browser:
 * magic byte 0, the schema id as a 4-byte big-endian int, then for Protobuf the message indexes (the
 * path of the message among the file's messages and their nested ones: zig-zag varints, their count
 * first; the common path [0] is the single byte 0), then the Avro binary, Protobuf binary or JSON text.
 */

export const WIRE_MAGIC = 0;
export const WIRE_HEADER_BYTES = 5;

/** The schema id a value names, or null when it is not in the wire format. */
export function wireSchemaId(buffer: Uint8Array): number | null {
  if (buffer.length < WIRE_HEADER_BYTES || buffer[0] !== WIRE_MAGIC) return null;
  return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).readInt32BE(1);
}

export function wireHeader(id: number, messagePath?: readonly number[]): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  header.writeUInt8(WIRE_MAGIC, 0);
  header.writeInt32BE(id, 1);
  return messagePath ? Buffer.concat([header, messageIndexes(messagePath)]) : header;
}

function zigzagVarint(value: number): number[] {
  let n = ((value << 1) ^ (value >> 31)) >>> 0;
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return bytes;
}

/** Confluent's message indexes of a path: [0] is written as a single 0. */
export function messageIndexes(path: readonly number[]): Buffer {
  if (path.length === 1 && path[0] === 0) return Buffer.from([0]);
  return Buffer.from([...zigzagVarint(path.length), ...path.flatMap(zigzagVarint)]);
}

/** Reads the message indexes at `offset`: the path (a count of 0 means [0]) and where the body starts. */
export function readMessageIndexes(buffer: Uint8Array, offset: number): { path: number[]; next: number } {
  let at = offset;
  const read = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      if (at >= buffer.length) throw new Error('The message indexes run past the end of the value.');
      byte = buffer[at++]!;
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80 && shift < 35);
    return (result >>> 1) ^ -(result & 1);
  };
  const count = read();
  if (count < 0 || count > 64) throw new Error(`The value names ${count} message indexes; this is not Confluent's Protobuf wire format.`);
  const path = count === 0 ? [0] : Array.from({ length: count }, read);
  return { path, next: at };
}

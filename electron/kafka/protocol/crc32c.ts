import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C (Castagnoli), the checksum of record batch v2. Computed by @node-rs/crc32, which uses the
 * CPU's CRC instructions where present (several GB/s); record batches are checksummed on every produce,
 * so this sits on the broker's hot path.
 */
export function crc32c(data: Uint8Array, initial = 0): number {
  return nativeCrc32c(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length), initial) >>> 0;
}

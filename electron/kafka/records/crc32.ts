/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial), the checksum of legacy v0/v1 messages. Node 20's zlib
 * has no crc32 (added in 22.2), and legacy messages are rare enough on the broker that a table-driven
 * implementation is plenty: it only runs when old clients produce or fetch.
 */
const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of `data[start, end)`, continuing from `initial` (the CRC of the bytes before). */
export function crc32(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  let crc = ~initial;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

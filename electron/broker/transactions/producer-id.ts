/**
 * A producer id from a request, as this cluster holds them: a number (ids are assigned from 0 and stay
 * far below 2^53), -1 for "none", or null for an id this cluster can never have assigned (another
 * negative, or beyond 2^53). Such an id has no transaction here: handlers answer it with an error
 * instead of letting an unrepresentable id reach the coordinator, the logs or a batch's encoder.
 */
export function requestProducerId(id: bigint): number | null {
  if (id === -1n) return -1;
  return id >= 0n && id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : null;
}

/** Throws unless `partitionCount` is a partition count a topic can have (1 or more). */
export function checkPartitionCount(partitionCount: number): void {
  if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > 0x7fffffff) {
    throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`);
  }
}

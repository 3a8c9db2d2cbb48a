// Find by key in words: which partitions were searched and why (the partitioners of the common
// clients that put the key there), whether the search went on to every other partition, and where
// the key's records were found. A key's partition depends on the client that wrote it.
import type { KeySearch } from '../../../../shared/model/messages';

const byWhom = (partitioners: readonly string[]) => (partitioners.length ? partitioners.join(', ') : 'none of the common partitioners');

/** "partition 3 (CRC32 …, FNV-1a …)" for each candidate. */
export function searchedText(search: KeySearch): string {
  if (search.chosen) {
    const list = search.chosen.map((partition) => {
      const candidate = search.candidates.find((each) => each.partition === partition);
      return `partition ${partition} (${candidate ? `where ${byWhom(candidate.partitioners)} put the key` : 'none of the common partitioners put the key there'})`;
    });
    return `Searched the partition chosen: ${list.join('; ')}.`;
  }
  const list = search.candidates.map((candidate) => `${candidate.partition} (${byWhom(candidate.partitioners)})`);
  const searched = `Searched partition${search.candidates.length === 1 ? '' : 's'} ${list.join('; ')}`;
  return search.fallback ? `${searched}; none held the key, so every other partition was searched too.` : `${searched}.`;
}

/** "Found in partition 3, where CRC32 … puts the key" (or that no common partitioner does). */
export function foundText(search: KeySearch): string | null {
  if (!search.found.length) return null;
  const list = search.found.map(({ partition, partitioners }) =>
    partitioners.length
      ? `partition ${partition}, where ${byWhom(partitioners)} put${partitioners.length === 1 ? 's' : ''} it`
      : `partition ${partition}, where none of the common partitioners puts it (a custom or round-robin partitioner, or the topic grew since)`,
  );
  return `Found in ${list.join('; ')}.`;
}

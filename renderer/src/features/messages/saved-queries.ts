// Saved queries of the message browser (#20): the whole query under a name, per connection and topic,
// kept by the main process. What a saved query holds, made from the form, and said in a line.
import type { Filter, Isolation, SavedQuery, Seek, TopicDecoders } from '../../../../shared/model/messages';
import { formatCount, formatQuantity } from '../../components/format';
import { formatTimestamp } from './record-format';
import { decoderSummary } from './DecodersDialog';

/** The form's query (as queryFromForm reads it) with the rest of what a read uses. */
export interface BrowserQuery {
  seek: Seek;
  count: number;
  filter: Filter | null;
  partition: number | null;
  endTimestamp: number | null;
  maxBytes: number | null;
  newestFirst: boolean;
  isolation: Isolation;
  showControl: boolean;
  decoders: TopicDecoders;
}

export function toSavedQuery(name: string, query: BrowserQuery): SavedQuery {
  return {
    name: name.trim(),
    partition: query.partition,
    seek: query.seek,
    count: query.count,
    maxBytes: query.maxBytes,
    endTimestamp: query.endTimestamp,
    filter: query.filter,
    decoders: query.decoders,
    isolation: query.isolation,
    showControl: query.showControl,
    newestFirst: query.newestFirst,
  };
}

/** Whether two queries read the same records the same way (the name aside). */
export function sameQuery(a: SavedQuery, b: SavedQuery): boolean {
  return JSON.stringify({ ...a, name: '' }) === JSON.stringify({ ...b, name: '' });
}

function startText(seek: Seek): string {
  switch (seek.mode) {
    case 'latest':
      return 'latest';
    case 'earliest':
      return 'earliest';
    case 'offset':
      return `from offset ${formatCount(seek.offset)}`;
    case 'timestamp':
      return `from ${formatTimestamp(seek.timestamp)}`;
    case 'group':
      return `from group ${seek.groupId}`;
  }
}

function filterText(filter: Filter): string {
  const quoted = (text: string) => `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
  switch (filter.kind) {
    case 'contains':
      return `${filter.field === 'any' ? 'anywhere' : filter.field} contains ${quoted(filter.text)}${filter.ignoreCase ? ' (any case)' : ''}`;
    case 'regex':
      return `${filter.field === 'any' ? 'anywhere' : filter.field} matches /${filter.pattern.length > 40 ? `${filter.pattern.slice(0, 40)}…` : filter.pattern}/`;
    case 'jsonPath':
      return `${filter.path} = ${quoted(filter.equals)}`;
    case 'key':
      return `key ${quoted(filter.key)}`;
  }
}

/** What a saved query reads, in a line: "latest · 500 records · partition 2 · value contains "gold" · read committed". */
export function savedQuerySummary(query: SavedQuery): string {
  const parts = [startText(query.seek), formatQuantity(query.count, 'record')];
  parts.push(query.partition === null ? 'all partitions' : `partition ${query.partition}`);
  if (query.endTimestamp !== null) parts.push(`until ${formatTimestamp(query.endTimestamp)}`);
  if (query.maxBytes !== null) parts.push(`at most ${formatCount(Math.round(query.maxBytes / 1024))} KiB a page`);
  if (query.filter) parts.push(filterText(query.filter));
  if (query.decoders.key.kind !== 'auto' || query.decoders.value.kind !== 'auto') {
    parts.push(`decoders ${decoderSummary(query.decoders.key)} / ${decoderSummary(query.decoders.value)}`);
  }
  if (query.isolation === 'read_committed') parts.push('read committed');
  if (query.showControl) parts.push('markers shown');
  parts.push(query.newestFirst ? 'newest first' : 'oldest first');
  return parts.join(' · ');
}

// Text forms of a record: timestamps, one-line previews, "copy as JSON" and "copy as kcat".
import type { Decoded, RecordView } from '../../../../shared/model/messages';

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Local time with milliseconds: 2024-01-31 14:05:09.123 */
export function formatTimestamp(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return String(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** The value for `<input type="datetime-local" step="0.001">`. */
export function toDateTimeLocal(ms: number): string {
  return formatTimestamp(ms).replace(' ', 'T');
}

export function previewLine(decoded: Decoded, max = 300): string {
  if (decoded.format === 'null') return 'null';
  const text =
    decoded.format === 'hex'
      ? decoded.text
          .split('\n', 4)
          .map((line) => line.slice(10, 58).trim())
          .join(' ')
      : decoded.text;
  const line = text.length > max ? text.slice(0, max) : text;
  return line.replace(/\s+/g, ' ');
}

/** A record's headers on one line: "source=web, trace=t-1" (a header without a value shows as its name). */
export function headersLine(headers: RecordView['headers'], max = 300): string {
  const line = headers.map((header) => (header.value.format === 'null' ? header.key : `${header.key}=${previewLine(header.value, max)}`)).join(', ');
  return line.length > max ? line.slice(0, max) : line;
}

function jsonOf(decoded: Decoded): unknown {
  if (decoded.format === 'null') return null;
  if (decoded.format === 'json' && !decoded.truncated) {
    try {
      return JSON.parse(decoded.text) as unknown;
    } catch {
      return decoded.text;
    }
  }
  return decoded.text;
}

/** The record as a JSON document (the value embedded as JSON when it is JSON). */
export function recordAsJson(record: RecordView, topic: string): string {
  return JSON.stringify(
    {
      topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      timestampType: record.timestampType,
      key: jsonOf(record.key),
      value: jsonOf(record.value),
      headers: record.headers.map((header) => ({ key: header.key, value: header.value.format === 'null' ? null : header.value.text })),
      size: record.size,
      ...(record.value.truncated ? { valueTruncated: true, valueSize: record.value.size } : {}),
    },
    null,
    2,
  );
}

/** Single-quoted for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A kcat command that produces this record again: same key, headers and partition. Values with line
 * breaks are sent with an ASCII record separator (0x1e) as the message delimiter.
 */
export function kcatCommand(record: RecordView, topic: string, bootstrapServers: string): string {
  const value = record.value.format === 'null' ? '' : record.value.text;
  const multiline = value.includes('\n');
  const parts = ['kcat', '-P', '-b', shellQuote(bootstrapServers || 'localhost:9092'), '-t', shellQuote(topic), '-p', String(record.partition)];
  if (record.key.format !== 'null') parts.push('-k', shellQuote(record.key.text));
  for (const header of record.headers) parts.push('-H', shellQuote(`${header.key}=${header.value.format === 'null' ? '' : header.value.text}`));
  if (multiline) parts.push('-D', shellQuote('\\x1e'));
  return `printf '%s${multiline ? '\\036' : '\\n'}' ${shellQuote(value)} | ${parts.join(' ')}`;
}

/** Can this field be sent again from the produce form as text? */
export function isTextual(decoded: Decoded): boolean {
  return !decoded.truncated && !decoded.error && (decoded.format === 'json' || decoded.format === 'text' || decoded.format === 'null');
}

/** A record's transaction in words for the table's badge and the detail, or null (not transactional, or committed in the table). */
export function transactionWords(record: RecordView): { label: string; tone: 'good' | 'bad' | 'warn' | 'neutral'; detail: string } | null {
  if (record.control) {
    const what = record.control.type === 'commit' ? 'COMMIT' : 'ABORT';
    return {
      label: `${what} marker`,
      tone: 'neutral',
      detail: `A transaction marker: producer ${record.batch.producerId} (epoch ${record.batch.producerEpoch}) ${record.control.type === 'commit' ? 'committed' : 'aborted'} its transaction on this partition here (coordinator epoch ${record.control.coordinatorEpoch}).`,
    };
  }
  const txn = record.transaction;
  if (!record.batch.transactional || !txn) return null;
  const at = txn.markerOffset !== null ? ` (marker at offset ${txn.markerOffset.toLocaleString('en-US')})` : '';
  switch (txn.state) {
    case 'committed':
      return { label: 'committed', tone: 'good', detail: `Committed${at}: read_committed consumers see it.` };
    case 'aborted':
      return { label: 'aborted', tone: 'bad', detail: `Aborted${at}: read_committed consumers never see it.` };
    case 'open':
      return {
        label: 'open',
        tone: 'warn',
        detail: 'Open: its transaction has no marker up to the high watermark yet; read_committed consumers wait for it (it holds the last stable offset).',
      };
    default:
      return {
        label: 'undecided here',
        tone: 'neutral',
        detail: 'Its marker lies further on than the browser read ahead; read on to find whether it committed.',
      };
  }
}

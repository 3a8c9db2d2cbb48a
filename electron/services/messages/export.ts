// Writes records to a file as JSON Lines, a JSON array or CSV, streaming with back-pressure so an
// export of millions of records never holds them in memory. Keys and values are decoded whole.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ExportFormat } from '../../../shared/model/messages';
import { headerDecoder, type FieldDecoder, type FullText } from './decoders';
import type { RawRecord } from './fetch';
import { compressionName, recordSequence } from './views';

const FLUSH_CHARS = 1 << 20;

export const CSV_COLUMNS = [
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestamp_type',
  'key',
  'value',
  'headers',
  'size',
  'compression',
  'producer_id',
  'sequence',
  'transactional',
];

/** A JSON value for a decoded field: JSON text is embedded as is, everything else as a string. */
function jsonField(decoded: FullText): string {
  if (decoded.format === 'null') return 'null';
  if (decoded.format === 'json') return decoded.text;
  return JSON.stringify(decoded.text);
}

function encodingOf(decoded: FullText): string | null {
  return decoded.format === 'hex' || decoded.format === 'base64' ? decoded.format : null;
}

/**
 * A cell holding data from the topic (topic, key, value, headers): one starting with =, +, -, @, tab or
 * carriage return is prefixed with a single quote, so a spreadsheet shows it as text instead of
 * running it as a formula (OWASP's advice on CSV injection). The app's own numbers are left as they are.
 */
export function csvTextCell(value: string): string {
  return csvCell(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export class ExportWriter {
  readonly #out: WriteStream;
  readonly #format: ExportFormat;
  readonly #topic: string;
  readonly #key: FieldDecoder;
  readonly #value: FieldDecoder;
  #pending: string[] = [];
  #pendingChars = 0;
  #records = 0;
  #failed: Error | null = null;

  constructor(path: string, format: ExportFormat, topic: string, key: FieldDecoder, value: FieldDecoder) {
    this.#out = createWriteStream(path, { encoding: 'utf8' });
    this.#out.on('error', (error) => (this.#failed = error));
    this.#format = format;
    this.#topic = topic;
    this.#key = key;
    this.#value = value;
    if (format === 'csv') this.#push(`${CSV_COLUMNS.join(',')}\r\n`);
    if (format === 'json') this.#push('[');
  }

  get records(): number {
    return this.#records;
  }

  /** `decoded`: whole texts already made (in the message worker, for schema decoders). */
  write(record: RawRecord, decoded?: { key?: FullText; value?: FullText }): void {
    const key = decoded?.key ?? this.#key.full(record.key, false);
    const value = decoded?.value ?? this.#value.full(record.value, false);
    const headers = record.headers.map((header) => ({ key: header.key, value: header.value === null ? null : headerDecoder.full(header.value, false).text }));
    let line: string;
    if (this.#format === 'csv') {
      const cells = [
        csvTextCell(this.#topic),
        csvCell(String(record.partition)),
        csvCell(String(record.offset)),
        csvCell(String(record.timestamp)),
        record.logAppendTime ? 'log-append' : 'create',
        csvTextCell(key.format === 'null' ? '' : key.text),
        csvTextCell(value.format === 'null' ? '' : value.text),
        csvTextCell(headers.length ? JSON.stringify(headers) : ''),
        csvCell(String(record.size)),
        compressionName(record.batch.compression),
        csvCell(String(record.batch.producerId)),
        csvCell(String(recordSequence(record))),
        String(record.batch.transactional),
      ];
      line = `${cells.join(',')}\r\n`;
    } else {
      const keyEncoding = encodingOf(key);
      const valueEncoding = encodingOf(value);
      line =
        `{"topic":${JSON.stringify(this.#topic)},"partition":${record.partition},"offset":${record.offset},"timestamp":${record.timestamp},` +
        `"timestampType":"${record.logAppendTime ? 'log-append' : 'create'}","key":${jsonField(key)},` +
        (keyEncoding ? `"keyEncoding":"${keyEncoding}",` : '') +
        `"value":${jsonField(value)},` +
        (valueEncoding ? `"valueEncoding":"${valueEncoding}",` : '') +
        `"headers":${JSON.stringify(headers)},"size":${record.size},"compression":"${compressionName(record.batch.compression)}",` +
        `"producerId":${record.batch.producerId},"sequence":${recordSequence(record)},"transactional":${record.batch.transactional}}`;
      line = this.#format === 'jsonl' ? `${line}\n` : `${this.#records ? ',' : ''}\n${line}`;
    }
    this.#records++;
    this.#push(line);
  }

  #push(text: string): void {
    this.#pending.push(text);
    this.#pendingChars += text.length;
  }

  /** Hands what is buffered to the file and waits while the file is behind. */
  async drain(): Promise<void> {
    if (this.#failed) throw this.#failed;
    if (this.#pendingChars < FLUSH_CHARS) return;
    await this.#flush();
  }

  async #flush(): Promise<void> {
    if (!this.#pending.length) return;
    const chunk = this.#pending.join('');
    this.#pending = [];
    this.#pendingChars = 0;
    if (!this.#out.write(chunk)) await new Promise<void>((resolve) => this.#out.once('drain', resolve));
    if (this.#failed) throw this.#failed;
  }

  async close(): Promise<number> {
    if (this.#format === 'json') this.#push(this.#records ? '\n]\n' : ']\n');
    await this.#flush();
    await new Promise<void>((resolve, reject) => this.#out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (this.#failed) throw this.#failed;
    return this.#out.bytesWritten;
  }

  abort(): void {
    this.#out.destroy();
  }
}

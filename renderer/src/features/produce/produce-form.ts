// The produce form's state and its checks, apart from the screen so they can be tested and extended
// (a value format, a schema) without touching the layout. The main process checks again.
import { MAX_PRODUCE_REPEAT, MAX_TIMESTAMP_MS, type ChosenFile, type Compression, type ProduceRequest } from '../../../../shared/model/schemas';
import { parseTemplate } from '../../../../shared/model/record-template';
import { formatCount } from '../../components/format';

/** Where the record values come from: the Value field, or a file the user chose (read by the main process). */
export type ValueSource = 'typed' | 'file-lines' | 'file-whole';

export interface ProduceForm {
  topic: string;
  partition: string; // '' = the key's partition (or round-robin without a key)
  key: string;
  value: string;
  valueSource: ValueSource;
  /** The file chosen (its handle from the main process), null before one is. */
  file: ChosenFile | null;
  headers: { key: string; value: string }[];
  compression: Compression;
  acks: '-1' | '0' | '1';
  repeat: string;
  templates: boolean;
  timestamp: string; // '' = the time of the send
}

export type ProduceErrors = Partial<Record<'topic' | 'partition' | 'repeat' | 'key' | 'value' | 'file' | 'timestamp' | `header.${number}`, string>>;

export const emptyProduceForm: ProduceForm = {
  topic: '',
  partition: '',
  key: '',
  value: '',
  valueSource: 'typed',
  file: null,
  headers: [],
  compression: 'none',
  acks: '-1',
  repeat: '1',
  templates: false,
  timestamp: '',
};

/**
 * A timestamp as typed: milliseconds since 1970, or a date and time (ISO 8601; without a zone it is the
 * local time). null for empty (the time of the send); an error in words for anything else.
 */
export function parseTimestamp(text: string): { ok: true; value: number | null } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: true, value: null };
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(value)) return { ok: false, error: 'Enter a date and time such as 2026-12-06T09:40:00Z, or milliseconds since 1970.' };
  if (value > MAX_TIMESTAMP_MS) return { ok: false, error: 'A timestamp can be at most 9999-12-31.' };
  if (value < 0) return { ok: false, error: 'A timestamp cannot be before 1970.' };
  return { ok: true, value };
}

/** The form's mistakes, by field; `topics` (null while unknown) are the names the topic must be among. */
export function validateProduceForm(form: ProduceForm, partitionCount: number | null, topics: readonly string[] | null = null): ProduceErrors {
  const errors: ProduceErrors = {};
  if (!form.topic) errors.topic = 'Choose a topic.';
  else if (topics && !topics.includes(form.topic)) errors.topic = `There is no topic "${form.topic}" on this cluster.`;
  if (form.partition !== '') {
    if (!/^\d+$/.test(form.partition)) errors.partition = 'A partition is a whole number.';
    else if (partitionCount !== null && Number(form.partition) >= partitionCount) {
      errors.partition = `This topic has partitions 0 to ${partitionCount - 1}.`;
    }
  }
  if (form.valueSource !== 'file-lines') {
    if (!/^\d+$/.test(form.repeat) || Number(form.repeat) < 1) errors.repeat = 'Send at least 1 record.';
    else if (Number(form.repeat) > MAX_PRODUCE_REPEAT) errors.repeat = `Send at most ${formatCount(MAX_PRODUCE_REPEAT)} records at once.`;
  }
  if (form.valueSource !== 'typed' && !form.file) errors.file = 'Choose a file.';
  const timestamp = parseTimestamp(form.timestamp);
  if (!timestamp.ok) errors.timestamp = timestamp.error;
  form.headers.forEach((header, index) => {
    if (!header.key && header.value) errors[`header.${index}`] = 'A header needs a name.';
  });
  if (form.templates) {
    const check = (text: string) => {
      const parsed = parseTemplate(text);
      return parsed.ok ? undefined : parsed.error;
    };
    const key = check(form.key);
    if (key) errors.key = key;
    if (form.valueSource === 'typed') {
      const value = check(form.value);
      if (value) errors.value = value;
    }
    form.headers.forEach((header, index) => {
      const error = check(header.value);
      if (error && !errors[`header.${index}`]) errors[`header.${index}`] = error;
    });
  }
  return errors;
}

/** The request the form sends (without the connection), once it is valid. */
export function produceRequestOf(form: ProduceForm): Omit<ProduceRequest, 'connectionId'> {
  const timestamp = parseTimestamp(form.timestamp);
  const fromFile = form.valueSource !== 'typed';
  return {
    topic: form.topic,
    partition: form.partition === '' ? null : Number(form.partition),
    key: form.key === '' ? null : form.key,
    value: fromFile ? null : form.value,
    headers: form.headers.filter((header) => header.key),
    compression: form.compression,
    acks: Number(form.acks) as -1 | 0 | 1,
    repeat: form.valueSource === 'file-lines' ? 1 : Number(form.repeat),
    templates: form.templates,
    timestamp: timestamp.ok ? timestamp.value : null,
    file: fromFile && form.file ? { handle: form.file.handle, mode: form.valueSource === 'file-lines' ? 'lines' : 'whole' } : null,
  };
}

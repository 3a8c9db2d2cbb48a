// Filters over fetched records, compiled once per read into a predicate. They match the raw bytes
// where that is exact (contains on UTF-8 text, find by key) and the decoded text where a schema
// decoder is chosen. Nothing here evaluates user code: patterns are regular expressions and paths are
// parsed into property steps.
import type { Filter, TopicDecoders } from '../../../shared/model/messages';
import { AppError } from '../../ipc/errors';
import { decoderFor, type FieldDecoder } from './decoders';
import type { RawRecord } from './fetch';

export type Predicate = (record: RawRecord) => boolean;

type Field = 'key' | 'value' | 'header' | 'any';

function textOf(decoder: FieldDecoder, buffer: Buffer | null): string {
  if (buffer === null) return '';
  return decoder.structured ? decoder.full(buffer, false).text : buffer.toString('utf8');
}

function fieldTexts(field: Field, key: FieldDecoder, value: FieldDecoder): (record: RawRecord) => string[] {
  return (record) => {
    const texts: string[] = [];
    if (field === 'key' || field === 'any') texts.push(textOf(key, record.key));
    if (field === 'value' || field === 'any') texts.push(textOf(value, record.value));
    if (field === 'header' || field === 'any') {
      for (const header of record.headers) texts.push(header.key, header.value?.toString('utf8') ?? '');
    }
    return texts;
  };
}

/** Parses `$.a.b[0]["c d"]` (the leading `$` optional) into property steps. */
export function parseJsonPath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  const pattern = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\])/;
  if (rest && !rest.startsWith('.') && !rest.startsWith('[')) rest = `.${rest}`;
  while (rest.length) {
    const match = pattern.exec(rest);
    if (!match) throw new AppError('invalid-request', `The JSON path "${path}" is not valid near "${rest}". Use $.field, $.list[0] or $["odd name"].`);
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push((match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

function walk(value: unknown, steps: (string | number)[]): unknown {
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The value's bytes of a filter that only raw bytes can hold when it matches, for a fast pre-check. */
function literalOf(expected: unknown): Buffer | null {
  if (typeof expected === 'string' && /^[\w .:@/-]+$/.test(expected)) return Buffer.from(expected);
  if (typeof expected === 'number' && Number.isInteger(expected)) return Buffer.from(String(expected));
  if (typeof expected === 'boolean') return Buffer.from(String(expected));
  return null;
}

export function compileFilter(filter: Filter | null, decoders: TopicDecoders): Predicate | null {
  if (filter === null) return null;
  const key = decoderFor(decoders.key);
  const value = decoderFor(decoders.value);
  switch (filter.kind) {
    case 'key': {
      const wanted = Buffer.from(filter.key);
      return (record) => record.key !== null && record.key.equals(wanted);
    }
    case 'contains': {
      const needle = filter.ignoreCase ? filter.text.toLowerCase() : filter.text;
      const raw = Buffer.from(needle);
      const texts = fieldTexts(filter.field, key, value);
      // Raw bytes first: exact for UTF-8 text and far cheaper than decoding.
      const rawField = (buffer: Buffer | null, decoder: FieldDecoder): boolean => {
        if (buffer === null) return false;
        if (decoder.structured || filter.ignoreCase) return textOf(decoder, buffer)[filter.ignoreCase ? 'toLowerCase' : 'toString']().includes(needle);
        return buffer.indexOf(raw) !== -1;
      };
      if (filter.field === 'key') return (record) => rawField(record.key, key);
      if (filter.field === 'value') return (record) => rawField(record.value, value);
      return (record) => {
        if (filter.field === 'any' && (rawField(record.key, key) || rawField(record.value, value))) return true;
        for (const text of texts({ ...record, key: null, value: null })) {
          if ((filter.ignoreCase ? text.toLowerCase() : text).includes(needle)) return true;
        }
        return false;
      };
    }
    case 'regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(filter.pattern, filter.flags.replace(/[gy]/g, ''));
      } catch (error) {
        throw new AppError('invalid-request', `The regular expression is not valid: ${(error as Error).message}`);
      }
      const texts = fieldTexts(filter.field, key, value);
      return (record) => texts(record).some((text) => pattern.test(text));
    }
    case 'jsonPath': {
      const steps = parseJsonPath(filter.path);
      let expected: unknown;
      try {
        expected = JSON.parse(filter.equals);
      } catch {
        expected = filter.equals;
      }
      const literal = value.structured ? null : literalOf(expected);
      return (record) => {
        if (record.value === null) return false;
        if (literal && record.value.indexOf(literal) === -1) return false;
        let parsed: unknown;
        try {
          parsed = JSON.parse(value.structured ? value.full(record.value, false).text : record.value.toString('utf8'));
        } catch {
          return false;
        }
        return sameJson(walk(parsed, steps), expected);
      };
    }
  }
}

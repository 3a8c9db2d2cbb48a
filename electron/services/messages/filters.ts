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

/**
 * "Contains" searched in the batch's bytes in place: one native search finds the next occurrence in
 * the body, and every record before it is decided without looking at its bytes again. Records are
 * met in offset order within a body, so each body is searched once from start to end.
 */
function inPlace(needle: Buffer, field: 'key' | 'value'): Predicate {
  // Per body: the first occurrence at or after `from` is at `hit` (-1: none).
  const cache = new WeakMap<Buffer, { from: number; hit: number }>();
  return (record) => {
    const length = field === 'key' ? record.keyLength : record.valueLength;
    if (length < needle.length) return false;
    const start = field === 'key' ? record.keyStart : record.valueStart;
    const body = record.body;
    let entry = cache.get(body);
    if (!entry || start < entry.from || (entry.hit !== -1 && entry.hit < start)) {
      entry = { from: start, hit: body.indexOf(needle, start) };
      cache.set(body, entry);
    }
    return entry.hit !== -1 && entry.hit + needle.length <= start + length;
  };
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
      // Raw bytes first: exact for UTF-8 text and far cheaper than decoding.
      const rawField = (buffer: Buffer | null, decoder: FieldDecoder): boolean => {
        if (buffer === null) return false;
        if (decoder.structured || filter.ignoreCase) return textOf(decoder, buffer)[filter.ignoreCase ? 'toLowerCase' : 'toString']().includes(needle);
        return buffer.indexOf(raw) !== -1;
      };
      if (!filter.ignoreCase && filter.field === 'key' && !key.structured) return inPlace(raw, 'key');
      if (!filter.ignoreCase && filter.field === 'value' && !value.structured) return inPlace(raw, 'value');
      if (filter.field === 'key') return (record) => rawField(record.key, key);
      if (filter.field === 'value') return (record) => rawField(record.value, value);
      return (record) => {
        if (filter.field === 'any' && (rawField(record.key, key) || rawField(record.value, value))) return true;
        for (const header of record.headers) {
          for (const text of [header.key, header.value?.toString('utf8') ?? '']) {
            if ((filter.ignoreCase ? text.toLowerCase() : text).includes(needle)) return true;
          }
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

// Filters over fetched records. They match the raw bytes where that is exact (contains on UTF-8 text,
// find by key) and the decoded text where a schema decoder is chosen. Nothing here evaluates user
// code: patterns are RE2 regular expressions (re2js: linear time in the text, no backtracking, so
// "(a+)+$" cannot take exponential time) and paths are parsed into property steps.
//
// Two tiers: `inlinePredicate` covers the filters that are one native byte search per record and run
// in the main process; every other filter (regex, JSON path, ignore-case contains, filters over
// decoded Avro/Protobuf/registry values) is compiled with `compileFilter` inside the message worker
// (message-workers.ts), under a time budget that Cancel also ends.
import type { RE2JS } from 're2js';
import { compileRe2 } from '../../../shared/model/regex';
import type { Filter } from '../../../shared/model/messages';
import { AppError } from '../../core/errors';
import { decoderFor, type EffectiveDecoders, type FieldDecoder } from './decoders';
import type { RawHeader, RawRecord } from './fetch';

/** What a filter reads of a record: RawRecord in the main process, a view of copied bytes in the worker. */
export interface FilterRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RawHeader[];
}

export type Predicate<R extends FilterRecord = RawRecord> = (record: R) => boolean;

type Field = 'key' | 'value' | 'header' | 'any';

function textOf(decoder: FieldDecoder, buffer: Buffer | null): string {
  if (buffer === null) return '';
  return decoder.structured ? decoder.full(buffer, false).text : buffer.toString('utf8');
}

function fieldTexts(field: Field, key: FieldDecoder, value: FieldDecoder): (record: FilterRecord) => string[] {
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

/** Which fields of a record a filter reads (what the worker is sent). */
export function filterFields(filter: Filter): { key: boolean; value: boolean; headers: boolean } {
  if (filter.kind === 'key') return { key: true, value: false, headers: false };
  if (filter.kind === 'jsonPath') return { key: false, value: true, headers: false };
  const field = filter.field;
  return { key: field === 'key' || field === 'any', value: field === 'value' || field === 'any', headers: field === 'header' || field === 'any' };
}

/**
 * The filters cheap enough for the main process: find by key (one comparison) and a case-sensitive
 * contains over raw UTF-8 (native searches, linear in the bytes fetched). Null: use the worker.
 */
export function inlinePredicate(filter: Filter, decoders: EffectiveDecoders): Predicate | null {
  if (filter.kind === 'key') {
    const wanted = Buffer.from(filter.key);
    return (record) => record.key !== null && record.key.equals(wanted);
  }
  if (filter.kind !== 'contains' || filter.ignoreCase) return null;
  const fields = filterFields(filter);
  if ((fields.key && decoderFor(decoders.key).structured) || (fields.value && decoderFor(decoders.value).structured)) return null;
  const raw = Buffer.from(filter.text);
  if (filter.field === 'key') return inPlace(raw, 'key');
  if (filter.field === 'value') return inPlace(raw, 'value');
  return (record) => {
    if (filter.field === 'any' && ((record.key?.indexOf(raw) ?? -1) !== -1 || (record.value?.indexOf(raw) ?? -1) !== -1)) return true;
    for (const header of record.headers) {
      if (header.key.includes(filter.text) || (header.value?.indexOf(raw) ?? -1) !== -1) return true;
    }
    return false;
  };
}

/** An RE2 pattern (shared/model/regex.ts); a bad one is the caller's error. */
export function compileRegex(pattern: string, flags: string): RE2JS {
  try {
    return compileRe2(pattern, flags);
  } catch (error) {
    throw new AppError('invalid-request', (error as Error).message);
  }
}

/** Every filter as a predicate over a record's key, value and headers: what the message worker runs. */
export function compileFilter(filter: Filter, decoders: EffectiveDecoders): Predicate<FilterRecord> {
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
      const matchText = (text: string) => (filter.ignoreCase ? text.toLowerCase() : text).includes(needle);
      // Raw bytes first: exact for UTF-8 text and far cheaper than decoding.
      const field = (buffer: Buffer | null, decoder: FieldDecoder): boolean => {
        if (buffer === null) return false;
        if (decoder.structured || filter.ignoreCase) return matchText(textOf(decoder, buffer));
        return buffer.indexOf(raw) !== -1;
      };
      return (record) => {
        if ((filter.field === 'key' || filter.field === 'any') && field(record.key, key)) return true;
        if ((filter.field === 'value' || filter.field === 'any') && field(record.value, value)) return true;
        if (filter.field === 'header' || filter.field === 'any') {
          for (const header of record.headers) {
            if (matchText(header.key) || matchText(header.value?.toString('utf8') ?? '')) return true;
          }
        }
        return false;
      };
    }
    case 'regex': {
      const pattern = compileRegex(filter.pattern, filter.flags);
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

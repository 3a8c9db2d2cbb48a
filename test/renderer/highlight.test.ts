// The filter's matches as marked on screen: contains with and without case, RE2 patterns (UTF-16
// positions, empty matches skipped), the fields each filter marks.
import { describe, expect, it } from 'vitest';
import type { Filter } from '../../shared/model/messages';
import { matcherFor } from '../../renderer/src/features/messages/highlight';

const contains = (text: string, field: 'key' | 'value' | 'header' | 'any', ignoreCase = false): Filter => ({ kind: 'contains', field, text, ignoreCase });

describe('filter matches to mark', () => {
  it('marks every occurrence of a contains filter, in the field it searched', () => {
    const value = matcherFor(contains('gold', 'value'), 'value')!;
    expect(value('{"tier":"gold","was":"gold"}')).toEqual([
      [9, 13],
      [22, 26],
    ]);
    expect(matcherFor(contains('gold', 'value'), 'key')).toBeNull();
    expect(matcherFor(contains('gold', 'any'), 'header')!('tier=gold')).toEqual([[5, 9]]);
    expect(matcherFor(contains('GOLD', 'value'), 'value')!('gold')).toEqual([]);
    expect(matcherFor(contains('GOLD', 'value', true), 'value')!('Gold and gOLD')).toEqual([
      [0, 4],
      [9, 13],
    ]);
  });

  it('marks RE2 matches by UTF-16 position, skipping empty ones', () => {
    const filter: Filter = { kind: 'regex', field: 'value', pattern: '\\d+|é+x', flags: '' };
    const match = matcherFor(filter, 'value')!;
    const text = 'aéé x éx 🔑12';
    expect(match(text).map(([start, end]) => text.slice(start, end))).toEqual(['éx', '12']);
    expect(matcherFor({ kind: 'regex', field: 'value', pattern: 'a*', flags: '' }, 'value')!('baab')).toEqual([[1, 3]]);
    expect(matcherFor({ kind: 'regex', field: 'value', pattern: '(?i)ord-\\d', flags: '' }, 'value')!('x ORD-1')).toEqual([[2, 7]]);
    // A pattern RE2 refuses marks nothing (the form refused it first).
    expect(matcherFor({ kind: 'regex', field: 'value', pattern: '(?=x)', flags: '' }, 'value')).toBeNull();
  });

  it('find by key marks a key equal to it; a JSON path marks nothing', () => {
    const match = matcherFor({ kind: 'key', key: 'alice' }, 'key')!;
    expect(match('alice')).toEqual([[0, 5]]);
    expect(match('alice2')).toEqual([]);
    expect(matcherFor({ kind: 'key', key: 'alice' }, 'value')).toBeNull();
    expect(matcherFor({ kind: 'jsonPath', path: '$.a', equals: '1' }, 'value')).toBeNull();
    expect(matcherFor(null, 'value')).toBeNull();
  });
});

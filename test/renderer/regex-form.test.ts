// The message browser's form checks a regex filter with the engine the main process runs it with
// (RE2): what RE2 accepts and JavaScript does not is allowed, what RE2 lacks is refused up front.
import { describe, expect, it } from 'vitest';
import { queryFromForm } from '../../renderer/src/features/messages/MessagesScreen';

const form = {
  partition: '',
  start: 'earliest' as const,
  offset: '',
  time: '',
  group: '',
  count: '100',
  until: '',
  maxKiB: '',
  filter: 'regex' as const,
  text: '',
  equals: '',
  order: 'oldest' as const,
};

describe('regex filter in the message form', () => {
  it('accepts RE2 syntax that JavaScript lacks, and the pattern that freezes a backtracking engine', () => {
    for (const text of ['(?i)order-\\d+', '\\pL+', '(?P<id>\\d+)', '(a+)+$']) {
      expect(queryFromForm({ ...form, text })).toMatchObject({ filter: { kind: 'regex', pattern: text } });
    }
  });

  it('refuses lookarounds and backreferences, saying RE2 does not have them', () => {
    for (const text of ['a(?=b)', '(?<!x)a', '(a)\\1']) {
      expect(queryFromForm({ ...form, text })).toEqual({
        error: expect.stringMatching(/not valid RE2 syntax.*Lookarounds and backreferences are not supported\.$/),
      });
    }
    expect(queryFromForm({ ...form, text: '(' })).toEqual({ error: 'The regular expression is not valid RE2 syntax: missing closing ): `(`.' });
  });
});

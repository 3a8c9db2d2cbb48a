// Where a page's filter matched, marked in the key, value and header text shown: the same test the main
// process ran (contains, with or without case; RE2 regular expressions), applied to the text on screen.
import type { ReactNode } from 'react';
import type { Filter } from '../../../../shared/model/messages';
import { compileRe2 } from '../../../../shared/model/regex';

export type MarkField = 'key' | 'value' | 'header';
/** [start, end) of each match, in UTF-16 code units of the text. */
export type MatchRange = readonly [number, number];

/** At most this many marks a text: a preview line is short, a whole value may not be. */
const MAX_MARKS = 200;

/** A function that finds the filter's matches in a text of `field`, or null when the filter marks nothing there. */
export function matcherFor(filter: Filter | null, field: MarkField): ((text: string) => MatchRange[]) | null {
  if (!filter) return null;
  if (filter.kind === 'key') {
    if (field !== 'key') return null;
    const key = filter.key;
    return (text) => (key && text === key ? [[0, text.length]] : []);
  }
  if (filter.kind === 'jsonPath') return null;
  if (filter.field !== 'any' && filter.field !== field) return null;
  if (filter.kind === 'contains') {
    const needle = filter.ignoreCase ? filter.text.toLowerCase() : filter.text;
    if (!needle) return null;
    return (text) => {
      const haystack = filter.ignoreCase ? text.toLowerCase() : text;
      const ranges: MatchRange[] = [];
      for (let at = haystack.indexOf(needle); at !== -1 && ranges.length < MAX_MARKS; at = haystack.indexOf(needle, at + needle.length)) {
        ranges.push([at, at + needle.length]);
      }
      return ranges;
    };
  }
  let regex: ReturnType<typeof compileRe2>;
  try {
    regex = compileRe2(filter.pattern, filter.flags);
  } catch {
    return null;
  }
  return (text) => {
    const ranges: MatchRange[] = [];
    const matcher = regex.matcher(text);
    let from = 0;
    while (ranges.length < MAX_MARKS && from <= text.length && matcher.find(from)) {
      const start = matcher.start();
      const end = matcher.end();
      if (end > start) ranges.push([start, end]);
      // An empty match marks nothing; step past it so the search goes on.
      from = end > start ? end : end + 1;
    }
    return ranges;
  };
}

/** The text with its matches in <mark>; the text alone when nothing matches. */
export function Highlighted({ text, match }: { text: string; match: ((text: string) => MatchRange[]) | null }): ReactNode {
  const ranges = match ? match(text) : [];
  if (!ranges.length) return text;
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(text.slice(at, start));
    parts.push(
      <mark key={start} className="match">
        {text.slice(start, end)}
      </mark>,
    );
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

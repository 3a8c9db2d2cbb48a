/**
 * Compatibility levels as Confluent applies them (CompatibilityChecker / SchemaValidatorBuilder):
 *  - BACKWARD: the new schema can read data written with the latest one;
 *  - FORWARD: the latest schema can read data written with the new one;
 *  - FULL: both; the *_TRANSITIVE levels check every earlier (non-deleted) version, newest first,
 *    stopping at the first that fails; NONE checks nothing.
 * Messages name the schemas "new" and "old" in the order of the direction that failed, and end with
 * the old schema's version and text, as Confluent's do.
 */
import type { ParsedSchema } from '../../kafka/schemas/formats/types';
import type { CompatibilityLevel } from './records';

export interface PreviousSchema {
  version: number;
  parsed: ParsedSchema;
}

/** Confluent truncates the old schema in messages beyond this many characters. */
const MAX_SCHEMA_IN_MESSAGE = 10 * 1024;

function fill(messages: string[], first: string, second: string): string[] {
  return messages.map((message) => message.replace('%s', first).replace('%s', second));
}

function withOldSchema(messages: string[], previous: PreviousSchema): string[] {
  if (messages.length === 0) return messages;
  const text = previous.parsed.canonical;
  return [
    ...messages,
    `{oldSchemaVersion: ${previous.version}}`,
    text.length <= MAX_SCHEMA_IN_MESSAGE ? `{oldSchema: '${text}'}` : `{oldSchema: <truncated> '${text.slice(0, MAX_SCHEMA_IN_MESSAGE)}...'}`,
  ];
}

function checkOne(level: CompatibilityLevel, candidate: ParsedSchema, previous: PreviousSchema): string[] {
  if (candidate.type !== previous.parsed.type) return ['Incompatible because of different schema type'];
  const backward = () => withOldSchema(fill(candidate.canRead(previous.parsed), 'new', 'old'), previous);
  const forward = (append: boolean) => {
    const messages = fill(previous.parsed.canRead(candidate), 'old', 'new');
    return append ? withOldSchema(messages, previous) : messages;
  };
  if (level.startsWith('BACKWARD')) return backward();
  if (level.startsWith('FORWARD')) return forward(true);
  if (level.startsWith('FULL')) {
    const messages = forward(false);
    return [...messages, ...backward()];
  }
  return [];
}

/**
 * The differences that make `candidate` incompatible with `previous` (oldest first) under `level`;
 * empty when it is compatible.
 */
export function checkCompatibility(level: CompatibilityLevel, candidate: ParsedSchema, previous: PreviousSchema[]): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const newestFirst = [...previous].reverse();
  for (const existing of transitive ? newestFirst : newestFirst.slice(0, 1)) {
    const messages = checkOne(level, candidate, existing);
    if (messages.length > 0) return messages;
  }
  return [];
}

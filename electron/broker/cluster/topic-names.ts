/** Kafka's topic-name rules (org.apache.kafka.common.internals.Topic), with messages a user understands. */
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

/** Returns why `name` is not a valid topic name, or null when it is. */
export function topicNameError(name: string): string | null {
  if (name.length === 0) return 'Topic name is empty.';
  if (name === '.' || name === '..') return `Topic name cannot be "${name}".`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is ${name.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}.`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" contains characters other than ASCII letters, digits, '.', '_' and '-'.`;
  }
  return null;
}

/** Kafka refuses two topics whose names differ only by '.' versus '_' (they clash in metric names). */
export function collidingTopicName(name: string, existing: Iterable<string>): string | null {
  const folded = name.replace(/\./g, '_');
  for (const other of existing) {
    if (other !== name && other.replace(/\./g, '_') === folded) return other;
  }
  return null;
}

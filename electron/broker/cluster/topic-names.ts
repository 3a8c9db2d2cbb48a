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

/** The name with '.' as '_': Kafka refuses two topics whose names differ only so (they clash in metric names). */
export function foldedTopicName(name: string): string {
  return name.replace(/\./g, '_');
}

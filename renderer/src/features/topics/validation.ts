// Inline validation of the create-topic form, with the same rules the main process enforces (the
// shared topic-name schema) plus what only the screen knows: the broker count and existing names.
import { MAX_PARTITIONS } from '../../../../shared/ipc/contract';
import { configNameSchema, topicNameSchema } from '../../../../shared/model/schemas';

export interface CreateTopicForm {
  name: string;
  partitions: string;
  replicationFactor: string;
  configs: { name: string; value: string }[];
}

export type CreateTopicErrors = Partial<Record<'name' | 'partitions' | 'replicationFactor' | `config.${number}`, string>>;

export interface CreateTopicContext {
  /** Brokers the cluster reports; null while unknown. */
  brokerCount: number | null;
  existingTopics: ReadonlySet<string>;
}

function wholeNumber(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

export function validateCreateTopic(form: CreateTopicForm, context: CreateTopicContext): CreateTopicErrors {
  const errors: CreateTopicErrors = {};
  const name = topicNameSchema.safeParse(form.name);
  if (!name.success) errors.name = name.error.issues[0]?.message ?? 'This is not a valid topic name.';
  else if (context.existingTopics.has(form.name)) errors.name = `A topic named "${form.name}" already exists.`;
  else {
    const clash = collidingTopic(form.name, context.existingTopics);
    if (clash) {
      errors.name = `"${form.name}" collides with the existing topic "${clash}": Kafka's metric names treat '.' and '_' alike, so the cluster refuses it.`;
    }
  }

  const partitions = wholeNumber(form.partitions);
  if (partitions === null || partitions < 1) errors.partitions = 'A topic needs at least 1 partition.';
  else if (partitions > MAX_PARTITIONS) errors.partitions = `Use at most ${MAX_PARTITIONS} partitions.`;

  const replicationFactor = wholeNumber(form.replicationFactor);
  if (replicationFactor === null || replicationFactor < 1) errors.replicationFactor = 'The replication factor must be at least 1.';
  else if (context.brokerCount !== null && replicationFactor > context.brokerCount) {
    errors.replicationFactor = `The replication factor cannot be larger than the number of brokers (${context.brokerCount}).`;
  }

  const seen = new Set<string>();
  form.configs.forEach((config, index) => {
    if (!config.name && !config.value) return;
    const parsed = configNameSchema.safeParse(config.name);
    if (!parsed.success) errors[`config.${index}`] = parsed.error.issues[0]?.message ?? 'Not a valid config name.';
    else if (seen.has(config.name)) errors[`config.${index}`] = `${config.name} is set twice.`;
    else if (!config.value) errors[`config.${index}`] = `Enter a value for ${config.name}.`;
    seen.add(config.name);
  });
  return errors;
}

/** A name as Kafka's metrics see it: '.' becomes '_' (org.apache.kafka.common.internals.Topic.unifyCollisionChars). */
export function metricName(topic: string): string {
  return topic.replaceAll('.', '_');
}

/**
 * An existing topic, other than `name` itself, whose metric name is the same (my_topic and my.topic):
 * Kafka refuses to create such a topic (Topic.hasCollision, checked by CreateTopics).
 */
export function collidingTopic(name: string, existing: Iterable<string>): string | null {
  const unified = metricName(name);
  for (const topic of existing) if (topic !== name && metricName(topic) === unified) return topic;
  return null;
}

/**
 * A warning for a name with both '.' and '_'. kafka-topics.sh warns about either character
 * (Topic.hasCollisionChars); said for every name with a '.' it would be noise, so only for mixes.
 */
export function collisionCharsWarning(name: string): string | null {
  return name.includes('.') && name.includes('_')
    ? "This name has both '.' and '_', which Kafka's metric names treat alike: another topic differing only in those would collide with it. Using one of them is safer."
    : null;
}

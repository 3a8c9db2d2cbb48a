import { describe, expect, it } from 'vitest';
import { collidingTopic, collisionCharsWarning, metricName, validateCreateTopic, type CreateTopicForm } from '../../renderer/src/features/topics/validation';

const form = (patch: Partial<CreateTopicForm>): CreateTopicForm => ({ name: 'orders', partitions: '3', replicationFactor: '3', configs: [], ...patch });
const context = { brokerCount: 3, existingTopics: new Set(['existing']) };

describe('create-topic form validation', () => {
  it('accepts a valid topic', () => {
    expect(validateCreateTopic(form({}), context)).toEqual({});
  });

  it.each([
    ['has spaces', 'A topic name can only contain letters, digits, ".", "_" and "-".'],
    ['ünïcode', 'A topic name can only contain letters, digits, ".", "_" and "-".'],
    ['..', 'A topic name cannot be "." or "..".'],
    ['', 'Enter a topic name.'],
    ['existing', 'A topic named "existing" already exists.'],
  ])('refuses the name %j', (name, message) => {
    expect(validateCreateTopic(form({ name }), context).name).toBe(message);
  });

  it('needs at least one partition and a whole number', () => {
    expect(validateCreateTopic(form({ partitions: '0' }), context).partitions).toBe('A topic needs at least 1 partition.');
    expect(validateCreateTopic(form({ partitions: '1.5' }), context).partitions).toBe('A topic needs at least 1 partition.');
  });

  it('refuses a replication factor larger than the broker count', () => {
    expect(validateCreateTopic(form({ replicationFactor: '4' }), context).replicationFactor).toBe(
      'The replication factor cannot be larger than the number of brokers (3).',
    );
    expect(validateCreateTopic(form({ replicationFactor: '4' }), { ...context, brokerCount: null }).replicationFactor).toBeUndefined();
  });

  it('checks config names and values', () => {
    const errors = validateCreateTopic(
      form({
        configs: [
          { name: 'Retention', value: '1' },
          { name: 'retention.ms', value: '' },
          { name: '', value: '' },
        ],
      }),
      context,
    );
    expect(errors['config.0']).toMatch(/lower-case/);
    expect(errors['config.1']).toBe('Enter a value for retention.ms.');
    expect(errors['config.2']).toBeUndefined();
  });
});

describe('metric-name collisions (Kafka refuses my_topic beside my.topic)', () => {
  it('finds the existing topic a name collides with, not the name itself', () => {
    expect(collidingTopic('my_topic', ['orders', 'my.topic'])).toBe('my.topic');
    expect(collidingTopic('my.topic', ['my_topic'])).toBe('my_topic');
    expect(collidingTopic('a.b_c', ['a_b.c'])).toBe('a_b.c');
    expect(collidingTopic('my.topic', ['my.topic'])).toBeNull();
    expect(collidingTopic('my-topic', ['my_topic', 'my.topic'])).toBeNull();
    expect(metricName('a.b.c')).toBe('a_b_c');
  });

  it('refuses a colliding name in the form, naming the other topic', () => {
    expect(validateCreateTopic(form({ name: 'my_topic' }), { brokerCount: 3, existingTopics: new Set(['my.topic']) }).name).toBe(
      `"my_topic" collides with the existing topic "my.topic": Kafka's metric names treat '.' and '_' alike, so the cluster refuses it.`,
    );
  });

  it("warns about a name mixing '.' and '_', not about one of them alone", () => {
    expect(collisionCharsWarning('orders.created_v2')).toMatch(/both '\.' and '_'/);
    expect(collisionCharsWarning('orders.created')).toBeNull();
    expect(collisionCharsWarning('orders_created')).toBeNull();
  });
});

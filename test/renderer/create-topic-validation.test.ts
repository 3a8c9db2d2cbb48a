import { describe, expect, it } from 'vitest';
import { validateCreateTopic, type CreateTopicForm } from '../../renderer/src/features/topics/validation';

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

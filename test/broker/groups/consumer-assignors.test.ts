/**
 * The server-side assignors of KIP-848 consumer groups: uniform (balance within one partition among
 * members of the same subscription, then stickiness) and range (contiguous ranges, co-partitioned
 * topics get the same partition numbers), as Kafka's UniformAssignor and RangeAssignor promise.
 */
import { describe, expect, it } from 'vitest';
import { configuredAssignors, rangeAssignor, uniformAssignor, type AssignorMember } from '../../../electron/broker/groups/consumer-assignors';
import type { SubscribedTopic, TopicPartitions } from '../../../electron/broker/groups/consumer-group';

const topics = (...specs: Array<[string, number]>) =>
  new Map<string, SubscribedTopic>(specs.map(([name, n]) => [`id-${name}`, { topicId: `id-${name}`, name, numPartitions: n }]));

function member(memberId: string, subscribed: string[], current: TopicPartitions = new Map(), instanceId: string | null = null): AssignorMember {
  return { memberId, instanceId, subscribedTopicIds: new Set(subscribed.map((t) => `id-${t}`)), currentTarget: current };
}

const count = (a: TopicPartitions | undefined) => [...(a ?? new Map<string, Set<number>>()).values()].reduce((n, s) => n + s.size, 0);
const flat = (a: TopicPartitions | undefined) => [...(a ?? new Map<string, Set<number>>())].flatMap(([t, s]) => [...s].map((p) => `${t.slice(3)}-${p}`)).sort();

/** Every partition of the topics goes to exactly one member. */
function expectComplete(result: Map<string, TopicPartitions>, all: Map<string, SubscribedTopic>): void {
  const given = [...result.values()].flatMap(flat).sort();
  const expected = [...all.values()].flatMap((t) => Array.from({ length: t.numPartitions }, (_, p) => `${t.name}-${p}`)).sort();
  expect(given).toEqual(expected);
}

describe('uniform assignor', () => {
  it('balances members of one subscription within one partition', () => {
    const all = topics(['a', 5], ['b', 5]);
    const result = uniformAssignor.assign([member('m1', ['a', 'b']), member('m2', ['a', 'b']), member('m3', ['a', 'b'])], all);
    expectComplete(result, all);
    expect([...result.values()].map(count).sort()).toEqual([3, 3, 4]);
  });

  it('is sticky: a member joining takes only its share from the others, one leaving gives only its own', () => {
    const all = topics(['a', 6], ['b', 6]);
    const first = uniformAssignor.assign([member('m1', ['a', 'b']), member('m2', ['a', 'b'])], all);
    const joined = uniformAssignor.assign(
      [member('m1', ['a', 'b'], first.get('m1')), member('m2', ['a', 'b'], first.get('m2')), member('m3', ['a', 'b'])],
      all,
    );
    expectComplete(joined, all);
    expect([...joined.values()].map(count)).toEqual([4, 4, 4]);
    for (const id of ['m1', 'm2']) expect(flat(first.get(id)).filter((p) => flat(joined.get(id)).includes(p))).toHaveLength(4);

    const left = uniformAssignor.assign([member('m1', ['a', 'b'], joined.get('m1')), member('m3', ['a', 'b'], joined.get('m3'))], all);
    expectComplete(left, all);
    expect([...left.values()].map(count)).toEqual([6, 6]);
    for (const id of ['m1', 'm3']) expect(flat(left.get(id))).toEqual(expect.arrayContaining(flat(joined.get(id))));
  });

  it('gives a topic only to its subscribers, balanced as far as subscriptions allow', () => {
    const all = topics(['a', 4], ['b', 4], ['c', 2]);
    const result = uniformAssignor.assign([member('only-a', ['a']), member('a-and-b', ['a', 'b']), member('nothing', [])], all);
    expect(flat(result.get('only-a'))).toEqual(['a-0', 'a-1', 'a-2', 'a-3']);
    expect(flat(result.get('a-and-b'))).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
    expect(flat(result.get('nothing'))).toEqual([]);
    // c has no subscriber: nobody gets it.
    expect([...result.values()].flatMap(flat).some((p) => p.startsWith('c-'))).toBe(false);
  });

  it('drops partitions of topics that shrank or went from the current target', () => {
    const all = topics(['a', 2]);
    const current: TopicPartitions = new Map([
      ['id-a', new Set([0, 1, 5])],
      ['id-gone', new Set([0])],
    ]);
    const result = uniformAssignor.assign([member('m', ['a'], current)], all);
    expect(flat(result.get('m'))).toEqual(['a-0', 'a-1']);
  });
});

describe('range assignor', () => {
  it('gives co-partitioned topics the same partition numbers, the first members one more', () => {
    const all = topics(['t1', 3], ['t2', 3]);
    const result = rangeAssignor.assign([member('m1', ['t1', 't2']), member('m0', ['t1', 't2'])], all);
    expect(flat(result.get('m0'))).toEqual(['t1-0', 't1-1', 't2-0', 't2-1']);
    expect(flat(result.get('m1'))).toEqual(['t1-2', 't2-2']);
  });

  it('orders members by instance id when they have one', () => {
    const all = topics(['t', 4]);
    const result = rangeAssignor.assign([member('a', ['t'], new Map(), 'i2'), member('b', ['t'], new Map(), 'i1')], all);
    expect(flat(result.get('b'))).toEqual(['t-0', 't-1']);
    expect(flat(result.get('a'))).toEqual(['t-2', 't-3']);
  });
});

describe('group.consumer.assignors', () => {
  it('takes names or Kafka’s class names; the first is the default', () => {
    expect(configuredAssignors('uniform,range').map((a) => a.name)).toEqual(['uniform', 'range']);
    expect(configuredAssignors('org.apache.kafka.coordinator.group.assignor.RangeAssignor').map((a) => a.name)).toEqual(['range']);
    expect(configuredAssignors('range, uniform').map((a) => a.name)).toEqual(['range', 'uniform']);
  });
});

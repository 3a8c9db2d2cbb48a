import { describe, expect, it } from 'vitest';
import { parseReplicaList, planReassignment, targetProblem, type PlanPartition } from '../../shared/model/reassignment-plan';

const partitions = (assignment: number[][], size = 1000): PlanPartition[] =>
  assignment.map((replicas, partition) => ({ topic: 't', partition, replicas, sizeBytes: size }));

describe('reassignment plans', () => {
  it('spreads replicas and preferred leaders evenly onto a new broker, moving as little as it can', () => {
    const plan = planReassignment(
      partitions([
        [0, 1],
        [1, 2],
        [2, 0],
        [0, 1],
      ]),
      { kind: 'spread', brokers: [0, 1, 2, 3] },
      [0, 1, 2, 3],
    );
    expect(plan.after.map((load) => load.replicas)).toEqual([2, 2, 2, 2]);
    expect(plan.after.map((load) => load.leaders)).toEqual([1, 1, 1, 1]);
    // 8 replicas over 4 brokers: two move to broker 3, nothing else.
    expect(plan.moves.flatMap((m) => m.adding)).toEqual([3, 3]);
    expect(plan.bytesToCopy).toBe(2000);
    expect(plan.before.map((load) => load.replicas)).toEqual([3, 3, 2, 0]);
    expect(plan.problems).toEqual([]);
  });

  it('leaves a balanced assignment alone', () => {
    const plan = planReassignment(partitions([[0], [1], [2]]), { kind: 'spread', brokers: [0, 1, 2] }, [0, 1, 2]);
    expect(plan.moves).toEqual([]);
  });

  it('drains a broker onto the least-loaded brokers the partition does not use, and says when it cannot', () => {
    const plan = planReassignment(
      partitions([
        [0, 1],
        [1, 0],
        [1, 2],
      ]),
      { kind: 'drain', broker: 0, brokers: [0, 1, 2, 3] },
      [0, 1, 2, 3],
    );
    expect(plan.moves.map((m) => [m.partition, m.to])).toEqual([
      [0, [3, 1]],
      [1, [1, 2]],
    ]);
    expect(plan.after.find((load) => load.broker === 0)).toEqual({ broker: 0, replicas: 0, leaders: 0, bytes: 0, incomingBytes: 0 });
    const stuck = planReassignment(partitions([[0, 1]]), { kind: 'drain', broker: 0, brokers: [0, 1] }, [0, 1]);
    expect(stuck.moves).toEqual([]);
    expect(stuck.problems).toEqual(['t-0 has 2 replicas and no other broker is free to take the one on broker 0.']);
  });

  it('takes targets by hand, and refuses to spread a partition over fewer brokers than its replicas', () => {
    const manual = planReassignment(partitions([[0, 1]], 500), { kind: 'manual', targets: { 't-0': [2, 1, 3] } }, [0, 1, 2, 3]);
    expect(manual.moves).toEqual([{ topic: 't', partition: 0, from: [0, 1], to: [2, 1, 3], adding: [2, 3], removing: [0], bytesToCopy: 1000 }]);
    const narrow = planReassignment(partitions([[0, 1, 2]]), { kind: 'spread', brokers: [0, 1] }, [0, 1, 2]);
    expect(narrow.moves).toEqual([]);
    expect(narrow.problems[0]).toMatch(/has 3 replicas, more than the 2 broker\(s\) chosen/);
  });

  it('counts the whole cluster before and after when given it, with the bytes each broker holds and receives', () => {
    const chosen: PlanPartition[] = [{ topic: 'a', partition: 0, replicas: [0, 1], sizeBytes: 5000 }];
    const others: PlanPartition[] = [
      { topic: 'b', partition: 0, replicas: [0, 1], sizeBytes: 100 },
      { topic: 'b', partition: 1, replicas: [2, 0], sizeBytes: null },
    ];
    const plan = planReassignment(chosen, { kind: 'drain', broker: 0, brokers: [0, 1, 2] }, [0, 1, 2], { cluster: [...chosen, ...others] });
    expect(plan.moves.map((m) => [m.topic, m.partition, m.to])).toEqual([['a', 0, [2, 1]]]);
    expect(plan.before).toEqual([
      { broker: 0, replicas: 3, leaders: 2, bytes: 5100, incomingBytes: 0 },
      { broker: 1, replicas: 2, leaders: 0, bytes: 5100, incomingBytes: 0 },
      { broker: 2, replicas: 1, leaders: 1, bytes: 0, incomingBytes: 0 },
    ]);
    // Only the chosen partition moves; the others stay counted where they are.
    expect(plan.after).toEqual([
      { broker: 0, replicas: 2, leaders: 1, bytes: 100, incomingBytes: 0 },
      { broker: 1, replicas: 2, leaders: 0, bytes: 5100, incomingBytes: 0 },
      { broker: 2, replicas: 2, leaders: 2, bytes: 5000, incomingBytes: 5000 },
    ]);
    // Without the cluster, only the partitions planned are counted.
    expect(planReassignment(chosen, { kind: 'drain', broker: 0, brokers: [0, 1, 2] }, [0, 1, 2]).before.map((l) => l.replicas)).toEqual([1, 1, 0]);
  });

  it('drains onto the broker least loaded across the whole cluster', () => {
    const chosen: PlanPartition[] = [{ topic: 'a', partition: 0, replicas: [0, 1], sizeBytes: 1 }];
    // Broker 2 is busy with another topic: broker 3 takes the replica.
    const busy: PlanPartition[] = [
      { topic: 'b', partition: 0, replicas: [2], sizeBytes: 1 },
      { topic: 'b', partition: 1, replicas: [2], sizeBytes: 1 },
    ];
    expect(planReassignment(chosen, { kind: 'drain', broker: 0, brokers: [0, 1, 2, 3] }, [0, 1, 2, 3], { cluster: [...chosen, ...busy] }).moves[0]!.to).toEqual(
      [3, 1],
    );
  });

  it('takes targets set by hand over the goal, for the partitions planned only', () => {
    const plan = planReassignment(
      partitions([
        [0, 1],
        [1, 0],
      ]),
      { kind: 'drain', broker: 0, brokers: [0, 1, 2] },
      [0, 1, 2],
      { overrides: { 't-1': [2, 1, 0], 'other-0': [2] } },
    );
    expect(plan.moves.map((m) => [m.partition, m.to, m.adding, m.removing])).toEqual([
      [0, [2, 1], [2], [0]],
      [1, [2, 1, 0], [2], []],
    ]);
    expect(plan.after.map((l) => l.replicas)).toEqual([1, 2, 2]);
  });

  it('reads and checks a replica list typed by hand', () => {
    expect(parseReplicaList(' 2, 0,1 ')).toEqual([2, 0, 1]);
    expect(parseReplicaList('')).toEqual([]);
    expect(parseReplicaList('2 0')).toBeNull();
    expect(parseReplicaList('2,,1')).toBeNull();
    expect(parseReplicaList('-1')).toBeNull();
    const brokers = [
      { id: 0, up: true },
      { id: 1, up: true },
      { id: 2, up: false },
    ];
    expect(targetProblem([1, 0], [0, 1], brokers, false)).toBeNull();
    expect(targetProblem(null, [0, 1], brokers, false)).toMatch(/separated by commas/);
    expect(targetProblem([], [0, 1], brokers, false)).toBe('A partition needs at least one replica.');
    expect(targetProblem([1, 1], [0, 1], brokers, false)).toBe('Broker 1 appears twice.');
    expect(targetProblem([1, 7], [0, 1], brokers, false)).toBe('There is no broker 7.');
    expect(targetProblem([1, 2], [0, 1], brokers, false)).toMatch(/^Broker 2 is down/);
    expect(targetProblem([1], [0, 1], brokers, false)).toMatch(/^1 replica where the partition has 2: tick "Change replication factors"/);
    expect(targetProblem([1], [0, 1], brokers, true)).toBeNull();
  });
});

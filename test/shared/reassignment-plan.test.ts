import { describe, expect, it } from 'vitest';
import { planReassignment, type PlanPartition } from '../../shared/model/reassignment-plan';

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
    expect(plan.after.find((load) => load.broker === 0)).toEqual({ broker: 0, replicas: 0, leaders: 0 });
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
});

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { isFailure } from '../../../electron/broker/cluster/controller';
import { silentLogger } from '../../../electron/broker/server/logger';
import { planReassignment, type PlanGoal } from '../../../shared/model/reassignment-plan';
import { checkKeyedValues, followTopic, produceIdempotentThrough, readTopic } from '../../support/disrupted-clients';
import { waitFor } from '../../support/wait';

const RECORDS = 16_000;
const PARTITIONS = 3;
const KEYS = 30;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('clients keep going while replicas move and the cluster grows and shrinks', () => {
  it('an idempotent librdkafka producer (acks=all) and a kcat consumer: broker added, topic spread onto it, another broker drained and removed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kd-reassign-clients-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger });
    cleanups.push(() => cluster.close());
    const topic = 'moving';
    const created = cluster.controller.createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
    if (isFailure(created)) throw new Error(created.message);
    const kafka = new Kafka({ clientId: 'mover', brokers: cluster.bootstrapServers().split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());

    // The consumer follows the topic from the start for the whole run (librdkafka, no group).
    const consumer = followTopic(cluster.bootstrapServers(), topic);
    cleanups.push(() => consumer.close());

    /** Plans as the app does and applies with AlterPartitionReassignments (kafkajs), then waits until done. */
    const move = async (goal: PlanGoal) => {
      const partitions = cluster.controller
        .topic(topic)!
        .partitions.map((p) => ({ topic, partition: p.partition, replicas: [...p.replicas], sizeBytes: null }));
      const brokers = cluster.brokers().map((b) => b.id);
      const plan = planReassignment(partitions, goal, brokers);
      expect(plan.problems).toEqual([]);
      await admin.alterPartitionReassignments({
        topics: [{ topic, partitionAssignment: plan.moves.map((m) => ({ partition: m.partition, replicas: m.to })) }],
      });
      await waitFor(
        () => cluster.controller.listPartitionReassignments(null).length === 0,
        60_000,
        'the reassignments to complete',
        () => JSON.stringify(cluster.controller.listPartitionReassignments(null)),
      );
      return plan;
    };
    const steps: Array<() => Promise<void>> = [
      async () => {
        const added = await cluster.addBroker();
        expect(added.id).toBe(3);
      },
      async () => {
        const plan = await move({ kind: 'spread', brokers: [0, 1, 2, 3] });
        expect(plan.after.find((load) => load.broker === 3)!.replicas).toBeGreaterThan(0);
        expect(cluster.controller.topic(topic)!.partitions.some((p) => p.replicas.includes(3))).toBe(true);
      },
      async () => {
        await expect(cluster.removeBroker(0)).rejects.toThrow(/still holds \d+ replicas? \(moving-/);
        await move({ kind: 'drain', broker: 0, brokers: [0, 1, 2, 3] });
        expect(cluster.controller.replicasOn(0)).toEqual([]);
      },
      async () => {
        await cluster.removeBroker(0);
        expect(cluster.brokers().map((b) => b.id)).toEqual([1, 2, 3]);
      },
    ];

    // Broker 0 is removed along the way: the producer bootstraps from the others too.
    const produced = await produceIdempotentThrough({ bootstrap: cluster.bootstrapServers(), topic, records: RECORDS, keys: KEYS, steps });
    expect(produced.stepsRun).toBe(steps.length);
    expect(produced.exitCode, produced.stderr).toBe(0);
    expect(produced.stderr).not.toMatch(/DELIVERY FAILED/);
    const { acknowledged } = produced;
    expect(acknowledged.size).toBe(RECORDS);

    // The consumer that ran throughout saw every record once, in order per key.
    await waitFor(
      () => consumer.values.length >= RECORDS,
      60_000,
      'the consumer to see every record',
      () => `${consumer.values.length} of ${RECORDS}`,
    );
    const nothingWrong = { lost: [], duplicated: [], reordered: [] };
    expect(checkKeyedValues(consumer.values, acknowledged), 'live consumer').toEqual(nothingWrong);
    // And so does a fresh read of the whole topic, from the brokers that now hold it.
    expect(checkKeyedValues(await readTopic(cluster.bootstrapServers(), topic), acknowledged), 'read after').toEqual(nothingWrong);
    for (const p of cluster.controller.topic(topic)!.partitions) {
      expect(p.replicas).not.toContain(0);
      expect(p.isr.length).toBe(3);
    }
    expect(existsSync(join(dataDir, 'broker-0', `${topic}-0`))).toBe(false);
  }, 240_000);

  it('an added broker is registered in the cluster metadata and starts again after a restart; a removed one does not', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kd-grow-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let cluster = await EmbeddedCluster.start({ brokers: 2, basePort: 0, dataDir, logger: silentLogger });
    await cluster.addBroker();
    await cluster.addBroker();
    await expect(cluster.removeBroker(7)).rejects.toThrow(/no broker 7/);
    await cluster.removeBroker(1);
    expect(cluster.brokers().map((b) => [b.id, b.state])).toEqual([
      [0, 'running'],
      [2, 'running'],
      [3, 'running'],
    ]);
    await cluster.close();
    cluster = await EmbeddedCluster.start({ brokers: 2, basePort: 0, dataDir, logger: silentLogger });
    cleanups.push(() => cluster.close());
    expect(cluster.brokers().map((b) => b.id)).toEqual([0, 2, 3]);
    // New topics use the brokers there are.
    const created = cluster.controller.createTopic({ name: 'after', partitions: 6, replicationFactor: 3 });
    if (isFailure(created)) throw new Error(created.message);
    expect(new Set(created.partitions.flatMap((p) => p.replicas))).toEqual(new Set([0, 2, 3]));
    await expect(cluster.removeBroker(3)).rejects.toThrow(/broker 3 still holds 6 replicas \(after-0, after-1, after-2, after-3, after-4 and 1 more\)/);
  }, 60_000);
});

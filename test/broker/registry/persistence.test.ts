/**
 * The registry's state lives in `_schemas` only: it comes back after a restart of the whole cluster,
 * survives the partition's leader stopping or dying (writes go on through the new leader, acks=all),
 * a second registry on the same cluster rebuilds the same state, and the topic holds Confluent's record
 * formats (read back with kcat).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../../electron/broker/registry';
import { ClusterSchemasLog, clusterTopicHost } from '../../../electron/broker/registry/schemas-log';
import { KCAT, run } from '../clients/helpers';
import { avroRecord, call, startRegistryCluster, type RegistryCluster } from './helpers';

let open: RegistryCluster[] = [];

afterEach(async () => {
  for (const t of open) await t.close().catch(() => undefined);
  open = [];
});

async function start(options: Parameters<typeof startRegistryCluster>[0] = {}): Promise<RegistryCluster> {
  const t = await startRegistryCluster(options);
  open.push(t);
  return t;
}

const v = (n: number) =>
  avroRecord('Event', [{ name: 'id', type: 'string' }, ...Array.from({ length: n - 1 }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 }))]);

/** Everything a client can see of the registry, to compare before and after. */
async function snapshot(url: string) {
  const subjects = (await call(url, 'GET', '/subjects?deleted=true')).body as string[];
  const versions: Record<string, unknown> = {};
  for (const s of subjects) {
    const numbers = (await call(url, 'GET', `/subjects/${encodeURIComponent(s)}/versions?deleted=true`)).body as number[];
    versions[s] = await Promise.all(numbers.map(async (n) => (await call(url, 'GET', `/subjects/${encodeURIComponent(s)}/versions/${n}?deleted=true`)).body));
  }
  return {
    subjects,
    live: (await call(url, 'GET', '/subjects')).body,
    versions,
    config: (await call(url, 'GET', '/config')).body,
    subjectConfig: (await call(url, 'GET', '/config/events-value')).body,
    mode: (await call(url, 'GET', '/mode/frozen-value')).body,
  };
}

async function populate(url: string): Promise<void> {
  for (let n = 1; n <= 3; n++) expect((await call(url, 'POST', '/subjects/events-value/versions', { schema: v(n) })).status).toBe(200);
  await call(url, 'POST', '/subjects/json-value/versions', { schema: '{"type":"object"}', schemaType: 'JSON' });
  await call(url, 'POST', '/subjects/gone-value/versions', { schema: avroRecord('Gone', []) });
  await call(url, 'DELETE', '/subjects/gone-value');
  await call(url, 'DELETE', '/subjects/events-value/versions/1');
  await call(url, 'PUT', '/config', { compatibility: 'FULL' });
  await call(url, 'PUT', '/config/events-value', { compatibility: 'BACKWARD_TRANSITIVE' });
  await call(url, 'POST', '/subjects/frozen-value/versions', { schema: avroRecord('Frozen', []) });
  await call(url, 'PUT', '/mode/frozen-value', { mode: 'READONLY' });
}

describe('persistence', () => {
  it('comes back whole after the cluster restarts, and new ids continue above the old ones', async () => {
    const first = await start({ brokers: 1 });
    await populate(first.url);
    const before = await snapshot(first.url);
    expect(before.subjects).toEqual(['events-value', 'frozen-value', 'gone-value', 'json-value']);
    const maxId = (await call(first.url, 'GET', '/schemas/ids/1?fetchMaxId=true')).body.maxId as number;
    await first.close(false);
    open = [];

    const second = await start({ brokers: 1, dataDir: first.dataDir });
    expect(await snapshot(second.url)).toEqual(before);
    const next = await call(second.url, 'POST', '/subjects/new-value/versions', { schema: avroRecord('New', []) });
    expect(next.body.id).toBe(maxId + 1);
    // The read-only mode and the soft delete were restored too.
    expect(
      (await call(second.url, 'POST', '/subjects/frozen-value/versions', { schema: avroRecord('Frozen', [{ name: 'a', type: 'int', default: 1 }]) })).body
        .error_code,
    ).toBe(42205);
    expect((await call(second.url, 'GET', '/subjects/events-value/versions')).body).toEqual([2, 3]);
  }, 60_000);

  it('keeps working when the leader of _schemas stops or dies, with every write on all in-sync replicas', async () => {
    const t = await start({ brokers: 3 });
    // The topic appears with the first schema, compacted, on every broker.
    expect(t.cluster.controller.topic('_schemas')).toBeUndefined();
    await populate(t.url);
    const topic = t.cluster.controller.topic('_schemas')!;
    expect(topic.partitions).toHaveLength(1);
    expect(topic.partitions[0]!.replicas).toHaveLength(3);
    expect(topic.configs['cleanup.policy']).toBe('compact');
    const before = await snapshot(t.url);

    const leaderOf = () => t.cluster.controller.partition('_schemas', 0)!.leader;
    /** Every running replica in the ISR holds every record the leader committed. */
    const assertReplicated = () => {
      const meta = t.cluster.controller.partition('_schemas', 0)!;
      const leader = t.cluster.broker(meta.leader).replica('_schemas', 0)!;
      for (const id of meta.isr) expect(t.cluster.broker(id).replica('_schemas', 0)!.log.logEndOffset).toBeGreaterThanOrEqual(leader.highWatermark);
    };
    assertReplicated();

    const first = leaderOf();
    await t.cluster.stopBroker(first);
    expect(leaderOf()).not.toBe(first);
    expect(await snapshot(t.url)).toEqual(before);
    const afterStop = await call(t.url, 'POST', '/subjects/events-value/versions', { schema: v(4) });
    expect(afterStop.status).toBe(200);
    assertReplicated();

    const second = leaderOf();
    await t.cluster.killBroker(second);
    // The controller notices the dead broker and elects the last in-sync replica.
    expect(leaderOf()).not.toBe(second);
    const afterKill = await call(t.url, 'POST', '/subjects/events-value/versions', { schema: v(5) });
    expect(afterKill.status).toBe(200);
    expect(afterKill.body.id).toBeGreaterThan(afterStop.body.id);

    await t.cluster.startBroker(first);
    await t.cluster.startBroker(second);
    const state = await snapshot(t.url);
    expect((state.versions['events-value'] as unknown[]).length).toBe(5);

    // A second registry on the same cluster rebuilds exactly this state from the topic.
    const rebuilt = new SchemaRegistry(new ClusterSchemasLog(clusterTopicHost(t.cluster)));
    await rebuilt.start(10_000);
    expect(rebuilt.listSubjects({ deleted: true })).toEqual(state.subjects);
    expect(rebuilt.listVersions('events-value', { deleted: true })).toEqual([1, 2, 3, 4, 5]);
    expect(rebuilt.getVersion('events-value', 'latest')).toEqual(await (await call(t.url, 'GET', '/subjects/events-value/versions/latest')).body);
    expect(rebuilt.getConfig('events-value')).toEqual({ compatibilityLevel: 'BACKWARD_TRANSITIVE' });
    expect(rebuilt.getMode('frozen-value')).toEqual({ mode: 'READONLY' });
  }, 90_000);

  it('answers reads from memory while _schemas has no leader, and fails writes with a store error', async () => {
    const t = await start({ brokers: 1, writeTimeoutMs: 1000 });
    await call(t.url, 'POST', '/subjects/a-value/versions', { schema: avroRecord('A', []) });
    await t.cluster.killBroker(0);
    expect((await call(t.url, 'GET', '/subjects')).body).toEqual(['a-value']);
    expect((await call(t.url, 'GET', '/subjects/a-value/versions/1')).status).toBe(200);
    const refused = await call(t.url, 'POST', '/subjects/b-value/versions', { schema: avroRecord('B', []) });
    expect(refused.status).toBe(500);
    expect([50001, 50002]).toContain(refused.body.error_code);
    await t.cluster.startBroker(0);
    expect((await call(t.url, 'POST', '/subjects/b-value/versions', { schema: avroRecord('B', []) })).status).toBe(200);
    expect((await call(t.url, 'GET', '/subjects')).body).toEqual(['a-value', 'b-value']);
  }, 60_000);

  it("writes Confluent's key and value formats to _schemas", async () => {
    const t = await start({ brokers: 1 });
    const { id } = (await call(t.url, 'POST', '/subjects/fmt-value/versions', { schema: '{"type":"object"}', schemaType: 'JSON' })).body;
    await call(t.url, 'PUT', '/config/fmt-value', { compatibility: 'FULL' });
    await call(t.url, 'PUT', '/mode', { mode: 'READWRITE' });
    await call(t.url, 'DELETE', '/subjects/fmt-value');
    await call(t.url, 'DELETE', '/subjects/fmt-value?permanent=true');
    const result = await run(KCAT, ['-b', t.cluster.bootstrapServers(), '-t', '_schemas', '-C', '-e', '-q', '-Z', '-f', '%k\t%s\n'], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toEqual([
      `{"keytype":"SCHEMA","subject":"fmt-value","version":1,"magic":1}\t{"subject":"fmt-value","version":1,"id":${id},"schemaType":"JSON","schema":"{\\"type\\":\\"object\\"}","deleted":false}`,
      '{"keytype":"CONFIG","subject":"fmt-value","magic":0}\t{"subject":"fmt-value","compatibilityLevel":"FULL"}',
      '{"keytype":"MODE","magic":0}\t{"mode":"READWRITE"}',
      '{"keytype":"DELETE_SUBJECT","subject":"fmt-value","magic":0}\t{"subject":"fmt-value","version":1}',
      '{"keytype":"SCHEMA","subject":"fmt-value","version":1,"magic":1}\tNULL',
      '{"keytype":"CONFIG","subject":"fmt-value","magic":0}\tNULL',
    ]);
  }, 60_000);

  it('reads records another program wrote to _schemas, and skips what it cannot use', async () => {
    const t = await start({ brokers: 1 });
    await call(t.url, 'POST', '/subjects/first-value/versions', { schema: avroRecord('First', []) });
    const schema = JSON.stringify(avroRecord('External', []));
    const input = [
      `{"keytype":"SCHEMA","subject":"ext-value","version":1,"magic":1}\t{"subject":"ext-value","version":1,"id":77,"schema":${schema},"deleted":false}`,
      'not json\t{"whatever":1}',
      '{"keytype":"SCHEMA","subject":"broken","version":1,"magic":1}\t{"subject":"broken","version":1}',
    ].join('\n');
    const produced = await run(KCAT, ['-b', t.cluster.bootstrapServers(), '-t', '_schemas', '-P', '-K', '\t'], { input, timeoutMs: 20_000 });
    expect(produced.code, produced.stderr).toBe(0);
    expect((await call(t.url, 'GET', '/subjects')).body).toEqual(['ext-value', 'first-value']);
    expect((await call(t.url, 'GET', '/schemas/ids/77')).status).toBe(200);
    expect(t.registry.registry.state.skipped).toBe(2);
    // New ids continue above the external one.
    expect((await call(t.url, 'POST', '/subjects/mine-value/versions', { schema: avroRecord('Mine', []) })).body.id).toBe(78);
  }, 60_000);
});

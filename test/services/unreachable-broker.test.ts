// A broker the cluster lists, up and holding replicas, that the app cannot reach: broker 1 of the
// embedded cluster advertises an address nothing listens on (advertised.listeners, set per broker at
// run time as `kafka-configs --alter --entity-type brokers --entity-name 1` would). Metadata names it as
// up; every request the app must send to it (offsets of the partitions it leads, its log dirs and
// configs, the groups it coordinates) fails. Every screen reads what the other brokers answer and says
// which broker does not answer and why; once the address is fixed, it heals.
import { createServer } from 'node:net';
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import { IncrementalAlterConfigs } from '../../electron/kafka/protocol/generated/index';
import { RawClient } from '../broker/handlers/raw-client';
import { eventually } from '../support/wait';
import { startCore, type TestCore } from './helpers';

const connectionId = 'embedded';
const TOPIC = 'listed.rf1';
const SILENT = 1;

describe('a broker the cluster lists but the app cannot reach', () => {
  let app: TestCore;
  let raw: RawClient;
  let deadPort: number;
  const advertise = async (value: string | null) => {
    const answer = await raw.call(IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 4, resourceName: String(SILENT), configs: [{ name: 'advertised.listeners', configOperation: value === null ? 1 : 0, value }] }],
      validateOnly: false,
    });
    expect(answer.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  };

  beforeAll(async () => {
    app = await startCore({ brokers: 3 });
    raw = await RawClient.open(app.bootstrapServers.split(',')[0]!);
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    // Partition p's only replica on broker p: partition 1 is led by the broker that will not answer.
    const admin = new Admin({ clientId: 'unreachable-test', bootstrapBrokers: app.bootstrapServers.split(','), retries: 0 });
    try {
      await admin.createTopics({ topics: [TOPIC], partitions: -1, replicas: -1, assignments: [0, 1, 2].map((partition) => ({ partition, brokers: [partition] })) });
    } finally {
      await admin.close();
    }
    for (const partition of [0, 1, 2]) {
      await app.ok('produce.send', { connectionId, topic: TOPIC, key: null, value: `p${partition}`, headers: [], partition, repeat: partition + 1 });
    }
    await advertise(`PLAINTEXT://127.0.0.1:${deadPort}`);
  }, 60_000);

  afterAll(async () => {
    raw?.close();
    await app?.close();
  });

  it('the connection is degraded, naming the broker, its advertised address and why; the others answer', async () => {
    const checked = await eventually(
      () => app.ok('connections.check', { connectionId }),
      (value) => value.state === 'degraded',
    );
    const refused = `127.0.0.1:${deadPort} refused the connection: nothing is listening on that port (ECONNREFUSED).`;
    expect(checked).toMatchObject({ reachable: true, lastError: null, detail: `1 of 3 brokers does not answer: broker 1 at 127.0.0.1:${deadPort} (${refused.slice(0, -1)}).` });
    expect(checked.brokers.map((broker) => [broker.id, broker.state])).toEqual([
      [0, 'up'],
      [1, 'down'],
      [2, 'up'],
    ]);
    expect(checked.brokers[1]).toMatchObject({ address: `127.0.0.1:${deadPort}`, error: refused, rttMs: null });
  });

  it('overview and topics: the broker is listed as up at the address the cluster gives, nothing is offline, sizes of its partitions unknown', async () => {
    const overview = await app.ok('cluster.overview', { connectionId });
    expect(overview.brokers.map((broker) => [broker.id, broker.state, broker.port])).toEqual([
      [0, 'up', expect.any(Number)],
      [1, 'up', deadPort],
      [2, 'up', expect.any(Number)],
    ]);
    expect(overview.offlinePartitions).toBe(0);
    const topics = await app.ok('topics.list', { connectionId });
    expect(topics.find((topic) => topic.name === TOPIC)).toMatchObject({ partitions: 3, offlinePartitions: 0, error: null });
    const stats = await app.ok('topics.stats', { connectionId });
    // Partitions 0 and 2 hold 1 and 3 records; partition 1's 2 records are behind the broker that does not answer.
    expect(stats.find((topic) => topic.name === TOPIC)).toMatchObject({ records: 4, recordsUnknownPartitions: 1, sizeUnknownPartitions: 1 });
  });

  it('topic page: the partition it leads says which request to which broker failed; the others have their offsets', async () => {
    const detail = await app.ok('topics.describe', { connectionId, topic: TOPIC });
    expect(detail.partitions.map((partition) => [partition.partition, partition.leader, partition.highWatermark])).toEqual([
      [0, 0, 1],
      [1, SILENT, null],
      [2, 2, 3],
    ]);
    expect(detail.partitions[1]).toMatchObject({ error: null, readError: expect.stringContaining(`ListOffsets on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused`) });
    expect(detail.partitions[0]).toMatchObject({ readError: null });
  });

  it('broker page: its replicas from Metadata; its log dirs and configs said to be unreachable at that address', async () => {
    const page = await app.ok('brokers.describe', { connectionId, brokerId: SILENT });
    expect(page.broker).toMatchObject({ id: SILENT, state: 'up', port: deadPort });
    expect(page.replicas.filter((replica) => replica.topic === TOPIC).map((replica) => [replica.partition, replica.role])).toEqual([[1, 'leader']]);
    expect(page).toMatchObject({
      logDirs: null,
      logDirsError: `DescribeLogDirs on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused`,
      configs: null,
      configsError: `DescribeConfigs on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused`,
    });
  });

  it('messages: the partitions that answer are read and the missing one is named; read alone it is an error saying why', async () => {
    const page = await app.ok('messages.read', { connectionId, topic: TOPIC, partitions: null, seek: { mode: 'earliest' }, limit: { count: 50 } });
    expect(page.records.map((record) => record.partition).sort()).toEqual([0, 2, 2, 2]);
    expect(page.notes).toEqual([`Not shown: partition 1 is unreadable: ListOffsets on broker 1 (127.0.0.1:${deadPort}) failed: the connection was refused.`]);
    const alone = await app.call('messages.read', { connectionId, topic: TOPIC, partitions: [1], seek: { mode: 'earliest' }, limit: { count: 50 } });
    expect(alone.ok).toBe(false);
    if (!alone.ok) expect(alone.error.message).toContain(`127.0.0.1:${deadPort}`);
  });

  it('heals once the broker advertises an address the app can reach', async () => {
    await advertise(null);
    await eventually(
      () => app.ok('connections.check', { connectionId }),
      (value) => value.state === 'up',
      60_000,
    );
    const detail = await eventually(
      () => app.ok('topics.describe', { connectionId, topic: TOPIC }),
      (value) => value.partitions[1]?.highWatermark === 2,
      60_000,
    );
    expect(detail.partitions.map((partition) => partition.readError)).toEqual([null, null, null]);
  });
});

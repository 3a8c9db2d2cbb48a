// advertised.listeners, per broker and dynamic as in Kafka: the address Metadata, DescribeCluster and
// FindCoordinator give clients for a broker. Set to an address nothing listens on, the cluster lists a
// broker that clients cannot reach (the commonest misconfiguration of a real cluster); removed, the
// broker is found again. Checked with kcat (librdkafka), @platformatic/kafka and raw requests.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect, promisify } from 'node:util';
import { Admin as PlatformaticAdmin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { DescribeCluster, DescribeConfigs, FindCoordinator, IncrementalAlterConfigs } from '../../../electron/kafka/protocol/generated/index';
import { silentLogger } from '../../../electron/broker/server/logger';
import { RawClient } from '../handlers/raw-client';

const run = promisify(execFile);
const BROKER = 4;
const SET = 0;
const DELETE = 1;

let dataDir: string;
let cluster: EmbeddedCluster;
let platformatic: PlatformaticAdmin;
let raw: RawClient;
/** A port nothing listens on: bound once, then closed. */
let deadPort: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-advertised-'));
  cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger });
  const brokers = cluster.bootstrapServers().split(',');
  platformatic = new PlatformaticAdmin({ clientId: 'advertised-test', bootstrapBrokers: [brokers[0]!], retries: 0 });
  raw = await RawClient.open(brokers[0]!);
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
}, 60_000);

afterAll(async () => {
  raw?.close();
  await platformatic?.close();
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function kcatBrokers(): Promise<Array<{ id: number; name: string }>> {
  const { stdout } = await run('kcat', ['-b', cluster.bootstrapServers().split(',')[0]!, '-L', '-J', '-m', '10'], { timeout: 30_000 });
  return (JSON.parse(stdout) as { brokers: Array<{ id: number; name: string }> }).brokers.sort((a, b) => a.id - b.id);
}

function alter(resourceName: string, name: string, value: string | null, operation = value === null ? DELETE : SET) {
  return raw.call(IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: BROKER, resourceName, configs: [{ name, configOperation: operation, value }] }],
    validateOnly: false,
  });
}

describe('advertised.listeners', () => {
  it('is what clients are told: broker 1 set to an address nothing listens on is listed there by Metadata and DescribeCluster', async () => {
    const realPort = cluster.broker(1).boundPort;
    const set = await alter('1', 'advertised.listeners', `PLAINTEXT://127.0.0.1:${deadPort}`);
    expect(set.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE });

    // Metadata (librdkafka), DescribeCluster.
    const listed = await kcatBrokers();
    expect(listed.map((b) => b.name)).toEqual([
      `127.0.0.1:${cluster.broker(0).boundPort}`,
      `127.0.0.1:${deadPort}`,
      `127.0.0.1:${cluster.broker(2).boundPort}`,
    ]);
    const described = await raw.call(DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    expect(described.brokers.find((b) => b.brokerId === 1)).toMatchObject({ host: '127.0.0.1', port: deadPort });
    // The broker still listens where it did: only what clients are told changed.
    expect(cluster.broker(1).boundPort).toBe(realPort);

    // DescribeConfigs (asked of broker 0) shows it as broker 1's dynamic config...
    const configs = await raw.call(DescribeConfigs, 1, {
      resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['advertised.listeners'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(configs.results[0]!.configs[0]).toMatchObject({ value: `PLAINTEXT://127.0.0.1:${deadPort}`, readOnly: false, configSource: 2 });
    // ...while a client that asks broker 1 itself, as @platformatic/kafka does for a broker's configs,
    // is sent to the address nothing listens on.
    const failure = await platformatic
      .describeConfigs({
        includeSynonyms: false,
        includeDocumentation: false,
        resources: [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['advertised.listeners'] }],
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(inspect(failure, { depth: 8 })).toContain(`Connection to 127.0.0.1:${deadPort} failed`);
  });

  it('sends clients of a group coordinated by that broker to the same unreachable address (FindCoordinator)', async () => {
    // A group whose __consumer_offsets partition broker 1 leads.
    let found: { nodeId: number; host: string; port: number } | undefined;
    // The first FindCoordinator creates __consumer_offsets: retry while its partitions get leaders.
    const deadline = Date.now() + 60_000;
    for (let i = 0; !found && Date.now() < deadline; i++) {
      const answer = await raw.call(FindCoordinator, 4, { keyType: 0, coordinatorKeys: [`advertised-${i}`], key: '' });
      const coordinator = answer.coordinators[0]!;
      if (coordinator.errorCode === ErrorCode.NONE && coordinator.nodeId === 1) found = coordinator;
      else if (coordinator.errorCode !== ErrorCode.NONE) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(found).toMatchObject({ host: '127.0.0.1', port: deadPort });
  });

  it('refuses a malformed value, a listener the broker does not have, and the cluster-wide default, saying why', async () => {
    const malformed = await alter('1', 'advertised.listeners', 'localhost:9092');
    expect(malformed.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringMatching(/is not a listener: use NAME:\/\/host:port/),
    });
    const noPort = await alter('1', 'advertised.listeners', 'PLAINTEXT://localhost:0');
    expect(noPort.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    const ssl = await alter('1', 'advertised.listeners', 'SSL://localhost:9093');
    expect(ssl.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringMatching(/listener SSL, which this broker does not have/),
    });
    const clusterWide = await alter('', 'advertised.listeners', 'PLAINTEXT://localhost:9092');
    expect(clusterWide.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/per-broker config/) });
    // Broker 1 keeps what it had.
    expect(cluster.broker(1).advertisedEndpoint()).toEqual({ host: '127.0.0.1', port: deadPort });
  });

  it('once removed, clients find the broker at its own address again', async () => {
    const removed = await alter('1', 'advertised.listeners', null);
    expect(removed.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE });
    const listed = await kcatBrokers();
    expect(listed.map((b) => b.name)).toEqual([0, 1, 2].map((id) => `127.0.0.1:${cluster.broker(id).boundPort}`));
  });
});

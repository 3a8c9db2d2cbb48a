// The embedded cluster playing a Kafka release (issue #16): what its brokers advertise in ApiVersions
// and how they answer what that release did not know, on the wire, against the release table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedCluster } from '../../electron/broker/cluster/cluster';
import { createRegistry } from '../../electron/broker/handlers/registry';
import { silentLogger } from '../../electron/broker/server/logger';
import { ErrorCode } from '../../electron/kafka/protocol/error-codes';
import {
  ApiVersions,
  DescribeCluster,
  Fetch,
  FindCoordinator,
  IncrementalAlterConfigs,
  JoinGroup,
  ListOffsets,
  Metadata,
  OffsetDelete,
  Produce,
  createApiVersionsRequest,
  createDescribeClusterRequest,
  createFetchRequest,
  createFindCoordinatorRequest,
  createIncrementalAlterConfigsRequest,
  createJoinGroupRequest,
  createListOffsetsRequest,
  createMetadataRequest,
  createOffsetDeleteRequest,
  createProduceRequest,
} from '../../electron/kafka/protocol/generated/index';
import {
  KAFKA_RELEASE_IDS,
  advertisedApis,
  describeDetectedRelease,
  detectRelease,
  releaseModes,
  type KafkaReleaseId,
  type MetadataMode,
} from '../../electron/kafka/releases';
import { RawClient } from './handlers/raw-client';
import { ZERO_UUID } from '../../electron/kafka/protocol/uuid';

const LEADER_AND_ISR = 4;
const DESCRIBE_QUORUM = 55;

const open: Array<{ cluster: EmbeddedCluster; dataDir: string; raw: RawClient[] }> = [];

async function play(release: KafkaReleaseId | null, metadataMode?: MetadataMode) {
  const dataDir = mkdtempSync(join(tmpdir(), `kd-release-${release ?? 'all'}-`));
  const cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger: silentLogger, kafkaVersion: release, metadataMode });
  const entry = { cluster, dataDir, raw: [] as RawClient[] };
  open.push(entry);
  const connect = async () => {
    const raw = await RawClient.open(cluster.bootstrapServers());
    entry.raw.push(raw);
    return raw;
  };
  return { cluster, connect };
}

afterAll(async () => {
  for (const { cluster, dataDir, raw } of open) {
    for (const client of raw) client.close();
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** The versions implemented by the broker's handlers, per API key. */
const implemented = new Map(
  createRegistry()
    .all()
    .map((h) => [h.api.apiKey, [h.minVersion, h.maxVersion] as const]),
);

describe('the embedded cluster playing a Kafka release', () => {
  it("advertises, for every release 0.11 to 4.1, exactly the release table's versions of each API it implements", async () => {
    for (const release of KAFKA_RELEASE_IDS) {
      const { cluster, connect } = await play(release);
      const raw = await connect();
      const answer = await raw.call(ApiVersions, 0, createApiVersionsRequest());
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      const table = advertisedApis(release);
      const listed = new Map(answer.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
      // Nothing the release did not list.
      for (const key of listed.keys()) expect(table[key], `Kafka ${release} lists API ${key}`).toBeDefined();
      // Every API of the release the broker implements, with the release's range where the handler covers it.
      const narrowed = cluster.advertisedApis().narrowed.map((n) => n.api);
      for (const [key, range] of Object.entries(table).map(([k, r]) => [Number(k), r] as const)) {
        const handler = implemented.get(key);
        if (!handler) {
          expect(listed.has(key), `Kafka ${release}: API ${key} is not implemented, so not advertised`).toBe(false);
          continue;
        }
        const covers = handler[0] <= range[0] && range[1] <= handler[1];
        if (covers) expect(listed.get(key), `Kafka ${release} API ${key}`).toEqual([range[0], range[1]]);
        else expect(listed.get(key)).toEqual([Math.max(range[0], handler[0]), Math.min(range[1], handler[1])]);
        expect(narrowed.length > 0 || covers).toBe(true);
      }
      // The broker implements every version of every API it shares with the release (4.0 and 4.1
      // included since ConsumerGroupDescribe v1), so its answer names the release, as the Overview shows it.
      expect(narrowed, `Kafka ${release}`).toEqual([]);
      const detected = detectRelease(answer.apiKeys);
      expect(detected?.exact, `Kafka ${release}: ${describeDetectedRelease(detected)}`).toBe(true);
      const [from, to] = [KAFKA_RELEASE_IDS.indexOf(detected!.from), KAFKA_RELEASE_IDS.indexOf(detected!.to!)];
      expect(
        from <= KAFKA_RELEASE_IDS.indexOf(release) && KAFKA_RELEASE_IDS.indexOf(release) <= to,
        `Kafka ${release}: ${describeDetectedRelease(detected)}`,
      ).toBe(true);
      if (release === '4.0' || release === '4.1') expect(describeDetectedRelease(detected)).toBe(`Kafka ${release}`);
      await cluster.close();
    }
  }, 120_000);

  it("plays 3.3-3.9's KRaft brokers too: exactly their table's versions (no controller channel; the quorum APIs), detected as that release", async () => {
    const dual = KAFKA_RELEASE_IDS.filter((id) => releaseModes(id).length > 1);
    expect(dual).toEqual(['3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9']);
    for (const release of dual) {
      const { cluster, connect } = await play(release, 'kraft');
      expect(cluster.metadataMode).toBe('kraft');
      const answer = await (await connect()).call(ApiVersions, 0, createApiVersionsRequest());
      const table = advertisedApis(release, 'kraft');
      const expected = Object.entries(table)
        .map(([k, r]) => [Number(k), r[0], r[1]] as const)
        .filter(([key]) => implemented.has(key))
        .sort((a, b) => a[0] - b[0]);
      expect(
        answer.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion]),
        `Kafka ${release} KRaft`,
      ).toEqual(expected.map((e) => [...e]));
      expect(cluster.advertisedApis().narrowed).toEqual([]);
      const keys = answer.apiKeys.map((k) => k.apiKey);
      expect(keys).not.toContain(LEADER_AND_ISR);
      expect(keys).toContain(DESCRIBE_QUORUM);
      const detected = detectRelease(answer.apiKeys);
      expect(detected?.exact, `Kafka ${release} KRaft detected exactly`).toBe(true);
      expect(KAFKA_RELEASE_IDS.indexOf(detected!.from) <= KAFKA_RELEASE_IDS.indexOf(release)).toBe(true);
      expect(KAFKA_RELEASE_IDS.indexOf(detected!.to!) >= KAFKA_RELEASE_IDS.indexOf(release)).toBe(true);
      await cluster.close();
    }
    await expect(play('3.2', 'kraft')).rejects.toThrow(/Kafka 3\.2 cannot be played in KRaft mode: KRaft became production-ready in 3\.3/);
    await expect(play('4.0', 'zookeeper')).rejects.toThrow(/Kafka 4\.0 has no ZooKeeper mode/);
  }, 120_000);

  it('without a release, advertises every implemented version but the ZooKeeper-mode controller channel, as the newest KRaft brokers', async () => {
    const { connect } = await play(null);
    const answer = await (await connect()).call(ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    const zooKeeperOnly = new Set(
      createRegistry()
        .all()
        .filter((h) => h.zooKeeperModeOnly)
        .map((h) => h.api.apiKey),
    );
    expect([...zooKeeperOnly].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 56, 58, 67]);
    // Nor the client telemetry APIs (71, 72): a stock broker has no telemetry reporter (telemetry.receiver.enable).
    const telemetry = new Set([71, 72]);
    expect(answer.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion])).toEqual(
      [...implemented].filter(([key]) => !zooKeeperOnly.has(key) && !telemetry.has(key)).map(([key, [min, max]]) => [key, min, max]),
    );
  });

  it('0.11 answers an ApiVersions version it does not know at v0 with UNSUPPORTED_VERSION and an empty list, and closes on newer Metadata', async () => {
    const { connect } = await play('0.11');
    const refused = await rawV0Answer(await connect(), 3);
    expect(refused).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [] });
    const raw = await connect();
    const answer = await raw.call(ApiVersions, 1, createApiVersionsRequest());
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(answer.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey)).toMatchObject({ minVersion: 0, maxVersion: 1 });
    expect(answer.apiKeys.find((k) => k.apiKey === Metadata.apiKey)).toMatchObject({ minVersion: 0, maxVersion: 4 });
    const metadata = await raw.call(Metadata, 4, { ...createMetadataRequest(), topics: null, allowAutoTopicCreation: false });
    expect(metadata.brokers).toHaveLength(1);
    await expect(raw.call(Metadata, 5, { ...createMetadataRequest(), topics: null, allowAutoTopicCreation: false })).rejects.toThrow(/closed/);
  });

  it('answers an unknown ApiVersions version with an empty list before 2.4 and with its own range from 2.4 (KIP-511)', async () => {
    for (const [release, expected] of [
      ['2.3', []],
      ['2.4', [{ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 3 }]],
    ] as const) {
      const { cluster, connect } = await play(release);
      const raw = await connect();
      // v4 is newer than both; the answer is v0, whose body v0 decoding reads.
      const frame = await rawV0Answer(raw, release === '2.3' ? 3 : 4);
      expect(frame.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(frame.apiKeys).toEqual(expected);
      await cluster.close();
    }
  });

  it('closes the connection on APIs the release did not have: DescribeCluster before 2.8, IncrementalAlterConfigs before 2.3, OffsetDelete before 2.4', async () => {
    const cases = [
      { before: '2.7', from: '2.8', call: (raw: RawClient) => raw.call(DescribeCluster, 0, createDescribeClusterRequest()) },
      {
        before: '2.2',
        from: '2.3',
        call: (raw: RawClient) => raw.call(IncrementalAlterConfigs, 0, { ...createIncrementalAlterConfigsRequest(), resources: [] }),
      },
      { before: '2.3', from: '2.4', call: (raw: RawClient) => raw.call(OffsetDelete, 0, { ...createOffsetDeleteRequest(), groupId: 'g', topics: [] }) },
    ] as const;
    for (const { before, from, call } of cases) {
      const old = await play(before);
      await expect(call(await old.connect()), `Kafka ${before}`).rejects.toThrow(/closed/);
      await old.cluster.close();
      const current = await play(from);
      await expect(call(await current.connect()), `Kafka ${from}`).resolves.toBeDefined();
      await current.cluster.close();
    }
  });

  it('JoinGroup before 2.2 gives a member id at once; from 2.2 (KIP-394) v4 asks for one first', async () => {
    const join = (raw: RawClient, version: number) =>
      raw.call(JoinGroup, version, {
        ...createJoinGroupRequest(),
        groupId: `g${version}`,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      });
    const coordinatorReady = async (raw: RawClient) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = await raw.call(FindCoordinator, 1, { ...createFindCoordinatorRequest(), key: 'g', keyType: 0 });
        if (answer.errorCode === ErrorCode.NONE) return;
        if (Date.now() > deadline) throw new Error(`no coordinator: error ${answer.errorCode}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const old = await play('2.1');
    const oldRaw = await old.connect();
    await coordinatorReady(oldRaw);
    const v3 = await join(oldRaw, 3);
    expect(v3.errorCode).toBe(ErrorCode.NONE);
    expect(v3.memberId).not.toBe('');
    await expect(join(oldRaw, 4)).rejects.toThrow(/closed/);
    await old.cluster.close();

    const current = await play('2.2');
    const raw = await current.connect();
    await coordinatorReady(raw);
    const v4 = await join(raw, 4);
    expect(v4.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(v4.memberId).not.toBe('');
    await current.cluster.close();
  });

  it('3.9 answers ListOffsets v9 for the latest tiered offset with -1, as Kafka without remote storage', async () => {
    const { cluster, connect } = await play('3.9');
    const raw = await connect();
    await raw.call(Metadata, 12, {
      ...createMetadataRequest(),
      topics: [{ name: 'tiered', topicId: '00000000-0000-0000-0000-000000000000' }],
      allowAutoTopicCreation: true,
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await raw.call(ListOffsets, 9, {
        ...createListOffsetsRequest(),
        replicaId: -1,
        topics: [{ name: 'tiered', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -5n, maxNumOffsets: 1 }] }],
      });
      const partition = answer.topics[0]?.partitions[0];
      if (partition?.errorCode === ErrorCode.NONE) {
        expect(partition).toMatchObject({ offset: -1n, timestamp: -1n, leaderEpoch: -1 });
        break;
      }
      if (Date.now() > deadline) throw new Error(`ListOffsets kept failing: ${partition?.errorCode}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await cluster.close();
  });

  it('4.0 lists Produce v0-2 but refuses them with UNSUPPORTED_VERSION, and no longer knows Fetch below v4', async () => {
    const { cluster, connect } = await play('4.0');
    const raw = await connect();
    const listed = await raw.call(ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    expect(listed.apiKeys.find((k) => k.apiKey === Produce.apiKey)).toMatchObject({ minVersion: 0 });
    const produced = await raw.call(Produce, 2, {
      ...createProduceRequest(),
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ topicId: ZERO_UUID, name: 't', partitionData: [{ index: 0, records: Buffer.from('not read') }] }],
    });
    expect(produced.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    await expect(raw.call(Fetch, 3, { ...createFetchRequest(), replicaId: -1, maxWaitMs: 0, minBytes: 1, topics: [] })).rejects.toThrow(/closed/);
    await cluster.close();
  });
});

/** Sends ApiVersions at `version` and decodes the answer as v0, the version brokers answer an unknown one in. */
async function rawV0Answer(raw: RawClient, version: number) {
  const { encodeRequestFrame, decodeResponseHeader } = await import('../../electron/kafka/protocol/headers');
  const { Reader } = await import('../../electron/kafka/protocol/reader');
  const socket = (raw as unknown as { socket: import('node:net').Socket }).socket;
  const frame = await new Promise<Buffer>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        socket.off('data', onData);
        resolve(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
      }
    };
    socket.removeAllListeners('data');
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('connection closed before the response')));
    socket.write(
      Buffer.concat(
        encodeRequestFrame(ApiVersions, version, 99, 'raw-client', { ...createApiVersionsRequest(), clientSoftwareName: 'test', clientSoftwareVersion: '1' }),
      ),
    );
  });
  const reader = new Reader(frame);
  decodeResponseHeader(reader, 0);
  return ApiVersions.decodeResponse(reader, 0);
}

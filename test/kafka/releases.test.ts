/**
 * The Kafka release table (electron/kafka/releases.ts): its internal consistency, the history it must
 * encode, and what of it the project's generated codec can encode and decode.
 */
import { describe, expect, it } from 'vitest';
import * as generated from '../../electron/kafka/protocol/generated/index';
import { apiDescriptors } from '../../electron/kafka/protocol/generated/index';
import { Reader } from '../../electron/kafka/protocol/reader';
import { Writer } from '../../electron/kafka/protocol/writer';
import {
  advertisedApis,
  firstReleaseSupporting,
  INTER_BROKER_API_KEYS,
  KAFKA_RELEASE_IDS,
  KAFKA_RELEASES,
  parseKafkaReleaseId,
  releaseApiName,
  telemetryApis,
  type ApiVersionTable,
  type KafkaReleaseId,
  type MetadataMode,
} from '../../electron/kafka/releases';

interface Table {
  id: KafkaReleaseId;
  mode: MetadataMode;
  apis: ApiVersionTable;
}

/** Every table in the module: each release's ZooKeeper and KRaft tables where it has them. */
function allTables(): Table[] {
  const out: Table[] = [];
  for (const id of KAFKA_RELEASE_IDS) {
    const r = KAFKA_RELEASES[id];
    if (r.zookeeper) out.push({ id, mode: 'zookeeper', apis: r.zookeeper });
    if (r.kraft) out.push({ id, mode: 'kraft', apis: r.kraft });
  }
  return out;
}

function entries(apis: ApiVersionTable): Array<[number, number, number]> {
  return Object.entries(apis).map(([k, [min, max]]) => [Number(k), min, max]);
}

const label = (t: Table): string => `${t.id} ${t.mode}`;

describe('Kafka release table', () => {
  it('lists every release once, in order, each with the table of its default mode', () => {
    expect(Object.keys(KAFKA_RELEASES).sort()).toEqual([...KAFKA_RELEASE_IDS].sort());
    const asNumbers = KAFKA_RELEASE_IDS.map((id) => id.split('.').map(Number) as [number, number]);
    for (let i = 1; i < asNumbers.length; i++) {
      const [a, b] = [asNumbers[i - 1]!, asNumbers[i]!];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `${KAFKA_RELEASE_IDS[i]} after ${KAFKA_RELEASE_IDS[i - 1]}`).toBe(true);
    }
    for (const id of KAFKA_RELEASE_IDS) {
      const r = KAFKA_RELEASES[id];
      expect(r.id).toBe(id);
      expect(r.tag.startsWith(id), `${id} tag ${r.tag}`).toBe(true);
      expect(r.sources.length, `${id} sources`).toBeGreaterThan(0);
      expect(r.notes.length, `${id} notes`).toBeGreaterThan(0);
      expect(advertisedApis(id)).toBe(r.defaultMode === 'zookeeper' ? r.zookeeper : r.kraft);
      // ZooKeeper through 3.9, gone in 4.0; KRaft tabled from 3.3 (production-ready) on.
      const [major, minor] = id.split('.').map(Number) as [number, number];
      expect(Boolean(r.zookeeper), `${id} zookeeper`).toBe(major < 4);
      expect(Boolean(r.kraft), `${id} kraft`).toBe(major >= 4 || (major === 3 && minor >= 3));
      expect(r.defaultMode).toBe(major >= 4 ? 'kraft' : 'zookeeper');
    }
    expect(() => advertisedApis('4.0', 'zookeeper')).toThrow(/no ZooKeeper mode/);
    expect(() => advertisedApis('2.8', 'kraft')).toThrow(/no KRaft mode/);
  });

  it('holds well-formed ranges of named API keys, with the APIs every broker serves', () => {
    for (const t of allTables()) {
      for (const [key, min, max] of entries(t.apis)) {
        expect(Number.isInteger(key) && key >= 0, `${label(t)} key ${key}`).toBe(true);
        expect(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && min <= max, `${label(t)} ${key}: [${min}, ${max}]`).toBe(true);
        expect(releaseApiName(key), `${label(t)} key ${key}`).not.toMatch(/^Unknown/);
      }
      // Clients fall back to ApiVersions v0 when a broker refuses their version, so v0 is always there.
      expect(t.apis[18]?.[0], `${label(t)} ApiVersions`).toBe(0);
      for (const key of [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 19]) expect(t.apis[key], `${label(t)} ${releaseApiName(key)}`).toBeDefined();
    }
  });

  it('never lists APIs a broker does not serve: controller-only and Raft APIs, telemetry without a reporter', () => {
    // Vote, BeginQuorumEpoch, EndQuorumEpoch, FetchSnapshot, BrokerRegistration, BrokerHeartbeat,
    // ControllerRegistration, AssignReplicasToDirs, UpdateRaftVoter; GetTelemetrySubscriptions, PushTelemetry.
    const neverOnABroker = [52, 53, 54, 59, 62, 63, 70, 73, 82, 71, 72];
    for (const t of allTables()) for (const key of neverOnABroker) expect(t.apis[key], `${label(t)} ${releaseApiName(key)}`).toBeUndefined();
    // ZooKeeper-mode inter-broker APIs are not on KRaft brokers.
    for (const t of allTables().filter((t) => t.mode === 'kraft')) {
      for (const key of [4, 5, 6, 7]) expect(t.apis[key], `${label(t)} ${releaseApiName(key)}`).toBeUndefined();
    }
    for (const key of INTER_BROKER_API_KEYS)
      expect(
        allTables().some((t) => t.apis[key] !== undefined),
        releaseApiName(key),
      ).toBe(true);
  });

  it('only grows from release to release, except where Kafka removed versions (KIP-896 in 4.0)', () => {
    const minChanges: string[] = [];
    for (const mode of ['zookeeper', 'kraft'] as const) {
      const tables = allTables().filter((t) => t.mode === mode);
      for (let i = 1; i < tables.length; i++) {
        const [before, after] = [tables[i - 1]!, tables[i]!];
        for (const [key, min, max] of entries(before.apis)) {
          const next = after.apis[key];
          expect(next, `${releaseApiName(key)} disappears in ${label(after)}`).toBeDefined();
          expect(next![1], `${releaseApiName(key)} max shrinks in ${label(after)}`).toBeGreaterThanOrEqual(max);
          if (next![0] !== min) minChanges.push(`${after.id} ${releaseApiName(key)} ${min}->${next![0]}`);
        }
      }
    }
    expect(minChanges.sort()).toEqual(
      [
        // 0.11 lists ControlledShutdown from v1 (Protocol.java has no v0 schema); 1.0 has v0 again.
        '1.0 ControlledShutdown 1->0',
        // KIP-896.
        '4.0 AlterReplicaLogDirs 0->1',
        '4.0 CreateAcls 0->1',
        '4.0 CreateDelegationToken 0->1',
        '4.0 CreateTopics 0->2',
        '4.0 DeleteAcls 0->1',
        '4.0 DeleteTopics 0->1',
        '4.0 DescribeAcls 0->1',
        '4.0 DescribeConfigs 0->1',
        '4.0 DescribeDelegationToken 0->1',
        '4.0 DescribeLogDirs 0->1',
        '4.0 ExpireDelegationToken 0->1',
        '4.0 Fetch 0->4',
        '4.0 JoinGroup 0->2',
        '4.0 ListOffsets 0->1',
        '4.0 OffsetCommit 0->2',
        '4.0 OffsetFetch 0->1',
        '4.0 OffsetForLeaderEpoch 0->2',
        '4.0 RenewDelegationToken 0->1',
        '4.0 WriteTxnMarkers 0->1',
        // KAFKA-19444.
        '4.1 JoinGroup 2->0',
      ].sort(),
    );
  });

  it('encodes the history users run into', () => {
    expect(firstReleaseSupporting(60)).toBe('2.8'); // DescribeCluster
    expect(firstReleaseSupporting(44)).toBe('2.3'); // IncrementalAlterConfigs
    expect(firstReleaseSupporting(47)).toBe('2.4'); // OffsetDelete
    expect(firstReleaseSupporting(42)).toBe('1.1'); // DeleteGroups
    expect(firstReleaseSupporting(37)).toBe('1.0'); // CreatePartitions
    expect(firstReleaseSupporting(11, 4)).toBe('2.2'); // JoinGroup with MEMBER_ID_REQUIRED (KIP-394)
    expect(firstReleaseSupporting(11, 5)).toBe('2.3'); // static membership
    expect(firstReleaseSupporting(0, 7)).toBe('2.1'); // Produce with zstd
    expect(firstReleaseSupporting(18, 3)).toBe('2.4'); // first flexible ApiVersions
    expect(firstReleaseSupporting(68)).toBe('3.7'); // ConsumerGroupHeartbeat
    expect(firstReleaseSupporting(75)).toBe('4.0'); // DescribeTopicPartitions: KRaft only ...
    expect(firstReleaseSupporting(75, 0, 'kraft')).toBe('3.8'); // ... from 3.8
    expect(firstReleaseSupporting(78, 1)).toBe('4.1'); // ShareFetch, from v1 ...
    expect(firstReleaseSupporting(78)).toBeUndefined(); // ... v0 was 4.0's unadvertised early access
    expect(firstReleaseSupporting(3, 99)).toBeUndefined();
    // 4.0 removed Fetch v0-3 and message formats 0/1 with it.
    expect(advertisedApis('4.0')[1]).toEqual([4, 17]);
    expect(advertisedApis('3.9')[1]).toEqual([0, 17]);
  });

  it('keeps refused versions inside what the release advertises', () => {
    for (const id of KAFKA_RELEASE_IDS) {
      const r = KAFKA_RELEASES[id];
      for (const [key, min, max] of entries(r.refused ?? {})) {
        const listed = advertisedApis(id)[key];
        expect(listed && listed[0] <= min && max <= listed[1], `${id} refused ${releaseApiName(key)} [${min}, ${max}]`).toBe(true);
      }
    }
    expect(KAFKA_RELEASES['4.0'].refused).toEqual({ 0: [0, 2] });
  });

  it('parses release versions as users write them', () => {
    expect(parseKafkaReleaseId('2.8')).toBe('2.8');
    expect(parseKafkaReleaseId('2.8.2')).toBe('2.8');
    expect(parseKafkaReleaseId('v3.9.1')).toBe('3.9');
    expect(parseKafkaReleaseId('0.11.0.3')).toBe('0.11');
    expect(parseKafkaReleaseId(' 4.1 ')).toBe('4.1');
    expect(parseKafkaReleaseId('0.10.2')).toBeUndefined();
    expect(parseKafkaReleaseId('4.2')).toBeUndefined();
    expect(parseKafkaReleaseId('3')).toBeUndefined();
    expect(parseKafkaReleaseId('3.x')).toBeUndefined();
  });
});

describe('Kafka release table against the generated codec', () => {
  /** Versions the releases list for APIs the codec has but outside its range, as "API vN (releases)". */
  function versionGaps(): string[] {
    const gaps = new Map<string, Set<string>>();
    for (const t of allTables()) {
      for (const [key, min, max] of entries(t.apis)) {
        const d = apiDescriptors.get(key);
        if (!d) continue;
        for (let v = min; v <= max; v++) {
          if (v >= d.minVersion && v <= d.maxVersion) continue;
          const k = `${d.name} v${v}`;
          gaps.set(k, (gaps.get(k) ?? new Set()).add(t.id));
        }
      }
    }
    return [...gaps].map(([k, ids]) => `${k} (${[...ids].join(', ')})`).sort();
  }

  it('decodes every version every release lists for the APIs it has, 4.0 and 4.1 included', () => {
    // The codec follows Kafka's message definitions of 2024-10-25 (between 3.9 and 4.0), so all of its
    // APIs start at v0 (KIP-896's removals came later) and nothing an old release lists is missing; the
    // versions 4.0 and 4.1 added after that come from scripts/protocol-overlay.ts (ConsumerGroupDescribe
    // v1 is KIP-1099's MemberType, ListClientMetricsResources v1 4.1's ListConfigResources, KIP-1142).
    expect(versionGaps()).toEqual([]);
    for (const d of apiDescriptors.values()) expect(d.minVersion, d.name).toBe(0);
  });

  it('lists the APIs releases advertise that the codec lacks entirely', () => {
    const missing = new Map<number, KafkaReleaseId>();
    for (const t of allTables()) {
      for (const [key] of entries(t.apis)) {
        if (apiDescriptors.has(key)) continue;
        const first = missing.get(key);
        if (!first || KAFKA_RELEASE_IDS.indexOf(t.id) < KAFKA_RELEASE_IDS.indexOf(first)) missing.set(key, t.id);
      }
    }
    const byRelease = [...missing].sort((a, b) => a[0] - b[0]).map(([key, id]) => `${releaseApiName(key)} (${id}+)`);
    expect(byRelease).toEqual([]);
  });

  it('round-trips an empty request and response at every version a release lists and the codec has', () => {
    const factories = generated as unknown as Record<string, () => unknown>;
    const versions = new Map<number, Set<number>>();
    for (const t of allTables()) {
      // With the telemetry APIs a 3.7+ KRaft broker lists when a telemetry reporter is configured.
      for (const [key, min, max] of [...entries(t.apis), ...entries(telemetryApis(t.id, t.mode))]) {
        const d = apiDescriptors.get(key);
        if (!d) continue;
        const set = versions.get(key) ?? new Set<number>();
        for (let v = Math.max(min, d.minVersion); v <= Math.min(max, d.maxVersion); v++) set.add(v);
        versions.set(key, set);
      }
    }
    // Every API of the codec is one some release lists.
    expect([...versions.keys()].sort((a, b) => a - b)).toEqual([...apiDescriptors.keys()].sort((a, b) => a - b));
    for (const [key, set] of versions) {
      const d = apiDescriptors.get(key)!;
      const request = factories[`create${d.name}Request`]?.();
      const response = factories[`create${d.name}Response`]?.();
      expect(request, `create${d.name}Request`).toBeDefined();
      expect(response, `create${d.name}Response`).toBeDefined();
      for (const v of set) {
        const wq = new Writer(64);
        d.encodeRequest(wq, v, request);
        const rq = new Reader(wq.toBuffer());
        d.decodeRequest(rq, v);
        expect(rq.remaining, `${d.name} request v${v}`).toBe(0);
        const ws = new Writer(64);
        d.encodeResponse(ws, v, response);
        const rs = new Reader(ws.toBuffer());
        d.decodeResponse(rs, v);
        expect(rs.remaining, `${d.name} response v${v}`).toBe(0);
      }
    }
  });
});

describe('the Settings choice of release', () => {
  it('offers exactly the releases the table holds', async () => {
    const { KAFKA_VERSION_CHOICES } = await import('../../shared/model/schemas');
    expect([...KAFKA_VERSION_CHOICES]).toEqual([...KAFKA_RELEASE_IDS]);
  });
});

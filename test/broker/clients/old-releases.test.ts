/**
 * Real clients pinned to old Kafka releases against the embedded cluster playing those releases
 * (issue #16): sarama 1.22 with `Version` set to the release, kafka-python with `api_version`, and
 * librdkafka (kcat) with `api.version.request=false` and `broker.version.fallback`, or asking
 * ApiVersions v3 of a 0.11 broker that answers a version it does not know with an empty v0 list.
 * One single-broker cluster per release; the Go client is built once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaReleaseId } from '../../../electron/kafka/releases';
import { kcat, lines, PYTHON, run, startTestCluster, topicName, type TestCluster } from './helpers';

const SARAMA_SOURCE = fileURLToPath(new URL('./fixtures/sarama-release/main.go', import.meta.url));
const PYTHON_SCRIPT = join(import.meta.dirname, 'python', 'roundtrip.py');
const RELEASE_DEFAULTS_SCRIPT = join(import.meta.dirname, 'python', 'release_defaults.py');
const GO_ENV = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' };

const clusters = new Map<KafkaReleaseId, TestCluster>();
async function playing(release: KafkaReleaseId): Promise<TestCluster> {
  let t = clusters.get(release);
  if (!t) {
    t = await startTestCluster({ kafkaVersion: release });
    clusters.set(release, t);
  }
  return t;
}

let binDir: string;
let sarama: string;

beforeAll(async () => {
  binDir = mkdtempSync(join(tmpdir(), 'kd-sarama-release-'));
  sarama = join(binDir, 'sarama-release');
  const build = await run('go', ['build', '-o', sarama, SARAMA_SOURCE], { timeoutMs: 120_000, env: GO_ENV });
  if (build.code !== 0) throw new Error(`go build of the sarama client failed:\n${build.stderr}`);
}, 150_000);

afterAll(async () => {
  for (const t of clusters.values()) {
    expect(t.errors, 'the broker logged errors').toEqual([]);
    await t.close();
  }
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

describe('clients pinned to old releases against the emulation', { timeout: 90_000 }, () => {
  it.each([
    ['0.11', '0.11.0.0'],
    ['1.1', '1.1.0'],
    ['2.1', '2.1.0'],
  ] as const)('sarama with Version %s produces, consumes and commits as a group member', async (release, version) => {
    const t = await playing(release);
    const topic = topicName(`sarama-${release}`);
    const result = await run(sarama, [t.bootstrap, version, topic, '20'], { timeoutMs: 75_000 });
    if (result.code !== 0) throw new Error(`sarama ${version} exited ${result.code}:\n${result.stderr}`);
    expect(JSON.parse(result.stdout.trim())).toEqual({ produced: 20, consumed: 20, grouped: 20, committed: 20 });
  });

  it.each([
    ['0.11', '0.11.0', 'gzip'],
    ['1.1', '1.1.0', 'none'],
    ['2.4', '2.4.0', 'gzip'],
  ] as const)('kafka-python with api_version %s round-trips records (%s, %s)', async (release, apiVersion, compression) => {
    const t = await playing(release);
    const topic = topicName(`python-${release}`);
    const result = await run(PYTHON, [PYTHON_SCRIPT, t.bootstrap, topic, '30', apiVersion, compression], { timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`roundtrip.py ${apiVersion} exited ${result.code}:\n${result.stderr}`);
    const got = JSON.parse(result.stdout.trim().split('\n').pop()!) as { apiVersion: string; acked: number[]; records: unknown[]; endOffset: number };
    expect(got.apiVersion).toBe(apiVersion);
    expect(got.acked).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(got.records).toEqual(Array.from({ length: 30 }, (_, i) => [i, `k${i}`, `value-${i}`]));
    expect(got.endOffset).toBe(30);
  });

  it.each([
    ['0.11', ['-X', 'api.version.request=false', '-X', 'broker.version.fallback=0.11.0']],
    ['2.1', ['-X', 'api.version.request=false', '-X', 'broker.version.fallback=2.1.0', '-z', 'zstd']],
    // librdkafka asks ApiVersions v3 first; 0.11 answers at v0 with an empty list and it retries at v0.
    ['0.11', []],
  ] as const)('librdkafka (kcat) against %s with %j produces and reads back', async (release, flags) => {
    const t = await playing(release);
    const topic = topicName(`kcat-${release}`);
    const input = Array.from({ length: 25 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    await kcat(t.bootstrap, ['-P', '-t', topic, '-p', '0', '-K:', ...flags], { input, timeoutMs: 45_000 });
    const read = lines(
      await kcat(
        t.bootstrap,
        ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %k=%s\n', ...flags.filter((f) => f !== '-z' && f !== 'zstd')],
        { timeoutMs: 45_000 },
      ),
    );
    expect(read).toEqual(Array.from({ length: 25 }, (_, i) => `${i} k${i}=v${i}`));
  });

  // Each release's untuned defaults (electron/broker/cluster/release-defaults.ts), as its clients see them.
  it.each([
    [
      '0.11',
      '0.11.0',
      {
        'offsets.retention.minutes': '1440',
        'group.max.session.timeout.ms': '300000',
        'replica.lag.time.max.ms': '10000',
        'max.message.bytes': '1000012',
        deleteTopicError: 73,
        futureRecordError: null,
      },
    ],
    [
      '2.4',
      '2.4.0',
      {
        'offsets.retention.minutes': '10080',
        'group.max.session.timeout.ms': '1800000',
        'replica.lag.time.max.ms': '10000',
        'max.message.bytes': '1000012',
        deleteTopicError: 0,
        futureRecordError: null,
      },
    ],
    [
      '3.5',
      '2.5.0',
      {
        'offsets.retention.minutes': '10080',
        'group.max.session.timeout.ms': '1800000',
        'replica.lag.time.max.ms': '30000',
        'max.message.bytes': '1048588',
        deleteTopicError: 0,
        futureRecordError: null,
      },
    ],
    // KIP-1030: from 4.0 a record over an hour ahead of the broker's clock is refused.
    ['4.1', 'none', { futureRecordError: 'INVALID_TIMESTAMP' }],
  ] as const)("an untuned %s broker has that release's defaults: configs, topic deletion, future timestamps", async (release, apiVersion, expected) => {
    const t = await playing(release);
    const result = await run(PYTHON, [RELEASE_DEFAULTS_SCRIPT, t.bootstrap, topicName(`defaults-${release}`), apiVersion], { timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`release_defaults.py exited ${result.code}:\n${result.stderr}`);
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toEqual(expected);
  });
});

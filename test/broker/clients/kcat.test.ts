/**
 * kcat (librdkafka 2.0) against a one-broker embedded cluster: metadata, produce with keys and headers,
 * consume from the beginning, the end, an offset, and every compression codec both ways.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionType } from '../../../electron/kafka/records/compression';
import { KCAT, kcat, lines, startTestCluster, storedCodecs, topicName, type TestCluster } from './helpers';
import { waitFor } from '../../support/wait';

let t: TestCluster;

beforeAll(async () => {
  t = await startTestCluster();
});

afterAll(async () => {
  await t?.close();
});

/** Consumes a whole partition from `offset` to its end, one formatted line per record. */
async function consume(topic: string, offset: string, format = '%k|%s|%o\\n'): Promise<string[]> {
  return lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', offset, '-e', '-q', '-f', format]));
}

describe('kcat', () => {
  it('lists the broker and the topics with -L -J', async () => {
    const topic = topicName('kcat-meta');
    await kcat(t.bootstrap, ['-P', '-t', topic], { input: 'one\n' });
    const metadata = JSON.parse(await kcat(t.bootstrap, ['-L', '-J'])) as {
      controllerid: number;
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{
        topic: string;
        error?: string;
        partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }>;
      }>;
    };
    expect(metadata.controllerid).toBe(0);
    expect(metadata.brokers).toEqual([{ id: 0, name: t.bootstrap }]);
    const described = metadata.topics.find((x) => x.topic === topic);
    expect(described?.error).toBeUndefined();
    expect(described?.partitions).toEqual([{ partition: 0, leader: 0, replicas: [{ id: 0 }], isrs: [{ id: 0 }] }]);

    const one = JSON.parse(await kcat(t.bootstrap, ['-L', '-J', '-t', topic])) as { topics: Array<{ topic: string }> };
    expect(one.topics.map((x) => x.topic)).toEqual([topic]);
  });

  it('produces keys and headers and consumes them back from the beginning', async () => {
    const topic = topicName('kcat-keys');
    const input = Array.from({ length: 50 }, (_, i) => `key-${i}:value-${i}`).join('\n') + '\n';
    await kcat(t.bootstrap, ['-P', '-t', topic, '-K:', '-H', 'a=b', '-H', 'trace=x y'], { input });
    const got = await consume(topic, 'beginning', '%k|%s|%h|%o|%p\\n');
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `key-${i}|value-${i}|a=b,trace=x y|${i}|0`));
  });

  it('consumes from an absolute offset and from an offset relative to the end', async () => {
    const topic = topicName('kcat-offset');
    await kcat(t.bootstrap, ['-P', '-t', topic], { input: Array.from({ length: 20 }, (_, i) => `m${i}`).join('\n') + '\n' });
    expect(await consume(topic, '15', '%s@%o\\n')).toEqual(['m15@15', 'm16@16', 'm17@17', 'm18@18', 'm19@19']);
    expect(await consume(topic, '-3', '%s@%o\\n')).toEqual(['m17@17', 'm18@18', 'm19@19']);
    // -o end with -e: nothing after the end, and kcat still exits cleanly.
    expect(await consume(topic, 'end')).toEqual([]);
  });

  it('consumes from the end only what is produced after the consumer started', async () => {
    const topic = topicName('kcat-end');
    await kcat(t.bootstrap, ['-P', '-t', topic], { input: 'before-1\nbefore-2\n' });
    const consumer = spawn(KCAT, ['-b', t.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'end', '-c', '1', '-f', '%s@%o\\n'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => consumer.kill('SIGKILL'), 20_000);
    let stdout = '';
    let stderr = '';
    consumer.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    consumer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => consumer.on('close', (code) => resolve(code)));
    try {
      // kcat reports reaching the end once it has fetched at the end offset: only then produce.
      await waitFor(() => stderr.includes('Reached end of topic'), 15_000, 'the consumer to reach the end');
      await kcat(t.bootstrap, ['-P', '-t', topic], { input: 'after\n' });
      expect(await exited).toBe(0);
      expect(stdout).toBe('after@2\n');
    } finally {
      clearTimeout(killer);
      consumer.kill('SIGKILL');
    }
  });

  it.each([
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ] as const)('produces with -z %s and consumes the records back', async (codec, type) => {
    const topic = topicName(`kcat-${codec}`);
    // librdkafka sends a batch uncompressed when compressing does not make it smaller, and how lines
    // fall into batches depends on timing: every value is compressible on its own, so even a batch of
    // one record is stored compressed.
    const values = Array.from({ length: 300 }, (_, i) => `${codec}-${i}-${'x'.repeat(100 + (i % 40))}`);
    await kcat(t.bootstrap, ['-P', '-t', topic, '-z', codec, '-K:', '-X', 'linger.ms=20'], { input: values.map((v, i) => `k${i}:${v}`).join('\n') + '\n' });
    const got = await consume(topic, 'beginning');
    expect(got).toEqual(values.map((v, i) => `k${i}|${v}|${i}`));
    const codecs = storedCodecs(t.cluster, topic);
    expect(codecs.length).toBeGreaterThan(0);
    // librdkafka compresses with lz4 only when the broker has its LZ4 feature, which it infers from
    // FindCoordinator v0 being advertised (0.8.2 brokers had it); without it, lz4 batches would be
    // stored uncompressed.
    expect(new Set(codecs)).toEqual(new Set([type]));
  });

  it.each(['none', 'gzip', 'snappy', 'lz4'])('as a 0.9 client (no ApiVersions, magic 0 message sets) with -z %s, both ways', async (codec) => {
    // librdkafka's legacy path: Produce v1 / Fetch v1 with magic 0 messages, compressed ones wrapped
    // (lz4 with the old, broken frame checksum that magic 0 brokers expected).
    const legacy = ['-X', 'api.version.request=false', '-X', 'broker.version.fallback=0.9.0'];
    const topic = topicName(`kcat-legacy-${codec}`);
    const values = Array.from({ length: 60 }, (_, i) => `legacy-${codec}-${i}`);
    await kcat(t.bootstrap, ['-P', '-t', topic, '-z', codec, '-K:', '-X', 'linger.ms=50', ...legacy], {
      input: values.map((v, i) => `k${i}:${v}`).join('\n') + '\n',
    });
    const expected = values.map((v, i) => `k${i}|${v}|${i}`);
    expect(lines(await kcat(t.bootstrap, ['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%o\\n', ...legacy]))).toEqual(expected);
    expect(await consume(topic, 'beginning')).toEqual(expected);
    const type = { none: CompressionType.None, gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4 }[codec]!;
    // librdkafka sends a message set uncompressed when compressing does not make it smaller (a lone
    // small message), so some batches may be plain; the rest carry the codec.
    const codecs = new Set(storedCodecs(t.cluster, topic));
    expect(codecs.has(type)).toBe(true);
    expect([...codecs].every((c) => c === type || c === CompressionType.None)).toBe(true);
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});

/**
 * kafka-python (Debian's python3-kafka, run with /usr/bin/python3) against a one-broker embedded cluster:
 * a producer sending 100 records and a group-less consumer reading them back, with the protocol version
 * probed (kafka-python pipelines ApiVersions v0 and Metadata v0) and pinned to old versions that produce
 * and fetch magic 0/1 message sets, plain and gzip-compressed.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions, Metadata } from '../../../electron/kafka/protocol/generated/index';
import { decodeResponseHeader, encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { PYTHON, run, startTestCluster, storedCodecs, topicName, type TestCluster } from './helpers';

const SCRIPT = join(import.meta.dirname, 'python', 'roundtrip.py');

let t: TestCluster;

beforeAll(async () => {
  t = await startTestCluster();
});

afterAll(async () => {
  await t?.close();
});

interface RoundTrip {
  apiVersion: string;
  acked: number[];
  records: Array<[number, string, string]>;
  endOffset: number;
}

async function roundTrip(topic: string, count: number, apiVersion = 'auto', compression = 'none'): Promise<RoundTrip> {
  const result = await run(PYTHON, [SCRIPT, t.bootstrap, topic, String(count), apiVersion, compression], { timeoutMs: 45_000 });
  if (result.timedOut || result.code !== 0)
    throw new Error(`roundtrip.py ${apiVersion} ${compression} ${result.timedOut ? 'timed out' : `exited ${result.code}`}:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as RoundTrip;
}

function expectAll(got: RoundTrip, count: number): void {
  expect(got.acked).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(got.records).toEqual(Array.from({ length: count }, (_, i) => [i, `k${i}`, `value-${i}`]));
  expect(got.endOffset).toBe(count);
}

describe('kafka-python', { timeout: 60_000 }, () => {
  it('probes the broker, produces 100 records and consumes them back without a group', async () => {
    const topic = topicName('python-auto');
    const got = await roundTrip(topic, 100);
    // The probe found a modern broker (ApiVersions answered), so record batches were used.
    expect(Number(got.apiVersion.split('.')[0])).toBeGreaterThanOrEqual(1);
    expectAll(got, 100);
  });

  it.each([
    ['0.10.0', 'none'],
    ['0.10.0', 'gzip'],
    ['0.9', 'none'],
    ['0.9', 'gzip'],
  ])('pinned to %s with compression %s, old message sets convert both ways', async (apiVersion, compression) => {
    const topic = topicName(`python-${apiVersion.replace(/\./g, '')}-${compression}`);
    const got = await roundTrip(topic, 100, apiVersion, compression);
    expect(got.apiVersion).toBe(apiVersion);
    expectAll(got, 100);
    // Stored as record batches, with the producer's codec kept.
    expect(new Set(storedCodecs(t.cluster, topic))).toEqual(new Set([compression === 'gzip' ? 1 : 0]));
  });

  it('answers ApiVersions v0 and Metadata v0 sent back to back in one write, in order', async () => {
    const [host, port] = t.bootstrap.split(':') as [string, string];
    const socket = connect({ host, port: Number(port) });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const frames = [
        ...encodeRequestFrame(ApiVersions, 0, 1, 'kafka-python', { clientSoftwareName: '', clientSoftwareVersion: '' }),
        ...encodeRequestFrame(Metadata, 0, 2, 'kafka-python', {
          topics: [],
          allowAutoTopicCreation: true,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        }),
      ];
      socket.write(Buffer.concat(frames));
      let buffered = Buffer.alloc(0);
      const responses: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${responses.length} of 2 responses`)), 10_000);
        socket.on('data', (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk]);
          while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
            responses.push(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
            buffered = buffered.subarray(4 + buffered.readInt32BE(0));
          }
          if (responses.length === 2) {
            clearTimeout(timer);
            resolve();
          }
        });
        socket.once('close', () => reject(new Error('the broker closed the connection')));
      });
      const first = new Reader(responses[0]!);
      expect(decodeResponseHeader(first, 0).correlationId).toBe(1);
      const versions = ApiVersions.decodeResponse(first, 0);
      expect(versions.errorCode).toBe(0);
      expect(versions.apiKeys.find((k) => k.apiKey === Metadata.apiKey)?.minVersion).toBe(0);
      const second = new Reader(responses[1]!);
      expect(decodeResponseHeader(second, 0).correlationId).toBe(2);
      const metadata = Metadata.decodeResponse(second, 0);
      expect(metadata.brokers.map((b) => `${b.host}:${b.port}`)).toEqual([t.bootstrap]);
    } finally {
      socket.destroy();
    }
  });

  it('logged no broker errors', () => {
    expect(t.errors).toEqual([]);
  });
});

/**
 * The partitioners against the clients they copy, run here: librdkafka 2.0 (Debian's librdkafka-dev,
 * its public rd_kafka_msg_partitioner_* functions, from a small C program built with gcc) and Go sarama
 * 1.22 (Debian's golang-github-shopify-sarama-dev, its hash partitioners from a small Go program).
 * Both read the same keys: empty, one byte, ASCII, UTF-8 and random bytes of many lengths, so every
 * tail length of the block hashes and both signs of every hash are met.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32Partition, fnv1aPartition, fnv1aReferencePartition, partitionForKey } from '../../../electron/kafka/partitioners/index';
import { run } from '../../broker/clients/helpers';

const C_SOURCE = fileURLToPath(new URL('./fixtures/librdkafka-partitions.c', import.meta.url));
const GO_SOURCE = fileURLToPath(new URL('./fixtures/sarama-partitions/main.go', import.meta.url));
const GO_ENV = { ...process.env, GOPATH: '/usr/share/gocode', GO111MODULE: 'off', GOFLAGS: '' };
const COUNTS = [1, 2, 3, 7, 12, 50, 100, 1000, 2147483647];

/** Deterministic keys (a seeded xorshift for the random ones). */
function keys(): Buffer[] {
  const list: Buffer[] = [Buffer.alloc(0), Buffer.from('1468509572224'), Buffer.from('kafka'), Buffer.from('order-42'), Buffer.from('ключ-é-🔑')];
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  for (let length = 1; length <= 64; length++) {
    for (let n = 0; n < 6; n++) list.push(Buffer.from(Array.from({ length }, () => next() & 0xff)));
    list.push(Buffer.from(`user-${length * 7919}`.repeat(Math.ceil(length / 8)).slice(0, length)));
  }
  for (let byte = 0; byte < 256; byte++) list.push(Buffer.from([byte]));
  return list;
}

const cases = keys().flatMap((key) => COUNTS.map((count) => ({ key, count })));
const input = cases.map(({ key, count }) => `${key.toString('hex')} ${count}`).join('\n') + '\n';

function rows(stdout: string): number[][] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number));
}

describe('partitioners against the clients themselves', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kd-partitioners-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`librdkafka's consistent (CRC-32), murmur2 and fnv1a put ${cases.length} keys where we do`, async () => {
    const binary = join(dir, 'librdkafka-partitions');
    const build = await run('gcc', ['-O1', '-o', binary, C_SOURCE, '-lrdkafka'], { timeoutMs: 60_000 });
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const result = await run(binary, [], { input, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    const theirs = rows(result.stdout);
    expect(theirs).toHaveLength(cases.length);
    const ours = cases.map(({ key, count }) => [crc32Partition(key, count), partitionForKey(key, count), fnv1aPartition(key, count)]);
    const differing = cases.filter((_, index) => JSON.stringify(ours[index]) !== JSON.stringify(theirs[index]));
    expect(differing.map(({ key, count }) => `${key.toString('hex')} / ${count}`)).toEqual([]);
  }, 90_000);

  it(`sarama's NewHashPartitioner and NewReferenceHashPartitioner put ${cases.length} keys where we do`, async () => {
    const binary = join(dir, 'sarama-partitions');
    // GOPATH mode against Debian's sources (cgo warnings from its zstd binding are expected on stderr).
    const build = await run('go', ['build', '-o', binary, GO_SOURCE], { timeoutMs: 150_000, env: GO_ENV });
    if (build.code !== 0) throw new Error(`go build failed:\n${build.stderr}`);
    const result = await run(binary, [], { input, timeoutMs: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const theirs = rows(result.stdout);
    expect(theirs).toHaveLength(cases.length);
    const ours = cases.map(({ key, count }) => [fnv1aPartition(key, count), fnv1aReferencePartition(key, count)]);
    const differing = cases.filter((_, index) => JSON.stringify(ours[index]) !== JSON.stringify(theirs[index]));
    expect(differing.map(({ key, count }) => `${key.toString('hex')} / ${count}`)).toEqual([]);
  }, 180_000);
});

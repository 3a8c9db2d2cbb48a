/**
 * A seeded protocol fuzz test against a broker in its own process. For every API key the broker
 * advertises in ApiVersions, at its lowest and highest version, random valid requests are sent as they
 * are, truncated, with bits flipped, with bytes overwritten, with a wrong size prefix, and as random
 * bytes behind a valid header; then frames of pure garbage. Every case runs on its own connection,
 * several at once. Throughout, a healthy client is served on its own connections, the broker's memory
 * stays bounded, no request makes a handler throw, and the records written before are intact.
 *
 * FUZZ_SEED=<n> replays another seed; a failure names the seed and the case.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiVersions, apiDescriptors, messageSchemas } from '../../../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { RawClient } from '../handlers/raw-client';
import { Rng, ValueFactory } from '../../kafka/protocol/values';
import { int32, openSocket, startBrokerProcess, type BrokerProcess } from './broker-process';
import { sleep } from '../../support/wait';
import { createTopic, healthyRoundTrip, produce, readValues } from './wire';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const VALID_PER_VERSION = 10;
const GARBAGE_CASES = 400;
const CONCURRENCY = 8;
const MiB = 1024 * 1024;

interface FuzzCase {
  name: string;
  bytes: Buffer;
}

let broker: BrokerProcess;
let raw: RawClient;
let precious: string[];
const preciousTopic = 'fuzz-precious-records';

beforeAll(async () => {
  broker = await startBrokerProcess({
    config: {
      // Random CreateTopics and CreatePartitions ask for up to 2^31-1 partitions: the ceilings are what
      // they meet, kept small so that the requests that pass stay cheap.
      'max.partitions.per.request': '16',
      'max.partitions': '400',
      'offsets.topic.num.partitions': '3',
      'group.initial.rebalance.delay.ms': '0',
      'socket.request.read.timeout.ms': '2000',
    },
  });
  raw = await RawClient.open(broker.bootstrap);
  await createTopic(raw, preciousTopic);
  precious = await produce(raw, preciousTopic, { batches: 4, recordsPerBatch: 25, valueBytes: 64, tag: 'before-fuzz' });
}, 120_000);

afterAll(async () => {
  raw?.close();
  await broker?.stop();
});

function withSize(body: Buffer, size = body.length): Buffer {
  return Buffer.concat([int32(size), body]);
}

/** The fuzz cases for one seed: deterministic, so a failure can be replayed. */
function buildCases(advertised: ReadonlyArray<{ apiKey: number; minVersion: number; maxVersion: number }>, rng: Rng): FuzzCase[] {
  const cases: FuzzCase[] = [];
  let correlationId = 1;
  for (const { apiKey, minVersion, maxVersion } of advertised) {
    const api = apiDescriptors.get(apiKey);
    if (!api) throw new Error(`the broker advertises API ${apiKey}, which the codec does not know`);
    const schema = messageSchemas[`${api.name}Request`]!;
    for (const version of new Set([minVersion, maxVersion])) {
      const label = `${api.name} v${version}`;
      for (let i = 0; i < VALID_PER_VERSION; i++) {
        let frame: Buffer;
        try {
          frame = Buffer.concat(encodeRequestFrame(api, version, correlationId++, 'fuzz', new ValueFactory(schema, rng, 'random').message(version) as never));
        } catch {
          continue; // a random value this version cannot carry (a string over 32 KiB, ...)
        }
        const body = frame.subarray(4);
        cases.push({ name: `${label} #${i} valid`, bytes: frame });
        // Truncated: the size prefix says what is there, the body stops early.
        const cut = rng.int(body.length);
        cases.push({ name: `${label} #${i} truncated at ${cut}`, bytes: withSize(body.subarray(0, cut)) });
        // Bit flips.
        const flipped = Buffer.from(body);
        const flips = 1 + rng.int(4);
        for (let f = 0; f < flips; f++) flipped[rng.int(flipped.length)]! ^= 1 << rng.int(8);
        cases.push({ name: `${label} #${i} ${flips} bit flips`, bytes: withSize(flipped) });
        // Bytes overwritten with 0xff or random values (huge lengths and counts).
        const overwritten = Buffer.from(body);
        for (let f = 0; f < 1 + rng.int(3); f++) overwritten[8 + rng.int(Math.max(1, overwritten.length - 8))] = rng.chance(0.5) ? 0xff : rng.next() & 0xff;
        cases.push({ name: `${label} #${i} overwritten`, bytes: withSize(overwritten) });
        // A size prefix that lies: larger (the client then stops sending) or smaller (the rest is a garbage frame).
        const lie = rng.chance(0.5) ? body.length + 1 + rng.int(100_000) : rng.int(body.length);
        cases.push({ name: `${label} #${i} size ${lie} for ${body.length} bytes`, bytes: withSize(body, lie) });
        // A valid header, then random bytes.
        const headerBytes = Math.min(body.length, 8 + 2 + 4);
        const tail = rng.bytes(rng.int(300));
        cases.push({ name: `${label} #${i} random body`, bytes: withSize(Buffer.concat([body.subarray(0, headerBytes), tail])) });
      }
    }
  }
  for (let i = 0; i < GARBAGE_CASES; i++) {
    const kind = rng.int(4);
    if (kind === 0) cases.push({ name: `garbage #${i}: random bytes`, bytes: rng.bytes(1 + rng.int(2000)) });
    else if (kind === 1) cases.push({ name: `garbage #${i}: negative size`, bytes: Buffer.concat([int32(-1 - rng.int(1 << 30)), rng.bytes(rng.int(64))]) });
    else if (kind === 2)
      cases.push({
        name: `garbage #${i}: size over socket.request.max.bytes`,
        bytes: Buffer.concat([int32(100 * MiB + 1 + rng.int(1 << 30)), rng.bytes(rng.int(64))]),
      });
    else cases.push({ name: `garbage #${i}: random frame`, bytes: withSize(rng.bytes(rng.int(500))) });
  }
  return cases;
}

/**
 * Sends one case on a fresh connection, then ends the connection's sending side; resolves when the
 * broker has closed it (after answering, or refusing). Fails if the broker keeps it open.
 */
async function runCase(c: FuzzCase): Promise<boolean> {
  const socket: Socket = await openSocket(broker);
  let answered = false;
  socket.on('error', () => {});
  socket.on('data', () => (answered = true));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`case "${c.name}" (seed ${SEED}): the broker left the connection open for 10 s`));
    }, 10_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end(c.bytes);
  });
  return answered;
}

describe(`protocol fuzz (seed ${SEED})`, () => {
  it('survives thousands of malformed requests to every advertised API at its lowest and highest version', async () => {
    const versions = await raw.call(ApiVersions, 3, { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' });
    const cases = buildCases(versions.apiKeys, new Rng(SEED));
    expect(versions.apiKeys.length).toBeGreaterThan(20);
    expect(cases.length).toBeGreaterThan(2000);

    const baseline = broker.rssBytes();
    let peak = baseline;
    let healthyCalls = 0;
    const healthyMs: number[] = [];
    let running = true;
    // A healthy client on its own connections, and a producer, served all along.
    const healthy = (async () => {
      let n = 0;
      while (running) {
        healthyMs.push(await healthyRoundTrip(broker.bootstrap));
        precious.push(...(await produce(raw, preciousTopic, { batches: 1, recordsPerBatch: 1, valueBytes: 32, tag: `during-fuzz-${n++}` })));
        healthyCalls++;
        peak = Math.max(peak, broker.rssBytes());
        await sleep(50);
      }
    })();

    const started = Date.now();
    let next = 0;
    let answered = 0;
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        if (await runCase(c)) answered++;
        if (!broker.alive()) throw new Error(`the broker died at case "${c.name}" (seed ${SEED})`);
      }
    });
    try {
      await Promise.all(workers);
    } finally {
      running = false;
      await healthy;
    }
    const elapsed = Date.now() - started;
    healthyMs.sort((a, b) => a - b);
    console.log(
      `fuzz seed ${SEED}: ${cases.length} cases (${answered} answered, the others refused) over ${versions.apiKeys.length} APIs in ${(elapsed / 1000).toFixed(1)} s; ` +
        `broker RSS ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB; ` +
        `${healthyCalls} healthy round trips, p50 ${healthyMs[Math.floor(healthyMs.length / 2)]?.toFixed(1)} ms, max ${healthyMs.at(-1)?.toFixed(1)} ms`,
    );

    expect(broker.alive()).toBe(true);
    // Not all refused at the door: many reached their handlers and were answered.
    expect(answered).toBeGreaterThan(cases.length / 10);
    expect(healthyCalls).toBeGreaterThan(5);
    expect(peak - baseline).toBeLessThan(300 * MiB);
    // No request made a handler throw (the connection would be closed as an "internal error").
    expect(broker.logLines.filter((line) => / ERROR /.test(line))).toEqual([]);
    // Thousands of refused connections, but the log is not flooded: at most 100 such lines per 10 s.
    const closes = broker.logLines.filter((line) => /closing connection/.test(line)).length;
    expect(closes).toBeGreaterThan(0);
    expect(closes).toBeLessThanOrEqual(100 * (Math.ceil(elapsed / 10_000) + 1));
    expect(await readValues(raw, preciousTopic)).toEqual(precious);
  }, 240_000);
});

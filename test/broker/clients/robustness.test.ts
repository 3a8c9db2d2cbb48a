/**
 * Garbage on the wire: each malformed frame on its own raw socket gets that socket closed by the broker,
 * while a kafkajs producer keeps producing on its own connection throughout, and the broker keeps
 * serving. An ApiVersions request in a version the broker does not know gets the v0 answer with
 * UNSUPPORTED_VERSION and the full list.
 */
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry, supportedApiKeys } from '../../../electron/broker/handlers/registry';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { ApiVersions, Metadata, Produce } from '../../../electron/kafka/protocol/generated/index';
import { decodeResponseHeader, encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { Reader } from '../../../electron/kafka/protocol/reader';
import { Writer } from '../../../electron/kafka/protocol/writer';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { kcat, lines, startTestCluster, topicName, type TestCluster } from './helpers';
import { sleep, waitFor } from '../../support/wait';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

let t: TestCluster;
let producer: Producer;
const loopTopic = topicName('robust-loop');
let loop: { sent: () => number; stop: () => Promise<{ sent: number; failures: unknown[] }> };
/** Records the loop had sent when the first garbage case started. */
let sentBeforeGarbage = -1;

/** Produces one small batch after another until stopped, recording every failure. */
function produceLoop(p: Producer, topic: string): typeof loop {
  let running = true;
  let sent = 0;
  const failures: unknown[] = [];
  const done = (async () => {
    while (running) {
      try {
        await p.send({ topic, acks: -1, messages: [{ value: `m${sent}` }, { value: `m${sent + 1}` }] });
        sent += 2;
      } catch (error) {
        failures.push(error);
      }
      await sleep(5);
    }
  })();
  return {
    sent: () => sent,
    stop: async () => {
      running = false;
      await done;
      return { sent, failures };
    },
  };
}

beforeAll(async () => {
  t = await startTestCluster();
  const kafka = new Kafka({ clientId: 'kd-robust-producer', brokers: [t.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic: loopTopic, messages: [{ value: 'first' }] });
  loop = produceLoop(producer, loopTopic);
});

afterAll(async () => {
  await loop?.stop();
  await producer?.disconnect().catch(() => {});
  await t?.close();
});

function open(): Promise<Socket> {
  const [host, port] = t.bootstrap.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes `bytes` on a fresh connection and waits for the broker to close it. Resolves with what the
 * broker sent before closing; rejects when the connection is still open after `timeoutMs`.
 */
async function sendAndExpectClose(bytes: Buffer, timeoutMs = 5000): Promise<Buffer> {
  const socket = await open();
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(bytes);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the broker left the connection open')), timeoutMs);
  });
  try {
    await Promise.race([closed, timeout]);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
  return Buffer.concat(received);
}

/** Sends request frames on one connection and resolves with each response frame (size prefix excluded). */
async function exchange(socket: Socket, frames: Buffer[], expected: number): Promise<Buffer[]> {
  let buffered = Buffer.alloc(0);
  const responses: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${responses.length} of ${expected} responses`)), 5000);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        responses.push(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
        buffered = buffered.subarray(4 + buffered.readInt32BE(0));
      }
      if (responses.length >= expected) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(responses);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`the broker closed the connection after ${responses.length} responses`)));
    socket.write(Buffer.concat(frames));
  });
}

/** A deterministic byte generator (xorshift32), so a failing case can be replayed. */
function pseudoRandomBytes(seed: number, length: number): Buffer {
  let x = seed >>> 0 || 1;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function sized(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value, 0);
  return b;
}

/** A request header v1 (apiKey, apiVersion, correlationId, clientId) for hand-made frames. */
function headerV1(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const w = new Writer(64);
  w.int16(apiKey);
  w.int16(apiVersion);
  w.int32(correlationId);
  w.nullableString('garbage-test');
  return w.toBuffer();
}

describe('malformed frames', () => {
  beforeAll(() => {
    sentBeforeGarbage = loop.sent();
  });

  it('closes a connection sending random bytes (frames of random content)', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const body = pseudoRandomBytes(seed * 7919, 200 + seed * 13);
      // The API key is random too: force it outside the served range so every seed is "unknown API".
      body.writeInt16BE(1000 + seed, 0);
      expect((await sendAndExpectClose(sized(body))).length, `seed ${seed}`).toBe(0);
    }
  });

  it('closes a connection sending unframed random bytes whose size prefix is out of range', async () => {
    let tried = 0;
    for (let seed = 1; tried < 10; seed++) {
      const bytes = pseudoRandomBytes(seed * 104729, 4096);
      const size = bytes.readInt32BE(0);
      // A random size within range means "wait for that many bytes", as Kafka does: not a garbage case.
      if (size >= 0 && size <= 104_857_600) continue;
      tried++;
      expect((await sendAndExpectClose(bytes)).length, `seed ${seed}`).toBe(0);
    }
  });

  it('closes a connection announcing a negative size', async () => {
    expect((await sendAndExpectClose(Buffer.concat([int32(-16), Buffer.alloc(16)]))).length).toBe(0);
    expect((await sendAndExpectClose(int32(-1))).length).toBe(0);
  });

  it('closes a connection announcing 200 MiB, more than socket.request.max.bytes, before any body arrives', async () => {
    expect((await sendAndExpectClose(int32(200 * 1024 * 1024))).length).toBe(0);
  });

  it('closes a connection sending frames too short for a request header', async () => {
    expect((await sendAndExpectClose(sized(Buffer.alloc(0)))).length).toBe(0);
    expect((await sendAndExpectClose(sized(Buffer.from([0, 3, 0])))).length).toBe(0);
  });

  it('closes a connection sending an unknown API key', async () => {
    expect((await sendAndExpectClose(sized(headerV1(999, 0, 7)))).length).toBe(0);
    expect((await sendAndExpectClose(sized(headerV1(-1, 0, 7)))).length).toBe(0);
  });

  it('closes a connection sending a served API in a version it does not serve', async () => {
    const body = Buffer.concat([headerV1(Produce.apiKey, 99, 7), Buffer.alloc(32)]);
    expect((await sendAndExpectClose(sized(body))).length).toBe(0);
  });

  it('closes a connection sending a valid size with a truncated body', async () => {
    const records = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('v'), timestamp: Date.now(), headers: [] }] });
    const full = Buffer.concat(
      encodeRequestFrame(Produce, 7, 9, 'garbage-test', {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ topicId: ZERO_UUID, name: loopTopic, partitionData: [{ index: 0, records }] }],
      }),
    ).subarray(4);
    // Cut inside the records: the frame is complete, its body is not.
    for (const cut of [full.length - 10, 20, 14]) {
      expect((await sendAndExpectClose(sized(full.subarray(0, cut)))).length, `cut at ${cut}`).toBe(0);
    }
  });

  it('closes a connection sending a valid header with a garbled body', async () => {
    // Metadata v1: a topics array claiming 2^31-1 entries, then garbage.
    const body = Buffer.concat([headerV1(Metadata.apiKey, 1, 11), int32(0x7fffffff), pseudoRandomBytes(42, 64)]);
    expect((await sendAndExpectClose(sized(body))).length).toBe(0);
    // Metadata v9 (flexible): a compact array length varint that never ends.
    const flexHeader = new Writer(64);
    flexHeader.int16(Metadata.apiKey);
    flexHeader.int16(9);
    flexHeader.int32(12);
    flexHeader.nullableString('garbage-test');
    flexHeader.unsignedVarInt(0);
    const flexible = Buffer.concat([flexHeader.toBuffer(), Buffer.alloc(16, 0xff)]);
    expect((await sendAndExpectClose(sized(flexible))).length).toBe(0);
  });

  it('answers garbage record bytes in a well-formed Produce with CORRUPT_MESSAGE and keeps the connection', async () => {
    const socket = await open();
    try {
      const garbage = pseudoRandomBytes(7, 300);
      const frame = encodeRequestFrame(Produce, 7, 21, 'garbage-test', {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ topicId: ZERO_UUID, name: loopTopic, partitionData: [{ index: 0, records: garbage }] }],
      });
      const probe = encodeRequestFrame(ApiVersions, 3, 22, 'garbage-test', { clientSoftwareName: 'kd', clientSoftwareVersion: '1' });
      const [produced, versions] = await exchange(socket, [Buffer.concat(frame), Buffer.concat(probe)], 2);
      const r = new Reader(produced!);
      expect(decodeResponseHeader(r, 0).correlationId).toBe(21);
      const body = Produce.decodeResponse(r, 7);
      expect(body.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
      expect(decodeResponseHeader(new Reader(versions!), 0).correlationId).toBe(22);
    } finally {
      socket.destroy();
    }
  });

  it('answers ApiVersions v99 with a v0 body: UNSUPPORTED_VERSION and the full list, and keeps the connection', async () => {
    const socket = await open();
    try {
      // A future ApiVersions version uses the flexible request header v2 (clientId, then tagged fields).
      const w = new Writer(64);
      w.int16(ApiVersions.apiKey);
      w.int16(99);
      w.int32(31);
      w.nullableString('future-client');
      w.unsignedVarInt(0);
      w.compactString('future-client');
      w.compactString('99.0');
      w.unsignedVarInt(0);
      const [answer] = await exchange(socket, [sized(w.toBuffer())], 1);
      const r = new Reader(answer!);
      expect(decodeResponseHeader(r, 0).correlationId).toBe(31);
      const body = ApiVersions.decodeResponse(r, 0);
      expect(r.remaining).toBe(0);
      expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(body.errorCode).toBe(35);
      // What the brokers advertise: every implemented API but the telemetry ones, off by default (telemetry.receiver.enable).
      const expected = t.cluster.advertisedApis().list.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
      expect(expected.length).toBe(supportedApiKeys(createRegistry()).length - 2);
      expect(body.apiKeys.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }))).toEqual(expected);
      expect(body.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey)).toMatchObject({ minVersion: 0, maxVersion: 4 });

      // The client retries with a version from the list, on the same connection.
      const [retry] = await exchange(
        socket,
        [Buffer.concat(encodeRequestFrame(ApiVersions, 3, 32, 'future-client', { clientSoftwareName: 'future-client', clientSoftwareVersion: '99.0' }))],
        1,
      );
      const rr = new Reader(retry!);
      expect(decodeResponseHeader(rr, 0).correlationId).toBe(32);
      expect(ApiVersions.decodeResponse(rr, 3).errorCode).toBe(ErrorCode.NONE);
    } finally {
      socket.destroy();
    }
  });

  it('answers a client that pipelines 20,000 requests without reading, in order, while others go on', async () => {
    const socket = await open();
    try {
      socket.pause();
      const count = 20_000;
      const frames: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        frames.push(
          ...encodeRequestFrame(Metadata, 1, i, 'pipeliner', {
            topics: null,
            allowAutoTopicCreation: true,
            includeClusterAuthorizedOperations: false,
            includeTopicAuthorizedOperations: false,
          }),
        );
      }
      socket.write(Buffer.concat(frames));
      await sleep(300);
      // The broker stops reading this client (its responses are not being read); kcat is not held up.
      const started = Date.now();
      expect(lines(await kcat(t.bootstrap, ['-L', '-J']))).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(15_000);
      let buffered = Buffer.alloc(0);
      const ids: number[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${ids.length} of ${count} responses`)), 20_000);
        socket.on('data', (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk]);
          while (buffered.length >= 8 && buffered.length >= 4 + buffered.readInt32BE(0)) {
            ids.push(buffered.readInt32BE(4));
            buffered = buffered.subarray(4 + buffered.readInt32BE(0));
          }
          if (ids.length === count) {
            clearTimeout(timer);
            resolve();
          }
        });
        socket.resume();
      });
      expect(ids.every((id, i) => id === i)).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('survived it all: the producer never failed, every record is there, and kcat still works', async () => {
    // The loop kept producing while the garbage cases ran, and goes on producing after them.
    const sentAfterGarbage = loop.sent();
    expect(sentAfterGarbage).toBeGreaterThan(sentBeforeGarbage);
    await waitFor(() => loop.sent() >= sentAfterGarbage + 20, 10_000, 'twenty more records from the loop');
    const { sent, failures } = await loop.stop();
    expect(failures.map((e) => String(e))).toEqual([]);
    const offsets = lines(await kcat(t.bootstrap, ['-C', '-t', loopTopic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']));
    // "first", then the loop's records in order.
    expect(offsets).toEqual(['first', ...Array.from({ length: sent }, (_, i) => `m${i}`)]);
    expect(t.cluster.brokers()[0]!.state).toBe('running');
    expect(t.errors).toEqual([]);
  });
});

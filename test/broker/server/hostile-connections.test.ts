/**
 * Clients that try to exhaust the broker's memory or hold its connections, against a broker in its own
 * process (so its resident memory is its own): one connection pipelining 3,000 Fetches of 1 MB without
 * reading its responses, ten connections each sending 60 MB of a declared 100 MiB frame and stalling,
 * and frames trickled a byte at a time. Throughout, a healthy client on its own connection is served and
 * the records written before are intact.
 */
import { readdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../electron/kafka/protocol/error-codes';
import { CreateTopics, Produce } from '../../../electron/kafka/protocol/generated/index';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';
import { RawClient } from '../handlers/raw-client';
import { closedWithin, int32, openSocket, startBrokerProcess, type BrokerProcess } from './broker-process';
import { sleep } from '../../support/wait';
import { createTopic, fetchFrame, healthyRoundTrip, produce, readValues } from './wire';
import { ZERO_UUID } from '../../../electron/kafka/protocol/uuid';

const MiB = 1024 * 1024;
// Long enough that what must happen before a trickled frame is dropped (a healthy 900 KB produce, in
// the test of clients announcing large frames) still does on a loaded 2-core machine.
const READ_TIMEOUT_MS = 6000;

let broker: BrokerProcess;
let raw: RawClient;
let precious: string[];
const fetchTopic = 'hostile-fetch';
const preciousTopic = 'hostile-precious';

beforeAll(async () => {
  broker = await startBrokerProcess({
    config: {
      // The budget as small as it may be (one largest request), so a leak or a bypass shows at once.
      'queued.max.request.bytes': String(100 * MiB),
      'socket.request.read.timeout.ms': String(READ_TIMEOUT_MS),
    },
  });
  raw = await RawClient.open(broker.bootstrap);
  await createTopic(raw, preciousTopic);
  precious = await produce(raw, preciousTopic, { batches: 5, recordsPerBatch: 20, valueBytes: 100, tag: 'precious' });
  await createTopic(raw, fetchTopic);
  // 1 MB to fetch: ten batches of 100 KB.
  await produce(raw, fetchTopic, { batches: 10, recordsPerBatch: 1, valueBytes: 100_000, tag: 'big' });
}, 120_000);

afterAll(async () => {
  raw?.close();
  await broker?.stop();
});

/**
 * Samples the broker's RSS every 100 ms for `ms`, failing as soon as it grows more than `limit` over
 * `baseline` (so a broker without the limit fails fast instead of swallowing gigabytes). Returns the peak.
 */
async function watchRss(baseline: number, limit: number, ms: number, what: string): Promise<number> {
  let peak = baseline;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const rss = broker.rssBytes();
    peak = Math.max(peak, rss);
    if (rss - baseline > limit) throw new Error(`${what}: broker RSS grew by ${((rss - baseline) / MiB).toFixed(0)} MiB (limit ${limit / MiB} MiB)`);
    await sleep(100);
  }
  return peak;
}

/** Writes `total` bytes of `filler` after `head`, as fast as the socket takes them; stops early once a write has not drained for `stallMs`. */
async function writeUntilStalled(socket: Socket, head: Buffer, total: number, stallMs: number): Promise<number> {
  socket.write(head);
  const chunk = Buffer.alloc(MiB, 0x61);
  let written = 0;
  while (written < total && !socket.destroyed) {
    const ok = socket.write(chunk.subarray(0, Math.min(chunk.length, total - written)));
    written += Math.min(chunk.length, total - written);
    if (!ok) {
      const drained = await Promise.race([new Promise<boolean>((resolve) => socket.once('drain', () => resolve(true))), sleep(stallMs).then(() => false)]);
      if (!drained) break;
    }
  }
  return written;
}

describe('a client that pipelines requests and never reads its responses', () => {
  it('holds at most one response in the broker: 3,000 pipelined 1 MB Fetches leave its memory bounded, in order once read', async () => {
    const baseline = broker.rssBytes();
    const socket = await openSocket(broker);
    socket.pause();
    socket.on('error', () => {});
    try {
      const frames: Buffer[] = [];
      for (let i = 0; i < 3000; i++) frames.push(fetchFrame(fetchTopic, i, MiB));
      socket.write(Buffer.concat(frames));
      // Today's broker answered all 3,000 into the socket's buffer: 1 GB and more.
      const peak = await watchRss(baseline, 200 * MiB, 4000, 'pipelined fetches');
      // Another client is served meanwhile.
      await healthyRoundTrip(broker.bootstrap);
      expect(broker.alive()).toBe(true);

      // When the client reads, the responses come, in order, each with the 1 MB asked for.
      const sizes: number[] = [];
      const ids: number[] = [];
      let buffered: Buffer = Buffer.alloc(0);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${ids.length} of 20 responses`)), 20_000);
        socket.on('data', (chunk: Buffer) => {
          buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
          while (buffered.length >= 8 && buffered.length >= 4 + buffered.readInt32BE(0)) {
            sizes.push(buffered.readInt32BE(0));
            ids.push(buffered.readInt32BE(4));
            buffered = buffered.subarray(4 + buffered.readInt32BE(0));
          }
          if (ids.length >= 20) {
            clearTimeout(timer);
            socket.pause();
            resolve();
          }
        });
        socket.resume();
      });
      expect(ids.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(Math.min(...sizes)).toBeGreaterThan(1_000_000);
      console.log(`pipelined fetches: broker RSS ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB`);
    } finally {
      socket.destroy();
    }
    await sleep(500);
    expect(broker.rssBytes() - baseline).toBeLessThan(200 * MiB);
    await healthyRoundTrip(broker.bootstrap);
  });
});

describe('clients that announce large frames and stall', () => {
  it('ten connections each sending 60 MB of a declared 100 MiB frame hold at most queued.max.request.bytes; others are served; memory comes back', async () => {
    const baseline = broker.rssBytes();
    const sockets = await Promise.all(Array.from({ length: 10 }, () => openSocket(broker)));
    for (const socket of sockets) socket.on('error', () => {});
    let peak: number;
    try {
      const writing = Promise.all(sockets.map((socket) => writeUntilStalled(socket, int32(100 * MiB), 60 * MiB, 1500)));
      const [written, watched] = await Promise.all([writing, watchRss(baseline, 250 * MiB, 5000, 'ten 100 MiB frames')]);
      peak = watched;
      // Some wrote their 60 MB (the one holding the budget); the others were stopped by TCP once the broker stopped reading them.
      expect(Math.max(...written)).toBe(60 * MiB);
      expect(Math.min(...written)).toBeLessThan(60 * MiB);
      const healthyMs = await healthyRoundTrip(broker.bootstrap);
      // A healthy client's small produce is not held up by the budget either.
      const response = await raw.call(Produce, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          {
            topicId: ZERO_UUID,
            name: preciousTopic,
            partitionData: [
              {
                index: 0,
                records: encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('during-stall'), timestamp: Date.now(), headers: [] }] }),
              },
            ],
          },
        ],
      });
      expect(response.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
      precious.push('during-stall');
      // The frame that got the memory, stalled, is dropped after socket.request.read.timeout.ms.
      await broker.waitForLog(/closing connection .*socket\.request\.read\.timeout\.ms/, READ_TIMEOUT_MS + 5000);
      console.log(
        `ten stalled 100 MiB frames: broker RSS ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB; healthy round trip ${healthyMs.toFixed(1)} ms`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    // Every reservation was given back: a 900 KB request (large enough to need one) goes through.
    await sleep(300);
    const big = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.alloc(900_000, 0x62), timestamp: Date.now(), headers: [] }] });
    const bigProduce = await raw.call(Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ topicId: ZERO_UUID, name: fetchTopic, partitionData: [{ index: 0, records: big }] }],
    });
    expect(bigProduce.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(broker.alive()).toBe(true);
  });

  it('clients announcing large frames and trickling them hold none of the budget: a large request from another client goes through meanwhile', async () => {
    // 150 announced MiB are more than the 100 MiB budget.
    const sockets = await Promise.all(Array.from({ length: 150 }, () => openSocket(broker)));
    let closedEarly = 0;
    for (const socket of sockets) {
      socket.on('error', () => {});
      socket.once('close', () => closedEarly++);
      socket.write(Buffer.concat([int32(MiB), Buffer.alloc(100, 0x61)]));
    }
    try {
      await sleep(300);
      const big = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.alloc(900_000, 0x63), timestamp: Date.now(), headers: [] }] });
      const response = await raw.call(Produce, 7, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ topicId: ZERO_UUID, name: fetchTopic, partitionData: [{ index: 0, records: big }] }],
      });
      expect(response.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
      // Answered before socket.request.read.timeout.ms dropped any of them: it did not wait for their memory.
      expect(closedEarly).toBe(0);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it('drops a frame trickled a byte at a time after socket.request.read.timeout.ms, not before', async () => {
    const socket = await openSocket(broker);
    socket.on('error', () => {});
    const started = Date.now();
    const closed = closedWithin(socket, READ_TIMEOUT_MS + 8000);
    // A 100-byte frame at 5 bytes a second: never complete within the timeout.
    socket.write(int32(100));
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(Buffer.from([0x61]));
    }, 200);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 100);
    await broker.waitForLog(new RegExp(`request not received in full within socket\\.request\\.read\\.timeout\\.ms \\(${READ_TIMEOUT_MS} ms\\)`));
  });

  it('drops a connection that sends half a size prefix and nothing more', async () => {
    const socket = await openSocket(broker);
    socket.on('error', () => {});
    socket.write(Buffer.from([0, 0]));
    const waited = await closedWithin(socket, READ_TIMEOUT_MS + 8000);
    expect(waited).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 200);
  });
});

describe('a request creating thousands of partitions', () => {
  it('is answered once their logs exist, and other clients are served while they are created', async () => {
    const creator = await RawClient.open(broker.bootstrap);
    try {
      let answered = false;
      const creating = creator
        .call(CreateTopics, 5, {
          topics: [{ name: 'wide', numPartitions: 3000, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 60_000,
          validateOnly: false,
        })
        .finally(() => (answered = true));
      // Creating 3,000 logs is seconds of file work: it used to happen inside the request, with every
      // other client of the process waiting for it.
      let servedMeanwhile = 0;
      while (!answered) {
        await healthyRoundTrip(broker.bootstrap);
        if (!answered) servedMeanwhile++;
      }
      const response = await creating;
      expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
      expect(servedMeanwhile).toBeGreaterThanOrEqual(3);
      const logDirs = readdirSync(join(broker.dataDir, 'broker-0')).filter((name) => /^wide-\d+$/.test(name));
      expect(logDirs).toHaveLength(3000);
    } finally {
      creator.close();
    }
  }, 120_000);
});

describe('afterwards', () => {
  it('the broker lives and every record written before is intact', async () => {
    expect(broker.alive()).toBe(true);
    expect(await readValues(raw, preciousTopic)).toEqual(precious);
  });
});

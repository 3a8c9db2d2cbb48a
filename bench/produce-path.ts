/**
 * `npm run bench -- produce-path [--requests N] [--records R] [--window W] [--repeat K]`
 *
 * What one acks=all produce request costs the embedded cluster, in figures that hold on a loaded
 * machine: the cluster process's CPU time, young- and old-generation collections and the bytes it
 * appended, per request, for a fixed shape of load. A 3-broker cluster (`npm run cluster`) in its own
 * process, one topic of one partition, RF 3, min.insync.replicas 2; this process sends N Produce v9
 * requests of R records of 100 B each (acks=-1) to the leader over one connection with W of them in
 * flight, while a consumer's Fetch v11 long poll (max wait 500 ms, min bytes 1) follows the log end on
 * another. The batching is fixed by the driver rather than by how fast the cluster answers, so two
 * builds compare request for request: the latency bench's tail is made of this CPU (a busy event loop)
 * and of these collections (its pauses). Wall-clock rates are printed too, for what they are worth on
 * a shared machine.
 */
import { createConnection, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Fetch, Produce, type FetchResponse, type ProduceResponse } from '../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../electron/kafka/protocol/headers';
import { Reader } from '../electron/kafka/protocol/reader';
import { encodeRecordBatch } from '../electron/kafka/records/record-batch';
import { benchArgs, fmt1, fmt2, fmtInt, machineNote, median, printTable, spread, startServer, withAdmin, type ServerProcess } from './_broker-harness';
import { ZERO_UUID } from '../electron/kafka/protocol/uuid';

type Metrics = Record<string, number>;

async function stats(cluster: ServerProcess): Promise<Metrics> {
  const line = await cluster.ask('stats', 'stats ', 5000);
  return JSON.parse(line.slice('stats '.length)) as Metrics;
}

/** A connection that sends request frames and hands each response body (after the correlation id) to its waiter, in order. */
class RawConnection {
  readonly #socket: Socket;
  readonly #waiters: Array<(body: Reader) => void> = [];
  #pending: Buffer = Buffer.alloc(0);
  #correlationId = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
      while (this.#pending.length >= 4) {
        const size = this.#pending.readInt32BE(0);
        if (this.#pending.length < 4 + size) break;
        const frame = this.#pending.subarray(4, 4 + size);
        this.#pending = Buffer.from(this.#pending.subarray(4 + size));
        this.#waiters.shift()!(new Reader(frame, 4));
      }
    });
  }

  static open(hostPort: string): Promise<RawConnection> {
    const [host, port] = hostPort.split(':');
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port: Number(port) }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: Buffer[], onResponse: (body: Reader) => void): void {
    this.#waiters.push(onResponse);
    for (const chunk of frame) this.#socket.write(chunk);
  }

  nextCorrelationId(): number {
    return ++this.#correlationId;
  }

  close(): void {
    this.#socket.destroy();
  }
}

interface RunResult {
  seconds: number;
  cpuMicrosPerRequest: number;
  scavengesPer1k: number;
  markCompacts: number;
  incrementalSteps: number;
  allocatedPerRequest: number;
  promotedPerRequest: number;
  oldGrowthPerRequest: number;
  youngCapacityMiB: number;
  gcMinorTotalMs: number;
  gcMajorMaxMs: number;
  loopDelayP99Ms: number;
  consumed: number;
  followerFetchesPerRequest: number;
}

async function runOnce(cluster: ServerProcess, leader: string, topic: string, requests: number, records: number, window: number): Promise<RunResult> {
  const value = Buffer.alloc(100, 'x');
  // Identical batches are fine: the leader assigns offsets, and the CRC does not cover them.
  const batch = encodeRecordBatch({ records: Array.from({ length: records }, () => ({ value })) });
  const producer = await RawConnection.open(leader);
  const consumer = await RawConnection.open(leader);
  const produceFrame = (id: number) =>
    encodeRequestFrame(Produce, 9, id, 'produce-path', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [{ topicId: ZERO_UUID, name: topic, partitionData: [{ index: 0, records: batch }] }],
    });
  const fetchFrame = (id: number, offset: number) =>
    encodeRequestFrame(Fetch, 11, id, 'produce-path', {
      clusterId: null,
      replicaId: -1,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: '00000000-0000-0000-0000-000000000000',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: BigInt(offset),
              lastFetchedEpoch: -1,
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
              highWatermark: 9223372036854775807n,
              replicaDirectoryId: '00000000-0000-0000-0000-000000000000',
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });

  const before = await stats(cluster);
  const cpu0 = cluster.cpuSeconds();
  const started = performance.now();
  let consumed = 0;
  // A fresh topic: the consumer starts at offset 0, its log end.
  let fetchOffset = 0;
  let consuming = true;
  const fetchNext = () => {
    if (!consuming) return;
    consumer.send(fetchFrame(consumer.nextCorrelationId(), fetchOffset), (body) => {
      const response: FetchResponse = Fetch.decodeResponse(body, 11);
      const partition = response.responses[0]?.partitions[0];
      const bytes = partition?.records;
      if (bytes && bytes.length > 0) {
        // Whole batches: walk their headers for the next offset and the record count.
        let at = 0;
        while (at + 61 <= bytes.length) {
          const size = bytes.readInt32BE(at + 8) + 12;
          if (at + size > bytes.length) break;
          const base = Number(bytes.readBigInt64BE(at));
          const count = bytes.readInt32BE(at + 57);
          consumed += count;
          fetchOffset = base + bytes.readInt32BE(at + 23) + 1;
          at += size;
        }
      }
      fetchNext();
    });
  };
  fetchNext();

  await new Promise<void>((done, fail) => {
    let sent = 0;
    let answered = 0;
    const sendOne = () => {
      sent++;
      producer.send(produceFrame(producer.nextCorrelationId()), (body) => {
        body.readTaggedFields(); // Produce v9 is flexible: response header v1
        const response: ProduceResponse = Produce.decodeResponse(body, 9);
        const code = response.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
        if (code !== 0) return fail(new Error(`produce answered error code ${code}`));
        answered++;
        if (answered === requests) done();
        else if (sent < requests) sendOne();
      });
    };
    for (let i = 0; i < Math.min(window, requests); i++) sendOne();
  });
  const seconds = (performance.now() - started) / 1000;
  // Until the consumer has every record (it follows the high watermark).
  for (let i = 0; i < 200 && consumed < requests * records; i++) await new Promise((r) => setTimeout(r, 25));
  consuming = false;
  const cpu = cluster.cpuSeconds() - cpu0;
  const after = await stats(cluster);
  producer.close();
  consumer.close();
  return {
    seconds,
    cpuMicrosPerRequest: (cpu * 1e6) / requests,
    scavengesPer1k: (after.gcMinorCount! * 1000) / requests,
    markCompacts: after.gcMajorCount!,
    incrementalSteps: after.gcIncrementalCount ?? NaN,
    allocatedPerRequest: (after.heapAllocatedBytes ?? NaN) / requests,
    promotedPerRequest: (after.heapPromotedBytes ?? NaN) / requests,
    oldGrowthPerRequest: (after.heapOldGrowthBytes ?? NaN) / requests,
    youngCapacityMiB: (after.heapYoungCapacityBytes ?? NaN) / (1 << 20),
    gcMinorTotalMs: after.gcMinorTotalMs!,
    gcMajorMaxMs: after.gcMajorMaxMs!,
    loopDelayP99Ms: after.eventLoopDelayP99Ms!,
    consumed,
    followerFetchesPerRequest: (after.followerFetches! - before.followerFetches!) / requests,
  };
}

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: benchArgs(),
    options: { requests: { type: 'string' }, records: { type: 'string' }, window: { type: 'string' }, repeat: { type: 'string' } },
    strict: true,
  });
  const requests = Number(values.requests ?? 20_000);
  const records = Number(values.records ?? 4);
  const window = Number(values.window ?? 4);
  const repeat = Number(values.repeat ?? 3);
  if (!(requests > 0) || !(records > 0) || !(window > 0) || !(repeat > 0))
    throw new Error('--requests, --records, --window and --repeat take positive numbers');

  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-produce-path-'));
  let cluster: ServerProcess | null = null;
  try {
    console.log(
      `produce-path bench: 3 brokers in their own process, 1 partition, RF 3, min.insync.replicas 2; ${fmtInt(requests)} acks=all Produce v9 requests ` +
        `of ${records} x 100 B records, ${window} in flight, and a Fetch long poll following the log end; ${repeat} run(s); ${machineNote()}`,
    );
    cluster = await startServer('cluster', 'electron/broker/cli.ts', ['--brokers', '3', '--port', '0', '--data-dir', join(dir, 'data'), '--log-level', 'warn']);
    const bootstrap = cluster.bootstrap;
    const results: RunResult[] = [];
    for (let rep = 0; rep < repeat; rep++) {
      const topic = `produce-path-${rep}`;
      const leader = await withAdmin(bootstrap, async (admin) => {
        await admin.createTopics({ topics: [topic], partitions: 1, replicas: 3, configs: [{ name: 'min.insync.replicas', value: '2' }] });
        for (let i = 0; i < 100; i++) {
          const metadata = await admin.metadata({ topics: [topic] });
          const partition = metadata.topics.get(topic)?.partitions[0];
          if (partition && partition.leader >= 0 && partition.isr.length === 3) {
            const broker = metadata.brokers.get(partition.leader)!;
            return `${broker.host}:${broker.port}`;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`${topic} has no leader with a full ISR`);
      });
      const r = await runOnce(cluster, leader, topic, requests, records, window);
      results.push(r);
      console.log(
        `  run ${rep + 1}: ${fmt1(r.cpuMicrosPerRequest)} µs CPU/request, ${fmt2(r.scavengesPer1k)} scavenges and ${r.markCompacts} mark-compacts ` +
          `(${r.incrementalSteps} incremental marking steps; ${fmtInt(requests)} requests), per request ${fmtInt(r.allocatedPerRequest)} B allocated, ` +
          `${fmtInt(r.promotedPerRequest)} B promoted, ${fmtInt(r.oldGrowthPerRequest)} B old-generation growth ` +
          `(young generation ${fmt1(r.youngCapacityMiB)} MiB); ` +
          `${fmt2(r.followerFetchesPerRequest)} follower fetches/request, ${fmtInt(requests / r.seconds)} requests/s; ` +
          `consumed ${fmtInt(r.consumed)} of ${fmtInt(requests * records)}; GC scavenges ${fmt1(r.gcMinorTotalMs)} ms, mark-compact max ${fmt1(r.gcMajorMaxMs)} ms, loop delay p99 ${fmt2(r.loopDelayP99Ms)} ms`,
      );
      await withAdmin(bootstrap, (admin) => admin.deleteTopics({ topics: [topic] }));
    }
    console.log('');
    printTable(
      ['CPU µs/request', 'scavenges/1k req', 'mark-compacts/run', 'alloc B/req', 'promoted B/req', 'old growth B/req', 'requests/s', 'follower fetches/req'],
      [
        [
          spread(
            results.map((r) => r.cpuMicrosPerRequest),
            fmt1,
          ),
          spread(
            results.map((r) => r.scavengesPer1k),
            fmt2,
          ),
          spread(
            results.map((r) => r.markCompacts),
            fmtInt,
          ),
          spread(
            results.map((r) => r.allocatedPerRequest),
            fmtInt,
          ),
          spread(
            results.map((r) => r.promotedPerRequest),
            fmtInt,
          ),
          spread(
            results.map((r) => r.oldGrowthPerRequest),
            fmtInt,
          ),
          spread(
            results.map((r) => requests / r.seconds),
            fmtInt,
          ),
          fmt2(median(results.map((r) => r.followerFetchesPerRequest))),
        ],
      ],
    );
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

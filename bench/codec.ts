/**
 * Codec throughput: encode and decode of a ~1 MiB Produce request (v9 flexible and v3 classic; the records
 * field is 1 MiB of record batches), a small single-batch Produce request, and CRC-32C, all in one run.
 */
import { crc32c } from '../electron/kafka/protocol/crc32c';
import {
  createFetchResponse,
  createFetchResponsePartitionData,
  createMetadataResponse,
  createMetadataResponseTopic,
  decodeFetchResponse,
  decodeMetadataResponse,
  decodeProduceRequest,
  encodeFetchResponse,
  encodeMetadataResponse,
  encodeProduceRequest,
  type FetchResponse,
  type MetadataResponse,
  type ProduceRequest,
} from '../electron/kafka/protocol/generated/index';
import { Reader } from '../electron/kafka/protocol/reader';
import { Writer } from '../electron/kafka/protocol/writer';
import { encodeRecordBatch } from '../electron/kafka/records/record-batch';
import { ZERO_UUID } from '../electron/kafka/protocol/uuid';

const MIB = 1024 * 1024;

interface Result {
  name: string;
  ops: number;
  seconds: number;
  bytesPerOp: number;
}

/** Runs `fn` repeatedly for about `seconds` (after a warm-up) and returns the op count and elapsed time. */
function measure(name: string, bytesPerOp: number, fn: () => void, seconds = 1): Result {
  const warmUpEnd = performance.now() + 200;
  while (performance.now() < warmUpEnd) fn();
  let ops = 0;
  let batch = 1;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = performance.now();
    if (now - start < 50) batch *= 2;
  }
  return { name, ops, seconds: (now - start) / 1000, bytesPerOp };
}

function report(r: Result): void {
  const opsPerSecond = r.ops / r.seconds;
  const mbPerSecond = (opsPerSecond * r.bytesPerOp) / MIB;
  console.log(`${r.name.padEnd(48)} ${mbPerSecond.toFixed(0).padStart(9)} MB/s ${opsPerSecond.toFixed(0).padStart(11)} ops/s  (${r.bytesPerOp} bytes/op)`);
}

/** About `totalBytes` of uncompressed record batches, each holding records with 100-byte values. */
function makeRecords(totalBytes: number, batches: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  const value = Buffer.alloc(100, 'v');
  const perBatch = Math.max(1, Math.floor(totalBytes / batches / 120));
  let offset = 0;
  while (size < totalBytes) {
    const records = Array.from({ length: perBatch }, (_, i) => ({ key: Buffer.from(`key-${offset + i}`), value }));
    const batch = encodeRecordBatch({ baseOffset: 0, records, timestamp: 1_700_000_000_000, producerId: -1, producerEpoch: -1, baseSequence: -1 });
    parts.push(batch);
    size += batch.length;
    offset += perBatch;
  }
  return Buffer.concat(parts);
}

function produceRequest(records: Buffer): ProduceRequest {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ topicId: ZERO_UUID, name: 'bench-topic', partitionData: [{ index: 0, records }] }],
  };
}

function encodeToChunks(version: number, value: ProduceRequest): Buffer[] {
  const w = new Writer();
  encodeProduceRequest(w, version, value);
  return w.toBuffers();
}

export default async function run(): Promise<void> {
  const big = makeRecords(MIB, 8);
  const small = makeRecords(1200, 1);
  console.log(`records: ${big.length} bytes in 8 batches (large request), ${small.length} bytes in 1 batch (small request)`);
  console.log('Records fields are zero-copy both ways (decode returns a view, encode keeps buffers >= 4 KiB by reference),');
  console.log('so for the 1 MiB requests ops/s is the cost of everything around the records; "+ join" adds the copy into one buffer.');
  console.log();
  const results: Result[] = [];
  for (const version of [9, 3]) {
    const value = produceRequest(big);
    const encoded = Buffer.concat(encodeToChunks(version, value));
    results.push(measure(`Produce v${version} ~1 MiB encode (zero-copy chunks)`, encoded.length, () => encodeToChunks(version, value)));
    results.push(
      measure(`Produce v${version} ~1 MiB encode + join`, encoded.length, () => {
        const w = new Writer();
        encodeProduceRequest(w, version, value);
        w.toBuffer();
      }),
    );
    results.push(measure(`Produce v${version} ~1 MiB decode (records as view)`, encoded.length, () => decodeProduceRequest(new Reader(encoded), version)));
  }
  for (const version of [9, 3]) {
    const value = produceRequest(small);
    const encoded = Buffer.concat(encodeToChunks(version, value));
    results.push(measure(`Produce v${version} small (1 batch) encode`, encoded.length, () => encodeToChunks(version, value)));
    results.push(measure(`Produce v${version} small (1 batch) decode`, encoded.length, () => decodeProduceRequest(new Reader(encoded), version)));
  }
  // Many small structs: where per-field codec cost shows.
  const fetch: FetchResponse = {
    ...createFetchResponse(),
    responses: [
      {
        topic: 'bench-topic',
        topicId: '00000000-0000-0000-0000-000000000000',
        partitions: Array.from({ length: 100 }, (_, i) => ({
          ...createFetchResponsePartitionData(),
          partitionIndex: i,
          highWatermark: 1000n,
          lastStableOffset: 1000n,
          logStartOffset: 0n,
          abortedTransactions: [],
          records: small,
        })),
      },
    ],
  };
  const metadata: MetadataResponse = {
    ...createMetadataResponse(),
    brokers: [1, 2, 3].map((id) => ({ nodeId: id, host: 'localhost', port: 9090 + id, rack: null })),
    clusterId: 'bench',
    controllerId: 1,
    topics: Array.from({ length: 100 }, (_, t) => ({
      ...createMetadataResponseTopic(),
      name: `topic-${t}`,
      partitions: Array.from({ length: 10 }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: 1 + (p % 3),
        leaderEpoch: 0,
        replicaNodes: [1, 2, 3],
        isrNodes: [1, 2, 3],
        offlineReplicas: [],
      })),
    })),
  };
  for (const version of [12, 11]) {
    const w = new Writer();
    encodeFetchResponse(w, version, fetch);
    const encoded = w.toBuffer();
    results.push(
      measure(`Fetch v${version} response, 100 partitions, encode`, encoded.length, () => {
        const x = new Writer(8192);
        encodeFetchResponse(x, version, fetch);
        x.toBuffers();
      }),
    );
    results.push(measure(`Fetch v${version} response, 100 partitions, decode`, encoded.length, () => decodeFetchResponse(new Reader(encoded), version)));
  }
  {
    const w = new Writer();
    encodeMetadataResponse(w, 12, metadata);
    const encoded = w.toBuffer();
    results.push(
      measure('Metadata v12 response, 1000 partitions, encode', encoded.length, () => {
        const x = new Writer(64 * 1024);
        encodeMetadataResponse(x, 12, metadata);
        x.toBuffers();
      }),
    );
    results.push(measure('Metadata v12 response, 1000 partitions, decode', encoded.length, () => decodeMetadataResponse(new Reader(encoded), 12)));
  }
  results.push(measure('CRC-32C 1 MiB', big.length, () => crc32c(big)));
  results.push(measure('CRC-32C 1 KiB', 1024, () => crc32c(big.subarray(0, 1024))));
  for (const r of results) report(r);
}

/**
 * What a connection leaves behind when its client goes: a long-polling Fetch with maxWaitMs 2^31-1 ms
 * (24 days) must not keep its timer and subscriptions after the connection closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { EmbeddedCluster } from '../../../electron/broker/cluster/cluster';
import { createFetchRequest, createFetchRequestFetchPartition, createFetchRequestFetchTopic, Fetch } from '../../../electron/kafka/protocol/generated/index';
import { encodeRequestFrame } from '../../../electron/kafka/protocol/headers';
import { silentLogger } from '../../../electron/broker/server/logger';
import { RawClient } from '../handlers/raw-client';
import { openSocket } from './broker-process';
import { waitFor } from '../../support/wait';
import { createTopic } from './wire';

let dataDir: string;
let cluster: EmbeddedCluster;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kd-closed-'));
  cluster = await EmbeddedCluster.start({ brokers: 1, basePort: 0, dataDir, logger: silentLogger });
  const raw = await RawClient.open(cluster.bootstrapServers());
  await createTopic(raw, 'quiet');
  raw.close();
});

afterAll(async () => {
  await cluster?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

it('ends the long polls of a connection once it closes', async () => {
  const [host, port] = cluster.bootstrapServers().split(':') as [string, string];
  const request = {
    ...createFetchRequest(),
    maxWaitMs: 2147483647,
    minBytes: 2147483647,
    maxBytes: 1 << 20,
    topics: [
      {
        ...createFetchRequestFetchTopic(),
        topic: 'quiet',
        partitions: [{ ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
      },
    ],
  };
  const frame = Buffer.concat(encodeRequestFrame(Fetch, 11, 1, 'long-poller', request));
  const before = timers();
  const sockets = await Promise.all(Array.from({ length: 100 }, () => openSocket({ host, port: Number(port) })));
  for (const socket of sockets) {
    socket.on('error', () => {});
    socket.write(frame);
  }
  // A timer each, waiting for 24 days (polled: on a loaded machine 100 requests take a while).
  await waitFor(
    () => timers() - before >= 90,
    15_000,
    'a long-poll timer per connection',
    () => `${timers() - before} timers`,
  );
  for (const socket of sockets) socket.destroy();
  await waitFor(
    () => timers() - before < 10,
    15_000,
    'the timers of the closed connections to end',
    () => `${timers() - before} timers left`,
  );
});

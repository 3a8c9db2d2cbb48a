/**
 * `npm run bench -- cluster-ops [--topics N] [--partitions P]`
 *
 * A 3-broker embedded cluster in this process with N topics of P partitions, replication factor 3
 * (default 1,000 x 3: 9,000 replicas). Prints the time to create the topics (100 per request, as a
 * CreateTopics request would), to stop a broker cleanly (leaders move, ISR shrink), to start it again
 * until every ISR is full, and to close the cluster; and what the metadata store wrote for the stop
 * and start: records, bytes per change, and the ratio to rewriting the whole metadata document for
 * every change (what the store did before it kept a log).
 *
 * Goal: a broker restart costs work proportional to what changed, not to the cluster's size: the
 * bytes written per ISR or leader change stay a few hundred whatever N is.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedCluster } from '../electron/broker/cluster/cluster';
import { isFailure } from '../electron/broker/cluster/controller';
import { METADATA_LOG_FILE, MetadataStore } from '../electron/broker/cluster/metadata-store';
import { silentLogger } from '../electron/broker/server/logger';
import { machineNote } from './_broker-harness';

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: { topics: { type: 'string', default: '1000' }, partitions: { type: 'string', default: '3' } },
  });
  const topics = Number(values.topics);
  const partitions = Number(values.partitions);
  console.log(`cluster-ops: 3 brokers, ${topics} topics x ${partitions} partitions, replication factor 3 (${topics * partitions * 3} replicas)`);
  console.log(machineNote());

  // Counts what the controller hands to the store, wherever it goes (log append or new snapshot).
  const written = { records: 0, bytes: 0, appends: 0 };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called back with `this` below
  const append = MetadataStore.prototype.append;
  MetadataStore.prototype.append = function (records, state) {
    written.appends++;
    written.records += records.length;
    written.bytes += records.reduce((n, record) => n + Buffer.byteLength(JSON.stringify(record)) + 1, 0);
    append.call(this, records, state);
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-cluster-ops-'));
  try {
    const cluster = await EmbeddedCluster.start({ brokers: 3, basePort: 0, dataDir, logger: silentLogger });
    let started = performance.now();
    for (let first = 0; first < topics; first += 100) {
      cluster.controller.batch(() => {
        for (let i = first; i < Math.min(topics, first + 100); i++) {
          const topic = cluster.controller.createTopic({ name: `ops-${i}`, partitions, replicationFactor: 3, configs: {} });
          if (isFailure(topic)) throw new Error(topic.message);
        }
      });
    }
    const createMs = performance.now() - started;
    // Let the followers create their replicas and settle.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // The size of the whole document the store used to rewrite for every change.
    const snapshotBytes = Buffer.byteLength(JSON.stringify({ clusterId: cluster.controller.clusterId, topics: [...cluster.controller.topics()] }));

    written.records = written.bytes = written.appends = 0;
    started = performance.now();
    await cluster.stopBroker(2);
    const stopMs = performance.now() - started;
    started = performance.now();
    await cluster.startBroker(2);
    const isrFull = () => [...cluster.controller.topics()].every((t) => t.partitions.every((p) => p.isr.length === 3));
    while (!isrFull()) await new Promise((resolve) => setTimeout(resolve, 50));
    const startMs = performance.now() - started;
    const changes = { ...written };
    const logBytes = statSync(join(dataDir, METADATA_LOG_FILE)).size;

    started = performance.now();
    await cluster.close();
    const closeMs = performance.now() - started;

    const perChange = changes.bytes / Math.max(1, changes.records);
    console.log('');
    console.log(`create ${topics} topics             ${createMs.toFixed(0).padStart(8)} ms   (${((createMs / topics) * 1000).toFixed(0)} us per topic)`);
    console.log(`stop broker 2 (clean)             ${stopMs.toFixed(0).padStart(8)} ms`);
    console.log(`start broker 2 until ISR full     ${startMs.toFixed(0).padStart(8)} ms`);
    console.log(`close the cluster                 ${closeMs.toFixed(0).padStart(8)} ms`);
    console.log('');
    console.log(
      `metadata for the stop and start: ${changes.records} records in ${changes.appends} appends, ${perChange.toFixed(0)} bytes per record (log now ${logBytes} bytes)`,
    );
    console.log(
      `whole metadata document: ${snapshotBytes} bytes; rewriting it per append would write ${((snapshotBytes * changes.appends) / 1e6).toFixed(1)} MB`,
    );
    console.log(`ratio written / whole-document rewrites: ${(changes.bytes / (snapshotBytes * Math.max(1, changes.appends))).toFixed(4)}`);
  } finally {
    MetadataStore.prototype.append = append;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

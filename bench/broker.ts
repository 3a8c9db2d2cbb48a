/**
 * `npm run bench -- broker [--records N] [--records-1k N] [--repeat R] [--partitions P] [--linger MS] [--batch N]`
 *
 * Drives the embedded broker (the `npm run cluster` CLI, one broker, in its own process) with kcat in
 * separate processes: `kcat -P -l` of a file of N lines of 100 bytes (and of 1 KiB) with acks=1, timed
 * from spawn to exit, then `kcat -C -o beginning -e` of the same topic. The same runs go against the sink
 * (bench/_sink-server.ts: the broker's listener, dispatcher and codecs, with Produce and Fetch answered
 * from memory without the storage path), the ceiling of client, network and codec on this machine.
 * Broker and sink runs alternate, R times each, so load from elsewhere hits both alike.
 *
 * Goals (2-core machine): above 1,000,000 records/s of 100 bytes produced (and consumed), and the storage
 * path costing less than half of the sink's ceiling, i.e. the broker's produce rate at least 0.5 of the
 * sink's for both record sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchArgs,
  createTopic,
  deleteTopic,
  fmt1,
  fmt2,
  fmtInt,
  kcatConsume,
  kcatProduce,
  linesFile,
  machineNote,
  median,
  printTable,
  spread,
  startServer,
  type ServerProcess,
} from './_broker-harness';

interface Sample {
  produceRate: number;
  consumeRate: number;
  /** Server CPU microseconds per record, produce and consume. */
  produceCpu: number;
  consumeCpu: number;
  kcatProduceCpu: number;
}

const MIB = 1024 * 1024;

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: benchArgs(),
    options: {
      records: { type: 'string' },
      'records-1k': { type: 'string' },
      repeat: { type: 'string' },
      partitions: { type: 'string' },
      linger: { type: 'string' },
      batch: { type: 'string' },
      sizes: { type: 'string' },
    },
    strict: true,
  });
  const records = Number(values.records ?? 2_000_000);
  const records1k = Number(values['records-1k'] ?? Math.max(1, Math.round(records / 6)));
  const repeat = Number(values.repeat ?? 3);
  const partitions = Number(values.partitions ?? 1);
  const lingerMs = Number(values.linger ?? 5);
  const batchMessages = Number(values.batch ?? 10_000);
  const sizes = (values.sizes ?? '100,1024').split(',').map(Number);

  console.log(
    `broker bench: ${fmtInt(records)} x 100 B and ${fmtInt(records1k)} x 1 KiB records, acks=1, ${partitions} partition(s), ` +
      `linger.ms=${lingerMs}, batch.num.messages=${batchMessages}, ${repeat} run(s) each; ${machineNote()}`,
  );
  const files = new Map(sizes.map((size) => [size, linesFile(size, size === 100 ? records : records1k)]));

  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-broker-'));
  const servers: ServerProcess[] = [];
  try {
    const broker = await startServer('broker', 'electron/broker/cli.ts', [
      '--brokers',
      '1',
      '--port',
      '0',
      '--data-dir',
      join(dataDir, 'broker'),
      '--log-level',
      'warn',
    ]);
    servers.push(broker);
    const sink = await startServer('sink', 'bench/_sink-server.ts', ['--data-dir', join(dataDir, 'sink')]);
    servers.push(sink);

    const samples = new Map<string, Sample[]>();
    for (const size of sizes) {
      const count = size === 100 ? records : records1k;
      const file = files.get(size)!;
      for (let rep = 0; rep < repeat; rep++) {
        for (const server of [broker, sink]) {
          const topic = `bench-${size}-${rep}-${server.label}`;
          await createTopic(server.bootstrap, topic, partitions, 1);
          const cpu0 = server.cpuSeconds();
          const produced = await kcatProduce(server.bootstrap, topic, file, { acks: '1', lingerMs, batchMessages });
          const cpu1 = server.cpuSeconds();
          const consumed = await kcatConsume(server.bootstrap, topic, count);
          const cpu2 = server.cpuSeconds();
          if (consumed.stdoutBytes !== count) throw new Error(`${server.label}: consumed ${consumed.stdoutBytes} records of ${count} from ${topic}`);
          const sample: Sample = {
            produceRate: count / produced.seconds,
            consumeRate: count / consumed.seconds,
            produceCpu: ((cpu1 - cpu0) * 1e6) / count,
            consumeCpu: ((cpu2 - cpu1) * 1e6) / count,
            kcatProduceCpu: (produced.cpuSeconds * 1e6) / count,
          };
          const key = `${size}/${server.label}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.log(
            `  ${size} B ${server.label.padEnd(6)} run ${rep + 1}: produce ${fmtInt(sample.produceRate)} rec/s (${fmt2(produced.seconds)} s), ` +
              `consume ${fmtInt(sample.consumeRate)} rec/s (${fmt2(consumed.seconds)} s), server CPU ${fmt2(sample.produceCpu)} / ${fmt2(sample.consumeCpu)} µs/rec`,
          );
          await deleteTopic(server.bootstrap, topic);
        }
      }
    }

    console.log(`\nResults (median [min-max] of ${repeat}; MiB/s counts record values; CPU = server process CPU per record)`);
    const rows: string[][] = [];
    for (const size of sizes) {
      for (const label of ['broker', 'sink']) {
        const s = samples.get(`${size}/${label}`) ?? [];
        rows.push([
          `${size === 1024 ? '1 KiB' : `${size} B`} ${label}`,
          spread(
            s.map((x) => x.produceRate),
            fmtInt,
          ),
          fmt1((median(s.map((x) => x.produceRate)) * size) / MIB),
          spread(
            s.map((x) => x.produceCpu),
            fmt2,
          ),
          spread(
            s.map((x) => x.consumeRate),
            fmtInt,
          ),
          fmt1((median(s.map((x) => x.consumeRate)) * size) / MIB),
          spread(
            s.map((x) => x.consumeCpu),
            fmt2,
          ),
          fmt2(median(s.map((x) => x.kcatProduceCpu))),
        ]);
      }
    }
    printTable(['records', 'produce rec/s', 'MiB/s', 'CPU µs/rec', 'consume rec/s', 'MiB/s', 'CPU µs/rec', 'kcat -P µs/rec'], rows);

    console.log('\nBroker / sink (per run pairs, median [min-max]; CPU ratio = sink CPU / broker CPU per record)');
    const ratioRows: string[][] = [];
    const verdicts: string[] = [];
    for (const size of sizes) {
      const b = samples.get(`${size}/broker`) ?? [];
      const s = samples.get(`${size}/sink`) ?? [];
      const pairs = b.map((x, i) => [x, s[i]!] as const);
      const produceRatios = pairs.map(([x, y]) => x.produceRate / y.produceRate);
      const consumeRatios = pairs.map(([x, y]) => x.consumeRate / y.consumeRate);
      ratioRows.push([
        size === 1024 ? '1 KiB' : `${size} B`,
        spread(produceRatios, fmt2),
        spread(consumeRatios, fmt2),
        spread(
          pairs.map(([x, y]) => y.produceCpu / x.produceCpu),
          fmt2,
        ),
        spread(
          pairs.map(([x, y]) => y.consumeCpu / x.consumeCpu),
          fmt2,
        ),
      ]);
      const met = median(produceRatios) >= 0.5;
      verdicts.push(
        `${met ? 'MET    ' : 'NOT MET'}  storage path < half the sink's ceiling, ${size === 1024 ? '1 KiB' : `${size} B`}: broker produces at ${fmt2(median(produceRatios))} of the sink's rate (goal >= 0.50)`,
      );
    }
    printTable(['records', 'produce rate ratio', 'consume rate ratio', 'produce CPU ratio', 'consume CPU ratio'], ratioRows);

    const b100 = samples.get('100/broker');
    if (b100) {
      const p = median(b100.map((x) => x.produceRate));
      const c = median(b100.map((x) => x.consumeRate));
      verdicts.unshift(
        `${p >= 1e6 ? 'MET    ' : 'NOT MET'}  100 B records produced (acks=1) above 1,000,000/s: ${fmtInt(p)}/s`,
        `${c >= 1e6 ? 'MET    ' : 'NOT MET'}  100 B records consumed above 1,000,000/s: ${fmtInt(c)}/s`,
      );
    }
    console.log(`\nGoals (${machineNote()}; shared machine: figures vary from run to run)`);
    for (const v of verdicts) console.log(`  ${v}`);
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

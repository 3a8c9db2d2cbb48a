/**
 * `npm run bench -- replication [--records N] [--size B] [--repeat R] [--linger MS] [--batch N]`
 *
 * A 3-broker embedded cluster (the `npm run cluster` CLI, its own process: the three brokers and their
 * in-process replica fetchers share one event loop, as in the app) and kcat producing N records of
 * 100 bytes with acks=1 and acks=all into topics of replication factor 1 and 3 (one partition each, a
 * fresh topic per run). Prints records/s and the cluster process's CPU per record for each pair, in one
 * run, R times, alternating.
 *
 * Goal: acks=all with RF 3 keeps at least half of the RF 1 rate (compared at the same acks=all; the
 * ratio to RF 1 with acks=1 is printed too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchArgs,
  createTopic,
  deleteTopic,
  fmt2,
  fmtInt,
  kcatProduce,
  linesFile,
  machineNote,
  median,
  printTable,
  spread,
  startServer,
  type ServerProcess,
} from './_broker-harness';

interface Case {
  rf: 1 | 3;
  acks: '1' | 'all';
}

const CASES: readonly Case[] = [
  { rf: 1, acks: '1' },
  { rf: 1, acks: 'all' },
  { rf: 3, acks: '1' },
  { rf: 3, acks: 'all' },
];

const caseName = (c: Case) => `RF ${c.rf}, acks=${c.acks}`;

/** Waits until the cluster process is idle (followers done replicating what the last run left behind). */
async function settle(server: ServerProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = server.cpuSeconds();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const now = server.cpuSeconds();
    if (now - before <= 0.02) return;
    before = now;
  }
}

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: benchArgs(),
    options: {
      records: { type: 'string' },
      size: { type: 'string' },
      repeat: { type: 'string' },
      linger: { type: 'string' },
      batch: { type: 'string' },
    },
    strict: true,
  });
  const records = Number(values.records ?? 1_000_000);
  const size = Number(values.size ?? 100);
  const repeat = Number(values.repeat ?? 3);
  const lingerMs = Number(values.linger ?? 5);
  const batchMessages = Number(values.batch ?? 10_000);
  console.log(
    `replication bench: 3 brokers, ${fmtInt(records)} x ${size} B records per run, linger.ms=${lingerMs}, ` +
      `batch.num.messages=${batchMessages}, ${repeat} run(s) per case; ${machineNote()}`,
  );
  const file = linesFile(size, records);

  const dataDir = mkdtempSync(join(tmpdir(), 'kd-bench-replication-'));
  let cluster: ServerProcess | null = null;
  try {
    cluster = await startServer('cluster', 'electron/broker/cli.ts', ['--brokers', '3', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn']);
    const rates = new Map<string, number[]>();
    const cpus = new Map<string, number[]>();
    for (let rep = 0; rep < repeat; rep++) {
      for (const c of CASES) {
        const topic = `bench-rf${c.rf}-acks${c.acks}-${rep}`;
        await createTopic(cluster.bootstrap, topic, 1, c.rf);
        await settle(cluster);
        const cpu0 = cluster.cpuSeconds();
        const produced = await kcatProduce(cluster.bootstrap, topic, file, { acks: c.acks, lingerMs, batchMessages });
        // acks=1 returns before the followers have the records: their work counts too.
        await settle(cluster);
        const cpu = ((cluster.cpuSeconds() - cpu0) * 1e6) / records;
        const rate = records / produced.seconds;
        rates.set(caseName(c), [...(rates.get(caseName(c)) ?? []), rate]);
        cpus.set(caseName(c), [...(cpus.get(caseName(c)) ?? []), cpu]);
        console.log(`  run ${rep + 1} ${caseName(c).padEnd(16)} ${fmtInt(rate)} rec/s (${fmt2(produced.seconds)} s), cluster CPU ${fmt2(cpu)} µs/rec`);
        await deleteTopic(cluster.bootstrap, topic);
      }
    }

    console.log(`\nResults (median [min-max] of ${repeat}; CPU = the cluster process's CPU per record, replication included)`);
    const base = median(rates.get(caseName({ rf: 1, acks: 'all' }))!);
    const base1 = median(rates.get(caseName({ rf: 1, acks: '1' }))!);
    printTable(
      ['case', 'produce rec/s', 'MiB/s', 'CPU µs/rec', 'vs RF 1 same acks'],
      CASES.map((c) => {
        const r = rates.get(caseName(c))!;
        const same = median(rates.get(caseName({ rf: 1, acks: c.acks }))!);
        return [caseName(c), spread(r, fmtInt), fmt2((median(r) * size) / (1024 * 1024)), spread(cpus.get(caseName(c))!, fmt2), fmt2(median(r) / same)];
      }),
    );
    const rf3all = median(rates.get(caseName({ rf: 3, acks: 'all' }))!);
    const ratio = rf3all / base;
    console.log(`\nGoal (${machineNote()}; shared machine: figures vary from run to run)`);
    console.log(
      `  ${ratio >= 0.5 ? 'MET    ' : 'NOT MET'}  acks=all with RF 3 keeps at least half of the RF 1 rate: ${fmt2(ratio)} of RF 1 acks=all ` +
        `(${fmt2(rf3all / base1)} of RF 1 acks=1)`,
    );
  } finally {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

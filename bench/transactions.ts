/**
 * `npm run bench -- transactions [--records N] [--sizes 1,10,100,1000] [--size B] [--repeat R]`
 *
 * What transactions cost on the embedded cluster (issue #18), measured with librdkafka
 * (bench/transactions-client.c, compiled here against Debian's librdkafka-dev), not a Node client: a
 * 3-broker cluster in its own process (the `npm run cluster` CLI), a topic of 3 partitions, RF 3,
 * min.insync.replicas 2. In the same run:
 * - an idempotent producer sends N records (linger.ms=5) — the baseline;
 * - a transactional producer sends the same N records in transactions of 1, 10, 100 and 1,000 records
 *   (begin, produce, commit_transaction per transaction): commits per second, records per second, the
 *   ratio to the idempotent producer, and the time of one transaction (p50/p99);
 * - every topic is then read by kcat with isolation.level=read_committed, which must see all N records
 *   (the commit markers made them visible; nothing lost or left open).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchArgs, fmt1, fmt2, fmtInt, machineNote, median, printTable, startServer, withAdmin, type ServerProcess } from './_broker-harness';
import { compileClient, librdkafkaVersion } from './latency';

/** What bench/transactions-client.c prints. */
interface ClientResult {
  mode: 'txn' | 'idempotent';
  records: number;
  per_txn: number;
  transactions: number;
  delivered: number;
  delivery_errors: number;
  last_error: string;
  seconds: number;
  txn_p50_ms: number;
  txn_p99_ms: number;
}

function runClient(binary: string, args: readonly (string | number)[]): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    execFile(binary, args.map(String), { timeout: 600_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (error || !line.startsWith('{')) reject(new Error(`transactions client failed: ${error?.message ?? ''}\n${stderr}`));
      else resolve(JSON.parse(line) as ClientResult);
    });
  });
}

/** How many records a read_committed consumer (kcat, librdkafka) reads from the topic. */
function committedRecords(bootstrap: string, topic: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '.'],
      { timeout: 300_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`kcat failed: ${stderr}`)) : resolve(stdout.length)),
    );
  });
}

async function createTopic(bootstrap: string, topic: string): Promise<void> {
  await withAdmin(bootstrap, (admin) =>
    admin.createTopics({ topics: [topic], partitions: 3, replicas: 3, configs: [{ name: 'min.insync.replicas', value: '2' }] }),
  );
}

interface Case {
  label: string;
  mode: 'txn' | 'idempotent';
  perTxn: number;
}

interface Measured {
  result: ClientResult;
  committed: number;
  cpuMicrosPerRecord: number;
}

export default async function run(): Promise<void> {
  const { values } = parseArgs({
    args: benchArgs(),
    options: { records: { type: 'string' }, sizes: { type: 'string' }, size: { type: 'string' }, repeat: { type: 'string' } },
    strict: true,
  });
  const records = Number(values.records ?? 100_000);
  const sizes = (values.sizes ?? '1,10,100,1000').split(',').map(Number);
  const size = Number(values.size ?? 100);
  const repeat = Number(values.repeat ?? 1);
  if (!(records > 0) || sizes.some((s) => !(s >= 1)) || !(size >= 16) || !(repeat >= 1)) {
    throw new Error('--records > 0, --sizes of transaction sizes >= 1, --size >= 16, --repeat >= 1');
  }
  // One transaction per record is slow by design (a commit round trip each): cap it so a run stays short.
  const recordsFor = (c: Case) => (c.mode === 'txn' ? Math.min(records, c.perTxn * 2_000) : records);
  const cases: Case[] = [
    { label: 'idempotent', mode: 'idempotent', perTxn: 0 },
    ...sizes.map((perTxn) => ({ label: `txn of ${fmtInt(perTxn)}`, mode: 'txn' as const, perTxn })),
  ];

  const dir = mkdtempSync(join(tmpdir(), 'kd-bench-transactions-'));
  let cluster: ServerProcess | null = null;
  try {
    const client = compileClient(dir, 'transactions-client');
    console.log(
      `transactions bench: 3 brokers in their own process, librdkafka ${librdkafkaVersion()} (bench/transactions-client.c), ` +
        `3 partitions, RF 3, min.insync.replicas 2, ${size} B records, linger.ms=5, ${fmtInt(records)} records per case ` +
        `(at most 2,000 transactions), ${repeat} run(s); ${machineNote()}`,
    );
    cluster = await startServer('cluster', 'electron/broker/cli.ts', ['--brokers', '3', '--port', '0', '--data-dir', join(dir, 'data'), '--log-level', 'warn']);
    const measured = new Map<string, Measured[]>();
    let n = 0;
    for (let rep = 0; rep < repeat; rep++) {
      for (const c of cases) {
        const topic = `bench-txn-${n++}`;
        await createTopic(cluster.bootstrap, topic);
        const cpu0 = cluster.cpuSeconds();
        const result = await runClient(client, [cluster.bootstrap, topic, c.mode, recordsFor(c), Math.max(c.perTxn, 1), size]);
        const cpu = cluster.cpuSeconds() - cpu0;
        const committed = await committedRecords(cluster.bootstrap, topic);
        const m = { result, committed, cpuMicrosPerRecord: (cpu * 1e6) / result.records };
        measured.set(c.label, [...(measured.get(c.label) ?? []), m]);
        console.log(
          `  ${c.label.padEnd(12)} ${fmtInt(result.records)} records in ${fmt2(result.seconds)} s: ${fmtInt(result.records / result.seconds)} rec/s` +
            (c.mode === 'txn'
              ? `, ${fmt1(result.transactions / result.seconds)} commits/s, one transaction p50 ${fmt2(result.txn_p50_ms)} ms p99 ${fmt2(result.txn_p99_ms)} ms`
              : '') +
            `; read_committed sees ${fmtInt(committed)}` +
            (result.delivery_errors > 0 ? `; ${result.delivery_errors} delivery errors (${result.last_error})` : ''),
        );
      }
    }

    const recordsPerSecond = (ms: Measured[]) => median(ms.map((m) => m.result.records / m.result.seconds));
    const baseline = recordsPerSecond(measured.get('idempotent')!);
    console.log(`\nTransactions vs an idempotent producer (median of ${repeat} run(s); same cluster, same run)`);
    printTable(
      ['producer', 'records', 'rec/s', 'vs idempotent', 'commits/s', 'txn p50 ms', 'txn p99 ms', 'CPU µs/rec', 'read_committed sees'],
      cases.map((c) => {
        const ms = measured.get(c.label)!;
        const r = ms[0]!.result;
        return [
          c.label,
          fmtInt(r.records),
          fmtInt(recordsPerSecond(ms)),
          fmt2(recordsPerSecond(ms) / baseline),
          c.mode === 'txn' ? fmt1(median(ms.map((m) => m.result.transactions / m.result.seconds))) : '-',
          c.mode === 'txn' ? fmt2(median(ms.map((m) => m.result.txn_p50_ms))) : '-',
          c.mode === 'txn' ? fmt2(median(ms.map((m) => m.result.txn_p99_ms))) : '-',
          fmt1(median(ms.map((m) => m.cpuMicrosPerRecord))),
          ms.every((m) => m.committed === m.result.records && m.result.delivery_errors === 0) ? 'all' : ms.map((m) => fmtInt(m.committed)).join(', '),
        ];
      }),
    );
    const incomplete = [...measured.values()].flat().filter((m) => m.committed !== m.result.records || m.result.delivery_errors > 0);
    if (incomplete.length > 0) {
      process.exitCode = 1;
      console.log(`\n${incomplete.length} case(s) where read_committed did not see every record sent: see above.`);
    }
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

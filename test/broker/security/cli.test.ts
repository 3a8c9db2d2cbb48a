/**
 * `npm run cluster` secured, as the README shows it: SASL_SSL with users and the authorizer on three
 * brokers (replication between them goes on behind the secured listeners), and SSL with client
 * certificates required (`--config ssl.client.auth=required`, principals from the certificate's DN,
 * certificates issued by the `client-cert` command). Clients are kcat.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../../support/ports';
import { spawnChild, stopChild } from '../../support/processes';
import { runKcat } from './helpers';

const root = resolve(__dirname, '../../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** A CLI run: its stdout lines, waited for by pattern. */
class CliRun {
  private buffer = '';
  readonly lines: string[] = [];
  readonly child: ChildProcessWithoutNullStreams;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'kd-cli-secured-'));

  constructor(args: string[]) {
    this.child = spawnChild(tsx, ['electron/broker/cli.ts', '--data-dir', this.dataDir, '--log-level', 'warn', ...args], { cwd: root });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
      }
    });
  }

  async next(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${this.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  value(line: string): string {
    return line.slice(line.indexOf('=') + 1);
  }

  async stop(): Promise<void> {
    // The whole process group: a kill of tsx alone left the cluster it runs going.
    await stopChild(this.child);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const runs: CliRun[] = [];
afterAll(async () => {
  await Promise.all(runs.map((run) => run.stop()));
});

describe('npm run cluster, secured', () => {
  it('--security-protocol SASL_SSL --user ... --acl: ssl.ca.location printed, the first user is a super user, others need ACLs', async () => {
    const port = await freePortRange(3);
    const cli = new CliRun([
      '--brokers',
      '3',
      '--port',
      String(port),
      '--security-protocol',
      'SASL_SSL',
      '--user',
      'admin:admin-secret',
      '--user',
      'alice:alice-secret',
      '--acl',
    ]);
    runs.push(cli);
    const bootstrap = cli.value(await cli.next(/^bootstrap\.servers=/));
    const ca = cli.value(await cli.next(/^ssl\.ca\.location=/));
    expect(ca).toBe(join(cli.dataDir, 'tls', 'ca.pem'));
    expect(cli.lines).toContain('security.protocol=SASL_SSL');
    const as = (user: string, mechanism: string) => [
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      `ssl.ca.location=${ca}`,
      '-X',
      `sasl.mechanisms=${mechanism}`,
      '-X',
      `sasl.username=${user}`,
      '-X',
      `sasl.password=${user}-secret`,
    ];

    // acks=all on a topic replicated to all three brokers: the followers fetch behind the secured listeners.
    // (auto-created with default.replication.factor, 3 here)
    const produced = await runKcat(bootstrap, [...as('admin', 'SCRAM-SHA-512'), '-P', '-t', 'secured-orders', '-X', 'acks=all'], {
      input: 'a\nb\n',
      timeoutMs: 60_000,
    });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const listing = JSON.parse((await runKcat(bootstrap, [...as('admin', 'PLAIN'), '-L', '-J'], { timeoutMs: 30_000 })).stdout) as {
      brokers: unknown[];
      topics: Array<{ topic: string; partitions: Array<{ isrs: unknown[] }> }>;
    };
    expect(listing.brokers).toHaveLength(3);
    const orders = listing.topics.find((t) => t.topic === 'secured-orders');
    expect(orders?.partitions[0]?.isrs).toHaveLength(3);

    const refused = await runKcat(bootstrap, [...as('alice', 'SCRAM-SHA-256'), '-C', '-t', 'secured-orders', '-e', '-m', '10'], { timeoutMs: 30_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authorization failed/i);
  }, 120_000);

  it('--security-protocol SSL --config ssl.client.auth=required: client certificates from client-cert, principals from their DN', async () => {
    const port = await freePortRange(1);
    const cli = new CliRun([
      '--brokers',
      '1',
      '--port',
      String(port),
      '--security-protocol',
      'SSL',
      '--config',
      'ssl.client.auth=required',
      '--config',
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      '--config',
      'super.users=User:CN=ops,O=Kafka Desk',
    ]);
    runs.push(cli);
    const bootstrap = cli.value(await cli.next(/^bootstrap\.servers=/));
    const ca = cli.value(await cli.next(/^ssl\.ca\.location=/));
    cli.child.stdin.write('client-cert ops\n');
    const issued = await cli.next(/^ok: ssl\.certificate\.location=/);
    expect(issued).toContain('principal=User:CN=ops,O=Kafka Desk');
    const certificate = /ssl\.certificate\.location=(\S+)/.exec(issued)![1]!;
    const key = /ssl\.key\.location=(\S+)/.exec(issued)![1]!;
    cli.child.stdin.write('client-cert eve\n');
    const eve = await cli.next(/^ok: .*principal=User:CN=eve/);
    const tls = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${ca}`];

    const ops = await runKcat(bootstrap, [...tls, '-X', `ssl.certificate.location=${certificate}`, '-X', `ssl.key.location=${key}`, '-P', '-t', 'mtls'], {
      input: 'x\n',
      timeoutMs: 30_000,
    });
    expect(ops.code).toBe(0);
    const eveCert = /ssl\.certificate\.location=(\S+)/.exec(eve)![1]!;
    const eveKey = /ssl\.key\.location=(\S+)/.exec(eve)![1]!;
    const eveRun = await runKcat(bootstrap, [...tls, '-X', `ssl.certificate.location=${eveCert}`, '-X', `ssl.key.location=${eveKey}`, '-P', '-t', 'mtls'], {
      input: 'y\n',
      timeoutMs: 30_000,
    });
    expect(eveRun.stderr).toMatch(/authorization failed/i);
    const anonymous = await runKcat(bootstrap, [...tls, '-L', '-m', '3'], { timeoutMs: 30_000 });
    expect(anonymous.code).not.toBe(0);
  }, 120_000);
});

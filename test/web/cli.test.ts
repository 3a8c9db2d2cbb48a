// `npm run web`'s command line (electron/web/cli.ts): arguments it cannot use stop it before anything
// starts, with exit code 2 and a message naming the argument and what it accepts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnChild, stopChild } from '../support/processes';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
// A stand-in renderer: the CLI checks index.html exists before it reads the other arguments' values.
const renderer = mkdtempSync(join(tmpdir(), 'kd-web-cli-renderer-'));
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>stand-in</title>');
const scratch = mkdtempSync(join(tmpdir(), 'kd-web-cli-data-'));

afterAll(() => {
  rmSync(renderer, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

async function runWeb(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawnChild(tsx, ['electron/web/cli.ts', '--renderer', renderer, ...args], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => void stopChild(child, 0), 60_000);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  clearTimeout(timer);
  return { code, stderr };
}

describe('npm run web refuses arguments it cannot use', { timeout: 90_000 }, () => {
  it.each([
    [['--kafka-version', '0.10'], /--kafka-version must be a Kafka release from 0\.11 to 4\.1 .*got "0\.10"/],
    [['--kafka-version', 'latest'], /--kafka-version must be a Kafka release .*got "latest"/],
    [['--metadata-mode', 'kraft'], /--metadata-mode needs --kafka-version/],
    [['--kafka-version', '3.9', '--metadata-mode', 'raft'], /--metadata-mode must be zookeeper or kraft, got "raft"/],
    [
      ['--kafka-version', '2.8', '--metadata-mode', 'kraft'],
      /--metadata-mode: Kafka 2\.8 cannot run KRaft brokers here: KRaft became production-ready in 3\.3/,
    ],
    [['--kafka-version', '4.0', '--metadata-mode', 'zookeeper'], /--metadata-mode: Kafka 4\.0 has no ZooKeeper mode/],
    [['--brokers', 'three'], /--brokers/],
    [['--security-protocol', 'TLS'], /--security-protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"/],
    [['--security-protocol', 'SASL_SSL'], /--user: SASL needs a user/],
    [['--security-protocol', 'SSL', '--acl'], /--acl: ACLs need SASL/],
    [['--security-protocol', 'SASL_SSL', '--user', 'admin'], /--user takes name:password, got "admin"/],
    [['--security-protocol', 'SASL_SSL', '--user', 'a b:secret'], /--user: A user name is 1 to 64 letters/],
    [['--security-protocol', 'SASL_SSL', '--user', 'admin:x', '--user', 'admin:y'], /--user: admin is listed twice/],
  ])('%j: exit code 2, a message naming it, no data directory made', async (args, message) => {
    const dataDir = join(scratch, args.join('-'));
    const { code, stderr } = await runWeb([...args, '--data-dir', dataDir]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(existsSync(dataDir)).toBe(false);
  });
});

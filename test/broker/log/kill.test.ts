import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { collectingLogger, offsetsOf, removeDir, tempDir } from './helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const here = path.dirname(fileURLToPath(import.meta.url));

describe('kill -9', () => {
  it('loses no acknowledged append when the process is killed mid-write', async () => {
    const root = tempDir();
    dirs.push(root);
    const dir = path.join(root, 't-0');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'append-child.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: path.resolve(here, '../../..'),
    });
    let out = '';
    const { acked, signal } = await new Promise<{ acked: number; signal: string | null }>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.split('\n').length > 3000 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', (_code, sig) => {
        const lines = out.split('\n').filter((l) => /^\d+$/.test(l));
        resolve({ acked: Number(lines.at(-1) ?? -1), signal: sig });
      });
      child.on('error', reject);
    });
    expect(signal).toBe('SIGKILL');
    expect(acked).toBeGreaterThan(10_000);
    const logger = collectingLogger();
    const log = await PartitionLog.open(dir, defaultLogConfig({ segmentBytes: 256 * 1024, indexIntervalBytes: 1024 }), { logger });
    try {
      expect(log.logEndOffset).toBeGreaterThan(acked);
      expect(log.segmentCount).toBeGreaterThan(2);
      let next = 0;
      while (next <= acked) {
        const r = log.read(next, 1 << 20);
        const offsets = offsetsOf(r.records); // decoding checks every CRC
        expect(offsets[0]).toBe(next);
        next = r.lastOffset + 1;
      }
    } finally {
      log.abandon();
    }
  }, 60_000);
});

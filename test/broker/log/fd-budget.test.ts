import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLogConfig } from '../../../electron/broker/log/log-config';
import { PartitionLog } from '../../../electron/broker/log/partition-log';
import { setActiveSegmentFdLimit } from '../../../electron/broker/log/segment';
import { encodeRecordBatch } from '../../../electron/kafka/records/record-batch';

const dir = mkdtempSync(join(tmpdir(), 'kd-fds-'));
afterAll(() => {
  setActiveSegmentFdLimit(4096);
  rmSync(dir, { recursive: true, force: true });
});

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('segment file descriptors', () => {
  it('keep far fewer files open than partitions, and every partition still reads and writes', () => {
    setActiveSegmentFdLimit(16);
    const before = openFds();
    const logs: PartitionLog[] = [];
    for (let p = 0; p < 200; p++) {
      const log = PartitionLog.openSync(join(dir, `t-${p}`), defaultLogConfig(), { logger: { warn: () => {} } });
      log.append(encodeRecordBatch({ records: [{ value: Buffer.from(`first ${p}`) }] }), { assignOffsets: true, leaderEpoch: 0 });
      logs.push(log);
    }
    // 200 partitions with an active segment each, at most 16 files held (plus a little slack).
    expect(openFds() - before).toBeLessThanOrEqual(24);
    for (let p = 0; p < 200; p++) {
      logs[p]!.append(encodeRecordBatch({ records: [{ value: Buffer.from(`second ${p}`) }] }), { assignOffsets: true, leaderEpoch: 0 });
      logs[p]!.flush();
    }
    for (let p = 0; p < 200; p++) {
      const { records, lastOffset } = logs[p]!.read(0, 1 << 20);
      expect(lastOffset).toBe(1);
      expect(records.includes(Buffer.from(`second ${p}`))).toBe(true);
    }
    expect(openFds() - before).toBeLessThanOrEqual(24);
    for (const log of logs) log.abandon();
    // Reopened from disk: nothing written through a released and reopened file was lost.
    for (let p = 0; p < 200; p += 37) {
      const log = PartitionLog.openSync(join(dir, `t-${p}`), defaultLogConfig(), { logger: { warn: () => {} } });
      expect(log.logEndOffset).toBe(2);
      log.abandon();
    }
  });
});

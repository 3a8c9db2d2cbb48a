import * as fs from 'node:fs';

/**
 * Small text checkpoint files, written atomically (temp file + rename, optionally fsynced) so a crash
 * leaves either the old or the new content. Formats (Kafka-style, one value per line):
 *
 *   log-start-offset-checkpoint, recovery-point-offset-checkpoint, replication-offset-checkpoint:
 *     0            version
 *     <offset>
 *
 *   leader-epoch-checkpoint (same as Kafka's):
 *     0            version
 *     <n>          entry count
 *     <epoch> <startOffset>     n lines
 */
export function writeFileAtomic(path: string, content: string | Buffer, sync = false): void {
  const tmp = `${path}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (error) {
    // A full disk: no half-written temporary file is left behind; the old file (if any) stands.
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

export function writeOffsetCheckpoint(path: string, offset: number, sync = false): void {
  writeFileAtomic(path, `0\n${offset}\n`, sync);
}

/** Returns the offset, or null when the file is missing or malformed. */
export function readOffsetCheckpoint(path: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '0') return null;
  const v = Number(lines[1]?.trim());
  return Number.isSafeInteger(v) ? v : null;
}

export function writeEpochCheckpoint(path: string, entries: ReadonlyArray<{ epoch: number; startOffset: number }>, sync = false): void {
  writeFileAtomic(path, `0\n${entries.length}\n${entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('')}`, sync);
}

export function readEpochCheckpoint(path: string): Array<{ epoch: number; startOffset: number }> | null {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '0') return null;
  const n = Number(lines[1]);
  if (!Number.isSafeInteger(n) || n < 0) return null;
  const out: Array<{ epoch: number; startOffset: number }> = [];
  for (let i = 0; i < n; i++) {
    const [e, o] = (lines[2 + i] ?? '').trim().split(/\s+/).map(Number);
    if (!Number.isSafeInteger(e) || !Number.isSafeInteger(o)) return null;
    out.push({ epoch: e!, startOffset: o! });
  }
  return out;
}

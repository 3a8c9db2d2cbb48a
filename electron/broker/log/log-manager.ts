import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { type ConfigError, type LogConfig, parseLogConfig } from './log-config';
import { PartitionLog, readPartitionMetadata, writePartitionMetadata } from './partition-log';
import type { LogLogger } from './segment';
import type { CompactionResult } from './compaction';

/**
 * One broker's partition logs under its log dir: `<logDir>/<topic>-<partition>/` (see partition-log.ts for
 * what is inside). Opens every partition found on disk at start, creates and deletes logs on request, runs
 * retention + compaction every log.retention.check.interval.ms, checkpoints high watermarks every
 * replica.high.watermark.checkpoint.interval.ms and applies flush.ms, and reports sizes (DescribeLogDirs).
 *
 * Topic metadata (ids, partition counts, configs) is owned by the cluster layer. A partition directory only
 * records its topic id (partition.metadata) so a restarted broker can match directories to topics; configs
 * of logs found on disk come from `options.topicConfig(topic)` and can be changed with updateTopicConfig().
 * A deleted partition's directory is renamed `<topic>-<partition>.<uuid>-delete` and removed in the
 * background (leftovers are removed at the next start).
 */

export interface LogManagerOptions {
  now?: () => number;
  logger?: LogLogger;
  /** Broker-level defaults for topic configs, keyed by topic config names ('retention.ms', ...). */
  brokerDefaults?: Record<string, string>;
  /** Topic-level overrides for a topic found on disk at start. */
  topicConfig?: (topic: string) => Record<string, string> | undefined;
  /** log.retention.check.interval.ms (default 300000). */
  retentionCheckIntervalMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms (default 5000). */
  highWatermarkCheckpointIntervalMs?: number;
  /** How often flush.ms is checked (default 1000). */
  flushCheckIntervalMs?: number;
  /** Per-partition tail cache (see PartitionLogOptions). */
  tailCacheBytes?: number;
  /** Open every partition directory at start (default true); false: logs open on first getOrCreate. */
  loadAll?: boolean;
}

export interface PartitionDir {
  topic: string;
  partition: number;
  dir: string;
  /** From partition.metadata, or null. */
  topicId: string | null;
}

export interface PartitionLogSize {
  topic: string;
  partition: number;
  size: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

const DIR_PATTERN = /^(.+)-(\d+)$/;

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The partition directories under `logDir` (what is on disk, without opening anything). */
export function listPartitionDirs(logDir: string): PartitionDir[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(logDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: PartitionDir[] = [];
  for (const entry of names) {
    if (!entry.isDirectory()) continue;
    const m = DIR_PATTERN.exec(entry.name);
    if (!m || entry.name.endsWith('-delete')) continue;
    const dir = path.join(logDir, entry.name);
    out.push({ topic: m[1]!, partition: Number(m[2]), dir, topicId: readPartitionMetadata(dir)?.topicId ?? null });
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * `<logDir>/replica-markers/<topic>-<partition>`: one small file per partition log this dir holds, kept
 * outside the partition's own directory, so a directory that vanished while the broker was down (deleted,
 * a lost mount, a restored backup without it) is told from one that never existed. Empty while the log is
 * whole; `lost` from the start that recreated the log until the replica has caught up with a leader again.
 */
const MARKERS_DIR = 'replica-markers';
const LOST = 'lost';

export class LogManager {
  readonly #logs = new Map<string, { topic: string; partition: number; log: PartitionLog }>();
  /** Partition dir name -> its marker's content ('' or 'lost'), see MARKERS_DIR. */
  readonly #markers = new Map<string, string>();
  /**
   * The log dir was missing or empty at open: it was created now, or replaced while the broker was down.
   * Replicas the broker held before then lost their logs with it (see lostLog).
   */
  #replacedDir = false;
  #markerWriteFailed = false;
  readonly #failed = new Map<string, { topic: string; partition: number; error: string }>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #now: () => number;
  readonly #logger: LogLogger;
  #closed = false;
  readonly #options: LogManagerOptions;

  private constructor(
    readonly logDir: string,
    options: LogManagerOptions,
  ) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? { warn: (m) => console.warn(`[log-manager] ${m}`) };
  }

  /** Opens (and recovers) every partition log under `logDir`, creating the directory if needed. */
  static async open(logDir: string, options: LogManagerOptions = {}): Promise<LogManager> {
    await fs.promises.mkdir(logDir, { recursive: true });
    const manager = new LogManager(logDir, options);
    const entries = await fs.promises.readdir(logDir);
    manager.#replacedDir = entries.length === 0;
    for (const entry of entries) {
      if (entry.endsWith('-delete')) await fs.promises.rm(path.join(logDir, entry), { recursive: true, force: true });
    }
    manager.#loadMarkers();
    for (const p of options.loadAll === false ? [] : listPartitionDirs(logDir)) {
      const config = manager.#configFor(p.topic, options.topicConfig?.(p.topic) ?? {});
      try {
        const log = await PartitionLog.open(p.dir, config, manager.#logOptions());
        manager.#logs.set(key(p.topic, p.partition), { topic: p.topic, partition: p.partition, log });
        // Logs written before markers existed get theirs now.
        if (!manager.#markers.has(partitionDirName(p.topic, p.partition))) manager.#writeMarker(partitionDirName(p.topic, p.partition), '');
      } catch (e) {
        // One unreadable partition must not keep the broker down; it is reported and left on disk.
        manager.#failed.set(key(p.topic, p.partition), { topic: p.topic, partition: p.partition, error: (e as Error).message });
        manager.#logger.warn(`cannot open ${p.dir}: ${(e as Error).message}`);
      }
    }
    return manager;
  }

  #logOptions() {
    return {
      now: this.#now,
      logger: this.#logger,
      ...(this.#options.tailCacheBytes !== undefined ? { tailCacheBytes: this.#options.tailCacheBytes } : {}),
    };
  }

  /** Parses overrides over the broker defaults; invalid values fall back to defaults with a warning. */
  #configFor(topic: string, overrides: Record<string, string>): LogConfig {
    const r = parseLogConfig(overrides, this.#options.brokerDefaults ?? {});
    if (r.ok) return r.config;
    this.#logger.warn(`topic ${topic}: invalid configs ignored: ${r.errors.map((e) => e.message).join('; ')}`);
    const valid: Record<string, string> = {};
    const bad = new Set(r.errors.map((e) => e.key));
    for (const [k, v] of Object.entries(overrides)) if (!bad.has(k)) valid[k] = v;
    const fallback = parseLogConfig(valid, this.#options.brokerDefaults ?? {});
    if (fallback.ok) return fallback.config;
    const plain = parseLogConfig();
    if (!plain.ok) throw new Error('default topic configs are invalid');
    return plain.config;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.#logs.get(key(topic, partition))?.log;
  }

  #loadMarkers(): void {
    const dir = path.join(this.logDir, MARKERS_DIR);
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const name of fs.readdirSync(dir)) {
        if (name.endsWith('.tmp')) continue;
        this.#markers.set(name, fs.readFileSync(path.join(dir, name), 'utf8').trim());
      }
    } catch (e) {
      // Without markers a vanished directory is not recognised, nothing else changes.
      this.#logger.warn(`cannot read ${dir}: ${(e as Error).message}`);
    }
  }

  #writeMarker(name: string, content: string): void {
    const file = path.join(this.logDir, MARKERS_DIR, name);
    try {
      try {
        fs.writeFileSync(`${file}.tmp`, content);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(`${file}.tmp`, content);
      }
      fs.renameSync(`${file}.tmp`, file);
      this.#markers.set(name, content);
      this.#markerWriteFailed = false;
    } catch (e) {
      // Once per run of failures (a full disk fails every partition created meanwhile), not per partition.
      if (!this.#markerWriteFailed) this.#logger.warn(`cannot write ${file}: ${(e as Error).message}`);
      this.#markerWriteFailed = true;
    }
  }

  #removeMarker(name: string): void {
    this.#markers.delete(name);
    try {
      fs.rmSync(path.join(this.logDir, MARKERS_DIR, name), { force: true });
    } catch (e) {
      this.#logger.warn(`cannot remove the marker of ${name}: ${(e as Error).message}`);
    }
  }

  /**
   * Whether this broker lost the log of a replica it held: its directory vanished while the broker was
   * down (its marker is still here, or the whole log dir was replaced and the replica was assigned to
   * this broker before this start: `assignedBefore`), and it has not caught up with a leader since.
   * Such a replica may have acknowledged records it no longer has and knows nothing of it: the cluster
   * must not count it in sync nor let it lead while another in-sync replica has them (election.ts).
   */
  lostLog(topic: string, partition: number, assignedBefore: boolean): boolean {
    const name = partitionDirName(topic, partition);
    const marker = this.#markers.get(name);
    if (marker === LOST) return true;
    if (this.#logs.has(key(topic, partition)) || fs.existsSync(this.dirOf(topic, partition))) return false;
    return marker !== undefined || (this.#replacedDir && assignedBefore);
  }

  /** The replica whose log was lost has caught up with a leader (or leads): its log is whole again. */
  logRecovered(topic: string, partition: number): void {
    const name = partitionDirName(topic, partition);
    if (this.#markers.get(name) === LOST) {
      this.#writeMarker(name, '');
      this.#logger.warn(`${topic}-${partition}: the replica whose log was lost has caught up`);
    }
  }

  /** Every open log. */
  all(): PartitionLog[] {
    return [...this.#logs.values()].map((e) => e.log);
  }

  /** Every open log with its topic and partition. */
  entries(): Array<{ topic: string; partition: number; log: PartitionLog }> {
    return [...this.#logs.values()];
  }

  dirOf(topic: string, partition: number): string {
    return path.join(this.logDir, partitionDirName(topic, partition));
  }

  /**
   * Synchronous getOrCreate for callers inside a request (the broker opens logs on first use): the open
   * log with `config` applied, or the log opened (recovered) or created now.
   */
  getOrCreateLog(topic: string, partition: number, config: LogConfig, topicId?: string, assignedBefore = false): PartitionLog {
    const existing = this.get(topic, partition);
    if (existing) {
      existing.updateConfig(config);
      if (topicId !== undefined && readPartitionMetadata(existing.dir)?.topicId !== topicId) writePartitionMetadata(existing.dir, topicId);
      return existing;
    }
    const name = partitionDirName(topic, partition);
    const creating = !fs.existsSync(this.dirOf(topic, partition));
    const lost = creating && this.lostLog(topic, partition, assignedBefore);
    const log = PartitionLog.openSync(this.dirOf(topic, partition), config, { ...this.#logOptions(), ...(topicId !== undefined ? { topicId } : {}) });
    this.#failed.delete(key(topic, partition));
    this.#logs.set(key(topic, partition), { topic, partition, log });
    if (lost) {
      this.#logger.warn(
        `${this.dirOf(topic, partition)} vanished while the broker was down: its log is recreated empty and counts as lost until it has caught up`,
      );
      this.#writeMarker(name, LOST);
    } else if (!this.#markers.has(name)) {
      this.#writeMarker(name, '');
    }
    return log;
  }

  /**
   * The log of topic-partition, created if absent. `config` (typed) wins over `overrides` (strings over the
   * broker defaults). `topicId` is recorded in partition.metadata.
   */
  async getOrCreate(
    topic: string,
    partition: number,
    opts: { config?: LogConfig; overrides?: Record<string, string>; topicId?: string } = {},
  ): Promise<PartitionLog> {
    const existing = this.get(topic, partition);
    if (existing) {
      if (opts.topicId !== undefined && readPartitionMetadata(existing.dir)?.topicId !== opts.topicId) {
        writePartitionMetadata(existing.dir, opts.topicId);
      }
      return existing;
    }
    const config = opts.config ?? this.#configFor(topic, opts.overrides ?? {});
    const dir = path.join(this.logDir, partitionDirName(topic, partition));
    const log = await PartitionLog.open(dir, config, { ...this.#logOptions(), ...(opts.topicId !== undefined ? { topicId: opts.topicId } : {}) });
    this.#failed.delete(key(topic, partition));
    this.#logs.set(key(topic, partition), { topic, partition, log });
    if (!this.#markers.has(partitionDirName(topic, partition))) this.#writeMarker(partitionDirName(topic, partition), '');
    return log;
  }

  /** Closes the log and removes its directory (renamed to `*-delete` first, so a crash cannot revive it). */
  async delete(topic: string, partition: number): Promise<void> {
    const doomed = this.#detach(topic, partition);
    if (doomed) await fs.promises.rm(doomed, { recursive: true, force: true });
  }

  /** Synchronous delete. */
  deleteLog(topic: string, partition: number): void {
    const doomed = this.#detach(topic, partition);
    if (doomed) fs.rmSync(doomed, { recursive: true, force: true });
  }

  #detach(topic: string, partition: number): string | null {
    const k = key(topic, partition);
    this.#failed.delete(k);
    const entry = this.#logs.get(k);
    this.#logs.delete(k);
    if (entry) entry.log.abandon();
    this.#removeMarker(partitionDirName(topic, partition));
    const doomed = path.join(this.logDir, `${partitionDirName(topic, partition)}.${randomUUID().replace(/-/g, '')}-delete`);
    try {
      fs.renameSync(this.dirOf(topic, partition), doomed);
      return doomed;
    } catch {
      return null; // nothing on disk
    }
  }

  async deleteTopic(topic: string): Promise<void> {
    const partitions = new Set<number>();
    for (const e of this.#logs.values()) if (e.topic === topic) partitions.add(e.partition);
    for (const p of listPartitionDirs(this.logDir)) if (p.topic === topic) partitions.add(p.partition);
    for (const p of partitions) await this.delete(topic, p);
  }

  /** Applies new topic-level overrides to every open partition of `topic`. Returns the validation errors (nothing applied if any). */
  updateTopicConfig(topic: string, overrides: Record<string, string>): ConfigError[] {
    const r = parseLogConfig(overrides, this.#options.brokerDefaults ?? {});
    if (!r.ok) return r.errors;
    for (const e of this.#logs.values()) if (e.topic === topic) e.log.updateConfig(r.config);
    return [];
  }

  /** What is on disk under the log dir (DescribeLogDirs, matching directories to topic ids). */
  listOnDisk(): PartitionDir[] {
    return listPartitionDirs(this.logDir);
  }

  /** Alias of listOnDisk(). */
  onDisk(): PartitionDir[] {
    return listPartitionDirs(this.logDir);
  }

  sizes(): PartitionLogSize[] {
    return this.entries().map(({ topic, partition, log }) => ({
      topic,
      partition,
      size: log.size(),
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      highWatermark: log.highWatermark,
    }));
  }

  /** Partitions whose directory could not be opened at start (KAFKA_STORAGE_ERROR for them). */
  failedPartitions(): Array<{ topic: string; partition: number; error: string }> {
    return [...this.#failed.values()];
  }

  /** Size and free space of the volume holding the log dir (DescribeLogDirs v4 TotalBytes/UsableBytes); -1 when unknown. */
  diskUsage(): { totalBytes: number; usableBytes: number } {
    try {
      const s = fs.statfsSync(this.logDir);
      return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
    } catch {
      return { totalBytes: -1, usableBytes: -1 };
    }
  }

  totalSize(): number {
    let n = 0;
    for (const e of this.#logs.values()) n += e.log.size();
    return n;
  }

  /** Retention for every log (delete policy) and removal of segments below each log start offset. */
  runRetention(now = this.#now()): number {
    let deleted = 0;
    for (const { log, topic, partition } of this.#logs.values()) {
      if (log.isClosed) continue;
      try {
        deleted += log.applyRetention(now).deletedSegments;
      } catch (e) {
        this.#logger.warn(`retention of ${topic}-${partition} failed: ${(e as Error).message}`);
      }
    }
    return deleted;
  }

  /** Compaction for every log whose cleanup.policy includes compact. */
  runCompaction(now = this.#now()): Array<{ topic: string; partition: number; result: CompactionResult }> {
    const out: Array<{ topic: string; partition: number; result: CompactionResult }> = [];
    for (const { log, topic, partition } of this.#logs.values()) {
      if (log.isClosed || !log.config.cleanupPolicy.includes('compact')) continue;
      try {
        out.push({ topic, partition, result: log.compact(now) });
      } catch (e) {
        this.#logger.warn(`compaction of ${topic}-${partition} failed: ${(e as Error).message}`);
      }
    }
    return out;
  }

  checkpointHighWatermarks(): void {
    for (const { log } of this.#logs.values()) {
      try {
        log.checkpointHighWatermark();
      } catch (e) {
        this.#logger.warn(`high watermark checkpoint of ${log.dir} failed: ${(e as Error).message}`);
      }
    }
  }

  flushDue(now = this.#now()): void {
    for (const { log } of this.#logs.values()) {
      try {
        log.flushIfDue(now);
      } catch (e) {
        this.#logger.warn(`flush of ${log.dir} failed: ${(e as Error).message}`);
      }
    }
  }

  /** Starts the background timers (unref'd: they never keep the process alive). */
  start(): void {
    if (this.#timers.length > 0 || this.#closed) return;
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.#options.retentionCheckIntervalMs ?? 300_000, () => {
      this.runRetention();
      this.runCompaction();
    });
    every(this.#options.highWatermarkCheckpointIntervalMs ?? 5_000, () => this.checkpointHighWatermarks());
    every(this.#options.flushCheckIntervalMs ?? 1_000, () => this.flushDue());
  }

  /** Releases every log without a clean shutdown, as a crash would leave them (the next open recovers). */
  abandon(): void {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers.length = 0;
    for (const { log } of this.#logs.values()) log.abandon();
    this.#logs.clear();
  }

  /** Stops the timers and closes every log cleanly. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers.length = 0;
    for (const { log, topic, partition } of this.#logs.values()) {
      try {
        await log.close();
      } catch (e) {
        this.#logger.warn(`close of ${topic}-${partition} failed: ${(e as Error).message}`);
      }
    }
  }
}

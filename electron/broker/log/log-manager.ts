import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LogConfig } from './log-config';
import { PartitionLog, readPartitionMetadata } from './partition-log';
import type { LogLogger } from './segment';

/** A partition directory found in a log dir: `<topic>-<partition>`. */
export interface PartitionDir {
  topic: string;
  partition: number;
  dir: string;
  topicId: string | null;
}

const PARTITION_DIR = /^(.+)-(\d+)$/;

/**
 * One broker's log dir: every partition log it hosts, under `<logDir>/<topic>-<partition>/` as Kafka
 * lays them out. It opens and creates logs, deletes them, and closes them all at shutdown. Which
 * partitions a broker should host is the controller's business, not this class's.
 */
export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();

  private constructor(
    readonly logDir: string,
    private readonly options: { logger?: LogLogger; now?: () => number },
  ) {}

  static async open(logDir: string, options: { logger?: LogLogger; now?: () => number } = {}): Promise<LogManager> {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(logDir, { recursive: true });
    return new LogManager(logDir, options);
  }

  private static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  /** The partition directories present on disk (open or not). */
  onDisk(): PartitionDir[] {
    const found: PartitionDir[] = [];
    for (const name of readdirSync(this.logDir)) {
      const match = PARTITION_DIR.exec(name);
      const dir = join(this.logDir, name);
      if (!match || !statSync(dir).isDirectory()) continue;
      found.push({ topic: match[1]!, partition: Number(match[2]), dir, topicId: readPartitionMetadata(dir)?.topicId ?? null });
    }
    return found;
  }

  dirOf(topic: string, partition: number): string {
    return join(this.logDir, `${topic}-${partition}`);
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(LogManager.key(topic, partition));
  }

  /** The open log of a partition, opening it from disk (recovering it) or creating it on first use. */
  getOrCreateLog(topic: string, partition: number, config: LogConfig, topicId: string): PartitionLog {
    const key = LogManager.key(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      existing.updateConfig(config);
      return existing;
    }
    const log = PartitionLog.openSync(this.dirOf(topic, partition), config, { ...this.options, topicId });
    this.logs.set(key, log);
    return log;
  }

  all(): IterableIterator<PartitionLog> {
    return this.logs.values();
  }

  /** Deletes a partition's log and its directory. */
  deleteLog(topic: string, partition: number): void {
    const key = LogManager.key(topic, partition);
    const log = this.logs.get(key);
    this.logs.delete(key);
    if (log) log.abandon();
    const dir = this.dirOf(topic, partition);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }

  /** Closes every log cleanly (indexes and checkpoints written, clean-shutdown markers left). */
  async close(): Promise<void> {
    const logs = [...this.logs.values()];
    this.logs.clear();
    await Promise.all(logs.map((log) => log.close()));
  }

  /** Releases every log without a clean shutdown, as a crash would leave them (the next open recovers). */
  abandon(): void {
    for (const log of this.logs.values()) log.abandon();
    this.logs.clear();
  }
}

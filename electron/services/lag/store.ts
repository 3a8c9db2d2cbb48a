// Lag samples on disk, one directory per connection under <data dir>/lag-history, one append-only file
// per UTC hour:
//
//   lag-history/<connection>/2024-05-01T13.jsonl      samples as taken (the current and the previous hour)
//   lag-history/<connection>/2024-05-01T11.min.jsonl  an older hour compacted to one sample a minute
//
// One line per group sample: {"t":ms,"g":"group","o":{"topic":[[committed,start,end],...]}} where the
// array index is the partition (null for partitions not in the sample). Appends are serialised; a
// line torn by a crash is skipped when read. Past hours are compacted (written to a temporary file
// and renamed into place) once they are older than the hour the sampler keeps at full resolution, so a
// restart brings back the last hour as it was sampled; hours older than the history are deleted.
import { mkdir, readdir, readFile, rename, rm, appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { COARSE_STEP_MS, FINE_WINDOW_MS, HISTORY_MS, type GroupSample, type PartitionSample } from './series';

const HOUR_MS = 60 * 60_000;
const FILE_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2})(\.min)?\.jsonl$/;

export function hourOf(t: number): string {
  return new Date(t).toISOString().slice(0, 13);
}

function hourStart(hour: string): number {
  return Date.parse(`${hour}:00:00.000Z`);
}

type Triple = [number | null, number | null, number | null] | null;

export function encodeSample(sample: GroupSample): string {
  const byTopic: Record<string, Triple[]> = {};
  for (const partition of sample.partitions) {
    const list = (byTopic[partition.topic] ??= []);
    while (list.length < partition.partition) list.push(null);
    list[partition.partition] = [partition.committed, partition.start, partition.end];
  }
  return JSON.stringify({ t: sample.at, g: sample.group, o: byTopic });
}

export function decodeSample(line: string): GroupSample | null {
  try {
    const raw = JSON.parse(line) as { t?: unknown; g?: unknown; o?: unknown };
    if (typeof raw.t !== 'number' || typeof raw.g !== 'string' || typeof raw.o !== 'object' || raw.o === null) return null;
    const partitions: PartitionSample[] = [];
    const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
    for (const [topic, list] of Object.entries(raw.o as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      list.forEach((entry: unknown, partition) => {
        if (!Array.isArray(entry)) return;
        partitions.push({ topic, partition, committed: number(entry[0]), start: number(entry[1]), end: number(entry[2]) });
      });
    }
    return { group: raw.g, at: raw.t, partitions };
  } catch {
    return null;
  }
}

/** A directory name for a connection id that is safe on every OS. */
function directoryName(connectionId: string): string {
  return encodeURIComponent(connectionId).replace(/\./g, '%2E').replace(/%/g, '_');
}

export class LagStore {
  readonly root: string;
  #writes: Promise<void> = Promise.resolve();
  readonly #compactedHours = new Map<string, string>(); // connection -> newest hour known compacted

  constructor(root: string) {
    this.root = root;
  }

  directory(connectionId: string): string {
    return path.join(this.root, directoryName(connectionId));
  }

  /** Appends samples to their hour's file; resolves when written. Compacts past hours on an hour change. */
  append(connectionId: string, samples: readonly GroupSample[]): Promise<void> {
    if (!samples.length) return this.#writes;
    const byHour = new Map<string, string[]>();
    for (const sample of samples) {
      const hour = hourOf(sample.at);
      const lines = byHour.get(hour) ?? [];
      lines.push(encodeSample(sample));
      byHour.set(hour, lines);
    }
    const task = async () => {
      const directory = this.directory(connectionId);
      await mkdir(directory, { recursive: true });
      for (const [hour, lines] of byHour) await appendFile(path.join(directory, `${hour}.jsonl`), `${lines.join('\n')}\n`);
      const newest = [...byHour.keys()].sort().pop() as string;
      const compacted = this.#compactedHours.get(connectionId);
      if (compacted !== newest) {
        this.#compactedHours.set(connectionId, newest);
        await this.#compact(connectionId, hourStart(newest) + HOUR_MS - 1);
      }
    };
    this.#writes = this.#writes.then(task, task);
    return this.#writes;
  }

  /** Waits for every append so far. */
  flush(): Promise<void> {
    return this.#writes.catch(() => undefined);
  }

  /** Every sample of the last 24 hours before `now`, oldest first. Compacts past hours first. */
  async load(connectionId: string, now: number): Promise<GroupSample[]> {
    await this.flush();
    const run = this.#writes.then(() => this.#compact(connectionId, now));
    this.#writes = run.catch(() => undefined);
    await run;
    const directory = this.directory(connectionId);
    const files = await this.#files(directory);
    const since = now - HISTORY_MS;
    const samples: GroupSample[] = [];
    for (const file of files) {
      if (hourStart(file.hour) + HOUR_MS <= since) continue;
      const text = await readFile(path.join(directory, file.name), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line) continue;
        const sample = decodeSample(line);
        if (sample && sample.at >= since && sample.at <= now) samples.push(sample);
      }
    }
    samples.sort((a, b) => a.at - b.at);
    return samples;
  }

  async #files(directory: string): Promise<{ name: string; hour: string; compacted: boolean }[]> {
    const names = await readdir(directory).catch(() => [] as string[]);
    return names
      .map((name) => {
        const match = FILE_PATTERN.exec(name);
        return match ? { name, hour: match[1] as string, compacted: Boolean(match[2]) } : null;
      })
      .filter((file): file is { name: string; hour: string; compacted: boolean } => file !== null)
      .sort((a, b) => (a.hour === b.hour ? Number(b.compacted) - Number(a.compacted) : a.hour < b.hour ? -1 : 1));
  }

  /** Deletes hours past the history and thins hours before the last one to one sample a minute per group. */
  async #compact(connectionId: string, now: number): Promise<void> {
    const directory = this.directory(connectionId);
    const files = await this.#files(directory);
    const keepFrom = hourOf(now - FINE_WINDOW_MS);
    const since = now - HISTORY_MS;
    const pending = new Map<string, string[]>();
    for (const file of files) {
      if (hourStart(file.hour) + HOUR_MS <= since) {
        await rm(path.join(directory, file.name), { force: true });
        continue;
      }
      if (file.hour >= keepFrom) continue;
      const names = pending.get(file.hour) ?? [];
      names.push(file.name);
      pending.set(file.hour, names);
    }
    for (const [hour, names] of pending) {
      if (names.length === 1 && names[0]?.endsWith('.min.jsonl')) continue;
      const samples: GroupSample[] = [];
      for (const name of names) {
        const text = await readFile(path.join(directory, name), 'utf8').catch(() => '');
        for (const line of text.split('\n')) {
          const sample = line ? decodeSample(line) : null;
          if (sample) samples.push(sample);
        }
      }
      samples.sort((a, b) => a.at - b.at);
      const lastKept = new Map<string, number>();
      const kept: string[] = [];
      for (const sample of samples) {
        const previous = lastKept.get(sample.group);
        if (previous !== undefined && sample.at - previous < COARSE_STEP_MS - 1_000) continue;
        lastKept.set(sample.group, sample.at);
        kept.push(encodeSample(sample));
      }
      const target = path.join(directory, `${hour}.min.jsonl`);
      const temporary = `${target}.tmp`;
      await writeFile(temporary, kept.length ? `${kept.join('\n')}\n` : '');
      await rename(temporary, target);
      for (const name of names) if (!name.endsWith('.min.jsonl')) await rm(path.join(directory, name), { force: true });
    }
  }
}

// The message browser's saved queries, per connection and topic, kept in saved-queries.json in the app's
// data directory. Written whole to a temporary file then renamed, so a crash never leaves half a file;
// a file that fails validation is set aside (renamed), not silently overwritten, as settings are.
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MAX_SAVED_QUERIES, savedQuerySchema, type SavedQuery } from '../../../shared/model/messages';
import { AtomicFile } from '../../core/atomic-file';
import { AppError } from '../../core/errors';
import { appLogger, type Logger } from '../../core/logger';

const fileSchema = z.object({ version: z.literal(1), queries: z.record(z.string(), z.array(savedQuerySchema)) });

/** Names compare as the user reads them: case and surrounding spaces do not make a second query. */
const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase('en') === b.trim().toLocaleLowerCase('en');

export class SavedQueryStore {
  /** Changes run one after another, so two saves never write over each other's file. */
  readonly #file: AtomicFile;
  readonly #logger: Logger;
  #queries: Record<string, SavedQuery[]> | null = null;

  constructor(dataDir: string, logger: Logger = appLogger) {
    this.#file = new AtomicFile(path.join(dataDir, 'saved-queries.json'));
    this.#logger = logger;
  }

  async #load(): Promise<Record<string, SavedQuery[]>> {
    if (this.#queries) return this.#queries;
    let text: string;
    try {
      text = await readFile(this.#file.path, 'utf8');
    } catch {
      this.#queries = {};
      return this.#queries;
    }
    try {
      this.#queries = fileSchema.parse(JSON.parse(text)).queries;
    } catch (error) {
      const aside = `${this.#file.path}.invalid-${Date.now()}`;
      this.#logger.error(`The saved queries file is not valid, moved to ${aside}`, { error });
      await rename(this.#file.path, aside).catch(() => undefined);
      this.#queries = {};
    }
    return this.#queries;
  }

  /** A topic's saved queries, by name. */
  async list(connectionId: string, topic: string): Promise<SavedQuery[]> {
    return [...((await this.#load())[key(connectionId, topic)] ?? [])];
  }

  /** Saves a query; one of the same name is a conflict unless `replace`. Answers the topic's queries. */
  save(connectionId: string, topic: string, query: SavedQuery, replace: boolean): Promise<SavedQuery[]> {
    return this.#change(connectionId, topic, (queries) => {
      const index = queries.findIndex((saved) => sameName(saved.name, query.name));
      if (index >= 0 && !replace) {
        throw new AppError('conflict', `A query named "${queries[index]!.name}" is already saved for ${topic}. Replace it, or choose another name.`);
      }
      if (index >= 0) return queries.map((saved, at) => (at === index ? query : saved));
      if (queries.length >= MAX_SAVED_QUERIES) {
        throw new AppError('conflict', `${topic} already has ${MAX_SAVED_QUERIES} saved queries, the most it keeps. Delete one first.`);
      }
      return [...queries, query];
    });
  }

  rename(connectionId: string, topic: string, name: string, newName: string): Promise<SavedQuery[]> {
    return this.#change(connectionId, topic, (queries) => {
      const index = queries.findIndex((saved) => sameName(saved.name, name));
      if (index < 0) throw new AppError('not-found', `No query named "${name}" is saved for ${topic}.`);
      const taken = queries.find((saved, at) => at !== index && sameName(saved.name, newName));
      if (taken) throw new AppError('conflict', `A query named "${taken.name}" is already saved for ${topic}.`);
      return queries.map((saved, at) => (at === index ? { ...saved, name: newName } : saved));
    });
  }

  delete(connectionId: string, topic: string, name: string): Promise<SavedQuery[]> {
    return this.#change(connectionId, topic, (queries) => {
      if (!queries.some((saved) => sameName(saved.name, name))) throw new AppError('not-found', `No query named "${name}" is saved for ${topic}.`);
      return queries.filter((saved) => !sameName(saved.name, name));
    });
  }

  #change(connectionId: string, topic: string, change: (queries: SavedQuery[]) => SavedQuery[]): Promise<SavedQuery[]> {
    return this.#file.change(async (save) => {
      const all = await this.#load();
      const id = key(connectionId, topic);
      const next = change(all[id] ?? []);
      const updated = { ...all };
      if (next.length) updated[id] = next;
      else delete updated[id];
      await save(JSON.stringify({ version: 1, queries: updated }, null, 2));
      // Only once written: a failed write leaves what is saved as it was.
      this.#queries = updated;
      return [...next];
    });
  }
}

const key = (connectionId: string, topic: string) => `${connectionId}/${topic}`;

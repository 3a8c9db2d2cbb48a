// One settings file the app rewrites whole: each write goes to `<file>.tmp` and is renamed over the file,
// so a crash leaves the old content or the new, never half of it. Writes run one after another: two at
// once would share the temporary file (the second rename finds it gone: ENOENT), and a slower older write
// could land after a newer one. A change that reads what is stored and writes it back runs whole, after
// the changes before it, so two changes at once cannot lose one of them.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class AtomicFile {
  readonly #file: string;
  readonly #mode: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** `mode` for files that hold connection details (0o600: readable by the user only). */
  constructor(file: string, options: { mode?: number } = {}) {
    this.#file = file;
    this.#mode = options.mode;
  }

  get path(): string {
    return this.#file;
  }

  /** Writes `text` after the writes and changes before it; rejects with this write's own failure only. */
  write(text: string): Promise<void> {
    return this.change((save) => save(text));
  }

  /**
   * Runs `work` after the writes and changes before it; `save` writes the file at once. A failure of
   * `work` is its caller's and does not stop the next ones.
   */
  change<T>(work: (save: (text: string) => Promise<void>) => Promise<T>): Promise<T> {
    const run = () => work((text) => this.#writeNow(text));
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves once the writes and changes under way are done (the app closing waits for them). */
  async idle(): Promise<void> {
    let queue: Promise<unknown>;
    do {
      queue = this.#queue;
      await queue;
    } while (queue !== this.#queue);
  }

  async #writeNow(text: string): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.tmp`;
    await writeFile(temporary, text, this.#mode === undefined ? {} : { mode: this.#mode });
    await rename(temporary, this.#file);
  }
}

// Settings persisted as JSON in the app's data directory. A missing or unreadable file means the
// defaults; a file that fails validation is set aside (renamed) rather than silently overwritten.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../../shared/model/schemas';
import { appLogger, type Logger } from '../../core/logger';

export const DEFAULT_SETTINGS: Settings = {
  embedded: { enabled: true, brokers: 3, basePort: 19092, dataDir: '' },
};

export interface SettingsServiceDeps {
  /** The app's data directory: settings.json lives there. */
  dataDir: string;
  logger?: Logger;
}

export class SettingsService {
  readonly #file: string;
  readonly #logger: Logger;
  #current: Settings = DEFAULT_SETTINGS;

  constructor(deps: SettingsServiceDeps) {
    this.#file = path.join(deps.dataDir, 'settings.json');
    this.#logger = deps.logger ?? appLogger;
  }

  get current(): Settings {
    return this.#current;
  }

  async load(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch {
      this.#current = DEFAULT_SETTINGS;
      return this.#current;
    }
    try {
      this.#current = settingsSchema.parse(JSON.parse(text));
    } catch (error) {
      const aside = `${this.#file}.invalid-${Date.now()}`;
      this.#logger.error(`The settings file is not valid, moved to ${aside}`, { error });
      await rename(this.#file, aside).catch(() => undefined);
      this.#current = DEFAULT_SETTINGS;
    }
    return this.#current;
  }

  async save(settings: Settings): Promise<Settings> {
    const valid = settingsSchema.parse(settings);
    await mkdir(path.dirname(this.#file), { recursive: true });
    // Write then rename, so a crash mid-write never leaves half a file.
    const temporary = `${this.#file}.tmp`;
    await writeFile(temporary, JSON.stringify(valid, null, 2));
    await rename(temporary, this.#file);
    this.#current = valid;
    return valid;
  }
}

/** Where the embedded cluster keeps its logs: the setting, or kafka-data under the app's data dir. */
export function embeddedDataDir(settings: Settings, appDataDir: string): string {
  return settings.embedded.dataDir.trim() ? path.resolve(settings.embedded.dataDir) : path.join(appDataDir, 'kafka-data');
}

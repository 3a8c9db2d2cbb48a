// Files the user chose for the produce form, by handle: the renderer never names a path for the main
// process to read. On the desktop the main process asks the user with the system's open dialog and
// keeps the path it answered; in web mode the browser uploads the file's text (at most
// MAX_UPLOAD_BYTES) and it is kept in memory. A send names the handle; the file is read (or the
// upload split) then, with the same limits and errors as before.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatByteSize, type ChosenFile } from '../../../shared/model/schemas';
import { AppError } from '../../core/errors';
import { MAX_PRODUCE_FILE_BYTES, MAX_WHOLE_FILE_BYTES, readRecordValues, recordValuesOf } from './file-source';

/** Chosen files kept at once; the oldest is forgotten first (a send names a file chosen moments before). */
const KEPT = 8;

type Source = { kind: 'path'; path: string } | { kind: 'upload'; text: string };

export class ChosenFiles {
  readonly #chooseFile: (() => Promise<string | null>) | undefined;
  readonly #files = new Map<string, { file: ChosenFile; source: Source }>();

  /** `chooseFile`: the system's open dialog (desktop); without it (web mode) files are uploaded. */
  constructor(chooseFile?: () => Promise<string | null>) {
    this.#chooseFile = chooseFile;
  }

  /** Asks the user for a file with the system's dialog; null when they cancel it. */
  async choose(): Promise<ChosenFile | null> {
    if (!this.#chooseFile) {
      throw new AppError('invalid-request', 'Web mode has no file dialog: choose the file in the form, and the browser uploads it.');
    }
    const chosen = await this.#chooseFile();
    if (!chosen) return null;
    let size: number;
    try {
      const info = await stat(chosen);
      if (!info.isFile()) throw new AppError('invalid-request', `${chosen} is not a regular file.`);
      size = info.size;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('not-found', `${chosen} could not be read: ${error instanceof Error ? error.message : String(error)}.`);
    }
    return this.#keep({ name: path.basename(chosen), size }, { kind: 'path', path: chosen });
  }

  /** A file's text the browser read (web mode). */
  upload(name: string, text: string): ChosenFile {
    return this.#keep({ name: path.basename(name.replaceAll('\\', '/')), size: Buffer.byteLength(text) }, { kind: 'upload', text });
  }

  /** The record values of a chosen file, read now: its lines, or its whole text. */
  async values(handle: string, mode: 'lines' | 'whole'): Promise<string[]> {
    const kept = this.#files.get(handle);
    if (!kept)
      throw new AppError(
        'not-found',
        'The file chosen for this send is no longer known (the app restarted, or many files were chosen since): choose it again.',
      );
    if (kept.source.kind === 'path') return readRecordValues(kept.source.path, mode);
    const limit = mode === 'whole' ? MAX_WHOLE_FILE_BYTES : MAX_PRODUCE_FILE_BYTES;
    const name = `"${kept.file.name}"`;
    if (kept.file.size > limit) {
      throw new AppError(
        'invalid-request',
        `${name} is ${formatByteSize(kept.file.size)}; ${mode === 'whole' ? 'a value' : 'a file to send line by line'} can be at most ${formatByteSize(limit)}.`,
      );
    }
    return recordValuesOf(kept.source.text, mode, name);
  }

  #keep(file: Omit<ChosenFile, 'handle'>, source: Source): ChosenFile {
    const chosen = { handle: randomUUID(), ...file };
    this.#files.set(chosen.handle, { file: chosen, source });
    while (this.#files.size > KEPT) this.#files.delete(this.#files.keys().next().value!);
    return chosen;
  }
}

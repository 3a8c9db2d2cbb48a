// Values for the produce form read from a file, in the main process: one record per line, or the whole
// file as one value. Bounded before reading (the file's size), then decoded strictly as UTF-8, so a
// binary or huge file gets a clear error and nothing is sent.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatByteSize, MAX_PRODUCE_REPEAT } from '../../../shared/model/schemas';
import { AppError } from '../../core/errors';

/** The largest file read for a send (lines mode): 10,000 lines of ~1.6 KB, or fewer larger ones. */
export const MAX_PRODUCE_FILE_BYTES = 16 * 1024 * 1024;
/** The largest file sent as one value: the form's value limit. */
export const MAX_WHOLE_FILE_BYTES = 10_000_000;

/** A file's lines as record values: LF or CRLF line ends, blank lines skipped, at most MAX_PRODUCE_REPEAT. */
export function splitRecordLines(text: string, fileName = 'The file'): string[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (!lines.length) throw new AppError('invalid-request', `${fileName} has no lines with text: nothing to send.`);
  if (lines.length > MAX_PRODUCE_REPEAT) {
    throw new AppError(
      'invalid-request',
      `${fileName} has ${lines.length.toLocaleString('en')} lines with text; a send takes at most ${MAX_PRODUCE_REPEAT.toLocaleString('en')} records. Split the file.`,
    );
  }
  return lines;
}

/** A file's text as record values: its lines, or the whole text as one value (already within the size limit). */
export function recordValuesOf(text: string, mode: 'lines' | 'whole', fileName: string): string[] {
  if (mode === 'whole') return [text];
  return splitRecordLines(text, fileName);
}

/** Reads a file the user chose: its lines, or its whole text as one value. */
export async function readRecordValues(filePath: string, mode: 'lines' | 'whole'): Promise<string[]> {
  if (!path.isAbsolute(filePath)) {
    throw new AppError('invalid-request', `Give the file's full path (such as /home/me/orders.jsonl); "${filePath}" is relative.`);
  }
  const name = `"${path.basename(filePath)}"`;
  const limit = mode === 'whole' ? MAX_WHOLE_FILE_BYTES : MAX_PRODUCE_FILE_BYTES;
  let size: number;
  try {
    const info = await stat(filePath);
    if (info.isDirectory()) throw new AppError('invalid-request', `${filePath} is a folder; choose a file.`);
    if (!info.isFile()) throw new AppError('invalid-request', `${filePath} is not a regular file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw fileError(error, filePath);
  }
  if (size > limit) {
    let [sizeText, limitText] = [formatByteSize(size), formatByteSize(limit)];
    // Just over the limit: rounded sizes would read the same, so say the bytes.
    if (sizeText === limitText) [sizeText, limitText] = [`${size.toLocaleString('en')} bytes`, `${limit.toLocaleString('en')} bytes`];
    throw new AppError(
      'invalid-request',
      `${name} is ${sizeText}; ${mode === 'whole' ? 'a value' : 'a file to send line by line'} can be at most ${limitText}.`,
    );
  }
  // Read at most one byte past the limit: a file growing after stat still cannot make the read unbounded.
  const buffer = Buffer.alloc(Math.min(size, limit) + 1);
  let read = 0;
  try {
    const handle = await open(filePath, 'r');
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, read, buffer.length - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
        if (read === buffer.length) break;
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(error, filePath);
  }
  if (read > limit) throw new AppError('invalid-request', `${name} grew past ${formatByteSize(limit)} while it was read.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, read));
  } catch {
    throw new AppError('invalid-request', `${name} is not UTF-8 text; the form sends text values.`);
  }
  return recordValuesOf(text, mode, name);
}

function fileError(error: unknown, filePath: string): AppError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new AppError('not-found', `There is no file at ${filePath}.`);
  if (code === 'EACCES' || code === 'EPERM') return new AppError('invalid-request', `Kafka Desk may not read ${filePath} (permission denied).`);
  if (code === 'EISDIR') return new AppError('invalid-request', `${filePath} is a folder; choose a file.`);
  return new AppError('invalid-request', `${filePath} could not be read: ${error instanceof Error ? error.message : String(error)}.`);
}

// The filter worker: a worker thread that compiles one filter at a time and decides which records of a
// chunk match. Regexes, JSON paths and decoders run here, never in the main process, so however long a
// value or a pattern makes them take, the main process (the window's IPC, the embedded brokers) keeps
// serving; filter-runner.ts ends this thread when Cancel is pressed or the time budget runs out.
import { parentPort } from 'node:worker_threads';
import { toIpcError } from '../../ipc/errors';
import { decoderFor } from './decoders';
import { compileFilter, type FilterRecord, type Predicate } from './filters';
import { unpackRecords, type FilterRequest, type FilterResponse } from './filter-protocol';

const port = parentPort;
if (!port) throw new Error('filter-worker.ts runs as a worker thread (filter-runner.ts starts it).');

let predicate: Predicate<FilterRecord> | null = null;
let prepare: (records: FilterRecord[]) => Promise<void> = async () => undefined;

const reply = (message: FilterResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: FilterRequest) => {
  void handle(request).catch((error: unknown) => {
    const { kind, message } = toIpcError(error, () => undefined);
    reply({ type: 'error', id: request.id, kind, message });
  });
});

// Loaded: the time budgets count from here, not from the thread's start.
reply({ type: 'ready', id: 0 });

async function handle(request: FilterRequest): Promise<void> {
  if (request.type === 'compile') {
    predicate = compileFilter(request.filter, request.decoders);
    const key = decoderFor(request.decoders.key);
    const value = decoderFor(request.decoders.value);
    // Registry decoders load the schemas a chunk names before decoding it synchronously.
    prepare = async (records) => {
      if (key.structured) await key.prepare(records.map((record) => record.key));
      if (value.structured) await value.prepare(records.map((record) => record.value));
    };
    reply({ type: 'compiled', id: request.id });
    return;
  }
  if (!predicate) throw new Error('No filter was compiled before matching.');
  const records = unpackRecords(request.chunk);
  await prepare(records);
  const matches = new Uint8Array(records.length);
  for (let i = 0; i < records.length; i++) matches[i] = predicate(records[i]!) ? 1 : 0;
  reply({ type: 'matched', id: request.id, matches }, [matches.buffer]);
}

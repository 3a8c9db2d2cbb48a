// The message browser's worker thread: it compiles one filter at a time and decides which records of a
// chunk match, and decodes values with a user's schema (Avro, Protobuf, a registry) or whole large
// values. Regexes, JSON paths and schema decoders run here, never in the main process, so however
// long a value or a pattern makes them take, the main process (the window's IPC, the embedded
// brokers) keeps serving; message-workers.ts ends this thread on Cancel or when a time budget runs out.
import { parentPort } from 'node:worker_threads';
import { toIpcError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { decoderFor } from './decoders';
import { compileFilter, type FilterRecord, type Predicate } from './filters';
import { unpackRecords, type DecodedFields, type WorkerRequest, type WorkerResponse } from './message-worker-protocol';

const port = parentPort;
if (!port) throw new Error('message-worker.ts runs as a worker thread (message-workers.ts starts it).');

let predicate: Predicate<FilterRecord> | null = null;
let prepare: (records: FilterRecord[]) => Promise<void> = async () => undefined;

const reply = (message: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: WorkerRequest) => {
  void handle(request).catch((error: unknown) => {
    const { kind, message } = toIpcError(error, silentLogger);
    reply({ type: 'error', id: request.id, kind, message });
  });
});

// Loaded: the time budgets count from here, not from the thread's start.
reply({ type: 'ready', id: 0 });

async function handle(request: WorkerRequest): Promise<void> {
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
  if (request.type === 'previews' || request.type === 'full') {
    const records = unpackRecords(request.chunk);
    const key = request.fields.key ? decoderFor(request.decoders.key) : null;
    const value = request.fields.value ? decoderFor(request.decoders.value) : null;
    if (key) await key.prepare(records.map((record) => record.key));
    if (value) await value.prepare(records.map((record) => record.value));
    if (request.type === 'previews') {
      const decoded = records.map((record) => {
        const fields: DecodedFields<ReturnType<NonNullable<typeof key>['preview']>> = {};
        if (key) fields.key = key.preview(record.key);
        if (value) fields.value = value.preview(record.value);
        return fields;
      });
      reply({ type: 'previews', id: request.id, decoded });
    } else {
      const decoded = records.map((record) => {
        const fields: DecodedFields<ReturnType<NonNullable<typeof key>['full']>> = {};
        if (key) fields.key = key.full(record.key, request.pretty);
        if (value) fields.value = value.full(record.value, request.pretty);
        return fields;
      });
      reply({ type: 'full', id: request.id, decoded });
    }
    return;
  }
  if (!predicate) throw new Error('No filter was compiled before matching.');
  const records = unpackRecords(request.chunk);
  await prepare(records);
  const matches = new Uint8Array(records.length);
  for (let i = 0; i < records.length; i++) matches[i] = predicate(records[i]!) ? 1 : 0;
  reply({ type: 'matched', id: request.id, matches }, [matches.buffer]);
}

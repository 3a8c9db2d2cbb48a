// Filters and exports against hostile data and patterns (issue #12), on a real embedded cluster:
// - "(a+)+$" (exponential for a backtracking engine) is decided in linear time;
// - a filter that is slow over every record runs in the worker: the main process and its brokers keep
//   answering a real client (kcat) meanwhile, Cancel ends it at once, and so does the time budget;
// - CSV exports neutralize cells a spreadsheet would run as formulas.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '@platformatic/kafka';
import type { Filter, Page } from '../../shared/model/messages';
import { inlinePredicate } from '../../electron/services/messages/filters';
import { MessageService } from '../../electron/services/messages/service';
import { startCore, type TestCore } from './helpers';

const run = promisify(execFile);
const connectionId = 'embedded';
const decoders = { key: { kind: 'auto' as const }, value: { kind: 'auto' as const } };
// A backtracking engine needs about 2^n steps for "(a+)+$" over n a's and a b: 20.7 s for n = 28 in
// V8, days for n = 40. RE2 answers in one pass.
const EXPONENTIAL = '(a+)+$';
// Linear for RE2 too, but slow: a 2,000-state program over each 20 KB value (about 1 s a record here,
// when RE2's state cache overflows), so a read over the topic would take minutes.
const SLOW_PATTERN = '(?:a?){1000}a{1000}c';
const SLOW_RECORDS = 240;

describe('filters and exports with hostile input', () => {
  let app: TestCore;
  let producer: Producer;

  const send = (topic: string, values: (string | Buffer)[], keys?: string[], headers?: [string, string][]) =>
    producer.send({
      messages: values.map((value, i) => ({
        topic,
        partition: 0,
        value: Buffer.from(value),
        ...(keys ? { key: Buffer.from(keys[i]!) } : {}),
        ...(headers ? { headers: new Map(headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) } : {}),
      })),
      acks: -1,
    });

  /**
   * kcat reads the first record of a topic (metadata, ListOffsets and Fetch from the embedded broker)
   * and prints its offset and value size.
   */
  const kcatFirstRecord = (topic: string) =>
    run('kcat', ['-C', '-b', app.bootstrapServers, '-t', topic, '-p', '0', '-o', 'beginning', '-c', '1', '-e', '-q', '-m', '20', '-f', '%o %S'], {
      timeout: 20_000,
    }).then(({ stdout }) => stdout.trim());

  /**
   * A message service on the app's cluster whose worker threads report each request handed to them,
   * so a test acts once a filter or a decoding is under way in a worker, not after a guessed delay.
   */
  function observedService(dataDir: string, budgetMs: number) {
    const handed: string[] = [];
    const waiting: Array<{ type: string; resolve: () => void }> = [];
    const service = new MessageService({
      dataDir,
      clientOptions: (id) => app.core.connections.clientOptions(id),
      emitProgress: () => undefined,
      emitTail: () => undefined,
      messageWorker: {
        budgetMs,
        onRequest: (type) => {
          handed.push(type);
          for (const waiter of waiting.filter((w) => w.type === type)) waiter.resolve();
        },
      },
    });
    /** Resolves once a request of this type (match: a filter's chunk, previews: a decoding) is in a worker. */
    const handedToWorker = (type: 'match' | 'previews') =>
      handed.includes(type) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ type, resolve }));
    return { service, handedToWorker };
  }

  /**
   * Starts a read, waits until its worker has the work, then asks kcat; reports whether the read was
   * still running when kcat had its answer.
   */
  async function kcatDuring(
    read: Promise<Page>,
    underWay: Promise<void>,
    topic: string,
    afterKcat: () => void = () => undefined,
  ): Promise<{ page: Page; kcat: string; readPendingWhenKcatDone: boolean }> {
    let settled = false;
    const tracked = read.finally(() => (settled = true));
    await Promise.race([underWay, tracked]);
    const kcat = await kcatFirstRecord(topic);
    const readPendingWhenKcatDone = !settled;
    afterKcat();
    return { page: await tracked, kcat, readPendingWhenKcatDone };
  }

  /**
   * A message service whose worker budget lets the huge values finish even on a loaded 2-core machine
   * (the default 20 s did not there: whether it suffices is a speed question, for the benches).
   */
  const roomyService = (dataDir: string) =>
    new MessageService({
      dataDir,
      clientOptions: (id) => app.core.connections.clientOptions(id),
      emitProgress: () => undefined,
      emitTail: () => undefined,
      messageWorker: { budgetMs: 100_000 },
    });

  beforeAll(async () => {
    app = await startCore({ brokers: 1 });
    producer = new Producer({ clientId: 'hostile-filters', bootstrapBrokers: app.bootstrapServers.split(',') });
    await app.ok('topics.create', { connectionId, topic: 'hostile.redos', partitions: 1, replicationFactor: 1 });
    await send('hostile.redos', ['first', `${'a'.repeat(28)}b`, `${'a'.repeat(40)}b`, 'aaaa', `x${'a'.repeat(5000)}`]);
    await app.ok('topics.create', { connectionId, topic: 'hostile.slow', partitions: 1, replicationFactor: 1 });
    const slowValue = `${'a'.repeat(20_000)}bc`;
    for (let batch = 0; batch < SLOW_RECORDS / 40; batch++)
      await send(
        'hostile.slow',
        Array.from({ length: 40 }, () => slowValue),
      );
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await app?.close();
  });

  it('decides "(a+)+$" over a\u00d728+b and a\u00d740+b in linear time, with the right answer', async () => {
    const page = await app.ok('messages.read', {
      connectionId,
      topic: 'hostile.redos',
      filter: { kind: 'regex', field: 'value', pattern: EXPONENTIAL, flags: '' },
      limit: { count: 100 },
    });
    expect(page.records.map((record) => record.value.text)).toEqual(['aaaa', `x${'a'.repeat(5000)}`]);
    expect(page.stoppedBy).toBe('end');
    expect(page.scanned).toBe(5);
    // Flags map onto RE2's: i, s, m.
    const ignoreCase = await app.ok('messages.read', {
      connectionId,
      topic: 'hostile.redos',
      filter: { kind: 'regex', field: 'value', pattern: '^FIRST$', flags: 'i' },
    });
    expect(ignoreCase.records.map((record) => record.offset)).toEqual([0]);
  });

  it('refuses what RE2 does not do (backreferences, lookarounds) with a clear message', async () => {
    for (const pattern of ['(a)\\1', 'a(?=b)', '(?<!x)a']) {
      const result = await app.call('messages.read', { connectionId, topic: 'hostile.redos', filter: { kind: 'regex', field: 'value', pattern, flags: '' } });
      expect(result).toMatchObject({
        ok: false,
        error: {
          kind: 'invalid-request',
          message: expect.stringMatching(/^The regular expression is not valid RE2 syntax: .+ Lookarounds and backreferences are not supported\.$/),
        },
      });
    }
  });

  it('Cancel ends a slow filter at once, while the broker keeps answering kcat', { timeout: 120_000 }, async () => {
    // A budget the filter cannot use up before Cancel (the topic takes minutes to filter): the read ends
    // only when cancelled, whatever the time kcat takes on a loaded machine.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-cancel-'));
    const { service, handedToWorker } = observedService(dir, 100_000);
    try {
      const operationId = 'hostile-cancel';
      const filter: Filter = { kind: 'regex', field: 'value', pattern: SLOW_PATTERN, flags: '' };
      const request = { connectionId, topic: 'hostile.slow', partitions: null, seek: { mode: 'earliest' as const }, limit: { count: 10 }, decoders };
      const { page, kcat, readPendingWhenKcatDone } = await kcatDuring(
        service.read({ ...request, filter, operationId }),
        handedToWorker('match'),
        'hostile.slow',
        // The page comes back once the cancel arrives, not when the filter would have finished.
        () => expect(service.cancel(operationId)).toBe(true),
      );
      // The embedded broker (same process) answered a real client while the filter ran in its worker.
      expect(kcat).toBe('0 20002');
      expect(readPendingWhenKcatDone).toBe(true);
      expect(page.stoppedBy).toBe('cancelled');
      expect(page.scanned).toBeLessThan(SLOW_RECORDS);
      // Nothing was skipped: the cursor is where the filter stopped, and the next page reads on from there.
      const after = page.cursor[0]!.after;
      expect(after).toBe(page.scanned);
      // The same service filters again afterwards (a new worker replaces the one ended).
      const again = await service.read({ ...request, topic: 'hostile.redos', filter: { kind: 'regex', field: 'value', pattern: '^a{4}$', flags: '' } });
      expect(again.records.map((record) => record.offset)).toEqual([3]);
    } finally {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Timeouts here are for a loaded 2-core machine: the budgets below (3 s, twice) come first. Whether the
  // broker answers meanwhile is the Cancel test's: here kcat would race the budget.
  it('the time budget ends a filter that takes too long over one chunk, says so, and skips nothing', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-budget-'));
    const { service, handedToWorker } = observedService(dir, 3_000);
    try {
      const request = {
        connectionId,
        topic: 'hostile.slow',
        partitions: null,
        seek: { mode: 'earliest' as const },
        limit: { count: 10 },
        filter: { kind: 'regex' as const, field: 'value' as const, pattern: SLOW_PATTERN, flags: '' },
        decoders,
      };
      const page = await service.read(request);
      // The filter ran in a worker: a chunk was handed to it before the budget ended it.
      await handedToWorker('match');
      expect(page.stoppedBy).toBe('time');
      expect(page.records).toEqual([]);
      expect(page.notes).toEqual([
        expect.stringMatching(
          /^The filter took more than 3 s over [\d,]+ records of partition 0 from offset \d+ and was stopped there\. Simplify the filter, or read fewer or smaller records\.$/,
        ),
      ]);
      const from = Number(/from offset (\d+)/.exec(page.notes[0]!)![1]);
      expect(page.cursor).toEqual([{ partition: 0, before: 0, after: from }]);
      expect(page.hasAfter).toBe(true);
      // An export with the same filter fails whole, with the same words, and leaves no file.
      await expect(service.export({ ...request, format: 'jsonl' })).rejects.toThrow(/^The filter took more than 3 s over/);
      // The read's own time limit ends the worker too: then it is just "time".
      const limited = await service.read({ ...request, limit: { count: 10, maxDurationMs: 500 } });
      expect(limited).toMatchObject({ stoppedBy: 'time', notes: [] });
    } finally {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('schema decoding of a huge value runs in the worker under the budget, while the broker answers kcat', { timeout: 120_000 }, async () => {
    // Avro: an array of 12 million ints, each one byte (zig-zag 0): a 12 MB value that decodes into
    // 12 million numbers and 24 MB of JSON text.
    const topic = 'hostile.avro';
    const items = 12_000_000;
    await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': String(32 * 1024 * 1024) } });
    const count = Buffer.from([0x80, 0xec, 0xb8, 0x0b]); // the block's item count, 12,000,000, as a zig-zag varint
    await send(topic, [Buffer.concat([count, Buffer.alloc(items), Buffer.from([0])])]);
    const avroDecoders = { key: { kind: 'auto' as const }, value: { kind: 'avro' as const, schema: '{"type":"array","items":"int"}' } };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-decode-budget-'));
    const tight = new MessageService({
      dataDir: dir,
      clientOptions: (id) => app.core.connections.clientOptions(id),
      emitProgress: () => undefined,
      emitTail: () => undefined,
      messageWorker: { budgetMs: 100 },
    });
    const { service: roomy, handedToWorker } = observedService(dir, 100_000);
    try {
      const request = {
        connectionId,
        topic,
        partitions: null,
        seek: { mode: 'earliest' as const },
        limit: { count: 10 },
        filter: null,
        decoders: avroDecoders,
      };
      // With a budget that lets it finish the page comes back decoded. The decoding is in a worker (kcat
      // is asked once the worker has it), and the broker answers kcat; whether kcat or the decoding
      // ends first is the machine's timing, so only the Cancel test, whose filter cannot end, asks that.
      const { page, kcat } = await kcatDuring(roomy.read(request), handedToWorker('previews'), topic);
      expect(kcat).toBe(`0 ${items + 5}`);
      expect(page.records[0]!.value).toMatchObject({ size: items + 5, truncated: true, format: 'text' });
      expect(page.records[0]!.value.text.startsWith('[0,0,0,')).toBe(true);
      // With a budget too small for it, the read fails saying where and what to do.
      await expect(tight.read(request)).rejects.toThrow(
        /^Decoding took more than 100 ms over 1 record of partition 0 from offset 0 and was stopped\. Choose another decoder, or read fewer records at a time\.$/,
      );
    } finally {
      await roomy.close();
      await tight.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(
    'a JSON path over a huge value runs in the worker under the budget: it matches with a roomy one, a tight one stops it and says so',
    { timeout: 120_000 },
    async () => {
      // 16 MB of JSON holding 2 million objects: parsing it takes about a second of CPU here.
      const topic = 'hostile.json';
      await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': String(32 * 1024 * 1024) } });
      const huge = `{"items":[${'{"a":1},'.repeat(1_999_999)}{"a":1}],"id":7}`;
      await send(topic, ['{"id":7}', huge, '{"id":8}']);
      const filter: Filter = { kind: 'jsonPath', path: '$.id', equals: '7' };
      // Not one of the main process's native searches: the filter goes to the worker.
      expect(inlinePredicate(filter, decoders)).toBeNull();
      const request = { connectionId, topic, partitions: null, seek: { mode: 'earliest' as const }, limit: { count: 10 }, filter, decoders };
      const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-json-budget-'));
      const roomy = roomyService(dir);
      try {
        const page = await roomy.read(request);
        expect(page.records.map((record) => record.offset)).toEqual([0, 1]);
        expect(page.records[1]!.value).toMatchObject({ size: huge.length, truncated: true });
      } finally {
        await roomy.close();
      }
      const tight = new MessageService({
        dataDir: dir,
        clientOptions: (id) => app.core.connections.clientOptions(id),
        emitProgress: () => undefined,
        emitTail: () => undefined,
        messageWorker: { budgetMs: 100 },
      });
      try {
        const stopped = await tight.read(request);
        expect(stopped.stoppedBy).toBe('time');
        expect(stopped.notes).toEqual([
          expect.stringMatching(/^The filter took more than 100 ms over [\d,]+ records? of partition 0 from offset \d+ and was stopped there\./),
        ]);
        // Nothing skipped: the cursor is at or before the huge record.
        expect(stopped.cursor[0]!.after).toBeLessThanOrEqual(1);
      } finally {
        await tight.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('an export with a slow filter is cancelled at once and leaves no file', async () => {
    const exports = path.join(app.dataDir, 'exports');
    const before = await readdir(exports).catch(() => []);
    const operationId = 'hostile-export-cancel';
    const exported = app.ok('messages.export', {
      connectionId,
      topic: 'hostile.slow',
      format: 'csv',
      filter: { kind: 'regex', field: 'value', pattern: SLOW_PATTERN, flags: '' },
      operationId,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.ok('messages.cancel', { operationId })).toEqual({ cancelled: true });
    expect(await exported).toMatchObject({ status: 'cancelled', records: 0 });
    expect(await readdir(exports).catch(() => [])).toEqual(before);
  });

  it('exports CSV with formula-like cells neutralized (OWASP), and JSON Lines unchanged', async () => {
    const topic = 'hostile.csv';
    await app.ok('topics.create', { connectionId, topic, partitions: 1, replicationFactor: 1 });
    const values = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-2+3', '@SUM(A1:A2)', '\tcmd', '\rcmd', 'plain', '1-2', ' =not first'];
    await send(
      topic,
      values,
      values.map((_, i) => (i === 0 ? '=cmd|/C calc!A0' : `key-${i}`)),
      [['@h', '=1']],
    );
    const csv = await app.ok('messages.export', { connectionId, topic, format: 'csv' });
    const text = await readFile(app.core.messages.download(csv.url!.split('/').pop()!)!.path, 'utf8');
    const rows = parseCsv(text);
    expect(rows[0]!.slice(5, 8)).toEqual(['key', 'value', 'headers']);
    const body = rows.slice(1);
    expect(body.map((row) => row[6])).toEqual([
      '\'=HYPERLINK("http://evil.example","x")',
      "'+1+2",
      "'-2+3",
      "'@SUM(A1:A2)",
      "'\tcmd",
      "'\rcmd",
      'plain',
      '1-2',
      ' =not first',
    ]);
    expect(body[0]![5]).toBe("'=cmd|/C calc!A0");
    expect(body[1]![5]).toBe('key-1');
    // Headers are one JSON cell: it starts with "[", so it stays as it is.
    expect(JSON.parse(body[0]![7]!)).toEqual([{ key: '@h', value: '=1' }]);
    // The app's own numbers are not text from the topic: a producer id of -1 stays a number.
    expect(body[0]![10]).toBe('-1');
    const jsonl = await app.ok('messages.export', { connectionId, topic, format: 'jsonl' });
    const lines = (await readFile(app.core.messages.download(jsonl.url!.split('/').pop()!)!.path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { value: string }).value)).toEqual(values);
  });
});

/** RFC 4180: fields separated by commas, rows by CRLF, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

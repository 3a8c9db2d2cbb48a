import { describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '@platformatic/kafka';
import { channels, contract } from '../../shared/ipc/contract';
import { AppError } from '../../electron/core/errors';
import { createDispatcher, type Handlers } from '../../electron/ipc/registry';
import { EventHub } from '../../electron/core/events';
import { createLogger, silentLogger } from '../../electron/core/logger';

/** Handlers that fail loudly if the registry calls one it should not have. */
function handlersWith(overrides: Partial<Handlers>): Handlers {
  const base = Object.fromEntries(
    channels.map((channel) => [
      channel,
      () => {
        throw new Error(`${channel} should not have been called`);
      },
    ]),
  );
  return { ...base, ...overrides } as Handlers;
}

const quietLogger = silentLogger;

describe('IPC registry', () => {
  it('registers every channel of the contract and nothing else', () => {
    expect(channels.sort()).toEqual(Object.keys(contract).sort());
    expect(channels).not.toContain('invoke');
  });

  it('refuses an unknown channel', async () => {
    const dispatch = createDispatcher(handlersWith({}), quietLogger);
    const result = await dispatch('shell.exec', { command: 'rm -rf /' });
    expect(result).toEqual({ ok: false, error: { kind: 'invalid-request', message: 'Unknown channel: shell.exec.' } });
  });

  it('refuses a bad topic name before the handler runs, saying which field and why', async () => {
    const create = vi.fn();
    const dispatch = createDispatcher(handlersWith({ 'topics.create': create }), quietLogger);
    const result = await dispatch('topics.create', { connectionId: 'embedded', topic: 'bad name!', partitions: 3, replicationFactor: 1 });
    expect(create).not.toHaveBeenCalled();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('invalid-request');
    expect(result.error.issues).toEqual([{ path: 'topic', message: 'A topic name can only contain letters, digits, ".", "_" and "-".' }]);
  });

  it.each([
    ['.', 'A topic name cannot be "." or "..".'],
    ['..', 'A topic name cannot be "." or "..".'],
    ['', 'Enter a topic name.'],
    ['x'.repeat(250), 'A topic name can have at most 249 characters.'],
  ])('refuses the topic name %j', async (topic, message) => {
    const dispatch = createDispatcher(handlersWith({}), quietLogger);
    const result = await dispatch('topics.describe', { connectionId: 'embedded', topic });
    expect(result.ok ? null : result.error.message).toBe(message);
  });

  it('refuses fields the contract does not know, and partitions below 1', async () => {
    const dispatch = createDispatcher(handlersWith({}), quietLogger);
    const extra = await dispatch('topics.delete', { connectionId: 'embedded', topic: 'a', force: true });
    expect(extra.ok).toBe(false);
    const zero = await dispatch('topics.create', { connectionId: 'embedded', topic: 'a', partitions: 0, replicationFactor: 1 });
    expect(zero.ok ? null : zero.error.issues?.[0]).toEqual({ path: 'partitions', message: 'A topic needs at least 1 partition.' });
  });

  it('hands the handler the parsed request with defaults filled in', async () => {
    const create = vi.fn(async (request: { topic: string; partitions: number; replicationFactor: number; configs: Record<string, string> }) => ({
      topic: request.topic,
      partitions: request.partitions,
      replicationFactor: request.replicationFactor,
    }));
    const dispatch = createDispatcher(handlersWith({ 'topics.create': create }), quietLogger);
    const result = await dispatch('topics.create', { connectionId: 'embedded', topic: 'orders', partitions: 6, replicationFactor: 3 });
    expect(create).toHaveBeenCalledWith({ connectionId: 'embedded', topic: 'orders', partitions: 6, replicationFactor: 3, configs: {} });
    expect(result).toEqual({ ok: true, value: { topic: 'orders', partitions: 6, replicationFactor: 3 } });
  });

  it('validates produce requests: repeat, acks and headers', async () => {
    const parse = (request: object) => contract['produce.send'].request.safeParse(request);
    const base = { connectionId: 'embedded', topic: 't', key: null, value: 'v', headers: [], partition: null };
    expect(parse(base).success).toBe(true);
    expect(parse({ ...base, repeat: 0 }).success).toBe(false);
    expect(parse({ ...base, repeat: 10_001 }).success).toBe(false);
    expect(parse({ ...base, acks: 2 }).success).toBe(false);
    expect(parse({ ...base, partition: -1 }).success).toBe(false);
    expect(parse({ ...base, headers: [{ key: '', value: 'x' }] }).success).toBe(false);
  });

  it('validates saved connections: bootstrap servers, SASL mechanism', () => {
    const parse = (request: object) => contract['connections.save'].request.safeParse(request);
    expect(parse({ name: 'prod', bootstrapServers: 'a:9092,b:9093' }).success).toBe(true);
    expect(parse({ name: 'prod', bootstrapServers: 'a:9092, b' }).success).toBe(false);
    expect(parse({ name: 'prod', bootstrapServers: 'a:99999' }).success).toBe(false);
    expect(parse({ name: 'prod', bootstrapServers: 'a:9092', sasl: { mechanism: 'GSSAPI', username: 'u' } }).success).toBe(false);
    expect(parse({ name: 'prod', bootstrapServers: 'a:9092', sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' } }).success).toBe(true);
  });

  it('answers a service error as a typed result, never an exception', async () => {
    const dispatch = createDispatcher(
      handlersWith({
        'embedded.stopBroker': () => {
          throw new AppError('not-found', 'The embedded cluster has no broker 7.');
        },
      }),
      quietLogger,
    );
    await expect(dispatch('embedded.stopBroker', { brokerId: 7 })).resolves.toEqual({
      ok: false,
      error: { kind: 'not-found', message: 'The embedded cluster has no broker 7.' },
    });
  });

  it("puts Kafka's error codes into words", async () => {
    const dispatch = createDispatcher(
      handlersWith({
        'topics.create': () => {
          throw new ProtocolError('TOPIC_ALREADY_EXISTS', "Topic 'orders' already exists.");
        },
      }),
      quietLogger,
    );
    const result = await dispatch('topics.create', { connectionId: 'embedded', topic: 'orders', partitions: 1, replicationFactor: 1 });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'conflict', message: "A topic with this name already exists. (Topic 'orders' already exists.)", kafkaCode: 'TOPIC_ALREADY_EXISTS' },
    });
  });

  it('reports a bug as internal and logs it', async () => {
    const lines: string[] = [];
    const dispatch = createDispatcher(
      handlersWith({
        'settings.get': () => {
          throw new TypeError('boom');
        },
      }),
      createLogger({ write: (line) => lines.push(line), stacks: true }),
    );
    const result = await dispatch('settings.get', {});
    expect(result.ok ? null : result.error.kind).toBe('internal');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ERROR Unexpected error in an IPC handler channel=settings.get error=boom\nTypeError: boom\n/);
  });

  it('refuses to send a response that breaks the contract', async () => {
    const lines: string[] = [];
    const dispatch = createDispatcher(
      handlersWith({ 'embedded.status': () => ({ enabled: true }) as unknown as ReturnType<Handlers['embedded.status']> }),
      createLogger({ write: (line) => lines.push(line) }),
    );
    const result = await dispatch('embedded.status', {});
    expect(result.ok ? null : result.error.kind).toBe('internal');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ERROR Response of embedded.status does not match the contract error=');
  });
});

describe('EventHub', () => {
  it('delivers valid events to subscribers and refuses malformed ones', () => {
    const hub = new EventHub();
    const received: unknown[] = [];
    const unsubscribe = hub.subscribe((event, payload) => received.push([event, payload]));
    hub.emit('embedded.event', { type: 'broker', brokerId: 1, state: 'down', at: 1 });
    expect(() => hub.emit('embedded.event', { type: 'broker', brokerId: 1, state: 'sideways', at: 1 } as never)).toThrow();
    unsubscribe();
    hub.emit('embedded.event', { type: 'broker', brokerId: 1, state: 'up', at: 2 });
    expect(received).toEqual([['embedded.event', { type: 'broker', brokerId: 1, state: 'down', at: 1 }]]);
  });
});

describe('IPC limits are in UTF-8 bytes, not characters', () => {
  const produce = { connectionId: 'embedded', topic: 't', key: null, headers: [], partition: null };

  it("refuses a produce of 9 million 'é' (18 MB, under 10 million characters) with a clear message", async () => {
    const send = vi.fn();
    const dispatch = createDispatcher(handlersWith({ 'produce.send': send }), quietLogger);
    const result = await dispatch('produce.send', { ...produce, value: 'é'.repeat(9e6) });
    expect(send).not.toHaveBeenCalled();
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'invalid-request',
        message: 'The value can be at most 10 MB in UTF-8; this one is 18 MB.',
        issues: [{ path: 'value', message: 'The value can be at most 10 MB in UTF-8; this one is 18 MB.' }],
      },
    });
  });

  it('accepts exactly the limit in bytes, whatever the characters, and refuses one byte more', async () => {
    const send = vi.fn(() => ({ topic: 't', records: [], failed: [], acknowledged: false, durationMs: 0 }));
    const dispatch = createDispatcher(handlersWith({ 'produce.send': send }), quietLogger);
    // 2,500,000 four-byte characters (surrogate pairs: 5,000,000 UTF-16 units) are exactly 10 MB.
    expect((await dispatch('produce.send', { ...produce, value: '😀'.repeat(2_500_000) })).ok).toBe(true);
    const over = await dispatch('produce.send', { ...produce, value: `${'😀'.repeat(2_500_000)}a` });
    expect(over.ok ? null : over.error.issues).toEqual([
      { path: 'value', message: 'The value can be at most 10,000,000 bytes in UTF-8; this one is 10,000,001 bytes.' },
    ]);
    // Header values and config values count bytes too: 40,000 emoji are 80,000 units but 160 KB.
    const header = await dispatch('produce.send', { ...produce, value: 'v', headers: [{ key: 'h', value: '😀'.repeat(40_000) }] });
    expect(header.ok ? null : header.error.message).toBe('A header value can be at most 100 KB in UTF-8; this one is 160 KB.');
    const config = await dispatch('topics.create', {
      connectionId: 'embedded',
      topic: 'a',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'cleanup.policy': '😀'.repeat(40_000) },
    });
    expect(config.ok ? null : config.error.message).toBe('A config value can be at most 100 KB in UTF-8; this one is 160 KB.');
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('counts a lone surrogate as the 3 bytes it is sent as', async () => {
    const { utf8ByteLength } = await import('../../shared/model/schemas');
    for (const text of ['', 'a', 'é', '€', '😀', '\ud800', '\udc00x', 'a\ud83d', '😀\ud83d😀']) {
      expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text));
    }
  });
});

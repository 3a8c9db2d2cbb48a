/**
 * The app's schema service (#17) against the real embedded registry of a real embedded cluster: the
 * registry each connection uses, subjects and versions, compatibility checked before registering
 * (Confluent's reasons in the error, nothing stored), levels, deletes, the topics a subject belongs to,
 * and bad input refused with clear words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CONNECTION_ID } from '../../shared/model/schemas';
import { startCore, type TestCore } from './helpers';

const connectionId = EMBEDDED_CONNECTION_ID;
const orderV1 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
});
const orderV2 = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});
// A new required field without a default: old data cannot be read (BACKWARD fails).
const orderBroken = JSON.stringify({
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'customer', type: 'string' },
  ],
});

let t: TestCore;

beforeAll(async () => {
  t = await startCore({ brokers: 1 });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('schema registries per connection', () => {
  it('the embedded connection uses the embedded registry; its URL is the cluster status one', async () => {
    const summary = await t.ok('schemas.registry', { connectionId });
    expect(summary).toMatchObject({ kind: 'embedded', url: t.core.embedded.status().schemaRegistryUrl, problem: null });
  });

  it('an external registry keeps its secret in the main process and says when it is gone', async () => {
    const saved = await t.ok('connections.save', { name: 'elsewhere', bootstrapServers: t.bootstrapServers });
    const url = t.core.embedded.status().schemaRegistryUrl!;
    const summary = await t.ok('schemas.setRegistry', {
      connectionId: saved.id,
      registry: { kind: 'external', url, auth: { kind: 'basic', username: 'alice', password: 's3cret' } },
    });
    expect(summary).toEqual({
      connectionId: saved.id,
      kind: 'external',
      url,
      auth: { kind: 'basic', username: 'alice', hasSecret: true },
      rejectUnauthorized: true,
      problem: null,
    });
    expect(JSON.stringify(summary)).not.toContain('s3cret');
    // The embedded registry takes any credentials: the call works through the external settings.
    expect((await t.ok('schemas.subjects', { connectionId: saved.id })).url).toBe(url);
    // Editing without retyping the password keeps it.
    const kept = await t.ok('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url, auth: { kind: 'basic', username: 'bob' } } });
    expect(kept.auth).toEqual({ kind: 'basic', username: 'bob', hasSecret: true });
    // A new bearer token must be typed in.
    const refused = await t.call('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url, auth: { kind: 'bearer' } } });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: 'Enter the bearer token.' } });
    // Only the embedded connection can use the embedded registry.
    const embeddedElsewhere = await t.call('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'embedded' } });
    expect(embeddedElsewhere).toMatchObject({ ok: false, error: { message: "Only the embedded cluster's connection can use the embedded schema registry." } });
    // Bad input is refused by the contract, naming the field.
    const badUrl = await t.call('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url: 'ftp://x' } });
    expect(badUrl).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    // No registry: a clear error, not a failed call to nowhere.
    await t.ok('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'none' } });
    const none = await t.call('schemas.subjects', { connectionId: saved.id });
    expect(none).toMatchObject({ ok: false, error: { kind: 'not-found', message: 'This connection has no schema registry. Set one on the Schemas screen.' } });
    // Nothing listens: said in words.
    await t.ok('schemas.setRegistry', { connectionId: saved.id, registry: { kind: 'external', url: 'http://127.0.0.1:1' } });
    const refusedConnection = await t.call('schemas.subjects', { connectionId: saved.id });
    expect(refusedConnection).toMatchObject({
      ok: false,
      error: { kind: 'unavailable', message: 'The schema registry at http://127.0.0.1:1 cannot be reached: nothing listens there.' },
    });
    await t.ok('connections.delete', { id: saved.id });
  });
});

describe('subjects', () => {
  it('registers, lists, evolves compatibly, refuses an incompatible schema with the reasons, and stores nothing then', async () => {
    await t.ok('topics.create', { connectionId, topic: 'orders', partitions: 1, replicationFactor: 1 });
    const first = await t.ok('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: orderV1 });
    expect(first).toMatchObject({ version: 1, existed: false });
    // The same schema again: the same id and version, found, not added.
    expect(await t.ok('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: orderV1 })).toEqual({ ...first, existed: true });

    const compatible = await t.ok('schemas.check', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: orderV2 });
    expect(compatible).toEqual({ compatible: true, level: 'BACKWARD', messages: [], checked: true });
    const second = await t.ok('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: orderV2 });
    expect(second.version).toBe(2);

    const incompatible = await t.ok('schemas.check', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: orderBroken });
    expect(incompatible.compatible).toBe(false);
    expect(incompatible.messages.join(' ')).toMatch(/customer/);
    const refused = await t.call('schemas.register', { connectionId, subject: 'orders-value', schemaType: 'AVRO', schema: orderBroken });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe('conflict');
      expect(refused.error.message).toMatch(/^The schema is not BACKWARD compatible with "orders-value": .*customer/);
    }

    const list = await t.ok('schemas.subjects', { connectionId });
    expect(list.globalCompatibility).toBe('BACKWARD');
    expect(list.subjects).toEqual([
      { name: 'orders-value', schemaType: 'AVRO', latestVersion: 2, latestId: second.id, versionCount: 2, compatibility: null, error: null },
    ]);
    const detail = await t.ok('schemas.subject', { connectionId, subject: 'orders-value' });
    expect(detail.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(detail.versions[0]!.recordNames).toEqual(['shop.Order']);
    expect(detail).toMatchObject({ compatibility: 'BACKWARD', compatibilityOverride: false, deletedVersions: [] });

    expect(await t.ok('schemas.usage', { connectionId, subject: 'orders-value' })).toEqual({
      topics: [{ topic: 'orders', field: 'value', strategy: 'TopicNameStrategy' }],
      recordNames: ['shop.Order'],
    });
    expect(await t.ok('schemas.subjectsOfId', { connectionId, id: second.id })).toEqual([{ subject: 'orders-value', version: 2 }]);
  });

  it('refuses invalid schema text with the reason and stores nothing', async () => {
    const invalid = await t.call('schemas.register', { connectionId, subject: 'bad-value', schemaType: 'AVRO', schema: '{"type":"record","name":"X"' });
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    if (!invalid.ok) expect(invalid.error.message).toMatch(/^The schema is not valid: the schema is not valid JSON/);
    const proto = await t.call('schemas.register', { connectionId, subject: 'bad-value', schemaType: 'PROTOBUF', schema: 'message X { strin a = 1; }' });
    expect(proto).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    const empty = await t.call('schemas.register', { connectionId, subject: 'bad-value', schemaType: 'JSON', schema: '   ' });
    expect(empty).toMatchObject({ ok: false, error: { kind: 'invalid-request', message: 'Paste the schema text.' } });
    const names = (await t.ok('schemas.subjects', { connectionId })).subjects.map((s) => s.name);
    expect(names).not.toContain('bad-value');
  });

  it('changes compatibility levels and deletes softly, then for good', async () => {
    expect(await t.ok('schemas.setCompatibility', { connectionId, subject: 'orders-value', level: 'NONE' })).toEqual({ compatibility: 'NONE' });
    expect(await t.ok('schemas.subject', { connectionId, subject: 'orders-value' })).toMatchObject({ compatibility: 'NONE', compatibilityOverride: true });
    expect(await t.ok('schemas.setCompatibility', { connectionId, subject: 'orders-value', level: null })).toEqual({ compatibility: 'BACKWARD' });

    const hardFirst = await t.call('schemas.delete', { connectionId, subject: 'orders-value', version: 1, permanent: true });
    expect(hardFirst).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(await t.ok('schemas.delete', { connectionId, subject: 'orders-value', version: 1, permanent: false })).toEqual({ versions: [1] });
    expect(await t.ok('schemas.subject', { connectionId, subject: 'orders-value' })).toMatchObject({ deletedVersions: [1] });
    expect(await t.ok('schemas.delete', { connectionId, subject: 'orders-value', version: 1, permanent: true })).toEqual({ versions: [1] });
    expect(await t.ok('schemas.subject', { connectionId, subject: 'orders-value' })).toMatchObject({ deletedVersions: [] });

    const missing = await t.call('schemas.subject', { connectionId, subject: 'nope-value' });
    expect(missing).toMatchObject({ ok: false, error: { kind: 'not-found', message: 'The registry has no subject "nope-value".' } });
  });
});

// The topics screen's admin calls on the embedded cluster: internal topics on request, and settings
// sections saved apart (the theme beside the embedded cluster's settings).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type TestCore } from './helpers';
import { eventually } from '../support/wait';
import { topicConfigDoc } from '../../shared/model/topic-config-docs';

const connectionId = 'embedded';

describe('topics admin on the embedded cluster', () => {
  let app: TestCore;
  beforeAll(async () => {
    app = await startCore({ brokers: 1 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists internal topics only when asked, each marked internal', async () => {
    await app.ok('topics.create', { connectionId, topic: 'adm.orders', partitions: 1, replicationFactor: 1 });
    // A group's coordinator lookup makes the cluster create __consumer_offsets.
    await app.call('groups.describe', { connectionId, group: 'adm-group' });
    const withInternal = await eventually(
      () => app.ok('topics.list', { connectionId, includeInternal: true }),
      (topics) => topics.some((topic) => topic.name === '__consumer_offsets'),
      30_000,
    );
    expect(withInternal.find((topic) => topic.name === '__consumer_offsets')).toMatchObject({ internal: true });
    expect(withInternal.find((topic) => topic.name === 'adm.orders')?.internal).toBeUndefined();
    const userTopics = await app.ok('topics.list', { connectionId });
    expect(userTopics.map((topic) => topic.name)).not.toContain('__consumer_offsets');
    expect(userTopics.map((topic) => topic.name)).toContain('adm.orders');
    const stats = await app.ok('topics.stats', { connectionId, includeInternal: true });
    expect(stats.find((topic) => topic.name === '__consumer_offsets')).toBeDefined();
  });

  it('marks topics internal by convention (_schemas, __-prefixed) though Metadata does not', async () => {
    await app.ok('topics.create', { connectionId, topic: '_schemas', partitions: 1, replicationFactor: 1 });
    const topics = await app.ok('topics.list', { connectionId });
    expect(topics.find((topic) => topic.name === '_schemas')).toMatchObject({ internal: true });
  });

  it("describes every topic config the cluster reports, with Kafka's documented default", async () => {
    const configs = await app.ok('topics.configs', { connectionId, topic: 'adm.orders' });
    expect(configs.length).toBeGreaterThan(20);
    expect(configs.filter((config) => !topicConfigDoc(config.name)).map((config) => config.name)).toEqual([]);
    // Where the cluster reports Kafka's own default, the documented one is the same.
    for (const config of configs.filter((entry) => entry.source === 'default' && !entry.sensitive)) {
      expect({ name: config.name, value: config.value ?? '' }).toEqual({ name: config.name, value: topicConfigDoc(config.name)?.kafkaDefault });
    }
  });

  it('saves the theme without touching the embedded settings, and the reverse', async () => {
    const before = await app.ok('settings.get', {});
    const themed = await app.ok('settings.update', { appearance: { theme: 'dark' } });
    expect(themed).toEqual({ ...before, appearance: { theme: 'dark' } });
    const embedded = await app.ok('settings.update', { embedded: { ...before.embedded, brokers: 2 } });
    expect(embedded.appearance).toEqual({ theme: 'dark' });
    expect(embedded.embedded.brokers).toBe(2);
    const refused = await app.call('settings.update', { appearance: { theme: 'sepia' as 'dark' } });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-request' } });
    expect((await app.ok('settings.get', {})).appearance).toEqual({ theme: 'dark' });
  });
});

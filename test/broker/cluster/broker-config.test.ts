import { describe, expect, it } from 'vitest';
import { BrokerConfigView, ConfigSource, validateBrokerConfigs } from '../../../electron/broker/cluster/broker-config';
import { parseLogConfig } from '../../../electron/broker/log/log-config';

describe('broker configs', () => {
  it('layer dynamic per-broker over dynamic default over static over Kafka defaults', () => {
    let perBroker: Record<string, string> = {};
    const view = new BrokerConfigView(
      { 'num.partitions': '3', 'log.retention.bytes': '100' },
      () => perBroker,
      () => ({ 'log.retention.bytes': '200' }),
    );
    expect(view.resolve('num.partitions')).toMatchObject({ value: '3', source: ConfigSource.STATIC_BROKER_CONFIG, readOnly: true });
    expect(view.resolve('log.retention.bytes')).toMatchObject({ value: '200', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, readOnly: false });
    perBroker = { 'log.retention.bytes': '300' };
    expect(view.resolve('log.retention.bytes')).toMatchObject({ value: '300', source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    expect(view.resolve('auto.create.topics.enable')).toMatchObject({ value: 'true', source: ConfigSource.DEFAULT_CONFIG });
    expect(view.int('socket.request.max.bytes')).toBe(104857600);
  });

  it('derive topic defaults from broker synonyms, scaling hours and minutes', () => {
    const view = new BrokerConfigView(
      { 'log.retention.hours': '2', 'message.max.bytes': '5000' },
      () => ({}),
      () => ({}),
    );
    const defaults = view.topicDefaults();
    expect(defaults['retention.ms']).toBe(String(2 * 3_600_000));
    expect(defaults['max.message.bytes']).toBe('5000');
    expect(view.topicSynonyms('retention.ms').map((s) => s.name)).toEqual(['log.retention.hours']);
    const minutes = new BrokerConfigView(
      { 'log.retention.hours': '2', 'log.retention.minutes': '5' },
      () => ({}),
      () => ({}),
    );
    expect(minutes.topicDefaults()['retention.ms']).toBe('300000');
    const parsed = parseLogConfig({}, defaults);
    expect(parsed.ok && parsed.config.retentionMs).toBe(7_200_000);
  });

  it('refuse unknown names, bad values and static configs at run time', () => {
    expect(validateBrokerConfigs({ 'num.partitions': '0' })[0]?.message).toMatch(/num.partitions/);
    expect(validateBrokerConfigs({ 'no.such.config': '1' })[0]?.message).toMatch(/Unknown/);
    expect(validateBrokerConfigs({ 'num.partitions': '2' }, { dynamicOnly: true })[0]?.message).toMatch(/read-only/);
    expect(validateBrokerConfigs({ 'log.retention.ms': '1000' }, { dynamicOnly: true })).toEqual([]);
  });
});

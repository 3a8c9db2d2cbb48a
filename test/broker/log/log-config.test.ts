import { describe, expect, it } from 'vitest';
import {
  LONG_MAX,
  TOPIC_CONFIG_DEFS,
  TOPIC_CONFIGS,
  parseConfigValue,
  parseLogConfig,
  resolveTopicConfigs,
  validateTopicConfigs,
} from '../../../electron/broker/log/log-config';

describe('log config', () => {
  it('has Kafka defaults', () => {
    const r = parseLogConfig();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      indexIntervalBytes: 4096,
      retentionMs: 604800000,
      retentionBytes: -1,
      cleanupPolicy: ['delete'],
      deleteRetentionMs: 86400000,
      minCompactionLagMs: 0,
      messageTimestampType: 'CreateTime',
      maxMessageBytes: 1048588,
      fileDeleteDelayMs: 60000,
      compressionType: 'producer',
      minInsyncReplicas: 1,
      uncleanLeaderElectionEnable: false,
    });
    expect(r.config.flushMessages).toBeGreaterThan(9e18);
    expect(r.config.raw['flush.ms']).toBe(LONG_MAX);
    expect(TOPIC_CONFIG_DEFS.length).toBeGreaterThan(30);
    for (const d of TOPIC_CONFIG_DEFS) {
      expect(d.doc.length).toBeGreaterThan(10);
      if (d.default !== null) expect(parseConfigValue(d, d.default)).not.toHaveProperty('error');
    }
  });

  it('applies overrides over broker defaults and reports errors per key', () => {
    const r = parseLogConfig(
      { 'retention.ms': '-1', 'cleanup.policy': 'compact,delete', 'message.timestamp.type': 'LogAppendTime' },
      { 'retention.ms': '5', 'segment.bytes': '4096' },
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.config.retentionMs).toBe(-1);
      expect(r.config.segmentBytes).toBe(4096);
      expect(r.config.cleanupPolicy).toEqual(['compact', 'delete']);
      expect(r.config.messageTimestampType).toBe('LogAppendTime');
    }
    const bad = parseLogConfig({
      'retention.ms': 'abc',
      'segment.bytes': '3',
      'cleanup.policy': 'compact,shred',
      'min.cleanable.dirty.ratio': '1.5',
      'unclean.leader.election.enable': 'maybe',
      'message.timestamp.type': 'Whenever',
      'max.message.bytes': '99999999999',
      'no.such.config': '1',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      const byKey = Object.fromEntries(bad.errors.map((e) => [e.key, e.message]));
      expect(byKey['retention.ms']).toBe("retention.ms must be a long >= -1, got 'abc'");
      expect(byKey['segment.bytes']).toBe("segment.bytes must be an int >= 14, got '3'");
      expect(byKey['cleanup.policy']).toMatch(/shred/);
      expect(byKey['min.cleanable.dirty.ratio']).toBe("min.cleanable.dirty.ratio must be a double in [0, 1], got '1.5'");
      expect(byKey['unclean.leader.election.enable']).toMatch(/boolean/);
      expect(byKey['message.timestamp.type']).toMatch(/CreateTime, LogAppendTime/);
      expect(byKey['max.message.bytes']).toMatch(/int/);
      expect(byKey['no.such.config']).toBe('Unknown topic config name: no.such.config');
    }
  });

  it('validates special values and lists', () => {
    expect(validateTopicConfigs({ 'compression.gzip.level': '-1' })).toEqual([]);
    expect(validateTopicConfigs({ 'compression.gzip.level': '0' }).length).toBe(1);
    expect(validateTopicConfigs({ 'compression.type': 'ZSTD' })).toEqual([]);
    expect(validateTopicConfigs({ 'leader.replication.throttled.replicas': '0:1,1:2' })).toEqual([]);
    expect(validateTopicConfigs({ 'leader.replication.throttled.replicas': '*' })).toEqual([]);
    expect(validateTopicConfigs({ 'leader.replication.throttled.replicas': 'x' }).length).toBe(1);
    expect(TOPIC_CONFIGS.get('retention.ms')?.brokerSynonym).toBe('log.retention.ms');
    expect(resolveTopicConfigs({ 'retention.ms': '1' })['retention.ms']).toBe('1');
  });
});

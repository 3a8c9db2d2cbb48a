import { describe, expect, it } from 'vitest';
import { readableConfigValue } from '../../renderer/src/features/topics/config-units';

describe('readable config values', () => {
  it('says milliseconds, hours and bytes in units a person reads', () => {
    expect(readableConfigValue('retention.ms', '604800000')).toBe('7 d');
    expect(readableConfigValue('log.retention.hours', '168')).toBe('7 d');
    expect(readableConfigValue('segment.ms', '129600000')).toBe('1.5 d');
    expect(readableConfigValue('file.delete.delay.ms', '60000')).toBe('1 min');
    expect(readableConfigValue('segment.bytes', '1073741824')).toBe('1.0 GiB');
    expect(readableConfigValue('max.message.bytes', '1048588')).toBe('1.0 MiB');
    expect(readableConfigValue('max.compaction.lag.ms', '9223372036854775807')).toBe('no limit');
  });

  it('adds nothing where the raw value is already plain or not a number', () => {
    expect(readableConfigValue('retention.ms', '-1')).toBeNull();
    expect(readableConfigValue('flush.ms', '500')).toBeNull();
    expect(readableConfigValue('cleanup.policy', 'delete')).toBeNull();
    expect(readableConfigValue('min.insync.replicas', '2')).toBeNull();
    expect(readableConfigValue('retention.ms', null)).toBeNull();
  });
});

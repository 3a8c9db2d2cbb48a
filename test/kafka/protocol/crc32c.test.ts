import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../electron/kafka/protocol/crc32c';

describe('crc32c', () => {
  it('matches the standard check value and known vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('continues from an initial value and accepts plain Uint8Arrays', () => {
    const data = Buffer.from('hello, kafka desk');
    const whole = crc32c(data);
    expect(crc32c(data.subarray(7), crc32c(data.subarray(0, 7)))).toBe(whole);
    expect(crc32c(new Uint8Array(data))).toBe(whole);
  });
});

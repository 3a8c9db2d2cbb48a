// Record templates and file splitting for the produce form: pure logic, no cluster.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandTemplate, parseTemplate, type TemplateGenerators } from '../../shared/model/record-template';
import { MAX_PRODUCE_FILE_BYTES, readRecordValues, splitRecordLines } from '../../electron/services/produce/file-source';

const fixed = (random = 0): TemplateGenerators => ({
  uuid: () => '00000000-0000-4000-8000-000000000000',
  random: () => random,
  now: Date.UTC(2026, 11, 6, 9, 40),
});

function expand(template: string, index: number, generators = fixed()): string {
  const parsed = parseTemplate(template);
  if (!parsed.ok) throw new Error(parsed.error);
  return expandTemplate(parsed.parts, index, generators);
}

describe('record templates', () => {
  it('counts, dates and identifies each record', () => {
    expect(expand('order-{{seq}}', 0)).toBe('order-1');
    expect(expand('order-{{seq}}', 41)).toBe('order-42');
    expect(expand('{{ seq 100 }}', 2)).toBe('102');
    expect(expand('{"id":"{{uuid}}","at":"{{now}}","ms":{{now ms}}}', 0)).toBe(
      '{"id":"00000000-0000-4000-8000-000000000000","at":"2026-12-06T09:40:00.000Z","ms":1796550000000}',
    );
  });

  it('chooses among choices and within a range with the random source', () => {
    expect(expand('{{oneOf red, green ,blue}}', 0, fixed(0))).toBe('red');
    expect(expand('{{oneOf red, green ,blue}}', 0, fixed(0.5))).toBe('green');
    expect(expand('{{oneOf red, green ,blue}}', 0, fixed(0.999999))).toBe('blue');
    expect(expand('{{int 1,6}}', 0, fixed(0))).toBe('1');
    expect(expand('{{int 1,6}}', 0, fixed(0.999999))).toBe('6');
    expect(expand('{{int -5,-5}}', 0, fixed(0.5))).toBe('-5');
  });

  it('leaves text without placeholders as it is, braces of JSON included', () => {
    expect(expand('{"a": {"b": 1}}', 3)).toBe('{"a": {"b": 1}}');
    expect(expand('', 0)).toBe('');
  });

  it.each([
    ['{{seq', 'A placeholder opened with {{ is not closed with }} (at character 1).'],
    [
      'x {{name}}',
      '{{name}} is not a placeholder. Use {{seq}}, {{uuid}}, {{now}}, {{oneOf a,b}} or {{int 1,9}}, or turn templates off to send braces as they are.',
    ],
    ['{{process.exit()}}', /^\{\{process\.exit\(\)\}\} is not a placeholder/],
    ['{{oneOf a,,b}}', '{{oneOf …}} needs comma-separated choices, none empty, such as {{oneOf red,green,blue}}.'],
    ['{{oneOf}}', '{{oneOf …}} needs comma-separated choices, none empty, such as {{oneOf red,green,blue}}.'],
    ['{{seq -1}}', '{{seq -1}}: the start is a whole number, 0 or more, such as {{seq 100}}.'],
    ['{{int 9,1}}', '{{int 9,1}}: the first number is the smallest.'],
    ['{{int 1}}', '{{int …}} needs two whole numbers, such as {{int 1,100}}.'],
    ['{{now yesterday}}', '{{now yesterday}}: write {{now}} for ISO 8601 or {{now ms}} for milliseconds.'],
  ])('refuses %j, saying why', (template, message) => {
    const parsed = parseTemplate(template);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe('records from a file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-desk-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('splits LF and CRLF lines, skipping blank ones', () => {
    expect(splitRecordLines('a\nb\r\nc\n')).toEqual(['a', 'b', 'c']);
    expect(splitRecordLines('\n\n{"x":1}\n   \n{"x":2}')).toEqual(['{"x":1}', '{"x":2}']);
    expect(() => splitRecordLines('\n \r\n')).toThrow('The file has no lines with text: nothing to send.');
    expect(() => splitRecordLines('x\n'.repeat(10_001))).toThrow('The file has 10,001 lines with text; a send takes at most 10,000 records. Split the file.');
  });

  it('reads a file as lines or as one value', async () => {
    const file = path.join(dir, 'orders.jsonl');
    await writeFile(file, '{"id":1}\n{"id":2}\n');
    expect(await readRecordValues(file, 'lines')).toEqual(['{"id":1}', '{"id":2}']);
    expect(await readRecordValues(file, 'whole')).toEqual(['{"id":1}\n{"id":2}\n']);
  });

  it('refuses what it cannot send, in words', async () => {
    await expect(readRecordValues('orders.jsonl', 'lines')).rejects.toThrow(
      `Give the file's full path (such as /home/me/orders.jsonl); "orders.jsonl" is relative.`,
    );
    await expect(readRecordValues(path.join(dir, 'missing.txt'), 'lines')).rejects.toThrow(`There is no file at ${path.join(dir, 'missing.txt')}.`);
    await mkdir(path.join(dir, 'folder'));
    await expect(readRecordValues(path.join(dir, 'folder'), 'whole')).rejects.toThrow('is a folder; choose a file.');
    const binary = path.join(dir, 'image.bin');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00]));
    await expect(readRecordValues(binary, 'whole')).rejects.toThrow('"image.bin" is not UTF-8 text; the form sends text values.');
    const large = path.join(dir, 'large.txt');
    await writeFile(large, Buffer.alloc(MAX_PRODUCE_FILE_BYTES + 1, 0x61));
    await expect(readRecordValues(large, 'lines')).rejects.toThrow(
      '"large.txt" is 16,777,217 bytes; a file to send line by line can be at most 16,777,216 bytes.',
    );
    await expect(readRecordValues(large, 'whole')).rejects.toThrow('"large.txt" is 16.8 MB; a value can be at most 10 MB.');
  });
});

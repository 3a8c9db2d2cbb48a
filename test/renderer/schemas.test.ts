// The Schemas screens' pure parts: the side-by-side diff of two versions, Confluent's compatibility
// messages in words, and the subject search.
import { describe, expect, it } from 'vitest';
import { diffLines, displaySchema } from '../../renderer/src/features/schemas/diff';
import { describeCompatibilityMessages, visibleSubjects } from '../../renderer/src/features/schemas/schemas-slice';
import type { SubjectSummary } from '../../shared/model/registry';

describe('schema diff', () => {
  it('pairs changed lines side by side and leaves a blank beside added and removed ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { left: 'a', right: 'a', kind: 'same' },
      { left: 'b', right: 'B', kind: 'changed' },
      { left: 'c', right: 'c', kind: 'same' },
      { left: null, right: 'd', kind: 'added' },
    ]);
    expect(diffLines('x\ny', 'y')).toEqual([
      { left: 'x', right: null, kind: 'removed' },
      { left: 'y', right: 'y', kind: 'same' },
    ]);
    expect(diffLines('same', 'same').every((row) => row.kind === 'same')).toBe(true);
  });

  it('lays JSON schemas out one property per line; Protobuf stays as written', () => {
    expect(displaySchema('{"type":"string"}', 'AVRO')).toBe('{\n  "type": "string"\n}');
    expect(displaySchema('not json', 'JSON')).toBe('not json');
    expect(displaySchema('  message A {}\n', 'PROTOBUF')).toBe('message A {}');
  });
});

describe('compatibility messages', () => {
  it("keeps each difference's description and the version checked, drops the old schema's text", () => {
    expect(
      describeCompatibilityMessages([
        "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'customer' at path '/fields' in the new schema has no default value and is missing in the old schema', additionalInfo:'customer'}",
        '{oldSchemaVersion: 1}',
        `{oldSchema: '{"type":"record"}'}`,
        "{validateFields: 'false', compatibility: 'BACKWARD'}",
        'Incompatible because of different schema type',
      ]),
    ).toEqual([
      "The field 'customer' at path '/fields' in the new schema has no default value and is missing in the old schema (READER_FIELD_MISSING_DEFAULT_VALUE).",
      'Checked against version 1.',
      'Incompatible because of different schema type',
    ]);
  });
});

describe('subject search', () => {
  const subject = (name: string, schemaType: SubjectSummary['schemaType'], compatibility: SubjectSummary['compatibility'] = null): SubjectSummary => ({
    name,
    schemaType,
    latestVersion: 1,
    latestId: 1,
    versionCount: 1,
    compatibility,
    error: null,
  });
  const all = [subject('payments-value', 'AVRO'), subject('orders-value', 'PROTOBUF', 'FULL'), subject('orders-key', 'JSON')];
  it('matches names, types and levels, sorted by name', () => {
    expect(visibleSubjects(all, '').map((s) => s.name)).toEqual(['orders-key', 'orders-value', 'payments-value']);
    expect(visibleSubjects(all, 'ORDERS').map((s) => s.name)).toEqual(['orders-key', 'orders-value']);
    expect(visibleSubjects(all, 'protobuf').map((s) => s.name)).toEqual(['orders-value']);
    expect(visibleSubjects(all, 'full').map((s) => s.name)).toEqual(['orders-value']);
  });
});

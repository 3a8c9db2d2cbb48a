/**
 * Compatibility rules per format and level, on the format parsers directly: Avro's schema resolution,
 * Confluent's Protobuf rules and its JSON Schema rules (open, closed and partially open content
 * models), and how levels pick the versions and directions checked.
 */
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../../electron/broker/registry/compatibility';
import { avroCanonical, avroFormat } from '../../../electron/kafka/schemas/formats/avro';
import { jsonSchemaFormat } from '../../../electron/kafka/schemas/formats/json-schema';
import { protobufFormat } from '../../../electron/kafka/schemas/formats/protobuf';
import type { ParsedSchema, SchemaFormat } from '../../../electron/kafka/schemas/formats/types';
import type { CompatibilityLevel } from '../../../electron/broker/registry/records';

const parse = (format: SchemaFormat, schema: unknown) => format.parse(typeof schema === 'string' ? schema : JSON.stringify(schema), [], { normalize: false });
const avro = (schema: unknown) => parse(avroFormat, schema);
const proto = (text: string) => parse(protobufFormat, `syntax = "proto3";\npackage p;\n${text}`);
const json = (schema: unknown) => parse(jsonSchemaFormat, schema);

/** The differences that stop `next` from reading data written with `previous` (BACKWARD). */
const backward = (previous: ParsedSchema, next: ParsedSchema) => checkCompatibility('BACKWARD', next, [{ version: 1, parsed: previous }]);
const errorTypes = (messages: string[]) => messages.filter((m) => m.includes('errorType')).map((m) => /errorType:["']([A-Z_]+)/.exec(m)![1]);

describe('levels', () => {
  const v1 = avro({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] });
  const v2 = avro({
    type: 'record',
    name: 'R',
    fields: [
      { name: 'a', type: 'int' },
      { name: 'b', type: 'string', default: '' },
    ],
  });
  const v3 = avro({ type: 'record', name: 'R', fields: [{ name: 'b', type: 'string', default: '' }] });
  const addRequired = avro({
    type: 'record',
    name: 'R',
    fields: [
      { name: 'a', type: 'int' },
      { name: 'c', type: 'string' },
    ],
  });
  const history = (...schemas: ParsedSchema[]) => schemas.map((parsed, i) => ({ version: i + 1, parsed }));
  const check = (level: CompatibilityLevel, next: ParsedSchema, ...previous: ParsedSchema[]) => checkCompatibility(level, next, history(...previous));

  it('BACKWARD: new reads old; adding a field needs a default', () => {
    expect(check('BACKWARD', v2, v1)).toEqual([]);
    expect(errorTypes(check('BACKWARD', addRequired, v1))).toEqual(['READER_FIELD_MISSING_DEFAULT_VALUE']);
    expect(check('BACKWARD', addRequired, v1)).toContain('{oldSchemaVersion: 1}');
  });

  it('FORWARD: old reads new; removing a field without default breaks it', () => {
    expect(check('FORWARD', addRequired, v1)).toEqual([]);
    expect(check('FORWARD', v3, v2)).not.toEqual([]);
    expect(check('FORWARD', v1, v2)).toEqual([]);
  });

  it('FULL: both directions', () => {
    expect(check('FULL', v2, v1)).toEqual([]);
    expect(check('FULL', addRequired, v1)).not.toEqual([]);
  });

  it('transitive levels check every version, plain ones only the latest', () => {
    // v3 (only b) reads v2 (a, b) but not v1 (only a: b gets its default... a is dropped: fine) —
    // use a chain where only the oldest breaks: int -> long promotion is one-way.
    const i = avro({ type: 'record', name: 'N', fields: [{ name: 'x', type: 'int' }] });
    const l = avro({ type: 'record', name: 'N', fields: [{ name: 'x', type: 'long' }] });
    const s = avro({
      type: 'record',
      name: 'N',
      fields: [
        { name: 'x', type: 'long' },
        { name: 'y', type: 'int', default: 0 },
      ],
    });
    expect(check('FORWARD', s, i, l)).toEqual([]); // l reads s
    expect(check('FORWARD_TRANSITIVE', s, i, l)).not.toEqual([]); // i cannot read a long
    expect(check('BACKWARD_TRANSITIVE', s, i, l)).toEqual([]);
    expect(check('FULL_TRANSITIVE', s, i, l)).not.toEqual([]);
    expect(check('NONE', addRequired, v1)).toEqual([]);
  });

  it('different schema types are incompatible', () => {
    expect(check('BACKWARD', json({ type: 'string' }), avro('"string"'))).toEqual(['Incompatible because of different schema type']);
  });
});

describe('Avro', () => {
  it('follows schema resolution: promotions, unions, enums, renames by alias', () => {
    const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => avro({ type: 'record', name: 'R', ...extra, fields });
    expect(backward(rec([{ name: 'a', type: 'int' }]), rec([{ name: 'a', type: 'long' }]))).toEqual([]);
    expect(errorTypes(backward(rec([{ name: 'a', type: 'long' }]), rec([{ name: 'a', type: 'int' }])))).toEqual(['TYPE_MISMATCH']);
    expect(backward(rec([{ name: 'a', type: 'string' }]), rec([{ name: 'a', type: ['null', 'string'] }]))).toEqual([]);
    expect(backward(rec([{ name: 'a', type: ['null', 'string'] }]), rec([{ name: 'a', type: 'string' }]))).not.toEqual([]);
    const e2 = rec([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]);
    const e1 = rec([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }]);
    const e1d = rec([{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'], default: 'A' } }]);
    expect(backward(e1, e2)).toEqual([]);
    expect(errorTypes(backward(e2, e1))).toEqual(['MISSING_ENUM_SYMBOLS']);
    expect(backward(e2, e1d)).toEqual([]);
    expect(backward(rec([{ name: 'a', type: 'int' }]), rec([{ name: 'b', type: 'int', aliases: ['a'] }]))).toEqual([]);
    expect(backward(rec([{ name: 'a', type: 'int' }]), rec([{ name: 'b', type: 'int' }]))).not.toEqual([]);
    // As Java's check: a changed namespace keeps the name, a changed name needs an alias.
    expect(backward(rec([{ name: 'a', type: 'int' }], { namespace: 'old.ns' }), rec([{ name: 'a', type: 'int' }], { namespace: 'new.ns' }))).toEqual([]);
    expect(errorTypes(backward(avro({ type: 'record', name: 'A', fields: [] }), avro({ type: 'record', name: 'B', fields: [] })))).toEqual(['NAME_MISMATCH']);
    expect(backward(avro({ type: 'record', name: 'A', fields: [] }), avro({ type: 'record', name: 'B', aliases: ['A'], fields: [] }))).toEqual([]);
  });

  it("stores Java's canonical string: attribute order, plain primitives, named types once", () => {
    const schema = {
      fields: [
        { type: { type: 'string' }, name: 'a', doc: 'x' },
        { name: 'b', type: { name: 'Inner', type: 'record', fields: [] }, default: {} },
        { name: 'c', type: 'Inner', order: 'ascending' },
        { name: 'd', type: { type: 'string', logicalType: 'uuid' } },
      ],
      name: 'Outer',
      namespace: 'com.x',
      type: 'record',
    };
    expect(avroCanonical(schema)).toBe(
      '{"type":"record","name":"Outer","namespace":"com.x","fields":[{"name":"a","type":"string","doc":"x"},{"name":"b","type":{"type":"record","name":"Inner","fields":[]},"default":{}},{"name":"c","type":"Inner"},{"name":"d","type":{"type":"string","logicalType":"uuid"}}]}',
    );
    expect(avroCanonical({ type: 'record', name: 'com.y.A', fields: [{ name: 'n', type: { type: 'record', name: 'B', fields: [] } }] })).toBe(
      '{"type":"record","name":"A","namespace":"com.y","fields":[{"name":"n","type":{"type":"record","name":"B","fields":[]}}]}',
    );
    expect(avroCanonical({ type: 'record', name: 'A', namespace: 'n', fields: [] }, [], true)).toBe('{"type":"record","name":"n.A","fields":[]}');
  });

  it('refuses invalid schemas', () => {
    for (const bad of [
      '{"type":"record","name":"X","fields":[{"name":"a","type":"int","default":"s"}]}',
      '{"type":"nope"}',
      '{"type":"fixed","name":"F"}',
      '["int","int"]',
      '{"type":',
    ]) {
      expect(() => avro(bad), bad).toThrow();
    }
  });
});

describe('Protobuf (Confluent rules)', () => {
  const v1 = proto(
    'message M { int32 a = 1; string s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }\nenum E { A = 0; B = 1; }',
  );
  const types = (next: string) => errorTypes(backward(v1, proto(next)));

  it('allows adding and removing fields, renaming, enum changes, new messages', () => {
    expect(
      types(
        'message M { int32 a = 1; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } int32 extra = 7; }\nmessage N { int32 v = 1; }\nmessage Extra { }\nenum E { A = 0; }',
      ),
    ).toEqual([]);
    expect(
      types(
        'message M { int32 renamed = 1; string s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }',
      ),
    ).toEqual([]);
    // int32 -> int64 and string -> bytes stay in their wire groups.
    expect(
      types('message M { int64 a = 1; bytes s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }'),
    ).toEqual([]);
  });

  it('refuses kind, scalar group, label and message type changes, removed messages and oneof fields', () => {
    expect(
      types('message M { sint32 a = 1; string s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }'),
    ).toEqual(['FIELD_SCALAR_KIND_CHANGED']);
    expect(
      types('message M { int32 a = 1; N s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }'),
    ).toEqual(['FIELD_KIND_CHANGED']);
    expect(
      types('message M { int32 a = 1; string s = 2; int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }'),
    ).toEqual(['FIELD_NUMERIC_LABEL_CHANGED']);
    expect(
      types(
        'message M { int32 a = 1; string s = 2; repeated int64 r = 3; O n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }\nmessage O { int32 v = 1; }',
      ),
    ).toEqual(['FIELD_NAMED_TYPE_CHANGED']);
    expect(types('message M { int32 a = 1; string s = 2; repeated int64 r = 3; oneof pick { string x = 5; int32 y = 6; } }')).toEqual(['MESSAGE_REMOVED']);
    expect(types('message M { int32 a = 1; string s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; } }\nmessage N { int32 v = 1; }')).toEqual([
      'ONEOF_FIELD_REMOVED',
    ]);
    // Two independent fields moved into one oneof.
    expect(
      types(
        'message M { oneof both { int32 a = 1; string s = 2; } repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { int32 v = 1; }',
      ),
    ).toEqual(['MULTIPLE_FIELDS_MOVED_TO_ONEOF']);
    // A change inside a referenced message type counts at the field too.
    expect(
      types('message M { int32 a = 1; string s = 2; repeated int64 r = 3; N n = 4; oneof pick { string x = 5; int32 y = 6; } }\nmessage N { string v = 1; }'),
    ).toContain('FIELD_NAMED_TYPE_CHANGED');
    const other = parse(protobufFormat, 'syntax = "proto3";\npackage q;\nmessage M { int32 a = 1; }');
    expect(errorTypes(backward(proto('message M { int32 a = 1; }'), other))).toEqual(['PACKAGE_CHANGED']);
  });

  it('required fields in proto2', () => {
    const p2 = (body: string) => parse(protobufFormat, `syntax = "proto2";\nmessage M { ${body} }`);
    expect(errorTypes(backward(p2('optional int32 a = 1;'), p2('optional int32 a = 1; required int32 b = 2;')))).toEqual(['REQUIRED_FIELD_ADDED']);
    expect(errorTypes(backward(p2('optional int32 a = 1; required int32 b = 2;'), p2('optional int32 a = 1;')))).toEqual(['REQUIRED_FIELD_REMOVED']);
  });

  it('refuses invalid schemas: syntax, unknown types, duplicate numbers, unknown imports', () => {
    for (const bad of [
      'message M { int32 a = 1 }',
      'message M { Missing a = 1; }',
      'message M { int32 a = 1; int32 b = 1; }',
      'import "nowhere.proto";\nmessage M { int32 a = 1; }',
      'message M { int32 a = 19000; }',
    ]) {
      expect(() => proto(bad), bad).toThrow();
    }
  });
});

describe('JSON Schema (Confluent rules)', () => {
  const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => json({ type: 'object', properties, ...extra });
  const types = (previous: ParsedSchema, next: ParsedSchema) => errorTypes(backward(previous, next));

  it('open content model: removing a property is compatible, adding one is not (unless its schema is empty)', () => {
    const open = object({ a: { type: 'string' }, b: { type: 'integer' } });
    expect(types(open, object({ a: { type: 'string' } }))).toEqual([]);
    expect(types(open, object({ a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'string' } }))).toEqual([
      'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    ]);
    expect(types(open, object({ a: { type: 'string' }, b: { type: 'integer' }, c: {} }))).toEqual([]);
  });

  it('closed content model: adding an optional property is compatible, removing one is not', () => {
    const closed = (properties: Record<string, unknown>, required: string[] = []) => object(properties, { additionalProperties: false, required });
    const base = closed({ a: { type: 'string' } });
    expect(types(base, closed({ a: { type: 'string' }, b: { type: 'integer' } }))).toEqual([]);
    expect(types(base, closed({ a: { type: 'string' }, b: { type: 'integer' } }, ['b']))).toEqual(['REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL']);
    expect(types(base, closed({ a: { type: 'string' }, b: { type: 'integer', default: 1 } }, ['b']))).toEqual([]);
    expect(types(closed({ a: { type: 'string' }, b: { type: 'integer' } }), base)).toEqual(['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL']);
    expect(types(closed({ a: { type: 'string' }, b: false }), base)).toEqual([]);
    // Closing an open model narrows it; opening a closed one widens it.
    expect(types(object({ a: { type: 'string' } }), base)).toEqual(['ADDITIONAL_PROPERTIES_REMOVED']);
    expect(types(base, object({ a: { type: 'string' } }))).toEqual([]);
  });

  it('partially open content model: added and removed properties must fit the covering schema', () => {
    const partial = (properties: Record<string, unknown>) => object(properties, { additionalProperties: { type: 'string' } });
    expect(types(partial({ a: { type: 'integer' } }), partial({ a: { type: 'integer' }, b: { type: 'string' } }))).toEqual([]);
    expect(types(partial({ a: { type: 'integer' } }), partial({ a: { type: 'integer' }, b: { type: 'integer' } }))).toContain(
      'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
    expect(types(partial({ a: { type: 'integer' }, b: { type: 'string' } }), partial({ a: { type: 'integer' } }))).toEqual([]);
    expect(types(partial({ a: { type: 'integer' }, b: { type: 'integer' } }), partial({ a: { type: 'integer' } }))).toContain(
      'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    );
    // Old data may hold any number under x_…: the new property must accept every one of them.
    const patterned = (properties: Record<string, unknown>) => object(properties, { patternProperties: { '^x_': { type: 'integer' } } });
    expect(types(patterned({}), patterned({ x_1: { type: 'number' } }))).toEqual([]);
    expect(
      types(
        object({}, { patternProperties: { '^x_': { type: 'number' } } }),
        object({ x_1: { type: 'integer' } }, { patternProperties: { '^x_': { type: 'number' } } }),
      ),
    ).toContain('PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    expect(types(patterned({}), patterned({ x_1: { type: 'string' } }))).toContain('PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
  });

  it('narrowing is incompatible, widening compatible: types, bounds, enums, required, unions', () => {
    expect(types(json({ type: 'integer' }), json({ type: 'number' }))).toEqual([]);
    expect(types(json({ type: 'number' }), json({ type: 'integer' }))).toEqual(['TYPE_NARROWED']);
    expect(types(json({ type: 'string' }), json({ type: 'integer' }))).toEqual(['TYPE_CHANGED']);
    expect(types(json({ type: 'string' }), json({ type: ['string', 'null'] }))).toEqual([]);
    expect(types(json({ type: ['string', 'null'] }), json({ type: 'string' }))).toEqual(['TYPE_CHANGED']);
    expect(types(json({ type: 'string', maxLength: 5 }), json({ type: 'string', maxLength: 10 }))).toEqual([]);
    expect(types(json({ type: 'string', maxLength: 10 }), json({ type: 'string', maxLength: 5 }))).toEqual(['MAX_LENGTH_DECREASED']);
    expect(types(json({ type: 'string' }), json({ type: 'string', pattern: '^a' }))).toEqual(['PATTERN_ADDED']);
    expect(types(json({ type: 'number', minimum: 0 }), json({ type: 'number', minimum: 1 }))).toEqual(['MINIMUM_INCREASED']);
    expect(types(json({ type: 'number', multipleOf: 2 }), json({ type: 'number', multipleOf: 4 }))).toEqual(['MULTIPLE_OF_EXPANDED']);
    expect(types(json({ type: 'number', multipleOf: 4 }), json({ type: 'number', multipleOf: 2 }))).toEqual([]);
    expect(types(json({ enum: ['a', 'b'] }), json({ enum: ['a', 'b', 'c'] }))).toEqual([]);
    expect(types(json({ enum: ['a', 'b'] }), json({ enum: ['a'] }))).toEqual(['ENUM_ARRAY_NARROWED']);
    expect(types(object({ a: { type: 'string' } }), object({ a: { type: 'string' } }, { required: ['a'] }))).toEqual(['REQUIRED_ATTRIBUTE_ADDED']);
    expect(types(object({ a: { type: 'string' } }, { required: ['a'] }), object({ a: { type: 'string' } }))).toEqual([]);
    expect(
      types(json({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), json({ oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }] })),
    ).toEqual([]);
    expect(types(json({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), json({ oneOf: [{ type: 'string' }] }))).toEqual(['SUM_TYPE_NARROWED']);
    expect(types(json({ oneOf: [{ type: 'string' }, { type: 'integer' }] }), json({ oneOf: [{ type: 'string' }, { type: 'boolean' }] }))).toEqual([
      'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
    ]);
    expect(types(json({ type: 'array', items: { type: 'integer' } }), json({ type: 'array', items: { type: 'number' } }))).toEqual([]);
    expect(types(json({ type: 'array', items: { type: 'number' } }), json({ type: 'array', items: { type: 'integer' } }))).toEqual(['TYPE_NARROWED']);
    expect(types(json({ type: 'array' }), json({ type: 'array', maxItems: 3 }))).toEqual(['MAX_ITEMS_ADDED']);
  });

  it('follows $ref into definitions and recursive schemas', () => {
    const tree = (valueType: string) =>
      json({
        $ref: '#/definitions/node',
        definitions: {
          node: { type: 'object', properties: { value: { type: valueType }, children: { type: 'array', items: { $ref: '#/definitions/node' } } } },
        },
      });
    expect(types(tree('integer'), tree('number'))).toEqual([]);
    expect(types(tree('number'), tree('integer'))).toEqual(['TYPE_NARROWED']);
    expect(backward(tree('number'), tree('integer')).join()).toContain('#/properties/value');
  });

  it('refuses invalid schemas: meta-schema violations, unresolvable $ref, bad patterns, deep nesting', () => {
    expect(() => json({ type: 'objekt' })).toThrow(/meta-schema/);
    expect(() => json({ type: 'object', required: 'a' })).toThrow(/meta-schema/);
    expect(() => json({ $ref: '#/definitions/missing' })).toThrow(/cannot be resolved/);
    expect(() => json({ type: 'string', pattern: '(' })).toThrow(/pattern/);
    expect(() => json([1, 2])).toThrow();
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < 500; i++) deep = { type: 'array', items: deep };
    expect(() => json(deep)).toThrow(/deeper/);
    // Every draft Confluent accepts is checked against its own meta-schema.
    expect(() => json({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', exclusiveMinimum: true, minimum: 1 })).not.toThrow();
    expect(() => json({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }] })).not.toThrow();
    expect(() => json({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: 3 })).toThrow(/meta-schema/);
  });

  it('a hostile comparison stops within its budget instead of stalling', () => {
    // Wide unions of mutually referencing definitions: a cross product of comparisons.
    const definitions: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++)
      definitions[`d${i}`] = {
        oneOf: Array.from({ length: 40 }, (_, j) => ({ type: 'object', properties: { [`p${j}`]: { $ref: `#/definitions/d${(i + j) % 40}` } } })),
      };
    const a = json({ $ref: '#/definitions/d0', definitions });
    const b = json({ $ref: '#/definitions/d1', definitions });
    const started = Date.now();
    backward(a, b);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

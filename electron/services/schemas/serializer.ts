// Serializes the produce form's JSON with a registry schema into Confluent's wire format: magic byte 0,
// the schema id (4 bytes, big-endian), for Protobuf the message indexes (zig-zag varints: their count,
// then each; a lone 0 for the first message), then the Avro binary, Protobuf binary or JSON text.
//
// Schemas are parsed with the embedded registry's own format code (electron/kafka/schemas/formats),
// references resolved, so what the registry accepts is what the form can write. The JSON typed in is
// checked against the schema first, and every error names the field it is about ($.order.amount).
import avro from 'avsc';
import protobuf from 'protobufjs';
import Ajv, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import { RE2JS } from 're2js';
import type { SchemaType } from '../../../shared/model/registry';
import { FORMATS, InvalidSchemaError, type ParsedSchema, type ResolvedReference } from '../../kafka/schemas/formats';
import { AppError } from '../../core/errors';
import { wireHeader } from '../../kafka/schemas/wire';

/** A schema as the registry answers it, its references resolved. */
export interface RegistrySchema {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

export interface SchemaEncoder {
  /** Checks `json` against the schema and writes it in the wire format; `what` names the field ("The value"). */
  encode(json: string, what: string): Buffer;
}

/** The registry's parse of a schema (throws AppError with the registry's reason). */
export function parseRegistrySchema(schema: RegistrySchema): ParsedSchema {
  try {
    return FORMATS[schema.schemaType].parse(schema.schema, schema.references, { normalize: false });
  } catch (error) {
    if (error instanceof InvalidSchemaError) throw new AppError('invalid-request', `Schema ${schema.id} cannot be read: ${error.message}.`);
    throw error;
  }
}

/** The record names a schema defines: Avro named types at its top, Protobuf top-level messages, a JSON Schema's title. */
export function recordNames(schema: RegistrySchema): string[] {
  try {
    const parsed = parseRegistrySchema(schema);
    if (schema.schemaType === 'AVRO') {
      const type = (parsed as unknown as { avroType: avro.Type }).avroType;
      const branches = avro.Type.isType(type, 'union') ? (type as unknown as { types: avro.Type[] }).types : [type];
      return branches.map((branch) => branch.name).filter((name): name is string => typeof name === 'string');
    }
    if (schema.schemaType === 'PROTOBUF') return protobufMessages(parsed).map((type) => type.fullName.replace(/^\./, ''));
    const json = JSON.parse(schema.schema) as { title?: unknown };
    return typeof json.title === 'string' ? [json.title] : [];
  } catch {
    return [];
  }
}

/** The top-level messages a .proto file declares itself (not those of its imports), in order. */
export function protobufMessages(parsed: ParsedSchema): protobuf.Type[] {
  const topLevel = (parsed as unknown as { topLevel: protobuf.ReflectionObject[] }).topLevel;
  return topLevel.filter((type): type is protobuf.Type => type instanceof protobuf.Type);
}

function parseJsonInput(json: string, what: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new AppError('invalid-request', `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

const jsonPath = (path: ReadonlyArray<string | number>) =>
  '$' +
  path
    .map((part) => (typeof part === 'number' || /^\d+$/.test(part) ? `[${part}]` : /^[A-Za-z_][\w]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`))
    .join('');

function refuse(what: string, schemaName: string, problems: string[]): never {
  const shown = problems.slice(0, 5);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
  throw new AppError('invalid-request', `${what} does not match ${schemaName}: ${shown.join('; ')}${more}.`);
}

// ---------------------------------------------------------------------------------------------------
// Avro

function avroEncoder(schema: RegistrySchema, name: string): SchemaEncoder {
  const type = (parseRegistrySchema(schema) as unknown as { avroType: avro.Type }).avroType;
  const problemsOf = (value: unknown): string[] => {
    const problems: string[] = [];
    type.isValid(value, {
      noUndeclaredFields: true,
      errorHook: (path: string[], any: unknown, expected: avro.Type) => {
        const wanted = expected.typeName === 'record' ? `a ${expected.name ?? 'record'} record (no other fields)` : describeAvroType(expected);
        problems.push(`${jsonPath(path)} must be ${wanted}, not ${describeJson(any)}`);
      },
    });
    return problems;
  };
  return {
    encode(json, what) {
      const plain = parseJsonInput(json, what);
      const problems = problemsOf(plain);
      if (problems.length === 0) return Buffer.concat([wireHeader(schema.id), type.toBuffer(plain)]);
      // Fields the schema does not have are refused, whatever the encoding (Avro's JSON encoding would drop them).
      const unknown: string[] = [];
      undeclaredFields(type, plain, [], unknown);
      if (unknown.length) refuse(what, name, unknown);
      // Avro's own JSON encoding (unions as {"type": value}, bytes as strings, defaults filled in), as
      // Confluent's console producer takes.
      try {
        const encoded: unknown = type.fromString(json);
        if (problemsOf(encoded).length === 0) return Buffer.concat([wireHeader(schema.id), type.toBuffer(encoded)]);
      } catch {
        // report the plain JSON's problems
      }
      refuse(what, name, problems);
    },
  };
}

/** Object keys that are not fields of the record they are in, with their paths. */
function undeclaredFields(type: avro.Type, value: unknown, path: Array<string | number>, problems: string[], depth = 0): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  const typeName = type.typeName;
  if (typeName === 'record' || typeName === 'error') {
    if (Array.isArray(value)) return;
    const fields = (type as unknown as { fields: Array<{ name: string; type: avro.Type }> }).fields;
    for (const [key, item] of Object.entries(value)) {
      const field = fields.find((candidate) => candidate.name === key);
      if (!field) problems.push(`${jsonPath([...path, key])} is not a field of ${type.name ?? 'the record'} (it has ${fields.map((f) => f.name).join(', ')})`);
      else undeclaredFields(field.type, item, [...path, key], problems, depth + 1);
    }
  } else if (typeName === 'array' && Array.isArray(value)) {
    const items = (type as unknown as { itemsType: avro.Type }).itemsType;
    value.forEach((item, index) => undeclaredFields(items, item, [...path, index], problems, depth + 1));
  } else if (typeName === 'map' && !Array.isArray(value)) {
    const values = (type as unknown as { valuesType: avro.Type }).valuesType;
    for (const [key, item] of Object.entries(value)) undeclaredFields(values, item, [...path, key], problems, depth + 1);
  } else if (typeName.startsWith('union')) {
    // Checked against the branch that is a record, when exactly one is (an unwrapped union of null and a record).
    const records = (type as unknown as { types: avro.Type[] }).types.filter((branch) => branch.typeName === 'record');
    if (records.length === 1 && !Array.isArray(value)) undeclaredFields(records[0]!, value, path, problems, depth + 1);
  }
}

function describeAvroType(type: avro.Type): string {
  const typeName = type.typeName;
  if (typeName === 'enum') return `one of ${(type as unknown as { symbols: string[] }).symbols.map((s) => JSON.stringify(s)).join(', ')}`;
  if (typeName === 'array') return 'an array';
  if (typeName === 'map') return 'an object (a map)';
  if (typeName === 'int' || typeName === 'long') return `an integer (${typeName})`;
  if (typeName === 'float' || typeName === 'double') return `a number (${typeName})`;
  if (typeName === 'boolean') return 'true or false';
  if (typeName === 'null') return 'null';
  if (typeName.startsWith('union'))
    return `one of the union's types (${(type as unknown as { types: avro.Type[] }).types.map((t) => t.name ?? t.typeName).join(', ')})`;
  return `a ${typeName}`;
}

function describeJson(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${typeof value} ${text.slice(0, 40)}…` : text;
}

// ---------------------------------------------------------------------------------------------------
// Protobuf

const INTEGER_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Problems of a JSON object as a message of `type`: unknown fields and values of the wrong kind, with their paths. */
function protobufProblems(type: protobuf.Type, value: unknown, path: Array<string | number>, problems: string[], depth = 0): void {
  if (depth > 64) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${jsonPath(path)} must be an object (a ${type.name} message), not ${describeJson(value)}`);
    return;
  }
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = type.fields[key] ?? type.fieldsArray.find((candidate) => candidate.name === key || (candidate as { jsonName?: string }).jsonName === key);
    if (!field) {
      problems.push(`${jsonPath([...path, key])} is not a field of ${type.name} (it has ${type.fieldsArray.map((f) => f.name).join(', ') || 'none'})`);
      continue;
    }
    field.resolve();
    const at = [...path, key];
    if (fieldValue === null) continue;
    if (field instanceof protobuf.MapField) {
      if (typeof fieldValue !== 'object' || Array.isArray(fieldValue))
        problems.push(`${jsonPath(at)} must be an object (a map), not ${describeJson(fieldValue)}`);
      else for (const [mapKey, item] of Object.entries(fieldValue as object)) scalarOrMessage(field, item, [...at, mapKey], problems, depth);
      continue;
    }
    if (field.repeated) {
      if (!Array.isArray(fieldValue)) problems.push(`${jsonPath(at)} must be an array, not ${describeJson(fieldValue)}`);
      else fieldValue.forEach((item, index) => scalarOrMessage(field, item, [...at, index], problems, depth));
      continue;
    }
    scalarOrMessage(field, fieldValue, at, problems, depth);
  }
}

function scalarOrMessage(field: protobuf.Field, value: unknown, path: Array<string | number>, problems: string[], depth: number): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return protobufProblems(resolved, value, path, problems, depth + 1);
  const at = jsonPath(path);
  if (resolved instanceof protobuf.Enum) {
    const names = Object.keys(resolved.values);
    if (typeof value === 'string' ? !names.includes(value) : !(typeof value === 'number' && Object.values(resolved.values).includes(value))) {
      problems.push(`${at} must be one of ${names.map((n) => JSON.stringify(n)).join(', ')}, not ${describeJson(value)}`);
    }
    return;
  }
  const type = field.type;
  const integer = (v: unknown) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
  if (INTEGER_TYPES.has(type) || LONG_TYPES.has(type)) {
    if (!integer(value) || (INTEGER_TYPES.has(type) && typeof value === 'string'))
      problems.push(`${at} must be an integer (${type}), not ${describeJson(value)}`);
    else if (type.startsWith('u') || type === 'fixed32' || type === 'fixed64') {
      if (Number(value) < 0) problems.push(`${at} must not be negative (${type})`);
    }
  } else if (type === 'double' || type === 'float') {
    if (typeof value !== 'number') problems.push(`${at} must be a number (${type}), not ${describeJson(value)}`);
  } else if (type === 'bool') {
    if (typeof value !== 'boolean') problems.push(`${at} must be true or false, not ${describeJson(value)}`);
  } else if (type === 'string') {
    if (typeof value !== 'string') problems.push(`${at} must be a string, not ${describeJson(value)}`);
  } else if (type === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) problems.push(`${at} must be base64 text (bytes), not ${describeJson(value)}`);
  }
}

/** The index path of a message among the file's messages and their nested ones, as Confluent numbers them. */
function indexPathOf(messages: protobuf.Type[], target: protobuf.Type): number[] | null {
  for (let index = 0; index < messages.length; index++) {
    const candidate = messages[index]!;
    if (candidate === target) return [index];
    const nested = candidate.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
    const inner = indexPathOf(nested, target);
    if (inner) return [index, ...inner];
  }
  return null;
}

function protobufEncoder(schema: RegistrySchema, name: string, messageType: string | undefined): SchemaEncoder {
  const messages = protobufMessages(parseRegistrySchema(schema));
  const first = messages[0];
  if (!first) throw new AppError('invalid-request', `${name} defines no message to write.`);
  let type = first;
  if (messageType) {
    const wanted = messageType.replace(/^\./, '');
    let found: protobuf.ReflectionObject | null;
    try {
      found = first.root.lookup(wanted);
    } catch {
      found = null;
    }
    if (!(found instanceof protobuf.Type) || !indexPathOf(messages, found)) {
      throw new AppError('invalid-request', `${name} has no message ${wanted}. It has: ${messages.map((m) => m.fullName.replace(/^\./, '')).join(', ')}.`);
    }
    type = found;
  }
  const path = indexPathOf(messages, type)!;
  return {
    encode(json, what) {
      const value = parseJsonInput(json, what);
      const problems: string[] = [];
      protobufProblems(type, value, [], problems);
      if (problems.length) refuse(what, `${name} (${type.fullName.replace(/^\./, '')})`, problems);
      let message: protobuf.Message;
      try {
        message = type.fromObject(value as Record<string, unknown>);
      } catch (error) {
        throw new AppError('invalid-request', `${what} does not match ${name}: ${(error as Error).message}.`);
      }
      return Buffer.concat([wireHeader(schema.id, path), Buffer.from(type.encode(message).finish())]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// JSON Schema

/** Patterns run with RE2 (linear time): a schema from a registry cannot stall the app with a pattern. */
const re2Engine = Object.assign((pattern: string) => RE2JS.compile(pattern), { code: 're2js' });

function jsonValidator(schema: RegistrySchema): ValidateFunction {
  parseRegistrySchema(schema); // the registry's own checks (meta-schema, references) first
  const root = JSON.parse(schema.schema) as AnySchemaObject | boolean;
  const uri = typeof root === 'object' && typeof root.$schema === 'string' ? root.$schema : '';
  const options = { strict: false, allErrors: true, validateFormats: false, code: { regExp: re2Engine } } as const;
  const ajv = /draft-04/.test(uri)
    ? new AjvDraft04(options)
    : /2019-09/.test(uri)
      ? new Ajv2019(options)
      : /2020-12/.test(uri)
        ? new Ajv2020(options)
        : new Ajv(options);
  const added = new Set<string>();
  const addReferences = (references: ResolvedReference[]) => {
    for (const reference of references) {
      if (added.has(reference.name)) continue;
      added.add(reference.name);
      ajv.addSchema(JSON.parse(reference.schema) as AnySchemaObject, reference.name);
      addReferences(reference.references);
    }
  };
  addReferences(schema.references);
  try {
    return ajv.compile(typeof root === 'object' ? { ...root, $schema: undefined } : root);
  } catch (error) {
    throw new AppError('invalid-request', `Schema ${schema.id} cannot be used to check JSON: ${(error as Error).message}.`);
  }
}

function describeAjvError(error: ErrorObject): string {
  const path =
    '$' +
    error.instancePath
      .split('/')
      .slice(1)
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('');
  if (error.keyword === 'required')
    return `${path === '$' ? '' : path}${path === '$' ? '$' : ''}.${(error.params as { missingProperty: string }).missingProperty} is required`;
  if (error.keyword === 'additionalProperties') return `${path}.${(error.params as { additionalProperty: string }).additionalProperty} is not allowed here`;
  if (error.keyword === 'enum')
    return `${path} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${path} ${error.message ?? 'is not valid'}`;
}

function jsonSchemaEncoder(schema: RegistrySchema, name: string): SchemaEncoder {
  const validate = jsonValidator(schema);
  return {
    encode(json, what) {
      const value = parseJsonInput(json, what);
      if (!validate(value)) refuse(what, name, (validate.errors ?? []).map(describeAjvError));
      return Buffer.concat([wireHeader(schema.id), Buffer.from(JSON.stringify(value), 'utf8')]);
    },
  };
}

/** An encoder for a schema; `name` is how errors call it ("orders-value version 2"). */
export function schemaEncoder(schema: RegistrySchema, name: string, messageType?: string): SchemaEncoder {
  switch (schema.schemaType) {
    case 'AVRO':
      return avroEncoder(schema, name);
    case 'PROTOBUF':
      return protobufEncoder(schema, name, messageType);
    case 'JSON':
      return jsonSchemaEncoder(schema, name);
  }
}

/**
 * Avro schemas: parsed and validated by avsc (names, field defaults, duplicate fields and union
 * branches), referenced schemas loaded into the same avsc registry first, compatibility decided by
 * avsc's resolver — the same reader/writer schema resolution rules as the Avro specification and Java's
 * SchemaCompatibility, which Confluent's AvroSchema uses.
 *
 * The stored text is Confluent's canonical string, which is Java's `Schema.toString()`: compact JSON
 * with each type's attributes in Java's order (type, name, namespace, doc, fields/symbols/items/values/
 * size, default, other properties, aliases), primitives without attributes written as a plain name,
 * a named type written in full once and by name afterwards. Registering the same schema with other
 * whitespace or key order therefore finds the same id, as it does on Confluent.
 */
import avro from 'avsc';
import { InvalidSchemaError, parseJsonText, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

interface CanonicalState {
  /** Full names of the named types already written (or defined by references). */
  names: Set<string>;
  /** Write every name in full (the normalized form) instead of relative to the enclosing namespace. */
  fullNames: boolean;
}

function splitName(name: string, namespace: string): { full: string; simple: string; space: string } {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) return { full: name, simple: name.slice(dot + 1), space: name.slice(0, dot) };
  return { full: namespace ? `${namespace}.${name}` : name, simple: name, space: namespace };
}

/** A name as Java writes it: simple when its namespace is the enclosing one, else in full. */
function qualified(full: string, space: string, enclosing: string, state: CanonicalState): string {
  if (state.fullNames) return full;
  return space === enclosing ? full.slice(full.lastIndexOf('.') + 1) : full;
}

function referenceName(name: string, enclosing: string, state: CanonicalState): string {
  // Avro looks a simple name up in the enclosing namespace first, then in the null namespace.
  const candidates = name.includes('.') ? [name] : [enclosing ? `${enclosing}.${name}` : name, name];
  const full = candidates.find((c) => state.names.has(c)) ?? candidates[0]!;
  const dot = full.lastIndexOf('.');
  return qualified(full, dot >= 0 ? full.slice(0, dot) : '', enclosing, state);
}

function props(object: JsonObject, reserved: readonly string[]): string[] {
  return Object.keys(object)
    .filter((key) => !reserved.includes(key))
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(object[key])}`);
}

function canonicalOf(schema: Json, enclosing: string, state: CanonicalState): string {
  if (typeof schema === 'string') return JSON.stringify(PRIMITIVES.has(schema) ? schema : referenceName(schema, enclosing, state));
  if (Array.isArray(schema)) return `[${schema.map((branch) => canonicalOf(branch, enclosing, state)).join(',')}]`;
  if (schema === null || typeof schema !== 'object') return JSON.stringify(schema);
  const type = schema.type;
  if (typeof type !== 'string') return canonicalOf(type ?? null, enclosing, state);
  const parts: string[] = [];
  const field = (key: string, value: string) => parts.push(`${JSON.stringify(key)}:${value}`);
  if (PRIMITIVES.has(type)) {
    const extra = props(schema, ['type']);
    return extra.length === 0 ? JSON.stringify(type) : `{"type":${JSON.stringify(type)},${extra.join(',')}}`;
  }
  if (type === 'array' || type === 'map') {
    field('type', JSON.stringify(type));
    const child = type === 'array' ? 'items' : 'values';
    field(child, canonicalOf(schema[child] ?? null, enclosing, state));
    parts.push(...props(schema, ['type', child]));
    return `{${parts.join(',')}}`;
  }
  if (type !== 'record' && type !== 'error' && type !== 'enum' && type !== 'fixed') {
    // A named type used as {"type": "com.example.Name"}.
    const extra = props(schema, ['type']);
    const name = JSON.stringify(referenceName(type, enclosing, state));
    return extra.length === 0 ? name : `{"type":${name},${extra.join(',')}}`;
  }
  const rawName = typeof schema.name === 'string' ? schema.name : '';
  const name = splitName(rawName, typeof schema.namespace === 'string' ? schema.namespace : enclosing);
  if (state.names.has(name.full)) return JSON.stringify(qualified(name.full, name.space, enclosing, state));
  state.names.add(name.full);
  field('type', JSON.stringify(type));
  field('name', JSON.stringify(state.fullNames ? name.full : name.simple));
  if (!state.fullNames && name.space !== enclosing) field('namespace', JSON.stringify(name.space));
  if (schema.doc !== undefined) field('doc', JSON.stringify(schema.doc));
  let reserved: string[];
  if (type === 'record' || type === 'error') {
    const fields = Array.isArray(schema.fields) ? schema.fields : [];
    const written = fields.map((f) => {
      const fieldObject = (f ?? {}) as JsonObject;
      const fieldParts = [`"name":${JSON.stringify(fieldObject.name ?? null)}`, `"type":${canonicalOf(fieldObject.type ?? null, name.space, state)}`];
      if (fieldObject.doc !== undefined) fieldParts.push(`"doc":${JSON.stringify(fieldObject.doc)}`);
      if (fieldObject.default !== undefined) fieldParts.push(`"default":${JSON.stringify(fieldObject.default)}`);
      if (fieldObject.order !== undefined && fieldObject.order !== 'ascending') fieldParts.push(`"order":${JSON.stringify(fieldObject.order)}`);
      if (Array.isArray(fieldObject.aliases) && fieldObject.aliases.length > 0) fieldParts.push(`"aliases":${JSON.stringify(fieldObject.aliases)}`);
      fieldParts.push(...props(fieldObject, ['name', 'type', 'doc', 'default', 'order', 'aliases']));
      return `{${fieldParts.join(',')}}`;
    });
    field('fields', `[${written.join(',')}]`);
    reserved = ['type', 'name', 'namespace', 'doc', 'fields', 'aliases'];
  } else if (type === 'enum') {
    field('symbols', JSON.stringify(schema.symbols ?? []));
    if (schema.default !== undefined) field('default', JSON.stringify(schema.default));
    reserved = ['type', 'name', 'namespace', 'doc', 'symbols', 'default', 'aliases'];
  } else {
    field('size', JSON.stringify(schema.size ?? null));
    reserved = ['type', 'name', 'namespace', 'doc', 'size', 'aliases'];
  }
  parts.push(...props(schema, reserved));
  if (Array.isArray(schema.aliases) && schema.aliases.length > 0) field('aliases', JSON.stringify(schema.aliases));
  return `{${parts.join(',')}}`;
}

/** Java's `Schema.toString()` of a schema, given the full names its references define. */
export function avroCanonical(schema: unknown, referencedNames: Iterable<string> = [], fullNames = false): string {
  return canonicalOf(schema as Json, '', { names: new Set(referencedNames), fullNames });
}

type AvroType = ReturnType<typeof avro.Type.forSchema>;

/**
 * One incompatibility in the shape of Confluent's Avro differences
 * (`{errorType:'...', description:'...', additionalInfo:'...'}`), from avsc's resolver error.
 */
function describeResolverError(message: string): string {
  let match = /^no matching field for default-less (.+)\.([^.]+)$/.exec(message);
  if (match) {
    return `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field '${match[2]}' at path '/fields' in the %s schema has no default value and is missing in the %s schema', additionalInfo:'${match[2]}'}`;
  }
  match = /^cannot read "(.+)" as "(.+)"$/.exec(message);
  if (match) {
    const [, writer, reader] = match;
    if (writer === reader) {
      return `{errorType:'MISSING_ENUM_SYMBOLS', description:'The %s schema is missing enum symbols of '${reader}' that the %s schema has', additionalInfo:'${reader}'}`;
    }
    return `{errorType:'TYPE_MISMATCH', description:'The type '${reader}' in the %s schema does not match the type '${writer}' in the %s schema', additionalInfo:'reader type: ${reader} not compatible with writer type: ${writer}'}`;
  }
  match = /^no alias found for (.+)$/.exec(message);
  if (match) {
    return `{errorType:'NAME_MISMATCH', description:'The name of a type in the %s schema does not match the name '${match[1]}' in the %s schema', additionalInfo:'expected: ${match[1]}'}`;
  }
  return `{errorType:'TYPE_MISMATCH', description:'The %s schema cannot read data written with the %s schema: ${message.replace(/'/g, '"')}'}`;
}

class AvroParsedSchema implements ParsedSchema {
  readonly type = 'AVRO' as const;
  #normalized: string | null = null;
  readonly #json: unknown;
  readonly #referencedNames: string[];

  constructor(
    readonly canonical: string,
    readonly avroType: AvroType,
    json: unknown,
    referencedNames: string[],
  ) {
    this.#json = json;
    this.#referencedNames = referencedNames;
  }

  normalized(): string {
    this.#normalized ??= avroCanonical(this.#json, this.#referencedNames, true);
    return this.#normalized;
  }

  canRead(writer: ParsedSchema): string[] {
    if (!(writer instanceof AvroParsedSchema)) return ['Incompatible because of different schema type'];
    try {
      // Java's SchemaCompatibility matches named types by their unqualified names (or aliases).
      this.avroType.createResolver(writer.avroType, { ignoreNamespaces: true });
      return [];
    } catch (error) {
      return [describeResolverError((error as Error).message)];
    }
  }
}

function loadReferences(references: ResolvedReference[], registry: Record<string, AvroType>, seen: Set<string>): void {
  for (const reference of references) {
    const key = `${reference.subject}\u0000${reference.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (reference.schemaType !== 'AVRO') throw new InvalidSchemaError(`reference '${reference.name}' is a ${reference.schemaType} schema, not Avro`);
    loadReferences(reference.references, registry, seen);
    try {
      avro.Type.forSchema(parseJsonText(reference.schema) as avro.Schema, { registry });
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw error;
      throw new InvalidSchemaError(`reference '${reference.name}' (subject ${reference.subject} version ${reference.version}): ${(error as Error).message}`);
    }
  }
}

export const avroFormat: SchemaFormat = {
  type: 'AVRO',
  parse(text, references, options) {
    const json = parseJsonText(text);
    const registry: Record<string, AvroType> = {};
    loadReferences(references, registry, new Set());
    const referencedNames = Object.keys(registry).filter((name) => !PRIMITIVES.has(name));
    let type: AvroType;
    try {
      type = avro.Type.forSchema(json as avro.Schema, { registry });
    } catch (error) {
      throw new InvalidSchemaError((error as Error).message);
    }
    const canonical = avroCanonical(json, referencedNames, false);
    const parsed = new AvroParsedSchema(canonical, type, json, referencedNames);
    return options.normalize ? new AvroParsedSchema(parsed.normalized(), type, json, referencedNames) : parsed;
  },
};

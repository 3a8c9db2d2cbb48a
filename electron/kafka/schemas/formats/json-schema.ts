/**
 * JSON Schema: validated against its draft's meta-schema by Ajv (draft-04 through 2020-12, chosen by
 * `$schema`, draft-07 when absent, as Confluent), every `$ref` resolved (inside the schema, or to a
 * referenced schema by its reference name or `$id`), every `pattern` compiled. Nothing of the schema is
 * compiled to code: Ajv only checks it as data against the meta-schema.
 *
 * Compatibility follows Confluent's JSON Schema rules (its `json/diff` package, documented as "JSON
 * Schema compatibility rules"), which no npm library implements: the new schema can read data of the
 * old one when every difference between them is one Confluent lists as compatible. The rules turn on
 * the content model of objects and arrays:
 *  - open (`additionalProperties` absent or true, no `patternProperties`): removing a property is
 *    compatible; adding one is not (old data may hold anything under that name), unless its schema is
 *    empty (`{}`/`true`);
 *  - closed (`additionalProperties: false`): adding an optional property, or a required one with a
 *    default, is compatible; removing one is not, unless its schema was `false`;
 *  - partially open (`additionalProperties` or `patternProperties` with a schema): a property added or
 *    removed must be compatible with the schema that covered it.
 * Narrowing is incompatible (a maximum lowered, a minimum raised, a type narrowed, an enum shortened, a
 * keyword like `maxLength` or `pattern` added, a property made required without a default); widening
 * is compatible. This is Confluent's STRICT policy, its default.
 *
 * Property patterns from the schemas are matched with RE2 (re2js, linear time), never with a
 * backtracking engine, and the comparison has a step budget: a hostile schema cannot stall the registry.
 */
import { createRequire } from 'node:module';
import Ajv, { type AnySchemaObject } from 'ajv';
// Full file names: the bundled main process resolves these deep imports as Node's ESM loader does.
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import AjvDraft04 from 'ajv-draft-04';
import { RE2JS } from 're2js';
import { InvalidSchemaError, parseJsonText, sortedJson, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------
// Meta-schema validation

type Validator = { validateSchema(schema: AnySchemaObject | boolean): boolean | Promise<unknown>; errorsText(errors?: unknown): string; errors?: unknown };

let validators: Record<'draft04' | 'draft07' | '2019' | '2020', Validator> | null = null;

function metaValidators(): Record<'draft04' | 'draft07' | '2019' | '2020', Validator> {
  if (validators) return validators;
  const options = { strict: false, validateFormats: false, allErrors: false } as const;
  const draft07 = new Ajv(options);
  // A JSON file: loaded with require, which needs no import attribute in the ESM bundle.
  draft07.addMetaSchema(createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
  validators = {
    draft04: new AjvDraft04(options) as unknown as Validator,
    draft07: draft07 as unknown as Validator,
    '2019': new Ajv2019(options) as unknown as Validator,
    '2020': new Ajv2020(options) as unknown as Validator,
  };
  return validators;
}

function draftOf(schema: Json): 'draft04' | 'draft07' | '2019' | '2020' {
  const uri = isObject(schema) && typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-04/.test(uri)) return 'draft04';
  if (/2019-09/.test(uri)) return '2019';
  if (/2020-12/.test(uri)) return '2020';
  return 'draft07';
}

function validateAgainstMetaSchema(schema: Json): void {
  const draft = draftOf(schema);
  const validator = metaValidators()[draft];
  // The meta-schema is chosen above; an unknown `$schema` URI is checked as draft-07, as Confluent does.
  let subject: Json = schema;
  if (isObject(schema) && '$schema' in schema) {
    subject = { ...schema };
    delete subject.$schema;
  }
  let valid: boolean | Promise<unknown>;
  try {
    valid = validator.validateSchema(subject as AnySchemaObject);
  } catch (error) {
    throw new InvalidSchemaError((error as Error).message);
  }
  if (valid !== true) throw new InvalidSchemaError(`the schema does not follow its meta-schema: ${validator.errorsText(validator.errors)}`);
}

// ---------------------------------------------------------------------------------------------------
// Documents and $ref resolution

interface Document {
  /** The reference name under which other schemas refer to it ('' for the schema itself). */
  name: string;
  root: Json;
  /** Subschemas by `$id` (absolute or relative, as written) and `$anchor`. */
  ids: Map<string, Json>;
}

function indexIds(root: Json): Map<string, Json> {
  const ids = new Map<string, Json>();
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (!isObject(node)) continue;
    if (typeof node.$id === 'string') ids.set(node.$id, node);
    if (typeof node.id === 'string' && draftOf(root) === 'draft04') ids.set(node.id, node);
    if (typeof node.$anchor === 'string') ids.set(`#${node.$anchor}`, node);
    for (const [key, value] of Object.entries(node)) if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') stack.push(value);
  }
  return ids;
}

function pointer(root: Json, fragment: string): Json | undefined {
  if (fragment === '' || fragment === '/') return fragment === '' ? root : undefined;
  let current: Json | undefined = root;
  for (const raw of fragment.slice(1).split('/')) {
    let token: string;
    try {
      token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(current)) current = /^\d+$/.test(token) ? current[Number(token)] : undefined;
    else if (isObject(current)) current = Object.prototype.hasOwnProperty.call(current, token) ? current[token] : undefined;
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

const lastSegment = (uri: string) =>
  uri
    .replace(/[?#].*$/, '')
    .split('/')
    .pop() ?? uri;

class Resolver {
  readonly documents: Document[];

  constructor(main: Json, references: Array<{ name: string; root: Json }>) {
    this.documents = [{ name: '', root: main, ids: indexIds(main) }, ...references.map((r) => ({ name: r.name, root: r.root, ids: indexIds(r.root) }))];
  }

  /** The document a `$ref` base names: another reference by name or `$id`, or an embedded `$id`. */
  #documentFor(base: string, from: Document): { doc: Document; node: Json } | undefined {
    if (base === '') return { doc: from, node: from.root };
    for (const doc of this.documents) {
      if (doc.name !== '' && (doc.name === base || lastSegment(doc.name) === lastSegment(base))) return { doc, node: doc.root };
      const rootId = isObject(doc.root) && typeof doc.root.$id === 'string' ? doc.root.$id : null;
      if (rootId !== null && (rootId === base || lastSegment(rootId) === lastSegment(base))) return { doc, node: doc.root };
    }
    for (const doc of this.documents) {
      const embedded = doc.ids.get(base);
      if (embedded !== undefined) return { doc, node: embedded };
    }
    return undefined;
  }

  resolve(ref: string, from: Document): { doc: Document; node: Json } | undefined {
    const hash = ref.indexOf('#');
    const base = hash >= 0 ? ref.slice(0, hash) : ref;
    const fragment = hash >= 0 ? ref.slice(hash + 1) : '';
    const target = this.#documentFor(base, from);
    if (!target) return undefined;
    if (fragment === '') return target;
    if (fragment.startsWith('/')) {
      // A JSON pointer is relative to the document's root (or the embedded resource's).
      const node = pointer(target.node, fragment);
      return node === undefined ? undefined : { doc: target.doc, node };
    }
    const anchored = target.doc.ids.get(`#${fragment}`);
    return anchored === undefined ? undefined : { doc: target.doc, node: anchored };
  }

  /** Throws when a `$ref` anywhere in the documents cannot be resolved, or a pattern does not compile. */
  checkAll(): void {
    for (const doc of this.documents) {
      const stack: Json[] = [doc.root];
      while (stack.length > 0) {
        const node = stack.pop()!;
        if (Array.isArray(node)) {
          stack.push(...node);
          continue;
        }
        if (!isObject(node)) continue;
        if (typeof node.$ref === 'string' && !this.resolve(node.$ref, doc)) {
          throw new InvalidSchemaError(
            `$ref '${node.$ref}'${doc.name ? ` in reference '${doc.name}'` : ''} cannot be resolved: no such definition or referenced schema`,
          );
        }
        if (typeof node.pattern === 'string') checkPattern(node.pattern);
        if (isObject(node.patternProperties)) for (const pattern of Object.keys(node.patternProperties)) checkPattern(pattern);
        for (const [key, value] of Object.entries(node)) if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') stack.push(value);
      }
    }
  }
}

function checkPattern(pattern: string): void {
  try {
    new RegExp(pattern, 'u');
  } catch {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw new InvalidSchemaError(`invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The model compared: the schema classes Confluent's diff works on (Everit's), built lazily per node

type Kind = 'empty' | 'false' | 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'enum' | 'const' | 'combined' | 'not';
type Criterion = 'allOf' | 'anyOf' | 'oneOf';

interface BaseNode {
  kind: Kind;
  hasDefault: boolean;
  /** The JSON it was built from: equal subschemas of a combined schema are collapsed by it. */
  raw: Json;
}
interface EmptyNode extends BaseNode {
  kind: 'empty' | 'false' | 'boolean' | 'null';
}
interface StringNode extends BaseNode {
  kind: 'string';
  maxLength?: number;
  minLength?: number;
  pattern?: string;
}
interface NumberNode extends BaseNode {
  kind: 'number';
  integer: boolean;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: number;
  exclusiveMinimum?: number;
  multipleOf?: number;
}
interface Content {
  /** additionalProperties / additionalItems: absent or true ('open'), false ('closed'), or a schema. */
  additional: 'open' | 'closed' | Node;
  unevaluated?: Node;
}
interface ObjectNode extends BaseNode, Content {
  kind: 'object';
  properties: Map<string, Node>;
  required: Set<string>;
  patternProperties: Array<{ pattern: string; schema: Node }>;
  dependencyArrays: Map<string, Set<string>>;
  dependencySchemas: Map<string, Node>;
  maxProperties?: number;
  minProperties?: number;
}
interface ArrayNode extends BaseNode, Content {
  kind: 'array';
  items?: Node;
  tuple: Node[];
  maxItems?: number;
  minItems?: number;
  uniqueItems: boolean;
  maxContains?: number;
  minContains?: number;
}
interface EnumNode extends BaseNode {
  kind: 'enum';
  values: Set<string>;
}
interface ConstNode extends BaseNode {
  kind: 'const';
  value: string;
}
interface CombinedNode extends BaseNode {
  kind: 'combined';
  criterion: Criterion;
  subschemas: Node[];
}
interface NotNode extends BaseNode {
  kind: 'not';
  schema: Node;
}
type Node = EmptyNode | StringNode | NumberNode | ObjectNode | ArrayNode | EnumNode | ConstNode | CombinedNode | NotNode;

const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'minProperties',
  'maxProperties',
  'propertyNames',
  'unevaluatedProperties',
];
const ARRAY_KEYWORDS = [
  'items',
  'additionalItems',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'unevaluatedItems',
  'minContains',
  'maxContains',
];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];

const num = (value: Json | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

class ModelBuilder {
  readonly #built = new Map<Json, Node>();
  readonly #resolver: Resolver;

  constructor(resolver: Resolver) {
    this.#resolver = resolver;
  }

  build(schema: Json, doc: Document): Node {
    if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return { kind: 'empty', hasDefault: false, raw: true };
    if (schema === false) return { kind: 'false', hasDefault: false, raw: false };
    if (!isObject(schema)) return { kind: 'empty', hasDefault: false, raw: true };
    if (typeof schema.$ref === 'string') {
      const target = this.#resolver.resolve(schema.$ref, doc);
      if (!target) throw new InvalidSchemaError(`$ref '${schema.$ref}' cannot be resolved`);
      return this.build(target.node, target.doc);
    }
    const existing = this.#built.get(schema);
    if (existing) return existing;
    // A placeholder breaks cycles through properties and items; it is filled in place below.
    const node = { kind: 'empty', hasDefault: 'default' in schema, raw: schema } as Node;
    this.#built.set(schema, node);
    Object.assign(node, this.#construct(schema, doc));
    return node;
  }

  #construct(schema: JsonObject, doc: Document): Node {
    const hasDefault = 'default' in schema;
    const parts: Node[] = [];
    const type = schema.type;
    const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
    if (types.length === 1) parts.push(this.#typed(types[0]!, schema, doc));
    else if (types.length > 1)
      parts.push({ kind: 'combined', criterion: 'anyOf', subschemas: types.map((t) => this.#typed(t, schema, doc)), hasDefault: false, raw: schema });
    else {
      const has = (keywords: string[]) => keywords.some((k) => k in schema);
      if (has(OBJECT_KEYWORDS)) parts.push(this.#typed('object', schema, doc));
      if (has(ARRAY_KEYWORDS)) parts.push(this.#typed('array', schema, doc));
      if (has(STRING_KEYWORDS)) parts.push(this.#typed('string', schema, doc));
      if (has(NUMBER_KEYWORDS)) parts.push(this.#typed('number', schema, doc));
    }
    if (Array.isArray(schema.enum)) parts.push({ kind: 'enum', values: new Set(schema.enum.map(sortedJson)), hasDefault: false, raw: { enum: schema.enum } });
    if ('const' in schema) parts.push({ kind: 'const', value: sortedJson(schema.const), hasDefault: false, raw: { const: schema.const! } });
    if ('not' in schema) parts.push({ kind: 'not', schema: this.build(schema.not, doc), hasDefault: false, raw: { not: schema.not! } });
    for (const criterion of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = schema[criterion];
      if (Array.isArray(list))
        parts.push({ kind: 'combined', criterion, subschemas: list.map((s) => this.build(s, doc)), hasDefault: false, raw: { [criterion]: list } });
    }
    let node: Node;
    if (parts.length === 0) node = { kind: 'empty', hasDefault, raw: schema };
    else if (parts.length === 1) node = parts[0]!;
    else node = { kind: 'combined', criterion: 'allOf', subschemas: parts, hasDefault, raw: schema };
    return { ...node, hasDefault, raw: schema };
  }

  #content(value: Json | undefined, doc: Document): 'open' | 'closed' | Node {
    if (value === undefined || value === true || (isObject(value) && Object.keys(value).length === 0)) return 'open';
    if (value === false) return 'closed';
    return this.build(value, doc);
  }

  #typed(type: string, schema: JsonObject, doc: Document): Node {
    const base = { hasDefault: false, raw: schema };
    switch (type) {
      case 'string':
        return {
          kind: 'string',
          ...base,
          maxLength: num(schema.maxLength),
          minLength: num(schema.minLength),
          pattern: typeof schema.pattern === 'string' ? schema.pattern : undefined,
        };
      case 'number':
      case 'integer': {
        // draft-04 writes exclusive bounds as booleans beside maximum/minimum.
        const exclusiveMaximum = schema.exclusiveMaximum === true ? num(schema.maximum) : num(schema.exclusiveMaximum);
        const exclusiveMinimum = schema.exclusiveMinimum === true ? num(schema.minimum) : num(schema.exclusiveMinimum);
        return {
          kind: 'number',
          ...base,
          integer: type === 'integer',
          maximum: schema.exclusiveMaximum === true ? undefined : num(schema.maximum),
          minimum: schema.exclusiveMinimum === true ? undefined : num(schema.minimum),
          exclusiveMaximum,
          exclusiveMinimum,
          multipleOf: num(schema.multipleOf),
        };
      }
      case 'object': {
        const properties = new Map<string, Node>();
        if (isObject(schema.properties)) for (const [name, sub] of Object.entries(schema.properties)) properties.set(name, this.build(sub, doc));
        const dependencyArrays = new Map<string, Set<string>>();
        const dependencySchemas = new Map<string, Node>();
        for (const source of [schema.dependencies, schema.dependentRequired, schema.dependentSchemas]) {
          if (!isObject(source)) continue;
          for (const [name, dependency] of Object.entries(source)) {
            if (Array.isArray(dependency)) dependencyArrays.set(name, new Set(dependency.filter((d): d is string => typeof d === 'string')));
            else dependencySchemas.set(name, this.build(dependency, doc));
          }
        }
        return {
          kind: 'object',
          ...base,
          properties,
          required: new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []),
          additional: this.#content(schema.additionalProperties, doc),
          unevaluated: 'unevaluatedProperties' in schema ? this.build(schema.unevaluatedProperties, doc) : undefined,
          patternProperties: isObject(schema.patternProperties)
            ? Object.entries(schema.patternProperties).map(([pattern, sub]) => ({ pattern, schema: this.build(sub, doc) }))
            : [],
          dependencyArrays,
          dependencySchemas,
          maxProperties: num(schema.maxProperties),
          minProperties: num(schema.minProperties),
        };
      }
      case 'array': {
        const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : null;
        const items = tuple === null && schema.items !== undefined ? this.build(schema.items, doc) : undefined;
        // 2020-12 renamed additionalItems to items (beside prefixItems).
        const additional = Array.isArray(schema.prefixItems) ? schema.items : schema.additionalItems;
        return {
          kind: 'array',
          ...base,
          items,
          tuple: (tuple ?? []).map((s) => this.build(s, doc)),
          additional: tuple === null ? 'open' : this.#content(additional, doc),
          unevaluated: 'unevaluatedItems' in schema ? this.build(schema.unevaluatedItems, doc) : undefined,
          maxItems: num(schema.maxItems),
          minItems: num(schema.minItems),
          uniqueItems: schema.uniqueItems === true,
          maxContains: num(schema.maxContains),
          minContains: num(schema.minContains),
        };
      }
      case 'boolean':
      case 'null':
        return { kind: type, ...base };
      default:
        return { kind: 'empty', ...base };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The comparison (Confluent's SchemaDiff), reporting only the differences Confluent counts incompatible

type DiffType =
  | 'SCHEMA_ADDED'
  | 'TYPE_NARROWED'
  | 'TYPE_CHANGED'
  | 'MAX_LENGTH_ADDED'
  | 'MAX_LENGTH_DECREASED'
  | 'MIN_LENGTH_ADDED'
  | 'MIN_LENGTH_INCREASED'
  | 'PATTERN_ADDED'
  | 'PATTERN_CHANGED'
  | 'MAXIMUM_ADDED'
  | 'MAXIMUM_DECREASED'
  | 'MINIMUM_ADDED'
  | 'MINIMUM_INCREASED'
  | 'EXCLUSIVE_MAXIMUM_ADDED'
  | 'EXCLUSIVE_MAXIMUM_DECREASED'
  | 'EXCLUSIVE_MINIMUM_ADDED'
  | 'EXCLUSIVE_MINIMUM_INCREASED'
  | 'MULTIPLE_OF_ADDED'
  | 'MULTIPLE_OF_EXPANDED'
  | 'MULTIPLE_OF_CHANGED'
  | 'REQUIRED_ATTRIBUTE_ADDED'
  | 'MAX_PROPERTIES_ADDED'
  | 'MAX_PROPERTIES_DECREASED'
  | 'MIN_PROPERTIES_ADDED'
  | 'MIN_PROPERTIES_INCREASED'
  | 'ADDITIONAL_PROPERTIES_REMOVED'
  | 'ADDITIONAL_PROPERTIES_NARROWED'
  | 'UNEVALUATED_PROPERTIES_REMOVED'
  | 'UNEVALUATED_PROPERTIES_NARROWED'
  | 'DEPENDENCY_ARRAY_ADDED'
  | 'DEPENDENCY_ARRAY_EXTENDED'
  | 'DEPENDENCY_ARRAY_CHANGED'
  | 'DEPENDENCY_SCHEMA_ADDED'
  | 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL'
  | 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  | 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'MAX_ITEMS_ADDED'
  | 'MAX_ITEMS_DECREASED'
  | 'MIN_ITEMS_ADDED'
  | 'MIN_ITEMS_INCREASED'
  | 'MAX_CONTAINS_ADDED'
  | 'MAX_CONTAINS_DECREASED'
  | 'MIN_CONTAINS_ADDED'
  | 'MIN_CONTAINS_INCREASED'
  | 'UNIQUE_ITEMS_ADDED'
  | 'ADDITIONAL_ITEMS_REMOVED'
  | 'ADDITIONAL_ITEMS_NARROWED'
  | 'UNEVALUATED_ITEMS_REMOVED'
  | 'UNEVALUATED_ITEMS_NARROWED'
  | 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL'
  | 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL'
  | 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
  | 'ENUM_ARRAY_NARROWED'
  | 'ENUM_ARRAY_CHANGED'
  | 'COMBINED_TYPE_CHANGED'
  | 'PRODUCT_TYPE_EXTENDED'
  | 'SUM_TYPE_NARROWED'
  | 'COMBINED_TYPE_SUBSCHEMAS_CHANGED'
  | 'NOT_TYPE_EXTENDED';

interface Difference {
  type: DiffType;
  /** Path segments relative to where the compared pair sits. */
  path: string[];
}

const KEYWORD_ADDED_OR_REMOVED = new Set<DiffType>([
  'MAXIMUM_ADDED',
  'MINIMUM_ADDED',
  'EXCLUSIVE_MAXIMUM_ADDED',
  'EXCLUSIVE_MINIMUM_ADDED',
  'MULTIPLE_OF_ADDED',
  'MAX_LENGTH_ADDED',
  'MIN_LENGTH_ADDED',
  'PATTERN_ADDED',
  'REQUIRED_ATTRIBUTE_ADDED',
  'MAX_PROPERTIES_ADDED',
  'MIN_PROPERTIES_ADDED',
  'DEPENDENCY_ARRAY_ADDED',
  'DEPENDENCY_SCHEMA_ADDED',
  'MAX_ITEMS_ADDED',
  'MIN_ITEMS_ADDED',
  'MAX_CONTAINS_ADDED',
  'MIN_CONTAINS_ADDED',
  'UNIQUE_ITEMS_ADDED',
  'ADDITIONAL_ITEMS_REMOVED',
  'ADDITIONAL_PROPERTIES_REMOVED',
  'UNEVALUATED_PROPERTIES_REMOVED',
  'UNEVALUATED_ITEMS_REMOVED',
]);
const VALUE_INCREASED = new Set<DiffType>([
  'MIN_LENGTH_INCREASED',
  'MINIMUM_INCREASED',
  'EXCLUSIVE_MINIMUM_INCREASED',
  'MIN_PROPERTIES_INCREASED',
  'MULTIPLE_OF_EXPANDED',
  'MIN_ITEMS_INCREASED',
  'MIN_CONTAINS_INCREASED',
]);
const VALUE_DECREASED = new Set<DiffType>([
  'MAX_LENGTH_DECREASED',
  'MAXIMUM_DECREASED',
  'MAX_ITEMS_DECREASED',
  'MAX_CONTAINS_DECREASED',
  'EXCLUSIVE_MAXIMUM_DECREASED',
  'MAX_PROPERTIES_DECREASED',
]);
const TYPE_NARROWED = new Set<DiffType>([
  'ADDITIONAL_ITEMS_NARROWED',
  'ENUM_ARRAY_NARROWED',
  'SUM_TYPE_NARROWED',
  'ADDITIONAL_PROPERTIES_NARROWED',
  'UNEVALUATED_PROPERTIES_NARROWED',
  'UNEVALUATED_ITEMS_NARROWED',
]);
const VALUE_CHANGED = new Set<DiffType>(['PATTERN_CHANGED', 'MULTIPLE_OF_CHANGED', 'DEPENDENCY_ARRAY_CHANGED']);
const TYPE_CHANGED = new Set<DiffType>(['TYPE_CHANGED', 'TYPE_NARROWED', 'COMBINED_TYPE_CHANGED', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', 'ENUM_ARRAY_CHANGED']);
const TYPE_EXTENDED = new Set<DiffType>(['DEPENDENCY_ARRAY_EXTENDED', 'PRODUCT_TYPE_EXTENDED', 'NOT_TYPE_EXTENDED']);
const ADDED_TO_OPEN = new Set<DiffType>([
  'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
  'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
]);

/** Confluent's wording of a difference (Difference.java), with %s for the two schemas. */
function describe(diff: Difference): string {
  const path = `#/${diff.path.join('/')}`;
  const t = diff.type;
  let text: string;
  if (KEYWORD_ADDED_OR_REMOVED.has(t)) text = `The keyword at path '${path}' in the %s schema is not present in the %s schema`;
  else if (VALUE_INCREASED.has(t)) text = `The value at path '${path}' in the %s schema is more than its value in the %s schema`;
  else if (VALUE_DECREASED.has(t)) text = `The value at path '${path}' in the %s schema is less than its value in the %s schema`;
  else if (VALUE_CHANGED.has(t)) text = `The value at path '${path}' is different between the %s and %s schema`;
  else if (TYPE_NARROWED.has(t)) text = `An array or combined type at path '${path}' has fewer elements in the %s schema than the %s schema`;
  else if (TYPE_EXTENDED.has(t)) text = `An array or combined type at path '${path}' has more elements in the %s schema than the %s schema`;
  else if (TYPE_CHANGED.has(t)) text = `A type at path '${path}' is different between the %s schema and the %s schema`;
  else if (ADDED_TO_OPEN.has(t))
    text = `The %s schema has an open content model and has a property or item at path '${path}' which is missing in the %s schema`;
  else if (t === 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL')
    text = `The %s schema has an unopen content model and has a required property at path '${path}' which is missing in the %s schema`;
  else if (t === 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL' || t === 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL')
    text = `The %s has a closed content model and is missing a property or item present at path '${path}' in the %s schema`;
  else if (t === 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' || t === 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL') {
    text = `A property or item is missing in the %s schema but present at path '${path}' in the %s schema and is not covered by its partially open content model`;
  } else if (t === 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' || t === 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL') {
    text = `The %s schema has a property or item at path '${path}' which is missing in the %s schema and is not covered by its partially open content model`;
  } else text = `A schema at path '${path}' in the %s schema is missing in the %s schema`;
  return `{errorType:"${t}", description:"${text}"}`;
}

/** Steps a comparison may take before it gives up (oneOf cross products over many definitions). */
const COMPARISON_BUDGET = 50_000;

class BudgetExceeded extends Error {}

class Comparison {
  #steps = 0;
  readonly #memo = new Map<Node, Map<Node, Difference[]>>();
  readonly #inProgress = new Set<string>();
  readonly #ids = new Map<Node, number>();

  readonly #keys = new Map<Node, string>();

  /** Structural identity of a subschema (its kind and JSON), computed once per node. */
  #keyOf(node: Node): string {
    let key = this.#keys.get(node);
    if (key === undefined) this.#keys.set(node, (key = `${node.kind}:${sortedJson(node.raw)}`));
    return key;
  }

  #id(node: Node): number {
    let id = this.#ids.get(node);
    if (id === undefined) this.#ids.set(node, (id = this.#ids.size));
    return id;
  }

  compare(original: Node | undefined, update: Node | undefined): Difference[] {
    if (original === undefined && update === undefined) return [];
    if (original === undefined) return [{ type: 'SCHEMA_ADDED', path: [] }];
    if (update === undefined) return []; // SCHEMA_REMOVED: compatible
    if (++this.#steps > COMPARISON_BUDGET) throw new BudgetExceeded();
    const cached = this.#memo.get(original)?.get(update);
    if (cached) return cached;
    const pairKey = `${this.#id(original)}:${this.#id(update)}`;
    // A pair met again while it is being compared is a recursive schema: assumed compatible there.
    if (this.#inProgress.has(pairKey)) return [];
    this.#inProgress.add(pairKey);
    let diffs: Difference[];
    try {
      diffs = this.#compareTypes(original, update);
    } finally {
      this.#inProgress.delete(pairKey);
    }
    let row = this.#memo.get(original);
    if (!row) this.#memo.set(original, (row = new Map<Node, Difference[]>()));
    row.set(update, diffs);
    return diffs;
  }

  #at(segments: string[], diffs: Difference[]): Difference[] {
    return diffs.map((d) => ({ type: d.type, path: [...segments, ...d.path] }));
  }

  #compareTypes(original: Node, update: Node): Difference[] {
    if (original.kind !== 'combined' && update.kind === 'combined') {
      if (update.subschemas.length === 1) {
        if (this.compare(original, update.subschemas[0]).length === 0) return [];
      } else if (update.criterion === 'anyOf' || update.criterion === 'oneOf') {
        // SUM_TYPE_EXTENDED: the old type is one branch of the new union.
        for (const sub of update.subschemas) if (this.compare(original, sub).length === 0) return [];
      }
    } else if (original.kind === 'combined' && update.kind !== 'combined') {
      if (original.subschemas.length === 1) {
        if (this.compare(original.subschemas[0], update).length === 0) return [];
      } else if (original.criterion === 'allOf') {
        // PRODUCT_TYPE_NARROWED: the new type is one part of the old intersection.
        for (const sub of original.subschemas) if (this.compare(sub, update).length === 0) return [];
      }
    }
    if (original.kind !== update.kind) {
      if (original.kind === 'false' || update.kind === 'empty') return [];
      return [{ type: 'TYPE_CHANGED', path: [] }];
    }
    switch (original.kind) {
      case 'string':
        return this.#compareString(original, update as StringNode);
      case 'number':
        return this.#compareNumber(original, update as NumberNode);
      case 'enum': {
        const next = (update as EnumNode).values;
        const same = original.values.size === next.size && [...original.values].every((v) => next.has(v));
        if (same || [...original.values].every((v) => next.has(v))) return [];
        if ([...next].every((v) => original.values.has(v))) return [{ type: 'ENUM_ARRAY_NARROWED', path: ['enum'] }];
        return [{ type: 'ENUM_ARRAY_CHANGED', path: ['enum'] }];
      }
      case 'const':
        return original.value === (update as ConstNode).value ? [] : [{ type: 'ENUM_ARRAY_CHANGED', path: ['const'] }];
      case 'not':
        // Reversed: the new schema may refuse less than the old one did.
        return this.compare((update as NotNode).schema, original.schema).length === 0 ? [] : [{ type: 'NOT_TYPE_EXTENDED', path: ['not'] }];
      case 'combined':
        return this.#compareCombined(original, update as CombinedNode);
      case 'object':
        return this.#compareObject(original, update as ObjectNode);
      case 'array':
        return this.#compareArray(original, update as ArrayNode);
      default:
        return [];
    }
  }

  #compareString(original: StringNode, update: StringNode): Difference[] {
    const diffs: Difference[] = [];
    if (original.maxLength !== update.maxLength) {
      if (original.maxLength === undefined) diffs.push({ type: 'MAX_LENGTH_ADDED', path: ['maxLength'] });
      else if (update.maxLength !== undefined && update.maxLength < original.maxLength) diffs.push({ type: 'MAX_LENGTH_DECREASED', path: ['maxLength'] });
    }
    if (original.minLength !== update.minLength) {
      if (original.minLength === undefined) diffs.push({ type: 'MIN_LENGTH_ADDED', path: ['minLength'] });
      else if (update.minLength !== undefined && update.minLength > original.minLength) diffs.push({ type: 'MIN_LENGTH_INCREASED', path: ['minLength'] });
    }
    if (original.pattern === undefined && update.pattern !== undefined) diffs.push({ type: 'PATTERN_ADDED', path: ['pattern'] });
    else if (original.pattern !== undefined && update.pattern !== undefined && original.pattern !== update.pattern)
      diffs.push({ type: 'PATTERN_CHANGED', path: ['pattern'] });
    return diffs;
  }

  #compareNumber(original: NumberNode, update: NumberNode): Difference[] {
    const diffs: Difference[] = [];
    const upper = (name: string, a: number | undefined, b: number | undefined, added: DiffType, decreased: DiffType) => {
      if (a === b) return;
      if (a === undefined) diffs.push({ type: added, path: [name] });
      else if (b !== undefined && b < a) diffs.push({ type: decreased, path: [name] });
    };
    const lower = (name: string, a: number | undefined, b: number | undefined, added: DiffType, increased: DiffType) => {
      if (a === b) return;
      if (a === undefined) diffs.push({ type: added, path: [name] });
      else if (b !== undefined && b > a) diffs.push({ type: increased, path: [name] });
    };
    upper('maximum', original.maximum, update.maximum, 'MAXIMUM_ADDED', 'MAXIMUM_DECREASED');
    lower('minimum', original.minimum, update.minimum, 'MINIMUM_ADDED', 'MINIMUM_INCREASED');
    upper('exclusiveMaximum', original.exclusiveMaximum, update.exclusiveMaximum, 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_DECREASED');
    lower('exclusiveMinimum', original.exclusiveMinimum, update.exclusiveMinimum, 'EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_INCREASED');
    const a = original.multipleOf;
    const b = update.multipleOf;
    if (a !== b) {
      const divides = (x: number, y: number) => y !== 0 && Math.abs(x / y - Math.round(x / y)) < 1e-9;
      if (a === undefined) diffs.push({ type: 'MULTIPLE_OF_ADDED', path: ['multipleOf'] });
      else if (b !== undefined) {
        if (divides(b, a)) diffs.push({ type: 'MULTIPLE_OF_EXPANDED', path: ['multipleOf'] });
        else if (!divides(a, b)) diffs.push({ type: 'MULTIPLE_OF_CHANGED', path: ['multipleOf'] });
      }
    }
    if (!original.integer && update.integer) diffs.push({ type: 'TYPE_NARROWED', path: [] });
    return diffs;
  }

  #compareCombined(original: CombinedNode, update: CombinedNode): Difference[] {
    const diffs: Difference[] = [];
    if (original.criterion !== update.criterion) {
      const single = (n: CombinedNode) => n.subschemas.length === 1;
      const extended =
        update.criterion === 'anyOf' ||
        (single(original) && single(update)) ||
        (single(original) && update.criterion === 'oneOf') ||
        (single(update) && original.criterion === 'allOf');
      if (!extended) return [{ type: 'COMBINED_TYPE_CHANGED', path: [] }];
    }
    const unique = (nodes: Node[]) => [...new Map(nodes.map((n) => [this.#keyOf(n), n])).values()];
    const originals = unique(original.subschemas);
    const updates = unique(update.subschemas);
    if (originals.length < updates.length && update.criterion === 'allOf') diffs.push({ type: 'PRODUCT_TYPE_EXTENDED', path: [] });
    if (originals.length > updates.length && original.criterion !== 'allOf') diffs.push({ type: 'SUM_TYPE_NARROWED', path: [] });
    // Maximum bipartite matching of old to new subschemas over compatible pairs (augmenting paths).
    const compatible = originals.map((o) => updates.map((u) => this.compare(o, u).length === 0));
    const matchOfUpdate = new Array<number>(updates.length).fill(-1);
    const augment = (i: number, seen: boolean[]): boolean => {
      for (let j = 0; j < updates.length; j++) {
        if (!compatible[i]![j] || seen[j]) continue;
        seen[j] = true;
        if (matchOfUpdate[j] === -1 || augment(matchOfUpdate[j]!, seen)) {
          matchOfUpdate[j] = i;
          return true;
        }
      }
      return false;
    };
    let matched = 0;
    for (let i = 0; i < originals.length; i++) if (augment(i, new Array<boolean>(updates.length).fill(false))) matched++;
    if (matched < Math.min(originals.length, updates.length)) diffs.push({ type: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', path: [] });
    return diffs;
  }

  static #isOpenObject(node: ObjectNode): boolean {
    return node.additional === 'open' && node.patternProperties.length === 0 && (node.unevaluated === undefined || node.unevaluated.kind === 'empty');
  }

  /** The schema of a partially open object that covers a property name, if any. */
  static #partialObject(node: ObjectNode, name: string): Node | undefined {
    for (const { pattern, schema } of node.patternProperties) if (matches(pattern, name)) return schema;
    if (node.additional !== 'open' && node.additional !== 'closed') return node.additional;
    if (node.additional === 'open' && node.unevaluated && node.unevaluated.kind !== 'false' && node.unevaluated.kind !== 'empty') return node.unevaluated;
    return undefined;
  }

  #compareObject(original: ObjectNode, update: ObjectNode): Difference[] {
    const diffs: Difference[] = [];
    for (const name of original.properties.keys()) {
      const next = update.properties.get(name);
      if (next && !original.required.has(name) && update.required.has(name) && !next.hasDefault) {
        diffs.push({ type: 'REQUIRED_ATTRIBUTE_ADDED', path: ['required', name] });
      }
    }
    const names = new Set([...original.properties.keys(), ...update.properties.keys()]);
    for (const name of names) {
      const before = original.properties.get(name);
      const after = update.properties.get(name);
      const path = ['properties', name];
      if (after === undefined) {
        if (Comparison.#isOpenObject(update)) continue; // PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
        const partial = Comparison.#partialObject(update, name);
        if (partial) {
          const sub = this.compare(before, partial);
          if (sub.length > 0) diffs.push(...this.#at(path, sub), { type: 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', path });
        } else if (before!.kind !== 'false') {
          diffs.push({ type: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', path });
        }
      } else if (before === undefined) {
        if (Comparison.#isOpenObject(original)) {
          if (after.kind === 'empty') continue; // PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
          if (update.required.has(name)) {
            diffs.push({
              type: after.hasDefault ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
              path,
            });
          } else {
            diffs.push({ type: 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', path });
          }
        } else {
          const partial = Comparison.#partialObject(original, name);
          if (partial) {
            const sub = this.compare(partial, after);
            if (sub.length > 0) diffs.push(...this.#at(path, sub), { type: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', path });
          }
          if (update.required.has(name) && !after.hasDefault) diffs.push({ type: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', path });
        }
      } else {
        diffs.push(...this.#at(path, this.compare(before, after)));
      }
    }
    for (const name of new Set([...original.dependencyArrays.keys(), ...update.dependencyArrays.keys()])) {
      const before = original.dependencyArrays.get(name);
      const after = update.dependencyArrays.get(name);
      const path = ['dependencies', name];
      if (after === undefined) continue; // DEPENDENCY_ARRAY_REMOVED
      if (before === undefined) diffs.push({ type: 'DEPENDENCY_ARRAY_ADDED', path });
      else if (before.size !== after.size || [...before].some((d) => !after.has(d))) {
        if ([...before].every((d) => after.has(d))) diffs.push({ type: 'DEPENDENCY_ARRAY_EXTENDED', path });
        else if (![...after].every((d) => before.has(d))) diffs.push({ type: 'DEPENDENCY_ARRAY_CHANGED', path });
      }
    }
    for (const name of new Set([...original.dependencySchemas.keys(), ...update.dependencySchemas.keys()])) {
      const before = original.dependencySchemas.get(name);
      const after = update.dependencySchemas.get(name);
      if (after === undefined) continue;
      if (before === undefined) diffs.push({ type: 'DEPENDENCY_SCHEMA_ADDED', path: ['dependencies', name] });
      else diffs.push(...this.#at(['dependencies', name], this.compare(before, after)));
    }
    diffs.push(...this.#compareContent(original, update, 'additionalProperties', 'ADDITIONAL_PROPERTIES_REMOVED', 'ADDITIONAL_PROPERTIES_NARROWED'));
    diffs.push(
      ...this.#compareUnevaluated(
        original.unevaluated,
        update.unevaluated,
        'unevaluatedProperties',
        'UNEVALUATED_PROPERTIES_REMOVED',
        'UNEVALUATED_PROPERTIES_NARROWED',
      ),
    );
    if (original.maxProperties !== update.maxProperties) {
      if (original.maxProperties === undefined) diffs.push({ type: 'MAX_PROPERTIES_ADDED', path: ['maxProperties'] });
      else if (update.maxProperties !== undefined && update.maxProperties < original.maxProperties)
        diffs.push({ type: 'MAX_PROPERTIES_DECREASED', path: ['maxProperties'] });
    }
    if (original.minProperties !== update.minProperties) {
      if (original.minProperties === undefined) diffs.push({ type: 'MIN_PROPERTIES_ADDED', path: ['minProperties'] });
      else if (update.minProperties !== undefined && update.minProperties > original.minProperties)
        diffs.push({ type: 'MIN_PROPERTIES_INCREASED', path: ['minProperties'] });
    }
    return diffs;
  }

  /** additionalProperties / additionalItems: closing an open model, or giving it a schema, narrows it. */
  #compareContent(original: Content, update: Content, name: string, removed: DiffType, narrowed: DiffType): Difference[] {
    const a = original.additional;
    const b = update.additional;
    const permits = (c: Content['additional']) => c !== 'closed';
    if (permits(a) !== permits(b)) return permits(b) ? [] : [{ type: removed, path: [name] }];
    if (a === 'closed' || b === 'closed') return [];
    if (a === 'open' && b !== 'open') return [{ type: narrowed, path: [name] }];
    if (a !== 'open' && b === 'open') return [];
    if (a === 'open' || b === 'open') return [];
    return this.#at([name], this.compare(a, b));
  }

  #compareUnevaluated(a: Node | undefined, b: Node | undefined, name: string, removed: DiffType, narrowed: DiffType): Difference[] {
    if (a === undefined && b === undefined) return [];
    if (a === undefined) return [{ type: b!.kind === 'false' ? removed : narrowed, path: [name] }];
    if (b === undefined) return [];
    if (a.kind === 'false' && b.kind !== 'false') return [];
    if (a.kind !== 'false' && b.kind === 'false') return [{ type: removed, path: [name] }];
    if (a.kind === 'empty' && b.kind !== 'empty') return [{ type: narrowed, path: [name] }];
    if (a.kind !== 'empty' && b.kind === 'empty') return [];
    return this.#at([name], this.compare(a, b));
  }

  static #isOpenArray(node: ArrayNode): boolean {
    return node.additional === 'open' && (node.unevaluated === undefined || node.unevaluated.kind === 'empty');
  }

  static #partialArray(node: ArrayNode): Node | undefined {
    if (node.additional !== 'open' && node.additional !== 'closed') return node.additional;
    if (node.additional === 'open' && node.unevaluated && node.unevaluated.kind !== 'false' && node.unevaluated.kind !== 'empty') return node.unevaluated;
    return undefined;
  }

  #compareArray(original: ArrayNode, update: ArrayNode): Difference[] {
    const diffs: Difference[] = [...this.#at(['items'], this.compare(original.items, update.items))];
    const shared = Math.min(original.tuple.length, update.tuple.length);
    for (let i = 0; i < shared; i++) diffs.push(...this.#at(['items', String(i)], this.compare(original.tuple[i], update.tuple[i])));
    for (let i = shared; i < original.tuple.length; i++) {
      const path = ['items', String(i)];
      if (Comparison.#isOpenArray(update)) continue;
      const partial = Comparison.#partialArray(update);
      if (partial) {
        const sub = this.compare(original.tuple[i], partial);
        if (sub.length > 0) diffs.push(...this.#at(path, sub), { type: 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', path });
      } else if (original.tuple[i]!.kind !== 'false') {
        diffs.push({ type: 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', path });
      }
    }
    for (let i = shared; i < update.tuple.length; i++) {
      const path = ['items', String(i)];
      if (Comparison.#isOpenArray(original)) {
        if (update.tuple[i]!.kind !== 'empty') diffs.push({ type: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', path });
        continue;
      }
      const partial = Comparison.#partialArray(original);
      if (partial) {
        const sub = this.compare(partial, update.tuple[i]);
        if (sub.length > 0) diffs.push(...this.#at(path, sub), { type: 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', path });
      }
    }
    diffs.push(...this.#compareContent(original, update, 'additionalItems', 'ADDITIONAL_ITEMS_REMOVED', 'ADDITIONAL_ITEMS_NARROWED'));
    diffs.push(
      ...this.#compareUnevaluated(original.unevaluated, update.unevaluated, 'unevaluatedItems', 'UNEVALUATED_ITEMS_REMOVED', 'UNEVALUATED_ITEMS_NARROWED'),
    );
    const upper = (name: string, a: number | undefined, b: number | undefined, added: DiffType, decreased: DiffType) => {
      if (a === b) return;
      if (a === undefined) diffs.push({ type: added, path: [name] });
      else if (b !== undefined && b < a) diffs.push({ type: decreased, path: [name] });
    };
    const lower = (name: string, a: number | undefined, b: number | undefined, added: DiffType, increased: DiffType) => {
      if (a === b) return;
      if (a === undefined) diffs.push({ type: added, path: [name] });
      else if (b !== undefined && b > a) diffs.push({ type: increased, path: [name] });
    };
    upper('maxItems', original.maxItems, update.maxItems, 'MAX_ITEMS_ADDED', 'MAX_ITEMS_DECREASED');
    lower('minItems', original.minItems, update.minItems, 'MIN_ITEMS_ADDED', 'MIN_ITEMS_INCREASED');
    if (!original.uniqueItems && update.uniqueItems) diffs.push({ type: 'UNIQUE_ITEMS_ADDED', path: ['uniqueItems'] });
    upper('maxContains', original.maxContains, update.maxContains, 'MAX_CONTAINS_ADDED', 'MAX_CONTAINS_DECREASED');
    lower('minContains', original.minContains, update.minContains, 'MIN_CONTAINS_ADDED', 'MIN_CONTAINS_INCREASED');
    return diffs;
  }
}

const patternCache = new Map<string, RE2JS | null>();

/** Whether a property name matches a patternProperties key, in linear time (RE2); a pattern RE2 cannot run covers nothing. */
function matches(pattern: string, name: string): boolean {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(pattern);
    } catch {
      compiled = null;
    }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, compiled);
  }
  return compiled !== null && compiled.matcher(name).find();
}

// ---------------------------------------------------------------------------------------------------

class JsonParsedSchema implements ParsedSchema {
  readonly type = 'JSON' as const;
  #model: Node | null = null;
  readonly #json: Json;
  readonly #resolver: Resolver;

  constructor(
    readonly canonical: string,
    json: Json,
    resolver: Resolver,
  ) {
    this.#json = json;
    this.#resolver = resolver;
  }

  normalized(): string {
    return sortedJson(this.#json);
  }

  model(): Node {
    this.#model ??= new ModelBuilder(this.#resolver).build(this.#json, this.#resolver.documents[0]!);
    return this.#model;
  }

  canRead(writer: ParsedSchema): string[] {
    if (!(writer instanceof JsonParsedSchema)) return ['Incompatible because of different schema type'];
    try {
      return dedupe(new Comparison().compare(writer.model(), this.model())).map(describe);
    } catch (error) {
      if (error instanceof BudgetExceeded)
        return [`{errorType:"TYPE_CHANGED", description:"The comparison of the %s and %s schemas took more than ${COMPARISON_BUDGET} steps and was stopped"}`];
      if (error instanceof RangeError) return ['{errorType:"TYPE_CHANGED", description:"The %s and %s schemas nest too deeply to be compared"}'];
      throw error;
    }
  }
}

function dedupe(diffs: Difference[]): Difference[] {
  const seen = new Set<string>();
  return diffs.filter((d) => {
    const key = `${d.type}|${d.path.join('/')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collectReferences(references: ResolvedReference[], out: Array<{ name: string; root: Json }>, seen: Set<string>): void {
  for (const reference of references) {
    const key = `${reference.subject}\u0000${reference.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (reference.schemaType !== 'JSON') throw new InvalidSchemaError(`reference '${reference.name}' is a ${reference.schemaType} schema, not a JSON schema`);
    const root = parseJsonText(reference.schema) as Json;
    out.push({ name: reference.name, root });
    collectReferences(reference.references, out, seen);
  }
}

export const jsonSchemaFormat: SchemaFormat = {
  type: 'JSON',
  parse(text, references, options) {
    const json = parseJsonText(text) as Json;
    if (typeof json !== 'boolean' && !isObject(json)) throw new InvalidSchemaError('a JSON schema must be an object or a boolean');
    validateAgainstMetaSchema(json);
    const referenced: Array<{ name: string; root: Json }> = [];
    collectReferences(references, referenced, new Set());
    const resolver = new Resolver(json, referenced);
    resolver.checkAll();
    const parsed = new JsonParsedSchema(JSON.stringify(json), json, resolver);
    try {
      parsed.model();
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw error;
      if (error instanceof RangeError) throw new InvalidSchemaError('the schema nests too deeply');
      throw error;
    }
    return options.normalize ? new JsonParsedSchema(parsed.normalized(), json, resolver) : parsed;
  },
};

/**
 * Protobuf schemas (.proto text): parsed and resolved by protobufjs, with every `import` either a
 * schema reference (its `name` is the import path) or one of Google's well-known types that protobufjs
 * ships (google/protobuf/timestamp.proto and the like), as Confluent resolves them.
 *
 * Compatibility follows Confluent's Protobuf rules (its `protobuf/diff` package): fields are matched
 * by number, and these changes are incompatible — the package changed; a message removed; a field's
 * kind (scalar, message, map), scalar group (int32/int64/uint32/uint64/bool and enums; sint32/sint64;
 * string/bytes; fixed32/sfixed32; fixed64/sfixed64; float; double — Protobuf's wire-compatible groups)
 * or message type changed; a numeric field's label changed (repeated vs not); a required field added or
 * removed; a field removed from a oneof that still exists; previously independent fields moved into one
 * oneof. Adding or removing fields and messages, renaming fields, any enum change and adding oneofs are
 * compatible.
 *
 * The stored text is the schema as registered; schemas that differ only in comments and whitespace
 * share an id (the dedup key is the token stream).
 */
import protobuf from 'protobufjs';
import { InvalidSchemaError, type ParsedSchema, type ResolvedReference, type SchemaFormat } from './types';

type PbType = protobuf.Type;
type PbEnum = protobuf.Enum;
type PbField = protobuf.Field;

const WELL_KNOWN = new Set([
  'google/protobuf/any.proto',
  'google/protobuf/duration.proto',
  'google/protobuf/timestamp.proto',
  'google/protobuf/empty.proto',
  'google/protobuf/struct.proto',
  'google/protobuf/wrappers.proto',
  'google/protobuf/field_mask.proto',
]);

/** The schema as tokens: comments dropped, whitespace runs collapsed outside string literals. */
export function protobufTokens(text: string): string {
  let out = '';
  let i = 0;
  let space = false;
  const push = (chunk: string) => {
    if (space && out.length > 0) out += ' ';
    space = false;
    out += chunk;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      space = true;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      space = true;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      push(text.slice(i, j + 1));
      i = j + 1;
    } else if (/\s/.test(c)) {
      space = true;
      i++;
    } else if (/[A-Za-z0-9_.+-]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_.+-]/.test(text[j]!)) j++;
      push(text.slice(i, j));
      i = j;
    } else {
      // Punctuation needs no space around it.
      space = false;
      out += c;
      i++;
    }
  }
  return out;
}

function parseInto(text: string, root: protobuf.Root, what: string): { package?: string; imports?: string[]; weakImports?: string[] } {
  try {
    return protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
  } catch (error) {
    throw new InvalidSchemaError(`${what}: ${(error as Error).message}`);
  }
}

/** The top-level messages and enums one .proto text declares, in order, by full name. */
function declaredTypes(text: string): { packageName: string; names: string[] } {
  const scratch = new protobuf.Root();
  const parsed = parseInto(text, scratch, 'the schema');
  const packageName = parsed.package ?? '';
  const namespace = packageName ? scratch.lookup(packageName) : scratch;
  const nested = namespace instanceof protobuf.Namespace ? namespace.nestedArray : [];
  return {
    packageName,
    names: nested.filter((n) => n instanceof protobuf.Type || n instanceof protobuf.Enum).map((n) => n.fullName),
  };
}

const FIELD_NUMBER_MAX = 536_870_911;

function checkFieldNumbers(namespace: protobuf.NamespaceBase): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      for (const field of nested.fieldsArray) {
        const extensionField = field.declaringField !== null || field.extend !== undefined;
        if (extensionField) continue;
        if (field.id < 1 || field.id > FIELD_NUMBER_MAX || (field.id >= 19_000 && field.id <= 19_999)) {
          throw new InvalidSchemaError(
            `field ${nested.fullName.slice(1)}.${field.name} has number ${field.id}: field numbers are 1 to ${FIELD_NUMBER_MAX}, except 19000-19999`,
          );
        }
      }
    }
    if (nested instanceof protobuf.Namespace) checkFieldNumbers(nested);
  }
}

// ---------------------------------------------------------------------------------------------------
// The comparison (Confluent's protobuf SchemaDiff), reporting only incompatible differences

type DiffType =
  | 'PACKAGE_CHANGED'
  | 'MESSAGE_REMOVED'
  | 'FIELD_KIND_CHANGED'
  | 'FIELD_SCALAR_KIND_CHANGED'
  | 'FIELD_NAMED_TYPE_CHANGED'
  | 'FIELD_NUMERIC_LABEL_CHANGED'
  | 'REQUIRED_FIELD_ADDED'
  | 'REQUIRED_FIELD_REMOVED'
  | 'ONEOF_FIELD_REMOVED'
  | 'MULTIPLE_FIELDS_MOVED_TO_ONEOF'
  | 'FIELD_MOVED_TO_EXISTING_ONEOF';

interface Difference {
  type: DiffType;
  path: string[];
}

/** Confluent's wording of each difference (Difference.java), with %s for the two schemas. */
function describe(diff: Difference): string {
  const path = `#/${diff.path.join('/')}`;
  const text: Record<DiffType, string> = {
    PACKAGE_CHANGED: `The package at '${path}' in the %s schema does not match the package in the %s schema`,
    MESSAGE_REMOVED: `The %s schema is missing a MESSAGE type at path '${path}' in the %s schema`,
    FIELD_KIND_CHANGED: `The type of a field at path '${path}' in the %s schema does not match the %s schema`,
    FIELD_SCALAR_KIND_CHANGED: `The kind of a SCALAR field at path '${path}' in the %s schema does not match its kind in the %s schema`,
    FIELD_NAMED_TYPE_CHANGED: `The type of a MESSAGE field at path '${path}' in the %s schema does not match its type in the %s schema`,
    FIELD_NUMERIC_LABEL_CHANGED: `The label for a NUMERIC field at path '${path}' in the %s schema does not match its label in the %s schema`,
    REQUIRED_FIELD_ADDED: `A required field  at path '${path}' in the %s schema is missing in the %s schema`,
    REQUIRED_FIELD_REMOVED: `The %s schema is missing a required field at path: '${path}' in the %s schema`,
    ONEOF_FIELD_REMOVED: `The %s schema is missing a oneof field at path '${path}' in the %s schema`,
    MULTIPLE_FIELDS_MOVED_TO_ONEOF: `Multiple fields in the oneof at path '${path}' in the %s schema are outside a oneof in the %s schema`,
    FIELD_MOVED_TO_EXISTING_ONEOF: `A field in the oneof at path '${path}' in the %s schema is outside an existing oneof in the %s schema`,
  };
  return `{errorType:"${diff.type}", description:"${text[diff.type]}"}`;
}

type Kind = 'SCALAR' | 'MESSAGE' | 'MAP';
type ScalarKind = 'GENERAL_NUMBER' | 'SIGNED_NUMBER' | 'STRING_OR_BYTES' | 'FIXED32' | 'FIXED64' | 'FLOAT' | 'DOUBLE';

const SCALAR_KINDS: Record<string, ScalarKind> = {
  int32: 'GENERAL_NUMBER',
  int64: 'GENERAL_NUMBER',
  uint32: 'GENERAL_NUMBER',
  uint64: 'GENERAL_NUMBER',
  bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER',
  sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES',
  bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32',
  sfixed32: 'FIXED32',
  fixed64: 'FIXED64',
  sfixed64: 'FIXED64',
  float: 'FLOAT',
  double: 'DOUBLE',
};

const labelOf = (field: PbField): string | null => field.rule ?? null;

/** A synthetic oneof protobufjs makes for a proto3 `optional` field is not a oneof of the schema. */
function realOneof(field: PbField): string | null {
  const oneof = field.partOf;
  if (!oneof) return null;
  if (field.options?.proto3_optional === true && oneof.fieldsArray.length === 1) return null;
  return oneof.name;
}

interface Side {
  packageName: string;
}

class Comparison {
  readonly #diffs: Difference[] = [];
  readonly #visiting = new Set<string>();
  readonly #original: Side;
  readonly #update: Side;

  constructor(original: Side, update: Side) {
    this.#original = original;
    this.#update = update;
  }

  result(): Difference[] {
    const seen = new Set<string>();
    return this.#diffs.filter((d) => {
      const key = `${d.type}|${d.path.join('/')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  add(type: DiffType, path: string[]): void {
    this.#diffs.push({ type, path });
  }

  compareTypes(original: Array<PbType | PbEnum>, update: Array<PbType | PbEnum>, path: string[]): void {
    const messages = (list: Array<PbType | PbEnum>) => new Map(list.filter((t): t is PbType => t instanceof protobuf.Type).map((t) => [t.name, t]));
    const before = messages(original);
    const after = messages(update);
    for (const [name, message] of before) {
      const next = after.get(name);
      if (!next) this.add('MESSAGE_REMOVED', [...path, name]);
      else this.#compareMessage(message, next, [...path, name]);
    }
    // Added messages, moved messages and every enum change are compatible.
  }

  #compareMessage(original: PbType, update: PbType, path: string[]): void {
    const key = `${original.fullName}|${update.fullName}`;
    if (!this.#visiting.has(key)) {
      this.#visiting.add(key);
      try {
        this.#compareFields(original, update, path);
      } finally {
        this.#visiting.delete(key);
      }
    }
    const nested = (t: PbType) => t.nestedArray.filter((n): n is PbType | PbEnum => n instanceof protobuf.Type || n instanceof protobuf.Enum);
    this.compareTypes(nested(original), nested(update), path);
  }

  #compareFields(original: PbType, update: PbType, path: string[]): void {
    const collect = (type: PbType) => {
      const byTag = new Map<number, PbField>();
      const oneofOf = new Map<number, string>();
      const oneofs = new Map<string, PbField[]>();
      for (const field of type.fieldsArray) {
        byTag.set(field.id, field);
        const oneof = realOneof(field);
        if (oneof) {
          oneofOf.set(field.id, oneof);
          oneofs.set(oneof, [...(oneofs.get(oneof) ?? []), field]);
        }
      }
      return { byTag, oneofOf, oneofs };
    };
    const before = collect(original);
    const after = collect(update);

    const deletedOneofs = new Set<string>();
    for (const [name, fields] of before.oneofs) {
      if (!after.oneofs.has(name) && !fields.some((f) => after.byTag.has(f.id))) deletedOneofs.add(name);
    }
    for (const [name, fields] of after.oneofs) {
      const origins = new Set<string>();
      let movedFromTopLevel = 0;
      for (const field of fields) {
        const oldOneof = before.oneofOf.get(field.id);
        if (oldOneof !== undefined) origins.add(`oneof:${oldOneof}`);
        else if (before.byTag.has(field.id)) {
          origins.add(`field:${field.id}`);
          movedFromTopLevel++;
        }
      }
      if (origins.size > 1) this.add(movedFromTopLevel > 1 ? 'MULTIPLE_FIELDS_MOVED_TO_ONEOF' : 'FIELD_MOVED_TO_EXISTING_ONEOF', [...path, name]);
    }

    const tags = [...new Set([...before.byTag.keys(), ...after.byTag.keys()])].sort((a, b) => a - b);
    for (const tag of tags) {
      const was = before.byTag.get(tag);
      const is = after.byTag.get(tag);
      const oldOneof = before.oneofOf.get(tag);
      const newOneof = after.oneofOf.get(tag);
      if (!is) {
        if (oldOneof !== undefined) {
          if (!deletedOneofs.has(oldOneof)) this.add('ONEOF_FIELD_REMOVED', [...path, oldOneof, String(tag)]);
        } else if (was!.rule === 'required') {
          this.add('REQUIRED_FIELD_REMOVED', [...path, String(tag)]);
        }
      } else if (!was) {
        if (newOneof === undefined && is.rule === 'required') this.add('REQUIRED_FIELD_ADDED', [...path, String(tag)]);
      } else {
        const fieldPath = newOneof !== undefined ? [...path, newOneof, String(tag)] : [...path, String(tag)];
        this.#compareField(was, is, fieldPath);
      }
    }
  }

  #kindOf(field: PbField | { type: string; resolvedType: protobuf.ReflectionObject | null }): Kind {
    if (field instanceof protobuf.MapField) return 'MAP';
    if (field.resolvedType instanceof protobuf.Type) return 'MESSAGE';
    return 'SCALAR';
  }

  #scalarKind(field: { type: string; resolvedType: protobuf.ReflectionObject | null }): ScalarKind {
    if (field.resolvedType instanceof protobuf.Enum) return 'GENERAL_NUMBER';
    return SCALAR_KINDS[field.type] ?? 'GENERAL_NUMBER';
  }

  #compareField(original: PbField, update: PbField, path: string[]): void {
    const kind = this.#kindOf(original);
    if (kind !== this.#kindOf(update)) {
      this.add('FIELD_KIND_CHANGED', path);
      return;
    }
    if (kind === 'SCALAR') this.#compareScalar(original, update, labelOf(original), labelOf(update), path);
    else if (kind === 'MESSAGE') this.#compareMessageType(original.resolvedType as PbType, update.resolvedType as PbType, path);
    else {
      const a = original as unknown as protobuf.MapField;
      const b = update as unknown as protobuf.MapField;
      const key = (field: protobuf.MapField) => ({ type: field.keyType, resolvedType: null });
      this.#compareScalar(key(a), key(b), null, null, path);
      const valueKind = (f: protobuf.MapField) => (f.resolvedType instanceof protobuf.Type ? 'MESSAGE' : 'SCALAR');
      if (valueKind(a) !== valueKind(b)) this.add('FIELD_KIND_CHANGED', path);
      else if (valueKind(a) === 'SCALAR') this.#compareScalar(a, b, null, null, path);
      else this.#compareMessageType(a.resolvedType as PbType, b.resolvedType as PbType, path);
    }
  }

  #compareScalar(
    original: { type: string; resolvedType: protobuf.ReflectionObject | null },
    update: { type: string; resolvedType: protobuf.ReflectionObject | null },
    originalLabel: string | null,
    updateLabel: string | null,
    path: string[],
  ): void {
    const kind = this.#scalarKind(original);
    if (kind !== this.#scalarKind(update)) {
      this.add('FIELD_SCALAR_KIND_CHANGED', path);
      return;
    }
    // A label change of a string/bytes field is compatible (FIELD_STRING_OR_BYTES_LABEL_CHANGED).
    if (originalLabel !== updateLabel && kind !== 'STRING_OR_BYTES') this.add('FIELD_NUMERIC_LABEL_CHANGED', path);
  }

  #localName(type: PbType, side: Side): string {
    const full = type.fullName.slice(1);
    return side.packageName && full.startsWith(`${side.packageName}.`) ? full.slice(side.packageName.length + 1) : full;
  }

  #compareMessageType(original: PbType, update: PbType, path: string[]): void {
    const name = this.#localName(original, this.#original);
    if (name !== this.#localName(update, this.#update)) {
      this.add('FIELD_NAMED_TYPE_CHANGED', path);
      return;
    }
    const key = `${original.fullName}|${update.fullName}`;
    if (this.#visiting.has(key)) return;
    const before = this.#diffs.length;
    this.#visiting.add(key);
    try {
      this.#compareFields(original, update, name.split('.'));
    } finally {
      this.#visiting.delete(key);
    }
    if (this.#diffs.length > before) this.add('FIELD_NAMED_TYPE_CHANGED', path);
  }
}

class ProtobufParsedSchema implements ParsedSchema {
  readonly type = 'PROTOBUF' as const;
  readonly #text: string;

  constructor(
    readonly canonical: string,
    text: string,
    readonly packageName: string,
    /** The file's own top-level messages and enums, resolved within the full root. */
    readonly topLevel: Array<PbType | PbEnum>,
  ) {
    this.#text = text;
  }

  normalized(): string {
    return protobufTokens(this.#text);
  }

  canRead(writer: ParsedSchema): string[] {
    if (!(writer instanceof ProtobufParsedSchema)) return ['Incompatible because of different schema type'];
    const comparison = new Comparison({ packageName: writer.packageName }, { packageName: this.packageName });
    if (writer.packageName !== this.packageName) comparison.add('PACKAGE_CHANGED', []);
    comparison.compareTypes(writer.topLevel, this.topLevel, []);
    return comparison.result().map(describe);
  }
}

function loadImports(imports: string[], references: ResolvedReference[], root: protobuf.Root, loaded: Set<string>, depth: number): void {
  if (depth > 32) throw new InvalidSchemaError('schema references nest deeper than 32 levels');
  for (const path of imports) {
    if (loaded.has(path)) continue;
    loaded.add(path);
    if (WELL_KNOWN.has(path)) {
      const json = protobuf.common.get(path) as { nested?: Record<string, unknown> } | null;
      if (json?.nested) root.addJSON(json.nested as never);
      continue;
    }
    const reference = references.find((r) => r.name === path);
    if (!reference) throw new InvalidSchemaError(`import "${path}" is neither a schema reference nor a well-known type (add a reference named "${path}")`);
    if (reference.schemaType !== 'PROTOBUF') throw new InvalidSchemaError(`reference '${path}' is a ${reference.schemaType} schema, not Protobuf`);
    const parsed = parseInto(reference.schema, root, `reference '${path}' (subject ${reference.subject} version ${reference.version})`);
    loadImports([...(parsed.imports ?? []), ...(parsed.weakImports ?? [])], reference.references, root, loaded, depth + 1);
  }
}

export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',
  parse(text, references) {
    const declared = declaredTypes(text);
    const root = new protobuf.Root();
    const parsed = parseInto(text, root, 'the schema');
    loadImports([...(parsed.imports ?? []), ...(parsed.weakImports ?? [])], references, root, new Set(), 0);
    try {
      root.resolveAll();
    } catch (error) {
      throw new InvalidSchemaError((error as Error).message);
    }
    checkFieldNumbers(root);
    const topLevel = declared.names
      .map((name) => root.lookup(name))
      .filter((n): n is PbType | PbEnum => n instanceof protobuf.Type || n instanceof protobuf.Enum);
    return new ProtobufParsedSchema(text.trim(), text, declared.packageName, topLevel);
  },
};

/**
 * What the registry needs from a schema format (Avro, Protobuf, JSON Schema): parsing with the
 * referenced schemas resolved, the canonical text it stores (the dedup key), a normalized form, and
 * Confluent's "can this schema read data written with that one" check. Messages of that check keep
 * two `%s` placeholders, filled in by the caller with "new"/"old" in the order of the direction
 * checked — as Confluent's SchemaValidatorBuilder formats the differences of each format.
 */
/** The schema formats of Confluent's registry (its `schemaType`; absent means AVRO). */
export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** A schema's reference to another: the name it imports it by, and the subject and version it is. */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A reference with the schema it points at, and that schema's own references, resolved. */
export interface ResolvedReference extends SchemaReference {
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

export interface ParsedSchema {
  readonly type: SchemaType;
  /** The text stored and returned: Confluent's canonical string of the format. */
  readonly canonical: string;
  /** The normalized text (`normalize=true`): equal for schemas that differ only in presentation. */
  normalized(): string;
  /** Differences that stop this schema (the reader) from reading data of `writer`; empty when it can. */
  canRead(writer: ParsedSchema): string[];
}

export interface SchemaFormat {
  readonly type: SchemaType;
  /** Throws InvalidSchemaError with the reason. */
  parse(schema: string, references: ResolvedReference[], options: { normalize: boolean }): ParsedSchema;
}

export class InvalidSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSchemaError';
  }
}

/** How deep a schema's JSON may nest before it is refused (bounded recursion on hostile input). */
export const MAX_SCHEMA_DEPTH = 128;

/** Throws when a parsed JSON value nests deeper than MAX_SCHEMA_DEPTH (iterative, so it cannot overflow). */
export function checkJsonDepth(value: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_SCHEMA_DEPTH) throw new InvalidSchemaError(`the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
}

export function parseJsonText(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidSchemaError(`the schema is not valid JSON: ${(error as Error).message}`);
  }
  checkJsonDepth(parsed);
  return parsed;
}

/** JSON with object keys sorted at every level (Jackson's ORDER_MAP_ENTRIES_BY_KEYS). */
export function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${sortedJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

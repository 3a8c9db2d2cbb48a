/**
 * The records of the `_schemas` topic, in Confluent Schema Registry's own JSON formats (its
 * `storage/*Key.java` and `*Value.java`), so the topic reads the same to Confluent's tools:
 *
 *   SCHEMA          {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *                   -> {"subject":"s","version":1,"id":7,"schemaType":"PROTOBUF","references":[...],"schema":"...","deleted":false}
 *                      (schemaType absent for AVRO, references absent when empty; null = version hard-deleted)
 *   CONFIG          {"keytype":"CONFIG","subject":"s","magic":0}   (no subject: the global config)
 *                   -> {"subject":"s","compatibilityLevel":"FULL"}  (null = config deleted)
 *   MODE            {"keytype":"MODE","subject":"s","magic":0}     -> {"subject":"s","mode":"READONLY"}
 *   DELETE_SUBJECT  {"keytype":"DELETE_SUBJECT","subject":"s","magic":0} -> {"subject":"s","version":3}
 *                   (every version up to 3 soft-deleted)
 *   CLEAR_SUBJECT   {"keytype":"CLEAR_SUBJECT","subject":"s","magic":0} -> {"subject":"s"}
 *   NOOP            {"keytype":"NOOP","magic":0} -> null   (written at start to find the end of the log)
 *
 * Decoding is lenient the way Confluent's is (unknown properties ignored), and refuses what it cannot
 * use: the loader skips such records and counts them.
 */
import type { SchemaReference, SchemaType } from '../../kafka/schemas/formats/types';

export const SCHEMAS_TOPIC = '_schemas';

export type { SchemaReference, SchemaType };
export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO'];

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReference[];
  schema: string;
  deleted: boolean;
}

export type CompatibilityLevel = 'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';
export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

export interface ConfigValue {
  compatibilityLevel?: CompatibilityLevel;
  /** Register and look up schemas in their normalized form by default. */
  normalize?: boolean;
}

export type Mode = 'READWRITE' | 'READONLY' | 'IMPORT';
export const MODES: readonly Mode[] = ['READWRITE', 'READONLY', 'IMPORT'];

/** Subject of a CONFIG or MODE key: null for the global one. */
export type ScopeSubject = string | null;

export type RegistryKey =
  | { keytype: 'SCHEMA'; subject: string; version: number }
  | { keytype: 'CONFIG'; subject: ScopeSubject }
  | { keytype: 'MODE'; subject: ScopeSubject }
  | { keytype: 'DELETE_SUBJECT'; subject: string }
  | { keytype: 'CLEAR_SUBJECT'; subject: string }
  | { keytype: 'NOOP' };

export type RegistryRecord =
  | { key: { keytype: 'SCHEMA'; subject: string; version: number }; value: SchemaValue | null }
  | { key: { keytype: 'CONFIG'; subject: ScopeSubject }; value: ConfigValue | null }
  | { key: { keytype: 'MODE'; subject: ScopeSubject }; value: { mode: Mode } | null }
  | { key: { keytype: 'DELETE_SUBJECT'; subject: string }; value: { subject: string; version: number } | null }
  | { key: { keytype: 'CLEAR_SUBJECT'; subject: string }; value: { subject: string } | null }
  | { key: { keytype: 'NOOP' }; value: null };

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

export function encodeKey(key: RegistryKey): Buffer {
  switch (key.keytype) {
    case 'SCHEMA':
      return json({ keytype: 'SCHEMA', subject: key.subject, version: key.version, magic: 1 });
    case 'CONFIG':
    case 'MODE':
      return json(key.subject === null ? { keytype: key.keytype, magic: 0 } : { keytype: key.keytype, subject: key.subject, magic: 0 });
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      return json({ keytype: key.keytype, subject: key.subject, magic: 0 });
    case 'NOOP':
      return json({ keytype: 'NOOP', magic: 0 });
  }
}

export function encodeValue(record: RegistryRecord): Buffer | null {
  if (record.value === null) return null;
  switch (record.key.keytype) {
    case 'SCHEMA': {
      const v = record.value as SchemaValue;
      return json({
        subject: v.subject,
        version: v.version,
        id: v.id,
        ...(v.schemaType !== 'AVRO' ? { schemaType: v.schemaType } : {}),
        ...(v.references.length > 0 ? { references: v.references } : {}),
        schema: v.schema,
        deleted: v.deleted,
      });
    }
    case 'CONFIG': {
      const v = record.value as ConfigValue;
      return json({ ...(record.key.subject !== null ? { subject: record.key.subject } : {}), ...v });
    }
    case 'MODE':
      return json({ ...(record.key.subject !== null ? { subject: record.key.subject } : {}), mode: (record.value as { mode: Mode }).mode });
    default:
      return json(record.value);
  }
}

export class RecordFormatError extends Error {}

function parseObject(buffer: Buffer, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch {
    throw new RecordFormatError(`${what} is not JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RecordFormatError(`${what} is not a JSON object`);
  return parsed as Record<string, unknown>;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isVersion = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 2 ** 31 - 1;

function scopeSubject(key: Record<string, unknown>): ScopeSubject {
  const subject = key.subject;
  if (subject === undefined || subject === null) return null;
  if (!isString(subject)) throw new RecordFormatError('subject is not a string');
  return subject;
}

export function decodeKey(buffer: Buffer): RegistryKey {
  const key = parseObject(buffer, 'key');
  switch (key.keytype) {
    case 'SCHEMA':
      if (!isString(key.subject) || !isVersion(key.version)) throw new RecordFormatError('SCHEMA key without subject and version');
      return { keytype: 'SCHEMA', subject: key.subject, version: key.version };
    case 'CONFIG':
    case 'MODE':
      return { keytype: key.keytype, subject: scopeSubject(key) };
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      if (!isString(key.subject)) throw new RecordFormatError(`${key.keytype} key without subject`);
      return { keytype: key.keytype, subject: key.subject };
    case 'NOOP':
      return { keytype: 'NOOP' };
    default:
      throw new RecordFormatError(`unknown key type ${JSON.stringify(key.keytype)}`);
  }
}

function decodeReferences(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RecordFormatError('references is not an array');
  return value.map((ref: unknown) => {
    const r = ref as Record<string, unknown>;
    if (!r || !isString(r.name) || !isString(r.subject) || !isVersion(r.version)) throw new RecordFormatError('malformed reference');
    return { name: r.name, subject: r.subject, version: r.version };
  });
}

export function decodeRecord(keyBuffer: Buffer, valueBuffer: Buffer | null): RegistryRecord {
  const key = decodeKey(keyBuffer);
  if (valueBuffer === null || key.keytype === 'NOOP') return { key, value: null } as RegistryRecord;
  const value = parseObject(valueBuffer, 'value');
  switch (key.keytype) {
    case 'SCHEMA': {
      const type = value.schemaType ?? 'AVRO';
      if (type !== 'AVRO' && type !== 'PROTOBUF' && type !== 'JSON') throw new RecordFormatError(`unknown schema type ${JSON.stringify(type)}`);
      if (!Number.isInteger(value.id) || (value.id as number) < 0 || !isString(value.schema)) throw new RecordFormatError('SCHEMA value without id or schema');
      return {
        key,
        value: {
          subject: key.subject,
          version: key.version,
          id: value.id as number,
          schemaType: type,
          references: decodeReferences(value.references),
          schema: value.schema,
          deleted: value.deleted === true,
        },
      };
    }
    case 'CONFIG': {
      const level = value.compatibilityLevel;
      const config: ConfigValue = {};
      if (level !== undefined && level !== null) {
        if (!COMPATIBILITY_LEVELS.includes(level as CompatibilityLevel)) throw new RecordFormatError(`unknown compatibility level ${JSON.stringify(level)}`);
        config.compatibilityLevel = level as CompatibilityLevel;
      }
      if (typeof value.normalize === 'boolean') config.normalize = value.normalize;
      return { key, value: config };
    }
    case 'MODE': {
      const mode = value.mode;
      if (!MODES.includes(mode as Mode)) throw new RecordFormatError(`unknown mode ${JSON.stringify(mode)}`);
      return { key, value: { mode: mode as Mode } };
    }
    case 'DELETE_SUBJECT':
      if (!isVersion(value.version)) throw new RecordFormatError('DELETE_SUBJECT value without version');
      return { key, value: { subject: key.subject, version: value.version } };
    case 'CLEAR_SUBJECT':
      return { key, value: { subject: key.subject } };
  }
}

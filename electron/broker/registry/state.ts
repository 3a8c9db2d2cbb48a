/**
 * The registry's state as a pure function of the `_schemas` records applied in log order, as
 * Confluent's KafkaStoreReaderThread builds its lookup cache: subjects and their versions (a soft
 * delete is a SCHEMA record with `deleted: true`, or a DELETE_SUBJECT record covering versions up to
 * one; a hard delete is a tombstone), schema ids and the schema text behind each, the global and
 * per-subject configs and modes. Rebuilding it from the topic after a restart gives the same state.
 */
import { protobufTokens } from '../../kafka/schemas/formats/protobuf';
import type { ConfigValue, Mode, RegistryRecord, SchemaReference, SchemaType, SchemaValue, ScopeSubject } from './records';

export interface StoredSchema {
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
}

const versionKey = (subject: string, version: number) => `${subject}\u0000${version}`;

/** The dedup key of a schema text: equal for the same schema registered with other whitespace. */
export function contentKey(schemaType: SchemaType, schema: string, references: readonly SchemaReference[]): string {
  let body = schema;
  if (schemaType === 'PROTOBUF') body = protobufTokens(schema);
  else {
    try {
      body = JSON.stringify(JSON.parse(schema));
    } catch {
      // Kept as written; a schema that is not JSON only matches itself.
    }
  }
  const refs = references.map((r) => `${r.name}\u0001${r.subject}\u0001${r.version}`).join('\u0002');
  return `${schemaType}\u0000${body}\u0000${refs}`;
}

export class RegistryState {
  /** subject -> version -> value (soft-deleted versions included, flagged). */
  readonly subjects = new Map<string, Map<number, SchemaValue>>();
  /** id -> its schema and the subject versions that use it. */
  readonly #ids = new Map<number, { stored: StoredSchema; versions: Set<string> }>();
  readonly #idByContent = new Map<string, number>();
  readonly #configs = new Map<ScopeSubject, ConfigValue>();
  readonly #modes = new Map<ScopeSubject, Mode>();
  /** The highest id ever seen: new ids are above it (Confluent's IncrementalIdGenerator). */
  maxId = 0;
  /** Records applied, and records skipped because they could not be used. */
  applied = 0;
  skipped = 0;

  clear(): void {
    this.subjects.clear();
    this.#ids.clear();
    this.#idByContent.clear();
    this.#configs.clear();
    this.#modes.clear();
    this.maxId = 0;
  }

  apply(record: RegistryRecord): void {
    this.applied++;
    const { key } = record;
    switch (key.keytype) {
      case 'SCHEMA': {
        const value = record.value as SchemaValue | null;
        if (value === null) this.#removeVersion(key.subject, key.version);
        else this.#putVersion({ ...value, subject: key.subject, version: key.version });
        return;
      }
      case 'CONFIG':
        if (record.value === null) this.#configs.delete(key.subject);
        else this.#configs.set(key.subject, record.value as ConfigValue);
        return;
      case 'MODE':
        if (record.value === null) this.#modes.delete(key.subject);
        else this.#modes.set(key.subject, (record.value as { mode: Mode }).mode);
        return;
      case 'DELETE_SUBJECT': {
        const value = record.value as { version: number } | null;
        if (value === null) return;
        for (const [version, schema] of this.subjects.get(key.subject) ?? []) {
          if (version <= value.version && !schema.deleted) this.subjects.get(key.subject)!.set(version, { ...schema, deleted: true });
        }
        return;
      }
      case 'CLEAR_SUBJECT':
        if (record.value === null) return;
        for (const [version, schema] of [...(this.subjects.get(key.subject) ?? [])]) if (schema.deleted) this.#removeVersion(key.subject, version);
        return;
      case 'NOOP':
        return;
    }
  }

  #putVersion(value: SchemaValue): void {
    const previous = this.subjects.get(value.subject)?.get(value.version);
    if (previous && previous.id !== value.id) this.#removeVersion(value.subject, value.version);
    let versions = this.subjects.get(value.subject);
    if (!versions) {
      versions = new Map();
      this.subjects.set(value.subject, versions);
    }
    versions.set(value.version, value);
    this.maxId = Math.max(this.maxId, value.id);
    let entry = this.#ids.get(value.id);
    if (!entry) {
      entry = { stored: { schemaType: value.schemaType, schema: value.schema, references: value.references }, versions: new Set() };
      this.#ids.set(value.id, entry);
      const content = contentKey(value.schemaType, value.schema, value.references);
      if (!this.#idByContent.has(content)) this.#idByContent.set(content, value.id);
    }
    entry.versions.add(versionKey(value.subject, value.version));
  }

  #removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const value = versions?.get(version);
    if (!versions || !value) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    const entry = this.#ids.get(value.id);
    if (!entry) return;
    entry.versions.delete(versionKey(subject, version));
    if (entry.versions.size === 0) {
      // The last version of an id is gone: the id no longer resolves (maxId still stays above it).
      this.#ids.delete(value.id);
      const content = contentKey(entry.stored.schemaType, entry.stored.schema, entry.stored.references);
      if (this.#idByContent.get(content) === value.id) this.#idByContent.delete(content);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Queries

  /** Versions of a subject in ascending order; soft-deleted ones only when asked. */
  versions(subject: string, filter: 'live' | 'all' | 'deleted' = 'live'): SchemaValue[] {
    const versions = [...(this.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    if (filter === 'all') return versions;
    return versions.filter((v) => (filter === 'deleted' ? v.deleted : !v.deleted));
  }

  hasSubject(subject: string, includeDeleted: boolean): boolean {
    return this.versions(subject, includeDeleted ? 'all' : 'live').length > 0;
  }

  version(subject: string, version: number): SchemaValue | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  latest(subject: string): SchemaValue | undefined {
    return this.versions(subject, 'live').at(-1);
  }

  schemaById(id: number): StoredSchema | undefined {
    return this.#ids.get(id)?.stored;
  }

  idOf(schemaType: SchemaType, schema: string, references: readonly SchemaReference[]): number | undefined {
    return this.#idByContent.get(contentKey(schemaType, schema, references));
  }

  /** The subject versions that use an id, by subject then version. */
  versionsOfId(id: number, includeDeleted: boolean): SchemaValue[] {
    const entry = this.#ids.get(id);
    if (!entry) return [];
    const result: SchemaValue[] = [];
    for (const key of entry.versions) {
      const [subject, version] = key.split('\u0000') as [string, string];
      const value = this.version(subject, Number(version));
      if (value && (includeDeleted || !value.deleted)) result.push(value);
    }
    return result.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
  }

  /** Ids of the schemas whose references point at a subject version. */
  referencedBy(subject: string, version: number, includeDeleted: boolean): number[] {
    const ids = new Set<number>();
    for (const versions of this.subjects.values()) {
      for (const value of versions.values()) {
        if (!includeDeleted && value.deleted) continue;
        if (value.references.some((r) => r.subject === subject && r.version === version)) ids.add(value.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  subjectNames(filter: 'live' | 'all' | 'deleted'): string[] {
    return [...this.subjects.keys()]
      .filter((subject) => {
        const versions = this.versions(subject, 'all');
        if (filter === 'all') return versions.length > 0;
        if (filter === 'live') return versions.some((v) => !v.deleted);
        return versions.some((v) => v.deleted);
      })
      .sort();
  }

  config(subject: ScopeSubject): ConfigValue | undefined {
    return this.#configs.get(subject);
  }

  mode(subject: ScopeSubject): Mode | undefined {
    return this.#modes.get(subject);
  }
}

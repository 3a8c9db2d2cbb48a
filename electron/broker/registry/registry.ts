/**
 * The schema registry's operations with Confluent's rules (KafkaSchemaRegistry and its REST resources):
 * registration with deduplication and global ids, lookups, soft and hard deletes, configs and modes,
 * compatibility checks. Its state is built only from `_schemas`: a write appends records with acks=all,
 * then reads the log up to them before it answers (as Confluent's KafkaStore waits for its reader), so
 * the answer, a restart and a new leader of the partition all see the same thing. Writes run one at a
 * time; reads serve the state in memory and keep working while the partition has no leader.
 */
import { checkCompatibility, type PreviousSchema } from './compatibility';
import * as E from './errors';
import { FORMATS, InvalidSchemaError, type ParsedSchema, type ResolvedReference } from '../../kafka/schemas/formats';
import {
  COMPATIBILITY_LEVELS,
  decodeRecord,
  encodeKey,
  encodeValue,
  MODES,
  SCHEMA_TYPES,
  type CompatibilityLevel,
  type ConfigValue,
  type Mode,
  type RegistryRecord,
  type SchemaReference,
  type SchemaType,
  type SchemaValue,
  type ScopeSubject,
} from './records';
import { SchemasLogError, type SchemasLog } from './schemas-log';
import { RegistryState } from './state';
import type { Logger as CoreLogger } from '../../core/logger';

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';
const MAX_VERSION = 2 ** 31 - 1;
/** How long a write waits for the partition's leader and its in-sync replicas (by default). */
const WRITE_TIMEOUT_MS = 10_000;
const READ_CHUNK_BYTES = 1024 * 1024;
/** Reference chains deeper than this are refused (and cycles, which cannot be registered anyway). */
const MAX_REFERENCE_DEPTH = 32;

/** A register, lookup or compatibility request body (RegisterSchemaRequest). */
export interface SchemaRequest {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
  id?: unknown;
  version?: unknown;
}

/** A subject version as the REST API shows it (Confluent's Schema entity). */
export interface SchemaEntity {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  references?: SchemaReference[];
  schema: string;
  deleted?: boolean;
}

interface ValidRequest {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
  id: number;
  version: number;
}

/** What the registry logs through: the app's one logger, of which it needs only these. */
export type Logger = Pick<CoreLogger, 'info' | 'warn' | 'error'>;

export function entityOf(value: SchemaValue, options: { withDeleted?: boolean } = {}): SchemaEntity {
  return {
    subject: value.subject,
    version: value.version,
    id: value.id,
    ...(value.schemaType !== 'AVRO' ? { schemaType: value.schemaType } : {}),
    ...(value.references.length > 0 ? { references: value.references } : {}),
    schema: value.schema,
    ...(options.withDeleted && value.deleted ? { deleted: true } : {}),
  };
}

/** Confluent's VersionId: 1 to 2^31-1, or "latest" (also -1). Undefined means latest. */
export function parseVersion(text: string): number | 'latest' {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d{1,10}$/.test(text)) throw E.invalidVersion(text);
  const version = Number(text);
  if (version < 1 || version > MAX_VERSION) throw E.invalidVersion(text);
  return version;
}

/** Subject names Confluent accepts: not empty, no control characters. */
function checkSubject(subject: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (subject.length === 0 || /[\u0000-\u001f\u007f]/.test(subject) || subject.length > 8192) throw E.invalidSubject(subject);
}

export class SchemaRegistry {
  readonly state = new RegistryState();
  #nextOffset = 0;
  #topicId: string | null = null;
  #writes: Promise<unknown> = Promise.resolve();
  /** Parsed schemas by id (and normalize flag), so compatibility checks do not parse every version again. */
  readonly #parsed = new Map<string, ParsedSchema>();

  readonly #writeTimeoutMs: number;
  readonly #log: SchemasLog;
  readonly #logger: Logger | undefined;

  constructor(log: SchemasLog, logger?: Logger, options: { writeTimeoutMs?: number } = {}) {
    this.#log = log;
    this.#logger = logger;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? WRITE_TIMEOUT_MS;
  }

  /**
   * Waits for the leader of `_schemas`, then reads it to its end: a NOOP record is written first, as
   * Confluent's KafkaStore does at start, so the end is every record acknowledged before, whatever the
   * high watermark a restarted leader remembered.
   */
  async start(timeoutMs = 30_000): Promise<void> {
    // No topic yet: nothing to load; the first write creates it.
    if (!this.#log.exists()) return;
    await this.#log.ready(timeoutMs);
    const noop = await this.#log.append([{ key: encodeKey({ keytype: 'NOOP' }), value: null }], timeoutMs);
    await this.#readThrough(noop, timeoutMs);
    this.#logger?.info('schema registry loaded _schemas', {
      records: this.state.applied,
      skipped: this.state.skipped,
      subjects: this.state.subjectNames('all').length,
      maxId: this.state.maxId,
    });
  }

  // -------------------------------------------------------------------------------------------------
  // The log

  /** Applies committed records from where the reader is; returns false when the log could not be read. */
  #catchUp(): boolean {
    for (let rounds = 0; rounds < 10_000; rounds++) {
      let read;
      try {
        read = this.#log.read(this.#nextOffset, READ_CHUNK_BYTES);
      } catch (error) {
        if (error instanceof SchemasLogError) return false;
        throw error;
      }
      if (this.#topicId !== null && read.topicId !== this.#topicId) {
        // `_schemas` was deleted and created again: what it held is gone, so is the state.
        this.#logger?.warn('_schemas was recreated: the registry starts over from its beginning');
        this.state.clear();
        this.#parsed.clear();
        this.#nextOffset = 0;
        this.#topicId = read.topicId.replace(/:reset$/, '');
        continue;
      }
      this.#topicId = read.topicId;
      for (const record of read.records) this.#applyRecord(record.key, record.value);
      const progressed = read.nextOffset > this.#nextOffset;
      this.#nextOffset = Math.max(this.#nextOffset, read.nextOffset);
      if (!progressed || this.#nextOffset >= read.highWatermark) return true;
    }
    return true;
  }

  #applyRecord(key: Buffer | null, value: Buffer | null): void {
    if (key === null) {
      this.state.skipped++;
      return;
    }
    let record: RegistryRecord;
    try {
      record = decodeRecord(key, value);
    } catch {
      // Confluent's reader skips records it cannot deserialize as well.
      this.state.skipped++;
      return;
    }
    if (record.key.keytype === 'SCHEMA' && record.value === null) {
      // A hard-deleted id may come back with another schema (import mode): forget how it parsed.
      const id = this.state.version(record.key.subject, record.key.version)?.id;
      if (id !== undefined) for (const normalize of [true, false]) this.#parsed.delete(`${id}:${normalize}`);
    }
    this.state.apply(record);
  }

  /** Reads the log until the record at `offset` is applied (after a write), or fails after `timeoutMs`. */
  async #readThrough(offset: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#catchUp();
      if (this.#nextOffset > offset) return;
      if (Date.now() >= deadline) throw E.operationTimeout(`Write to the Kafka store timed out while reading back offset ${offset} of _schemas`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Appends records and waits until the state has applied them. */
  async #write(records: RegistryRecord[]): Promise<void> {
    let last: number;
    try {
      last = await this.#log.append(
        records.map((record) => ({ key: encodeKey(record.key), value: encodeValue(record) })),
        this.#writeTimeoutMs,
      );
    } catch (error) {
      if (!(error instanceof SchemasLogError)) throw error;
      if (error.kind === 'too-large') throw E.schemaTooLarge();
      if (error.kind === 'timeout') throw E.operationTimeout(`Write to the Kafka store timed out: ${error.message}`);
      throw E.storeError(`Error while writing to the Kafka store: ${error.message}`);
    }
    await this.#readThrough(last, this.#writeTimeoutMs);
  }

  /** Runs a write operation after the ones before it, on an up-to-date state. */
  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = async () => {
      // Without a leader now the state stays as it is; the write itself waits for one or fails.
      this.#catchUp();
      return work();
    };
    const next = this.#writes.then(run, run);
    this.#writes = next.catch(() => undefined);
    return next;
  }

  /** Reads see records other writers appended too. */
  #fresh(): RegistryState {
    this.#catchUp();
    return this.state;
  }

  // -------------------------------------------------------------------------------------------------
  // Parsing

  #validateRequest(body: SchemaRequest, options: { requireSchema: boolean }): ValidRequest {
    const schemaType = body.schemaType === undefined || body.schemaType === null ? 'AVRO' : body.schemaType;
    if (typeof schemaType !== 'string' || !SCHEMA_TYPES.includes(schemaType.toUpperCase() as SchemaType)) {
      throw E.invalidSchema(`Invalid schema type ${typeof schemaType === 'string' ? schemaType : JSON.stringify(schemaType)}`);
    }
    if (body.schema !== undefined && body.schema !== null && typeof body.schema !== 'string')
      throw E.httpError(400, 'Cannot deserialize value of type `String` from a non-string value (through reference chain: RegisterSchemaRequest["schema"])');
    const schema = typeof body.schema === 'string' ? body.schema : '';
    if (options.requireSchema && schema.trim() === '') throw E.invalidSchema('Empty schema');
    let references: SchemaReference[] = [];
    if (body.references !== undefined && body.references !== null) {
      if (!Array.isArray(body.references))
        throw E.httpError(400, 'Cannot deserialize value of type `ArrayList<SchemaReference>` (through reference chain: RegisterSchemaRequest["references"])');
      references = body.references.map((ref: unknown) => {
        const r = ref as Record<string, unknown> | null;
        const version = typeof r?.version === 'string' ? Number(r.version) : r?.version;
        if (
          !r ||
          typeof r.name !== 'string' ||
          typeof r.subject !== 'string' ||
          !Number.isInteger(version) ||
          (version as number) < -1 ||
          (version as number) > MAX_VERSION ||
          version === 0
        ) {
          throw E.invalidSchema(`Invalid reference ${JSON.stringify(ref)}: a reference has a name, a subject and a version`);
        }
        return { name: r.name, subject: r.subject, version: version as number };
      });
    }
    const integer = (value: unknown, name: string): number => {
      if (value === undefined || value === null) return name === 'id' ? -1 : 0;
      if (!Number.isInteger(value) || (value as number) < -1 || (value as number) > MAX_VERSION)
        throw E.httpError(400, `Cannot deserialize value of type \`Integer\` (through reference chain: RegisterSchemaRequest["${name}"])`);
      return value as number;
    };
    return { schema, schemaType: schemaType.toUpperCase() as SchemaType, references, id: integer(body.id, 'id'), version: integer(body.version, 'version') };
  }

  /** Resolves references to the schemas they name (latest when version is -1), recursively. */
  #resolveReferences(references: SchemaReference[], depth = 0, path: string[] = []): { resolved: ResolvedReference[]; stored: SchemaReference[] } {
    if (depth > MAX_REFERENCE_DEPTH) throw E.invalidSchema(`Invalid schema: references nest deeper than ${MAX_REFERENCE_DEPTH} levels`);
    const resolved: ResolvedReference[] = [];
    const stored: SchemaReference[] = [];
    for (const reference of references) {
      const value = reference.version === -1 ? this.state.latest(reference.subject) : this.state.version(reference.subject, reference.version);
      if (!value) {
        throw E.invalidSchema(
          `Invalid schema: No schema reference found for subject "${reference.subject}" and version ${reference.version === -1 ? 'latest' : reference.version}`,
        );
      }
      const key = `${value.subject}\u0000${value.version}`;
      if (path.includes(key)) throw E.invalidSchema(`Invalid schema: circular reference to subject "${value.subject}" version ${value.version}`);
      const inner = this.#resolveReferences(value.references, depth + 1, [...path, key]);
      resolved.push({
        name: reference.name,
        subject: value.subject,
        version: value.version,
        schemaType: value.schemaType,
        schema: value.schema,
        references: inner.resolved,
      });
      stored.push({ name: reference.name, subject: reference.subject, version: value.version });
    }
    return { resolved, stored };
  }

  #parse(type: SchemaType, schema: string, references: SchemaReference[], normalize: boolean): { parsed: ParsedSchema; references: SchemaReference[] } {
    const { resolved, stored } = this.#resolveReferences(references);
    try {
      return { parsed: FORMATS[type].parse(schema, resolved, { normalize }), references: stored };
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw E.invalidSchema(`Invalid schema of type ${type}, details: ${error.message}`);
      if (error instanceof RangeError) throw E.invalidSchema(`Invalid schema of type ${type}, details: the schema nests too deeply`);
      throw error;
    }
  }

  /** A stored version parsed (cached), for compatibility checks and semantic lookups. */
  #parsedVersion(value: SchemaValue, normalize = false): ParsedSchema {
    const key = `${value.id}:${normalize}`;
    let parsed = this.#parsed.get(key);
    if (!parsed) {
      parsed = this.#parse(value.schemaType, value.schema, value.references, normalize).parsed;
      if (this.#parsed.size > 10_000) this.#parsed.clear();
      this.#parsed.set(key, parsed);
    }
    return parsed;
  }

  /** The versions a level checks: all for the transitive ones, the latest otherwise, none for NONE. */
  #checked(level: CompatibilityLevel, versions: SchemaValue[]): SchemaValue[] {
    if (level === 'NONE') return [];
    return level.endsWith('_TRANSITIVE') ? versions : versions.slice(-1);
  }

  #previous(values: SchemaValue[]): PreviousSchema[] {
    const previous: PreviousSchema[] = [];
    for (const value of values) {
      try {
        previous.push({ version: value.version, parsed: this.#parsedVersion(value) });
      } catch (error) {
        // A version another program wrote that no longer parses cannot be checked against: skipped.
        this.#logger?.warn('stored schema does not parse', { subject: value.subject, version: value.version, error: (error as Error).message });
      }
    }
    return previous;
  }

  // -------------------------------------------------------------------------------------------------
  // Config and mode

  configInScope(subject: ScopeSubject): ConfigValue & { compatibilityLevel: CompatibilityLevel } {
    const global = this.state.config(null);
    const own = subject === null ? undefined : this.state.config(subject);
    return { compatibilityLevel: DEFAULT_COMPATIBILITY, ...global, ...own };
  }

  modeInScope(subject: ScopeSubject): Mode {
    return (subject !== null ? this.state.mode(subject) : undefined) ?? this.state.mode(null) ?? 'READWRITE';
  }

  #checkWritable(subject: string): void {
    if (this.modeInScope(subject) === 'READONLY') throw E.operationNotPermitted(`Subject ${subject} in context . is in read-only mode`);
  }

  // -------------------------------------------------------------------------------------------------
  // Subjects and versions

  listSubjects(options: { deleted?: boolean; deletedOnly?: boolean; prefix?: string } = {}): string[] {
    const filter = options.deletedOnly ? 'deleted' : options.deleted ? 'all' : 'live';
    const prefix = options.prefix && options.prefix !== ':*:' ? options.prefix : '';
    return this.#fresh()
      .subjectNames(filter)
      .filter((s) => s.startsWith(prefix));
  }

  listVersions(subject: string, options: { deleted?: boolean; deletedOnly?: boolean } = {}): number[] {
    const state = this.#fresh();
    if (!state.hasSubject(subject, Boolean(options.deleted || options.deletedOnly))) throw E.subjectNotFound(subject);
    return state.versions(subject, options.deletedOnly ? 'deleted' : options.deleted ? 'all' : 'live').map((v) => v.version);
  }

  /** A subject version (or the latest live one); soft-deleted versions only with `deleted`. */
  getVersion(subject: string, versionText: string, options: { deleted?: boolean } = {}): SchemaEntity {
    const version = parseVersion(versionText);
    const state = this.#fresh();
    let value: SchemaValue | undefined;
    if (version === 'latest') value = state.latest(subject);
    else {
      value = state.version(subject, version);
      if (value?.deleted && !options.deleted) value = undefined;
    }
    if (!value) {
      if (!state.hasSubject(subject, Boolean(options.deleted))) throw E.subjectNotFound(subject);
      throw E.versionNotFound(version === 'latest' ? -1 : version);
    }
    return entityOf(value);
  }

  referencedBy(subject: string, versionText: string, options: { deleted?: boolean } = {}): number[] {
    const entity = this.getVersion(subject, versionText, { deleted: true });
    return this.state.referencedBy(entity.subject, entity.version, Boolean(options.deleted));
  }

  register(subject: string, body: SchemaRequest, options: { normalize?: boolean } = {}): Promise<{ id: number }> {
    checkSubject(subject);
    const request = this.#validateRequest(body, { requireSchema: true });
    return this.#serially(async () => {
      const mode = this.modeInScope(subject);
      if (mode === 'READONLY') throw E.operationNotPermitted(`Subject ${subject} in context . is in read-only mode`);
      if (request.id >= 0 && mode !== 'IMPORT') throw E.operationNotPermitted(`Subject ${subject} in context . is not in import mode`);
      if (request.id < 0 && mode !== 'READWRITE') throw E.operationNotPermitted(`Subject ${subject} in context . is not in read-write mode`);
      const config = this.configInScope(subject);
      const normalize = Boolean(options.normalize || config.normalize);
      const all = this.state.versions(subject, 'all');
      const live = all.filter((v) => !v.deleted);
      const newVersion = (all.at(-1)?.version ?? 0) + 1;
      const { parsed, references } = this.#parse(request.schemaType, request.schema, request.references, normalize);

      // The same schema (text, type and references) has one id in the whole registry.
      let schemaId = request.id;
      const existingId = this.state.idOf(parsed.type, parsed.canonical, references);
      if (existingId !== undefined && (schemaId < 0 || schemaId === existingId)) {
        const here = live.find((v) => v.id === existingId);
        if (request.version === 0 && here) return { id: existingId };
        schemaId = existingId;
      }
      if (request.version === 0) {
        // Written differently (other whitespace, key order) but the same schema: the existing version.
        for (const value of [...live].reverse()) {
          if (value.schemaType !== parsed.type || (schemaId >= 0 && schemaId !== value.id)) continue;
          if (sameReferences(value.references, references) && this.#parsedVersion(value, true).normalized() === parsed.normalized()) return { id: value.id };
        }
      }
      if (mode !== 'IMPORT') {
        const messages = checkCompatibility(config.compatibilityLevel, parsed, this.#previous(this.#checked(config.compatibilityLevel, live)));
        if (messages.length > 0) throw E.incompatibleSchema(subject, [...messages, `{validateFields: 'false', compatibility: '${config.compatibilityLevel}'}`]);
      }
      let version = newVersion;
      if (request.version > 0) {
        if (request.version !== newVersion && mode !== 'IMPORT') throw E.invalidSchema('Version is not one more than previous version');
        version = request.version;
      }
      if (schemaId >= 0) {
        const holder = this.state.schemaById(schemaId);
        if (holder && (holder.schemaType !== parsed.type || this.state.idOf(parsed.type, parsed.canonical, references) !== schemaId)) {
          throw E.idDoesNotMatch(`Overwrite new schema with id ${schemaId} is not permitted.`);
        }
      } else {
        schemaId = this.state.maxId + 1;
        while (this.state.schemaById(schemaId)) schemaId++;
      }
      const records: RegistryRecord[] = [];
      // A soft-deleted earlier version with the same id is dropped for good (Confluent does the same).
      for (const old of all) {
        if (old.deleted && old.id === schemaId && old.version < version && this.state.referencedBy(subject, old.version, true).length === 0) {
          records.push({ key: { keytype: 'SCHEMA', subject, version: old.version }, value: null });
        }
      }
      records.push({
        key: { keytype: 'SCHEMA', subject, version },
        value: { subject, version, id: schemaId, schemaType: parsed.type, references, schema: parsed.canonical, deleted: false },
      });
      await this.#write(records);
      this.#logger?.info('schema registered', { subject, version, id: schemaId, schemaType: parsed.type });
      return { id: schemaId };
    });
  }

  /** POST /subjects/{subject}: the version of a subject that holds this schema. */
  lookup(subject: string, body: SchemaRequest, options: { normalize?: boolean; deleted?: boolean } = {}): SchemaEntity {
    const request = this.#validateRequest(body, { requireSchema: true });
    const state = this.#fresh();
    const normalize = Boolean(options.normalize || this.configInScope(subject).normalize);
    const { parsed, references } = this.#parse(request.schemaType, request.schema, request.references, normalize);
    const candidates = state.versions(subject, options.deleted ? 'all' : 'live');
    const id = state.idOf(parsed.type, parsed.canonical, references);
    let match = id === undefined ? undefined : candidates.find((v) => v.id === id);
    if (!match) {
      const wanted = parsed.normalized();
      match = [...candidates].reverse().find((v) => {
        if (v.schemaType !== parsed.type || !sameReferences(v.references, references)) return false;
        try {
          return this.#parsedVersion(v, true).normalized() === wanted;
        } catch {
          return false;
        }
      });
    }
    if (!match) {
      if (!state.hasSubject(subject, Boolean(options.deleted))) throw E.subjectNotFound(subject);
      throw E.schemaNotFound();
    }
    return entityOf(match);
  }

  deleteVersion(subject: string, versionText: string, options: { permanent?: boolean } = {}): Promise<number> {
    const version = parseVersion(versionText);
    return this.#serially(async () => {
      const permanent = Boolean(options.permanent);
      const state = this.state;
      let value: SchemaValue | undefined;
      if (version === 'latest') value = state.latest(subject);
      else {
        value = state.version(subject, version);
        if (value?.deleted && !permanent) throw E.versionSoftDeleted(subject, version);
      }
      if (!value) {
        if (!state.hasSubject(subject, true)) throw E.subjectNotFound(subject);
        throw E.versionNotFound(version === 'latest' ? -1 : version);
      }
      this.#checkWritable(subject);
      if (state.referencedBy(subject, value.version, permanent).length > 0) throw E.referenceExists(subject, value.version);
      if (permanent && !value.deleted) throw E.versionNotSoftDeleted(subject, value.version);
      const records: RegistryRecord[] = [];
      if (!permanent) {
        records.push({ key: { keytype: 'SCHEMA', subject, version: value.version }, value: { ...value, deleted: true } });
      } else {
        records.push({ key: { keytype: 'SCHEMA', subject, version: value.version }, value: null });
        if (state.versions(subject, 'all').length === 1) records.push(...this.#scopeTombstones(subject));
      }
      await this.#write(records);
      return value.version;
    });
  }

  #scopeTombstones(subject: string): RegistryRecord[] {
    const records: RegistryRecord[] = [];
    if (this.state.mode(subject) !== undefined) records.push({ key: { keytype: 'MODE', subject }, value: null });
    if (this.state.config(subject) !== undefined) records.push({ key: { keytype: 'CONFIG', subject }, value: null });
    return records;
  }

  deleteSubject(subject: string, options: { permanent?: boolean } = {}): Promise<number[]> {
    return this.#serially(async () => {
      const permanent = Boolean(options.permanent);
      const state = this.state;
      if (!state.hasSubject(subject, true)) throw E.subjectNotFound(subject);
      if (!permanent && !state.hasSubject(subject, false)) throw E.subjectSoftDeleted(subject);
      this.#checkWritable(subject);
      const versions = state.versions(subject, permanent ? 'all' : 'live');
      for (const value of versions) {
        const referrers = state
          .referencedBy(subject, value.version, permanent)
          .flatMap((id) => state.versionsOfId(id, permanent).map((v) => v.subject))
          .filter((s) => s !== subject);
        if (referrers.length > 0) throw E.referenceExists(subject, value.version);
        if (permanent && !value.deleted) throw E.subjectNotSoftDeleted(subject);
      }
      const records: RegistryRecord[] = permanent
        ? [
            // Newest first, so a version that references an older one of the same subject goes first.
            ...[...versions].reverse().map((v): RegistryRecord => ({ key: { keytype: 'SCHEMA', subject, version: v.version }, value: null })),
            ...this.#scopeTombstones(subject),
          ]
        : [{ key: { keytype: 'DELETE_SUBJECT', subject }, value: { subject, version: versions.at(-1)!.version } }];
      await this.#write(records);
      return versions.map((v) => v.version);
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Schemas by id

  schemaById(
    id: number,
    options: { subject?: string; fetchMaxId?: boolean } = {},
  ): { schema: string; schemaType?: SchemaType; references?: SchemaReference[]; maxId?: number } {
    const state = this.#fresh();
    const stored = state.schemaById(id);
    if (!stored || (options.subject && !state.versionsOfId(id, true).some((v) => v.subject === options.subject))) throw E.schemaNotFound(id);
    return {
      schema: stored.schema,
      ...(stored.schemaType !== 'AVRO' ? { schemaType: stored.schemaType } : {}),
      ...(stored.references.length > 0 ? { references: stored.references } : {}),
      ...(options.fetchMaxId ? { maxId: state.maxId } : {}),
    };
  }

  versionsOfId(id: number, options: { deleted?: boolean; subject?: string } = {}): Array<{ subject: string; version: number }> {
    const state = this.#fresh();
    if (!state.schemaById(id)) throw E.schemaNotFound(id);
    return state
      .versionsOfId(id, Boolean(options.deleted))
      .filter((v) => !options.subject || v.subject === options.subject)
      .map((v) => ({ subject: v.subject, version: v.version }));
  }

  subjectsOfId(id: number, options: { deleted?: boolean; subject?: string } = {}): string[] {
    return [...new Set(this.versionsOfId(id, options).map((v) => v.subject))];
  }

  listSchemas(options: { subjectPrefix?: string; deleted?: boolean; latestOnly?: boolean } = {}): SchemaEntity[] {
    const state = this.#fresh();
    const result: SchemaEntity[] = [];
    for (const subject of state.subjectNames(options.deleted ? 'all' : 'live')) {
      if (options.subjectPrefix && !subject.startsWith(options.subjectPrefix)) continue;
      const versions = state.versions(subject, options.deleted ? 'all' : 'live');
      for (const value of options.latestOnly ? versions.slice(-1) : versions) result.push(entityOf(value));
    }
    return result;
  }

  types(): SchemaType[] {
    return [...SCHEMA_TYPES];
  }

  // -------------------------------------------------------------------------------------------------
  // Compatibility

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: whether the schema could be registered,
   * against one version (or, without one, against the versions the subject's level checks).
   */
  checkCompatibility(
    subject: string,
    versionText: string | undefined,
    body: SchemaRequest,
    options: { normalize?: boolean; verbose?: boolean } = {},
  ): { is_compatible: boolean; messages?: string[] } {
    const state = this.#fresh();
    const version = versionText === undefined ? undefined : parseVersion(versionText);
    let against: SchemaValue[];
    if (version === undefined) against = state.versions(subject, 'live');
    else {
      const value = version === 'latest' ? state.latest(subject) : state.version(subject, version);
      if ((!value || value.deleted) && version !== 'latest') throw E.versionNotFound(version);
      against = value && !value.deleted ? [value] : [];
    }
    const config = this.configInScope(subject);
    let messages: string[];
    try {
      const request = this.#validateRequest(body, { requireSchema: true });
      const { parsed } = this.#parse(request.schemaType, request.schema, request.references, Boolean(options.normalize || config.normalize));
      messages = checkCompatibility(config.compatibilityLevel, parsed, this.#previous(this.#checked(config.compatibilityLevel, against)));
      if (messages.length > 0) messages.push(`{validateFields: 'false', compatibility: '${config.compatibilityLevel}'}`);
    } catch (error) {
      if (!(error instanceof E.RegistryError) || error.errorCode !== E.ErrorCodes.INVALID_SCHEMA || !options.verbose) throw error;
      messages = [error.message];
    }
    return { is_compatible: messages.length === 0, ...(options.verbose ? { messages } : {}) };
  }

  // -------------------------------------------------------------------------------------------------
  // Config

  getConfig(subject: ScopeSubject, options: { defaultToGlobal?: boolean } = {}): { compatibilityLevel: CompatibilityLevel; normalize?: boolean } {
    const state = this.#fresh();
    if (subject === null) return { compatibilityLevel: DEFAULT_COMPATIBILITY, ...state.config(null) };
    const own = state.config(subject);
    if (options.defaultToGlobal) return this.configInScope(subject);
    if (!own || own.compatibilityLevel === undefined) {
      if (own) return { compatibilityLevel: this.configInScope(subject).compatibilityLevel, ...own };
      throw E.subjectCompatibilityNotConfigured(subject);
    }
    return own as { compatibilityLevel: CompatibilityLevel };
  }

  setConfig(
    subject: ScopeSubject,
    body: { compatibility?: unknown; compatibilityLevel?: unknown; normalize?: unknown },
  ): Promise<{ compatibility?: CompatibilityLevel; normalize?: boolean }> {
    const requested = body.compatibility ?? body.compatibilityLevel;
    let level: CompatibilityLevel | undefined;
    if (requested !== undefined && requested !== null) {
      if (typeof requested !== 'string' || !COMPATIBILITY_LEVELS.includes(requested.toUpperCase() as CompatibilityLevel)) throw E.invalidCompatibilityLevel();
      level = requested.toUpperCase() as CompatibilityLevel;
    }
    if (body.normalize !== undefined && body.normalize !== null && typeof body.normalize !== 'boolean')
      throw E.httpError(400, 'Cannot deserialize value of type `Boolean` (through reference chain: ConfigUpdateRequest["normalize"])');
    if (subject !== null) checkSubject(subject);
    return this.#serially(async () => {
      if (subject !== null) this.#checkWritable(subject);
      const value: ConfigValue = { ...this.state.config(subject) };
      if (level !== undefined) value.compatibilityLevel = level;
      if (typeof body.normalize === 'boolean') value.normalize = body.normalize;
      await this.#write([{ key: { keytype: 'CONFIG', subject }, value }]);
      return {
        ...(value.compatibilityLevel ? { compatibility: value.compatibilityLevel } : {}),
        ...(value.normalize !== undefined ? { normalize: value.normalize } : {}),
      };
    });
  }

  deleteConfig(subject: ScopeSubject): Promise<{ compatibilityLevel: CompatibilityLevel; normalize?: boolean }> {
    return this.#serially(async () => {
      const old = this.state.config(subject);
      if (subject !== null && !old) throw E.subjectNotFound(subject);
      if (subject !== null) this.#checkWritable(subject);
      await this.#write([{ key: { keytype: 'CONFIG', subject }, value: null }]);
      return { compatibilityLevel: DEFAULT_COMPATIBILITY, ...old };
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Mode

  getMode(subject: ScopeSubject, options: { defaultToGlobal?: boolean } = {}): { mode: Mode } {
    const state = this.#fresh();
    if (subject === null) return { mode: state.mode(null) ?? 'READWRITE' };
    const own = state.mode(subject);
    if (own) return { mode: own };
    if (options.defaultToGlobal) return { mode: this.modeInScope(subject) };
    throw E.subjectModeNotConfigured(subject);
  }

  setMode(subject: ScopeSubject, body: { mode?: unknown }, options: { force?: boolean } = {}): Promise<{ mode: Mode }> {
    if (typeof body.mode !== 'string' || !MODES.includes(body.mode.toUpperCase() as Mode)) throw E.invalidMode();
    const mode = body.mode.toUpperCase() as Mode;
    if (subject !== null) checkSubject(subject);
    return this.#serially(async () => {
      const records: RegistryRecord[] = [];
      if (mode === 'IMPORT' && this.modeInScope(subject) !== 'IMPORT' && !options.force) {
        // Importing keeps the ids of another registry: only where no subject would collide with it.
        const subjects = subject === null ? this.state.subjectNames('all') : this.state.hasSubject(subject, true) ? [subject] : [];
        if (subjects.some((s) => this.state.hasSubject(s, false))) throw E.operationNotPermitted('Cannot import since found existing subjects');
        for (const s of subjects) {
          for (const value of this.state.versions(s, 'all')) records.push({ key: { keytype: 'SCHEMA', subject: s, version: value.version }, value: null });
          records.push({ key: { keytype: 'CLEAR_SUBJECT', subject: s }, value: { subject: s } });
        }
      }
      records.push({ key: { keytype: 'MODE', subject }, value: { mode } });
      await this.#write(records);
      return { mode };
    });
  }

  deleteMode(subject: string): Promise<{ mode: Mode }> {
    return this.#serially(async () => {
      const old = this.state.mode(subject);
      if (!old) throw E.subjectNotFound(subject);
      await this.#write([{ key: { keytype: 'MODE', subject }, value: null }]);
      return { mode: old };
    });
  }
}

function sameReferences(a: readonly SchemaReference[], b: readonly SchemaReference[]): boolean {
  return a.length === b.length && a.every((r, i) => r.name === b[i]!.name && r.subject === b[i]!.subject && r.version === b[i]!.version);
}

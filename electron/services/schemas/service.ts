// Schemas of a connection's registry (#17): which registry it uses, its subjects and their versions,
// compatibility checks before registering, compatibility levels, soft and hard deletes, the topics a
// subject belongs to by Confluent's subject name strategies, and serializing the produce form's JSON
// with a subject's schema. Every registry call goes through RegistryClient; its errors come back in
// words (describeRegistryError).
import type {
  CompatibilityLevel,
  CompatibilityResult,
  ProduceSchema,
  Registered,
  RegistryConfig,
  RegistrySummary,
  SchemaReference,
  SchemaType,
  SchemaVersionDetail,
  SubjectDetail,
  SubjectList,
  SubjectSummary,
  SubjectUsage,
} from '../../../shared/model/registry';
import { AppError } from '../../core/errors';
import { FORMATS, InvalidSchemaError } from '../../kafka/schemas/formats';
import type { RegistrySettings } from './registries';
import { describeRegistryError, RegistryHttpError, registryPath, resolveReferences, type RegistryAccess, type RegistryClient } from './registry-client';
import { recordNames, schemaEncoder, type RegistrySchema, type SchemaEncoder } from './serializer';

interface VersionAnswer {
  subject: string;
  version: number;
  id: number;
  schemaType?: SchemaType;
  schema: string;
  references?: SchemaReference[];
}

/** How many registry calls run at once while listing subjects. */
const PARALLEL_CALLS = 8;

async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(PARALLEL_CALLS, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(runners);
  return results;
}

const isCode = (error: unknown, ...codes: number[]) => error instanceof RegistryHttpError && codes.includes(error.errorCode);

export interface SchemasServiceDeps {
  registries: RegistrySettings;
  /** The connection's topic names (internal ones left out), for which topics use a subject. */
  topicNames(connectionId: string): Promise<string[]>;
  /** The schema ids the last records of each partition of a topic name in their keys and values. */
  recentSchemaIds?: (connectionId: string, topic: string, perPartition: number) => Promise<{ key: number[]; value: number[]; records: number }>;
}

/** How many of the last records of each partition are read to find the topics a subject's records are in. */
const SCAN_RECORDS_PER_PARTITION = 20;
/** At most this many topics are read, for at most this long, per usage question. */
const SCAN_MAX_TOPICS = 500;
const SCAN_BUDGET_MS = 15_000;

export class SchemasService {
  readonly #deps: SchemasServiceDeps;
  /** Encoders by registry URL and schema id: a schema id never changes what it names. */
  readonly #encoders = new Map<string, SchemaEncoder>();

  constructor(deps: SchemasServiceDeps) {
    this.#deps = deps;
  }

  registry(connectionId: string): RegistrySummary {
    return this.#deps.registries.summary(connectionId);
  }

  setRegistry(connectionId: string, input: RegistryConfig): Promise<RegistrySummary> {
    return this.#deps.registries.save(connectionId, input);
  }

  /**
   * For the message browser's decoders: how to reach the connection's registry, with its credentials
   * and CA (null: it has none). Throws, in words, when it has one that cannot be used now.
   */
  access(connectionId: string): Promise<RegistryAccess | null> {
    return this.#deps.registries.access(connectionId);
  }

  async subjects(connectionId: string): Promise<SubjectList> {
    const client = await this.#deps.registries.client(connectionId);
    const [names, global] = await Promise.all([
      call(() => client.get<string[]>('subjects')),
      call(() => client.get<{ compatibilityLevel: CompatibilityLevel }>('config')),
    ]);
    const subjects = await inParallel(names, async (name): Promise<SubjectSummary> => {
      try {
        const [latest, versions, config] = await Promise.all([
          client.get<VersionAnswer>(`subjects/${registryPath(name)}/versions/latest`),
          client.get<number[]>(`subjects/${registryPath(name)}/versions`),
          client.get<{ compatibilityLevel: CompatibilityLevel }>(`config/${registryPath(name)}`).catch((error: unknown) => {
            if (isCode(error, 40408, 40401)) return null;
            throw error;
          }),
        ]);
        return {
          name,
          schemaType: latest.schemaType ?? 'AVRO',
          latestVersion: latest.version,
          latestId: latest.id,
          versionCount: versions.length,
          compatibility: config?.compatibilityLevel ?? null,
          error: null,
        };
      } catch (error) {
        const described = describeRegistryError(error, { subject: name });
        return {
          name,
          schemaType: null,
          latestVersion: null,
          latestId: null,
          versionCount: 0,
          compatibility: null,
          error: described instanceof Error ? described.message : String(described),
        };
      }
    });
    return { url: client.url, globalCompatibility: global.compatibilityLevel, subjects };
  }

  async subject(connectionId: string, subject: string): Promise<SubjectDetail> {
    const client = await this.#deps.registries.client(connectionId);
    const base = `subjects/${registryPath(subject)}/versions`;
    const [live, all, effective, own] = await Promise.all([
      call(() => client.get<number[]>(base), { subject }),
      call(() => client.get<number[]>(`${base}?deleted=true`), { subject }).catch(() => [] as number[]),
      call(() => client.get<{ compatibilityLevel: CompatibilityLevel }>(`config/${registryPath(subject)}?defaultToGlobal=true`), { subject }),
      client.get<{ compatibilityLevel: CompatibilityLevel }>(`config/${registryPath(subject)}`).catch((error: unknown) => {
        if (isCode(error, 40408, 40401)) return null;
        throw describeRegistryError(error, { subject });
      }),
    ]);
    const versions = await inParallel(live, async (version) => {
      const answer = await call(() => client.get<VersionAnswer>(`${base}/${version}`), { subject, version });
      return this.#detail(client, answer);
    });
    return {
      name: subject,
      versions,
      deletedVersions: all.filter((version) => !live.includes(version)),
      compatibility: effective.compatibilityLevel,
      compatibilityOverride: own !== null,
    };
  }

  async #detail(client: RegistryClient, answer: VersionAnswer): Promise<SchemaVersionDetail> {
    const schemaType = answer.schemaType ?? 'AVRO';
    const references = answer.references ?? [];
    let names: string[];
    try {
      names = recordNames({ id: answer.id, schemaType, schema: answer.schema, references: await resolveReferences(client, references) });
    } catch {
      names = [];
    }
    return { version: answer.version, id: answer.id, schemaType, schema: answer.schema, references, recordNames: names };
  }

  /** Whether a schema could be registered under the subject: the registry's verbose check against its level. */
  async check(
    connectionId: string,
    input: { subject: string; schemaType: SchemaType; schema: string; references: SchemaReference[] },
  ): Promise<CompatibilityResult> {
    const client = await this.#deps.registries.client(connectionId);
    const [level, versions] = await Promise.all([
      this.#level(client, input.subject),
      client.get<number[]>(`subjects/${registryPath(input.subject)}/versions`).catch((error: unknown) => {
        if (isCode(error, 40401)) return [];
        throw describeRegistryError(error, { subject: input.subject });
      }),
    ]);
    // No version yet: there is nothing to be compatible with, but the schema itself must still be valid.
    if (versions.length === 0) {
      await this.#validate(client, input);
      return { compatible: true, level, messages: [], checked: false };
    }
    try {
      const answer = await client.request<{ is_compatible: boolean; messages?: string[] }>(
        'POST',
        `compatibility/subjects/${registryPath(input.subject)}/versions/latest?verbose=true`,
        { schema: input.schema, schemaType: input.schemaType, references: input.references },
      );
      const messages = answer.messages ?? [];
      // Confluent answers an invalid schema as "not compatible" with this message; it is bad input.
      const invalid = messages.find((message) => /^Invalid schema/.test(message));
      if (!answer.is_compatible && invalid)
        throw new AppError('invalid-request', `The schema is not valid: ${invalid.replace(/^Invalid schema of type \w+, details: /, '')}`);
      return { compatible: answer.is_compatible, level, messages, checked: true };
    } catch (error) {
      // No version yet: there is nothing to be compatible with, but the schema itself must still be valid.
      if (isCode(error, 40401, 40402)) {
        await this.#validate(client, input);
        return { compatible: true, level, messages: [], checked: false };
      }
      throw describeRegistryError(error, { subject: input.subject });
    }
  }

  /** Validity of a schema the registry has nothing to compare with: the registry's own parse, locally. */
  async #validate(client: RegistryClient, input: { schemaType: SchemaType; schema: string; references: SchemaReference[] }): Promise<void> {
    const references = await resolveReferences(client, input.references);
    try {
      FORMATS[input.schemaType].parse(input.schema, references, { normalize: false });
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw new AppError('invalid-request', `The schema is not valid: ${error.message}.`);
      throw error;
    }
  }

  async #level(client: RegistryClient, subject: string): Promise<CompatibilityLevel> {
    const answer = await call(() => client.get<{ compatibilityLevel: CompatibilityLevel }>(`config/${registryPath(subject)}?defaultToGlobal=true`), {
      subject,
    });
    return answer.compatibilityLevel;
  }

  /** Registers after checking compatibility: an incompatible schema is refused with the registry's reasons, and nothing is stored. */
  async register(connectionId: string, input: { subject: string; schemaType: SchemaType; schema: string; references: SchemaReference[] }): Promise<Registered> {
    const check = await this.check(connectionId, input);
    if (!check.compatible) {
      throw new AppError(
        'conflict',
        `The schema is not ${check.level} compatible with "${input.subject}": ${check.messages.join(' ') || 'the registry gave no reason'}`,
      );
    }
    const client = await this.#deps.registries.client(connectionId);
    const body = { schema: input.schema, schemaType: input.schemaType, references: input.references };
    const before = await client.request<{ version: number; id: number }>('POST', `subjects/${registryPath(input.subject)}`, body).catch(() => null);
    const { id } = await call(() => client.request<{ id: number }>('POST', `subjects/${registryPath(input.subject)}/versions`, body), {
      subject: input.subject,
    });
    const found = await call(() => client.request<{ version: number; id: number }>('POST', `subjects/${registryPath(input.subject)}`, body), {
      subject: input.subject,
    });
    return { id, version: found.version, existed: before !== null };
  }

  async setCompatibility(connectionId: string, subject: string | null, level: CompatibilityLevel | null): Promise<{ compatibility: CompatibilityLevel }> {
    const client = await this.#deps.registries.client(connectionId);
    const path = subject === null ? 'config' : `config/${registryPath(subject)}`;
    if (level === null) {
      if (subject === null) throw new AppError('invalid-request', 'The registry always has a global compatibility level; choose one.');
      await client.request('DELETE', path).catch((error: unknown) => {
        if (!isCode(error, 40408, 40401)) throw describeRegistryError(error, { subject });
      });
      return { compatibility: await this.#level(client, subject) };
    }
    const answer = await call(() => client.request<{ compatibility: CompatibilityLevel }>('PUT', path, { compatibility: level }), {
      subject: subject ?? undefined,
    });
    return { compatibility: answer.compatibility ?? level };
  }

  async delete(connectionId: string, subject: string, version: number | null, permanent: boolean): Promise<{ versions: number[] }> {
    const client = await this.#deps.registries.client(connectionId);
    const path = `subjects/${registryPath(subject)}${version === null ? '' : `/versions/${version}`}${permanent ? '?permanent=true' : ''}`;
    const answer = await call(() => client.request<number[] | number>('DELETE', path), { subject, version: version ?? undefined });
    return { versions: Array.isArray(answer) ? answer : [answer] };
  }

  /** The subjects and versions a schema id is registered under (the message browser's link). */
  async subjectsOfId(connectionId: string, id: number): Promise<Array<{ subject: string; version: number }>> {
    const client = await this.#deps.registries.client(connectionId);
    return call(() => client.get<Array<{ subject: string; version: number }>>(`schemas/ids/${id}/versions`), { id });
  }

  /**
   * The topics a subject belongs to, by Confluent's subject name strategies: TopicNameStrategy
   * (<topic>-key, <topic>-value) and TopicRecordNameStrategy (<topic>-<record name>) by name; and,
   * for a subject not named after a topic (RecordNameStrategy names it after the record alone, so any
   * topic may carry it), by the records: the topics whose last records name one of its schema ids.
   */
  async usage(connectionId: string, subject: string): Promise<SubjectUsage> {
    const client = await this.#deps.registries.client(connectionId);
    const latest = await call(() => client.get<VersionAnswer>(`subjects/${registryPath(subject)}/versions/latest`), { subject });
    const names = (await this.#detail(client, latest)).recordNames;
    const topics = await this.#deps.topicNames(connectionId);
    const usage: SubjectUsage['topics'] = [];
    for (const topic of topics) {
      if (subject === `${topic}-key`) usage.push({ topic, field: 'key', strategy: 'TopicNameStrategy' });
      else if (subject === `${topic}-value`) usage.push({ topic, field: 'value', strategy: 'TopicNameStrategy' });
      else if (names.some((name) => subject === `${topic}-${name}`)) usage.push({ topic, field: null, strategy: 'TopicRecordNameStrategy' });
    }
    const scan = this.#deps.recentSchemaIds;
    if (usage.some((use) => use.strategy === 'TopicNameStrategy') || !scan) return { topics: usage, recordNames: names };

    // The ids of every version of the subject (a record names the version it was written with).
    const versions = await call(() => client.get<number[]>(`subjects/${registryPath(subject)}/versions`), { subject });
    const ids = new Set(
      await inParallel(versions, async (version) =>
        version === latest.version
          ? latest.id
          : (await call(() => client.get<VersionAnswer>(`subjects/${registryPath(subject)}/versions/${version}`), { subject, version })).id,
      ),
    );
    const deadline = Date.now() + SCAN_BUDGET_MS;
    const candidates = topics.slice(0, SCAN_MAX_TOPICS);
    let unread = topics.length - candidates.length;
    let records = 0;
    const found = await inParallel(candidates, async (topic) => {
      if (Date.now() > deadline) {
        unread++;
        return null;
      }
      try {
        const seen = await scan(connectionId, topic, SCAN_RECORDS_PER_PARTITION);
        records += seen.records;
        return { topic, key: seen.key.some((id) => ids.has(id)), value: seen.value.some((id) => ids.has(id)) };
      } catch {
        unread++;
        return null;
      }
    });
    for (const hit of found) {
      if (!hit) continue;
      const byName = usage.find((use) => use.topic === hit.topic);
      for (const field of ['key', 'value'] as const) {
        if (!hit[field]) continue;
        if (byName && byName.field === null) byName.field = field;
        else if (!byName) usage.push({ topic: hit.topic, field, strategy: 'RecordNameStrategy' });
      }
    }
    return {
      topics: usage,
      recordNames: names,
      scanned: { topics: candidates.length, recordsPerPartition: SCAN_RECORDS_PER_PARTITION, records, unread },
    };
  }

  /** Writes the produce form's JSON for a key or value in the wire format of the subject's version. */
  async serializer(connectionId: string, spec: ProduceSchema): Promise<(json: string, what: string) => Buffer> {
    const { encoder } = await this.encoder(connectionId, spec);
    return (json, what) => encoder.encode(json, what);
  }

  /** The encoder of a subject's version (the latest when `version` is null), for the produce form. */
  async encoder(connectionId: string, spec: ProduceSchema): Promise<{ encoder: SchemaEncoder; name: string }> {
    const client = await this.#deps.registries.client(connectionId);
    const answer = await call(() => client.get<VersionAnswer>(`subjects/${registryPath(spec.subject)}/versions/${spec.version ?? 'latest'}`), {
      subject: spec.subject,
      version: spec.version ?? undefined,
    });
    const name = `${spec.subject} version ${answer.version}`;
    const key = `${client.url}\u0000${answer.id}\u0000${spec.messageType ?? ''}`;
    let encoder = this.#encoders.get(key);
    if (!encoder) {
      const schema: RegistrySchema = {
        id: answer.id,
        schemaType: answer.schemaType ?? 'AVRO',
        schema: answer.schema,
        references: await resolveReferences(client, answer.references ?? []),
      };
      encoder = schemaEncoder(schema, name, spec.messageType);
      if (this.#encoders.size > 256) this.#encoders.clear();
      this.#encoders.set(key, encoder);
    }
    return { encoder, name };
  }
}

/** Runs a registry call; a registry error comes back in words. */
async function call<T>(work: () => Promise<T>, context: { subject?: string; version?: number; id?: number } = {}): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeRegistryError(error, context);
  }
}

// A client of Confluent's Schema Registry REST API, used by the Schemas screen, the produce form and
// the message browser's decoders alike (the message worker too: RegistryAccess is plain data). It
// speaks HTTP or HTTPS through Node's own modules, so a private CA and basic or bearer credentials
// work the same everywhere, and it turns the registry's `{"error_code", "message"}` answers into
// RegistryHttpError, which describeRegistryError puts in words.
import http from 'node:http';
import https from 'node:https';
import { AppError } from '../../core/errors';
import type { ResolvedReference, SchemaReference, SchemaType } from '../../kafka/schemas/formats';

/** Where a registry is and how to authenticate to it: headers already made from the secrets. */
export interface RegistryAccess {
  url: string;
  headers: Record<string, string>;
  /** PEM text of the CA to trust (https). */
  ca?: string;
  rejectUnauthorized: boolean;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Larger answers are refused: a registry answer is a schema or a list, not a download. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** The registry answered with an error status; `errorCode` is Confluent's error_code when it gave one. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }
}

export function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export class RegistryClient {
  readonly #access: RegistryAccess;
  readonly #base: URL;

  constructor(access: RegistryAccess) {
    this.#access = access;
    this.#base = new URL(access.url.replace(/\/+$/, '') + '/');
  }

  get url(): string {
    return this.#access.url.replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** One call; `path` is relative to the registry's URL and its parts already encoded. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const target = new URL(path.replace(/^\/+/, ''), this.#base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const secure = target.protocol === 'https:';
    const options: https.RequestOptions = {
      method,
      headers: {
        Accept: `${CONTENT_TYPE}, application/json`,
        ...(payload ? { 'Content-Type': CONTENT_TYPE, 'Content-Length': String(payload.length) } : {}),
        ...this.#access.headers,
      },
      timeout: this.#access.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(secure ? { rejectUnauthorized: this.#access.rejectUnauthorized, ...(this.#access.ca ? { ca: this.#access.ca } : {}) } : {}),
    };
    return new Promise<T>((resolve, reject) => {
      const request = (secure ? https : http).request(target, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            request.destroy(new AppError('unavailable', `The schema registry at ${this.url} sent an answer larger than 64 MB; it was not read.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => reject(this.#unreachable(error)));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: an error page of a proxy, or the wrong server
          }
          if (status >= 200 && status < 300) {
            if (parsed === undefined && text) {
              reject(new AppError('unavailable', `${this.url} did not answer as a schema registry does (its answer is not JSON). Check the URL.`));
              return;
            }
            resolve(parsed as T);
            return;
          }
          const errorBody = parsed as { error_code?: unknown; message?: unknown } | undefined;
          const code = typeof errorBody?.error_code === 'number' ? errorBody.error_code : status;
          const message = typeof errorBody?.message === 'string' ? errorBody.message : text.slice(0, 300) || `HTTP ${status}`;
          reject(new RegistryHttpError(status, code, message));
        });
      });
      request.on('timeout', () =>
        request.destroy(new AppError('unavailable', `The schema registry at ${this.url} did not answer within ${Math.round(options.timeout! / 1000)} s.`)),
      );
      request.on('error', (error) => reject(error instanceof AppError ? error : this.#unreachable(error)));
      request.end(payload);
    });
  }

  #unreachable(error: Error): AppError {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ECONNREFUSED'
        ? 'nothing listens there'
        : code === 'ENOTFOUND'
          ? 'its host name is unknown'
          : code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
            ? `its certificate is not trusted (${code}); set the registry's CA file`
            : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
              ? 'its certificate is for another host name'
              : error.message;
    return new AppError('unavailable', `The schema registry at ${this.url} cannot be reached: ${why}.`, { cause: error });
  }
}

/** `/subjects/a%2Fb/versions`: every part of a path encoded. */
export function registryPath(...parts: Array<string | number>): string {
  return parts.map((part) => encodeURIComponent(String(part))).join('/');
}

/**
 * A registry error in words, as the app's typed error. Confluent's own message is kept (it names the
 * subject, version and, for an incompatible schema, what breaks compatibility).
 */
export function describeRegistryError(error: unknown, context: { subject?: string; version?: number; id?: number } = {}): unknown {
  if (!(error instanceof RegistryHttpError)) return error;
  const subject = context.subject !== undefined ? `"${context.subject}"` : 'this subject';
  const confluent = error.message.replace(/\s+$/, '');
  switch (error.errorCode) {
    case 40401:
      return new AppError('not-found', `The registry has no subject ${subject}.`);
    case 40402:
      return new AppError('not-found', `The subject ${subject} has no version ${context.version ?? ''}`.trimEnd() + '.');
    case 40403:
      return new AppError('not-found', `The registry has no schema${context.id !== undefined ? ` ${context.id}` : ''}.`);
    case 40404:
      return new AppError('conflict', `The subject ${subject} was soft-deleted; delete it permanently or register a schema to bring it back.`);
    case 40405:
    case 40407:
      return new AppError('conflict', 'A permanent delete needs a soft delete first (the registry keeps the rule Confluent has).');
    case 40406:
      return new AppError(
        'conflict',
        `Version ${context.version ?? ''} of ${subject} was soft-deleted; delete it permanently or look at it with "show deleted".`,
      );
    case 409:
      return new AppError('conflict', `The schema is not compatible with ${subject}: ${confluent}`);
    case 42201:
      return new AppError('invalid-request', `The registry refused the schema as invalid: ${confluent}`);
    case 42202:
      return new AppError('invalid-request', confluent);
    case 42203:
      return new AppError('invalid-request', confluent);
    case 42205:
      return new AppError('conflict', `The registry does not allow this now: ${confluent}`);
    case 42206:
      return new AppError('conflict', `Other schemas reference this one, so it cannot be deleted: ${confluent}`);
    case 42209:
      return new AppError('invalid-request', 'The registry refused the schema as too large.');
    case 401:
      return new AppError('invalid-request', 'The schema registry refused the credentials (HTTP 401). Check the user name and password or the token.');
    case 403:
      return new AppError('invalid-request', 'The schema registry does not allow these credentials to do this (HTTP 403).');
    default:
      if (error.status >= 500)
        return new AppError('unavailable', `The schema registry failed to answer (HTTP ${error.status}, error ${error.errorCode}): ${confluent}`);
      if (error.status === 404) return new AppError('not-found', `The schema registry answered 404: ${confluent}. Check the URL.`);
      return new AppError('invalid-request', `The schema registry refused the request (HTTP ${error.status}, error ${error.errorCode}): ${confluent}`);
  }
}

/** How deep references may nest (a reference's references, and so on) before resolving stops. */
const MAX_REFERENCE_DEPTH = 32;

/**
 * A schema's references with the schemas they name, and theirs, fetched from the registry
 * (`GET /subjects/{subject}/versions/{version}`): what the format parsers need to read a schema that
 * imports others (Avro named types, Protobuf imports, JSON Schema `$ref`s).
 */
export async function resolveReferences(client: RegistryClient, references: readonly SchemaReference[], depth = 0): Promise<ResolvedReference[]> {
  if (references.length === 0) return [];
  if (depth > MAX_REFERENCE_DEPTH) throw new AppError('invalid-request', `Schema references nest deeper than ${MAX_REFERENCE_DEPTH} levels.`);
  return Promise.all(
    references.map(async (reference) => {
      let answer: { schemaType?: SchemaType; schema: string; references?: SchemaReference[] };
      try {
        answer = await client.get(`subjects/${registryPath(reference.subject)}/versions/${registryPath(reference.version)}`);
      } catch (error) {
        throw describeRegistryError(error, { subject: reference.subject, version: reference.version });
      }
      return {
        name: reference.name,
        subject: reference.subject,
        version: reference.version,
        schemaType: answer.schemaType ?? 'AVRO',
        schema: answer.schema,
        references: await resolveReferences(client, answer.references ?? [], depth + 1),
      };
    }),
  );
}

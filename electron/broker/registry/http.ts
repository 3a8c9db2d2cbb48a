/**
 * The schema registry's REST API: Confluent Schema Registry's paths, query parameters, bodies, content
 * type (`application/vnd.schemaregistry.v1+json`) and error answers (`{"error_code":N,"message":...}`,
 * rest-utils' mapping: 400 for malformed JSON, 404/405 for unknown paths and methods, 415 for a body
 * that is not JSON, 422 for what Confluent refuses with a 422xx code, 500 for store failures).
 *
 * Hostile input gets an error and changes nothing: bodies are limited in size (413), read with a time
 * limit, parsed as JSON before anything else; when listening on a loopback address, requests naming
 * another host are refused (a web page cannot reach the registry through DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as E from './errors';
import type { SchemaRegistry, SchemaRequest } from './registry';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const ACCEPTED_BODY_TYPES = ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json', 'application/octet-stream'];
/** Larger request bodies are refused before they are read in full. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/**
 * A schema whose record would exceed Kafka's default message.max.bytes cannot be stored; it is refused
 * (42209, as Confluent does when the store refuses the record) before it is parsed.
 */
export const MAX_SCHEMA_BYTES = 1024 * 1024;

type Query = URLSearchParams;
type Handler = (params: string[], query: Query, body: () => Record<string, unknown>) => unknown;

interface Route {
  method: string;
  /** Path segments; ':' marks a parameter. */
  pattern: string[];
  handler: Handler;
  /** Answers with the text itself rather than JSON (the raw schema endpoints). */
  raw?: boolean;
}

const flag = (query: Query, name: string) => (query.get(name) ?? '').toLowerCase() === 'true';

function schemaId(text: string): number {
  if (!/^-?\d{1,10}$/.test(text)) throw E.httpError(404, 'HTTP 404 Not Found');
  return Number(text);
}

function schemaBody(body: () => Record<string, unknown>): SchemaRequest {
  const value = body();
  if (typeof value.schema === 'string' && Buffer.byteLength(value.schema, 'utf8') > MAX_SCHEMA_BYTES) throw E.schemaTooLarge();
  return value;
}

function routes(registry: SchemaRegistry, clusterId: () => string): Route[] {
  const route = (method: string, path: string, handler: Handler, raw = false): Route => ({ method, pattern: path.split('/').filter(Boolean), handler, raw });
  return [
    route('GET', '/', () => ({})),
    route('GET', '/subjects', (_, q) =>
      registry.listSubjects({ deleted: flag(q, 'deleted'), deletedOnly: flag(q, 'deletedOnly'), prefix: q.get('subjectPrefix') ?? undefined }),
    ),
    route('GET', '/subjects/:/versions', ([s], q) => registry.listVersions(s!, { deleted: flag(q, 'deleted'), deletedOnly: flag(q, 'deletedOnly') })),
    route('POST', '/subjects/:/versions', ([s], q, body) => registry.register(s!, schemaBody(body), { normalize: flag(q, 'normalize') })),
    route('GET', '/subjects/:/versions/:', ([s, v], q) => registry.getVersion(s!, v!, { deleted: flag(q, 'deleted') })),
    route('GET', '/subjects/:/versions/:/schema', ([s, v], q) => registry.getVersion(s!, v!, { deleted: flag(q, 'deleted') }).schema, true),
    route('GET', '/subjects/:/versions/:/referencedby', ([s, v], q) => registry.referencedBy(s!, v!, { deleted: flag(q, 'deleted') })),
    route('DELETE', '/subjects/:/versions/:', ([s, v], q) => registry.deleteVersion(s!, v!, { permanent: flag(q, 'permanent') })),
    route('POST', '/subjects/:', ([s], q, body) => registry.lookup(s!, schemaBody(body), { normalize: flag(q, 'normalize'), deleted: flag(q, 'deleted') })),
    route('DELETE', '/subjects/:', ([s], q) => registry.deleteSubject(s!, { permanent: flag(q, 'permanent') })),
    route('GET', '/schemas', (_, q) =>
      registry.listSchemas({ subjectPrefix: q.get('subjectPrefix') ?? undefined, deleted: flag(q, 'deleted'), latestOnly: flag(q, 'latestOnly') }),
    ),
    route('GET', '/schemas/types', () => registry.types()),
    route('GET', '/schemas/ids/:', ([id], q) =>
      registry.schemaById(schemaId(id!), { subject: q.get('subject') || undefined, fetchMaxId: flag(q, 'fetchMaxId') }),
    ),
    route('GET', '/schemas/ids/:/schema', ([id], q) => registry.schemaById(schemaId(id!), { subject: q.get('subject') || undefined }).schema, true),
    route('GET', '/schemas/ids/:/versions', ([id], q) =>
      registry.versionsOfId(schemaId(id!), { deleted: flag(q, 'deleted'), subject: q.get('subject') || undefined }),
    ),
    route('GET', '/schemas/ids/:/subjects', ([id], q) =>
      registry.subjectsOfId(schemaId(id!), { deleted: flag(q, 'deleted'), subject: q.get('subject') || undefined }),
    ),
    route('POST', '/compatibility/subjects/:/versions/:', ([s, v], q, body) =>
      registry.checkCompatibility(s!, v, schemaBody(body), { normalize: flag(q, 'normalize'), verbose: flag(q, 'verbose') }),
    ),
    route('POST', '/compatibility/subjects/:/versions', ([s], q, body) =>
      registry.checkCompatibility(s!, undefined, schemaBody(body), { normalize: flag(q, 'normalize'), verbose: flag(q, 'verbose') }),
    ),
    route('GET', '/config', (_, q) => registry.getConfig(null, { defaultToGlobal: flag(q, 'defaultToGlobal') })),
    route('PUT', '/config', (_, __, body) => registry.setConfig(null, body())),
    route('DELETE', '/config', () => registry.deleteConfig(null)),
    route('GET', '/config/:', ([s], q) => registry.getConfig(s!, { defaultToGlobal: flag(q, 'defaultToGlobal') })),
    route('PUT', '/config/:', ([s], _, body) => registry.setConfig(s!, body())),
    route('DELETE', '/config/:', ([s]) => registry.deleteConfig(s!)),
    route('GET', '/mode', () => registry.getMode(null)),
    route('PUT', '/mode', (_, q, body) => registry.setMode(null, body(), { force: flag(q, 'force') })),
    route('GET', '/mode/:', ([s], q) => registry.getMode(s!, { defaultToGlobal: flag(q, 'defaultToGlobal') })),
    route('PUT', '/mode/:', ([s], q, body) => registry.setMode(s!, body(), { force: flag(q, 'force') })),
    route('DELETE', '/mode/:', ([s]) => registry.deleteMode(s!)),
    route('GET', '/contexts', () => ['.']),
    route('GET', '/v1/metadata/id', () => ({ scope: { path: [], clusters: { 'kafka-cluster': clusterId(), 'schema-registry-cluster': 'schema-registry' } } })),
    route('GET', '/v1/metadata/version', () => ({ version: '7.9.0-kafka-desk', commitId: 'kafka-desk' })),
  ];
}

function match(pattern: string[], segments: string[]): string[] | null {
  if (pattern.length !== segments.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === ':') params.push(segments[i]!);
    else if (pattern[i] !== segments[i]) return null;
  }
  return params;
}

function send(response: ServerResponse, status: number, body: unknown, raw = false): void {
  const text = raw && typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text, 'utf8') });
  response.end(text);
}

function sendError(response: ServerResponse, error: E.RegistryError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  send(response, error.status, error.body());
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Reads the body up to MAX_BODY_BYTES; rejects with 413 beyond it. */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(E.httpError(413, `The request body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Nothing more is kept: once the 413 is out, Node reads the rest of the body and discards it
        // (closing with unread data would reset the connection and could lose the answer); the
        // request timeout bounds how long that may take.
        request.removeAllListeners('data');
        chunks.length = 0;
        reject(E.httpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseBody(buffer: Buffer): Record<string, unknown> {
  if (buffer.length === 0) throw E.httpError(422, 'The request body is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    throw E.httpError(400, `Unexpected character in the request body: ${(error as Error).message}`);
  }
  if (parsed === null) throw E.httpError(422, 'The request body is empty');
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw E.httpError(400, `Cannot deserialize value of type \`RegisterSchemaRequest\` from ${Array.isArray(parsed) ? 'Array' : typeof parsed} value`);
  }
  return parsed as Record<string, unknown>;
}

export interface RegistryServerOptions {
  registry: SchemaRegistry;
  port: number;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  clusterId?: () => string;
  onError?: (error: unknown) => void;
}

export interface RegistryServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const host = options.host ?? '127.0.0.1';
  const table = routes(options.registry, options.clusterId ?? (() => ''));
  const checkHost = isLoopbackAddress(host);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (checkHost && !LOOPBACK_HOSTS.test(request.headers.host ?? '')) {
      throw E.httpError(403, `Requests to the embedded schema registry must name a loopback host, not '${request.headers.host ?? ''}'`);
    }
    let url: URL;
    let segments: string[];
    try {
      url = new URL(request.url ?? '/', 'http://registry');
      segments = url.pathname
        .split('/')
        .filter(Boolean)
        .map((s) => decodeURIComponent(s));
    } catch {
      throw E.httpError(400, 'The request path is not a valid URL');
    }
    let allowed = false;
    for (const route of table) {
      const params = match(route.pattern, segments);
      if (!params) continue;
      allowed = true;
      if (route.method !== request.method) continue;
      let body: Record<string, unknown> | null = null;
      if (request.method === 'POST' || request.method === 'PUT') {
        const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== '' && !ACCEPTED_BODY_TYPES.includes(type)) throw E.httpError(415, 'HTTP 415 Unsupported Media Type');
        const raw = await readBody(request);
        body = parseBody(raw);
      }
      const result = await route.handler(params, url.searchParams, () => body ?? {});
      send(response, 200, result, route.raw);
      return;
    }
    throw allowed ? E.httpError(405, 'HTTP 405 Method Not Allowed') : E.httpError(404, 'HTTP 404 Not Found');
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof E.RegistryError) {
        sendError(response, error);
        return;
      }
      options.onError?.(error);
      sendError(response, E.httpError(500, 'Internal Server Error'));
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

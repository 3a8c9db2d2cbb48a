// Decoders for keys and values: auto, string, JSON, hex dump, base64, big-endian numbers, Avro and
// Protobuf with a schema the user supplies, and a Confluent-compatible schema registry (magic byte 0,
// 4-byte schema id, then Avro, Protobuf with its message indexes, or JSON). Every decoder is data
// driven: schemas are parsed, never evaluated, and nothing the user writes runs as code.
import { isUtf8 } from 'node:buffer';
import avro from 'avsc';
import protobuf from 'protobufjs';
import { PREVIEW_BYTES, type Decoded, type DecoderSpec } from '../../../shared/model/messages';
import { describeRegistryError, RegistryClient, resolveReferences, type RegistryAccess } from '../schemas/registry-client';
import { protobufObjectOptions, schemaReader, type SchemaReader } from '../schemas/deserializer';
import type { SchemaReference } from '../../kafka/schemas/formats';
import { AppError } from '../../core/errors';
import { wireSchemaId } from '../../kafka/schemas/wire';

export type DecodedFormat = Decoded['format'];

/** A whole decoded field: `text` is complete. */
export interface FullText {
  format: DecodedFormat;
  text: string;
  schemaId?: number;
  error?: string;
}

export interface FieldDecoder {
  /** True when the decoded text differs from the bytes read as UTF-8 (filters then match decoded text). */
  readonly structured: boolean;
  /** Loads whatever the buffers need before decoding synchronously (registry schemas). */
  prepare(buffers: Iterable<Buffer | null>): Promise<void>;
  /** A preview: at most about PREVIEW_BYTES of text, marked truncated. */
  preview(buffer: Buffer | null): Decoded;
  /** The whole value; `pretty` indents JSON and lays bytes out as a hex dump. */
  full(buffer: Buffer | null, pretty: boolean): FullText;
}

/**
 * What decodes a field in the main process and the message worker: a spec the renderer chose, with
 * the connection's schema registry (#17) added to `registry` (always) and to `auto` (when the
 * connection has one: values in Confluent's wire format are read through it, everything else as auto
 * does). The registry's access (URL, credentials, CA) is added in the main process and never comes
 * from the renderer.
 */
export type EffectiveDecoderSpec =
  Exclude<DecoderSpec, { kind: 'registry' }> | { kind: 'auto'; registry: RegistryAccess } | { kind: 'registry'; registry: RegistryAccess };
export interface EffectiveDecoders {
  key: EffectiveDecoderSpec;
  value: EffectiveDecoderSpec;
}

/** Whether a spec decodes with schemas (in the message worker, its schemas loaded first). */
export function usesSchemas(spec: EffectiveDecoderSpec): boolean {
  return spec.kind === 'avro' || spec.kind === 'protobuf' || spec.kind === 'registry';
}

// ---------------------------------------------------------------------------------------------------
// Byte layouts

const HEX_PREVIEW_BYTES = PREVIEW_BYTES / 4;

/** `00000000  7b 22 69 64 22 3a 31 7d                           |{"id":1}|` */
export function hexDump(buffer: Buffer, limit = buffer.length): string {
  const end = Math.min(limit, buffer.length);
  const lines: string[] = [];
  for (let row = 0; row < end; row += 16) {
    const bytes = buffer.subarray(row, Math.min(row + 16, end));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      if (i < bytes.length) {
        const byte = bytes[i]!;
        hex += byte.toString(16).padStart(2, '0') + ' ';
        ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      } else hex += '   ';
    }
    lines.push(`${row.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

const NULL_DECODED: Decoded = { format: 'null', text: '', size: 0, truncated: false };

function nullFull(): FullText {
  return { format: 'null', text: '' };
}

function hexFallback(buffer: Buffer, error: string, schemaId?: number): Decoded {
  return {
    format: 'hex',
    text: hexDump(buffer, HEX_PREVIEW_BYTES),
    size: buffer.length,
    truncated: buffer.length > HEX_PREVIEW_BYTES,
    error,
    ...(schemaId !== undefined ? { schemaId } : {}),
  };
}

/** A cut that does not split a UTF-8 sequence. */
function utf8Prefix(buffer: Buffer, limit: number): string {
  if (buffer.length <= limit) return buffer.toString('utf8');
  let end = limit;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.toString('utf8', 0, end);
}

function looksLikeJson(buffer: Buffer): boolean {
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    // { [ " digit - t(rue) f(alse) n(ull)
    return c === 0x7b || c === 0x5b || c === 0x22 || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x74 || c === 0x66 || c === 0x6e;
  }
  return false;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** JSON of decoded Avro/Protobuf values: bytes as base64, 64-bit integers as exact numbers or strings. */
function toJson(value: unknown, pretty: boolean): string {
  return JSON.stringify(
    value,
    function replacer(this: Record<string, unknown>, key: string, converted: unknown) {
      const raw = this[key];
      if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
      if (typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw.toString();
      if (raw && typeof raw === 'object' && 'low' in raw && 'high' in raw && 'unsigned' in raw) return (raw as { toString(): string }).toString();
      return converted;
    },
    pretty ? 2 : undefined,
  );
}

// ---------------------------------------------------------------------------------------------------
// Plain decoders

function plainDecoder(kind: 'auto' | 'string' | 'json' | 'hex' | 'base64'): FieldDecoder {
  const preview = (buffer: Buffer | null): Decoded => {
    if (buffer === null) return NULL_DECODED;
    const size = buffer.length;
    switch (kind) {
      case 'hex':
        return { format: 'hex', text: hexDump(buffer, HEX_PREVIEW_BYTES), size, truncated: size > HEX_PREVIEW_BYTES };
      case 'base64': {
        const cut = size > PREVIEW_BYTES ? PREVIEW_BYTES - (PREVIEW_BYTES % 3) : size;
        return { format: 'base64', text: buffer.toString('base64', 0, cut), size, truncated: cut < size };
      }
      case 'string':
        return { format: 'text', text: utf8Prefix(buffer, PREVIEW_BYTES), size, truncated: size > PREVIEW_BYTES };
      case 'json':
      case 'auto': {
        if (size > PREVIEW_BYTES) {
          // Too large to check whole here: the start tells JSON from text, the rest comes on demand.
          const head = buffer.subarray(0, PREVIEW_BYTES);
          if (isUtf8(buffer)) {
            return { format: looksLikeJson(head) ? 'json' : 'text', text: utf8Prefix(buffer, PREVIEW_BYTES), size, truncated: true };
          }
          return kind === 'json' ? hexFallback(buffer, 'Not valid UTF-8, so not JSON.') : preview16(buffer);
        }
        if (size === 0) return { format: 'text', text: '', size, truncated: false };
        if (!isUtf8(buffer)) return kind === 'json' ? hexFallback(buffer, 'Not valid UTF-8, so not JSON.') : preview16(buffer);
        const text = buffer.toString('utf8');
        if (looksLikeJson(buffer)) {
          try {
            JSON.parse(text);
            return { format: 'json', text, size, truncated: false };
          } catch (error) {
            if (kind === 'json') return { format: 'text', text, size, truncated: false, error: `Not valid JSON: ${(error as Error).message}` };
          }
        } else if (kind === 'json') return { format: 'text', text, size, truncated: false, error: 'Not valid JSON.' };
        return { format: 'text', text, size, truncated: false };
      }
    }
  };
  const preview16 = (buffer: Buffer): Decoded => ({
    format: 'hex',
    text: hexDump(buffer, HEX_PREVIEW_BYTES),
    size: buffer.length,
    truncated: buffer.length > HEX_PREVIEW_BYTES,
  });
  return {
    structured: false,
    prepare: async () => undefined,
    preview,
    full(buffer, pretty) {
      if (buffer === null) return nullFull();
      switch (kind) {
        case 'hex':
          return { format: 'hex', text: pretty ? hexDump(buffer) : buffer.toString('hex') };
        case 'base64':
          return { format: 'base64', text: buffer.toString('base64') };
        case 'string':
          return { format: 'text', text: buffer.toString('utf8') };
        default: {
          if (buffer.length && !isUtf8(buffer)) {
            return kind === 'json'
              ? { format: 'hex', text: pretty ? hexDump(buffer) : buffer.toString('hex'), error: 'Not valid UTF-8, so not JSON.' }
              : { format: 'hex', text: pretty ? hexDump(buffer) : buffer.toString('hex') };
          }
          const text = buffer.toString('utf8');
          if (looksLikeJson(buffer)) {
            try {
              const parsed: unknown = JSON.parse(text);
              return { format: 'json', text: pretty ? JSON.stringify(parsed, null, 2) : text };
            } catch {
              // text
            }
          }
          return kind === 'json' ? { format: 'text', text, error: 'Not valid JSON.' } : { format: 'text', text };
        }
      }
    },
  };
}

function numberDecoder(kind: 'int32' | 'int64' | 'float' | 'double'): FieldDecoder {
  const width = kind === 'int32' || kind === 'float' ? 4 : 8;
  const decode = (buffer: Buffer): string => {
    if (kind === 'int32') return String(buffer.readInt32BE(0));
    if (kind === 'int64') return buffer.readBigInt64BE(0).toString();
    if (kind === 'float') return String(buffer.readFloatBE(0));
    return String(buffer.readDoubleBE(0));
  };
  return {
    structured: true,
    prepare: async () => undefined,
    preview(buffer) {
      if (buffer === null) return NULL_DECODED;
      if (buffer.length !== width) return hexFallback(buffer, `A big-endian ${kind} has ${width} bytes; this one has ${buffer.length}.`);
      return { format: 'number', text: decode(buffer), size: width, truncated: false };
    },
    full(buffer, pretty) {
      if (buffer === null) return nullFull();
      if (buffer.length !== width) {
        return {
          format: 'hex',
          text: pretty ? hexDump(buffer) : buffer.toString('hex'),
          error: `A big-endian ${kind} has ${width} bytes; this one has ${buffer.length}.`,
        };
      }
      return { format: 'number', text: decode(buffer) };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Schema decoders: a function from bytes to a JSON-able value, wrapped with previews and fallbacks.

type ValueReader = (buffer: Buffer) => { value: unknown; schemaId?: number };

function structuredDecoder(read: ValueReader, prepare: FieldDecoder['prepare'] = async () => undefined): FieldDecoder {
  return {
    structured: true,
    prepare,
    preview(buffer) {
      if (buffer === null) return NULL_DECODED;
      let decoded: { value: unknown; schemaId?: number };
      try {
        decoded = read(buffer);
      } catch (error) {
        return hexFallback(buffer, (error as Error).message, (error as { schemaId?: number }).schemaId);
      }
      const text = toJson(decoded.value, false);
      const truncated = text.length > PREVIEW_BYTES;
      return {
        format: truncated ? 'text' : 'json',
        text: truncated ? text.slice(0, PREVIEW_BYTES) : text,
        size: buffer.length,
        truncated,
        ...(decoded.schemaId !== undefined ? { schemaId: decoded.schemaId } : {}),
      };
    },
    full(buffer, pretty) {
      if (buffer === null) return nullFull();
      try {
        const decoded = read(buffer);
        return { format: 'json', text: toJson(decoded.value, pretty), ...(decoded.schemaId !== undefined ? { schemaId: decoded.schemaId } : {}) };
      } catch (error) {
        return { format: 'hex', text: pretty ? hexDump(buffer) : buffer.toString('hex'), error: (error as Error).message };
      }
    },
  };
}

function parseAvroSchema(schema: string): avro.Type {
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch (error) {
    throw new AppError('invalid-request', `The Avro schema is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return avro.Type.forSchema(parsed as avro.Schema);
  } catch (error) {
    throw new AppError('invalid-request', `The Avro schema is not valid: ${(error as Error).message}`);
  }
}

function avroReader(type: avro.Type): ValueReader {
  return (buffer) => {
    try {
      return { value: type.fromBuffer(buffer) };
    } catch (error) {
      // Written by a Confluent serializer: magic byte 0 and a schema id before the Avro body.
      if (buffer.length > 5 && buffer[0] === 0) {
        try {
          return { value: type.fromBuffer(buffer.subarray(5)), schemaId: buffer.readInt32BE(1) };
        } catch {
          // report the first error
        }
      }
      throw new Error(`Not Avro of this schema: ${(error as Error).message}`, { cause: error });
    }
  };
}

function parseProto(schema: string): protobuf.Root {
  try {
    return protobuf.parse(schema, { keepCase: true }).root;
  } catch (error) {
    throw new AppError('invalid-request', `The .proto definition is not valid: ${(error as Error).message}`);
  }
}

function protobufReader(type: protobuf.Type): ValueReader {
  return (buffer) => {
    try {
      return { value: type.toObject(type.decode(buffer), protobufObjectOptions) };
    } catch (error) {
      throw new Error(`Not a ${type.fullName.replace(/^\./, '')} message: ${(error as Error).message}`, { cause: error });
    }
  };
}

// ---------------------------------------------------------------------------------------------------
// Confluent-compatible schema registry

class SchemaRegistryClient {
  readonly #client: RegistryClient;
  readonly #schemas = new Map<number, SchemaReader | Error>();

  constructor(access: RegistryAccess) {
    this.#client = new RegistryClient({ ...access, timeoutMs: access.timeoutMs ?? 10_000 });
  }

  has(id: number): boolean {
    return this.#schemas.has(id);
  }

  get(id: number): SchemaReader {
    const entry = this.#schemas.get(id);
    if (!entry) throw Object.assign(new Error(`Schema ${id} was not loaded from the registry.`), { schemaId: id });
    if (entry instanceof Error) throw Object.assign(new Error(entry.message), { schemaId: id });
    return entry;
  }

  async load(ids: Set<number>): Promise<void> {
    await Promise.all(
      [...ids].filter((id) => !this.#schemas.has(id)).map(async (id) => this.#schemas.set(id, await this.#fetch(id).catch((error: unknown) => error as Error))),
    );
  }

  /** The schema of an id with its references resolved (`GET /schemas/ids/{id}`, then each reference's subject version). */
  async #fetch(id: number): Promise<SchemaReader> {
    let body: { schema?: unknown; schemaType?: unknown; references?: SchemaReference[] };
    try {
      body = await this.#client.get(`schemas/ids/${id}`);
    } catch (error) {
      const described = describeRegistryError(error, { id });
      throw described instanceof Error ? described : new Error(String(described));
    }
    if (typeof body.schema !== 'string') throw new Error(`The schema registry's answer for schema ${id} has no schema.`);
    const schemaType = body.schemaType ?? 'AVRO';
    if (schemaType !== 'AVRO' && schemaType !== 'PROTOBUF' && schemaType !== 'JSON') {
      throw new Error(`Schema ${id} is of type ${JSON.stringify(schemaType)}, which the browser does not decode.`);
    }
    const references = await resolveReferences(this.#client, Array.isArray(body.references) ? body.references : []);
    return schemaReader({ id, schemaType, schema: body.schema, references });
  }
}

/** The messages of a .proto (of its packages, in declaration order), to name them when a type is not found. */
function messageTypes(root: protobuf.Root): protobuf.Type[] {
  const found: protobuf.Type[] = [];
  const visit = (namespace: protobuf.NamespaceBase) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) found.push(nested);
      else if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);
  return found;
}

const registries = new Map<string, SchemaRegistryClient>();

function registryClientFor(access: RegistryAccess): SchemaRegistryClient {
  const key = JSON.stringify([access.url, access.headers, access.ca ?? '', access.rejectUnauthorized]);
  let client = registries.get(key);
  if (!client) {
    if (registries.size > 16) registries.clear();
    client = new SchemaRegistryClient(access);
    registries.set(key, client);
  }
  return client;
}

function registryDecoder(access: RegistryAccess): FieldDecoder {
  const registry = registryClientFor(access);
  return structuredDecoder(
    (buffer) => {
      const id = wireSchemaId(buffer);
      if (id === null) throw new Error('Not in the schema registry wire format (magic byte 0 and a schema id).');
      return { value: registry.get(id)(buffer.subarray(5)), schemaId: id };
    },
    async (buffers) => {
      const ids = new Set<number>();
      for (const buffer of buffers) {
        const id = buffer ? wireSchemaId(buffer) : null;
        if (id !== null && !registry.has(id)) ids.add(id);
      }
      if (ids.size) await registry.load(ids);
    },
  );
}

/** Wire-format values up to this size are decoded by auto in place; larger ones need the registry decoder (in the worker). */
const AUTO_REGISTRY_MAX_BYTES = 1024 * 1024;

/**
 * Auto on a connection with a registry: values in the wire format through the registry, the rest as
 * auto. It decodes where plain auto does (no worker is leased for a topic of plain text), so it keeps
 * to values of at most 1 MB and filters match the bytes as auto's do; the registry decoder, chosen in
 * Decoders, decodes any size in the message worker and filters on the decoded text.
 */
function autoWithRegistry(access: RegistryAccess): FieldDecoder {
  const plain = plainDecoder('auto');
  const registry = registryDecoder(access);
  const wire = (buffer: Buffer | null) => buffer !== null && buffer.length <= AUTO_REGISTRY_MAX_BYTES && wireSchemaId(buffer) !== null;
  return {
    structured: false,
    prepare: (buffers) => registry.prepare(buffers),
    preview: (buffer) => (wire(buffer) ? registry.preview(buffer) : plain.preview(buffer)),
    full: (buffer, pretty) => (wire(buffer) ? registry.full(buffer, pretty) : plain.full(buffer, pretty)),
  };
}

// ---------------------------------------------------------------------------------------------------

const compiled = new Map<string, FieldDecoder>();

/** The decoder for a spec; parsed schemas are kept, so a page reuses what the previous one built. */
export function decoderFor(spec: EffectiveDecoderSpec): FieldDecoder {
  const cacheKey = JSON.stringify(spec);
  const cached = compiled.get(cacheKey);
  if (cached) return cached;
  let decoder: FieldDecoder;
  switch (spec.kind) {
    case 'auto':
      decoder = 'registry' in spec ? autoWithRegistry(spec.registry) : plainDecoder('auto');
      break;
    case 'string':
    case 'json':
    case 'hex':
    case 'base64':
      decoder = plainDecoder(spec.kind);
      break;
    case 'int32':
    case 'int64':
    case 'float':
    case 'double':
      decoder = numberDecoder(spec.kind);
      break;
    case 'avro':
      decoder = structuredDecoder(avroReader(parseAvroSchema(spec.schema)));
      break;
    case 'protobuf': {
      const root = parseProto(spec.schema);
      let type: protobuf.Type;
      try {
        type = root.lookupType(spec.messageType);
      } catch {
        const known = messageTypes(root).map((t) => t.fullName.replace(/^\./, ''));
        throw new AppError('invalid-request', `The .proto has no message type "${spec.messageType}". It has: ${known.join(', ') || 'none'}.`);
      }
      decoder = structuredDecoder(protobufReader(type));
      break;
    }
    case 'registry':
      decoder = registryDecoder(spec.registry);
      break;
  }
  if (compiled.size > 64) compiled.clear();
  compiled.set(cacheKey, decoder);
  return decoder;
}

/** Header values are decoded as auto: text when they are UTF-8, else hex. */
export const headerDecoder = plainDecoder('auto');

export { prettyJson };

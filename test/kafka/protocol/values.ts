/**
 * Test value generator: builds message values for a given version by walking the generated schema
 * description (generated/schema.ts). Defaults are parsed here, independently of the generator, so the
 * round-trip tests also check that decoders fill absent fields with the JSON defaults.
 */
import type { FieldSchema, MessageSchema, SchemaRange } from '../../../electron/kafka/protocol/generated/schema';
import type { RawTaggedField } from '../../../electron/kafka/protocol/reader';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function inRange(range: SchemaRange, version: number): boolean {
  if (range === null) return false;
  return version >= range[0] && (range[1] === -1 || version <= range[1]);
}

/** Deterministic xorshift PRNG so failures reproduce. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  int(maxExclusive: number): number {
    return this.next() % maxExclusive;
  }

  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(length: number): Buffer {
    const b = Buffer.alloc(length);
    for (let i = 0; i < length; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/**
 * - `defaults`: every present field at its default (nullable fields null where their default is null).
 * - `random`: random values, nulls where nullable (about one in four), small arrays, unknown tagged fields.
 * - `large`: like random, with long arrays (hundreds of elements) and longer strings and bytes.
 */
export type Mode = 'defaults' | 'random' | 'large';

const STRINGS = ['', 'a', 'topic-1', 'ünïcödé €', '😀 emoji', 'x'.repeat(40), '__consumer_offsets'];

function parseIntDefault(raw: string | number | boolean | null): number {
  if (raw === null || raw === '') return 0;
  const s = String(raw).trim();
  if (/^-?0x/i.test(s)) return s.startsWith('-') ? -parseInt(s.slice(1), 16) : parseInt(s, 16);
  return Number(s);
}

/** What the generated values exercised, so tests can check they covered what they claim to. */
export const stats = { nulls: 0, taggedNonDefault: 0, unknownTags: 0, largeArrays: 0, emptyArrays: 0 };

export class ValueFactory {
  constructor(
    readonly schema: MessageSchema,
    readonly rng: Rng,
    readonly mode: Mode,
  ) {}

  private isFlexible(version: number): boolean {
    return inRange(this.schema.flexibleVersions, version);
  }

  private isStruct(type: string): boolean {
    return Object.hasOwn(this.schema.structs, type);
  }

  /** The default value of a field, from its raw JSON default. */
  defaultOf(field: FieldSchema): unknown {
    const raw = field.default;
    const type = field.type;
    if (type.startsWith('[]')) return raw === 'null' ? null : [];
    if (this.isStruct(type)) return raw === 'null' ? null : this.defaultStruct(type);
    switch (type) {
      case 'bool':
        return raw === true || raw === 'true';
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
      case 'uint32':
        return parseIntDefault(raw);
      case 'float64':
        return raw === null ? 0 : Number(raw);
      case 'int64':
        return raw === null || raw === '' ? 0n : BigInt(String(raw));
      case 'string':
        return raw === 'null' ? null : raw === null ? '' : String(raw);
      case 'bytes':
        return raw === 'null' ? null : Buffer.alloc(0);
      case 'records':
        return null;
      case 'uuid':
        return ZERO_UUID;
      default:
        throw new Error(`unknown type ${type}`);
    }
  }

  defaultStruct(structName: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.schema.structs[structName]!) out[f.prop] = this.defaultOf(f);
    return out;
  }

  /** A value of the message's root struct for `version`. */
  message(version: number): Record<string, unknown> {
    return this.struct(this.schema.name, version, 0);
  }

  struct(structName: string, version: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const flexible = this.isFlexible(version);
    for (const f of this.schema.structs[structName]!) {
      const present = inRange(f.versions, version) && (f.tag === null || inRange(f.taggedVersions, version));
      out[f.prop] = present ? this.fieldValue(f, version, depth) : this.defaultOf(f);
    }
    if (flexible && this.mode !== 'defaults' && this.rng.chance(0.3)) {
      const unknown: RawTaggedField[] = [];
      // Tags far above any tag Kafka defines (the largest known is single-digit); one needs a 3-byte varint.
      if (this.rng.chance(0.7)) unknown.push({ tag: 20 + this.rng.int(10), data: this.rng.bytes(this.rng.int(5)) });
      if (this.rng.chance(0.5)) unknown.push({ tag: 40000, data: this.rng.bytes(1 + this.rng.int(300)) });
      if (unknown.length) {
        out.unknownTaggedFields = unknown;
        stats.unknownTags += unknown.length;
      }
    }
    return out;
  }

  private fieldValue(f: FieldSchema, version: number, depth: number): unknown {
    const nullable = inRange(f.nullableVersions, version);
    const def = this.defaultOf(f);
    if (this.mode === 'defaults') {
      if (def === null && !nullable) return this.randomValue(f, version, depth);
      return def;
    }
    if (nullable && this.rng.chance(0.25)) {
      stats.nulls++;
      return null;
    }
    // Tagged fields: sometimes at their default (not written), mostly not.
    if (f.tag !== null && this.rng.chance(0.3) && (def !== null || nullable)) return def;
    if (f.tag !== null) stats.taggedNonDefault++;
    return this.randomValue(f, version, depth);
  }

  private arrayLength(depth: number, primitive: boolean): number {
    if (this.mode === 'large') {
      if (primitive) return this.rng.chance(0.5) ? 500 + this.rng.int(1500) : this.rng.int(4);
      return depth === 0 ? 40 + this.rng.int(40) : depth === 1 ? 2 + this.rng.int(3) : this.rng.int(2);
    }
    return depth > 2 ? this.rng.int(2) : this.rng.int(4);
  }

  private randomValue(f: FieldSchema, version: number, depth: number): unknown {
    if (f.type.startsWith('[]')) {
      const element = f.type.slice(2);
      const primitive = !this.isStruct(element);
      const n = this.arrayLength(depth, primitive);
      if (n === 0) stats.emptyArrays++;
      if (n >= 40) stats.largeArrays++;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(primitive ? this.primitive(element) : this.struct(element, version, depth + 1));
      return out;
    }
    if (this.isStruct(f.type)) return this.struct(f.type, version, depth + 1);
    return this.primitive(f.type);
  }

  primitive(type: string): unknown {
    const rng = this.rng;
    switch (type) {
      case 'bool':
        return rng.chance(0.5);
      case 'int8':
        return rng.pick([0, 1, -1, 127, -128, (rng.next() & 0xff) - 128]);
      case 'int16':
        return rng.pick([0, 1, -1, 32767, -32768, (rng.next() & 0xffff) - 32768]);
      case 'uint16':
        return rng.pick([0, 1, 65535, rng.next() & 0xffff]);
      case 'int32':
        return rng.pick([0, 1, -1, 2147483647, -2147483648, rng.next() | 0]);
      case 'uint32':
        return rng.pick([0, 1, 4294967295, rng.next()]);
      case 'float64':
        return rng.pick([0, 1.5, -2.25, 1e300, Number.MIN_VALUE, (rng.next() / 7) * (rng.chance(0.5) ? -1 : 1)]);
      case 'int64':
        return rng.pick([0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n, BigInt.asIntN(64, (BigInt(rng.next()) << 32n) | BigInt(rng.next()))]);
      case 'string':
        return this.mode === 'large' && rng.chance(0.2) ? 'long-'.repeat(200 + rng.int(200)) : rng.pick(STRINGS);
      case 'bytes':
        return rng.bytes(this.mode === 'large' && rng.chance(0.1) ? rng.int(5000) : rng.int(20));
      case 'records':
        return rng.bytes(this.mode === 'large' && rng.chance(0.1) ? 4096 + rng.int(5000) : rng.int(100));
      case 'uuid': {
        const hex = rng.bytes(16).toString('hex');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      }
      default:
        throw new Error(`unknown primitive ${type}`);
    }
  }
}

/** Every version in a schema range (validVersions are always closed). */
export function versionsOf(range: SchemaRange): number[] {
  if (range === null) return [];
  const out: number[] = [];
  for (let v = range[0]; v <= range[1]; v++) out.push(v);
  return out;
}

import type { SchemaType } from './types';
import { avroFormat } from './avro';
import { jsonSchemaFormat } from './json-schema';
import { protobufFormat } from './protobuf';
import type { SchemaFormat } from './types';

export const FORMATS: Record<SchemaType, SchemaFormat> = { AVRO: avroFormat, PROTOBUF: protobufFormat, JSON: jsonSchemaFormat };

export { InvalidSchemaError, type ParsedSchema, type ResolvedReference, type SchemaFormat, type SchemaReference, type SchemaType } from './types';
